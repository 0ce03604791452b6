/* fs_ops.h - the FUSE layer: unpacks each low-level request, calls the store, replies. */
#ifndef MMFS_FS_OPS_H
#define MMFS_FS_OPS_H

#define FUSE_USE_VERSION 312
#include <fuse_lowlevel.h>
#include <pthread.h>
#include <stdbool.h>

#include "store.h"

struct notice;

/* What the FUSE layer keeps between requests; passed to fuse_session_new as userdata. */
struct fs {
	struct store *store;
	struct fuse_session *se;
	double timeout;            /* entry and attribute timeout in seconds */
	bool debug;
	unsigned max_read;         /* -o max_read=, which the kernel must be asked for again at INIT; 0: none */
	long long poll_ns;         /* how long to busy-poll for the next request before sleeping */
	bool splice;               /* may splice read replies */
	bool splice_read_replies;  /* the kernel agreed */
	bool killpriv_v2;          /* FUSE_HANDLE_KILLPRIV_V2 agreed at INIT (fs_killpriv.c); atomic access */
	/* Called once, on the thread that answered INIT, when the kernel has taken that answer: from then on the
	 * mount serves requests (main.c's daemon_ready). Only with fs_poll_start's own writing; may be NULL. */
	void (*on_mounted)(void);
	/* Names the store removed on its own (transient segments): told to the kernel from a thread of their
	 * own, because a notification sent from inside a request can deadlock against that request. */
	pthread_t notifier;
	bool notifier_running;
	pthread_mutex_t notice_lock;
	pthread_cond_t notice_cond;
	struct notice *notices;
	/* The same thread removes transient segments whose reclaim the store put off (store_reclaim_due):
	 * wanted at once, or timed (at the next one due). */
	bool reclaim_wanted;
	bool reclaim_timed;
	bool stopping;
};

extern const struct fuse_lowlevel_ops fs_lowlevel_ops;

/* The store's on_unlinked callback: queues the name for invalidation in the kernel's cache. */
void fs_on_unlinked(void *ctx, struct node *dir, const char *name);
/* A write through the page cache (an O_RDWR handle) was refused: has the notifier thread put the segment's
 * bytes of [off, off + len) back into the kernel's cache, over the refused ones the kernel put there. */
void fs_on_refused_write(struct fs *fs, fuse_ino_t ino, struct node *node, uint64_t off, size_t len);
/* The store's on_reclaim_deferred callback: has the notifier thread call store_reclaim_due. */
void fs_on_reclaim_deferred(void *ctx);
int fs_notifier_start(struct fs *fs);
/* Switches the session to mmfs's own reading and writing of /dev/fuse (fs_poll.c): a short busy-poll
 * before sleeping, and the raw messages shown to fs_killpriv.c. Call after mounting. */
int fs_poll_start(struct fs *fs);
/* fs_killpriv.c: called with each request read and each reply about to be written, on the same thread. */
void fs_killpriv_note_request(const void *buf, size_t len);
void fs_killpriv_patch_reply(struct fs *fs, const struct iovec *iov, int count);
/* Whether the kernel marked the request being handled (a write, a truncate, a chown, an O_TRUNC open) as
 * one that must drop the set-id bits: its caller lacks CAP_FSETID. Always false without KILLPRIV_V2. */
bool fs_request_kills_setid(struct fs *fs);
/* Whether the write or O_TRUNC open being handled must drop them: the mark, or without KILLPRIV_V2 a guess. */
bool fs_write_kills_setid(struct fs *fs, fuse_req_t req);
void fs_notifier_stop(struct fs *fs);

#endif
