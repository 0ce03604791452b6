/* prealloc.h - allocating backing blocks ahead of a sequential writer, on a thread of its own.
 * A write that extends a tmpfs file spends about half its time allocating the new pages. While the daemon
 * copies one write into the backing file, this thread allocates the pages the next writes will land on
 * (fallocate with FALLOC_FL_KEEP_SIZE: the file's length and content do not change), so the daemon's own
 * write only copies. No FUSE here; the store decides what to ask for and gives back what was not used. */
#ifndef MMFS_PREALLOC_H
#define MMFS_PREALLOC_H

#include <stdbool.h>
#include <stdint.h>

struct prealloc;

/* No thread yet: it starts with the first request, so that a daemon that forks after opening its store
 * (fuse_daemonize) still has it. NULL when out of memory. */
struct prealloc *prealloc_new(void);
/* Stops the thread (abandoning what is queued) and frees everything. NULL is allowed. */
void prealloc_free(struct prealloc *pre);

/* Queues the allocation of [from, from + len) in fd's file, on behalf of owner. The file is reached through
 * a duplicate of fd, so the caller may close fd at any time. Returns false, with nothing queued, when the
 * queue is full, the thread cannot start, or the backing filesystem had no fallocate for an earlier one. */
bool prealloc_request(struct prealloc *pre, int fd, uint64_t from, uint64_t len, const void *owner);

/* Forgets owner's queued requests and waits for the one being served, if it is owner's, to stop: after it
 * returns, nothing more is allocated for owner. Waits at most for one chunk of allocation. */
void prealloc_cancel(struct prealloc *pre, const void *owner);

#endif
