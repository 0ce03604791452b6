/* verbs_lock.c - mmf lock: run a COMMAND holding flock(2) on a segment, the named mutex. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <string.h>
#include <sys/file.h>
#include <sys/statfs.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "args.h"
#include "mmf.h"
#include "report.h"
#include "run.h"
#include "segfile.h"

struct lock_opts {
	bool shared;
	bool have_timeout;
	double timeout;
};

static volatile sig_atomic_t lock_alarm;

static void on_alarm(int sig)
{
	lock_alarm = 1;
}

static int lock_option(int opt, const char *arg, void *data)
{
	struct lock_opts *o = data;

	if (opt == 's') {
		o->shared = true;
		return 0;
	}
	o->have_timeout = true;
	return args_seconds("lock", arg, &o->timeout);
}

static struct timeval to_timeval(double seconds)
{
	struct timeval tv;

	tv.tv_sec = (time_t)seconds;
	tv.tv_usec = (suseconds_t)((seconds - (double)tv.tv_sec) * 1e6);
	if (tv.tv_sec == 0 && tv.tv_usec == 0)
		tv.tv_usec = 1;
	return tv;
}

static double monotonic_seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/*
 * Takes the lock, waiting at most timeout seconds. A timer interrupts the blocking flock() (no
 * SA_RESTART); it repeats every 50 ms after it first fires, in case the first signal came just before
 * flock() began to sleep. After each interruption the clock is read as well as the flag: a handler that
 * runs late (ThreadSanitizer, for one, defers handlers to its own safe points) must not keep us waiting.
 * Returns 0, -ETIMEDOUT, or another negative errno.
 */
static int take_with_timeout(int fd, int op, double timeout)
{
	double deadline = monotonic_seconds() + timeout;
	struct sigaction sa = { .sa_handler = on_alarm };
	struct sigaction old;
	struct itimerval timer = { .it_interval = { 0, 50000 }, .it_value = to_timeval(timeout) };
	struct itimerval off = { 0 };
	int rc = 0;

	sigemptyset(&sa.sa_mask);
	lock_alarm = 0;
	sigaction(SIGALRM, &sa, &old);
	setitimer(ITIMER_REAL, &timer, NULL);
	for (;;) {
		if (flock(fd, op) == 0)
			break;
		if (errno != EINTR) {
			rc = -errno;
			break;
		}
		if (lock_alarm || monotonic_seconds() >= deadline) {
			rc = -ETIMEDOUT;
			break;
		}
	}
	setitimer(ITIMER_REAL, &off, NULL);
	sigaction(SIGALRM, &old, NULL);
	return rc;
}

static int take(int fd, int op, const struct lock_opts *o)
{
	if (o->have_timeout && o->timeout == 0) {
		if (flock(fd, op | LOCK_NB) == 0)
			return 0;
		return errno == EWOULDBLOCK ? -ETIMEDOUT : -errno;
	}
	if (o->have_timeout)
		return take_with_timeout(fd, op, o->timeout);
	for (;;) {
		if (flock(fd, op) == 0)
			return 0;
		if (errno != EINTR)
			return -errno;
	}
}

/* Whether err says that the mount's daemon has gone (a dead connection, or one aborted by fusermount3). */
static bool mount_gone(int err)
{
	return err == ENOTCONN || err == ECONNABORTED || err == ECANCELED || err == EIO || err == ENODEV;
}

/* A warning, not a failure: COMMAND did run, and its exit status says how it went. */
static void warn_lost(const char *name)
{
	report_fail(name, "warning: the mount died while the lock was held (mmfs stopped): COMMAND may not "
		    "have had the lock to itself");
}

int verb_lock(struct mmf_ctx *ctx, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "shared", no_argument, NULL, 's' },
		{ "timeout", required_argument, NULL, 'w' },
		{ NULL, 0, NULL, 0 },
	};
	struct lock_opts o = { 0 };
	const struct args_spec spec = {
		.verb = "lock", .shortopts = "sw:", .longopts = longopts,
		.command = ARGS_COMMAND_AFTER_FIXED, .fixed = 1, .option = lock_option, .data = &o,
	};
	struct statfs sfs;
	struct args a;
	const char *name;
	bool gone;
	int fd = -1;
	int rc = ctx_args(ctx, argc, argv, &spec, &a);

	if (rc >= 0)
		goto out;
	if (a.noperands == 0) {
		rc = report_usage("lock", "missing NAME");
		goto out;
	}
	if (a.command == NULL) {
		rc = report_usage("lock", "missing COMMAND to run under the lock: mmf lock NAME -- COMMAND...");
		goto out;
	}
	name = a.operands[0];
	rc = ctx_name(ctx, name);
	if (rc != 0)
		goto out;
	/* Any access mode will do for flock(); the descriptor is close-on-exec, so the lock is mmf's alone
	 * and goes when mmf ends, never with a daemon that COMMAND leaves behind. */
	rc = segfile_open(ctx, name, O_RDONLY, true, &fd);
	if (rc != 0)
		goto out;
	rc = take(fd, o.shared ? LOCK_SH : LOCK_EX, &o);
	if (rc == -ETIMEDOUT) {
		rc = report_fail(name, "timed out after %g s waiting for the lock", o.timeout);
		goto out;
	}
	if (rc != 0) {
		rc = report_fail(name, "cannot lock: %s", report_reason(-rc));
		goto out;
	}
	rc = run_command(a.command, NULL);
	/* The daemon holds every flock() of its mount: if it died while COMMAND ran, the lock died with it,
	 * and one started again on the mount lets anyone take it. statfs always reaches the daemon, and
	 * close() reports what the daemon's flush could not do. */
	gone = fstatfs(fd, &sfs) != 0 && mount_gone(errno);
	if (close(fd) != 0 && mount_gone(errno))
		gone = true;
	fd = -1;
	if (gone)
		warn_lost(name);
out:
	if (fd >= 0)
		close(fd);
	args_free(&a);
	return rc;
}
