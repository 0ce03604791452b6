/* store_reclaim.c - when a transient segment goes: at its last close, or a moment later when an open may be
 * on its way.
 * The kernel opens a name in two requests, LOOKUP then OPEN, and another process's last close can come
 * between them. Reclaiming then would fail that open (ESTALE, store_open_file), and if the kernel's one
 * retry loses the same race again, the caller sees the error. So a last close that comes less than
 * STORE_RECLAIM_GRACE_MS after a lookup that no open has followed yet leaves the segment that much longer:
 * the open, when it comes, keeps it, and store_reclaim_due removes it otherwise.
 * Times are milliseconds of CLOCK_MONOTONIC in 32 bits (they fit in holes of struct node, which every
 * segment pays for); differences of a few seconds at most are taken, so the wrap every 49 days is harmless. */
#include "store_int.h"

#include <limits.h>

static uint32_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint32_t)((uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000);
}

/* Milliseconds from now until then, negative once then has passed. */
static int32_t ms_until(uint32_t then, uint32_t now)
{
	return (int32_t)(then - now);
}

void node_looked_up(struct node *node)
{
	if (!node_names_may_vanish(node))
		return;
	if (node->lookups_unopened < UINT16_MAX)
		node->lookups_unopened++;
	node->lookup_ms = now_ms();
}

void node_opened(struct node *node)
{
	if (node->lookups_unopened > 0)
		node->lookups_unopened--;
	node->reclaim_deferred = false;
}

/* What a node with no handle left gives back: its pool share once nameless, an idle fd, itself once the
 * kernel has forgotten it too. node may be freed. */
static void settle_unused(struct store *store, struct node *node)
{
	node_maybe_unaccount(store, node);
	node_fd_trim(store, node);
	node_maybe_free(store, node);
}

void node_last_close(struct store *store, struct node *node)
{
	if (node_names_may_vanish(node) && node->nlink > 0) {
		uint32_t now = now_ms();
		/* <= : a lookup in the same millisecond tick as the grace's end still counts */
		if (node->lookups_unopened > 0 && -ms_until(node->lookup_ms, now) <= STORE_RECLAIM_GRACE_MS) {
			node->reclaim_deferred = true;
			node->reclaim_ms = now + STORE_RECLAIM_GRACE_MS;
			if (store->config.on_reclaim_deferred != NULL)
				store->config.on_reclaim_deferred(store->config.ctx);
			node_fd_trim(store, node);
			return;
		}
		node->lookups_unopened = 0;
		node_unlink_all(store, node);
	}
	settle_unused(store, node);
}

/* Reclaims the deferred segments due by now, or all of them; returns how many nanoseconds until the next
 * one is due, or -1 when none is left. */
static int64_t reclaim_due_by(struct store *store, uint32_t now, bool all)
{
	int64_t next = -1;
	struct node *node = store->all;
	while (node != NULL) {
		struct node *following = node->all_next; /* settle_unused may free node */
		if (node->reclaim_deferred) {
			int32_t wait_ms = ms_until(node->reclaim_ms, now);
			if (node->opens > 0 || node->nlink == 0 || !node_names_may_vanish(node)) {
				node->reclaim_deferred = false; /* opened, removed or made persistent meanwhile */
			} else if (all || wait_ms <= 0) {
				node->reclaim_deferred = false;
				node->lookups_unopened = 0;
				node_unlink_all(store, node);
				settle_unused(store, node);
			} else if (next < 0 || (int64_t)wait_ms * 1000000 < next) {
				next = (int64_t)wait_ms * 1000000;
			}
		}
		node = following;
	}
	return next;
}

int64_t store_reclaim_due(struct store *store)
{
	pthread_mutex_lock(&store->lock);
	int64_t next = reclaim_due_by(store, now_ms(), false);
	pthread_mutex_unlock(&store->lock);
	return next;
}

void store_reclaim_all_deferred(struct store *store)
{
	reclaim_due_by(store, now_ms(), true);
}
