/* bdi.h - the mount's backing-device dirty limits, which decide how fast stores through a mapping go. */
#ifndef MMFS_BDI_H
#define MMFS_BDI_H

#include <stdbool.h>

/*
 * Finds the device number of the FUSE mount at mountpoint from /proc/self/mountinfo (never touching the
 * mount itself, which would wait for this very daemon) and writes "MAJ:MIN" to buf. Returns 0 or -errno.
 */
int bdi_find(const char *mountpoint, char *buf, unsigned buflen);

/* True when some mount of type fuse.mmfs is already at mountpoint. */
bool bdi_mounted_here(const char *mountpoint);

/* Detaches the dead mount at mountpoint (its daemon is gone): umount2(MNT_DETACH) as root, otherwise
 * `fusermount3 -u -z`. Returns 0, or -errno when the mount is still there. */
int bdi_detach_dead(const char *mountpoint);

/*
 * Lifts the kernel's FUSE default (max_ratio 1%, strict_limit) for the mount's BDI so that dirty pages of a
 * shared mapping are limited like any other file's. Needs root; returns 0 or -errno (nothing changed).
 */
int bdi_relax(const char *devname);

#endif
