/* verbs_seg.c - mmf open, info and rm: whether a segment is there, what it is, and taking it away. */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
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
	struct seginfo info;
	struct args a;
	int rc = ctx_args(ctx, argc, argv, &spec, &a);

	if (rc >= 0)
		goto out;
	if (a.noperands != 1) {
		rc = report_usage(verb, a.noperands == 0 ? "missing NAME" : "one NAME only");
		goto out;
	}
	rc = ctx_name(ctx, a.operands[0]);
	if (rc != 0)
		goto out;
	rc = seginfo_get(ctx, a.operands[0], &info);
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

/* One operand of rm: the directory that holds its entry, open, and the entry's name in it. */
struct rm_entry {
	int dir;
	char base[NAME_MAX + 1];
};

/*
 * Says why unlinkat(e->dir, e->base) would fail, as a positive errno, or 0: the name must be there and be
 * no directory, and its directory writable (for the sticky one, the file or directory ours, as the kernel
 * checks). The kernel has the last word; this is so that a missing or protected name stops rm before it
 * begins. The entry itself is never followed: rm of a symbolic link removes the link.
 */
static int unremovable(const struct rm_entry *e)
{
	struct stat st;
	struct stat dst;

	if (fstatat(e->dir, e->base, &st, AT_SYMLINK_NOFOLLOW) != 0)
		return errno;
	if (S_ISDIR(st.st_mode))
		return EISDIR;
	if (fstat(e->dir, &dst) != 0)
		return errno;
	if (faccessat(e->dir, ".", W_OK | X_OK, AT_EACCESS) != 0)
		return errno;
	if ((dst.st_mode & S_ISVTX) && geteuid() != 0 && st.st_uid != geteuid() && dst.st_uid != geteuid())
		return EPERM;
	return 0;
}

/* Whether entries a and b are one directory entry: the same name in the same directory, however spelled
 * (R and ./R). Two hard links are two entries. */
static bool same_entry(const struct rm_entry *a, const struct rm_entry *b)
{
	struct stat st_a;
	struct stat st_b;

	return strcmp(a->base, b->base) == 0 && fstat(a->dir, &st_a) == 0 && fstat(b->dir, &st_b) == 0 &&
	       st_a.st_dev == st_b.st_dev && st_a.st_ino == st_b.st_ino;
}

int verb_rm(struct mmf_ctx *ctx, int argc, char **argv)
{
	const struct args_spec spec = { .verb = "rm", .shortopts = "", .command = ARGS_NO_COMMAND };
	struct rm_entry *e = NULL;
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
		rc = ctx_name(ctx, a.operands[i]);
		if (rc != 0)
			goto out;
	}
	e = calloc((size_t)a.noperands, sizeof *e);
	if (e == NULL) {
		rc = report_errno("rm", ENOMEM);
		goto out;
	}
	for (int i = 0; i < a.noperands; i++) {
		/* The directory is opened beneath the mount, so a symbolic link on the way cannot lead the
		 * removal out of it. */
		int dir = ctx_parent(ctx, a.operands[i], e[i].base, sizeof e[i].base);
		int err = dir < 0 ? -dir : 0;

		e[i].dir = dir < 0 ? -1 : dir;
		if (err == 0)
			err = unremovable(&e[i]);
		if (err != 0)
			rc = report_errno(a.operands[i], err);
	}
	if (rc != 0)
		goto out;
	for (int i = 0; i < a.noperands; i++) {
		bool before = false;

		/* A name given twice is removed once, as asked. */
		for (int j = 0; j < i && !before; j++)
			before = same_entry(&e[i], &e[j]);
		if (!before && unlinkat(e[i].dir, e[i].base, 0) != 0)
			rc = report_errno(a.operands[i], errno);
	}
out:
	if (e != NULL) {
		for (int i = 0; i < a.noperands; i++)
			if (e[i].dir >= 0)
				close(e[i].dir);
		free(e);
	}
	args_free(&a);
	return rc;
}
