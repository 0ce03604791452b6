/* fs_stop.h - SIGTERM, SIGINT and SIGHUP: stop without losing what live mappings stored.
 *
 * The kernel writes a shared mapping's dirty pages back through the daemon. A daemon that ends its loop and
 * closes /dev/fuse while a process still maps a segment loses every store made since the last writeback, and
 * the mapping goes on taking stores that can never arrive. So the first signal makes mmfs do what
 * `umount -l` and a patient daemon would: write the dirty pages back (syncfs), detach the mount from its
 * mountpoint (nothing new can be opened), and go on serving what is still open or mapped until the kernel
 * ends the connection at its last close. A second signal ends the loop at once. */
#ifndef MMFS_FS_STOP_H
#define MMFS_FS_STOP_H

#include <stdbool.h>

struct fuse_session;

/* Sets the handlers of SIGTERM, SIGINT and SIGHUP (each one not ignored: a shell starts background jobs
 * with SIGINT ignored, and that choice stands) and ignores SIGPIPE. Until fs_stop_start, a signal ends the
 * loop at once, as libfuse's own handlers would. Returns 0 or -errno. */
int fs_stop_install(struct fuse_session *se);

/* Starts the thread that acts on the first signal, for the mount at mountpoint (absolute). Call after
 * going to the background (a fork keeps no thread) and before the loop. loop_drains: the loop reads through
 * fs_poll.c, which answers the requests already queued before it ends (fs_stop_draining); otherwise a
 * second signal ends it at once. Returns 0 or -errno; without the thread every signal ends the loop. */
int fs_stop_start(const char *mountpoint, bool loop_drains);

/* How many requests the kernel has given this mount's connection and not had answered, through /dev/fuse
 * or io-uring (fusectl's waiting), or -1 when fusectl cannot tell. */
int fs_stop_requests_waiting(void);

/* Whether a second signal asked the loop to end once nothing is left queued. */
bool fs_stop_draining(void);

/* A descriptor that turns readable, and stays so, once a signal asked the loop to end (at once or by
 * draining): the loop's poll watches it beside /dev/fuse. -1 before fs_stop_install. */
int fs_stop_latch_fd(void);

/* After the loop, before stopping the notifier thread: settles who unmounts (the caller, unless the first
 * signal's thread has taken that on), and in the thread's case ends the connection, which its detach left
 * to the last close (a second signal came first). */
void fs_stop_end_connection(void);

/* In place of fuse_session_unmount: unmounts unless the thread has detached the mount (a second unmount by
 * path could hit whatever is mounted there by then); frees libfuse's copy of the path either way when it can
 * without unmounting. */
void fs_stop_unmount(struct fuse_session *se);

/* Before fuse_session_destroy: the stop signals are blocked on this thread and nothing touches the session
 * any more. */
void fs_stop_quiet(void);

/* Ends the thread and closes what fs_stop kept. Call after fuse_session_destroy, which closes /dev/fuse: a
 * syncfs of the thread's still waiting for the loop then fails at once. */
void fs_stop_end(void);

#endif
