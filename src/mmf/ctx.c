/* ctx.c - a verb's command line into the context, and a segment NAME into its path under the checked mount. */
#include <errno.h>
#include <stdbool.h>
#include <string.h>

#include "args.h"
#include "mmf.h"
#include "mount.h"
#include "name.h"
#include "report.h"

/* ctx_segment_path, or ctx_dir_path when dir is true. */
static int name_to_path(struct mmf_ctx *ctx, const char *name, bool dir, char *path, size_t pathlen)
{
	const char *problem = name_problem(name);
	size_t len = strlen(name);
	int rc;

	/* The name first: a wrong command line is wrong whatever is mounted. An empty one has nothing to
	 * show in "mmf: NAME: reason", so it is said as the verb's usage error. */
	if (*name == '\0')
		return report_usage(ctx->verb, "empty name: give a segment's path relative to the mount");
	if (problem != NULL) {
		report_fail(name, "%s", problem);
		return MMF_EXIT_USAGE;
	}
	/* "x/" can only name a directory: say so, instead of what opening it would say ("is a directory"
	 * for a name that is not there at all, or "not a directory" for a segment). */
	if (!dir && name[len - 1] == '/') {
		report_fail(name, "a segment name cannot end in '/'");
		return MMF_EXIT_USAGE;
	}
	if (ctx->mount[0] == '\0') {
		rc = mount_find(ctx->mount_opt, ctx->mount, sizeof ctx->mount);
		if (rc != 0)
			return rc;
	}
	if (name_path(ctx->mount, name, path, pathlen) != 0)
		return report_errno(name, ENAMETOOLONG);
	return 0;
}

int ctx_segment_path(struct mmf_ctx *ctx, const char *name, char *path, size_t pathlen)
{
	return name_to_path(ctx, name, false, path, pathlen);
}

int ctx_dir_path(struct mmf_ctx *ctx, const char *name, char *path, size_t pathlen)
{
	return name_to_path(ctx, name, true, path, pathlen);
}

int ctx_args(struct mmf_ctx *ctx, int argc, char **argv, const struct args_spec *spec, struct args *a)
{
	int rc = args_parse(argc, argv, spec, a);

	ctx->verb = spec->verb;
	if (rc < 0 && a->mount != NULL)
		ctx->mount_opt = a->mount;
	return rc;
}
