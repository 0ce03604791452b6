/* segfile.h - opening a segment by name with the checks and messages every verb wants. */
#ifndef MMF_SEGFILE_H
#define MMF_SEGFILE_H

#include <stdbool.h>

struct mmf_ctx;

/*
 * Opens the existing segment name beneath the mount (ctx_open, so never through a symbolic link that leads
 * out of it) with flags (O_CLOEXEC is added, O_CREAT must not be given) and makes sure it is a regular
 * file. With any_access, a read-only open refused for permission falls back to a write-only one (for
 * holding or locking, where either will do). Reports failures as "mmf: NAME: reason". Returns 0 and sets
 * *fd, or MMF_EXIT_FAIL.
 */
int segfile_open(struct mmf_ctx *ctx, const char *name, int flags, bool any_access, int *fd);

#endif
