/* store_int.h - the store's private structures, shared by the store_*.c files and nobody else. */
#ifndef MMFS_STORE_INT_H
#define MMFS_STORE_INT_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include "names.h"
#include "pool.h"
#include "store.h"

struct node {
	mode_t mode;             /* type and permissions as users see them */
	uid_t uid;
	gid_t gid;
	uint32_t nlink;
	uint64_t size;           /* exact length; equals the backing file's length */
	uint64_t capacity;       /* META_UNLIMITED for none */
	enum lifetime lifetime;
	uint32_t lookup_ms;      /* transient: when its last lookup was answered (store_reclaim.c's clock) */
	struct timespec atime, mtime, ctime;
	uint64_t ino;            /* st_ino shown to users: the backing inode number */
	uint64_t nlookup;        /* references the kernel holds */
	uint32_t opens;          /* open handles (each mapping holds one too) */
	uint32_t pins;           /* holds other than the kernel's: directory snapshots, a deferred reclaim */
	bool accounted;          /* counted in the pool (false once the last name and handle are gone) */
	bool times_stale;        /* written since mtime was read from the backing file */
	bool reclaim_deferred;   /* transient: on store->deferred, its reclaim put off until reclaim_ms */
	bool looked_up;          /* transient: looked up at lookup_ms */
	uint64_t allocated;      /* bytes from 0 known to have blocks in the backing file (page multiple) */
	uint64_t prealloc_end;   /* blocks were asked for up to here, past the end (store_data.c); 0: none */
	int fd;                  /* backing fd: O_RDWR for files, O_DIRECTORY for directories, or -1 */
	uint32_t reclaim_ms;     /* see reclaim_deferred */
	struct link *links;      /* the names of this node */
	struct link *first_child; /* directories: entries in creation order */
	struct link *last_child;
	struct node *all_prev;   /* every node of the store, so that closing it frees even unnamed ones */
	struct node *all_next;
};

struct store {
	pthread_mutex_t lock;
	struct store_config config;
	struct names names;
	struct pool pool;
	struct node *root;
	struct node *all;         /* list of every node */
	struct store_dir *dirs;   /* open directory listings */
	unsigned fd_cached;       /* backing fds held by nodes with no open handle */
	unsigned fd_cache_limit;
	bool is_root;             /* running as root: owners can be given to backing symlinks */
	size_t nodes_live;        /* nodes allocated now */
	size_t nodes_peak;        /* most nodes allocated since memory was last handed back */
	bool backing_is_tmpfs;     /* where allocating ahead pays and blocks past the end can be punched */
	struct prealloc *prealloc; /* NULL when config.prealloc_bytes is 0 or the backing is not tmpfs */
	unsigned prealloc_streams; /* nodes with a prealloc_end */
	struct deferred_reclaim *deferred; /* transient segments whose reclaim is put off (store_reclaim.c) */
};

/* Block size shown to users and the granularity of block reservations: tmpfs and disk filesystems allocate
 * whole pages. */
#define STORE_BLOCK 4096

static inline uint64_t round_to_block(uint64_t n)
{
	return (n + STORE_BLOCK - 1) / STORE_BLOCK * STORE_BLOCK;
}

static inline bool node_is_dir(const struct node *n) { return S_ISDIR(n->mode); }
static inline bool node_is_reg(const struct node *n) { return S_ISREG(n->mode); }
/* A transient segment: its names go at its last close, with no request for them. */
static inline bool node_names_may_vanish(const struct node *n)
{
	return node_is_reg(n) && n->lifetime == LIFETIME_TRANSIENT;
}

/* store.c */
struct node *node_new(struct store *store, mode_t mode);
/* Takes a node out of the store's list and frees it (its fd must be closed already). */
void node_free(struct store *store, struct node *node);
/* Copies mtime and ctime from the backing file after a data change, so that what users see now is what a
 * restart will show. Writes only mark the times stale; they are read when someone looks, or before the
 * backing fd closes, which keeps a system call off every write. */
void node_take_backing_times(struct node *node);
/* Sets the node's three times from a stat of its backing object. */
void node_take_times(struct node *node, const struct stat *st);
/* Fills st; reads the backing file's times first when a write made them stale. */
void node_fill_stat(struct node *node, struct stat *st);
void node_touch(struct timespec *ts);
/* Frees the node when nothing refers to it any more. Call with the lock held. */
void node_maybe_free(struct store *store, struct node *node);
/* The node lost its last name: give back its pool share once no handle remains either. */
void node_maybe_unaccount(struct store *store, struct node *node);
/* openat(2) of a backing object, never following a symlink, closed on exec, and without moving its access
 * time (O_NOATIME where the daemon may ask for it). At the open-file limit it closes the idle cached
 * descriptors and tries again, and then fails with ENFILE. Returns the fd, or -1 with errno. Lock held. */
int backing_openat(struct store *store, int dirfd, const char *name, int flags, mode_t mode);
/* A backing fd of a regular file or directory, opened on demand. Returns fd or -errno. */
int node_fd(struct store *store, struct node *node);
/* Closes a cached fd of a file with no open handle when the cache is over its limit. */
void node_fd_trim(struct store *store, struct node *node);
/* The node's metadata as meta.h records it. */
struct meta node_meta(const struct node *node);
/* Writes the metadata record of a file or directory to its backing file. */
int node_save_meta(struct store *store, struct node *node);
/* Writes meta as the record of the backing file open as fd. Returns 0 or -errno. */
int meta_write_fd(int fd, const struct meta *meta);
/* Where the node's backing file is reached from: its parent's fd and name. -ENOENT when it has no name. */
int node_backing_at(struct node *node, int *dirfd, const char **name);
int check_name(const char *name);
/* Changes a file's length in the backing file and the pool together, or neither (-EFBIG, -ENOSPC). */
int node_resize(struct store *store, struct node *node, uint64_t size);

/* store_data.c: gives back the blocks allocated past the segment's end for a sequential writer, once no
 * more will be asked for: at its last close, before its length changes, at shutdown. Lock held. */
void node_prealloc_settle(struct store *store, struct node *node);
/* Settles every segment allocated ahead: at shutdown, and when the backing filesystem is full. Returns whether
 * there were any. */
bool store_prealloc_settle_all(struct store *store);
/* Punches [from, from + len) out of a backing file, past its end, then sets its times (tmpfs changes mtime on
 * a punched hole). */
void punch_past_end(int fd, uint64_t from, uint64_t len, const struct timespec times[2]);
/* Gives every byte of [allocated, end) a block in the backing file (past its end too), so that a segment's
 * growth is refused at once with ENOSPC when the backing file system cannot hold it. A hole would get its
 * blocks only when a store through a mapping is written back, and a failure there reaches no process: the
 * stores would be lost without a word. Returns 0 (also on a file system without fallocate) or -errno, and
 * then leaves the backing file's length, its blocks past the end and its times as they were. Lock held. */
int node_reserve(struct store *store, struct node *node, uint64_t end);

/* store_ns.c */
void dir_attach(struct store *store, struct node *dir, struct link *link);
void dir_detach(struct store *store, struct link *link);
/* Removes every name of a transient node (its last handle is gone). Returns the number of names removed. */
void node_unlink_all(struct store *store, struct node *node);

/* store_reclaim.c: how long a last close that follows a lookup leaves a transient segment, unless
 * store_config.reclaim_grace_ms says otherwise. */
#define STORE_RECLAIM_GRACE_MS 50
/* Notes a lookup of node (of a transient segment), with the store's lock held. */
void node_looked_up(struct node *node);
/* The last handle of node is gone: a transient segment is reclaimed (now or deferred), and whatever an unused
 * node holds is given back. node may be freed. */
void node_last_close(struct store *store, struct node *node);
/* At close, with no lock and no callbacks wanted: every deferred reclaim, due or not. */
void store_reclaim_all_deferred(struct store *store);

/* store_dir.c: frees listings the kernel never released (at close). */
void store_dirs_free(struct store *store);

/* store_load.c */
int store_load(struct store *store);

#endif
