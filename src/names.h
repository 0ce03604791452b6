/* names.h - the table of directory entries: one hash table for all (directory, name) pairs. */
#ifndef MMFS_NAMES_H
#define MMFS_NAMES_H

#include <stddef.h>
#include <stdint.h>

struct node;

/* One name of a node in a directory. A node with hard links has several. */
struct link {
	struct link *hash_next;  /* chain in the names table */
	struct link *prev;       /* siblings in the directory, in creation order */
	struct link *next;
	struct link *node_next;  /* the other names of the same node */
	struct node *dir;
	struct node *node;
	uint32_t hash;
	uint32_t name_len;
	char name[];             /* NUL-terminated */
};

struct names {
	struct link **buckets;
	size_t mask;    /* bucket count - 1, a power of two minus one */
	size_t count;
};

/* Returns 0 or -ENOMEM. */
int names_init(struct names *names);
/* Frees the table, not the links. */
void names_free(struct names *names);

uint32_t names_hash(const struct node *dir, const char *name, size_t len);
/* Finds the link of name in dir, or NULL. */
struct link *names_find(const struct names *names, const struct node *dir, const char *name, size_t len);
/* Makes a link (not yet in the table); NULL when out of memory. */
struct link *link_new(struct node *dir, struct node *node, const char *name, size_t len);
/* Adds a link whose hash is set; the table grows when it can (a failed growth only costs speed). */
void names_insert(struct names *names, struct link *link);
void names_remove(struct names *names, struct link *link);

#endif
