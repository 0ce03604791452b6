/* fs_watchdog.h - ends the mount's FUSE connection when the daemon's main thread dies. */
#ifndef MMFS_FS_WATCHDOG_H
#define MMFS_FS_WATCHDOG_H

/*
 * Forks a small process that aborts the FUSE connection of the mount at mountpoint (through
 * /sys/fs/fuse/connections/N/abort) as soon as the calling thread exits, whatever ends it. Call from the
 * thread that serves requests, while the process has no other thread, after mounting. As root it mounts
 * fusectl there if nothing has. Returns 0, or -errno when it cannot watch (no fusectl for a user): the
 * mount then works as before.
 */
int fs_watchdog_start(const char *mountpoint, int fuse_fd);

#endif
