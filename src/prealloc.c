/* prealloc.c - the thread that allocates backing blocks ahead of sequential writers (see prealloc.h). */
#include "prealloc.h"
#include "quiet_thread.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <unistd.h>

/* Allocation goes in chunks: fallocate holds the file's inode lock, which the daemon's own write into the
 * same file needs too, so a chunk is as long as the daemon may have to wait. 256 KiB measured best: 2 MiB
 * chunks made writes slower than none at all. */
#define CHUNK_BYTES (256u << 10)
/* A few writers at once are enough; a request that finds the queue full is simply not made. */
#define QUEUE_JOBS 8

struct job {
	int fd;
	uint64_t from;
	uint64_t len;
	const void *owner;
};

struct prealloc {
	pthread_mutex_t lock;
	pthread_cond_t wake;       /* a job was queued, or stop was set */
	pthread_cond_t served;     /* the running job ended */
	struct job queue[QUEUE_JOBS];
	unsigned head;
	unsigned count;
	const void *running;       /* owner of the job being served, NULL when idle */
	bool cancel_running;
	bool stop;
	bool unsupported;          /* the backing filesystem has no fallocate */
	bool started;
	pthread_t thread;
};

static void serve(struct prealloc *pre, const struct job *job)
{
	for (uint64_t done = 0; done < job->len; done += CHUNK_BYTES) {
		pthread_mutex_lock(&pre->lock);
		bool cancelled = pre->cancel_running || pre->stop;
		pthread_mutex_unlock(&pre->lock);
		if (cancelled)
			return;
		uint64_t len = job->len - done < CHUNK_BYTES ? job->len - done : CHUNK_BYTES;
		if (fallocate(job->fd, FALLOC_FL_KEEP_SIZE, (off_t)(job->from + done), (off_t)len) != 0) {
			/* A full filesystem refuses the rest too; the writer allocates for itself then. */
			if (errno == EOPNOTSUPP) {
				pthread_mutex_lock(&pre->lock);
				pre->unsupported = true;
				pthread_mutex_unlock(&pre->lock);
			}
			return;
		}
	}
}

static void *thread_main(void *arg)
{
	struct prealloc *pre = arg;
	pthread_mutex_lock(&pre->lock);
	for (;;) {
		while (pre->count == 0 && !pre->stop)
			pthread_cond_wait(&pre->wake, &pre->lock);
		if (pre->stop)
			break;
		struct job job = pre->queue[pre->head];
		pre->head = (pre->head + 1) % QUEUE_JOBS;
		pre->count--;
		pre->running = job.owner;
		pre->cancel_running = false;
		pthread_mutex_unlock(&pre->lock);
		serve(pre, &job);
		close(job.fd);
		pthread_mutex_lock(&pre->lock);
		pre->running = NULL;
		pthread_cond_broadcast(&pre->served);
	}
	pthread_mutex_unlock(&pre->lock);
	return NULL;
}

struct prealloc *prealloc_new(void)
{
	struct prealloc *pre = calloc(1, sizeof(*pre));
	if (pre == NULL)
		return NULL;
	pthread_mutex_init(&pre->lock, NULL);
	pthread_cond_init(&pre->wake, NULL);
	pthread_cond_init(&pre->served, NULL);
	return pre;
}

void prealloc_free(struct prealloc *pre)
{
	if (pre == NULL)
		return;
	pthread_mutex_lock(&pre->lock);
	pre->stop = true;
	pthread_cond_signal(&pre->wake);
	pthread_mutex_unlock(&pre->lock);
	if (pre->started)
		pthread_join(pre->thread, NULL);
	for (unsigned i = 0; i < pre->count; i++)
		close(pre->queue[(pre->head + i) % QUEUE_JOBS].fd);
	pthread_cond_destroy(&pre->served);
	pthread_cond_destroy(&pre->wake);
	pthread_mutex_destroy(&pre->lock);
	free(pre);
}

bool prealloc_request(struct prealloc *pre, int fd, uint64_t from, uint64_t len, const void *owner)
{
	bool queued = false;
	pthread_mutex_lock(&pre->lock);
	if (pre->unsupported || pre->stop || pre->count == QUEUE_JOBS || len == 0)
		goto out;
	if (!pre->started) {
		if (quiet_thread_start(&pre->thread, thread_main, pre) != 0)
			goto out;
		pre->started = true;
	}
	int dup_fd = fcntl(fd, F_DUPFD_CLOEXEC, 0);
	if (dup_fd < 0)
		goto out;
	pre->queue[(pre->head + pre->count) % QUEUE_JOBS] = (struct job){ dup_fd, from, len, owner };
	pre->count++;
	pthread_cond_signal(&pre->wake);
	queued = true;
out:
	pthread_mutex_unlock(&pre->lock);
	return queued;
}

void prealloc_cancel(struct prealloc *pre, const void *owner)
{
	pthread_mutex_lock(&pre->lock);
	/* Keep the others in order: compact the ring without owner's jobs. */
	unsigned kept = 0;
	for (unsigned i = 0; i < pre->count; i++) {
		struct job job = pre->queue[(pre->head + i) % QUEUE_JOBS];
		if (job.owner == owner)
			close(job.fd);
		else
			pre->queue[(pre->head + kept++) % QUEUE_JOBS] = job;
	}
	pre->count = kept;
	if (owner != NULL && pre->running == owner) {
		pre->cancel_running = true;
		while (pre->running == owner)
			pthread_cond_wait(&pre->served, &pre->lock);
	}
	pthread_mutex_unlock(&pre->lock);
}
