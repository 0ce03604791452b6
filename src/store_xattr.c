/* store_xattr.c - extended attributes: mmfs's own user.mmf.* and users' user.* kept on the backing file. */
#include "store_int.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/xattr.h>

#include "size.h"

#define MMF_PREFIX "user.mmf."
#define USER_PREFIX "user."
#define XATTR_CAPACITY "user.mmf.capacity"
#define XATTR_LIFETIME "user.mmf.lifetime"

static bool has_prefix(const char *name, const char *prefix)
{
	return strncmp(name, prefix, strlen(prefix)) == 0;
}

/* Parses a capacity value: a size ("64k") or "unlimited", with one optional trailing newline. */
static int parse_capacity(const char *value, size_t size, uint64_t *out)
{
	char text[64];
	if (size > 0 && value[size - 1] == '\n')
		size--;
	if (size == 0 || size >= sizeof(text) || memchr(value, '\0', size) != NULL)
		return -EINVAL;
	memcpy(text, value, size);
	text[size] = '\0';
	if (strcmp(text, "unlimited") == 0) {
		*out = META_UNLIMITED;
		return 0;
	}
	uint64_t bytes;
	if (size_parse(text, 0, &bytes) != 0 || bytes == 0)
		return -EINVAL;
	*out = bytes;
	return 0;
}

static int set_own(struct store *store, struct node *node, const char *name, const char *value, size_t size,
		   int flags)
{
	if (!node_is_reg(node))
		return -EINVAL;
	if ((flags & XATTR_CREATE) != 0)
		return -EEXIST; /* these always exist on a segment */
	uint64_t old_capacity = node->capacity;
	enum lifetime old_lifetime = node->lifetime;
	int err;
	if (strcmp(name, XATTR_CAPACITY) == 0) {
		uint64_t capacity;
		err = parse_capacity(value, size, &capacity);
		if (err == 0 && capacity < node->size)
			err = -EINVAL;
		if (err != 0)
			return err;
		node->capacity = capacity;
	} else if (strcmp(name, XATTR_LIFETIME) == 0) {
		enum lifetime lifetime;
		err = lifetime_parse(value, size, &lifetime);
		if (err != 0)
			return err;
		node->lifetime = lifetime;
	} else {
		return -EINVAL;
	}
	err = node_save_meta(store, node);
	if (err != 0) {
		node->capacity = old_capacity;
		node->lifetime = old_lifetime;
		return err;
	}
	node_touch(&node->ctime);
	return 0;
}

/* Copies value into buf as getxattr(2) does: size 0 asks for the length only. */
static ssize_t give_value(const char *value, char *buf, size_t size)
{
	size_t len = strlen(value);
	if (size == 0)
		return (ssize_t)len;
	if (len > size)
		return -ERANGE;
	memcpy(buf, value, len);
	return (ssize_t)len;
}

static ssize_t get_own(struct node *node, const char *name, char *buf, size_t size)
{
	char text[32];
	if (!node_is_reg(node))
		return -ENODATA;
	if (strcmp(name, XATTR_CAPACITY) == 0) {
		if (node->capacity == META_UNLIMITED)
			return give_value("unlimited", buf, size);
		return give_value(size_format(node->capacity, text, sizeof(text)), buf, size);
	}
	if (strcmp(name, XATTR_LIFETIME) == 0)
		return give_value(lifetime_name(node->lifetime), buf, size);
	return -ENODATA;
}

/* Users' own attributes live on backing files and directories; symlinks and FIFOs cannot carry them. */
static int user_fd(struct store *store, struct node *node)
{
	if (!node_is_reg(node) && !node_is_dir(node))
		return -EPERM;
	return node_fd(store, node);
}

int store_setxattr(struct store *store, struct node *node, const char *name, const char *value, size_t size,
		   int flags)
{
	int err;
	if (!has_prefix(name, USER_PREFIX))
		return -EOPNOTSUPP;
	pthread_mutex_lock(&store->lock);
	if (has_prefix(name, MMF_PREFIX)) {
		err = set_own(store, node, name, value, size, flags);
	} else {
		int fd = user_fd(store, node);
		err = fd < 0 ? fd : (fsetxattr(fd, name, value, size, flags) == 0 ? 0 : -errno);
		if (err == 0)
			node_touch(&node->ctime);
		node_fd_trim(store, node);
	}
	pthread_mutex_unlock(&store->lock);
	return err;
}

ssize_t store_getxattr(struct store *store, struct node *node, const char *name, char *buf, size_t size)
{
	ssize_t n;
	if (!has_prefix(name, USER_PREFIX))
		return -EOPNOTSUPP;
	pthread_mutex_lock(&store->lock);
	if (has_prefix(name, MMF_PREFIX)) {
		n = get_own(node, name, buf, size);
	} else {
		int fd = user_fd(store, node);
		n = fd < 0 ? (fd == -EPERM ? -ENODATA : fd) : fgetxattr(fd, name, buf, size);
		if (n < 0 && fd >= 0)
			n = -errno;
		node_fd_trim(store, node);
	}
	pthread_mutex_unlock(&store->lock);
	return n;
}

/* Appends name and its NUL to a listxattr buffer; counts only when size is 0. */
static ssize_t list_add(char *buf, size_t size, size_t used, const char *name)
{
	size_t len = strlen(name) + 1;
	if (size != 0) {
		if (used + len > size)
			return -ERANGE;
		memcpy(buf + used, name, len);
	}
	return (ssize_t)(used + len);
}

ssize_t store_listxattr(struct store *store, struct node *node, char *buf, size_t size)
{
	ssize_t used = 0;
	char raw[65536];
	pthread_mutex_lock(&store->lock);
	if (node_is_reg(node)) {
		used = list_add(buf, size, 0, XATTR_CAPACITY);
		if (used >= 0)
			used = list_add(buf, size, (size_t)used, XATTR_LIFETIME);
	}
	if (used >= 0 && (node_is_reg(node) || node_is_dir(node))) {
		int fd = node_fd(store, node);
		ssize_t n = fd < 0 ? fd : flistxattr(fd, raw, sizeof(raw));
		if (n < 0 && fd >= 0)
			n = -errno;
		if (n < 0)
			used = n;
		for (ssize_t pos = 0; used >= 0 && pos < n; pos += (ssize_t)strlen(raw + pos) + 1) {
			if (!has_prefix(raw + pos, MMF_PREFIX))
				used = list_add(buf, size, (size_t)used, raw + pos);
		}
		node_fd_trim(store, node);
	}
	pthread_mutex_unlock(&store->lock);
	return used;
}

int store_removexattr(struct store *store, struct node *node, const char *name)
{
	int err;
	if (!has_prefix(name, USER_PREFIX))
		return -EOPNOTSUPP;
	if (has_prefix(name, MMF_PREFIX))
		return -EPERM;
	pthread_mutex_lock(&store->lock);
	int fd = user_fd(store, node);
	err = fd < 0 ? (fd == -EPERM ? -ENODATA : fd) : (fremovexattr(fd, name) == 0 ? 0 : -errno);
	if (err == 0)
		node_touch(&node->ctime);
	node_fd_trim(store, node);
	pthread_mutex_unlock(&store->lock);
	return err;
}
