/* pool.c - byte and inode accounting for the pool shared by all segments. */
#include "pool.h"

#include <errno.h>

void pool_init(struct pool *pool, uint64_t byte_limit, uint64_t node_limit)
{
	pool->byte_limit = byte_limit;
	pool->byte_used = 0;
	pool->node_limit = node_limit;
	pool->node_used = 0;
}

int pool_resize(struct pool *pool, uint64_t old_len, uint64_t new_len)
{
	if (new_len <= old_len) {
		pool_restore(pool, old_len, new_len);
		return 0;
	}
	uint64_t growth = new_len - old_len;
	/* Compare by subtraction: byte_used never exceeds byte_limit, so this cannot wrap. */
	if (pool->byte_used > pool->byte_limit || growth > pool->byte_limit - pool->byte_used)
		return -ENOSPC;
	pool->byte_used += growth;
	return 0;
}

void pool_restore(struct pool *pool, uint64_t old_len, uint64_t new_len)
{
	if (new_len >= old_len) {
		pool->byte_used += new_len - old_len;
		return;
	}
	uint64_t shrink = old_len - new_len;
	/* A count that went below zero would make every later growth fail with ENOSPC: never let it wrap. */
	pool->byte_used = shrink > pool->byte_used ? 0 : pool->byte_used - shrink;
}

int pool_take_node(struct pool *pool)
{
	if (pool->node_used >= pool->node_limit)
		return -ENOSPC;
	pool->node_used++;
	return 0;
}

void pool_give_node(struct pool *pool)
{
	if (pool->node_used > 0)
		pool->node_used--;
}
