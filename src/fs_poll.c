/* fs_poll.c - mmfs's own reading and writing of /dev/fuse, under libfuse's session loop.
 * Reading: every synchronous request costs two wake-ups of a sleeping CPU; on virtual machines a wake-up from
 * halt is the largest part of a round trip. Polling for a few microseconds after each request keeps this
 * thread awake for the next one when requests come back to back, and costs nothing when they do not.
 * Both ways, the raw messages pass by fs_killpriv.c, which does what libfuse 3.14 cannot. */
#include "fs_ops.h"
#include "fs_stop.h"
#include "fs_uring.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/fuse.h>
#include <poll.h>
#include <sched.h>
#include <stdatomic.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/uio.h>

static long long now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* Worker threads (-o threads=N) that are reading or hold a request not yet done: counted from before the read,
 * so that no request is between the queue and this count, and done when the worker comes back to read the
 * next one. libfuse drops a request that a worker read after the loop was told to end. */
static atomic_int requests_in_hand;
static __thread bool holding_request;

/* After a second stop signal (fs_stop.h): whether the loop may end now. Not while a request is queued or in
 * a worker's hands, so that the writes already asked for are answered (a syncfs of many dirty pages queues
 * them all, and the kernel hands over the ones past its background limit only as earlier ones are
 * answered); but after 5 s it may, so that a client that keeps asking cannot hold the stop off. */
static bool drained(int fd)
{
	/* The first worker thread to look sets the deadline for all. */
	static _Atomic long long drain_until;
	long long t = now_ns();
	long long unset = 0;
	atomic_compare_exchange_strong(&drain_until, &unset, t + 5000000000LL);
	if (t >= atomic_load(&drain_until))
		return true;
	struct pollfd p = { .fd = fd, .events = POLLIN };
	if (poll(&p, 1, 0) == 1 && (p.revents & POLLIN) != 0)
		return false;
	/* Looked at after the queue: a request taken from it since is counted by now. */
	if (atomic_load(&requests_in_hand) != 0)
		return false;
	/* Requests in the io-uring queues (fs_uring.c) are not seen here: the connection's count tells. */
	return fs_uring_queues() == 0 || fs_stop_requests_waiting() == 0;
}

/* A blocking read, or with a busy-poll first when the descriptor is non-blocking (poll_ns > 0). */
static ssize_t read_request(int fd, void *buf, size_t len, struct fs *fs)
{
	long long deadline = 0;
	if (holding_request) {
		holding_request = false;
		atomic_fetch_sub(&requests_in_hand, 1);
	}
	for (;;) {
		if (fs_stop_draining()) {
			if (drained(fd)) {
				fuse_session_exit(fs->se);
				errno = EINTR;
				return -1;
			}
			/* What is left may all be in the io-uring queues, which answer it without this loop: look
			 * again in a millisecond rather than wait here for a request that may never come. */
			struct pollfd p = { .fd = fd, .events = POLLIN };
			if (fs_uring_queues() > 0 && poll(&p, 1, 1) == 0)
				continue;
		}
		atomic_fetch_add(&requests_in_hand, 1);
		ssize_t n = read(fd, buf, len);
		if (n > 0) {
			holding_request = true;
			return n;
		}
		int err = errno;
		atomic_fetch_sub(&requests_in_hand, 1);
		if (n < 0 && err == ECONNABORTED) {
			/* Aborted through fusectl: the end of the connection, as ENODEV is, and not a failure to read.
			 * Seen with -o threads=N as the last close after a first stop signal ended it. */
			fuse_session_exit(fs->se);
			err = EINTR;
		}
		errno = err;
		if (n == 0 || errno != EAGAIN)
			return n;
		long long t = now_ns();
		if (deadline == 0)
			deadline = t + fs->poll_ns;
		if (t < deadline) {
			/* Spin politely: a runnable client on this processor goes first. */
			sched_yield();
			continue;
		}
		/* A signal that arrived while we spun asked the loop to end: let it look. */
		if (fuse_session_exited(fs->se)) {
			errno = EINTR;
			return -1;
		}
		/* The latch: a signal that came since the look above would otherwise be seen only at the next request,
		 * as its EINTR interrupts only a poll already waiting. */
		struct pollfd p[2] = { { .fd = fd, .events = POLLIN }, { .fd = fs_stop_latch_fd(), .events = POLLIN } };
		if (poll(p, 2, -1) < 0)
			return -1; /* EINTR: libfuse checks whether the loop must end, then reads again */
		if ((p[1].revents & POLLIN) != 0 && (p[0].revents & POLLIN) == 0) {
			/* Asked to end with nothing queued: libfuse looks at the session's end, then reads again, and the
			 * look above at draining decides. */
			errno = EINTR;
			return -1;
		}
		deadline = 0;
	}
}

/* Until the kernel has taken our answer to INIT (the mount is up: fs->on_mounted), INIT's unique. */
static atomic_bool mounted;
static _Atomic uint64_t init_unique;

static void note_init(const void *buf, size_t len)
{
	struct fuse_in_header in;
	if (len < sizeof(in))
		return;
	memcpy(&in, buf, sizeof(in));
	if (in.opcode == FUSE_INIT)
		atomic_store(&init_unique, in.unique);
}

/* After a successful writev: whether it was INIT's answer, and a yes (an error libfuse sends for a kernel it
 * cannot serve is no mount). */
static void note_init_answer(struct fs *fs, const struct iovec *iov, int count)
{
	struct fuse_out_header out;
	if (count < 1 || iov[0].iov_len < sizeof(out))
		return;
	memcpy(&out, iov[0].iov_base, sizeof(out));
	if (out.unique == 0 || out.unique != atomic_load(&init_unique) || out.error != 0)
		return;
	if (atomic_exchange(&mounted, true))
		return;
	fs_uring_start();
	if (fs->on_mounted != NULL)
		fs->on_mounted();
}

static ssize_t custom_read(int fd, void *buf, size_t len, void *userdata)
{
	ssize_t n = read_request(fd, buf, len, userdata);
	if (n > 0) {
		fs_killpriv_note_request(buf, (size_t)n);
		if (!atomic_load_explicit(&mounted, memory_order_relaxed)) {
			note_init(buf, (size_t)n);
			fs_uring_note_init(buf, (size_t)n);
		}
	}
	return n;
}

static ssize_t custom_writev(int fd, struct iovec *iov, int count, void *userdata)
{
	fs_killpriv_patch_reply(userdata, iov, count);
	ssize_t n;
	if (fs_uring_take_reply(iov, count, &n))
		return n;
	if (!atomic_load_explicit(&mounted, memory_order_relaxed))
		fs_uring_patch_init(userdata, iov, count);
	n = writev(fd, iov, count);
	if (n >= 0 && !atomic_load_explicit(&mounted, memory_order_relaxed))
		note_init_answer(userdata, iov, count);
	return n;
}

static ssize_t plain_splice(int fdin, off_t *offin, int fdout, off_t *offout, size_t len, unsigned int flags,
			    void *userdata)
{
	(void)userdata;
	return splice(fdin, offin, fdout, offout, len, flags);
}

int fs_poll_start(struct fs *fs)
{
	static const struct fuse_custom_io io = {
		.read = custom_read,
		.writev = custom_writev,
		.splice_send = plain_splice,
	};
	int fd = fuse_session_fd(fs->se);
	int err = fuse_session_custom_io(fs->se, &io, fd);
	if (err != 0 || fs->poll_ns <= 0)
		return err;
	int flags = fcntl(fd, F_GETFL);
	if (flags < 0 || fcntl(fd, F_SETFL, flags | O_NONBLOCK) != 0)
		fs->poll_ns = 0; /* reads block at once, which is all a failed poll setup costs */
	return 0;
}
