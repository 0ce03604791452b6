/* fs_ops.c - FUSE low-level operations: each unpacks a request, calls the store and replies. */
#include "fs_ops.h"
#include "fs_uring.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/xattr.h>

static struct fs *fs_of(fuse_req_t req)
{
	return fuse_req_userdata(req);
}

static struct node *node_of(fuse_req_t req, fuse_ino_t ino)
{
	if (ino == FUSE_ROOT_ID)
		return store_root(fs_of(req)->store);
	return (struct node *)(uintptr_t)ino;
}

static fuse_ino_t ino_of(struct fs *fs, struct node *node)
{
	return node == store_root(fs->store) ? FUSE_ROOT_ID : (fuse_ino_t)(uintptr_t)node;
}

/* The entry the kernel caches for node: long timeouts, as every change passes through this daemon. */
static void fill_entry(struct fs *fs, struct node *node, const struct stat *st, struct fuse_entry_param *e)
{
	memset(e, 0, sizeof(*e));
	e->ino = ino_of(fs, node);
	e->attr = *st;
	e->attr_timeout = fs->timeout;
	e->entry_timeout = fs->timeout;
}

static void reply_entry(fuse_req_t req, struct node *node, const struct stat *st)
{
	struct fuse_entry_param e;
	fill_entry(fs_of(req), node, st, &e);
	fuse_reply_entry(req, &e);
}

static void reply_status(fuse_req_t req, int err)
{
	fuse_reply_err(req, -err);
}

/* The reply of the operations that make or link a node: the new entry, or the error. */
static void reply_made(fuse_req_t req, int err, struct node *node, const struct stat *st)
{
	if (err != 0)
		reply_status(req, err);
	else
		reply_entry(req, node, st);
}

static struct store_caller caller_of(fuse_req_t req)
{
	const struct fuse_ctx *ctx = fuse_req_ctx(req);
	struct store_caller caller = { .uid = ctx->uid, .gid = ctx->gid };
	return caller;
}

static void op_init(void *userdata, struct fuse_conn_info *conn)
{
	struct fs *fs = userdata;
	if ((conn->capable & FUSE_CAP_SPLICE_WRITE) != 0 && fs->splice) {
		conn->want |= FUSE_CAP_SPLICE_WRITE;
		fs->splice_read_replies = true;
	}
	/* The kernel must send every write to us at once: acknowledged bytes are durable, and EFBIG/ENOSPC
	 * reach the write() that caused them. */
	conn->want &= ~FUSE_CAP_WRITEBACK_CACHE;
	/* Every change passes through this daemon, so a changed mtime never means foreign data: without this
	 * the kernel would drop the page cache after each of our own writes. */
	conn->want &= ~FUSE_CAP_AUTO_INVAL_DATA;
	/* Set-id bits: FUSE_HANDLE_KILLPRIV_V2 (fs_killpriv.c) has the kernel mark each write, truncate and
	 * O_TRUNC open whose caller lacks CAP_FSETID, and we drop them; not the older HANDLE_KILLPRIV, which
	 * leaves us to guess the caller's capabilities on every setattr. */
	conn->want &= ~FUSE_CAP_HANDLE_KILLPRIV;
	if (conn->capable & FUSE_CAP_ATOMIC_O_TRUNC)
		conn->want |= FUSE_CAP_ATOMIC_O_TRUNC;
	if (conn->capable & FUSE_CAP_READDIRPLUS)
		conn->want |= FUSE_CAP_READDIRPLUS;
	conn->want &= ~FUSE_CAP_READDIRPLUS_AUTO;
	if (conn->capable & FUSE_CAP_PARALLEL_DIROPS)
		conn->want |= FUSE_CAP_PARALLEL_DIROPS;
	/* libfuse ends the session when INIT asks for another max_read than the mount option gave. */
	conn->max_read = fs->max_read;
	conn->max_readahead = conn->max_readahead > (1u << 20) ? conn->max_readahead : (1u << 20);
}

static void op_lookup(fuse_req_t req, fuse_ino_t parent, const char *name)
{
	struct fs *fs = fs_of(req);
	struct node *node;
	struct stat st;
	int err = store_lookup(fs->store, node_of(req, parent), name, &node, &st);
	if (err == -ENOENT) {
		/* A negative entry with the same timeout: every creation passes through here, so it stays true. */
		struct fuse_entry_param e;
		memset(&e, 0, sizeof(e));
		e.entry_timeout = fs->timeout;
		fuse_reply_entry(req, &e);
		return;
	}
	reply_made(req, err, node, &st);
}

static void op_forget(fuse_req_t req, fuse_ino_t ino, uint64_t nlookup)
{
	if (ino != FUSE_ROOT_ID)
		store_forget(fs_of(req)->store, node_of(req, ino), nlookup);
	fuse_reply_none(req);
}

static void op_forget_multi(fuse_req_t req, size_t count, struct fuse_forget_data *forgets)
{
	for (size_t i = 0; i < count; i++) {
		if (forgets[i].ino != FUSE_ROOT_ID)
			store_forget(fs_of(req)->store, node_of(req, forgets[i].ino), forgets[i].nlookup);
	}
	fuse_reply_none(req);
}

static void op_getattr(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	struct stat st;
	(void)fi;
	store_getattr(fs_of(req)->store, node_of(req, ino), &st);
	fuse_reply_attr(req, &st, fs_of(req)->timeout);
}

static void op_setattr(fuse_req_t req, fuse_ino_t ino, struct stat *attr, int to_set, struct fuse_file_info *fi)
{
	static const struct { int fuse; unsigned store; } map[] = {
		{ FUSE_SET_ATTR_MODE, STORE_SET_MODE }, { FUSE_SET_ATTR_UID, STORE_SET_UID },
		{ FUSE_SET_ATTR_GID, STORE_SET_GID }, { FUSE_SET_ATTR_SIZE, STORE_SET_SIZE },
		{ FUSE_SET_ATTR_ATIME, STORE_SET_ATIME }, { FUSE_SET_ATTR_MTIME, STORE_SET_MTIME },
		{ FUSE_SET_ATTR_ATIME_NOW, STORE_SET_ATIME_NOW }, { FUSE_SET_ATTR_MTIME_NOW, STORE_SET_MTIME_NOW },
		{ FUSE_SET_ATTR_CTIME, STORE_SET_CTIME },
	};
	struct store_setattr set = {
		.mode = attr->st_mode, .uid = attr->st_uid, .gid = attr->st_gid, .size = (uint64_t)attr->st_size,
		.atime = attr->st_atim, .mtime = attr->st_mtim, .ctime = attr->st_ctim,
	};
	struct stat st;
	(void)fi;
	if ((to_set & FUSE_SET_ATTR_SIZE) != 0 && attr->st_size < 0) {
		reply_status(req, -EINVAL);
		return;
	}
	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++) {
		if ((to_set & map[i].fuse) != 0)
			set.valid |= map[i].store;
	}
	struct store *store = fs_of(req)->store;
	struct node *node = node_of(req, ino);
	int err = store_setattr(store, node, &set, &st);
	/* A truncate by a caller without CAP_FSETID, or a chown: the kernel leaves the set-id bits to us. */
	if (err == 0 && fs_request_kills_setid(fs_of(req)) && store_drop_setid(store, node) > 0)
		store_getattr(store, node, &st);
	if (err != 0)
		reply_status(req, err);
	else
		fuse_reply_attr(req, &st, fs_of(req)->timeout);
}

static void op_readlink(fuse_req_t req, fuse_ino_t ino)
{
	char buf[4096];
	int n = store_readlink(fs_of(req)->store, node_of(req, ino), buf, sizeof(buf));
	if (n < 0)
		reply_status(req, n);
	else
		fuse_reply_readlink(req, buf);
}

static void op_mknod(fuse_req_t req, fuse_ino_t parent, const char *name, mode_t mode, dev_t rdev)
{
	struct store_caller caller = caller_of(req);
	struct node *node;
	struct stat st;
	(void)rdev;
	int err = store_mknod(fs_of(req)->store, node_of(req, parent), name, mode, &caller, &node, &st);
	reply_made(req, err, node, &st);
}

static void op_mkdir(fuse_req_t req, fuse_ino_t parent, const char *name, mode_t mode)
{
	struct store_caller caller = caller_of(req);
	struct node *node;
	struct stat st;
	int err = store_mkdir(fs_of(req)->store, node_of(req, parent), name, mode, &caller, &node, &st);
	reply_made(req, err, node, &st);
}

static void op_symlink(fuse_req_t req, const char *target, fuse_ino_t parent, const char *name)
{
	struct store_caller caller = caller_of(req);
	struct node *node;
	struct stat st;
	int err = store_symlink(fs_of(req)->store, node_of(req, parent), name, target, &caller, &node, &st);
	reply_made(req, err, node, &st);
}

static void op_link(fuse_req_t req, fuse_ino_t ino, fuse_ino_t newparent, const char *newname)
{
	struct node *node = node_of(req, ino);
	struct stat st;
	int err = store_link(fs_of(req)->store, node, node_of(req, newparent), newname, &st);
	reply_made(req, err, node, &st);
}

static void op_unlink(fuse_req_t req, fuse_ino_t parent, const char *name)
{
	reply_status(req, store_unlink(fs_of(req)->store, node_of(req, parent), name));
}

static void op_rmdir(fuse_req_t req, fuse_ino_t parent, const char *name)
{
	reply_status(req, store_rmdir(fs_of(req)->store, node_of(req, parent), name));
}

static void op_rename(fuse_req_t req, fuse_ino_t parent, const char *name, fuse_ino_t newparent,
		      const char *newname, unsigned int flags)
{
	reply_status(req, store_rename(fs_of(req)->store, node_of(req, parent), name, node_of(req, newparent),
				       newname, flags));
}

/* Set-id bits dropped by a request whose reply carries no attributes: the kernel's cached mode must go (only
 * the attributes: safe from inside a request, unlike a page-cache or entry invalidation). */
static void forget_cached_mode(struct fs *fs, fuse_ino_t ino)
{
	fuse_lowlevel_notify_inval_inode(fs->se, ino, -1, 0);
}

/* O_TRUNC arrives with the open (FUSE_CAP_ATOMIC_O_TRUNC), saving a setattr round trip. It is a truncate
 * like any other: mtime and ctime change even when the segment was already empty, and set-id bits go
 * (*setid_dropped then says whether they did: the kernel learns of it from no reply of OPEN's). */
static int open_and_truncate(struct store *store, struct node *node, int flags, bool keeps_setid,
			     bool *setid_dropped)
{
	*setid_dropped = false;
	int err = store_open_file(store, node, flags);
	/* Whatever the access mode: Linux truncates an O_RDONLY|O_TRUNC open too, once the kernel has checked that
	 * the caller may write, and the kernel has already emptied its own idea of the file. */
	if (err != 0 || (flags & O_TRUNC) == 0)
		return err;
	struct store_setattr set = { .valid = STORE_SET_SIZE | STORE_SET_MTIME_NOW, .size = 0 };
	struct stat st;
	err = store_setattr(store, node, &set, &st);
	if (err == 0 && !keeps_setid)
		*setid_dropped = store_drop_setid(store, node) > 0; /* the truncate stands even if this fails */
	if (err != 0)
		store_release(store, node);
	return err;
}

static void set_open_flags(struct fuse_file_info *fi)
{
	/* Through the page cache the kernel splits a write() at the first page it does not hold whole, so a
	 * write crossing the capacity could land in part. A write-only handle can neither read nor map, so
	 * it loses nothing by going direct: each write() up to max_write (1 MiB) then reaches us whole and
	 * EFBIG or ENOSPC refuses all of it. The kernel keeps other handles' caches and mappings coherent
	 * (it writes dirty mapped pages back first and invalidates the range after). */
	if ((fi->flags & O_ACCMODE) == O_WRONLY)
		fi->direct_io = 1;
	/* Our data never changes behind the kernel's back: keep its page cache across opens. */
	fi->keep_cache = 1;
	/* Locks are the kernel's own (we implement no lock ops), so close needs no FLUSH round trip. */
	fi->noflush = 1;
}

/* Makes name in dir, or without O_EXCL finds what another creator made first (*existed), as open(O_CREAT)
 * does. What was found can go again at once (a transient segment's last close): a few rounds, then ESTALE,
 * on which the kernel looks the name up afresh. */
static int make_or_find(struct fs *fs, fuse_req_t req, struct node *dir, const char *name, mode_t mode,
			int flags, struct node **node, struct stat *st, bool *existed)
{
	struct store_caller caller = caller_of(req);
	*existed = false;
	for (int round = 0; round < 3; round++) {
		int err = store_mknod(fs->store, dir, name, S_IFREG | (mode & 07777), &caller, node, st);
		if (err != -EEXIST || (flags & O_EXCL) != 0)
			return err;
		err = store_lookup(fs->store, dir, name, node, st);
		if (err != -ENOENT) {
			*existed = err == 0;
			return err;
		}
	}
	return -ESTALE;
}

static void op_create(fuse_req_t req, fuse_ino_t parent, const char *name, mode_t mode,
		      struct fuse_file_info *fi)
{
	struct fs *fs = fs_of(req);
	struct node *node;
	struct stat st;
	struct node *dir = node_of(req, parent);
	bool existed;
	int err = make_or_find(fs, req, dir, name, mode, fi->flags, &node, &st, &existed);
	if (existed) {
		if (S_ISDIR(st.st_mode)) {
			store_forget(fs->store, node, 1);
			err = -EISDIR;
		} else {
			bool dropped; /* the attributes of the reply below are read after it */
			err = open_and_truncate(fs->store, node, fi->flags, !fs_write_kills_setid(fs, req), &dropped);
			if (err != 0)
				store_forget(fs->store, node, 1);
			else
				store_getattr(fs->store, node, &st);
		}
		if (err != 0) {
			reply_status(req, err);
			return;
		}
	} else if (err != 0) {
		reply_status(req, err);
		return;
	} else {
		err = store_open_file(fs->store, node, fi->flags);
		if (err != 0) {
			store_unlink(fs->store, dir, name);
			store_forget(fs->store, node, 1);
			reply_status(req, err);
			return;
		}
	}
	struct fuse_entry_param e;
	fill_entry(fs, node, &st, &e);
	set_open_flags(fi);
	if (fuse_reply_create(req, &e, fi) != 0) {
		/* The opener is gone (interrupted): the kernel will send no release for this handle. */
		store_release(fs->store, node);
	}
}

static void op_open(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	struct fs *fs = fs_of(req);
	struct node *node = node_of(req, ino);
	bool dropped;
	int err = open_and_truncate(fs->store, node, fi->flags, !fs_write_kills_setid(fs, req), &dropped);
	if (err != 0) {
		reply_status(req, err);
		return;
	}
	if (dropped)
		forget_cached_mode(fs, ino);
	set_open_flags(fi);
	if (fuse_reply_open(req, fi) != 0)
		store_release(fs->store, node);
}

/* One buffer per worker thread, kept between requests: a fresh malloc of a large reply buffer would be
 * returned to the kernel by glibc after every read (see FUSE-FACTS). */
static __thread char *read_buffer;
static __thread size_t read_buffer_size;

/* Reads are spliced from the backing file into the reply when the kernel allows splice: no copy through
 * our memory, and none of libfuse's per-reply bounce buffers. */
static void op_read(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off, struct fuse_file_info *fi)
{
	(void)fi;
	/* A queue's reply goes into its ring entry (fs_uring.c), never through a pipe. */
	if (fs_of(req)->splice_read_replies && !fs_uring_serving()) {
		int fd;
		size_t len;
		int err = store_read_source(fs_of(req)->store, node_of(req, ino), (uint64_t)off, size, &fd, &len);
		if (err != 0) {
			reply_status(req, err);
			return;
		}
		struct fuse_bufvec bv = FUSE_BUFVEC_INIT(len);
		bv.buf[0].flags = FUSE_BUF_IS_FD | FUSE_BUF_FD_SEEK | FUSE_BUF_FD_RETRY;
		bv.buf[0].fd = fd;
		bv.buf[0].pos = off;
		fuse_reply_data(req, &bv, 0);
		return;
	}
	/* A queue's ring entry takes the bytes where the reply goes; otherwise this thread's own buffer. */
	char *into = fs_uring_reply_room(size);
	if (into == NULL) {
		if (size > read_buffer_size) {
			char *grown = realloc(read_buffer, size);
			if (grown == NULL) {
				reply_status(req, -ENOMEM);
				return;
			}
			read_buffer = grown;
			read_buffer_size = size;
		}
		into = read_buffer;
	}
	ssize_t n = store_read(fs_of(req)->store, node_of(req, ino), into, size, (uint64_t)off);
	if (n < 0)
		reply_status(req, (int)n);
	else
		fuse_reply_buf(req, into, (size_t)n);
}

static void op_write(fuse_req_t req, fuse_ino_t ino, const char *buf, size_t size, off_t off,
		     struct fuse_file_info *fi)
{
	if (off < 0) {
		reply_status(req, -EINVAL);
		return;
	}
	struct store *store = fs_of(req)->store;
	struct node *node = node_of(req, ino);
	ssize_t n = store_write(store, node, buf, size, (uint64_t)off);
	/* The bytes are written: a failure to drop the bits cannot undo them. */
	if (n > 0 && fs_write_kills_setid(fs_of(req), req) && store_drop_setid(store, node) > 0)
		forget_cached_mode(fs_of(req), ino);
	/* A write() through a cached handle (not write-only: set_open_flags) is already in the kernel's page cache;
	 * a writeback's pages hold only what mappings stored and must stay. Posted before the reply, while the
	 * handle keeps the segment. */
	if (n < 0 && size > 0 && !fi->writepage && (fi->flags & O_ACCMODE) != O_WRONLY)
		fs_on_refused_write(fs_of(req), ino, node, (uint64_t)off, size);
	if (n < 0)
		reply_status(req, (int)n);
	else
		fuse_reply_write(req, (size_t)n);
}

static void op_flush(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	(void)ino;
	(void)fi;
	fuse_reply_err(req, 0);
}

static void op_release(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	(void)fi;
	store_release(fs_of(req)->store, node_of(req, ino));
	fuse_reply_err(req, 0);
}

static void op_fsync(fuse_req_t req, fuse_ino_t ino, int datasync, struct fuse_file_info *fi)
{
	(void)fi;
	reply_status(req, store_fsync(fs_of(req)->store, node_of(req, ino), datasync != 0));
}

static void op_fallocate(fuse_req_t req, fuse_ino_t ino, int mode, off_t off, off_t len,
			 struct fuse_file_info *fi)
{
	(void)fi;
	if ((mode & ~FALLOC_FL_KEEP_SIZE) != 0) {
		reply_status(req, -EOPNOTSUPP);
		return;
	}
	if (off < 0 || len <= 0) {
		reply_status(req, -EINVAL);
		return;
	}
	reply_status(req, store_fallocate(fs_of(req)->store, node_of(req, ino), (uint64_t)off, (uint64_t)len,
					  (mode & FALLOC_FL_KEEP_SIZE) != 0));
}

static void op_opendir(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	struct store_dir *list;
	int err = store_opendir(fs_of(req)->store, node_of(req, ino), &list);
	if (err != 0) {
		reply_status(req, err);
		return;
	}
	fi->fh = (uint64_t)(uintptr_t)list;
	fi->keep_cache = 1;
	fi->cache_readdir = 0;
	if (fuse_reply_open(req, fi) != 0)
		store_releasedir(fs_of(req)->store, list);
}

/* A READDIR or READDIRPLUS reply being filled. */
struct dir_reply {
	fuse_req_t req;
	struct fs *fs;
	bool plus;
	char *buf;
	size_t size;
	size_t used;
};

/* Called by store_readdir with the store's lock held: formats one entry, nothing more. */
static bool add_entry(void *ctx, const char *name, struct node *node, const struct stat *st, uint64_t next)
{
	struct dir_reply *r = ctx;
	size_t room = r->size - r->used;
	size_t len;
	if (r->plus) {
		struct fuse_entry_param e;
		memset(&e, 0, sizeof(e));
		e.attr = *st;
		/* Without a node ("." and "..") the ino stays 0, which tells the kernel to make no dentry. */
		if (node != NULL) {
			e.ino = ino_of(r->fs, node);
			e.attr_timeout = r->fs->timeout;
			e.entry_timeout = r->fs->timeout;
		}
		len = fuse_add_direntry_plus(r->req, r->buf + r->used, room, name, &e, (off_t)next);
	} else {
		len = fuse_add_direntry(r->req, r->buf + r->used, room, name, st, (off_t)next);
	}
	if (len > room)
		return false;
	r->used += len;
	return true;
}

static void list_entries(fuse_req_t req, size_t size, off_t off, struct fuse_file_info *fi, bool plus)
{
	struct dir_reply r = { .req = req, .fs = fs_of(req), .plus = plus, .size = size, .used = 0 };
	if (off < 0) {
		reply_status(req, -EINVAL);
		return;
	}
	r.buf = malloc(size);
	if (r.buf == NULL) {
		reply_status(req, -ENOMEM);
		return;
	}
	int err = store_readdir(r.fs->store, (struct store_dir *)(uintptr_t)fi->fh, (uint64_t)off, plus,
				add_entry, &r);
	if (err != 0)
		reply_status(req, err);
	else
		fuse_reply_buf(req, r.buf, r.used);
	free(r.buf);
}

static void op_readdir(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off, struct fuse_file_info *fi)
{
	(void)ino;
	list_entries(req, size, off, fi, false);
}

static void op_readdirplus(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off, struct fuse_file_info *fi)
{
	(void)ino;
	list_entries(req, size, off, fi, true);
}

static void op_releasedir(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	(void)ino;
	store_releasedir(fs_of(req)->store, (struct store_dir *)(uintptr_t)fi->fh);
	fuse_reply_err(req, 0);
}

static void op_fsyncdir(fuse_req_t req, fuse_ino_t ino, int datasync, struct fuse_file_info *fi)
{
	(void)ino;
	(void)datasync;
	(void)fi;
	fuse_reply_err(req, 0);
}

static void op_statfs(fuse_req_t req, fuse_ino_t ino)
{
	struct statvfs st;
	(void)ino;
	store_statfs(fs_of(req)->store, &st);
	fuse_reply_statfs(req, &st);
}

static void op_setxattr(fuse_req_t req, fuse_ino_t ino, const char *name, const char *value, size_t size,
			int flags)
{
	reply_status(req, store_setxattr(fs_of(req)->store, node_of(req, ino), name, value, size, flags));
}

static void op_getxattr(fuse_req_t req, fuse_ino_t ino, const char *name, size_t size)
{
	char *buf = NULL;
	if (size > 0) {
		buf = malloc(size);
		if (buf == NULL) {
			reply_status(req, -ENOMEM);
			return;
		}
	}
	ssize_t n = store_getxattr(fs_of(req)->store, node_of(req, ino), name, buf, size);
	if (n < 0)
		reply_status(req, (int)n);
	else if (size == 0)
		fuse_reply_xattr(req, (size_t)n);
	else
		fuse_reply_buf(req, buf, (size_t)n);
	free(buf);
}

static void op_listxattr(fuse_req_t req, fuse_ino_t ino, size_t size)
{
	char *buf = NULL;
	if (size > 0) {
		buf = malloc(size);
		if (buf == NULL) {
			reply_status(req, -ENOMEM);
			return;
		}
	}
	ssize_t n = store_listxattr(fs_of(req)->store, node_of(req, ino), buf, size);
	if (n < 0)
		reply_status(req, (int)n);
	else if (size == 0)
		fuse_reply_xattr(req, (size_t)n);
	else
		fuse_reply_buf(req, buf, (size_t)n);
	free(buf);
}

static void op_removexattr(fuse_req_t req, fuse_ino_t ino, const char *name)
{
	reply_status(req, store_removexattr(fs_of(req)->store, node_of(req, ino), name));
}

const struct fuse_lowlevel_ops fs_lowlevel_ops = {
	.init = op_init,
	.lookup = op_lookup,
	.forget = op_forget,
	.forget_multi = op_forget_multi,
	.getattr = op_getattr,
	.setattr = op_setattr,
	.readlink = op_readlink,
	.mknod = op_mknod,
	.mkdir = op_mkdir,
	.symlink = op_symlink,
	.link = op_link,
	.unlink = op_unlink,
	.rmdir = op_rmdir,
	.rename = op_rename,
	.create = op_create,
	.open = op_open,
	.read = op_read,
	.write = op_write,
	.flush = op_flush,
	.release = op_release,
	.fsync = op_fsync,
	.fallocate = op_fallocate,
	.opendir = op_opendir,
	.readdir = op_readdir,
	.readdirplus = op_readdirplus,
	.releasedir = op_releasedir,
	.fsyncdir = op_fsyncdir,
	.statfs = op_statfs,
	.setxattr = op_setxattr,
	.getxattr = op_getxattr,
	.listxattr = op_listxattr,
	.removexattr = op_removexattr,
};
