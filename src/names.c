/* names.c - a chained hash table keyed by (directory, name), grown by doubling. */
#include "names.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define NAMES_INITIAL_BUCKETS 1024

int names_init(struct names *names)
{
	names->buckets = calloc(NAMES_INITIAL_BUCKETS, sizeof(*names->buckets));
	if (names->buckets == NULL)
		return -ENOMEM;
	names->mask = NAMES_INITIAL_BUCKETS - 1;
	names->count = 0;
	return 0;
}

void names_free(struct names *names)
{
	free(names->buckets);
	names->buckets = NULL;
}

/* FNV-1a over the directory pointer and the name. */
uint32_t names_hash(const struct node *dir, const char *name, size_t len)
{
	uint32_t h = 2166136261u;
	uintptr_t d = (uintptr_t)dir;
	for (size_t i = 0; i < sizeof(d); i++) {
		h ^= (uint8_t)(d >> (i * 8));
		h *= 16777619u;
	}
	for (size_t i = 0; i < len; i++) {
		h ^= (uint8_t)name[i];
		h *= 16777619u;
	}
	return h;
}

struct link *names_find(const struct names *names, const struct node *dir, const char *name, size_t len)
{
	uint32_t hash = names_hash(dir, name, len);
	for (struct link *l = names->buckets[hash & names->mask]; l != NULL; l = l->hash_next) {
		if (l->hash == hash && l->dir == dir && l->name_len == len && memcmp(l->name, name, len) == 0)
			return l;
	}
	return NULL;
}

struct link *link_new(struct node *dir, struct node *node, const char *name, size_t len)
{
	struct link *link = malloc(sizeof(*link) + len + 1);
	if (link == NULL)
		return NULL;
	memset(link, 0, sizeof(*link));
	link->dir = dir;
	link->node = node;
	link->name_len = (uint32_t)len;
	memcpy(link->name, name, len);
	link->name[len] = '\0';
	link->hash = names_hash(dir, name, len);
	return link;
}

static void names_grow(struct names *names)
{
	size_t new_count = (names->mask + 1) * 2;
	struct link **buckets = calloc(new_count, sizeof(*buckets));
	if (buckets == NULL)
		return;
	for (size_t i = 0; i <= names->mask; i++) {
		struct link *l = names->buckets[i];
		while (l != NULL) {
			struct link *next = l->hash_next;
			size_t slot = l->hash & (new_count - 1);
			l->hash_next = buckets[slot];
			buckets[slot] = l;
			l = next;
		}
	}
	free(names->buckets);
	names->buckets = buckets;
	names->mask = new_count - 1;
}

void names_insert(struct names *names, struct link *link)
{
	if (names->count >= names->mask + 1)
		names_grow(names);
	size_t slot = link->hash & names->mask;
	link->hash_next = names->buckets[slot];
	names->buckets[slot] = link;
	names->count++;
}

void names_remove(struct names *names, struct link *link)
{
	struct link **pp = &names->buckets[link->hash & names->mask];
	while (*pp != NULL && *pp != link)
		pp = &(*pp)->hash_next;
	if (*pp == link) {
		*pp = link->hash_next;
		names->count--;
	}
	link->hash_next = NULL;
}
