/* verbs_new.c - mmf new: create a segment with its capacity (and lifetime, mode), or open an existing one. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
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

/* Takes back a half-made segment, so that a failed mmf new leaves nothing behind. */
static int undo_create(const char *name, const char *path, int fd, const char *what, int err)
{
	unlink(path);
	close(fd);
	if (err == EINVAL)
		return report_fail(name, "the mount refused the %s (nothing created)", what);
	return report_fail(name, "cannot set the %s: %s (nothing created)", what, report_reason(err));
}

/* What create() returns when the segment exists and --or-open says to use it. */
#define CREATE_EXISTS (-1)

/*
 * Creates the segment: exclusively, owner-only until capacity and lifetime are set (setting user.*
 * attributes needs write permission, which a strict umask or --mode could take away), then the final
 * mode. Returns 0 with *fd open, CREATE_EXISTS when it exists and --or-open was given, or MMF_EXIT_FAIL
 * after reporting; on failure nothing is left behind.
 */
/* The kernel tells mmfs of the last close only after close() has returned. When mmf held the last handle of a
 * transient segment, wait (a little, bounded) until it is gone, so that the segment is gone when mmf exits,
 * as a user reading the script expects. Another holder keeps it: then the wait simply ends. */
static void wait_reclaimed(const char *path, const struct stat *held)
{
	struct stat now;
	for (int i = 0; i < 200; i++) {
		if (stat(path, &now) != 0 || now.st_ino != held->st_ino)
			return;
		struct timespec pause = { .tv_sec = 0, .tv_nsec = 5 * 1000 * 1000 };
		nanosleep(&pause, NULL);
	}
}

static int create(const char *name, const char *path, const struct new_opts *o, int *fd)
{
	char value[32];
	struct stat st;
	mode_t mode = o->have_mode ? o->mode : (0666 & ~current_umask());
	const char *lifetime = o->transient ? "transient" : "persistent";
	int f = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC | O_NOCTTY, 0600);

	if (f < 0) {
		int err = errno;

		if (err == EEXIST && o->or_open)
			return CREATE_EXISTS;
		if (err == EEXIST && stat(path, &st) == 0 && !S_ISREG(st.st_mode))
			return report_fail(name, "exists and is not a segment (%s)",
					   S_ISDIR(st.st_mode) ? "a directory" : "not a regular file");
		if (err == EEXIST)
			return report_fail(name, "segment already exists (use --or-open to use it as it is)");
		if (err == ENOENT)
			return report_fail(name, "no such directory for this name (create it with mkdir)");
		if (err == ENOSPC)
			return report_fail(name, "no room for another segment in the mmfs pool");
		return report_errno(name, err);
	}
	if (o->size == UINT64_MAX)
		snprintf(value, sizeof value, "unlimited");
	else
		snprintf(value, sizeof value, "%" PRIu64, o->size);
	if (fsetxattr(f, SEGINFO_CAPACITY_XATTR, value, strlen(value), 0) != 0)
		return undo_create(name, path, f, "capacity", errno);
	/* Persistent said explicitly too: on a mount whose default is transient (-o lifetime=transient), a
	 * segment made by mmf alone would go as mmf closes it, and mmf new would have made nothing. */
	if (fsetxattr(f, SEGINFO_LIFETIME_XATTR, lifetime, strlen(lifetime), 0) != 0)
		return undo_create(name, path, f, "lifetime", errno);
	if (fchmod(f, mode) != 0)
		return undo_create(name, path, f, "mode", errno);
	*fd = f;
	return 0;
}

static int exists(const char *name, const char *path)
{
	struct seginfo info;
	int rc = seginfo_get(path, &info);

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
	char path[PATH_MAX];
	struct args a;
	const char *name;
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
	rc = ctx_segment_path(ctx, name, path, sizeof path);
	if (rc != 0)
		goto out;
	rc = create(name, path, &o, &fd);
	if (rc == CREATE_EXISTS) {
		/* Used as it is, like CreateOrOpen: its capacity and lifetime stay what they are. Only a
		 * COMMAND needs it held open; otherwise it need only be a segment. */
		rc = a.command != NULL ? segfile_open(name, path, O_RDONLY, true, &fd) : exists(name, path);
	}
	if (rc != 0)
		goto out;
	if (a.command != NULL)
		rc = run_command(a.command);
	if (fd >= 0) {
		struct stat held;
		/* Only a transient segment can go at this close: what --or-open found may be persistent
		 * (whatever --transient said), and one found transient goes too. */
		bool check_gone = seginfo_transient(fd) && fstat(fd, &held) == 0;
		close(fd);
		if (check_gone)
			wait_reclaimed(path, &held);
	}
out:
	args_free(&a);
	return rc;
}
