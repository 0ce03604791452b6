/* store_dir.c - directory listings: a snapshot of the names, taken at each read from offset 0, so that readdir
 * offsets stay valid while names change, read back through the live names table, so that no entry outlives
 * its name. */
#include "store_int.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

struct dir_item {
	const char *name;          /* in the snapshot's own allocation, after the items */
	size_t len;
};

struct store_dir {
	struct store_dir *prev;    /* open listings of the store: the kernel may never release some */
	struct store_dir *next;
	struct node *dir;          /* pinned, so that it stays valid while listed even once removed */
	size_t count;
	struct dir_item *items;    /* one allocation: count items, then the names' bytes */
};

static void track(struct store *store, struct store_dir *list)
{
	list->prev = NULL;
	list->next = store->dirs;
	if (store->dirs != NULL)
		store->dirs->prev = list;
	store->dirs = list;
}

static void untrack(struct store *store, struct store_dir *list)
{
	if (list->prev != NULL)
		list->prev->next = list->next;
	else
		store->dirs = list->next;
	if (list->next != NULL)
		list->next->prev = list->prev;
}

void store_dirs_free(struct store *store)
{
	/* At unmount the kernel drops listings still open without a RELEASEDIR; the nodes go with the store. */
	while (store->dirs != NULL) {
		struct store_dir *list = store->dirs;
		untrack(store, list);
		free(list->items);
		free(list);
	}
}

/* Copies the names of list->dir into a new snapshot: one allocation, however many names, and no node
 * pointers, which a removal could leave dangling. Call with the lock held. On -ENOMEM nothing changes. */
static int snapshot(struct store_dir *list)
{
	size_t count = 0;
	size_t bytes = 0;
	for (struct link *l = list->dir->first_child; l != NULL; l = l->next) {
		count++;
		bytes += l->name_len + 1;
	}
	size_t size = count * sizeof(struct dir_item) + bytes;
	/* Never malloc(0), which may return NULL: an empty directory has a snapshot too. */
	struct dir_item *items = malloc(size > 0 ? size : 1);
	if (items == NULL)
		return -ENOMEM;
	char *names = (char *)(items + count);
	size_t i = 0;
	for (struct link *l = list->dir->first_child; l != NULL; l = l->next, i++) {
		memcpy(names, l->name, l->name_len + 1);
		items[i].name = names;
		items[i].len = l->name_len;
		names += l->name_len + 1;
	}
	free(list->items);
	list->items = items;
	list->count = count;
	return 0;
}

int store_opendir(struct store *store, struct node *dir, struct store_dir **out)
{
	if (!node_is_dir(dir))
		return -ENOTDIR;
	struct store_dir *list = malloc(sizeof(*list));
	if (list == NULL)
		return -ENOMEM;
	/* No snapshot yet: the first read is at offset 0, which takes one (see store_readdir). */
	list->dir = dir;
	list->count = 0;
	list->items = NULL;
	pthread_mutex_lock(&store->lock);
	dir->pins++;
	track(store, list);
	pthread_mutex_unlock(&store->lock);
	*out = list;
	return 0;
}

int store_readdir(struct store *store, struct store_dir *list, uint64_t off, bool take_lookup,
		  bool (*fill)(void *ctx, const char *name, struct node *node, const struct stat *st, uint64_t next),
		  void *ctx)
{
	int err = 0;
	pthread_mutex_lock(&store->lock);
	/* A read from offset 0 starts the listing over (rewinddir(3) is lseek(fd, 0) and the kernel, which
	 * caches no listing here, asks for offset 0 again): it must show the directory as it is now, as a new
	 * opendir would. Offsets from another snapshot are no longer valid then, as POSIX allows. */
	if (off == 0 || list->items == NULL) {
		err = snapshot(list);
		if (err != 0)
			goto out;
	}
	for (uint64_t index = off; index < (uint64_t)list->count + 2; index++) {
		const char *name;
		struct node *node;
		if (index == 0) {
			name = ".";
			node = list->dir;
		} else if (index == 1) {
			name = "..";
			node = list->dir->links != NULL ? list->dir->links->dir : list->dir;
		} else {
			/* What the name names now, not at the snapshot: a name removed or renamed since must not be
			 * handed out with a node (readdirplus would give the kernel a dentry for it, valid for the
			 * whole entry timeout), and one replaced by a rename names another node. A name that
			 * existed throughout is still listed once, at its offset. */
			const struct dir_item *item = &list->items[index - 2];
			struct link *link = names_find(&store->names, list->dir, item->name, item->len);
			if (link == NULL)
				continue;
			name = item->name;
			node = link->node;
		}
		struct stat st;
		node_fill_stat(node, &st);
		/* "." and ".." are never looked up by the kernel, so they take no reference. */
		bool take = take_lookup && index >= 2;
		if (!fill(ctx, name, take ? node : NULL, &st, index + 1))
			break;
		if (take)
			node->nlookup++;
	}
out:
	pthread_mutex_unlock(&store->lock);
	return err;
}

void store_releasedir(struct store *store, struct store_dir *list)
{
	pthread_mutex_lock(&store->lock);
	untrack(store, list);
	list->dir->pins--;
	node_maybe_free(store, list->dir);
	pthread_mutex_unlock(&store->lock);
	free(list->items);
	free(list);
}
