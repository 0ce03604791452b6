/* run.c - running a user's COMMAND while mmf holds something (a lock, a transient segment) for it. */
#include "run.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

static volatile pid_t run_child;

/* Passes SIGTERM and SIGHUP on, so COMMAND ends first and mmf lets go of what it holds after it. */
static void pass_on(int sig)
{
	if (run_child > 0)
		kill(run_child, sig);
}

/*
 * In the child, before exec: asks for SIGKILL when mmf dies, however it dies (SIGKILL included, which mmf
 * cannot pass on), so that COMMAND never runs on without what mmf holds for it: the lock, whose descriptor
 * stays with mmf alone, would be free while COMMAND still ran, and a transient segment could be reclaimed.
 * The kernel sends it when the thread that forked ends, and mmf has only its main thread, so it comes when
 * mmf exits. Forks of COMMAND do not inherit the request: what COMMAND leaves in the background lives on,
 * as it holds nothing of mmf's. (The kernel drops it for a set-user-ID or set-group-ID COMMAND.)
 * Returns 0, or a positive errno when the request could not be made. Does not return when mmf has
 * already died (the child has another parent then), as the signal would have ended it.
 */
static int die_with(pid_t parent)
{
	if (prctl(PR_SET_PDEATHSIG, SIGKILL) != 0)
		return errno;
	if (getppid() != parent)
		_exit(128 + SIGKILL);
	return 0;
}

int run_command(char *const argv[], bool *started)
{
	pid_t parent = getpid();
	struct sigaction ignore = { .sa_handler = SIG_IGN };
	struct sigaction forward = { .sa_handler = pass_on };
	struct sigaction old_int, old_quit, old_term, old_hup;
	sigset_t passed, old_mask;
	siginfo_t info;
	int status = 0;
	int exec_err = 0;
	int report[2];
	pid_t pid;

	if (started != NULL)
		*started = false;
	/* A close-on-exec pipe tells whether COMMAND started: a successful exec closes it with nothing
	 * written, a failed one writes its errno. Its exit status alone cannot tell, since COMMAND may
	 * exit 127 itself. */
	if (pipe2(report, O_CLOEXEC) != 0) {
		int err = errno;

		fprintf(stderr, "mmf: %s: cannot start: %s\n", argv[0], strerror(err));
		return 1;
	}
	sigemptyset(&ignore.sa_mask);
	sigemptyset(&forward.sa_mask);
	sigemptyset(&passed);
	sigaddset(&passed, SIGTERM);
	sigaddset(&passed, SIGHUP);
	fflush(NULL);
	/* SIGTERM and SIGHUP stay blocked until run_child names COMMAND: one that comes before is held
	 * pending, then passed on as they are unblocked, instead of reaching pass_on with no child to pass
	 * it to. The child unblocks them itself once its own dispositions are back. */
	sigprocmask(SIG_BLOCK, &passed, &old_mask);
	/* Like system(3): the terminal's SIGINT reaches COMMAND and mmf alike; mmf waits for COMMAND's end. */
	sigaction(SIGINT, &ignore, &old_int);
	sigaction(SIGQUIT, &ignore, &old_quit);
	sigaction(SIGTERM, &forward, &old_term);
	sigaction(SIGHUP, &forward, &old_hup);
	pid = fork();
	if (pid == 0) {
		int err;

		sigaction(SIGINT, &old_int, NULL);
		sigaction(SIGQUIT, &old_quit, NULL);
		sigaction(SIGTERM, &old_term, NULL);
		sigaction(SIGHUP, &old_hup, NULL);
		sigprocmask(SIG_SETMASK, &old_mask, NULL);
		close(report[0]);
		err = die_with(parent);
		if (err == 0) {
			execvp(argv[0], argv);
			err = errno;
		}
		if (write(report[1], &err, sizeof err) != (ssize_t)sizeof err) {
			/* Unheard, the parent takes COMMAND as started: it only keeps what it could have undone. */
		}
		if (err == ENOENT) {
			fprintf(stderr, "mmf: %s: command not found\n", argv[0]);
			_exit(127);
		}
		fprintf(stderr, "mmf: %s: %s\n", argv[0], strerror(err));
		_exit(126);
	}
	close(report[1]);
	if (pid < 0) {
		int err = errno;

		close(report[0]);
		fprintf(stderr, "mmf: %s: cannot start: %s\n", argv[0], strerror(err));
		status = 1;
		goto out;
	}
	run_child = pid;
	sigprocmask(SIG_SETMASK, &old_mask, NULL);
	while (read(report[0], &exec_err, sizeof exec_err) < 0 && errno == EINTR)
		;
	close(report[0]);
	if (started != NULL)
		*started = exec_err == 0;
	/* Waits for COMMAND's end without reaping it: until run_child is cleared, with the signals blocked
	 * again, its pid cannot be reused, so pass_on never signals another process. */
	while (waitid(P_PID, (id_t)pid, &info, WEXITED | WNOWAIT) < 0) {
		if (errno != EINTR)
			break;
	}
	sigprocmask(SIG_BLOCK, &passed, NULL);
	run_child = 0;
	while (waitpid(pid, &status, 0) < 0) {
		if (errno != EINTR) {
			status = 1;
			goto out;
		}
	}
	if (WIFEXITED(status))
		status = WEXITSTATUS(status);
	else if (WIFSIGNALED(status))
		status = 128 + WTERMSIG(status);
	else
		status = 1;
out:
	sigaction(SIGINT, &old_int, NULL);
	sigaction(SIGQUIT, &old_quit, NULL);
	sigaction(SIGTERM, &old_term, NULL);
	sigaction(SIGHUP, &old_hup, NULL);
	/* A SIGTERM or SIGHUP held pending since COMMAND ended (or since fork failed) had no COMMAND to go to:
	 * unblocked now, it acts on mmf as it would have without run_command. */
	sigprocmask(SIG_SETMASK, &old_mask, NULL);
	return status;
}
