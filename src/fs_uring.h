/* fs_uring.h - serving requests through FUSE-over-io-uring (Linux 6.14 and later), which libfuse 3.14 does not
 * know: a queue per CPU, each served by a thread held on that CPU, so that a request is answered on the CPU
 * that made it. fs_poll.c's reader and writer hand the INIT messages and every reply to this file. */
#ifndef MMFS_FS_URING_H
#define MMFS_FS_URING_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>
#include <sys/uio.h>

struct fs;

/* Before mounting: whether to ask for io-uring at INIT. As root, turns on the fuse module's switch
 * (/sys/module/fuse/parameters/enable_uring) when it is off, without which the kernel never offers it. */
void fs_uring_prepare(bool wanted, bool debug);
/* The INIT request as read, and libfuse's answer to it before it is written: asks for io-uring when the
 * kernel offers it, and notes the sizes the queues' buffers must hold. */
void fs_uring_note_init(const void *buf, size_t len);
void fs_uring_patch_init(struct fs *fs, const struct iovec *iov, int count);
/* Once the kernel has taken the INIT answer: starts the queues' threads if io-uring was agreed (the queues
 * exist only then). The kernel holds every request back until each queue has registered; a thread that
 * cannot start makes it give up io-uring instead, and every request goes through /dev/fuse. */
void fs_uring_start(void);
/* Called by the writer with each reply: if it answers the request this thread took from its queue, keeps it
 * for the commit, sets *written and returns true; otherwise it is for /dev/fuse. */
bool fs_uring_take_reply(const struct iovec *iov, int count, ssize_t *written);
/* Whether this thread serves a queue (a reply then cannot be spliced), and room for a reply of size bytes
 * right where the reply goes, saving a copy (NULL where there is none). */
bool fs_uring_serving(void);
char *fs_uring_reply_room(size_t size);
/* How many queues serve requests (0: all go through /dev/fuse). */
unsigned fs_uring_queues(void);
/* After the loop: waits for the queues' threads, which end when the kernel ends the connection. */
void fs_uring_stop(void);

#endif
