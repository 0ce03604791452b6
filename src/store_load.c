/* store_load.c - start-up: rebuild the in-memory tree from the backing directory, dropping transients. */
#include "store_int.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/xattr.h>
#include <unistd.h>

/* Hard links found so far: backing inode number -> node, so that a second name joins the first node. */
struct seen {
	uint64_t *inos;
	struct node **nodes;
	size_t count, cap;
};

static struct node *seen_find(const struct seen *seen, uint64_t ino)
{
	for (size_t i = 0; i < seen->count; i++) {
		if (seen->inos[i] == ino)
			return seen->nodes[i];
	}
	return NULL;
}

static int seen_add(struct seen *seen, uint64_t ino, struct node *node)
{
	if (seen->count == seen->cap) {
		size_t cap = seen->cap ? seen->cap * 2 : 64;
		uint64_t *inos = realloc(seen->inos, cap * sizeof(*inos));
		if (inos == NULL)
			return -ENOMEM;
		seen->inos = inos;
		struct node **nodes = realloc(seen->nodes, cap * sizeof(*nodes));
		if (nodes == NULL)
			return -ENOMEM;
		seen->nodes = nodes;
		seen->cap = cap;
	}
	seen->inos[seen->count] = ino;
	seen->nodes[seen->count] = node;
	seen->count++;
	return 0;
}

/* The record in the backing file fd's attribute: 0, -ENODATA when it has none, -EINVAL when malformed. */
static int read_record(int fd, struct meta *meta)
{
	char buf[META_MAX_LEN];
	ssize_t n = fgetxattr(fd, META_XATTR, buf, sizeof(buf));
	if (n < 0)
		return -errno;
	return n > 0 ? meta_decode(buf, (size_t)n, meta) : -EINVAL;
}

/* Reads the metadata record, or the inode of a file mmfs made to carry it (meta.h); a missing or malformed
 * record otherwise gives the safe default: private to the daemon. */
static void read_meta(int fd, const struct stat *st, struct node *node)
{
	struct meta meta;
	int err = read_record(fd, &meta);
	bool known = err == 0 || (err == -ENODATA && meta_from_inode(st, &meta) == 0);
	if (known && (meta.mode & S_IFMT) == (st->st_mode & S_IFMT)) {
		node->mode = meta.mode;
		node->uid = meta.uid;
		node->gid = meta.gid;
		node->capacity = meta.capacity;
		/* Only a segment has a lifetime (mmfs records none for anything else): a record that says a
		 * directory is transient was edited, and removing it would take all it holds. */
		node->lifetime = S_ISREG(st->st_mode) ? meta.lifetime : LIFETIME_PERSISTENT;
		return;
	}
	node->mode = (st->st_mode & S_IFMT) | 0600;
	node->uid = st->st_uid;
	node->gid = st->st_gid;
}

static int load_dir(struct store *store, struct node *dir, struct seen *seen);

/*
 * Makes a segment's blocks match its length, putting back the times fallocate moves; a failure leaves the
 * file as it was. Past the end (tmpfs only, where block counts are exact): a daemon that stopped without
 * closing its segments (a crash, a kill) can leave blocks allocated ahead for a sequential writer
 * (store_data.c), and nothing else puts them there: they are given back. Inside: a segment with holes (copied
 * into the backing directory sparse, or left by an mmfs older than the reservation of growth) would take
 * those blocks only when a store through a mapping is written back, where a full backing file system loses
 * the store without a word: they are reserved, as growth is (node_reserve in store_data.c).
 */
static void settle_blocks(int dirfd, const char *name, const struct stat *st, bool exact_blocks)
{
	uint64_t kept = round_to_block((uint64_t)st->st_size);
	uint64_t held = (uint64_t)st->st_blocks * 512;
	bool past_end = exact_blocks && held > kept;
	if (!past_end && held >= kept)
		return;
	int fd = openat(dirfd, name, O_RDWR | O_NONBLOCK | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return;
	const struct timespec times[2] = { st->st_atim, st->st_mtim };
	if (past_end)
		punch_past_end(fd, kept, (uint64_t)INT64_MAX - kept, times);
	else if (fallocate(fd, FALLOC_FL_KEEP_SIZE, 0, st->st_size) == 0)
		futimens(fd, times);
	close(fd);
}

/* Adds one backing entry under dir. Entries of kinds mmfs never makes are left alone and not shown. */
static int load_entry(struct store *store, struct node *dir, const char *name, struct seen *seen)
{
	struct stat st;
	int err;
	if (fstatat(dir->fd, name, &st, AT_SYMLINK_NOFOLLOW) != 0)
		return errno == ENOENT ? 0 : -errno;
	mode_t type = st.st_mode & S_IFMT;
	if (type != S_IFREG && type != S_IFDIR && type != S_IFLNK && type != S_IFIFO && type != S_IFSOCK)
		return 0;
	if (check_name(name) != 0)
		return 0;
	struct node *node = type == S_IFREG && st.st_nlink > 1 ? seen_find(seen, st.st_ino) : NULL;
	bool new_node = node == NULL;
	if (new_node) {
		node = node_new(store, type);
		if (node == NULL)
			return -ENOMEM;
		node->ino = st.st_ino;
		node->mode = st.st_mode;
		node->uid = st.st_uid;
		node->gid = st.st_gid;
		node_take_times(node, &st);
		if (type == S_IFREG || type == S_IFDIR) {
			int flags = type == S_IFDIR ? O_RDONLY | O_DIRECTORY : O_RDONLY | O_NONBLOCK;
			int fd = backing_openat(store, dir->fd, name, flags, 0);
			if (fd < 0) {
				node_free(store, node);
				return -errno;
			}
			read_meta(fd, &st, node);
			if (type == S_IFDIR)
				node->fd = fd;
			else
				close(fd);
		}
		if (type == S_IFREG || type == S_IFLNK)
			node->size = (uint64_t)st.st_size;
	}
	if (node->lifetime == LIFETIME_TRANSIENT) {
		/* Nobody can hold it open across a restart: reclaim it, as its last holder would have. */
		if (unlinkat(dir->fd, name, 0) != 0)
			err = -errno;
		else
			err = 0;
		if (new_node)
			node_free(store, node);
		return err;
	}
	if (type == S_IFREG && new_node)
		settle_blocks(dir->fd, name, &st, store->backing_is_tmpfs);
	struct link *link = link_new(dir, node, name, strlen(name));
	if (link == NULL) {
		if (new_node)
			node_free(store, node);
		return -ENOMEM;
	}
	dir_attach(store, dir, link);
	node->nlink++;
	if (!new_node)
		return 0;
	/* The pool may be smaller than what is already there: take it all, later growth will fail. */
	store->pool.node_used++;
	store->pool.byte_used += type == S_IFREG ? node->size : 0;
	if (type == S_IFREG && st.st_nlink > 1) {
		err = seen_add(seen, st.st_ino, node);
		if (err != 0)
			return err;
	}
	if (type == S_IFDIR) {
		node->nlink = 2;
		dir->nlink++;
		return load_dir(store, node, seen);
	}
	return 0;
}

/* Writes dir's path under the backing directory, then "/name", into the caller's buffer for the refusal
 * (store_config.failed_entry): the first failure is the one that stopped the load. */
static void note_failed_entry(struct store *store, struct node *dir, const char *name)
{
	char *buf = store->config.failed_entry;
	size_t size = store->config.failed_entry_size;
	if (buf == NULL || size == 0 || buf[0] != '\0')
		return;
	/* Built from the end: the name, then each directory above it up to the root. */
	size_t pos = size - 1;
	buf[pos] = '\0';
	const char *part = name;
	for (struct node *at = dir;; at = at->links->dir) {
		size_t len = strlen(part);
		if (len + 1 > pos) {
			buf[0] = '\0';
			return;
		}
		pos -= len;
		memcpy(buf + pos, part, len);
		if (at == store->root || at->links == NULL)
			break;
		buf[--pos] = '/';
		part = at->links->name;
	}
	memmove(buf, buf + pos, size - pos);
}

static int load_dir(struct store *store, struct node *dir, struct seen *seen)
{
	int fd = backing_openat(store, dir->fd, ".", O_RDONLY | O_DIRECTORY, 0);
	if (fd < 0)
		return -errno;
	DIR *d = fdopendir(fd);
	if (d == NULL) {
		int err = -errno;
		close(fd);
		return err;
	}
	int err = 0;
	struct dirent *de;
	while (err == 0 && (de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		err = load_entry(store, dir, de->d_name, seen);
		if (err != 0)
			note_failed_entry(store, dir, de->d_name);
	}
	closedir(d);
	return err;
}

/* The root's own record, written by a chmod or chown of the mount's root: kept across restarts like any
 * directory's. Without one the root keeps the mode and owner this mount gives it (store_config). */
static void load_root_meta(struct store *store)
{
	struct meta meta;
	if (read_record(store->root->fd, &meta) != 0 || !S_ISDIR(meta.mode))
		return;
	store->root->mode = meta.mode;
	store->root->uid = meta.uid;
	store->root->gid = meta.gid;
}

int store_load(struct store *store)
{
	load_root_meta(store);
	struct seen seen = { 0 };
	int err = load_dir(store, store->root, &seen);
	free(seen.inos);
	free(seen.nodes);
	return err;
}
