/* daemon.h - going to the background without losing the exit status: the command returns once the mount
 * answers, or fails with the daemon's own status when the daemon ends before. */
#ifndef MMFS_DAEMON_H
#define MMFS_DAEMON_H

/*
 * Forks. The parent never returns: it waits until the child calls daemon_ready (exit 0) or ends (the
 * child's status, and at least 1). The child starts a session of its own, goes to "/" and returns 0,
 * keeping standard error, so that what goes wrong before it is ready still reaches the user's terminal.
 * Returns -errno when it cannot fork.
 */
int daemon_detach(void);

/* In the child of daemon_detach: lets the parent exit 0 and points standard input, output and error at
 * /dev/null. Does nothing after the first call, or without daemon_detach (-f). */
void daemon_ready(void);

/* Points standard input, output and error at /dev/null: a background process holds nothing of its caller's. */
void daemon_drop_stdio(void);

#endif
