/* ctx.c - a verb's command line into the context, and a segment NAME into a file opened beneath the mount. */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "args.h"
#include "mmf.h"
#include "mount.h"
#include "name.h"
#include "report.h"

int ctx_mount(struct mmf_ctx *ctx)
{
	if (ctx->root >= 0 || ctx->mount[0] != '\0')
		return 0;
	return mount_find(ctx->mount_opt, ctx->mount, sizeof ctx->mount, &ctx->root, &ctx->dev);
}

/* ctx_name, or ctx_dir_name when dir is true. */
static int check_name(struct mmf_ctx *ctx, const char *name, bool dir)
{
	const char *problem = name_problem(name);
	size_t len = strlen(name);

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
	return ctx_mount(ctx);
}

int ctx_name(struct mmf_ctx *ctx, const char *name)
{
	return check_name(ctx, name, false);
}

int ctx_dir_name(struct mmf_ctx *ctx, const char *name)
{
	return check_name(ctx, name, true);
}

int ctx_open(struct mmf_ctx *ctx, const char *name, int flags, mode_t mode)
{
	struct stat st;
	int fd;

	if (ctx->root < 0) {
		ctx->root = mount_reopen(ctx->mount, ctx->dev);
		if (ctx->root < 0) {
			int err = ctx->root;

			ctx->root = -1;
			return err;
		}
	}
	fd = name_open(ctx->root, name, flags, mode);
	if (fd < 0)
		return fd;
	if (fstat(fd, &st) != 0) {
		int err = errno;

		close(fd);
		return -err;
	}
	/* Beneath the root is not always on the mount: another file system may be mounted inside it. name_open
	 * refuses to cross into one already; this second guard holds whatever name_open does. */
	if (st.st_dev != ctx->dev) {
		close(fd);
		return -MMF_EOTHERFS;
	}
	return fd;
}

int ctx_parent(struct mmf_ctx *ctx, const char *name, char *base, size_t baselen)
{
	char dir[PATH_MAX];
	const char *slash = strrchr(name, '/');
	const char *last = slash != NULL ? slash + 1 : name;

	if (strcmp(last, ".") == 0 || strcmp(last, "..") == 0)
		return -EISDIR;
	if (strlen(last) >= baselen)
		return -ENAMETOOLONG;
	if (slash == NULL)
		snprintf(dir, sizeof dir, ".");
	else if (snprintf(dir, sizeof dir, "%.*s", (int)(slash - name), name) >= (int)sizeof dir)
		return -ENAMETOOLONG;
	memcpy(base, last, strlen(last) + 1);
	return ctx_open(ctx, dir, O_PATH | O_DIRECTORY, 0);
}

void ctx_close_root(struct mmf_ctx *ctx)
{
	if (ctx->root >= 0)
		close(ctx->root);
	ctx->root = -1;
}

int ctx_alive(struct mmf_ctx *ctx)
{
	int fd = mount_reopen(ctx->mount, ctx->dev);

	if (fd < 0)
		return fd;
	close(fd);
	return 0;
}

int ctx_args(struct mmf_ctx *ctx, int argc, char **argv, const struct args_spec *spec, struct args *a)
{
	int rc = args_parse(argc, argv, spec, a);

	ctx->verb = spec->verb;
	if (rc < 0 && a->mount != NULL)
		ctx->mount_opt = a->mount;
	return rc;
}
