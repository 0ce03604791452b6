/* fs_watchdog.c - ends the mount's FUSE connection when the daemon's main thread dies.
 *
 * Why: the notifier thread (fs_notify.c) tells the kernel about names the store removed by itself. The
 * kernel takes the parent directory's lock for that, and a client creating in that directory holds the same
 * lock while it waits for our answer. Normally the main thread answers and both go on. If the daemon is
 * killed (SIGKILL) at that moment, the main thread is gone but the notifier waits for the lock forever, in
 * an uninterruptible sleep: the process never finishes dying, so its /dev/fuse descriptor is never closed,
 * the kernel never aborts the connection, the clients hang and a restart finds the backing directory still
 * locked. Aborting the connection fails the client's request, which frees the lock, which lets everything
 * finish dying. The watchdog is told of the main thread's death by PR_SET_PDEATHSIG, which follows the
 * parent thread, not the whole process (a process's other threads would keep it from being reported). */
#include "fs_watchdog.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "bdi.h"
#include "daemon.h"

/* Keeps nothing of the daemon's open: a copy of the /dev/fuse descriptor would keep the connection alive,
 * and one of the backing directory would keep its lock. One call, where a loop would make up to the fd
 * limit's worth of system calls (raise_fd_limit lifts it to the hard limit) at every mount. */
static void close_inherited(int fuse_fd)
{
	if (close_range(3, ~0u, 0) == 0)
		return;
	/* Kernels before 5.9 have no close_range. */
	close(fuse_fd);
	int maxfd = (int)sysconf(_SC_OPEN_MAX);
	for (int fd = 3; fd < maxfd && fd < 65536; fd++)
		close(fd);
}

static void watch(const char *path, pid_t parent, int fuse_fd)
{
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	sigprocmask(SIG_BLOCK, &set, NULL);
	if (prctl(PR_SET_PDEATHSIG, SIGUSR1) != 0 || getppid() != parent)
		_exit(0); /* the main thread is already gone: nothing to watch over */
	/* So that ps and pgrep tell it from the daemon, whose arguments it shares. */
	prctl(PR_SET_NAME, "mmfs-watchdog");
	close_inherited(fuse_fd);
	/* Nor the terminal or pipes the daemon was started with (it is forked before the daemon lets go of them,
	 * daemon.c): a caller reading mmfs's output to its end, out=$(mmfs ...), would wait for the watchdog. It
	 * prints nothing. */
	daemon_drop_stdio();
	/* Opened now, not at the end: the number of a connection that ended is given to the next FUSE mount,
	 * often the very next one when mmfs is restarted. An open control file stays with its connection: once
	 * that is gone, the write fails (ENOTCONN) and touches no other mount. */
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		_exit(0);
	int sig;
	while (sigwait(&set, &sig) != 0)
		;
	if (write(fd, "1", 1) != 1) {
		/* A clean exit: the connection ended before the main thread did. */
	}
	_exit(0);
}

int fs_watchdog_start(const char *mountpoint, int fuse_fd)
{
	char path[96];
	int err = bdi_abort_path(mountpoint, path, sizeof(path));
	if (err != 0)
		return err;
	pid_t parent = getpid();
	pid_t pid = fork();
	if (pid < 0)
		return -errno;
	if (pid == 0)
		watch(path, parent, fuse_fd);
	return 0;
}
