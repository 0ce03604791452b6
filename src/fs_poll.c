/* fs_poll.c - reading requests from /dev/fuse with a short busy-poll before sleeping.
 * Every synchronous request costs two wake-ups of a sleeping CPU; on virtual machines a wake-up from halt is
 * the largest part of a round trip. Polling for a few microseconds after each request keeps this thread
 * awake for the next one when requests come back to back, and costs nothing when they do not. */
#include "fs_ops.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <time.h>
#include <unistd.h>
#include <sys/uio.h>

static long long now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static ssize_t poll_read(int fd, void *buf, size_t len, void *userdata)
{
	struct fs *fs = userdata;
	long long deadline = 0;
	for (;;) {
		ssize_t n = read(fd, buf, len);
		if (n >= 0 || errno != EAGAIN)
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
		struct pollfd p = { .fd = fd, .events = POLLIN };
		if (poll(&p, 1, -1) < 0)
			return -1; /* EINTR: libfuse checks whether the loop must end, then reads again */
		deadline = 0;
	}
}

static ssize_t plain_writev(int fd, struct iovec *iov, int count, void *userdata)
{
	(void)userdata;
	return writev(fd, iov, count);
}

static ssize_t plain_splice(int fdin, off_t *offin, int fdout, off_t *offout, size_t len, unsigned int flags,
			    void *userdata)
{
	(void)userdata;
	return splice(fdin, offin, fdout, offout, len, flags);
}

int fs_poll_start(struct fs *fs)
{
	int fd = fuse_session_fd(fs->se);
	int flags = fcntl(fd, F_GETFL);
	if (fs->poll_ns <= 0 || flags < 0 || fcntl(fd, F_SETFL, flags | O_NONBLOCK) != 0)
		return 0;
	static const struct fuse_custom_io io = {
		.read = poll_read,
		.writev = plain_writev,
		.splice_send = plain_splice,
	};
	return fuse_session_custom_io(fs->se, &io, fd);
}
