/* ctx.c - from a segment NAME on the command line to its path under the checked mount. */
#include <errno.h>

#include "mmf.h"
#include "mount.h"
#include "name.h"
#include "report.h"

int ctx_segment_path(struct mmf_ctx *ctx, const char *name, char *path, size_t pathlen)
{
	const char *problem = name_problem(name);
	int rc;

	/* The name first: a wrong command line is wrong whatever is mounted. */
	if (problem != NULL) {
		report_fail(name, "%s", problem);
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
