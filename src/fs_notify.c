/* fs_notify.c - tells the kernel about names the store removed by itself (transient segments reclaimed). */
#include "fs_ops.h"
#include "quiet_thread.h"

#include <stdlib.h>
#include <string.h>

struct notice {
	struct notice *next;
	fuse_ino_t parent;
	size_t len;
	char name[];
};

void fs_on_unlinked(void *ctx, struct node *dir, const char *name)
{
	struct fs *fs = ctx;
	size_t len = strlen(name);
	struct notice *n = malloc(sizeof(*n) + len + 1);
	if (n == NULL)
		return; /* the kernel keeps a stale name until its entry times out: no worse than that */
	n->parent = dir == store_root(fs->store) ? FUSE_ROOT_ID : (fuse_ino_t)(uintptr_t)dir;
	n->len = len;
	memcpy(n->name, name, len + 1);
	pthread_mutex_lock(&fs->notice_lock);
	n->next = fs->notices;
	fs->notices = n;
	pthread_cond_signal(&fs->notice_cond);
	pthread_mutex_unlock(&fs->notice_lock);
}

static void *notifier_main(void *arg)
{
	struct fs *fs = arg;
	pthread_mutex_lock(&fs->notice_lock);
	for (;;) {
		while (fs->notices == NULL && !fs->stopping)
			pthread_cond_wait(&fs->notice_cond, &fs->notice_lock);
		if (fs->notices == NULL)
			break;
		struct notice *n = fs->notices;
		fs->notices = n->next;
		pthread_mutex_unlock(&fs->notice_lock);
		if (!fs->stopping)
			fuse_lowlevel_notify_inval_entry(fs->se, n->parent, n->name, n->len);
		free(n);
		pthread_mutex_lock(&fs->notice_lock);
	}
	pthread_mutex_unlock(&fs->notice_lock);
	return NULL;
}

int fs_notifier_start(struct fs *fs)
{
	pthread_mutex_init(&fs->notice_lock, NULL);
	pthread_cond_init(&fs->notice_cond, NULL);
	fs->notices = NULL;
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
