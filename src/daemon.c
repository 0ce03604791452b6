/* daemon.c - going to the background without losing the exit status.
 * libfuse's fuse_daemonize lets the command return 0 as soon as it has forked, before the daemon has started
 * its threads or answered the kernel's INIT, so a daemon that failed then left a user told "mounted" and a
 * dead mount. Here the command waits on a pipe for the daemon's word that the kernel took its INIT answer
 * (daemon_ready, from fs_poll.c's writer), and takes the daemon's status when the pipe closes without it. */
#include "daemon.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static int ready_fd = -1;

/* The waiting command keeps nothing of the daemon's open but the pipe: a copy of the /dev/fuse descriptor or
 * of the backing directory's lock would outlive a daemon that died. */
static void close_all_but(int keep)
{
	if (keep > 3)
		close_range(3, (unsigned)keep - 1, 0);
	close_range((unsigned)keep + 1, ~0u, 0);
}

static volatile pid_t daemon_pid;

static void pass_on(int sig)
{
	kill(daemon_pid, sig);
}

/* A stop signal to the waiting command (a Ctrl-C at the terminal, which the daemon, in a session of its own,
 * does not get) stops the daemon, which unmounts: the command then ends with it, as in the foreground. A
 * signal the command was started with ignored (nohup) stays ignored. */
static void pass_on_stop_signals(pid_t child)
{
	static const int stop_signals[] = { SIGINT, SIGTERM, SIGHUP };
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sigemptyset(&sa.sa_mask);
	sa.sa_handler = pass_on;
	daemon_pid = child;
	for (size_t i = 0; i < sizeof(stop_signals) / sizeof(stop_signals[0]); i++) {
		struct sigaction old;
		if (sigaction(stop_signals[i], NULL, &old) == 0 && old.sa_handler != SIG_IGN)
			sigaction(stop_signals[i], &sa, NULL);
	}
}

_Noreturn static void wait_for_daemon(pid_t child, int from_child)
{
	pass_on_stop_signals(child);
	close_all_but(from_child);
	char byte;
	ssize_t n;
	do
		n = read(from_child, &byte, 1);
	while (n < 0 && errno == EINTR);
	if (n == 1)
		_exit(0);
	int status = 0;
	while (waitpid(child, &status, 0) < 0 && errno == EINTR)
		;
	if (WIFEXITED(status) && WEXITSTATUS(status) != 0)
		_exit(WEXITSTATUS(status));
	if (WIFSIGNALED(status))
		fprintf(stderr, "mmfs: the daemon was killed by signal %d (%s) before the mount came up\n",
			WTERMSIG(status), strsignal(WTERMSIG(status)));
	else
		fprintf(stderr, "mmfs: the daemon ended before the mount came up\n");
	_exit(1);
}

int daemon_detach(void)
{
	int p[2];
	if (pipe2(p, O_CLOEXEC) != 0)
		return -errno;
	pid_t pid = fork();
	if (pid < 0) {
		int err = errno;
		close(p[0]);
		close(p[1]);
		return -err;
	}
	if (pid > 0) {
		close(p[1]);
		wait_for_daemon(pid, p[0]);
	}
	close(p[0]);
	ready_fd = p[1];
	/* Cannot fail: a child of fork leads no process group. */
	setsid();
	/* Keeps no directory of the caller's busy (an unmount of the file system it was started from). */
	if (chdir("/") != 0)
		return -errno;
	return 0;
}

void daemon_drop_stdio(void)
{
	int null = open("/dev/null", O_RDWR);
	if (null >= 0) {
		dup2(null, STDIN_FILENO);
		dup2(null, STDOUT_FILENO);
		dup2(null, STDERR_FILENO);
		if (null > STDERR_FILENO)
			close(null);
	}
}

void daemon_ready(void)
{
	int fd = __atomic_exchange_n(&ready_fd, -1, __ATOMIC_ACQ_REL);
	if (fd < 0)
		return;
	daemon_drop_stdio();
	/* A write that fails finds the command gone (SIGKILLed while it waited), which needs the word no more. */
	ssize_t told = write(fd, "", 1);
	(void)told;
	close(fd);
}
