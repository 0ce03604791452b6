/* mmf.h - what every verb of the mmf command shares: exit codes, the context and the verb entry points. */
#ifndef MMF_MMF_H
#define MMF_MMF_H

#include <limits.h>
#include <stddef.h>
#include <sys/types.h>

/* Exit statuses: 0 success, 1 failure (one "mmf: NAME: reason" line), 2 wrong usage, 124 wait timed out. */
#define MMF_EXIT_OK 0
#define MMF_EXIT_FAIL 1
#define MMF_EXIT_USAGE 2
#define MMF_EXIT_TIMEOUT 124

/* A reason of mmf's own beside the errno numbers (all below 4096 on Linux), for report_reason: what a name
 * led to is on another file system mounted inside the mount, not a segment of it. */
#define MMF_EOTHERFS 4096

/* What main hands every verb: the --mount given before the verb, and the mount once found. */
struct mmf_ctx {
	const char *verb;        /* the verb, for usage messages; set by ctx_args */
	const char *mount_opt;   /* --mount DIR given before or after the verb, NULL when none */
	char mount[PATH_MAX];    /* the canonical path of the mount, filled by ctx_name */
	int root;                /* O_PATH descriptor of the mount's root, -1 until found or once closed */
	dev_t dev;               /* the mount's device: whatever a name opens must be on it */
};

/*
 * Checks NAME (relative, not leaving the mount, not ending in '/'), then finds and checks the mount.
 * Reports any problem itself. Returns 0, or the exit status to end with: MMF_EXIT_USAGE for a bad name,
 * MMF_EXIT_FAIL for a missing mount. ctx_args must have run first (it names the verb).
 */
int ctx_name(struct mmf_ctx *ctx, const char *name);
/* As ctx_name, for a directory NAME (mmf ls DIR): a NAME that ends in '/' is fine there, while ctx_name
 * refuses it (usage), since it cannot name a segment. */
int ctx_dir_name(struct mmf_ctx *ctx, const char *name);
/* Finds and checks the mount alone (mmf ls without DIR). Returns 0 or MMF_EXIT_FAIL after reporting. */
int ctx_mount(struct mmf_ctx *ctx);

/*
 * The one way mmf turns a checked NAME into an open file: opens it beneath the mount's root (name_open:
 * a symbolic link that leads out of the mount fails with EXDEV), with flags and mode as for openat(2), and
 * makes sure that what it opened is on the mount (else MMF_EOTHERFS). Reopens the root if ctx_close_root
 * closed it (-ENOTCONN, -ENODEV when the mount has died or gone since). Returns the descriptor (close-on-
 * exec) or a negative errno; reports nothing.
 */
int ctx_open(struct mmf_ctx *ctx, const char *name, int flags, mode_t mode);
/*
 * Opens the directory that holds NAME's last component as ctx_open does (O_PATH) and writes that component
 * to base, for what works on the directory entry itself: creating, removing. A last component "." or ".."
 * names a directory: -EISDIR. Returns the descriptor or a negative errno; reports nothing.
 */
int ctx_parent(struct mmf_ctx *ctx, const char *name, char *base, size_t baselen);
/* Lets go of the mount's root, so that mmf holds nothing on the mount while it only waits (an O_PATH
 * descriptor would make 'fusermount3 -u' fail with EBUSY). */
void ctx_close_root(struct mmf_ctx *ctx);
/* Whether the mount found is still there and its daemon alive: 0, -ENOTCONN or -ENODEV. */
int ctx_alive(struct mmf_ctx *ctx);

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
