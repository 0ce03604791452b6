/* mount.h - finding the mmfs mount to use and making sure an mmfs is mounted there. */
#ifndef MMF_MOUNT_H
#define MMF_MOUNT_H

#include <stddef.h>

/*
 * Picks the mount directory: opt_dir (--mount) if not NULL, else $MMF_MOUNT if set and not empty, else
 * /mnt/mmf. Checks that an mmfs (fstype fuse.mmfs) is mounted exactly there and writes its canonical
 * path to out. Returns 0, or MMF_EXIT_FAIL after reporting why it cannot be used.
 */
int mount_find(const char *opt_dir, char *out, size_t outlen);

#endif
