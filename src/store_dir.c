/* store_dir.c - directory listings as snapshots, so that readdir offsets stay valid while names change. */
#include "store_int.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

struct dir_item {
	struct node *node;
	char *name;
};

struct store_dir {
	struct store_dir *prev;    /* open listings of the store: the kernel may never release some */
	struct store_dir *next;
	size_t count;
	struct dir_item items[];
};

static int add_item(struct store_dir *list, struct node *node, const char *name)
{
	char *copy = strdup(name);
	if (copy == NULL)
		return -ENOMEM;
	list->items[list->count].node = node;
	list->items[list->count].name = copy;
	list->count++;
	node->pins++;
	return 0;
}

static void drop_items(struct store *store, struct store_dir *list)
{
	for (size_t i = 0; i < list->count; i++) {
		struct node *node = list->items[i].node;
		node->pins--;
		node_maybe_free(store, node);
		free(list->items[i].name);
	}
	free(list);
}

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
		for (size_t i = 0; i < list->count; i++)
			free(list->items[i].name);
		free(list);
	}
}

int store_opendir(struct store *store, struct node *dir, struct store_dir **out)
{
	int err = 0;
	if (!node_is_dir(dir))
		return -ENOTDIR;
	pthread_mutex_lock(&store->lock);
	size_t children = 0;
	for (struct link *l = dir->first_child; l != NULL; l = l->next)
		children++;
	struct store_dir *list = malloc(sizeof(*list) + (children + 2) * sizeof(list->items[0]));
	if (list == NULL) {
		err = -ENOMEM;
		goto out;
	}
	list->count = 0;
	struct node *parent = dir->links != NULL ? dir->links->dir : dir;
	err = add_item(list, dir, ".");
	if (err == 0)
		err = add_item(list, parent, "..");
	for (struct link *l = dir->first_child; l != NULL && err == 0; l = l->next)
		err = add_item(list, l->node, l->name);
	if (err != 0) {
		drop_items(store, list);
		goto out;
	}
	track(store, list);
	*out = list;
out:
	pthread_mutex_unlock(&store->lock);
	return err;
}

int store_dir_entry(struct store *store, struct store_dir *list, size_t index, const char **name,
		    struct node **node, struct stat *st, bool take_lookup)
{
	if (index >= list->count)
		return -ENOENT;
	struct dir_item *item = &list->items[index];
	pthread_mutex_lock(&store->lock);
	node_fill_stat(item->node, st);
	if (take_lookup)
		item->node->nlookup++;
	pthread_mutex_unlock(&store->lock);
	*name = item->name;
	*node = item->node;
	return 0;
}

void store_releasedir(struct store *store, struct store_dir *list)
{
	pthread_mutex_lock(&store->lock);
	untrack(store, list);
	drop_items(store, list);
	pthread_mutex_unlock(&store->lock);
}
