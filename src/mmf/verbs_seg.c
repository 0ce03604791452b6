/* verbs_seg.c - mmf open, info and rm: whether a segment is there, what it is, and taking it away. */
#include <errno.h>
#include <stdio.h>
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
	/* Check every name before removing any, so a wrong command line removes nothing. */
	for (int i = 0; i < a.noperands; i++) {
		rc = ctx_segment_path(ctx, a.operands[i], path, sizeof path);
		if (rc != 0)
			goto out;
	}
	for (int i = 0; i < a.noperands; i++) {
		ctx_segment_path(ctx, a.operands[i], path, sizeof path);
		if (unlink(path) != 0)
			rc = report_errno(a.operands[i], errno);
	}
out:
	args_free(&a);
	return rc;
}
