/* store_data.c - the data path: open, read, write, sync and release of segments on their backing files.
 * This is the one seam where a libfuse with passthrough could hand reads, writes and mmap to the kernel. */
#include "store_int.h"
#include "prealloc.h"

#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

/* Writes at least this large that extend a segment from its end are bulk sequential writing, whose
 * allocation is worth moving off the daemon's path (prealloc.h). Small appends, a log's lines, allocate a
 * page every hundred writes and would only hold memory past their end. */
#define PREALLOC_MIN_WRITE (128u << 10)
/* At most this many segments hold blocks past their end at once: with the default window, 32 MiB at most
 * outside the pool's count. */
#define PREALLOC_STREAMS 4

/* After a write that extended the segment sequentially to end: keeps blocks allocated a window ahead of
 * it, asking for more when less than half the window is left. Never past what the segment could still
 * grow to: its capacity, and what the pool has left. Lock held. */
static void prealloc_ahead(struct store *store, struct node *node, uint64_t end)
{
	uint64_t window = store->config.prealloc_bytes;
	if (store->prealloc == NULL || node->fd < 0)
		return;
	if (node->prealloc_end == 0 && store->prealloc_streams >= PREALLOC_STREAMS)
		return;
	if (node->prealloc_end >= end && node->prealloc_end - end >= window / 2)
		return;
	/* Not for a file with holes: after a crash, the start finds blocks past the end by counting them
	 * (store_load.c), which a hole would hide. */
	struct stat st;
	if (node->prealloc_end == 0 &&
	    (fstat(node->fd, &st) != 0 || (uint64_t)st.st_blocks * 512 < round_to_block(end)))
		return;
	struct pool *pool = &store->pool;
	uint64_t room = pool->byte_limit > pool->byte_used ? pool->byte_limit - pool->byte_used : 0;
	uint64_t ahead = window < room ? window : room;
	uint64_t limit = node->capacity - end < ahead ? node->capacity : end + ahead; /* end <= capacity */
	uint64_t from = round_to_block(node->prealloc_end > end ? node->prealloc_end : end);
	uint64_t to = round_to_block(limit);
	if (to <= from || !prealloc_request(store->prealloc, node->fd, from, to - from, node))
		return;
	if (node->prealloc_end == 0)
		store->prealloc_streams++;
	node->prealloc_end = to;
}

void punch_past_end(int fd, uint64_t from, uint64_t len, const struct timespec times[2])
{
	/* tmpfs sets mtime on a punched hole, as on every fallocate: put back the one users saw. ctime cannot be
	 * kept. On failure only memory past the end stays taken, until the next start trims it. */
	if (fallocate(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, (off_t)from, (off_t)len) == 0)
		futimens(fd, times);
}

void node_prealloc_settle(struct store *store, struct node *node)
{
	if (node->prealloc_end == 0)
		return;
	prealloc_cancel(store->prealloc, node);
	uint64_t kept = round_to_block(node->size);
	struct stat st;
	if (node->fd >= 0 && node->prealloc_end > kept && fstat(node->fd, &st) == 0) {
		/* The allocations ahead set mtime too: the last write's (or a cp -p's) is the one store_write kept. */
		const struct timespec times[2] = { st.st_atim, node->times_stale ? st.st_mtim : node->mtime };
		punch_past_end(node->fd, kept, node->prealloc_end - kept, times);
	}
	node->prealloc_end = 0;
	store->prealloc_streams--;
}

int store_open_file(struct store *store, struct node *node, int flags)
{
	(void)flags;
	if (node_is_dir(node))
		return -EISDIR;
	if (!node_is_reg(node))
		return -ENXIO;
	pthread_mutex_lock(&store->lock);
	/* A segment reclaimed between the kernel's lookup and this open (a transient one whose last handle
	 * closed): ESTALE makes the kernel look the name up again, and create it if the open said O_CREAT,
	 * which the kernel does not pass on. */
	int fd = node->nlink == 0 && node->opens == 0 ? -ESTALE : node_fd(store, node);
	if (fd >= 0) {
		if (node->opens == 0)
			store->fd_cached--;
		node->opens++;
	}
	pthread_mutex_unlock(&store->lock);
	return fd < 0 ? fd : 0;
}

void store_release(struct store *store, struct node *node)
{
	pthread_mutex_lock(&store->lock);
	if (node->opens > 0 && --node->opens == 0) {
		node_prealloc_settle(store, node);
		if (node->fd >= 0)
			store->fd_cached++;
		node_last_close(store, node);
	}
	pthread_mutex_unlock(&store->lock);
}

ssize_t store_read(struct store *store, struct node *node, void *buf, size_t size, uint64_t off)
{
	pthread_mutex_lock(&store->lock);
	int fd = node->fd;
	uint64_t length = node->size;
	pthread_mutex_unlock(&store->lock);
	if (fd < 0)
		return -EBADF;
	if (off >= length)
		return 0;
	if (size > length - off)
		size = length - off;
	size_t done = 0;
	while (done < size) {
		ssize_t n = pread(fd, (char *)buf + done, size - done, (off_t)(off + done));
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return done > 0 ? (ssize_t)done : -errno;
		}
		if (n == 0)
			break;
		done += (size_t)n;
	}
	return (ssize_t)done;
}

int store_read_source(struct store *store, struct node *node, uint64_t off, size_t size, int *fd, size_t *len)
{
	pthread_mutex_lock(&store->lock);
	*fd = node->fd;
	uint64_t length = node->size;
	pthread_mutex_unlock(&store->lock);
	if (*fd < 0)
		return -EBADF;
	*len = off >= length ? 0 : (size > length - off ? (size_t)(length - off) : size);
	return 0;
}

/* After a failed write or fallocate that was to grow the file from old_size to end: cut the backing file back
 * and return the growth to the pool. If even the cut fails, the length stays as memory says. */
static void undo_growth(struct store *store, struct node *node, uint64_t old_size, uint64_t end)
{
	if (ftruncate(node->fd, (off_t)old_size) != 0) {
		/* Nothing better to do. */
	}
	pool_restore(&store->pool, end, old_size);
}

int node_reserve(struct store *store, struct node *node, uint64_t end)
{
	if (end <= node->allocated || node->fd < 0)
		return 0;
	struct stat before;
	bool have_times = fstat(node->fd, &before) == 0;
	uint64_t from = node->allocated;
	int rc = fallocate(node->fd, FALLOC_FL_KEEP_SIZE, (off_t)from, (off_t)(end - from));
	/* Blocks allocated ahead of sequential writers are only speculative: never the reason for ENOSPC. */
	if (rc != 0 && errno == ENOSPC && store_prealloc_settle_all(store))
		rc = fallocate(node->fd, FALLOC_FL_KEEP_SIZE, (off_t)from, (off_t)(end - from));
	if (rc == 0) {
		node->allocated = round_to_block(end);
		return 0;
	}
	if (errno == EOPNOTSUPP)
		return 0; /* a file system without fallocate: its holes are filled at writeback, as before */
	int err = -errno;
	/* Whatever part was allocated past the end goes back, with the times the attempt may have moved. */
	uint64_t kept = round_to_block(node->size);
	if (have_times && end > kept) {
		const struct timespec times[2] = { before.st_atim, before.st_mtim };
		punch_past_end(node->fd, kept, end - kept, times);
	}
	return err;
}

/* Writes all of buf at off, retrying short writes. Returns 0 or -errno. */
static int write_all(int fd, const char *buf, size_t size, uint64_t off)
{
	while (size > 0) {
		ssize_t n = pwrite(fd, buf, size, (off_t)off);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		buf += n;
		size -= (size_t)n;
		off += (uint64_t)n;
	}
	return 0;
}

bool store_prealloc_settle_all(struct store *store)
{
	if (store->prealloc_streams == 0)
		return false;
	for (struct node *node = store->all; node != NULL && store->prealloc_streams > 0; node = node->all_next)
		node_prealloc_settle(store, node);
	return true;
}

/* store_write with the lock held; *backing_full tells an ENOSPC of the backing filesystem from the pool's. */
static int write_locked(struct store *store, struct node *node, const char *buf, size_t size, uint64_t off,
			bool *backing_full)
{
	uint64_t end = off + size;
	uint64_t old_size = node->size;
	*backing_full = false;
	if (end > old_size) {
		if (end > node->capacity)
			return -EFBIG;
		int err = pool_resize(&store->pool, old_size, end);
		if (err != 0)
			return err;
	}
	if (end > node->allocated && off < old_size) {
		/* A write that overwrites old bytes and needs new blocks: reserve the blocks first, so that a full
		 * backing filesystem refuses it before any old byte is overwritten. A write at or past the end
		 * needs no reservation: if it fails part way, cutting the file back to its old length undoes it. */
		uint64_t from = off > node->allocated ? off : node->allocated;
		if (fallocate(node->fd, FALLOC_FL_KEEP_SIZE, (off_t)from, (off_t)(end - from)) != 0 &&
		    errno != EOPNOTSUPP) {
			int err = -errno;
			*backing_full = err == -ENOSPC;
			if (end > old_size)
				pool_restore(&store->pool, end, old_size);
			return err;
		}
		if (off <= node->allocated)
			node->allocated = round_to_block(end);
	}
	/* Growth that leaves a hole ends allocating ahead: a hole would hide blocks past the end from the
	 * count the start makes after a crash (store_load.c). The hole gets its blocks now (node_reserve). */
	if (off > old_size) {
		node_prealloc_settle(store, node);
		int err = node_reserve(store, node, off);
		if (err != 0) {
			*backing_full = err == -ENOSPC;
			pool_restore(&store->pool, end, old_size);
			return err;
		}
	}
	int err = write_all(node->fd, buf, size, off);
	if (err != 0) {
		/* A full backing filesystem: take back whatever part of the growth landed. */
		*backing_full = err == -ENOSPC;
		if (end > old_size)
			undo_growth(store, node, old_size, end);
		return err;
	}
	if (end > old_size) {
		node->size = end;
		if (off == old_size && size >= PREALLOC_MIN_WRITE)
			prealloc_ahead(store, node, end);
	}
	if (node->prealloc_end > 0) {
		/* Allocating ahead sets the backing file's mtime too (tmpfs counts fallocate as a change): while
		 * it goes on, the times users see are kept here, and put back when it stops (settle). */
		node_touch(&node->mtime);
		node->ctime = node->mtime;
		node->times_stale = false;
	} else {
		node->times_stale = true;
	}
	return 0;
}

ssize_t store_write(struct store *store, struct node *node, const void *buf, size_t size, uint64_t off)
{
	if (off > (uint64_t)INT64_MAX || size > (uint64_t)INT64_MAX - off)
		return -EFBIG;
	int err = 0;
	bool backing_full = false;
	pthread_mutex_lock(&store->lock);
	if (node->fd < 0)
		err = -EBADF;
	else if (size > 0) /* a zero-byte write changes nothing, wherever it points */
		err = write_locked(store, node, buf, size, off, &backing_full);
	/* Blocks allocated ahead are only speculative: they must never be why a write fails. */
	if (err == -ENOSPC && backing_full && store_prealloc_settle_all(store))
		err = write_locked(store, node, buf, size, off, &backing_full);
	pthread_mutex_unlock(&store->lock);
	return err != 0 ? err : (ssize_t)size;
}

int store_fsync(struct store *store, struct node *node, bool datasync)
{
	pthread_mutex_lock(&store->lock);
	int fd = node->fd;
	pthread_mutex_unlock(&store->lock);
	if (fd < 0)
		return 0;
	int rc = datasync ? fdatasync(fd) : fsync(fd);
	return rc == 0 ? 0 : -errno;
}

int store_fallocate(struct store *store, struct node *node, uint64_t off, uint64_t len, bool keep_size)
{
	int err = 0;
	if (len == 0)
		return -EINVAL;
	if (off > (uint64_t)INT64_MAX || len > (uint64_t)INT64_MAX - off)
		return -EFBIG;
	uint64_t end = off + len;
	pthread_mutex_lock(&store->lock);
	/* The times of a segment allocated ahead are kept apart (store_write): back to the usual way first. */
	node_prealloc_settle(store, node);
	uint64_t old_size = node->size;
	bool grows = !keep_size && end > old_size;
	if (node->fd < 0) {
		err = -EBADF;
		goto out;
	}
	if (end > node->capacity) {
		err = -EFBIG;
		goto out;
	}
	/* The pool counts a segment by its length, so room kept past the end would be memory no limit sees:
	 * a 1 MiB pool could pin all of /dev/shm. Refused whole, before anything is allocated. */
	if (keep_size && end > old_size) {
		err = -EOPNOTSUPP;
		goto out;
	}
	if (grows) {
		err = pool_resize(&store->pool, old_size, end);
		if (err != 0)
			goto out;
	}
	int rc = fallocate(node->fd, keep_size ? FALLOC_FL_KEEP_SIZE : 0, (off_t)off, (off_t)len);
	/* Blocks allocated ahead of sequential writers are only speculative: never the reason for ENOSPC. */
	if (rc != 0 && errno == ENOSPC && store_prealloc_settle_all(store))
		rc = fallocate(node->fd, keep_size ? FALLOC_FL_KEEP_SIZE : 0, (off_t)off, (off_t)len);
	if (rc != 0) {
		err = -errno;
		if (grows)
			undo_growth(store, node, old_size, end);
		goto out;
	}
	if (grows)
		node->size = end;
	/* tmpfs counts every fallocate as a change of the content, inside the length too: mtime and ctime. Set on
	 * the backing file as well (a disk file system may not), so that a restart shows it. */
	const struct timespec now[2] = { { .tv_nsec = UTIME_OMIT }, { .tv_nsec = UTIME_NOW } };
	futimens(node->fd, now);
	node->times_stale = true;
out:
	pthread_mutex_unlock(&store->lock);
	return err;
}
