/* seginfo.h - what mmf shows about a segment (stat plus the user.mmf.* attributes) and how. */
#ifndef MMF_SEGINFO_H
#define MMF_SEGINFO_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/stat.h>

#define SEGINFO_CAPACITY_XATTR "user.mmf.capacity"
#define SEGINFO_LIFETIME_XATTR "user.mmf.lifetime"

struct seginfo {
	struct stat st;
	char capacity[32];   /* decimal bytes, "unlimited", or "-" when unknown */
	char lifetime[32];   /* "persistent", "transient", or "-" when unknown */
};

struct mmf_ctx;

/* Fills info for the segment name, found as ctx_open finds it (symbolic links followed only inside the
 * mount) but without opening it. Returns 0, -EISDIR for a directory, -EINVAL for anything else that is no
 * regular file, or the negative errno of ctx_open. */
int seginfo_get(struct mmf_ctx *ctx, const char *name, struct seginfo *info);

/* Fills info for the regular file name in the directory open at dirfd, whose lstat is st, without opening
 * it (the last close of a transient segment would reclaim it) and without its whole path, which may be
 * longer than PATH_MAX: the attributes are read through /proc/self/fd/DIRFD/NAME, as mmf already needs
 * /proc to find its mount. */
void seginfo_at(int dirfd, const char *name, const struct stat *st, struct seginfo *info);

/* The capacity of the open segment fd in bytes; UINT64_MAX when unlimited or unreadable (nothing to check
 * against then: the write itself still fails with EFBIG). */
uint64_t seginfo_capacity(int fd);

/* Whether the open segment fd is transient (user.mmf.lifetime reads "transient"). */
bool seginfo_transient(int fd);

/* Prints the "key: value" block of mmf info. */
void seginfo_print(FILE *out, const char *name, const struct seginfo *info);

/* Writes the owner's user name (or uid) into buf. Returns buf. */
const char *seginfo_owner(uid_t uid, char *buf, size_t buflen);

#endif
