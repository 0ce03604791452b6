/* verbs_wait.c - mmf wait: block until a segment is next modified through the mount, or time out. */
#include <errno.h>
#include <poll.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "args.h"
#include "mmf.h"
#include "report.h"
#include "seginfo.h"

#define WAIT_POLL_MS 50

/* Whether the wait ended: on a change, on a timeout, or because the segment went away or left its name. */
enum wait_end { WAIT_CHANGED, WAIT_TIMEOUT, WAIT_REMOVED, WAIT_RENAMED, WAIT_ERROR };

struct wait_opts {
	bool have_timeout;
	double timeout;
};

static int wait_option(int opt, const char *arg, void *data)
{
	struct wait_opts *o = data;

	o->have_timeout = true;
	return args_seconds("wait", arg, &o->timeout);
}

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Milliseconds left before the deadline, for poll(); -1 (forever) when there is none. */
static int left_ms(int64_t deadline)
{
	int64_t left;

	if (deadline < 0)
		return -1;
	left = deadline - now_ms();
	if (left <= 0)
		return 0;
	return left > INT32_MAX ? INT32_MAX : (int)left;
}

/* Still the same segment at path? A removal shows as IN_ATTRIB (the link count) while others hold it. */
static bool still_there(const char *path, const struct stat *was)
{
	struct stat st;

	return stat(path, &st) == 0 && st.st_ino == was->st_ino && st.st_dev == was->st_dev;
}

/*
 * inotify sees writes, appends and truncations made through this mount by any process on this machine:
 * the kernel reports them at the VFS, above FUSE (checked on this mount). It does not see stores through
 * a shared mapping, which never pass through write().
 */
static enum wait_end wait_inotify(int in, const char *path, const struct stat *was, int64_t deadline)
{
	char buf[4096] __attribute__((aligned(__alignof__(struct inotify_event))));

	for (;;) {
		struct pollfd pfd = { .fd = in, .events = POLLIN };
		int n = poll(&pfd, 1, left_ms(deadline));
		ssize_t len;

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return WAIT_ERROR;
		if (n == 0)
			return WAIT_TIMEOUT;
		len = read(in, buf, sizeof buf);
		if (len < 0 && errno == EINTR)
			continue;
		if (len <= 0)
			return WAIT_ERROR;
		for (char *p = buf; p < buf + len;) {
			const struct inotify_event *ev = (const struct inotify_event *)p;

			if (ev->mask & (IN_MODIFY | IN_CLOSE_WRITE))
				return WAIT_CHANGED;
			if (ev->mask & (IN_DELETE_SELF | IN_IGNORED | IN_UNMOUNT))
				return WAIT_REMOVED;
			if ((ev->mask & IN_ATTRIB) && !still_there(path, was))
				return WAIT_REMOVED;
			/* Renamed away, the name no longer names what the caller waits on, as if removed. */
			if ((ev->mask & IN_MOVE_SELF) && !still_there(path, was))
				return WAIT_RENAMED;
			p += sizeof *ev + ev->len;
		}
	}
}

/* Without inotify (no watches left, say), compare length and modification time every WAIT_POLL_MS. */
static enum wait_end wait_polling(const char *path, const struct stat *was, int64_t deadline)
{
	for (;;) {
		struct timespec pause = { 0, WAIT_POLL_MS * 1000000L };
		struct stat st;

		if (stat(path, &st) != 0 || st.st_ino != was->st_ino)
			return WAIT_REMOVED;
		if (st.st_size != was->st_size || st.st_mtim.tv_sec != was->st_mtim.tv_sec ||
		    st.st_mtim.tv_nsec != was->st_mtim.tv_nsec)
			return WAIT_CHANGED;
		if (deadline >= 0 && left_ms(deadline) == 0)
			return WAIT_TIMEOUT;
		nanosleep(&pause, NULL);
	}
}

int verb_wait(struct mmf_ctx *ctx, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "timeout", required_argument, NULL, 'w' },
		{ NULL, 0, NULL, 0 },
	};
	struct wait_opts o = { 0 };
	const struct args_spec spec = {
		.verb = "wait", .shortopts = "w:", .longopts = longopts,
		.command = ARGS_NO_COMMAND, .option = wait_option, .data = &o,
	};
	char path[PATH_MAX];
	struct seginfo info;
	struct args a;
	const char *name;
	enum wait_end end;
	int64_t deadline = -1;
	int in = -1;
	int rc = ctx_args(ctx, argc, argv, &spec, &a);

	if (rc >= 0)
		goto out;
	if (a.noperands != 1) {
		rc = report_usage("wait", a.noperands == 0 ? "missing NAME" : "one NAME only");
		goto out;
	}
	name = a.operands[0];
	rc = ctx_segment_path(ctx, name, path, sizeof path);
	if (rc != 0)
		goto out;
	if (o.have_timeout)
		deadline = now_ms() + (int64_t)(o.timeout * 1000);
	in = inotify_init1(IN_CLOEXEC);
	if (in >= 0 && inotify_add_watch(in, path, IN_MODIFY | IN_CLOSE_WRITE | IN_ATTRIB | IN_DELETE_SELF | IN_MOVE_SELF) < 0) {
		int err = errno;

		close(in);
		in = -1;
		if (err != ENOSPC && err != ENOMEM) {
			rc = err == ENOENT ? report_fail(name, "no such segment (create it with 'mmf new')")
					   : report_errno(name, err);
			goto out;
		}
	}
	/* After the watch is set, so a change between the two is not lost. */
	rc = seginfo_get(path, &info);
	if (rc != 0) {
		rc = rc == -EINVAL ? report_fail(name, "not a segment (not a regular file)") : report_errno(name, -rc);
		goto out;
	}
	if (in >= 0)
		end = wait_inotify(in, path, &info.st, deadline);
	else
		end = wait_polling(path, &info.st, deadline);
	switch (end) {
	case WAIT_CHANGED:
		rc = MMF_EXIT_OK;
		break;
	case WAIT_TIMEOUT:
		rc = MMF_EXIT_TIMEOUT;
		break;
	case WAIT_REMOVED:
		rc = report_fail(name, "the segment was removed while waiting");
		break;
	case WAIT_RENAMED:
		rc = report_fail(name, "the segment was renamed while waiting");
		break;
	default:
		rc = report_errno(name, errno);
		break;
	}
out:
	if (in >= 0)
		close(in);
	args_free(&a);
	return rc;
}
