/* fs_notify.c - tells the kernel about names the store removed by itself (transient segments reclaimed) and
 * about the bytes of writes it refused, and has the store reclaim the transient segments it put off. */
#include "fs_ops.h"
#include "quiet_thread.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct notice {
	struct notice *next;
	/* A name to drop (parent, name), or, with node set, a refused write's range [off, off + len) of ino. */
	fuse_ino_t parent;
	struct node *node; /* held open (store_open_file) until the notice is done, so that it stays */
	fuse_ino_t ino;
	uint64_t off;
	size_t len;
	char name[];
};

static void post_notice(struct fs *fs, struct notice *n)
{
	pthread_mutex_lock(&fs->notice_lock);
	n->next = fs->notices;
	fs->notices = n;
	pthread_cond_signal(&fs->notice_cond);
	pthread_mutex_unlock(&fs->notice_lock);
}

void fs_on_unlinked(void *ctx, struct node *dir, const char *name)
{
	struct fs *fs = ctx;
	size_t len = strlen(name);
	struct notice *n = malloc(sizeof(*n) + len + 1);
	if (n == NULL)
		return; /* the kernel keeps a stale name until its entry times out: no worse than that */
	n->parent = dir == store_root(fs->store) ? FUSE_ROOT_ID : (fuse_ino_t)(uintptr_t)dir;
	n->node = NULL;
	n->len = len;
	memcpy(n->name, name, len + 1);
	post_notice(fs, n);
}

void fs_on_refused_write(struct fs *fs, fuse_ino_t ino, struct node *node, uint64_t off, size_t len)
{
	struct notice *n = malloc(sizeof(*n) + 1);
	if (n == NULL)
		return;
	if (store_open_file(fs->store, node, O_RDONLY) != 0) {
		free(n);
		return;
	}
	n->node = node;
	n->ino = ino;
	n->off = off;
	n->len = len;
	post_notice(fs, n);
}

/* The kernel copied the refused bytes into its page cache before it sent the write, and after the refusal it
 * only marks those pages as not up to date: a process that maps one goes on seeing them, and a store through
 * it would have them written back with the page. The segment's own bytes go back over them (as far as the
 * segment reaches: a store past the kernel's size would grow it), then the pages are dropped, which also
 * clears what lies past the end on the last one; a page dirty from earlier stores is written back first, now
 * without the refused bytes. Both wait for the writer to unlock the pages, which it does on our reply. */
static void restore_refused(struct fs *fs, const struct notice *n)
{
	char *buf = malloc(n->len);
	ssize_t got = buf == NULL ? -ENOMEM : store_read(fs->store, n->node, buf, n->len, n->off);
	if (got > 0) {
		struct fuse_bufvec bufv = FUSE_BUFVEC_INIT((size_t)got);
		bufv.buf[0].mem = buf;
		fuse_lowlevel_notify_store(fs->se, n->ino, (off_t)n->off, &bufv, 0);
	}
	free(buf);
	fuse_lowlevel_notify_inval_inode(fs->se, n->ino, (off_t)n->off, (off_t)n->len);
}

void fs_on_reclaim_deferred(void *ctx)
{
	struct fs *fs = ctx;
	pthread_mutex_lock(&fs->notice_lock);
	/* Every reclaim is put off by the same time: one already timed comes due first, and that pass of
	 * store_reclaim_due times this one too. */
	if (!fs->reclaim_timed) {
		fs->reclaim_wanted = true;
		pthread_cond_signal(&fs->notice_cond);
	}
	pthread_mutex_unlock(&fs->notice_lock);
}

/* Waits for a notice, the stop, a deferred reclaim, or until reclaim_at (CLOCK_MONOTONIC) if set. */
static void wait_for_work(struct fs *fs, const struct timespec *reclaim_at)
{
	while (fs->notices == NULL && !fs->stopping && !fs->reclaim_wanted) {
		if (reclaim_at == NULL) {
			pthread_cond_wait(&fs->notice_cond, &fs->notice_lock);
		} else if (pthread_cond_timedwait(&fs->notice_cond, &fs->notice_lock, reclaim_at) == ETIMEDOUT) {
			fs->reclaim_wanted = true;
		}
	}
}

static void *notifier_main(void *arg)
{
	struct fs *fs = arg;
	struct timespec reclaim_at = { 0, 0 };
	pthread_mutex_lock(&fs->notice_lock);
	for (;;) {
		wait_for_work(fs, fs->reclaim_timed ? &reclaim_at : NULL);
		if (fs->reclaim_wanted && !fs->stopping) {
			fs->reclaim_wanted = false;
			/* Reclaims put off during the pass below must wake us again. */
			fs->reclaim_timed = false;
			/* The store calls fs_on_unlinked, which takes notice_lock: not held across the call. */
			pthread_mutex_unlock(&fs->notice_lock);
			int64_t next = store_reclaim_due(fs->store);
			pthread_mutex_lock(&fs->notice_lock);
			fs->reclaim_timed = next >= 0;
			if (fs->reclaim_timed) {
				clock_gettime(CLOCK_MONOTONIC, &reclaim_at);
				int64_t ns = reclaim_at.tv_nsec + next;
				reclaim_at.tv_sec += (time_t)(ns / 1000000000);
				reclaim_at.tv_nsec = (long)(ns % 1000000000);
			}
			continue;
		}
		if (fs->notices == NULL)
			break;
		struct notice *n = fs->notices;
		fs->notices = n->next;
		pthread_mutex_unlock(&fs->notice_lock);
		if (n->node != NULL) {
			if (!fs->stopping)
				restore_refused(fs, n);
			/* May reclaim a transient segment, which posts a notice: notice_lock is not held here. */
			store_release(fs->store, n->node);
		} else if (!fs->stopping) {
			fuse_lowlevel_notify_inval_entry(fs->se, n->parent, n->name, n->len);
		}
		free(n);
		pthread_mutex_lock(&fs->notice_lock);
	}
	pthread_mutex_unlock(&fs->notice_lock);
	return NULL;
}

int fs_notifier_start(struct fs *fs)
{
	pthread_mutex_init(&fs->notice_lock, NULL);
	/* Deferred reclaims are timed on CLOCK_MONOTONIC, as the store times them. */
	pthread_condattr_t attr;
	pthread_condattr_init(&attr);
	pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
	pthread_cond_init(&fs->notice_cond, &attr);
	pthread_condattr_destroy(&attr);
	fs->notices = NULL;
	fs->reclaim_wanted = false;
	fs->reclaim_timed = false;
	fs->stopping = false;
	int err = quiet_thread_start(&fs->notifier, notifier_main, fs);
	if (err != 0)
		return -err;
	fs->notifier_running = true;
	return 0;
}

void fs_notifier_stop(struct fs *fs)
{
	if (!fs->notifier_running)
		return;
	pthread_mutex_lock(&fs->notice_lock);
	fs->stopping = true;
	pthread_cond_signal(&fs->notice_cond);
	pthread_mutex_unlock(&fs->notice_lock);
	pthread_join(fs->notifier, NULL);
	fs->notifier_running = false;
	pthread_cond_destroy(&fs->notice_cond);
	pthread_mutex_destroy(&fs->notice_lock);
}
