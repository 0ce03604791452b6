/* store.c - the store's life cycle, nodes, attributes and the pool's view (statfs). */
#include "store_int.h"
#include "prealloc.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <malloc.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/resource.h>
#include <sys/statfs.h>
#include <sys/statvfs.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "backing.h"

void node_touch(struct timespec *ts)
{
	clock_gettime(CLOCK_REALTIME, ts);
}

struct node *node_new(struct store *store, mode_t mode)
{
	struct node *node = calloc(1, sizeof(*node));
	if (node == NULL)
		return NULL;
	node->mode = mode;
	node->fd = -1;
	node->capacity = META_UNLIMITED;
	node->accounted = true;
	node_touch(&node->mtime);
	node->atime = node->mtime;
	node->ctime = node->mtime;
	node->all_next = store->all;
	if (store->all != NULL)
		store->all->all_prev = node;
	store->all = node;
	if (++store->nodes_live > store->nodes_peak)
		store->nodes_peak = store->nodes_live;
	return node;
}

/* Fewer freed nodes than this are not worth a trim: a few hundred KiB at most. */
#define TRIM_MIN_NODES 8192

/* malloc keeps freed memory for reuse, so after a burst of removals the daemon would stay at its peak size
 * for good (32 MiB after 100,000 segments came and went). Once half the nodes of the peak are gone, hand
 * the free pages back to the kernel. Each trim halves the peak it compares with, so trims stay rare and
 * their cost is spread over the frees that made them worth doing. */
static void maybe_trim_memory(struct store *store)
{
	if (store->nodes_live > store->nodes_peak / 2 || store->nodes_peak - store->nodes_live < TRIM_MIN_NODES)
		return;
	malloc_trim(0);
	store->nodes_peak = store->nodes_live;
}

void node_free(struct store *store, struct node *node)
{
	if (node->all_prev != NULL)
		node->all_prev->all_next = node->all_next;
	else
		store->all = node->all_next;
	if (node->all_next != NULL)
		node->all_next->all_prev = node->all_prev;
	free(node);
	store->nodes_live--;
	maybe_trim_memory(store);
}

void node_take_backing_times(struct node *node)
{
	struct stat st;
	node->times_stale = false;
	if (node->fd >= 0 && fstat(node->fd, &st) == 0) {
		node->mtime = st.st_mtim;
		node->ctime = st.st_ctim;
	} else {
		node_touch(&node->mtime);
		node->ctime = node->mtime;
	}
}

void node_take_times(struct node *node, const struct stat *st)
{
	node->atime = st->st_atim;
	node->mtime = st->st_mtim;
	node->ctime = st->st_ctim;
}

void node_fill_stat(struct node *node, struct stat *st)
{
	if (node->times_stale)
		node_take_backing_times(node);
	memset(st, 0, sizeof(*st));
	st->st_ino = node->ino;
	st->st_mode = node->mode;
	st->st_nlink = node->nlink;
	st->st_uid = node->uid;
	st->st_gid = node->gid;
	st->st_size = (off_t)node->size;
	st->st_blksize = STORE_BLOCK;
	st->st_blocks = (blkcnt_t)((node->size + 511) / 512);
	st->st_atim = node->atime;
	st->st_mtim = node->mtime;
	st->st_ctim = node->ctime;
}

int check_name(const char *name)
{
	size_t len = strlen(name);
	if (len == 0)
		return -ENOENT;
	if (len > STORE_NAME_MAX)
		return -ENAMETOOLONG;
	/* The kernel never sends these, but the store must never reach outside the backing tree. */
	if (strchr(name, '/') != NULL || strcmp(name, ".") == 0 || strcmp(name, "..") == 0)
		return -EINVAL;
	return 0;
}

int node_backing_at(struct node *node, int *dirfd, const char **name)
{
	if (node->links == NULL)
		return -ENOENT;
	*dirfd = node->links->dir->fd;
	*name = node->links->name;
	return 0;
}

/* A segment's access time is the store's own (reads leave it alone), and a restart takes it back from the
 * backing file: the daemon's reads of that file must not move it. O_NOATIME needs the file's owner or
 * CAP_FOWNER; for a file the daemon may not ask it for (another user's, with no capability), the open goes
 * ahead without. */
static int openat_noatime(int dirfd, const char *name, int flags, mode_t mode)
{
	int fd = openat(dirfd, name, flags | O_NOATIME | O_NOFOLLOW | O_CLOEXEC, mode);
	if (fd < 0 && errno == EPERM)
		fd = openat(dirfd, name, flags | O_NOFOLLOW | O_CLOEXEC, mode);
	return fd;
}

/* Closes the cached descriptor of a segment nobody has open (its next use opens it again), keeping the times
 * a write left on the backing file. */
static void close_idle_fd(struct store *store, struct node *node)
{
	if (node->times_stale)
		node_take_backing_times(node);
	close(node->fd);
	node->fd = -1;
	store->fd_cached--;
}

/* Whether node holds a cached descriptor that nobody has open. */
static bool holds_idle_fd(const struct node *node)
{
	return node_is_reg(node) && node->fd >= 0 && node->opens == 0;
}

/* The daemon's open-file limit is reached: closes every idle cached descriptor, so that they never make an
 * open or a create fail. Returns whether one was closed. */
static bool evict_idle_fds(struct store *store)
{
	bool closed = false;
	for (struct node *node = store->all; node != NULL && store->fd_cached > 0; node = node->all_next) {
		if (holds_idle_fd(node)) {
			close_idle_fd(store, node);
			closed = true;
		}
	}
	return closed;
}

int backing_openat(struct store *store, int dirfd, const char *name, int flags, mode_t mode)
{
	int fd = openat_noatime(dirfd, name, flags, mode);
	if (fd < 0 && (errno == EMFILE || errno == ENFILE) && evict_idle_fds(store))
		fd = openat_noatime(dirfd, name, flags, mode);
	/* Still none: the limit is the daemon's, not the caller's. ENFILE (the table is full) says so, where
	 * EMFILE would send the caller looking at its own descriptors. */
	if (fd < 0 && errno == EMFILE)
		errno = ENFILE;
	return fd;
}

int node_fd(struct store *store, struct node *node)
{
	int dirfd;
	const char *name;
	if (node->fd >= 0)
		return node->fd;
	if (!node_is_reg(node) && !node_is_dir(node))
		return -EOPNOTSUPP;
	int err = node_backing_at(node, &dirfd, &name);
	if (err != 0)
		return err;
	int flags = node_is_dir(node) ? O_RDONLY | O_DIRECTORY : O_RDWR;
	int fd = backing_openat(store, dirfd, name, flags, 0);
	if (fd < 0)
		return -errno;
	node->fd = fd;
	if (node_is_reg(node) && node->opens == 0)
		store->fd_cached++;
	return fd;
}

void node_fd_trim(struct store *store, struct node *node)
{
	if (!holds_idle_fd(node))
		return;
	if (store->fd_cached <= store->fd_cache_limit && node->accounted)
		return;
	close_idle_fd(store, node);
}

struct meta node_meta(const struct node *node)
{
	struct meta meta = {
		.mode = node->mode, .uid = node->uid, .gid = node->gid,
		.capacity = node->capacity, .lifetime = node->lifetime,
	};
	return meta;
}

int meta_write_fd(int fd, const struct meta *meta)
{
	char buf[META_MAX_LEN];
	size_t len = meta_encode(meta, buf, sizeof(buf));
	return fsetxattr(fd, META_XATTR, buf, len, 0) == 0 ? 0 : -errno;
}

int node_save_meta(struct store *store, struct node *node)
{
	struct meta meta = node_meta(node);
	int fd = node_fd(store, node);
	if (fd < 0)
		return fd;
	int err = meta_write_fd(fd, &meta);
	node_fd_trim(store, node);
	return err;
}

void node_maybe_unaccount(struct store *store, struct node *node)
{
	if (!node->accounted || node->nlink > 0 || node->opens > 0)
		return;
	node->accounted = false;
	if (node_is_reg(node))
		pool_resize(&store->pool, node->size, 0);
	pool_give_node(&store->pool);
	/* No name left and nobody has it open: our cached descriptor is the backing file's last reference, and
	 * closing it frees the file's memory now, so that the unlink (or the last close) returns with the room
	 * back, as on tmpfs. Left to the kernel's FORGET, it came late: the kernel answers up to 8 other
	 * requests before a FORGET that waits behind them, and a write right after `rm` found the backing file
	 * system still full (mmf_full_backing.sh under valgrind). */
	if (holds_idle_fd(node))
		close_idle_fd(store, node);
}

void node_maybe_free(struct store *store, struct node *node)
{
	if (node == store->root || node->nlookup > 0 || node->opens > 0 || node->pins > 0 || node->nlink > 0)
		return;
	node_maybe_unaccount(store, node);
	if (node->fd >= 0) {
		close(node->fd);
		node->fd = -1;
		if (node_is_reg(node))
			store->fd_cached--;
	}
	node_free(store, node);
}

/* Allows a few thousand idle backing fds, well under RLIMIT_NOFILE, so that re-opening a segment
 * costs no openat() while the daemon keeps room for the kernel's and libfuse's own descriptors. */
static unsigned fd_cache_limit(void)
{
	struct rlimit rl;
	if (getrlimit(RLIMIT_NOFILE, &rl) != 0 || rl.rlim_cur == RLIM_INFINITY)
		return 4096;
	/* A small limit keeps most of it for what must be open (directories, segments in use, libfuse's own):
	 * idle descriptors are then only a quarter. */
	if (rl.rlim_cur < 512)
		return (unsigned)(rl.rlim_cur / 4);
	rlim_t limit = rl.rlim_cur / 2;
	return limit > 16384 ? 16384 : (unsigned)limit;
}

static void free_all(struct store *store);

int store_open(const struct store_config *config, struct store **out)
{
	int err;
	struct store *store = calloc(1, sizeof(*store));
	if (store == NULL)
		return -ENOMEM;
	store->config = *config;
	if (store->config.reclaim_grace_ms == 0)
		store->config.reclaim_grace_ms = STORE_RECLAIM_GRACE_MS;
	store->is_root = geteuid() == 0;
	store->fd_cache_limit = fd_cache_limit();
	pthread_mutex_init(&store->lock, NULL);
	pool_init(&store->pool, config->pool_bytes, config->pool_nodes);
	err = names_init(&store->names);
	if (err != 0)
		goto err_free;
	store->root = node_new(store, S_IFDIR | (config->root_mode & 07777));
	if (store->root == NULL) {
		err = -ENOMEM;
		goto err_names;
	}
	store->root->uid = config->root_uid;
	store->root->gid = config->root_gid;
	store->root->nlink = 2;
	store->root->nlookup = 1;
	err = backing_open_dir(config->backing_dir, NULL);
	if (err < 0)
		goto err_root;
	store->root->fd = err;
	/* One daemon per backing directory: two would each believe their own memory. The kernel drops the
	 * lock when its holder dies, so a crashed daemon never blocks its successor. */
	if (flock(store->root->fd, LOCK_EX | LOCK_NB) != 0) {
		err = errno == EWOULDBLOCK ? -EBUSY : -errno;
		goto err_fd;
	}
	struct stat st;
	if (fstat(store->root->fd, &st) == 0)
		store->root->ino = st.st_ino;
	struct statfs sfs;
	store->backing_is_tmpfs = fstatfs(store->root->fd, &sfs) == 0 && sfs.f_type == TMPFS_MAGIC;
	pool_take_node(&store->pool);
	err = store_load(store);
	if (err != 0)
		goto err_nodes;
	/* Only tmpfs allocates at write time: a disk filesystem with delayed allocation allocates nothing in
	 * write(2), and ext4 ignores a hole punched past the end, which would leave the blocks for good. */
	if (config->prealloc_bytes > 0 && store->backing_is_tmpfs) {
		store->prealloc = prealloc_new();
		if (store->prealloc == NULL) {
			err = -ENOMEM;
			goto err_nodes;
		}
	}
	*out = store;
	return 0;

err_nodes:
	free_all(store);
	goto err_names;
err_fd:
	close(store->root->fd);
err_root:
	node_free(store, store->root);
err_names:
	names_free(&store->names);
err_free:
	pthread_mutex_destroy(&store->lock);
	free(store);
	return err;
}

/* Frees every name below dir (not the nodes: store_close frees those from its list). */
static void free_links(struct node *dir)
{
	struct link *l = dir->first_child;
	while (l != NULL) {
		struct link *next = l->next;
		if (node_is_dir(l->node) && l->node->first_child != NULL)
			free_links(l->node);
		free(l);
		l = next;
	}
	dir->first_child = dir->last_child = NULL;
}

/* Frees every node and name; used at shutdown and when start-up fails part way. */
static void free_all(struct store *store)
{
	store->nodes_peak = 0; /* the process is about to end or fail: no trims on the way */
	free_links(store->root);
	while (store->all != NULL) {
		struct node *node = store->all;
		if (node->fd >= 0)
			close(node->fd);
		node_free(store, node);
	}
	store->root = NULL;
}

void store_close(struct store *store)
{
	if (store == NULL)
		return;
	store_dirs_free(store);
	/* Handles still open at shutdown: their segments keep no blocks past their end either. */
	store_prealloc_settle_all(store);
	/* Nobody can open them any more; the caller's cache is going away with us. */
	store->config.on_unlinked = NULL;
	store_reclaim_all_deferred(store);
	prealloc_free(store->prealloc);
	free_all(store);
	names_free(&store->names);
	pthread_mutex_destroy(&store->lock);
	free(store);
}

struct node *store_root(struct store *store)
{
	return store->root;
}

uint64_t store_ino(const struct node *node)
{
	return node->ino;
}

int store_lookup(struct store *store, struct node *dir, const char *name, struct node **out, struct stat *st)
{
	int err = check_name(name);
	if (err != 0)
		return err;
	pthread_mutex_lock(&store->lock);
	struct link *link = names_find(&store->names, dir, name, strlen(name));
	if (link == NULL) {
		err = -ENOENT;
	} else {
		link->node->nlookup++;
		node_looked_up(link->node);
		node_fill_stat(link->node, st);
		*out = link->node;
	}
	pthread_mutex_unlock(&store->lock);
	return err;
}

void store_forget(struct store *store, struct node *node, uint64_t count)
{
	pthread_mutex_lock(&store->lock);
	node->nlookup = count > node->nlookup ? 0 : node->nlookup - count;
	node_maybe_free(store, node);
	pthread_mutex_unlock(&store->lock);
}

int store_getattr(struct store *store, struct node *node, struct stat *st)
{
	pthread_mutex_lock(&store->lock);
	node_fill_stat(node, st);
	pthread_mutex_unlock(&store->lock);
	return 0;
}

/* Changes the backing file's length and the pool together, or neither. Lock held. */
int node_resize(struct store *store, struct node *node, uint64_t size)
{
	/* No name and no handle left: the segment is gone, and its bytes are no longer in the pool. The kernel
	 * can still ask by a name it has not yet been told is gone (a transient segment removed at its last
	 * close); resizing it would take from a count it is no longer in. */
	if (!node->accounted)
		return -ENOENT;
	/* The same size goes on to the backing file all the same: truncate(2) marks the times even then, as
	 * Linux does on every file system, and the backing inode keeps them for a restart. */
	node_prealloc_settle(store, node);
	/* Only growth is held to the capacity: a segment already past it (a record edited by hand, or a
	 * capacity from before) may always shrink. */
	if (size > node->capacity && size > node->size)
		return -EFBIG;
	if (size > (uint64_t)INT64_MAX)
		return -EFBIG;
	int err = pool_resize(&store->pool, node->size, size);
	if (err != 0)
		return err;
	int fd = node_fd(store, node);
	/* Growth is backed by blocks before it is made (node_reserve): a hole would meet a full backing file
	 * system only when mapped stores are written back, too late to tell anyone. */
	err = fd < 0 ? fd : size > node->size ? node_reserve(store, node, size) : 0;
	if (err == 0 && ftruncate(fd, (off_t)size) != 0)
		err = -errno;
	if (err != 0) {
		pool_restore(&store->pool, size, node->size);
		return err;
	}
	node->size = size;
	/* Shrinking frees the blocks past the end; growth has its blocks already. */
	uint64_t kept = round_to_block(size);
	if (node->allocated > kept)
		node->allocated = kept;
	node_take_backing_times(node);
	node_fd_trim(store, node);
	return 0;
}

int store_drop_setid(struct store *store, struct node *node)
{
	int err = 0;
	pthread_mutex_lock(&store->lock);
	mode_t drop = S_ISUID | ((node->mode & S_IXGRP) != 0 ? S_ISGID : 0);
	if (node_is_reg(node) && (node->mode & drop) != 0) {
		mode_t saved = node->mode;
		node->mode &= ~drop;
		err = node_save_meta(store, node);
		if (err != 0) {
			node->mode = saved;
		} else {
			node_touch(&node->ctime);
			err = 1;
		}
	}
	pthread_mutex_unlock(&store->lock);
	return err;
}

/* Times are set on the backing file too, so that a restart shows them. Lock held. */
static int set_backing_times(struct store *store, struct node *node, const struct timespec times[2])
{
	int dirfd;
	const char *name;
	if (node == store->root)
		return futimens(node->fd, times) == 0 ? 0 : -errno;
	if (node_backing_at(node, &dirfd, &name) != 0)
		return 0; /* unlinked: nothing left to restore */
	return utimensat(dirfd, name, times, AT_SYMLINK_NOFOLLOW) == 0 ? 0 : -errno;
}

/* Owners of symlinks and special files live on the backing inode itself: they carry no metadata record. */
static int set_backing_owner(struct store *store, struct node *node, uid_t uid, gid_t gid)
{
	int dirfd;
	const char *name;
	if (!store->is_root || node_backing_at(node, &dirfd, &name) != 0)
		return 0;
	return fchownat(dirfd, name, uid, gid, AT_SYMLINK_NOFOLLOW) == 0 ? 0 : -errno;
}

/* FIFOs and sockets keep their mode on the backing inode, which the daemon never opens. */
static int set_backing_mode(struct node *node, mode_t mode)
{
	int dirfd;
	const char *name;
	if (node_backing_at(node, &dirfd, &name) != 0)
		return 0;
	return fchmodat(dirfd, name, mode, 0) == 0 ? 0 : -errno;
}

static bool has_record(const struct node *node)
{
	return node_is_reg(node) || node_is_dir(node);
}

int store_setattr(struct store *store, struct node *node, const struct store_setattr *req, struct stat *st)
{
	int err = 0;
	struct node saved;
	pthread_mutex_lock(&store->lock);
	saved = *node;
	if ((req->valid & STORE_SET_SIZE) != 0) {
		if (node_is_dir(node))
			err = -EISDIR;
		else if (!node_is_reg(node))
			err = -EINVAL;
		else
			err = node_resize(store, node, req->size);
		if (err != 0)
			goto out;
	}
	bool meta_changed = false;
	if ((req->valid & STORE_SET_MODE) != 0) {
		node->mode = (node->mode & S_IFMT) | (req->mode & 07777);
		meta_changed = true;
	}
	if ((req->valid & STORE_SET_UID) != 0) {
		node->uid = req->uid;
		meta_changed = true;
	}
	if ((req->valid & STORE_SET_GID) != 0) {
		node->gid = req->gid;
		meta_changed = true;
	}
	if (meta_changed) {
		if (has_record(node))
			err = node_save_meta(store, node);
		else if ((req->valid & STORE_SET_MODE) != 0 && !S_ISLNK(node->mode))
			err = set_backing_mode(node, req->mode & 07777);
		if (err == 0 && !has_record(node) && (req->valid & (STORE_SET_UID | STORE_SET_GID)) != 0)
			err = set_backing_owner(store, node, node->uid, node->gid);
		if (err != 0) {
			/* Keep memory and backing in step: undo a size change made above too. */
			node->mode = saved.mode;
			node->uid = saved.uid;
			node->gid = saved.gid;
			if (node->size != saved.size)
				node_resize(store, node, saved.size);
			node->mtime = saved.mtime;
			node->ctime = saved.ctime;
			goto out;
		}
		node_touch(&node->ctime);
	}
	if ((req->valid & (STORE_SET_ATIME | STORE_SET_MTIME | STORE_SET_ATIME_NOW | STORE_SET_MTIME_NOW)) != 0) {
		struct timespec now;
		struct timespec times[2] = { { .tv_nsec = UTIME_OMIT }, { .tv_nsec = UTIME_OMIT } };
		node_touch(&now);
		if ((req->valid & STORE_SET_ATIME_NOW) != 0)
			times[0] = now;
		else if ((req->valid & STORE_SET_ATIME) != 0)
			times[0] = req->atime;
		if ((req->valid & STORE_SET_MTIME_NOW) != 0)
			times[1] = now;
		else if ((req->valid & STORE_SET_MTIME) != 0)
			times[1] = req->mtime;
		if (!S_ISLNK(node->mode) || store->is_root)
			set_backing_times(store, node, times);
		if (times[0].tv_nsec != UTIME_OMIT)
			node->atime = times[0];
		if (times[1].tv_nsec != UTIME_OMIT)
			node->mtime = times[1];
		node->ctime = now;
	}
	if ((req->valid & STORE_SET_CTIME) != 0)
		node->ctime = req->ctime;
	node_fill_stat(node, st);
out:
	pthread_mutex_unlock(&store->lock);
	return err;
}

int store_readlink(struct store *store, struct node *node, char *buf, size_t size)
{
	int dirfd;
	const char *name;
	int err;
	if (!S_ISLNK(node->mode))
		return -EINVAL;
	pthread_mutex_lock(&store->lock);
	err = node_backing_at(node, &dirfd, &name);
	if (err == 0) {
		ssize_t n = readlinkat(dirfd, name, buf, size);
		if (n < 0)
			err = -errno;
		else if ((size_t)n >= size)
			err = -ENAMETOOLONG;
		else {
			buf[n] = '\0';
			err = (int)n;
		}
	}
	pthread_mutex_unlock(&store->lock);
	return err;
}

/* What is available is also bounded by the backing file system, which others share (/dev/shm): where it has
 * less left than the pool, f_bavail and f_favail say so, as a file system's reserve does, while f_bfree and
 * f_ffree stay the pool's, so that df's Size and Used are the pool's and its Avail is the room a write has. */
static void cap_by_backing(struct store *store, struct statvfs *out)
{
	struct statvfs backing;
	if (fstatvfs(store->root->fd, &backing) != 0 || backing.f_frsize == 0)
		return;
	uint64_t backing_bytes = (uint64_t)backing.f_bavail;
	backing_bytes = backing_bytes > UINT64_MAX / backing.f_frsize ? UINT64_MAX
								       : backing_bytes * backing.f_frsize;
	uint64_t backing_blocks = backing_bytes / STORE_BLOCK;
	if (backing_blocks < out->f_bavail)
		out->f_bavail = backing_blocks;
	/* A file system without an inode count (f_files 0, as btrfs) has no limit to show. */
	if (backing.f_files != 0 && backing.f_favail < out->f_favail)
		out->f_favail = backing.f_favail;
}

void store_statfs(struct store *store, struct statvfs *out)
{
	memset(out, 0, sizeof(*out));
	pthread_mutex_lock(&store->lock);
	uint64_t used_blocks = (store->pool.byte_used + STORE_BLOCK - 1) / STORE_BLOCK;
	uint64_t total_blocks = store->pool.byte_limit / STORE_BLOCK;
	out->f_bsize = STORE_BLOCK;
	out->f_frsize = STORE_BLOCK;
	/* A pool started smaller than what it already holds (store_load takes it all) shows all of that used:
	 * statfs has no way to say "more used than there is", and a smaller count would hide segments. */
	out->f_blocks = used_blocks > total_blocks ? used_blocks : total_blocks;
	out->f_bfree = out->f_blocks - used_blocks;
	out->f_bavail = out->f_bfree;
	uint64_t nodes = store->pool.node_used > store->pool.node_limit ? store->pool.node_used
									 : store->pool.node_limit;
	out->f_files = nodes;
	out->f_ffree = nodes - store->pool.node_used;
	out->f_favail = out->f_ffree;
	out->f_namemax = STORE_NAME_MAX;
	pthread_mutex_unlock(&store->lock);
	cap_by_backing(store, out);
}
