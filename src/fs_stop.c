/* fs_stop.c - the stop on SIGTERM, SIGINT and SIGHUP (see fs_stop.h): the first signal flushes the mount and
 * detaches it, from a thread of its own while the loop goes on serving; a second ends the loop at once. */
#include "fs_stop.h"

#define FUSE_USE_VERSION 312
#include <errno.h>
#include <fcntl.h>
#include <fuse_lowlevel.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include "bdi.h"
#include "quiet_thread.h"

static const int stop_signals[] = { SIGTERM, SIGINT, SIGHUP };

/* Who unmounts the mountpoint: nobody yet, the thread (after the first signal), or the caller (after the
 * loop). Exactly one of them does, so that no unmount by path can hit a mount made there afterwards. */
enum unmounter { UNMOUNTER_NONE, UNMOUNTER_THREAD, UNMOUNTER_CALLER };

static struct {
	/* NULL once the caller is about to destroy the session (fs_stop_quiet): no handler or thread may
	 * touch it after. */
	struct fuse_session *_Atomic se;
	/* The first signal's byte reaches the thread through this pipe (write is async-signal-safe);
	 * fs_stop_end's byte tells it to return. */
	int pipe_rd, pipe_wr;
	/* Readable for good once the loop was asked to end (fs_stop_latch_fd): a signal that comes after the loop
	 * looked and before it sleeps is not missed. */
	int latch_rd, latch_wr;
	atomic_int signals_seen;
	atomic_bool thread_listens;
	/* Set by a second signal: the loop answers what the kernel has already queued (the writes of the first
	 * signal's syncfs among them: syncfs does not wait for FUSE's writeback) and then ends (fs_poll.c). */
	atomic_bool draining;
	atomic_bool loop_drains; /* the loop reads through fs_poll.c, which looks at draining */
	pthread_t thread;
	pthread_t loop_thread;
	int wake_signal; /* one of stop_signals whose handler is ours: interrupts the loop thread's wait */
	char mountpoint[4096];
	dev_t dev; /* the mount's device, to know the mountpoint still shows this mount */
	/* The connection's abort file in fusectl, opened at the start: the number of a connection that ended is
	 * given to the next mount, but an open control file stays with its own. -1 when there is none. */
	int abort_fd;
	int waiting_fd; /* the connection's count of requests not yet answered, beside abort */
	pthread_mutex_t lock;
	enum unmounter unmounter;
} stop = { .pipe_rd = -1, .pipe_wr = -1, .latch_rd = -1, .latch_wr = -1, .abort_fd = -1, .waiting_fd = -1,
	  .lock = PTHREAD_MUTEX_INITIALIZER };

/* Ends the loop: after the requests already queued when it can drain them, at once otherwise, as libfuse's own
 * handler does (the loop looks after the interrupted read). Async-signal-safe. */
static void end_loop(void)
{
	if (atomic_load(&stop.loop_drains)) {
		atomic_store(&stop.draining, true);
	} else {
		struct fuse_session *se = atomic_load(&stop.se);
		if (se != NULL)
			fuse_session_exit(se);
	}
	/* After the flag: whoever the latch wakes sees it. Never read, so one byte is enough for good. */
	if (stop.latch_wr >= 0 && write(stop.latch_wr, "e", 1) != 1) {
		/* Full: it was readable already. */
	}
}

int fs_stop_latch_fd(void)
{
	return stop.latch_rd;
}

int fs_stop_requests_waiting(void)
{
	char text[24];
	if (stop.waiting_fd < 0)
		return -1;
	ssize_t n = pread(stop.waiting_fd, text, sizeof(text) - 1, 0);
	if (n <= 0)
		return -1;
	text[n] = '\0';
	return atoi(text);
}

bool fs_stop_draining(void)
{
	return atomic_load_explicit(&stop.draining, memory_order_relaxed);
}

static void on_stop_signal(int sig)
{
	(void)sig;
	int saved = errno;
	if (atomic_fetch_add(&stop.signals_seen, 1) == 0 && atomic_load(&stop.thread_listens)) {
		char byte = 's';
		if (write(stop.pipe_wr, &byte, 1) != 1) {
			/* A full pipe already holds a byte: the thread is on its way. */
		}
	} else {
		end_loop();
	}
	errno = saved;
}

int fs_stop_install(struct fuse_session *se)
{
	int fds[2], latch[2];
	if (pipe2(fds, O_CLOEXEC | O_NONBLOCK) != 0)
		return -errno;
	if (pipe2(latch, O_CLOEXEC | O_NONBLOCK) != 0) {
		int err = errno;
		close(fds[0]);
		close(fds[1]);
		return -err;
	}
	stop.latch_rd = latch[0];
	stop.latch_wr = latch[1];
	atomic_store(&stop.se, se);
	stop.pipe_rd = fds[0];
	stop.pipe_wr = fds[1];
	stop.loop_thread = pthread_self();
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sigemptyset(&sa.sa_mask);
	/* No SA_RESTART: the loop's blocking read must return EINTR to look at the session's end. */
	sa.sa_handler = on_stop_signal;
	for (size_t i = 0; i < sizeof(stop_signals) / sizeof(stop_signals[0]); i++) {
		struct sigaction old;
		if (sigaction(stop_signals[i], NULL, &old) != 0)
			return -errno;
		if (old.sa_handler == SIG_IGN)
			continue;
		if (sigaction(stop_signals[i], &sa, NULL) != 0)
			return -errno;
		if (stop.wake_signal == 0)
			stop.wake_signal = stop_signals[i];
	}
	/* A reader that went away must fail a write with EPIPE, not end the daemon. */
	signal(SIGPIPE, SIG_IGN);
	return 0;
}

/* Whether the mountpoint still shows this mount (its device is ours): 0, or -ENODEV for another mount there,
 * or -errno. AT_STATX_DONT_SYNC: the device needs no request to the daemon, and none is sent. One would be
 * answered by the loop, but under valgrind a stat holds the tool's lock while it waits, and the loop would
 * wait for that lock; nor may the root's mode (default_permissions holds for the daemon's user too) stop a
 * look at it, as opening it for reading could. */
static int check_our_mount(void)
{
	struct statx stx;
	if (statx(AT_FDCWD, stop.mountpoint, AT_SYMLINK_NOFOLLOW | AT_STATX_DONT_SYNC, 0, &stx) != 0)
		return -errno;
	return makedev(stx.stx_dev_major, stx.stx_dev_minor) == stop.dev ? 0 : -ENODEV;
}

/* Stores made through shared mappings reach the backing files now, while the loop still serves. Without
 * it they still arrive, at the last close, unless a second signal comes first. */
static void flush_mount(void)
{
	int fd = open(stop.mountpoint, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0 || syncfs(fd) != 0)
		fuse_log(FUSE_LOG_WARNING, "mmfs: %s: cannot write back the stores of mappings now (%s): they are "
			 "written at their last close\n", stop.mountpoint, strerror(errno));
	if (fd >= 0)
		close(fd);
}

/* The next byte of the pipe, waiting up to timeout_ms (-1: for ever): 's' from a signal, 'q' from
 * fs_stop_end; 0 when the time ran out, -1 when the pipe failed. */
static int next_byte(int timeout_ms)
{
	struct pollfd p = { .fd = stop.pipe_rd, .events = POLLIN };
	for (;;) {
		char byte;
		ssize_t n = read(stop.pipe_rd, &byte, 1);
		if (n == 1)
			return (unsigned char)byte;
		if (n == 0 || errno != EAGAIN)
			return -1;
		int r = poll(&p, 1, timeout_ms);
		if (r == 0)
			return 0;
		if (r < 0 && errno != EINTR)
			return -1;
	}
}

/* Waits up to timeout_ms (-1: for ever) for fs_stop_end's byte; true also when there is no pipe left to wait
 * on. A signal's byte is passed over: the first already got us here. */
static bool told_to_end(int timeout_ms)
{
	for (;;) {
		int byte = next_byte(timeout_ms);
		if (byte != 's')
			return byte != 0;
	}
}

/* After a failed detach: the loop ends now, and the caller unmounts as it always did. */
static void stop_at_once(void)
{
	pthread_mutex_lock(&stop.lock);
	stop.unmounter = UNMOUNTER_NONE;
	pthread_mutex_unlock(&stop.lock);
	atomic_fetch_add(&stop.signals_seen, 1);
	if (atomic_load(&stop.se) == NULL)
		return; /* the loop has ended and the caller is past unmounting */
	end_loop();
	/* Interrupts the loop thread's wait, as a second signal would. Some signal is ours: one came. */
	pthread_kill(stop.loop_thread, stop.wake_signal);
}

/* Returns whether fs_stop_end has already told the thread to end. */
static bool flush_and_detach(void)
{
	int err = check_our_mount();
	if (err == -ENODEV) {
		/* Someone detached it already, or mounted over it: unmounting by path would hit that. */
		fuse_log(FUSE_LOG_WARNING, "mmfs: %s no longer shows this mount: serving it until the kernel ends it "
			 "(signal again to stop at once)\n", stop.mountpoint);
		return false;
	}
	/* Ours, alive or already ended by a second signal (fs_stop_end_connection): the flush then fails, and
	 * what is left of the mount only has to go. */
	if (err == 0) {
		flush_mount();
		err = bdi_detach(stop.mountpoint);
	}
	if (err != 0) {
		fuse_log(FUSE_LOG_WARNING, "mmfs: %s: cannot detach the mount (%s): stopping at once\n",
			 stop.mountpoint, strerror(-err));
		stop_at_once();
		return false;
	}
	/* With nothing open the kernel ends the connection at once, the loop returns and fs_stop_end tells us. */
	if (told_to_end(1000))
		return true;
	fuse_log(FUSE_LOG_NOTICE, "mmfs: %s: unmounted; still serving the segments that are open or mapped until "
		 "their last close (signal again to stop at once)\n", stop.mountpoint);
	return false;
}

static void *stop_thread_main(void *arg)
{
	(void)arg;
	int byte = next_byte(-1);
	if (byte < 0) {
		/* Signals then end the loop at once, as without this thread. */
		atomic_store(&stop.thread_listens, false);
		return NULL;
	}
	if (byte == 'q')
		return NULL;
	pthread_mutex_lock(&stop.lock);
	bool mine = stop.unmounter == UNMOUNTER_NONE;
	if (mine)
		stop.unmounter = UNMOUNTER_THREAD;
	pthread_mutex_unlock(&stop.lock);
	if (!mine || !flush_and_detach())
		told_to_end(-1);
	return NULL;
}

int fs_stop_start(const char *mountpoint, bool loop_drains)
{
	atomic_store(&stop.loop_drains, loop_drains);
	int err = bdi_find_dev(mountpoint, &stop.dev);
	if (err != 0)
		return err;
	if (snprintf(stop.mountpoint, sizeof(stop.mountpoint), "%s", mountpoint) >= (int)sizeof(stop.mountpoint))
		return -ENAMETOOLONG;
	char abort_path[96];
	if (bdi_abort_path(mountpoint, abort_path, sizeof(abort_path)) == 0) {
		stop.abort_fd = open(abort_path, O_WRONLY | O_CLOEXEC);
		char *name = strrchr(abort_path, '/');
		if (name != NULL && (size_t)(name - abort_path) + sizeof("/waiting") <= sizeof(abort_path)) {
			strcpy(name, "/waiting");
			stop.waiting_fd = open(abort_path, O_RDONLY | O_CLOEXEC);
		}
	}
	/* The loop runs on this thread from now on: a failed detach interrupts it here. */
	stop.loop_thread = pthread_self();
	err = quiet_thread_start(&stop.thread, stop_thread_main, NULL);
	if (err != 0)
		return -err;
	atomic_store(&stop.thread_listens, true);
	/* A signal that came before the thread listened has already ended the loop. */
	return 0;
}

void fs_stop_end_connection(void)
{
	pthread_mutex_lock(&stop.lock);
	if (stop.unmounter == UNMOUNTER_NONE)
		stop.unmounter = UNMOUNTER_CALLER;
	bool thread = stop.unmounter == UNMOUNTER_THREAD;
	pthread_mutex_unlock(&stop.lock);
	/* After one signal the kernel ended the connection at the last close; after a second, mappings may still
	 * hold it. Ended here, before the notifier thread is stopped: a notice it is sending may wait for a
	 * directory lock that a client holds while it waits for an answer the ended loop will never give. */
	if (thread && stop.abort_fd >= 0 && write(stop.abort_fd, "1", 1) != 1) {
		/* ENOTCONN: it had ended already. */
	}
}

void fs_stop_unmount(struct fuse_session *se)
{
	pthread_mutex_lock(&stop.lock);
	bool caller = stop.unmounter != UNMOUNTER_THREAD;
	pthread_mutex_unlock(&stop.lock);
	/* After the thread's detach, fuse_session_unmount would unmount by path unless the connection has ended;
	 * once it has, it only closes /dev/fuse and frees its copy of the path. Without fusectl that copy stays
	 * (26 bytes, until the exit), and fuse_session_destroy closes /dev/fuse all the same. */
	if (caller || stop.abort_fd >= 0)
		fuse_session_unmount(se);
}

void fs_stop_quiet(void)
{
	/* The handlers stay, but no stop signal reaches this thread again (every other one blocks them): a late
	 * signal is left pending until the exit, and the session is never touched after its destruction. */
	sigset_t set;
	sigemptyset(&set);
	for (size_t i = 0; i < sizeof(stop_signals) / sizeof(stop_signals[0]); i++)
		sigaddset(&set, stop_signals[i]);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	atomic_store(&stop.se, NULL);
}

void fs_stop_end(void)
{
	if (atomic_exchange(&stop.thread_listens, false)) {
		char byte = 'q';
		/* The pipe is empty or holds one byte: room for this one. */
		if (write(stop.pipe_wr, &byte, 1) == 1) {
			pthread_join(stop.thread, NULL);
		} else {
			/* It cannot be told: it keeps the pipe, which the exit closes. */
			pthread_detach(stop.thread);
			stop.pipe_rd = stop.pipe_wr = -1;
		}
	}
	if (stop.pipe_rd >= 0)
		close(stop.pipe_rd);
	if (stop.pipe_wr >= 0)
		close(stop.pipe_wr);
	if (stop.abort_fd >= 0)
		close(stop.abort_fd);
	if (stop.waiting_fd >= 0)
		close(stop.waiting_fd);
	stop.pipe_rd = stop.pipe_wr = stop.abort_fd = stop.waiting_fd = -1;
	/* Closed last: a late signal's handler may still write to it (stop_signals stay handled). */
	int latch_wr = stop.latch_wr;
	stop.latch_wr = -1;
	if (stop.latch_rd >= 0)
		close(stop.latch_rd);
	stop.latch_rd = -1;
	if (latch_wr >= 0)
		close(latch_wr);
}
