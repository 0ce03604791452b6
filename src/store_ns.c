/* store_ns.c - the namespace: create, link, unlink, rmdir and rename, in memory and in the backing tree. */
#include "store_int.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Takes link out of its node's list of names. */
static void unchain(struct link *link)
{
	struct link **pp = &link->node->links;
	while (*pp != NULL && *pp != link)
		pp = &(*pp)->node_next;
	if (*pp == link)
		*pp = link->node_next;
}

void dir_attach(struct store *store, struct node *dir, struct link *link)
{
	link->dir = dir;
	link->prev = dir->last_child;
	link->next = NULL;
	if (dir->last_child != NULL)
		dir->last_child->next = link;
	else
		dir->first_child = link;
	dir->last_child = link;
	link->node_next = link->node->links;
	link->node->links = link;
	names_insert(&store->names, link);
}

void dir_detach(struct store *store, struct link *link)
{
	struct node *dir = link->dir;
	names_remove(&store->names, link);
	if (link->prev != NULL)
		link->prev->next = link->next;
	else
		dir->first_child = link->next;
	if (link->next != NULL)
		link->next->prev = link->prev;
	else
		dir->last_child = link->prev;
	unchain(link);
	link->prev = link->next = link->node_next = NULL;
}

/* A node just lost a name (unlink, rmdir, or replaced by rename). Lock held. */
static void node_lost_link(struct store *store, struct node *node)
{
	if (node_is_dir(node)) {
		node->nlink = 0;
		if (node->fd >= 0) {
			close(node->fd);
			node->fd = -1;
		}
	} else if (node->nlink > 0) {
		node->nlink--;
	}
	node_touch(&node->ctime);
	node_maybe_unaccount(store, node);
	node_maybe_free(store, node);
}

void node_unlink_all(struct store *store, struct node *node)
{
	while (node->links != NULL) {
		struct link *link = node->links;
		struct node *dir = link->dir;
		if (unlinkat(dir->fd, link->name, 0) != 0 && errno != ENOENT)
			return; /* keep the name: memory must not claim what the backing tree does not */
		if (store->config.on_unlinked != NULL)
			store->config.on_unlinked(store->config.ctx, dir, link->name);
		dir_detach(store, link);
		free(link);
		node_touch(&dir->mtime);
		dir->ctime = dir->mtime;
		if (node->nlink > 0)
			node->nlink--;
	}
	node_maybe_unaccount(store, node);
}

/* The checks every creation shares: a live directory, a free name, an inode left in the pool. */
static int prepare_create(struct store *store, struct node *dir, const char *name)
{
	int err = check_name(name);
	if (err != 0)
		return err;
	if (!node_is_dir(dir))
		return -ENOTDIR;
	if (dir->nlink == 0)
		return -ENOENT;
	if (names_find(&store->names, dir, name, strlen(name)) != NULL)
		return -EEXIST;
	return pool_take_node(&store->pool);
}

/* Owner and group of a new node: the caller's, or the directory's group when it is set-group-ID. */
static void set_owner(struct node *node, const struct node *dir, const struct store_caller *caller)
{
	node->uid = caller->uid;
	node->gid = caller->gid;
	if ((dir->mode & S_ISGID) != 0) {
		node->gid = dir->gid;
		if (node_is_dir(node))
			node->mode |= S_ISGID;
	}
}

/* A segment whose metadata needs a record (transient, a capacity, another owner, ...) is made without a
 * name, given its record, and only then linked in: a daemon killed in between leaves nothing, where a named
 * file without its record would come back after a restart as a persistent 0600 segment of the daemon's.
 * Returns the descriptor, or -1 with errno EOPNOTSUPP where the file system has no O_TMPFILE. */
static int open_nameless(struct store *store, int dirfd)
{
	int fd = backing_openat(store, dirfd, ".", O_TMPFILE | O_RDWR, 0600);
	/* Kernels and file systems without O_TMPFILE answer EISDIR or EOPNOTSUPP. */
	if (fd < 0 && (errno == EISDIR || errno == EINVAL))
		errno = EOPNOTSUPP;
	return fd;
}

/* Gives the nameless file fd the name; -EEXIST if it is taken (nothing of the other file is touched). */
static int link_nameless(int fd, int dirfd, const char *name)
{
	char path[48];
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	return linkat(AT_FDCWD, path, dirfd, name, AT_SYMLINK_FOLLOW) == 0 ? 0 : -errno;
}

/* Makes the backing object of a new node and opens files and directories. Returns 0 or -errno. */
static int create_backing(struct store *store, struct node *dir, const char *name, struct node *node,
			  const char *target)
{
	struct stat st;
	int fd = -1;
	mode_t type = node->mode & S_IFMT;
	bool nameless = false;

	struct meta meta = node_meta(node);
	if (type == S_IFREG) {
		mode_t inode_mode = meta_inode_mode(&meta);
		if (inode_mode == 0) {
			fd = open_nameless(store, dir->fd);
			if (fd < 0 && errno != EOPNOTSUPP)
				return -errno;
			nameless = fd >= 0;
		}
		if (fd < 0)
			fd = backing_openat(store, dir->fd, name, O_CREAT | O_EXCL | O_RDWR,
					    inode_mode != 0 ? inode_mode : 0600);
		if (fd < 0)
			return -errno;
	} else if (type == S_IFDIR) {
		if (mkdirat(dir->fd, name, 0700) != 0)
			return -errno;
		fd = backing_openat(store, dir->fd, name, O_RDONLY | O_DIRECTORY, 0);
		if (fd < 0) {
			int err = -errno;
			unlinkat(dir->fd, name, AT_REMOVEDIR);
			return err;
		}
	} else if (type == S_IFLNK) {
		if (symlinkat(target, dir->fd, name) != 0)
			return -errno;
	} else {
		if (mknodat(dir->fd, name, type | (node->mode & 0777), 0) != 0)
			return -errno;
		/* mknodat applied the daemon's umask; the mode the caller asked for is the one to keep. */
		if (fchmodat(dir->fd, name, node->mode & 07777, 0) != 0) {
			int err = -errno;
			unlinkat(dir->fd, name, 0);
			return err;
		}
	}
	node->fd = fd;
	/* A regular file's fd counts in the cache from here on; the failure path below gives it back. */
	if (type == S_IFREG)
		store->fd_cached++;
	int err;
	if (fd >= 0)
		err = fstat(fd, &st) == 0 ? 0 : -errno;
	else
		err = fstatat(dir->fd, name, &st, AT_SYMLINK_NOFOLLOW) == 0 ? 0 : -errno;
	if (err == 0) {
		node->ino = st.st_ino;
		/* The backing file's own times, not the daemon's clock a moment before (node_new): they are the ones
		 * a restart reads back, and a segment nobody writes must come back with the times it showed. */
		node_take_times(node, &st);
	}
	if (err == 0 && nameless) {
		err = meta_write_fd(fd, &meta);
		if (err == 0)
			err = link_nameless(fd, dir->fd, name);
	} else if (err == 0 && fd >= 0) {
		/* The inode was made to carry the metadata; a umask or a set-group-ID directory may have made it
		 * differ, and then the record says it. */
		if (!(type == S_IFREG && meta_inode_describes(&meta, &st)))
			err = node_save_meta(store, node);
	} else if (err == 0 && store->is_root && (node->uid != st.st_uid || node->gid != st.st_gid)) {
		err = fchownat(dir->fd, name, node->uid, node->gid, AT_SYMLINK_NOFOLLOW) == 0 ? 0 : -errno;
	}
	if (err != 0) {
		if (node->fd >= 0) {
			close(node->fd);
			if (type == S_IFREG)
				store->fd_cached--;
			node->fd = -1;
		}
		/* A nameless file was never linked: closing it frees it, and the name, if it exists, is
		 * someone else's. */
		if (!nameless)
			unlinkat(dir->fd, name, type == S_IFDIR ? AT_REMOVEDIR : 0);
	}
	return err;
}

static int create_node(struct store *store, struct node *dir, const char *name, mode_t mode,
		       const char *target, const struct store_caller *caller, struct node **out, struct stat *st)
{
	pthread_mutex_lock(&store->lock);
	struct node *node = NULL;
	struct link *link = NULL;
	int err = prepare_create(store, dir, name);
	if (err != 0)
		goto out;
	node = node_new(store, mode);
	link = link_new(dir, node, name, strlen(name));
	if (node == NULL || link == NULL) {
		err = -ENOMEM;
		goto err_pool;
	}
	set_owner(node, dir, caller);
	if (node_is_reg(node)) {
		node->capacity = store->config.default_capacity;
		node->lifetime = store->config.default_lifetime;
	}
	err = create_backing(store, dir, name, node, target);
	if (err != 0)
		goto err_pool;
	node->nlink = node_is_dir(node) ? 2 : 1;
	if (node_is_dir(node))
		dir->nlink++;
	if (S_ISLNK(mode))
		node->size = strlen(target);
	dir_attach(store, dir, link);
	node_touch(&dir->mtime);
	dir->ctime = dir->mtime;
	node->nlookup = 1;
	node_fill_stat(node, st);
	*out = node;
	node_fd_trim(store, node);
	pthread_mutex_unlock(&store->lock);
	return 0;

err_pool:
	free(link);
	if (node != NULL)
		node_free(store, node);
	pool_give_node(&store->pool);
out:
	pthread_mutex_unlock(&store->lock);
	return err;
}

int store_mknod(struct store *store, struct node *dir, const char *name, mode_t mode,
		const struct store_caller *caller, struct node **out, struct stat *st)
{
	mode_t type = mode & S_IFMT;
	if (type == 0)
		mode |= S_IFREG;
	else if (type == S_IFCHR || type == S_IFBLK)
		return -EPERM; /* device nodes would open doors the backing directory keeps shut */
	else if (type != S_IFREG && type != S_IFIFO && type != S_IFSOCK)
		return -EINVAL;
	return create_node(store, dir, name, mode & (S_IFMT | 07777), NULL, caller, out, st);
}

int store_mkdir(struct store *store, struct node *dir, const char *name, mode_t mode,
		const struct store_caller *caller, struct node **out, struct stat *st)
{
	return create_node(store, dir, name, S_IFDIR | (mode & 07777), NULL, caller, out, st);
}

int store_symlink(struct store *store, struct node *dir, const char *name, const char *target,
		  const struct store_caller *caller, struct node **out, struct stat *st)
{
	if (strlen(target) >= 4096)
		return -ENAMETOOLONG;
	return create_node(store, dir, name, S_IFLNK | 0777, target, caller, out, st);
}

int store_link(struct store *store, struct node *node, struct node *dir, const char *name, struct stat *st)
{
	int dirfd;
	const char *oldname;
	int err = check_name(name);
	if (err != 0)
		return err;
	if (node_is_dir(node))
		return -EPERM;
	pthread_mutex_lock(&store->lock);
	struct link *link = NULL;
	if (!node_is_dir(dir)) {
		err = -ENOTDIR;
	} else if (dir->nlink == 0 || node_backing_at(node, &dirfd, &oldname) != 0) {
		err = -ENOENT;
	} else if (names_find(&store->names, dir, name, strlen(name)) != NULL) {
		err = -EEXIST;
	} else if (node->nlink >= 65000) {
		err = -EMLINK;
	} else {
		link = link_new(dir, node, name, strlen(name));
		if (link == NULL)
			err = -ENOMEM;
		else if (linkat(dirfd, oldname, dir->fd, name, 0) != 0)
			err = -errno;
	}
	if (err != 0) {
		free(link);
	} else {
		dir_attach(store, dir, link);
		node->nlink++;
		node->nlookup++;
		node_touch(&node->ctime);
		dir->mtime = dir->ctime = node->ctime;
		node_fill_stat(node, st);
	}
	pthread_mutex_unlock(&store->lock);
	return err;
}

static int remove_entry(struct store *store, struct node *dir, const char *name, bool want_dir)
{
	int err = check_name(name);
	if (err != 0)
		return err;
	pthread_mutex_lock(&store->lock);
	struct link *link = names_find(&store->names, dir, name, strlen(name));
	if (link == NULL) {
		err = -ENOENT;
		goto out;
	}
	struct node *node = link->node;
	if (want_dir && !node_is_dir(node)) {
		err = -ENOTDIR;
		goto out;
	}
	if (!want_dir && node_is_dir(node)) {
		err = -EISDIR;
		goto out;
	}
	if (want_dir && node->first_child != NULL) {
		err = -ENOTEMPTY;
		goto out;
	}
	/* A backing file someone removed behind our back is gone already: the name goes too, as
	 * node_unlink_all does, or it could never be removed. */
	if (unlinkat(dir->fd, name, want_dir ? AT_REMOVEDIR : 0) != 0 && errno != ENOENT) {
		err = -errno;
		goto out;
	}
	dir_detach(store, link);
	free(link);
	if (want_dir)
		dir->nlink--;
	node_touch(&dir->mtime);
	dir->ctime = dir->mtime;
	node_lost_link(store, node);
out:
	pthread_mutex_unlock(&store->lock);
	return err;
}

int store_unlink(struct store *store, struct node *dir, const char *name)
{
	return remove_entry(store, dir, name, false);
}

int store_rmdir(struct store *store, struct node *dir, const char *name)
{
	return remove_entry(store, dir, name, true);
}

/* True when dir is node or lies below it: a directory cannot move into itself. */
static bool is_within(const struct node *dir, const struct node *node)
{
	for (const struct node *d = dir; d != NULL; d = d->links != NULL ? d->links->dir : NULL) {
		if (d == node)
			return true;
	}
	return false;
}

/* Moves link to (newdir, newname); returns the replacement link or NULL when out of memory. */
static struct link *move_link(struct store *store, struct link *link, struct node *newdir, const char *newname)
{
	struct link *moved = link_new(newdir, link->node, newname, strlen(newname));
	if (moved == NULL)
		return NULL;
	dir_detach(store, link);
	free(link);
	dir_attach(store, newdir, moved);
	return moved;
}

/* RENAME_EXCHANGE: the two names stay where they are and point at each other's node. */
static void swap_link_nodes(struct link *a, struct link *b)
{
	unchain(a);
	unchain(b);
	struct node *tmp = a->node;
	a->node = b->node;
	b->node = tmp;
	a->node_next = a->node->links;
	a->node->links = a;
	b->node_next = b->node->links;
	b->node->links = b;
}

static int rename_checks(const struct link *src, const struct link *dst, struct node *newdir, unsigned flags)
{
	if (src == NULL)
		return -ENOENT;
	if ((flags & RENAME_EXCHANGE) != 0) {
		if (dst == NULL)
			return -ENOENT;
		if (node_is_dir(dst->node) && is_within(src->dir, dst->node))
			return -EINVAL;
	} else if (dst != NULL && (flags & RENAME_NOREPLACE) != 0) {
		return -EEXIST;
	}
	if (node_is_dir(src->node) && is_within(newdir, src->node))
		return -EINVAL;
	if (dst != NULL && (flags & RENAME_EXCHANGE) == 0 && dst->node != src->node) {
		if (node_is_dir(src->node) && !node_is_dir(dst->node))
			return -ENOTDIR;
		if (!node_is_dir(src->node) && node_is_dir(dst->node))
			return -EISDIR;
		if (node_is_dir(dst->node) && dst->node->first_child != NULL)
			return -ENOTEMPTY;
	}
	if (!node_is_dir(newdir))
		return -ENOTDIR;
	if (newdir->nlink == 0)
		return -ENOENT;
	return 0;
}

int store_rename(struct store *store, struct node *dir, const char *name, struct node *newdir,
		 const char *newname, unsigned flags)
{
	int err;
	if ((flags & ~(unsigned)(RENAME_NOREPLACE | RENAME_EXCHANGE)) != 0 ||
	    ((flags & RENAME_NOREPLACE) != 0 && (flags & RENAME_EXCHANGE) != 0))
		return -EINVAL;
	err = check_name(name);
	if (err == 0)
		err = check_name(newname);
	if (err != 0)
		return err;
	pthread_mutex_lock(&store->lock);
	struct link *src = names_find(&store->names, dir, name, strlen(name));
	struct link *dst = names_find(&store->names, newdir, newname, strlen(newname));
	err = rename_checks(src, dst, newdir, flags);
	if (err != 0)
		goto out;
	if (dst != NULL && dst->node == src->node && (flags & RENAME_EXCHANGE) == 0)
		goto out; /* two names of one file: POSIX says do nothing */
	if (dst == src)
		goto out;
	if (renameat2(dir->fd, name, newdir->fd, newname, flags) != 0) {
		err = -errno;
		goto out;
	}
	struct node *moving = src->node;
	struct timespec now;
	node_touch(&now);
	if ((flags & RENAME_EXCHANGE) != 0) {
		struct node *other = dst->node;
		swap_link_nodes(src, dst);
		if (dir != newdir && node_is_dir(moving) != node_is_dir(other)) {
			int delta = node_is_dir(moving) ? 1 : -1;
			newdir->nlink += delta;
			dir->nlink -= delta;
		}
		other->ctime = now;
	} else {
		if (dst != NULL) {
			struct node *replaced = dst->node;
			dir_detach(store, dst);
			free(dst);
			if (node_is_dir(replaced))
				newdir->nlink--;
			node_lost_link(store, replaced);
		}
		if (move_link(store, src, newdir, newname) == NULL) {
			err = -ENOMEM;
			goto out;
		}
		if (node_is_dir(moving) && dir != newdir) {
			dir->nlink--;
			newdir->nlink++;
		}
	}
	moving->ctime = now;
	dir->mtime = dir->ctime = now;
	newdir->mtime = newdir->ctime = now;
out:
	pthread_mutex_unlock(&store->lock);
	return err;
}
