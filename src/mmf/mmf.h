/* mmf.h - what every verb of the mmf command shares: exit codes, the context and the verb entry points. */
#ifndef MMF_MMF_H
#define MMF_MMF_H

#include <limits.h>
#include <stddef.h>

/* Exit statuses: 0 success, 1 failure (one "mmf: NAME: reason" line), 2 wrong usage, 124 wait timed out. */
#define MMF_EXIT_OK 0
#define MMF_EXIT_FAIL 1
#define MMF_EXIT_USAGE 2
#define MMF_EXIT_TIMEOUT 124

/* What main hands every verb: the --mount given before the verb, and room for the checked mount path. */
struct mmf_ctx {
	const char *verb;        /* the verb, for usage messages; set by ctx_args */
	const char *mount_opt;   /* --mount DIR given before or after the verb, NULL when none */
	char mount[PATH_MAX];    /* the canonical path of the mount, filled by ctx_segment_path */
};

/*
 * Checks NAME (relative, not leaving the mount, not ending in '/'), then finds and checks the mount, then
 * writes the segment's path into path. Reports any problem itself. Returns 0, or the exit status to end with:
 * MMF_EXIT_USAGE for a bad name, MMF_EXIT_FAIL for a missing mount or a path too long.
 * ctx_args must have run first (it names the verb).
 */
int ctx_segment_path(struct mmf_ctx *ctx, const char *name, char *path, size_t pathlen);
/* As ctx_segment_path, for a directory NAME (mmf ls DIR): a NAME that ends in '/' is fine there, while
 * ctx_segment_path refuses it (usage), since it cannot name a segment. */
int ctx_dir_path(struct mmf_ctx *ctx, const char *name, char *path, size_t pathlen);

struct args_spec;
struct args;
/* args_parse for a verb, taking a --mount DIR given after the verb into ctx. Returns as args_parse. */
int ctx_args(struct mmf_ctx *ctx, int argc, char **argv, const struct args_spec *spec, struct args *a);

/* Each verb takes its own argv (argv[0] is the verb's name) and returns the exit status. */
int verb_new(struct mmf_ctx *ctx, int argc, char **argv);
int verb_open(struct mmf_ctx *ctx, int argc, char **argv);
int verb_info(struct mmf_ctx *ctx, int argc, char **argv);
int verb_rm(struct mmf_ctx *ctx, int argc, char **argv);
int verb_write(struct mmf_ctx *ctx, int argc, char **argv);
int verb_read(struct mmf_ctx *ctx, int argc, char **argv);
int verb_save(struct mmf_ctx *ctx, int argc, char **argv);
int verb_lock(struct mmf_ctx *ctx, int argc, char **argv);
int verb_ls(struct mmf_ctx *ctx, int argc, char **argv);
int verb_wait(struct mmf_ctx *ctx, int argc, char **argv);

#endif
