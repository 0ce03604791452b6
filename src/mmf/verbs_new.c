/* verbs_new.c - mmf new: create a segment with its capacity (and lifetime, mode), or open an existing one. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <time.h>
#include <unistd.h>

#include "args.h"
#include "mmf.h"
#include "report.h"
#include "run.h"
#include "segfile.h"
#include "seginfo.h"

struct new_opts {
	uint64_t size;
	bool have_size;
	bool or_open;
	bool transient;
	bool have_mode;
	mode_t mode;
};

static int parse_mode(const char *text, mode_t *out)
{
	unsigned long value = 0;

	if (*text == '\0' || strlen(text) > 4 || strspn(text, "01234567") != strlen(text))
		return report_usage("new", "bad mode '%s': expected octal permission bits such as 0644", text);
	for (const char *p = text; *p != '\0'; p++)
		value = value * 8 + (unsigned long)(*p - '0');
	*out = (mode_t)value;
	return 0;
}

static int new_option(int opt, const char *arg, void *data)
{
	struct new_opts *o = data;

	switch (opt) {
	case 's':
		o->have_size = true;
		return args_size("new", arg, &o->size);
	case 'o':
		o->or_open = true;
		return 0;
	case 't':
		o->transient = true;
		return 0;
	case 'm':
		o->have_mode = true;
		return parse_mode(arg, &o->mode);
	default:
		return MMF_EXIT_USAGE;
	}
}

static mode_t current_umask(void)
{
	mode_t mask = umask(0);

	umask(mask);
	return mask;
}

/* What create() made: the directory that holds it and its name there, to take it back by (never followed
 * out of the mount), and what it is, so that only that file is taken back. */
struct made {
	int dir;
	char base[NAME_MAX + 1];
	struct stat st;
};

/*
 * Removes the segment that mmf new made, if its name still leads to it (not to what another process has
 * put there since). The name is opened in the directory that create() opened beneath the mount (never
 * followed if it has become a symbolic link, nor through a mount put on it), and what it opened is
 * compared with what was made right before the unlink. Linux has no unlink of a descriptor, so one window
 * remains, between that comparison and unlinkat: a process allowed to write to that directory could swap
 * another file in under the name just then, and lose it. It could as well have removed the segment
 * itself, and the name is one mmf has just made.
 */
static void unmake(const struct made *m)
{
	struct stat now;
	int fd = openat(m->dir, m->base, O_PATH | O_NOFOLLOW | O_CLOEXEC);
	bool same = fd >= 0 && fstat(fd, &now) == 0 && now.st_dev == m->st.st_dev &&
		    now.st_ino == m->st.st_ino;

	if (fd >= 0)
		close(fd);
	if (same)
		unlinkat(m->dir, m->base, 0);
}

/* Takes back a half-made segment, so that a failed mmf new leaves nothing behind. */
static int undo_create(const char *name, const struct made *m, int fd, const char *what, int err)
{
	unmake(m);
	close(fd);
	if (err == EINVAL)
		return report_fail(name, "the mount refused the %s (nothing created)", what);
	return report_fail(name, "cannot set the %s: %s (nothing created)", what, report_reason(err));
}

/* What create() returns when the segment exists and --or-open says to use it. */
#define CREATE_EXISTS (-1)

/* The kernel tells mmfs of the last close only after close() has returned. When mmf held the last handle of a
 * transient segment, wait (a little, bounded) until it is gone, so that the segment is gone when mmf exits,
 * as a user reading the script expects. Another holder keeps it: then the wait simply ends. */
static void wait_reclaimed(struct mmf_ctx *ctx, const char *name, const struct stat *held)
{
	for (int i = 0; i < 200; i++) {
		struct stat now;
		int fd = ctx_open(ctx, name, O_PATH, 0);
		bool same = fd >= 0 && fstat(fd, &now) == 0 && now.st_ino == held->st_ino &&
			    now.st_dev == held->st_dev;

		if (fd >= 0)
			close(fd);
		if (!same)
			return;
		struct timespec pause = { .tv_sec = 0, .tv_nsec = 5 * 1000 * 1000 };
		nanosleep(&pause, NULL);
	}
}

/* Says why NAME, which O_CREAT | O_EXCL found taken, cannot be created. */
static int taken(struct mmf_ctx *ctx, const char *name)
{
	struct stat st;
	int fd = ctx_open(ctx, name, O_PATH, 0);

	/* A link that leads nowhere, or out of the mount, is no segment; one inside that leads to a
	 * segment is that segment, as for every other verb. */
	if (fd == -ENOENT)
		return report_fail(name, "exists and is not a segment (a symbolic link that leads nowhere)");
	if (fd < 0)
		return report_errno(name, -fd);
	if (fstat(fd, &st) != 0)
		st.st_mode = S_IFREG;
	close(fd);
	if (!S_ISREG(st.st_mode))
		return report_fail(name, "exists and is not a segment (%s)",
				   S_ISDIR(st.st_mode) ? "a directory" : "not a regular file");
	return report_fail(name, "segment already exists (use --or-open to use it as it is)");
}

/*
 * Creates the segment: exclusively, owner-only until capacity and lifetime are set (setting user.*
 * attributes needs write permission, which a strict umask or --mode could take away), then the final
 * mode. Its directory is opened beneath the mount (ctx_parent), and O_EXCL never follows a symbolic link,
 * so it is made inside the mount or not at all. Returns 0 with *fd open and *m filled, CREATE_EXISTS when
 * it exists and --or-open was given, or MMF_EXIT_FAIL after reporting; on failure nothing is left behind.
 */
static int create(struct mmf_ctx *ctx, const char *name, const struct new_opts *o, int *fd, struct made *m)
{
	char value[32];
	mode_t mode = o->have_mode ? o->mode : (0666 & ~current_umask());
	const char *lifetime = o->transient ? "transient" : "persistent";
	int f;

	m->dir = ctx_parent(ctx, name, m->base, sizeof m->base);
	if (m->dir == -EISDIR)
		return report_fail(name, "exists and is not a segment (a directory)");
	if (m->dir == -ENOENT)
		return report_fail(name, "no such directory for this name (create it with mkdir)");
	if (m->dir < 0)
		return report_errno(name, -m->dir);
	f = openat(m->dir, m->base, O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY, 0600);
	if (f < 0) {
		int err = errno;

		if (err == EEXIST && o->or_open)
			return CREATE_EXISTS;
		if (err == EEXIST)
			return taken(ctx, name);
		if (err == ENOSPC)
			return report_fail(name, "no room for another segment in the mmfs pool or on its "
					   "backing file system");
		return report_errno(name, err);
	}
	if (fstat(f, &m->st) != 0) {
		int err = errno;

		/* Just made by O_EXCL: the name is still the one made, unless another process unlinked it. */
		unlinkat(m->dir, m->base, 0);
		close(f);
		return report_fail(name, "%s (nothing created)", report_reason(err));
	}
	if (o->size == UINT64_MAX)
		snprintf(value, sizeof value, "unlimited");
	else
		snprintf(value, sizeof value, "%" PRIu64, o->size);
	if (fsetxattr(f, SEGINFO_CAPACITY_XATTR, value, strlen(value), 0) != 0)
		return undo_create(name, m, f, "capacity", errno);
	/* Persistent said explicitly too: on a mount whose default is transient (-o lifetime=transient), a
	 * segment made by mmf alone would go as mmf closes it, and mmf new would have made nothing. */
	if (fsetxattr(f, SEGINFO_LIFETIME_XATTR, lifetime, strlen(lifetime), 0) != 0)
		return undo_create(name, m, f, "lifetime", errno);
	if (fchmod(f, mode) != 0)
		return undo_create(name, m, f, "mode", errno);
	*fd = f;
	return 0;
}

static int exists(struct mmf_ctx *ctx, const char *name)
{
	struct seginfo info;
	int rc = seginfo_get(ctx, name, &info);

	if (rc == -EINVAL)
		return report_fail(name, "exists but is not a segment (not a regular file)");
	if (rc != 0)
		return report_errno(name, -rc);
	return 0;
}

int verb_new(struct mmf_ctx *ctx, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "size", required_argument, NULL, 's' },
		{ "or-open", no_argument, NULL, 'o' },
		{ "transient", no_argument, NULL, 't' },
		{ "mode", required_argument, NULL, 'm' },
		{ NULL, 0, NULL, 0 },
	};
	struct new_opts o = { 0 };
	const struct args_spec spec = {
		.verb = "new", .shortopts = "s:otm:", .longopts = longopts,
		.command = ARGS_COMMAND_AFTER_DASHES, .option = new_option, .data = &o,
	};
	struct made m = { .dir = -1 };
	struct args a;
	const char *name;
	bool started = true;
	int fd = -1;
	int rc = ctx_args(ctx, argc, argv, &spec, &a);

	if (rc >= 0)
		goto out;
	if (a.noperands != 1) {
		rc = report_usage("new", a.noperands == 0 ? "missing NAME" :
				  "one NAME only (put a COMMAND after --)");
		goto out;
	}
	name = a.operands[0];
	if (!o.have_size) {
		rc = report_usage("new", "--size N is required");
		goto out;
	}
	/* A transient segment goes when its last handle closes: made by mmf alone, it would be gone as mmf
	 * exits. So mmf holds it open for a COMMAND, and refuses --transient without one. */
	if (o.transient && a.command == NULL) {
		rc = report_usage("new", "--transient needs a COMMAND to hold the segment open: "
				  "mmf new NAME --size N --transient -- COMMAND...");
		goto out;
	}
	rc = ctx_name(ctx, name);
	if (rc != 0)
		goto out;
	rc = create(ctx, name, &o, &fd, &m);
	if (rc == CREATE_EXISTS) {
		/* Used as it is, like CreateOrOpen: its capacity and lifetime stay what they are. Only a
		 * COMMAND needs it held open; otherwise it need only be a segment. */
		rc = a.command != NULL ? segfile_open(ctx, name, O_RDONLY, true, &fd) : exists(ctx, name);
		close(m.dir);
		m.dir = -1;
	}
	if (rc != 0)
		goto out;
	if (a.command != NULL)
		rc = run_command(a.command, &started);
	/* A COMMAND that never started (not found, not executable) is bad input: the segment that mmf made
	 * for it goes again, so that nothing has changed. One that --or-open found is left as it was. */
	if (!started && m.dir >= 0)
		unmake(&m);
	if (fd >= 0) {
		struct stat held;
		/* Only a transient segment can go at this close: what --or-open found may be persistent
		 * (whatever --transient said), and one found transient goes too. */
		bool check_gone = seginfo_transient(fd) && fstat(fd, &held) == 0;
		close(fd);
		if (check_gone)
			wait_reclaimed(ctx, name, &held);
	}
out:
	if (m.dir >= 0)
		close(m.dir);
	args_free(&a);
	return rc;
}
