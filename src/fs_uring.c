/* fs_uring.c - FUSE-over-io-uring, done here because libfuse 3.14 cannot.
 *
 * Why: through /dev/fuse every request wakes a daemon thread that the scheduler puts on another CPU, and the
 * answer wakes the caller back there. On a virtual machine whose idle CPUs halt, each of those wake-ups
 * costs the host's help, more than the request itself (scripts/bench prints the round trip floor). With
 * io-uring the kernel puts a request in the queue of the CPU its caller runs on, and each queue is served by a
 * thread held on that CPU: request and answer stay on one CPU.
 *
 * How: each queue has one ring entry, registered with the kernel: a header buffer (the fuse_in_header, the
 * operation's own header, the entry's commit id and payload size) and a payload buffer (names, written data,
 * and the reply). libfuse 3.14 wants a request as one message, as read from /dev/fuse: the payload buffer is
 * preceded by room into which both headers are copied, so a write's data is not moved. libfuse's reply passes
 * through fs_poll.c's writer, which hands it to fs_uring_take_reply: the reply is put into the entry, and the
 * queue's thread commits it and fetches the next request in one system call.
 *
 * The kernel keeps /dev/fuse for FORGET, INTERRUPT and our notifications (fs_poll.c's loop still reads it),
 * and for every request until all queues are registered.
 */
#include "fs_uring.h"
#include "fs_ops.h"
#include "fs_stop.h"
#include "quiet_thread.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/fuse.h>
#include <linux/io_uring.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

/* The kernel's interface (uapi fuse.h, protocol 7.42), newer than the headers Debian 12 ships. */
#define OVER_IO_URING_FLAGS2 (1u << 9) /* FUSE_OVER_IO_URING, bit 41 of the INIT flags */
#define URING_CMD_REGISTER 1
#define URING_CMD_COMMIT_AND_FETCH 2
#define URING_OP_IN_SIZE 128

struct uring_ent_in_out {
	uint64_t flags;
	uint64_t commit_id;  /* given with the request, to be given back with its reply */
	uint32_t payload_sz; /* bytes of the payload buffer that the request, then the reply, uses */
	uint32_t padding;
	uint64_t reserved;
};

struct uring_req_header {
	char in_out[128]; /* fuse_in_header of the request, then fuse_out_header of the reply */
	char op_in[URING_OP_IN_SIZE];
	struct uring_ent_in_out ent;
};

struct uring_cmd_req {
	uint64_t flags;
	uint64_t commit_id;
	uint16_t qid;
	uint8_t padding[6];
};

#define SQE_SIZE 128 /* IORING_SETUP_SQE128: the command (struct uring_cmd_req) lives in the SQE */
/* Room in front of the payload for the two headers, copied there to make one message. */
#define LEAD_ROOM (sizeof(struct fuse_in_header) + URING_OP_IN_SIZE)

struct queue {
	struct fs *fs;
	unsigned qid;
	int fuse_fd;
	int ring_fd;
	pthread_t thread;
	bool started;
	/* The rings shared with the kernel. */
	void *sq_map, *cq_map, *sqe_map;
	size_t sq_map_len, cq_map_len, sqe_map_len;
	unsigned *sq_head, *sq_tail, *sq_mask, *sq_array;
	unsigned *cq_head, *cq_tail, *cq_mask;
	struct io_uring_cqe *cqes;
	/* The one ring entry. */
	struct uring_req_header *header;
	char *buffer; /* LEAD_ROOM, then the payload */
	char *payload;
	size_t payload_size;
	struct iovec iov[2];
	/* The request in hand. */
	uint64_t unique;
	bool replied;
	bool away; /* held off its CPU, to serve READs (place_for) */
};

static struct {
	bool wanted;
	bool debug;
	/* Set while the INIT request and its answer pass by (one thread, before any other request). */
	bool offered;
	uint32_t max_write;
	uint32_t max_pages;
	unsigned nqueues;
	struct queue *queues;
	atomic_bool stopping;
} ur;

static __thread struct queue *this_queue;

static int queues_make(struct fs *fs);
static void place_for(struct queue *q, uint32_t opcode, const char *op_in);

static const char enable_switch[] = "/sys/module/fuse/parameters/enable_uring";

void fs_uring_prepare(bool wanted, bool debug)
{
	ur.wanted = wanted;
	ur.debug = debug;
	if (!wanted || geteuid() != 0)
		return;
	int fd = open(enable_switch, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return; /* a kernel without io-uring for FUSE: /dev/fuse alone */
	char now = 'N';
	if (read(fd, &now, 1) == 1 && now != 'Y' && pwrite(fd, "Y", 1, 0) != 1 && debug)
		fprintf(stderr, "mmfs: cannot turn on %s: %s\n", enable_switch, strerror(errno));
	close(fd);
}

void fs_uring_note_init(const void *buf, size_t len)
{
	struct fuse_in_header in;
	struct fuse_init_in init;
	if (!ur.wanted || len < sizeof(in) + sizeof(init))
		return;
	memcpy(&in, buf, sizeof(in));
	if (in.opcode != FUSE_INIT)
		return;
	memcpy(&init, (const char *)buf + sizeof(in), sizeof(init));
	ur.offered = (init.flags & FUSE_INIT_EXT) != 0 && (init.flags2 & OVER_IO_URING_FLAGS2) != 0;
}

void fs_uring_patch_init(struct fs *fs, const struct iovec *iov, int count)
{
	struct fuse_out_header out;
	struct fuse_init_out init;
	if (!ur.offered || count < 2 || iov[0].iov_len < sizeof(out) || iov[1].iov_len < sizeof(init))
		return;
	memcpy(&out, iov[0].iov_base, sizeof(out));
	if (out.error != 0)
		return;
	ur.offered = false;
	memcpy(&init, iov[1].iov_base, sizeof(init));
	ur.max_write = init.max_write;
	ur.max_pages = (init.flags & FUSE_MAX_PAGES) != 0 ? init.max_pages : 0;
	int err = queues_make(fs);
	if (err != 0) {
		if (ur.debug)
			fprintf(stderr, "mmfs: no io-uring (%s): every request goes through /dev/fuse\n", strerror(-err));
		return;
	}
	init.flags |= FUSE_INIT_EXT;
	init.flags2 |= OVER_IO_URING_FLAGS2;
	memcpy(iov[1].iov_base, &init, sizeof(init));
}

/* The kernel makes a queue for every possible CPU, and takes the ring into use only when each has an entry. */
static unsigned possible_cpus(void)
{
	FILE *f = fopen("/sys/devices/system/cpu/possible", "re");
	unsigned first = 0, last = 0, highest = 0;
	int c = ',';
	if (f == NULL)
		return (unsigned)sysconf(_SC_NPROCESSORS_CONF);
	/* A list of ranges: "0-1", "0,2-3". */
	while (c == ',' && fscanf(f, "%u", &first) == 1) {
		last = first;
		c = fgetc(f);
		if (c == '-' && fscanf(f, "%u", &last) == 1)
			c = fgetc(f);
		if (last > highest)
			highest = last;
	}
	fclose(f);
	return highest + 1;
}

static int ring_enter(struct queue *q, unsigned to_submit, unsigned min_complete, unsigned flags, void *arg,
		      size_t arg_size)
{
	return (int)syscall(__NR_io_uring_enter, q->ring_fd, to_submit, min_complete, flags, arg, arg_size);
}

static int ring_setup(struct queue *q)
{
	struct io_uring_params p;
	memset(&p, 0, sizeof(p));
	/* Plain task work, not IORING_SETUP_DEFER_TASKRUN: deferred work runs only in this thread, and if the
	 * thread is killed while a request waits in its entry, nothing runs it; the kernel then never ends that
	 * request, not even when the connection is aborted, and its caller hangs for good (seen with SIGKILL).
	 * Plain task work for a dead thread falls back to a kernel worker, which hands the entry back. */
	p.flags = IORING_SETUP_SQE128;
	q->ring_fd = (int)syscall(__NR_io_uring_setup, 4, &p);
	if (q->ring_fd < 0)
		return -errno;
	q->sq_map_len = p.sq_off.array + p.sq_entries * sizeof(unsigned);
	q->cq_map_len = p.cq_off.cqes + p.cq_entries * sizeof(struct io_uring_cqe);
	bool single = (p.features & IORING_FEAT_SINGLE_MMAP) != 0;
	if (single && q->cq_map_len > q->sq_map_len)
		q->sq_map_len = q->cq_map_len;
	q->sq_map = mmap(NULL, q->sq_map_len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, q->ring_fd,
			 IORING_OFF_SQ_RING);
	if (q->sq_map == MAP_FAILED)
		return -errno;
	if (single) {
		q->cq_map = q->sq_map;
		q->cq_map_len = 0;
	} else {
		q->cq_map = mmap(NULL, q->cq_map_len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, q->ring_fd,
				 IORING_OFF_CQ_RING);
		if (q->cq_map == MAP_FAILED)
			return -errno;
	}
	q->sqe_map_len = (size_t)p.sq_entries * SQE_SIZE;
	q->sqe_map = mmap(NULL, q->sqe_map_len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, q->ring_fd,
			  IORING_OFF_SQES);
	if (q->sqe_map == MAP_FAILED)
		return -errno;
	char *sq = q->sq_map, *cq = q->cq_map;
	q->sq_head = (unsigned *)(sq + p.sq_off.head);
	q->sq_tail = (unsigned *)(sq + p.sq_off.tail);
	q->sq_mask = (unsigned *)(sq + p.sq_off.ring_mask);
	q->sq_array = (unsigned *)(sq + p.sq_off.array);
	q->cq_head = (unsigned *)(cq + p.cq_off.head);
	q->cq_tail = (unsigned *)(cq + p.cq_off.tail);
	q->cq_mask = (unsigned *)(cq + p.cq_off.ring_mask);
	q->cqes = (struct io_uring_cqe *)(cq + p.cq_off.cqes);
	return 0;
}

static void ring_teardown(struct queue *q)
{
	if (q->sqe_map != NULL && q->sqe_map != MAP_FAILED)
		munmap(q->sqe_map, q->sqe_map_len);
	if (q->cq_map != NULL && q->cq_map != MAP_FAILED && q->cq_map != q->sq_map)
		munmap(q->cq_map, q->cq_map_len);
	if (q->sq_map != NULL && q->sq_map != MAP_FAILED)
		munmap(q->sq_map, q->sq_map_len);
	if (q->ring_fd >= 0)
		close(q->ring_fd);
	q->ring_fd = -1;
}

/* Queues one command for the entry: submitted with the next wait. */
static void queue_command(struct queue *q, uint32_t op, uint64_t commit_id)
{
	unsigned tail = *q->sq_tail;
	unsigned index = tail & *q->sq_mask;
	struct io_uring_sqe *sqe = (struct io_uring_sqe *)((char *)q->sqe_map + (size_t)index * SQE_SIZE);
	memset(sqe, 0, SQE_SIZE);
	sqe->opcode = IORING_OP_URING_CMD;
	sqe->fd = q->fuse_fd;
	sqe->cmd_op = op;
	if (op == URING_CMD_REGISTER) {
		sqe->addr = (uint64_t)(uintptr_t)q->iov;
		sqe->len = 2;
	}
	struct uring_cmd_req cmd = { .commit_id = commit_id, .qid = (uint16_t)q->qid };
	memcpy(sqe->cmd, &cmd, sizeof(cmd));
	q->sq_array[index] = index;
	__atomic_store_n(q->sq_tail, tail + 1, __ATOMIC_RELEASE);
}

static long long now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* Submits what is queued and waits for the next completion: 0 with its result in *res, or -errno.
 * First it polls for poll_ns (-o poll), yielding to anything runnable on this CPU: a CPU whose queue
 * thread is polling is not idle, so the scheduler leaves a woken caller on its own CPU, where its next
 * request finds this queue's thread, instead of moving it to a halted CPU that must be woken. Then it sleeps
 * in poll(2) on the ring, which every tool knows blocks (valgrind does not know that io_uring_enter can, and
 * would let no other thread run meanwhile), looking at the stop flag every second, for a connection that
 * lives on after the loop. */
static int next_completion(struct queue *q, int *res, bool may_poll)
{
	long long poll_until = may_poll && q->fs->poll_ns > 0 ? now_ns() + q->fs->poll_ns : 0;
	for (;;) {
		unsigned head = *q->cq_head;
		if (head != __atomic_load_n(q->cq_tail, __ATOMIC_ACQUIRE)) {
			*res = q->cqes[head & *q->cq_mask].res;
			__atomic_store_n(q->cq_head, head + 1, __ATOMIC_RELEASE);
			return 0;
		}
		if (atomic_load(&ur.stopping))
			return -ECANCELED;
		unsigned to_submit = *q->sq_tail - __atomic_load_n(q->sq_head, __ATOMIC_ACQUIRE);
		int rc = 0;
		if (poll_until != 0 && now_ns() < poll_until) {
			/* Submits, and lets the kernel run the task work that delivers a request, without waiting. */
			rc = ring_enter(q, to_submit, 0, IORING_ENTER_GETEVENTS, NULL, 0);
			if (rc >= 0 && head == __atomic_load_n(q->cq_tail, __ATOMIC_ACQUIRE))
				sched_yield();
		} else if (to_submit > 0) {
			rc = ring_enter(q, to_submit, 0, 0, NULL, 0);
		} else {
			struct pollfd ready = { .fd = q->ring_fd, .events = POLLIN };
			rc = poll(&ready, 1, 1000);
		}
		if (rc < 0 && errno != EINTR && errno != EAGAIN && errno != EBUSY)
			return -errno;
	}
}

/* Puts an answer of error err, with no body, into the entry. */
static void answer_error(struct queue *q, uint64_t unique, int err)
{
	struct fuse_out_header out = { .len = sizeof(out), .error = -err, .unique = unique };
	memcpy(q->header->in_out, &out, sizeof(out));
	q->header->ent.payload_sz = 0;
}

/* Per-CPU queues do not keep the order of requests from different CPUs. The one order users see is a close
 * before a change of lifetime: `echo x >seg; setfattr -n user.mmf.lifetime -v transient seg` must leave seg
 * in place, but the close's RELEASE (which the kernel queues before close returns, on the closer's CPU) may
 * still wait in another queue when the SETXATTR comes, and arriving after it would reclaim the segment. So a
 * SETXATTR first waits, up to 50 ms, until the connection holds no other request (fusectl's waiting count). */
static void let_older_requests_pass(void)
{
	for (int tries = 0; tries < 1000; tries++) {
		int waiting = fs_stop_requests_waiting();
		if (waiting <= 1)
			return;
		struct timespec pause = { .tv_nsec = 50000 };
		nanosleep(&pause, NULL);
	}
}

/* Hands the request in the entry to libfuse, which answers it through fs_uring_take_reply. Returns its
 * commit id. */
static uint64_t serve_request(struct queue *q)
{
	struct fuse_in_header in;
	memcpy(&in, q->header->in_out, sizeof(in));
	uint64_t commit_id = q->header->ent.commit_id;
	size_t payload_len = q->header->ent.payload_sz;
	/* The operation's header is what the length holds beyond the fuse_in_header and the payload. */
	if (in.len < sizeof(in) + payload_len || in.len - sizeof(in) - payload_len > URING_OP_IN_SIZE ||
	    payload_len > q->payload_size) {
		answer_error(q, in.unique, EIO);
		return commit_id;
	}
	size_t op_len = in.len - sizeof(in) - payload_len;
	char *message = q->payload - op_len - sizeof(in);
	memcpy(message, &in, sizeof(in));
	memcpy(message + sizeof(in), q->header->op_in, op_len);
	place_for(q, in.opcode, q->header->op_in);
	q->unique = in.unique;
	q->replied = false;
	/* Under -d, before libfuse's own line for the request: which queue it came through. */
	if (ur.debug)
		fprintf(stderr, "mmfs: io-uring queue %u: unique %llu\n", q->qid, (unsigned long long)in.unique);
	fs_killpriv_note_request(message, in.len);
	if (in.opcode == FUSE_SETXATTR && ur.nqueues > 1)
		let_older_requests_pass();
	struct fuse_buf buf = { .size = in.len, .mem = message };
	fuse_session_process_buf(q->fs->se, &buf);
	/* A request libfuse does not answer would stay in the entry for ever, and the queue with it. */
	if (!q->replied)
		answer_error(q, in.unique, ENOSYS);
	q->unique = 0;
	return commit_id;
}

/* Holds this thread on its queue's CPU (home), or on every other CPU (away). Refused where a CPU is not ours
 * to use (a cpuset): the queue then works from wherever it runs. */
static void place(struct queue *q, bool home)
{
	cpu_set_t *set = CPU_ALLOC(ur.nqueues);
	size_t size = CPU_ALLOC_SIZE(ur.nqueues);
	if (set == NULL)
		return;
	CPU_ZERO_S(size, set);
	for (unsigned cpu = 0; cpu < ur.nqueues; cpu++)
		if ((cpu == q->qid) == home)
			CPU_SET_S(cpu, size, set);
	if (pthread_setaffinity_np(pthread_self(), size, set) == 0)
		q->away = !home;
	CPU_FREE(set);
}

/* Where to serve a request: the page cache's bulk traffic away from its caller's CPU, everything else on it.
 * Large READs fill the page cache by readahead, which the reader does not wait for, and WRITEs marked
 * FUSE_WRITE_CACHE empty it (writeback): served on another CPU they overlap with the work of the process that
 * caused them, as through /dev/fuse, where on its CPU the two would take turns (sequential cold reads ran at
 * half the speed, first stores through a mapping at a third). A small READ is a page a reader waits for
 * (random reads get no readahead), and every other request has a caller waiting too: each is answered
 * fastest where its caller runs. */
#define BULK_READ (64 * 1024)
static void place_for(struct queue *q, uint32_t opcode, const char *op_in)
{
	bool away = false;
	if (opcode == FUSE_READ) {
		struct fuse_read_in read;
		memcpy(&read, op_in, sizeof(read));
		away = read.size >= BULK_READ;
	} else if (opcode == FUSE_WRITE) {
		struct fuse_write_in write;
		memcpy(&write, op_in, sizeof(write));
		away = (write.write_flags & FUSE_WRITE_CACHE) != 0;
	}
	away = away && ur.nqueues > 1;
	if (away != q->away)
		place(q, !away);
}

static void *queue_main(void *arg)
{
	struct queue *q = arg;
	char name[16];
	int res;
	this_queue = q;
	snprintf(name, sizeof(name), "mmfs-uring%u", q->qid);
	pthread_setname_np(pthread_self(), name);
	place(q, true);
	queue_command(q, URING_CMD_REGISTER, 0);
	/* The registration completes only with the first request; a refusal completes at once (and makes the
	 * kernel give up io-uring for this mount: everything then goes through /dev/fuse). */
	int err;
	while ((err = next_completion(q, &res, true)) == 0 && res >= 0) {
		uint64_t commit_id = serve_request(q);
		queue_command(q, URING_CMD_COMMIT_AND_FETCH, commit_id);
	}
	if (err == 0)
		err = res;
	/* The end of the connection ends the entry with ENOTCONN; anything else is worth a word under -d. */
	if (ur.debug && err != -ENOTCONN && err != -ECANCELED && err != -ECONNABORTED)
		fprintf(stderr, "mmfs: io-uring queue %u ends: %s\n", q->qid, strerror(-err));
	return NULL;
}

static void queues_free(void)
{
	for (unsigned i = 0; i < ur.nqueues; i++) {
		ring_teardown(&ur.queues[i]);
		free(ur.queues[i].header);
		free(ur.queues[i].buffer);
	}
	free(ur.queues);
	ur.queues = NULL;
	ur.nqueues = 0;
}

/* Makes every queue's ring and buffers, before io-uring is agreed to: once it is, the kernel holds every
 * request back until each CPU's queue has registered, so nothing that can fail may be left for later.
 * Returns 0, or -errno with nothing made. */
static int queues_make(struct fs *fs)
{
	unsigned n = possible_cpus();
	size_t page = (size_t)sysconf(_SC_PAGESIZE);
	/* As big as the largest request or reply the kernel may put there (its max_payload_sz). */
	size_t payload = 8192;
	if (ur.max_write > payload)
		payload = ur.max_write;
	if ((size_t)ur.max_pages * page > payload)
		payload = (size_t)ur.max_pages * page;
	if (32 * page > payload)
		payload = 32 * page;
	ur.queues = calloc(n, sizeof(*ur.queues));
	if (ur.queues == NULL)
		return -ENOMEM;
	ur.nqueues = n;
	for (unsigned i = 0; i < n; i++) {
		struct queue *q = &ur.queues[i];
		q->fs = fs;
		q->qid = i;
		q->fuse_fd = fuse_session_fd(fs->se);
		q->ring_fd = -1;
		q->payload_size = payload;
	}
	for (unsigned i = 0; i < n; i++) {
		struct queue *q = &ur.queues[i];
		/* Zeroed: the kernel fills them behind the back of valgrind, which must not think them undefined. */
		q->header = calloc(1, sizeof(*q->header));
		q->buffer = calloc(1, LEAD_ROOM + payload);
		int err = q->header == NULL || q->buffer == NULL ? -ENOMEM : ring_setup(q);
		if (err != 0) {
			queues_free();
			return err;
		}
		q->payload = q->buffer + LEAD_ROOM;
		q->iov[0] = (struct iovec){ .iov_base = q->header, .iov_len = sizeof(*q->header) };
		q->iov[1] = (struct iovec){ .iov_base = q->payload, .iov_len = payload };
	}
	return 0;
}

/* Makes the kernel give up io-uring for this mount, through the ring of a queue no thread serves: a
 * registration it must refuse (one buffer where it wants two). */
static void give_up(struct queue *q)
{
	int res;
	queue_command(q, URING_CMD_REGISTER, 0);
	unsigned tail = *q->sq_tail;
	struct io_uring_sqe *sqe =
		(struct io_uring_sqe *)((char *)q->sqe_map + (size_t)((tail - 1) & *q->sq_mask) * SQE_SIZE);
	sqe->len = 1;
	(void)next_completion(q, &res, false);
}

void fs_uring_start(void)
{
	for (unsigned i = 0; i < ur.nqueues; i++) {
		struct queue *q = &ur.queues[i];
		if (quiet_thread_start(&q->thread, queue_main, q) != 0) {
			if (ur.debug)
				fprintf(stderr, "mmfs: cannot start io-uring queue %u: every request goes through /dev/fuse\n", i);
			give_up(q);
			return;
		}
		q->started = true;
	}
}

bool fs_uring_take_reply(const struct iovec *iov, int count, ssize_t *written)
{
	struct queue *q = this_queue;
	struct fuse_out_header out;
	if (q == NULL || q->unique == 0 || q->replied || count < 1 || iov[0].iov_len != sizeof(out))
		return false;
	memcpy(&out, iov[0].iov_base, sizeof(out));
	if (out.unique != q->unique)
		return false;
	size_t total = 0;
	for (int i = 1; i < count; i++)
		total += iov[i].iov_len;
	q->replied = true;
	*written = (ssize_t)(sizeof(out) + total);
	if (total > q->payload_size) {
		answer_error(q, out.unique, EIO);
		return true;
	}
	size_t at = 0;
	for (int i = 1; i < count; i++) {
		/* A read reply made in fs_uring_reply_room is already in place. */
		if (iov[i].iov_base != q->payload + at)
			memmove(q->payload + at, iov[i].iov_base, iov[i].iov_len);
		at += iov[i].iov_len;
	}
	memcpy(q->header->in_out, &out, sizeof(out));
	q->header->ent.payload_sz = (uint32_t)total;
	return true;
}

bool fs_uring_serving(void)
{
	return this_queue != NULL;
}

char *fs_uring_reply_room(size_t size)
{
	struct queue *q = this_queue;
	return q != NULL && size <= q->payload_size ? q->payload : NULL;
}

unsigned fs_uring_queues(void)
{
	return ur.nqueues;
}

void fs_uring_stop(void)
{
	atomic_store(&ur.stopping, true);
	for (unsigned i = 0; i < ur.nqueues; i++)
		if (ur.queues[i].started)
			pthread_join(ur.queues[i].thread, NULL);
	queues_free();
}
