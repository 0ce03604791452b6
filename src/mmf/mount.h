/* mount.h - finding the mmfs mount to use and making sure an mmfs is mounted there. */
#ifndef MMF_MOUNT_H
#define MMF_MOUNT_H

#include <stddef.h>
#include <sys/types.h>

/*
 * Picks the mount directory: opt_dir (--mount) if not NULL, else $MMF_MOUNT if set and not empty, else
 * /mnt/mmf. Checks that an mmfs (fstype fuse.mmfs) is mounted exactly there, writes its canonical path to
 * out, and sets *root to an O_PATH descriptor of its root (every name is opened beneath it) and *dev to
 * its device. Returns 0, or MMF_EXIT_FAIL after reporting why it cannot be used.
 */
int mount_find(const char *opt_dir, char *out, size_t outlen, int *root, dev_t *dev);

/* Opens the root of the mount that mount_find found at dir (with device dev) again. Returns its O_PATH
 * descriptor, -ENOTCONN when its daemon has gone, -ENODEV when it is no longer mounted there, or another
 * negative errno (EACCES, EMFILE...) that says nothing of whether it is. */
int mount_reopen(const char *dir, dev_t dev);

#endif
