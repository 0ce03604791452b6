/* bdi.h - the mount's backing-device dirty limits, which decide how fast stores through a mapping go. */
#ifndef MMFS_BDI_H
#define MMFS_BDI_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/*
 * Finds the device number of the FUSE mount at mountpoint from /proc/self/mountinfo (never touching the
 * mount itself, which would wait for this very daemon) and writes "MAJ:MIN" to buf. Returns 0 or -errno.
 */
int bdi_find(const char *mountpoint, char *buf, unsigned buflen);

/* bdi_find as a device number. Returns 0, or -errno (-EINVAL for a line it cannot read). */
int bdi_find_dev(const char *mountpoint, dev_t *dev);

/* True when some mount of type fuse.mmfs is already at mountpoint. */
bool bdi_mounted_here(const char *mountpoint);

/* Detaches the mount at mountpoint lazily (a dead one, whose daemon is gone, or ours at a stop):
 * umount2(MNT_DETACH) as root, otherwise `fusermount3 -u -z`. Returns 0, or -errno when an mmfs mount is
 * still there. */
int bdi_detach(const char *mountpoint);

/* Writes the path of the mount's abort file in fusectl to path (named after the mount's device number,
 * major 0: the minor; as root it mounts fusectl when nothing has). Writing to it ends the FUSE connection, as
 * the death of its daemon would; its owner is the mounting user. Returns 0 or -errno (not writable here). */
int bdi_abort_path(const char *mountpoint, char *path, size_t len);

/*
 * Lifts the kernel's FUSE default (max_ratio 1%, strict_limit) for the mount's BDI so that dirty pages of a
 * shared mapping are limited like any other file's. Needs root; returns 0 or -errno (nothing changed).
 */
int bdi_relax(const char *devname);

#endif
