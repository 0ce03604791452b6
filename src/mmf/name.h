/* name.h - segment names: paths relative to the mount that must not leave it. */
#ifndef MMF_NAME_H
#define MMF_NAME_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/* Returns NULL when name is acceptable, or why it is not (empty, absolute, ".." leaving the mount). */
const char *name_problem(const char *name);

/*
 * Opens name (relative) beneath the directory open at root (an O_PATH descriptor of the mount's root) with
 * flags and mode as openat(2) takes them, resolving it so that it never leaves root: with openat2(2) and
 * RESOLVE_BENEATH | RESOLVE_NO_XDEV | RESOLVE_NO_MAGICLINKS, a symbolic link that stays inside is followed,
 * while one that leads out (or is absolute) fails with EXDEV. A name that crosses into another file system
 * mounted inside the mount fails with MMF_EOTHERFS before anything on it is opened, with or without
 * openat2 (only O_PATH, which opens nothing, to tell it from a link out). Where openat2 cannot be used (ENOSYS: before Linux 5.6;
 * EPERM: refused by a seccomp filter; found once, see name_no_openat2), "." and ".." are resolved in the
 * name first and every component is then opened with O_NOFOLLOW, so that any symbolic link in the name
 * fails with ELOOP (name_links_refused is then true). O_CLOEXEC is added. Returns the descriptor, or a
 * negative errno.
 */
int name_open(int root, const char *name, int flags, mode_t mode);

/* True once name_open has had to refuse symbolic links altogether (no openat2): ELOOP means that then. */
extern bool name_links_refused;
/* Why name_open does without openat2: ENOSYS (the kernel has none) or EPERM (not permitted here); 0 while
 * it uses openat2 or has not yet found out. */
extern int name_no_openat2;

#endif
