/* verbs_seg.c - mmf open, info and rm: whether a segment is there, what it is, and taking it away. */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "args.h"
#include "mmf.h"
#include "report.h"
#include "seginfo.h"

/* open and info both print what is known of one segment; open exists for the PowerShell verb. */
static int show(struct mmf_ctx *ctx, int argc, char **argv, const char *verb)
{
	const struct args_spec spec = { .verb = verb, .shortopts = "", .command = ARGS_NO_COMMAND };
	char path[PATH_MAX];
	struct seginfo info;
	struct args a;
	int rc = ctx_args(ctx, argc, argv, &spec, &a);

	if (rc >= 0)
		goto out;
	if (a.noperands != 1) {
		rc = report_usage(verb, a.noperands == 0 ? "missing NAME" : "one NAME only");
		goto out;
	}
	rc = ctx_segment_path(ctx, a.operands[0], path, sizeof path);
	if (rc != 0)
		goto out;
	rc = seginfo_get(path, &info);
	if (rc == -EINVAL) {
		rc = report_fail(a.operands[0], "not a segment (not a regular file)");
		goto out;
	}
	if (rc != 0) {
		rc = report_errno(a.operands[0], -rc);
		goto out;
	}
	seginfo_print(stdout, a.operands[0], &info);
out:
	args_free(&a);
	return rc;
}

int verb_open(struct mmf_ctx *ctx, int argc, char **argv)
{
	return show(ctx, argc, argv, "open");
}

int verb_info(struct mmf_ctx *ctx, int argc, char **argv)
{
	return show(ctx, argc, argv, "info");
}

/* Writes the directory part of path (which has a '/' past its first byte, being MOUNT/NAME) to dir. */
static void parent_of(const char *path, char *dir, size_t dirlen)
{
	size_t len = strlen(path);

	while (len > 1 && path[len - 1] == '/')
		len--;
	while (len > 1 && path[len - 1] != '/')
		len--;
	snprintf(dir, dirlen, "%.*s", (int)len, path);
}

/*
 * Says why unlink(path) would fail, as a positive errno, or 0: the name must be there and be no directory,
 * and its directory writable (for the sticky one, the file or directory ours, as the kernel checks).
 * The kernel has the last word; this is so that a missing or protected name stops rm before it begins.
 */
static int unremovable(const char *path)
{
	char dir[PATH_MAX];
	struct stat st;
	struct stat dst;

	if (lstat(path, &st) != 0)
		return errno;
	if (S_ISDIR(st.st_mode))
		return EISDIR;
	parent_of(path, dir, sizeof dir);
	if (stat(dir, &dst) != 0)
		return errno;
	if (faccessat(AT_FDCWD, dir, W_OK | X_OK, AT_EACCESS) != 0)
		return errno;
	if ((dst.st_mode & S_ISVTX) && geteuid() != 0 && st.st_uid != geteuid() && dst.st_uid != geteuid())
		return EPERM;
	return 0;
}

/* Whether paths a and b (each MOUNT/NAME) are one directory entry: the same name in the same directory,
 * however spelled (R and ./R). Two hard links are two entries. Called once rm has checked every name: none
 * names a directory, so none ends in '/', "." or "..", and the last component is the entry's name. */
static bool same_entry(const char *a, const char *b)
{
	char dir_a[PATH_MAX];
	char dir_b[PATH_MAX];
	struct stat st_a;
	struct stat st_b;

	if (strcmp(strrchr(a, '/'), strrchr(b, '/')) != 0)
		return false;
	parent_of(a, dir_a, sizeof dir_a);
	parent_of(b, dir_b, sizeof dir_b);
	return stat(dir_a, &st_a) == 0 && stat(dir_b, &st_b) == 0 && st_a.st_dev == st_b.st_dev &&
	       st_a.st_ino == st_b.st_ino;
}

/* Whether operand i names the same entry as an earlier one: rm takes it away once, as asked. */
static bool named_before(struct mmf_ctx *ctx, const struct args *a, int i)
{
	char path[PATH_MAX];
	char earlier[PATH_MAX];

	ctx_segment_path(ctx, a->operands[i], path, sizeof path);
	for (int j = 0; j < i; j++) {
		ctx_segment_path(ctx, a->operands[j], earlier, sizeof earlier);
		if (same_entry(path, earlier))
			return true;
	}
	return false;
}

int verb_rm(struct mmf_ctx *ctx, int argc, char **argv)
{
	const struct args_spec spec = { .verb = "rm", .shortopts = "", .command = ARGS_NO_COMMAND };
	char path[PATH_MAX];
	struct args a;
	int rc = ctx_args(ctx, argc, argv, &spec, &a);

	if (rc >= 0)
		goto out;
	if (a.noperands == 0) {
		rc = report_usage("rm", "missing NAME");
		goto out;
	}
	/* Check every name before removing any, so a wrong command line removes nothing: first that each
	 * is a good name, then that each can go, reporting every one that cannot. */
	for (int i = 0; i < a.noperands; i++) {
		rc = ctx_segment_path(ctx, a.operands[i], path, sizeof path);
		if (rc != 0)
			goto out;
	}
	for (int i = 0; i < a.noperands; i++) {
		int err;

		ctx_segment_path(ctx, a.operands[i], path, sizeof path);
		err = unremovable(path);
		if (err != 0)
			rc = report_errno(a.operands[i], err);
	}
	if (rc != 0)
		goto out;
	for (int i = 0; i < a.noperands; i++) {
		if (named_before(ctx, &a, i))
			continue;
		ctx_segment_path(ctx, a.operands[i], path, sizeof path);
		if (unlink(path) != 0)
			rc = report_errno(a.operands[i], errno);
	}
out:
	args_free(&a);
	return rc;
}
