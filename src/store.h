/* store.h - the segment store: names, metadata, capacity, pool, lifetime and backing files. No FUSE here. */
#ifndef MMFS_STORE_H
#define MMFS_STORE_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/types.h>

#include "meta.h"

/*
 * Every function returns 0 (or a count) on success and a negative errno on failure; a failing call leaves
 * the store as it was. Functions never print and never exit. All of them are thread-safe.
 * A struct node stays valid while the caller holds a lookup reference (store_lookup and friends take one,
 * store_forget drops them) or an open handle (store_open to store_release).
 */
struct store;
struct node;
struct store_dir;

struct store_config {
	const char *backing_dir;   /* directory that holds the backing files; created 0700 if missing */
	uint64_t pool_bytes;       /* most bytes of content in all segments together */
	uint64_t pool_nodes;       /* most inodes (segments, directories, links) */
	uint64_t default_capacity; /* META_UNLIMITED for none */
	enum lifetime default_lifetime;
	/* How far ahead of a segment's end to allocate backing blocks while it is written sequentially in large
	 * writes (prealloc.h); 0: never. */
	uint64_t prealloc_bytes;
	mode_t root_mode;          /* permission bits of a new root directory */
	uid_t root_uid;
	gid_t root_gid;
	/* Called (with the store's lock held: only queue work) when the store itself removes a name, as it does
	 * for a transient segment whose last handle closed, so the caller can tell its cache. May be NULL. */
	void (*on_unlinked)(void *ctx, struct node *dir, const char *name);
	/* Called (with the store's lock held: only queue work) when a transient segment's reclaim is put off
	 * because an open may be on its way: store_reclaim_due must be called from then on until it returns -1.
	 * May be NULL: then no reclaim is put off. */
	void (*on_reclaim_deferred)(void *ctx);
	/* How long (ms) a transient segment's last close that comes that soon after a lookup of it leaves it;
	 * 0: 50 ms. */
	uint32_t reclaim_grace_ms;
	void *ctx;
	/* Where store_open writes the backing entry whose load failed (its path under backing_dir), so that
	 * the refusal can name it; empty when the failure was not one entry's. May be NULL. */
	char *failed_entry;
	size_t failed_entry_size;
};

/* Longest name of one directory entry. */
#define STORE_NAME_MAX 255

/* Opens the backing directory (creating it 0700 when missing, refusing one not owned by us or open to
 * others), loads every segment into memory and removes transient segments that nobody holds any more. */
int store_open(const struct store_config *config, struct store **out);
void store_close(struct store *store);

struct node *store_root(struct store *store);
/* The inode number shown to users (stable across restarts). */
uint64_t store_ino(const struct node *node);

int store_lookup(struct store *store, struct node *dir, const char *name, struct node **out, struct stat *st);
void store_forget(struct store *store, struct node *node, uint64_t count);
int store_getattr(struct store *store, struct node *node, struct stat *st);

/* What store_setattr changes. */
enum {
	STORE_SET_MODE = 1 << 0,
	STORE_SET_UID = 1 << 1,
	STORE_SET_GID = 1 << 2,
	STORE_SET_SIZE = 1 << 3,
	STORE_SET_ATIME = 1 << 4,
	STORE_SET_MTIME = 1 << 5,
	STORE_SET_ATIME_NOW = 1 << 6,
	STORE_SET_MTIME_NOW = 1 << 7,
	STORE_SET_CTIME = 1 << 8,
};

struct store_setattr {
	unsigned valid;
	mode_t mode;
	uid_t uid;
	gid_t gid;
	uint64_t size;
	struct timespec atime;
	struct timespec mtime;
	struct timespec ctime;
};

/* A size past the capacity fails with -EFBIG, past the pool with -ENOSPC; nothing changes then. */
int store_setattr(struct store *store, struct node *node, const struct store_setattr *req, struct stat *st);

/*
 * What a write or truncate by someone without CAP_FSETID does to a segment, as every Linux file system does:
 * clears set-user-ID, and set-group-ID when group execute is set (without it, the bit means mandatory
 * locking, not privilege). Returns 1 when bits were dropped, 0 when there were none (which costs only the
 * check), or -errno.
 */
int store_drop_setid(struct store *store, struct node *node);

/* Who asks: the owner of what gets created. */
struct store_caller {
	uid_t uid;
	gid_t gid;
};

/* Creates a regular file, FIFO or socket (mode carries the type); -EEXIST when the name is taken.
 * Takes a lookup reference on the new node. */
int store_mknod(struct store *store, struct node *dir, const char *name, mode_t mode,
		const struct store_caller *caller, struct node **out, struct stat *st);
int store_mkdir(struct store *store, struct node *dir, const char *name, mode_t mode,
		const struct store_caller *caller, struct node **out, struct stat *st);
int store_symlink(struct store *store, struct node *dir, const char *name, const char *target,
		  const struct store_caller *caller, struct node **out, struct stat *st);
int store_link(struct store *store, struct node *node, struct node *dir, const char *name, struct stat *st);
int store_unlink(struct store *store, struct node *dir, const char *name);
int store_rmdir(struct store *store, struct node *dir, const char *name);

/* Flags as renameat2: RENAME_NOREPLACE, RENAME_EXCHANGE; anything else is -EINVAL. */
int store_rename(struct store *store, struct node *dir, const char *name, struct node *newdir,
		 const char *newname, unsigned flags);

/* Copies the target into buf with a terminating NUL; -ENAMETOOLONG if it does not fit. Returns the length. */
int store_readlink(struct store *store, struct node *node, char *buf, size_t size);

/* Data path (store_data.c): the one seam where a newer libfuse could hand I/O to the kernel instead. */
/* -ESTALE for a segment that has lost its last name and handle (removed since the caller looked it up). */
int store_open_file(struct store *store, struct node *node, int flags);
/* Drops an open handle; a transient segment with no handle and no mapping left is removed, or, when its name
 * was just looked up (an open may be on its way), a moment later (reclaim_grace_ms, through
 * store_reclaim_due). */
void store_release(struct store *store, struct node *node);
/* Removes the transient segments whose deferred reclaim is due; returns the nanoseconds until the next one
 * is, or -1 when none is left. */
int64_t store_reclaim_due(struct store *store);
ssize_t store_read(struct store *store, struct node *node, void *buf, size_t size, uint64_t off);
/* Where a read of [off, off+size) is served from without copying: the backing fd and the length left after
 * clamping to the segment's end (0 at or past it). Returns 0 or -errno. The fd stays valid while the
 * caller's handle is open. */
int store_read_source(struct store *store, struct node *node, uint64_t off, size_t size, int *fd, size_t *len);
/* Writes all of buf or nothing: -EFBIG past the capacity, -ENOSPC past the pool or a full backing fs. */
ssize_t store_write(struct store *store, struct node *node, const void *buf, size_t size, uint64_t off);
int store_fsync(struct store *store, struct node *node, bool datasync);
/* Makes room for [off, off+len) without changing the length unless keep_size is false (fallocate mode 0). */
int store_fallocate(struct store *store, struct node *node, uint64_t off, uint64_t len, bool keep_size);

/* Directory listing: a snapshot of the names, so that offsets stay stable while entries change. A read from
 * offset 0 (the first one, or after rewinddir) takes a new snapshot; if that fails (-ENOMEM) the old one stays.
 * Offsets: 0 is ".", 1 is "..", 2 on are the snapshot's names; each entry gives the next one's. */
int store_opendir(struct store *store, struct node *dir, struct store_dir **out);
/* Calls fill for each entry from offset off on, with the store's lock held (fill must only format it), until
 * fill returns false (no room: that entry is not taken) or the listing ends. A name is given with what it
 * names now: one no longer in the directory is skipped. node is non-NULL only when take_lookup is set and the
 * entry is neither "." nor "..": the node then gains a lookup reference if fill takes it (readdirplus).
 * next is the offset of the following entry. Returns 0 or a negative errno. */
int store_readdir(struct store *store, struct store_dir *list, uint64_t off, bool take_lookup,
		  bool (*fill)(void *ctx, const char *name, struct node *node, const struct stat *st, uint64_t next),
		  void *ctx);
void store_releasedir(struct store *store, struct store_dir *list);

/* Extended attributes: user.* is kept on the backing file; user.mmf.capacity and user.mmf.lifetime are
 * mmfs's own; other namespaces are -EOPNOTSUPP. Sizes work as getxattr(2)/listxattr(2). */
int store_setxattr(struct store *store, struct node *node, const char *name, const char *value, size_t size,
		   int flags);
ssize_t store_getxattr(struct store *store, struct node *node, const char *name, char *buf, size_t size);
ssize_t store_listxattr(struct store *store, struct node *node, char *buf, size_t size);
int store_removexattr(struct store *store, struct node *node, const char *name);

void store_statfs(struct store *store, struct statvfs *out);

#endif
