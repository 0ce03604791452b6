/* verbs_wait.c - mmf wait: block until a segment is next modified through the mount, or time out. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "args.h"
#include "mmf.h"
#include "report.h"

#define WAIT_POLL_MS 50
#define WAIT_CHECK_MS 1000

/* Whether the wait ended: on a change, on a timeout, because the segment went away or left its name, or
 * because the mount did (its daemon died, or it was unmounted). */
enum wait_end {
	WAIT_CHANGED, WAIT_TIMEOUT, WAIT_REMOVED, WAIT_RENAMED, WAIT_DISCONNECTED, WAIT_UNMOUNTED, WAIT_ERROR
};

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

/* Why a segment that is no longer found went: err is what looking it up said. A dead or vanished mount
 * shows as a segment that is not there any more, but it is the mount that went. What says nothing of
 * where the segment is (EACCES, EMFILE, ENOMEM) is an error, set in *why, not a removal. */
static enum wait_end gone_why(int err, int *why)
{
	switch (-err) {
	case ENOTCONN:
	case ECANCELED: /* taken from a dead daemon's io-uring queue (report.c) */
	case ECONNABORTED:
		return WAIT_DISCONNECTED;
	case ENODEV:
		return WAIT_UNMOUNTED;
	/* NAME no longer leads to a file on the mount: the segment waited on is not under it any more. */
	case ENOENT:
	case ENOTDIR:
	case ELOOP:
	case EXDEV:
	case MMF_EOTHERFS:
		return WAIT_REMOVED;
	default:
		*why = -err;
		return WAIT_ERROR;
	}
}

/*
 * Looks NAME up afresh beneath the mount, as when the wait began, and lets go of the mount's root again,
 * so that a waiting mmf holds nothing on the mount (fusermount3 -u would fail with EBUSY). Returns 0 with
 * *st set, or a negative errno: -ENOTCONN when the daemon has died, -ENODEV when the mount is gone.
 */
static int look(struct mmf_ctx *ctx, const char *name, struct stat *st)
{
	int fd = ctx_open(ctx, name, O_PATH, 0);
	int rc = 0;

	if (fd >= 0 && fstat(fd, st) != 0)
		rc = -errno;
	if (fd >= 0)
		close(fd);
	else
		rc = fd;
	ctx_close_root(ctx);
	return rc;
}

/* After an event that may mean it went: whether NAME still leads to the segment waited on, and why not. A
 * removal shows as IN_ATTRIB (the link count) while others hold it. */
static enum wait_end still_there(struct mmf_ctx *ctx, const char *name, const struct stat *was,
				 enum wait_end otherwise, int *why)
{
	struct stat st;
	int rc = look(ctx, name, &st);

	if (rc != 0 && gone_why(rc, why) != WAIT_REMOVED)
		return gone_why(rc, why);
	if (rc != 0 || st.st_ino != was->st_ino || st.st_dev != was->st_dev)
		return otherwise;
	return WAIT_CHANGED; /* nothing that ends the wait: the caller goes on */
}

/* The daemon can die without a single inotify event: every WAIT_CHECK_MS the mount is asked whether it is
 * still there and alive (statfs reaches the daemon, ENOTCONN once it is dead). */
static enum wait_end check_mount(struct mmf_ctx *ctx, int *why)
{
	int rc = ctx_alive(ctx);

	return rc == 0 ? WAIT_CHANGED : gone_why(rc, why);
}

/*
 * inotify sees writes, appends and truncations made through this mount by any process on this machine:
 * the kernel reports them at the VFS, above FUSE (checked on this mount). It does not see stores through
 * a shared mapping, which never pass through write(). On WAIT_ERROR, *why is the errno, or 0 when inotify
 * gave nothing to read.
 */
static enum wait_end wait_inotify(struct mmf_ctx *ctx, int in, const char *name, const struct stat *was,
				  int64_t deadline, int *why)
{
	char buf[4096] __attribute__((aligned(__alignof__(struct inotify_event))));

	for (;;) {
		struct pollfd pfd = { .fd = in, .events = POLLIN };
		int left = left_ms(deadline);
		int n = poll(&pfd, 1, left < 0 || left > WAIT_CHECK_MS ? WAIT_CHECK_MS : left);
		enum wait_end end;
		ssize_t len;

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			*why = errno;
			return WAIT_ERROR;
		}
		if (n == 0) {
			if (deadline >= 0 && left_ms(deadline) == 0)
				return WAIT_TIMEOUT;
			end = check_mount(ctx, why);
			if (end != WAIT_CHANGED)
				return end;
			continue;
		}
		len = read(in, buf, sizeof buf);
		if (len < 0 && errno == EINTR)
			continue;
		if (len <= 0) {
			/* read() of an inotify descriptor that poll() found readable gives at least one event;
			 * 0 would be the kernel's oddity, with no errno to tell of it. */
			*why = len < 0 ? errno : 0;
			return WAIT_ERROR;
		}
		for (char *p = buf; p < buf + len;) {
			const struct inotify_event *ev = (const struct inotify_event *)p;

			if (ev->mask & (IN_MODIFY | IN_CLOSE_WRITE))
				return WAIT_CHANGED;
			if (ev->mask & IN_UNMOUNT)
				return WAIT_UNMOUNTED;
			if (ev->mask & (IN_DELETE_SELF | IN_IGNORED)) {
				end = check_mount(ctx, why);
				return end != WAIT_CHANGED ? end : WAIT_REMOVED;
			}
			if (ev->mask & IN_ATTRIB) {
				end = still_there(ctx, name, was, WAIT_REMOVED, why);
				if (end != WAIT_CHANGED)
					return end;
			}
			/* Renamed away, the name no longer names what the caller waits on, as if removed. */
			if (ev->mask & IN_MOVE_SELF) {
				end = still_there(ctx, name, was, WAIT_RENAMED, why);
				if (end != WAIT_CHANGED)
					return end;
			}
			p += sizeof *ev + ev->len;
		}
	}
}

/*
 * Without inotify (no watches left, or no read permission for one), compare length and modification time
 * every WAIT_POLL_MS. An open for writing that writes nothing changes neither, so it is not seen, where
 * inotify sees its close (IN_CLOSE_WRITE).
 */
static enum wait_end wait_polling(struct mmf_ctx *ctx, const char *name, const struct stat *was,
				  int64_t deadline, int *why)
{
	for (;;) {
		struct timespec pause = { 0, WAIT_POLL_MS * 1000000L };
		struct stat st;
		int rc = look(ctx, name, &st);

		if (rc != 0)
			return gone_why(rc, why);
		/* An inode number is only unique on its device: both say it is the same file. */
		if (st.st_ino != was->st_ino || st.st_dev != was->st_dev)
			return WAIT_REMOVED;
		if (st.st_size != was->st_size || st.st_mtim.tv_sec != was->st_mtim.tv_sec ||
		    st.st_mtim.tv_nsec != was->st_mtim.tv_nsec)
			return WAIT_CHANGED;
		if (deadline >= 0 && left_ms(deadline) == 0)
			return WAIT_TIMEOUT;
		nanosleep(&pause, NULL);
	}
}

/* Opens NAME (O_PATH, beneath the mount) and sets the inotify watch on what it opened, then takes the
 * state the wait starts from. Falls back to polling (*in = -1) when the watch is refused for want of
 * watches or of read permission: stat needs neither. Returns 0 or the exit status after reporting. */
static int start(struct mmf_ctx *ctx, const char *name, int *in, struct stat *st)
{
	/* "/proc/self/fd/N": the file opened beneath the mount, not the name looked up again. */
	char proc[sizeof "/proc/self/fd/" + 3 * sizeof(int)];
	int fd = ctx_open(ctx, name, O_PATH, 0);
	int rc = 0;

	if (fd < 0) {
		if (fd == -ENOENT)
			return report_fail(name, "no such segment (create it with 'mmf new')");
		return report_errno(name, -fd);
	}
	snprintf(proc, sizeof proc, "/proc/self/fd/%d", fd);
	*in = inotify_init1(IN_CLOEXEC);
	if (*in >= 0 && inotify_add_watch(*in, proc, IN_MODIFY | IN_CLOSE_WRITE | IN_ATTRIB | IN_DELETE_SELF |
					  IN_MOVE_SELF) < 0) {
		int err = errno;

		close(*in);
		*in = -1;
		if (err != ENOSPC && err != ENOMEM && err != EACCES && err != EPERM)
			rc = report_errno(name, err);
	}
	/* After the watch is set, so a change between the two is not lost. */
	if (rc == 0 && fstat(fd, st) != 0)
		rc = report_errno(name, errno);
	if (rc == 0 && S_ISDIR(st->st_mode))
		rc = report_errno(name, EISDIR);
	else if (rc == 0 && !S_ISREG(st->st_mode))
		rc = report_fail(name, "not a segment (not a regular file)");
	close(fd);
	ctx_close_root(ctx);
	return rc;
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
	struct stat st;
	struct args a;
	const char *name;
	enum wait_end end;
	int64_t deadline = -1;
	int why = 0;
	int in = -1;
	int rc = ctx_args(ctx, argc, argv, &spec, &a);

	if (rc >= 0)
		goto out;
	if (a.noperands != 1) {
		rc = report_usage("wait", a.noperands == 0 ? "missing NAME" : "one NAME only");
		goto out;
	}
	name = a.operands[0];
	rc = ctx_name(ctx, name);
	if (rc != 0)
		goto out;
	if (o.have_timeout)
		deadline = now_ms() + (int64_t)(o.timeout * 1000);
	rc = start(ctx, name, &in, &st);
	if (rc != 0)
		goto out;
	if (in >= 0)
		end = wait_inotify(ctx, in, name, &st, deadline, &why);
	else
		end = wait_polling(ctx, name, &st, deadline, &why);
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
	case WAIT_DISCONNECTED:
		rc = report_fail(name, "the mount is no longer connected: its mmfs daemon stopped while waiting");
		break;
	case WAIT_UNMOUNTED:
		rc = report_fail(name, "the mount went away while waiting (unmounted)");
		break;
	case WAIT_ERROR:
	default:
		if (why == 0)
			rc = report_fail(name, "cannot wait: inotify gave no event to read");
		else
			rc = report_fail(name, "cannot wait: %s", report_reason(why));
		break;
	}
out:
	if (in >= 0)
		close(in);
	args_free(&a);
	return rc;
}
