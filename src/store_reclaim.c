/* store_reclaim.c - when a transient segment goes: at its last close, or a moment later when an open may be
 * on its way.
 * The kernel opens a name in two requests, LOOKUP then OPEN, and another process's last close can come
 * between them. Reclaiming then would fail that open (ESTALE, store_open_file), and if the kernel's one
 * retry loses the same race again, the caller sees the error. So a last close that comes within the grace
 * (STORE_RECLAIM_GRACE_MS unless the config says otherwise) after a lookup of the segment leaves it that
 * much longer: an open on its way keeps it, and store_reclaim_due removes it otherwise. Any lookup counts:
 * the opens of other processes, which the kernel sends from names it holds with no lookup, cannot tell
 * which lookups they answer (counting them off let a retry's lookup go unprotected). Lookups of transient
 * names are rare outside such races: a create or a listing gives the kernel the name, and it keeps it for a
 * day. Deferred segments wait on a list of their own, each pinned so that it cannot be freed meanwhile.
 * Times are milliseconds of CLOCK_MONOTONIC in 32 bits (they fit in holes of struct node, which every
 * segment pays for); only differences up to the grace matter, taken modulo 2^32. */
#include "store_int.h"

#include <stdlib.h>

struct deferred_reclaim {
	struct deferred_reclaim *next;
	struct node *node;
};

static uint32_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint32_t)((uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000);
}

/* Whether the last lookup of node was at most the grace before now. */
static bool looked_up_lately(const struct store *store, const struct node *node, uint32_t now)
{
	return node->looked_up && (uint32_t)(now - node->lookup_ms) <= store->config.reclaim_grace_ms;
}

void node_looked_up(struct node *node)
{
	if (!node_names_may_vanish(node))
		return;
	node->looked_up = true;
	node->lookup_ms = now_ms();
}

/* What a node with no handle left gives back: its pool share once nameless, an idle fd, itself once the
 * kernel has forgotten it too. node may be freed. */
static void settle_unused(struct store *store, struct node *node)
{
	node_maybe_unaccount(store, node);
	node_fd_trim(store, node);
	node_maybe_free(store, node);
}

/* Puts node's reclaim off by the grace; false when there is no memory to note it (reclaim it now then). */
static bool defer(struct store *store, struct node *node, uint32_t now)
{
	if (store->config.on_reclaim_deferred == NULL)
		return false; /* nobody would call store_reclaim_due */
	if (!node->reclaim_deferred) {
		struct deferred_reclaim *d = malloc(sizeof(*d));
		if (d == NULL)
			return false;
		d->node = node;
		d->next = store->deferred;
		store->deferred = d;
		node->pins++;
		node->reclaim_deferred = true;
	}
	node->reclaim_ms = now + store->config.reclaim_grace_ms;
	store->config.on_reclaim_deferred(store->config.ctx);
	return true;
}

void node_last_close(struct store *store, struct node *node)
{
	if (node_names_may_vanish(node) && node->nlink > 0) {
		uint32_t now = now_ms();
		if (looked_up_lately(store, node, now) && defer(store, node, now)) {
			node_fd_trim(store, node);
			return;
		}
		node->looked_up = false;
		node_unlink_all(store, node);
	}
	settle_unused(store, node);
}

/* Reclaims the deferred segments due by now, or all of them; returns how many nanoseconds until the next
 * one is due, or -1 when none is left. */
static int64_t reclaim_due_by(struct store *store, uint32_t now, bool all)
{
	int64_t next = -1;
	struct deferred_reclaim **link = &store->deferred;
	while (*link != NULL) {
		struct deferred_reclaim *d = *link;
		struct node *node = d->node;
		int32_t wait_ms = (int32_t)(node->reclaim_ms - now);
		bool moot = node->opens > 0 || node->nlink == 0 || !node_names_may_vanish(node);
		if (!moot && !all && wait_ms > 0) {
			if (next < 0 || (int64_t)wait_ms * 1000000 < next)
				next = (int64_t)wait_ms * 1000000;
			link = &d->next;
			continue;
		}
		*link = d->next;
		free(d);
		node->reclaim_deferred = false;
		node->pins--;
		if (moot) {
			/* Opened (its last close decides anew), removed, or made persistent meanwhile. */
			node_maybe_free(store, node);
		} else {
			node->looked_up = false;
			node_unlink_all(store, node);
			settle_unused(store, node);
		}
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
