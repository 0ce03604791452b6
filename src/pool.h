/* pool.h - accounting of the pool that all segments share: bytes of content and number of inodes. */
#ifndef MMFS_POOL_H
#define MMFS_POOL_H

#include <stdint.h>

/* Not thread-safe by itself: the store calls it under its own lock. */
struct pool {
	uint64_t byte_limit;
	uint64_t byte_used;
	uint64_t node_limit;
	uint64_t node_used;
};

void pool_init(struct pool *pool, uint64_t byte_limit, uint64_t node_limit);

/*
 * Accounts a change of one segment's length from old_len to new_len. Growth that would take the pool
 * past its byte limit fails with -ENOSPC and changes nothing; shrinking always succeeds.
 * Returns 0 on success.
 */
int pool_resize(struct pool *pool, uint64_t old_len, uint64_t new_len);

/*
 * Accounts a change from old_len to new_len without the limit: the undo of a change that was granted, which
 * must put the count back even when the limit is now below it (a remount with a smaller size=).
 */
void pool_restore(struct pool *pool, uint64_t old_len, uint64_t new_len);

/* Takes one inode from the pool: -ENOSPC (nothing changed) when none is left. */
int pool_take_node(struct pool *pool);

/* Gives back one inode. */
void pool_give_node(struct pool *pool);

#endif
