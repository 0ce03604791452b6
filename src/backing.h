/* backing.h - where backing files live: the default directory for a mountpoint, and opening it safely. */
#ifndef MMFS_BACKING_H
#define MMFS_BACKING_H

#include <stddef.h>
#include <sys/types.h>

/* Directory under which default backing directories are made. */
#define BACKING_DEFAULT_PARENT "/dev/shm"

/*
 * Writes the default backing directory of an absolute mountpoint for uid into buf:
 * /dev/shm/mmfs-UID-ESCAPED, where ESCAPED is the mountpoint without its leading '/', each '/' as '-' and
 * each byte outside [A-Za-z0-9._] as %XX. Returns 0, or -EINVAL (not absolute) / -ENAMETOOLONG.
 */
int backing_default_path(const char *mountpoint, uid_t uid, char *buf, size_t buflen);

/*
 * Opens the backing directory, creating it with mode 0700 when missing (its parent must exist).
 * Refuses a symlink (-ELOOP), a non-directory (-ENOTDIR), a directory owned by another user or open to
 * group or others (-EPERM): such a directory may have been planted by someone else.
 * Returns an O_DIRECTORY file descriptor or a negative errno; *why (if not NULL) gets a short reason.
 */
int backing_open_dir(const char *path, const char **why);

#endif
