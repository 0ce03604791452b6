/* check_prealloc.c - unit tests of the blocks the store allocates ahead of a sequential writer (prealloc.h):
 * what asks for them, how far ahead, the limits (capacity, pool, four segments at once) and every way they
 * are given back (last close, truncate, shutdown, start-up after a crash). On /dev/shm, the backing
 * filesystem mmfs is made for: what the tests count is the backing files' allocated blocks.
 * The allocating thread serves requests in order, so a later segment's blocks showing up means every earlier
 * request was served: that is how a test knows that nothing more will come for a segment. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/magic.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <time.h>
#include <unistd.h>

#include "store.h"
#include "scratch.h"
#include "suites.h"

#define KIB 1024ull
#define MIB (1024ull * KIB)

static char parent[64];
static char scratch[96];
static char backing[128];
static struct store_config config;
static struct store *store;
static struct node *root;
static const struct store_caller me = { .uid = 1000, .gid = 1000 };
static char block[MIB];
static char disk[64];            /* a test's directory on a disk filesystem, when it made one */

static void setup_parent(void)
{
	scratch_make(parent, sizeof(parent), "/dev/shm/mmfs-check-prealloc-XXXXXX");
}

static void teardown_parent(void)
{
	scratch_remove(parent);
}

static void setup(void)
{
	scratch_store_dirs(parent, scratch, sizeof(scratch), backing, sizeof(backing));
	config = (struct store_config){
		.backing_dir = backing,
		.pool_bytes = 256 * MIB,
		.pool_nodes = 100,
		.default_capacity = META_UNLIMITED,
		.default_lifetime = LIFETIME_PERSISTENT,
		.root_mode = 0755,
		.prealloc_bytes = 2 * MIB,
	};
	store = NULL;
	root = NULL;
	disk[0] = '\0';
}

static void teardown(void)
{
	store_close(store);
	store = NULL;
	scratch_remove(scratch);
	if (disk[0] != '\0')
		scratch_remove(disk);
}

static void open_store(void)
{
	int rc = store_open(&config, &store);
	ck_assert_msg(rc == 0, "store_open(%s): expected 0, saw %d", backing, rc);
	root = store_root(store);
}

/* A segment with a handle open on it, as a writer holds it. */
static struct node *open_new(const char *name)
{
	struct node *node = NULL;
	struct stat st;
	ck_assert_int_eq(store_mknod(store, root, name, S_IFREG | 0644, &me, &node, &st), 0);
	ck_assert_int_eq(store_open_file(store, node, O_WRONLY), 0);
	return node;
}

/* The byte at offset off of what write_mib writes: differs from one MiB to the next and within each. */
static char pattern(uint64_t off)
{
	return (char)('a' + (off / MIB + off % 251) % 26);
}

/* Writes count MiB from MiB number first, one write of 1 MiB each, as the kernel sends a large write(2). */
static void write_mib(struct node *node, uint64_t first, uint64_t count)
{
	for (uint64_t m = first; m < first + count; m++) {
		for (uint64_t i = 0; i < MIB; i++)
			block[i] = pattern(m * MIB + i);
		ck_assert_int_eq(store_write(store, node, block, MIB, m * MIB), (ssize_t)MIB);
	}
}

/* Bytes the backing file has blocks for. */
static uint64_t allocated(const char *name)
{
	char path[512];
	struct stat st;
	snprintf(path, sizeof(path), "%s/%s", backing, name);
	ck_assert_int_eq(stat(path, &st), 0);
	return (uint64_t)st.st_blocks * 512;
}

static uint64_t length(const char *name)
{
	char path[512];
	struct stat st;
	snprintf(path, sizeof(path), "%s/%s", backing, name);
	ck_assert_int_eq(stat(path, &st), 0);
	return (uint64_t)st.st_size;
}

/* Waits (10 s at most) until the backing file has blocks for more than bytes; fails the test otherwise. */
static void wait_allocated_above(const char *name, uint64_t bytes)
{
	struct timespec pause = { 0, 1000000 };
	for (int i = 0; i < 10000; i++) {
		if (allocated(name) > bytes)
			return;
		nanosleep(&pause, NULL);
	}
	ck_abort_msg("%s: no blocks past %llu bytes after 10 s (has %llu)", name, (unsigned long long)bytes,
		     (unsigned long long)allocated(name));
}

/* Returns once the allocating thread has served every request made so far: it serves them in order, so a
 * new segment's blocks showing up past its end means all earlier ones were served. */
static void wait_requests_served(void)
{
	static int barriers;
	char name[32];
	snprintf(name, sizeof(name), "barrier%d", barriers++);
	struct node *barrier = open_new(name);
	write_mib(barrier, 0, 1);
	wait_allocated_above(name, MIB);
	store_release(store, barrier);
}

START_TEST(test_sequential_large_writes_allocate_ahead_and_the_last_close_gives_it_back)
{
	open_store();
	struct node *seg = open_new("seg");
	write_mib(seg, 0, 4);
	wait_allocated_above("seg", 4 * MIB);
	/* Never more than the window past the end, and the length and content are untouched. */
	ck_assert_uint_le(allocated("seg"), 4 * MIB + config.prealloc_bytes);
	ck_assert_uint_eq(length("seg"), 4 * MIB);
	static char got[4 * MIB];
	ck_assert_int_eq(store_read(store, seg, got, sizeof(got), 0), (ssize_t)(4 * MIB));
	uint64_t i = 0;
	while (i < sizeof(got) && got[i] == pattern(i))
		i++;
	ck_assert_msg(i == sizeof(got), "byte %llu differs from what was written", (unsigned long long)i);
	store_release(store, seg);
	ck_assert_uint_eq(allocated("seg"), 4 * MIB);
}
END_TEST

/* Modification time of a backing file, in seconds. */
static long long backing_mtime(const char *name)
{
	char path[512];
	struct stat st;
	snprintf(path, sizeof(path), "%s/%s", backing, name);
	ck_assert_int_eq(stat(path, &st), 0);
	return (long long)st.st_mtim.tv_sec;
}

START_TEST(test_giving_back_keeps_the_mtime_users_saw)
{
	open_store();
	struct node *seg = open_new("seg");
	write_mib(seg, 0, 2);
	wait_allocated_above("seg", 2 * MIB);
	/* As cp -p does after its writes. */
	struct store_setattr req = { .valid = STORE_SET_MTIME, .mtime = { .tv_sec = 1000000000 } };
	struct stat st;
	ck_assert_int_eq(store_setattr(store, seg, &req, &st), 0);
	store_release(store, seg);
	ck_assert_uint_eq(allocated("seg"), 2 * MIB);
	ck_assert_int_eq(backing_mtime("seg"), 1000000000);
	ck_assert_int_eq(store_getattr(store, seg, &st), 0);
	ck_assert_int_eq(st.st_mtim.tv_sec, 1000000000);
}
END_TEST

START_TEST(test_a_segment_with_holes_gets_nothing_allocated_ahead)
{
	/* After a crash, the start finds blocks past the end by counting blocks, which a hole would hide. mmfs
	 * gives every segment's growth its blocks (node_reserve) and backs the holes it finds at the start, but
	 * that can fail (a full backing file system): a 4 MiB hole is punched here behind the store's back. */
	char path[256];
	snprintf(path, sizeof(path), "%s/sparse", backing);
	ck_assert_int_eq(mkdir(backing, 0700), 0);
	int fd = open(path, O_CREAT | O_EXCL | O_WRONLY, 0644);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(ftruncate(fd, (off_t)(4 * MIB)), 0);
	close(fd);
	open_store();
	fd = open(path, O_WRONLY);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(fallocate(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, 0, (off_t)(4 * MIB)), 0);
	close(fd);
	ck_assert_uint_eq(allocated("sparse"), 0);
	struct node *sparse = NULL;
	struct stat st;
	ck_assert_int_eq(store_lookup(store, root, "sparse", &sparse, &st), 0);
	ck_assert_int_eq(store_open_file(store, sparse, O_RDWR), 0);
	write_mib(sparse, 4, 2); /* from its end on, but with 4 MiB of hole before */
	wait_requests_served();
	ck_assert_uint_eq(allocated("sparse"), 2 * MIB);
	store_release(store, sparse);
}
END_TEST

START_TEST(test_growth_past_the_end_gives_back_what_was_allocated_ahead_and_backs_the_gap)
{
	open_store();
	struct node *seg = open_new("seg");
	write_mib(seg, 0, 1);
	wait_allocated_above("seg", MIB);
	write_mib(seg, 8, 1); /* from 1 MiB to 8 MiB nothing was written: no hole, but nothing ahead either */
	ck_assert_uint_eq(allocated("seg"), 9 * MIB);
	write_mib(seg, 9, 1); /* on from the end again: a window ahead once more */
	wait_requests_served();
	ck_assert_uint_eq(allocated("seg"), 12 * MIB);
	store_release(store, seg);
}
END_TEST

START_TEST(test_small_writes_and_writes_not_at_the_end_allocate_nothing_ahead)
{
	open_store();
	struct node *small = open_new("small");
	memset(block, 'x', 64 * KIB);
	for (uint64_t i = 0; i < 16; i++)
		ck_assert_int_eq(store_write(store, small, block, 64 * KIB, i * 64 * KIB), (ssize_t)(64 * KIB));
	struct node *gap = open_new("gap");
	write_mib(gap, 2, 1); /* past the end: a hole, then data */
	write_mib(gap, 0, 1); /* inside */
	wait_requests_served();
	ck_assert_uint_eq(allocated("small"), MIB);
	ck_assert_uint_eq(allocated("gap"), 3 * MIB); /* the gap has its blocks, and no more */
	store_release(store, small);
	store_release(store, gap);
}
END_TEST

START_TEST(test_truncate_gives_back_what_was_allocated_ahead)
{
	open_store();
	struct node *seg = open_new("seg");
	write_mib(seg, 0, 2);
	wait_allocated_above("seg", 2 * MIB);
	struct store_setattr req = { .valid = STORE_SET_SIZE, .size = MIB };
	struct stat st;
	ck_assert_int_eq(store_setattr(store, seg, &req, &st), 0);
	ck_assert_uint_eq(allocated("seg"), MIB);
	/* Writing on from the new end allocates ahead again. */
	write_mib(seg, 1, 1);
	wait_allocated_above("seg", 2 * MIB);
	store_release(store, seg);
	ck_assert_uint_eq(allocated("seg"), 2 * MIB);
}
END_TEST

START_TEST(test_allocation_ahead_stops_at_the_capacity_and_at_the_pool)
{
	config.prealloc_bytes = 8 * MIB;
	config.pool_bytes = 6 * MIB;
	open_store();
	struct node *capped = open_new("capped");
	ck_assert_int_eq(store_setxattr(store, capped, "user.mmf.capacity", "1536k", 5, 0), 0);
	write_mib(capped, 0, 1);
	struct node *pooled = open_new("pooled");
	write_mib(pooled, 0, 2); /* 3 MiB of the pool's 6 used: 3 MiB left to grow into */
	wait_allocated_above("pooled", 2 * MIB);
	ck_assert_uint_eq(allocated("capped"), 1536 * KIB);
	/* What pooled may still grow to is the pool's 3 MiB left, and it asked at its first MiB (4 MiB left
	 * then): wait for that request to be served to the end. */
	for (int i = 0; i < 10000 && allocated("pooled") < 5 * MIB; i++)
		usleep(1000);
	ck_assert_uint_eq(allocated("pooled"), 5 * MIB);
	store_release(store, capped);
	store_release(store, pooled);
	ck_assert_uint_eq(allocated("capped"), MIB);
	ck_assert_uint_eq(allocated("pooled"), 2 * MIB);
}
END_TEST

START_TEST(test_at_most_four_segments_allocate_ahead_at_once)
{
	open_store();
	struct node *seg[5];
	char name[16];
	for (int i = 0; i < 5; i++) {
		snprintf(name, sizeof(name), "s%d", i);
		seg[i] = open_new(name);
		write_mib(seg[i], 0, 1);
	}
	wait_allocated_above("s3", MIB);
	ck_assert_uint_gt(allocated("s0"), MIB);
	ck_assert_uint_eq(allocated("s4"), MIB);
	/* s0's last close makes room for s4. */
	store_release(store, seg[0]);
	write_mib(seg[4], 1, 1);
	wait_allocated_above("s4", 2 * MIB);
	for (int i = 1; i < 5; i++)
		store_release(store, seg[i]);
	ck_assert_uint_eq(allocated("s4"), 2 * MIB);
}
END_TEST

START_TEST(test_store_close_gives_back_what_open_segments_allocated_ahead)
{
	open_store();
	struct node *seg = open_new("seg");
	write_mib(seg, 0, 2);
	wait_allocated_above("seg", 2 * MIB);
	store_close(store); /* with the handle still open, as at a shutdown */
	store = NULL;
	ck_assert_uint_eq(allocated("seg"), 2 * MIB);
}
END_TEST

START_TEST(test_store_open_gives_back_blocks_left_past_the_end_by_a_crash)
{
	open_store();
	struct node *seg = open_new("seg");
	ck_assert_int_eq(store_write(store, seg, "content", 7, 0), 7);
	store_release(store, seg);
	store_close(store);
	store = NULL;
	/* What a daemon killed while a writer was busy leaves behind. */
	char path[512];
	snprintf(path, sizeof(path), "%s/seg", backing);
	int fd = open(path, O_RDWR);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(fallocate(fd, FALLOC_FL_KEEP_SIZE, 0, (off_t)(3 * MIB)), 0);
	close(fd);
	ck_assert_uint_eq(allocated("seg"), 3 * MIB);
	const struct timespec times[2] = { { .tv_sec = 1000000000 }, { .tv_sec = 1000000000 } };
	ck_assert_int_eq(utimensat(AT_FDCWD, path, times, 0), 0);
	open_store();
	ck_assert_uint_eq(allocated("seg"), 4 * KIB);
	ck_assert_uint_eq(length("seg"), 7);
	ck_assert_int_eq(backing_mtime("seg"), 1000000000);
}
END_TEST

START_TEST(test_a_backing_directory_not_on_tmpfs_gets_nothing_allocated_ahead)
{
	/* A disk filesystem allocates nothing in write(2) (delayed allocation), and ext4 ignores a hole punched
	 * past the end: allocating ahead there would only keep blocks for good. */
	struct statfs sfs;
	if (statfs("/var/tmp", &sfs) != 0 || sfs.f_type == TMPFS_MAGIC)
		return; /* no disk directory to try here */
	scratch_make(disk, sizeof(disk), "/var/tmp/mmfs-check-prealloc-XXXXXX");
	snprintf(backing, sizeof(backing), "%s/backing", disk);
	open_store();
	struct node *seg = open_new("seg");
	write_mib(seg, 0, 4);
	/* No thread to wait for: off tmpfs the store never starts one. 64 KiB for the filesystem's own blocks. */
	ck_assert_uint_le(allocated("seg"), 4 * MIB + 64 * KIB);
	store_release(store, seg);
}
END_TEST

START_TEST(test_prealloc_0_never_allocates_ahead)
{
	config.prealloc_bytes = 0;
	open_store();
	struct node *seg = open_new("seg");
	write_mib(seg, 0, 4);
	/* No thread to wait for: with prealloc 0 the store never starts one. */
	ck_assert_uint_eq(allocated("seg"), 4 * MIB);
	store_release(store, seg);
}
END_TEST

Suite *prealloc_suite(void)
{
	Suite *s = suite_create("prealloc");
	TCase *tc = tcase_create("ahead of sequential writers");
	tcase_add_unchecked_fixture(tc, setup_parent, teardown_parent);
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_sequential_large_writes_allocate_ahead_and_the_last_close_gives_it_back);
	tcase_add_test(tc, test_small_writes_and_writes_not_at_the_end_allocate_nothing_ahead);
	tcase_add_test(tc, test_giving_back_keeps_the_mtime_users_saw);
	tcase_add_test(tc, test_a_segment_with_holes_gets_nothing_allocated_ahead);
	tcase_add_test(tc, test_growth_past_the_end_gives_back_what_was_allocated_ahead_and_backs_the_gap);
	tcase_add_test(tc, test_truncate_gives_back_what_was_allocated_ahead);
	tcase_add_test(tc, test_allocation_ahead_stops_at_the_capacity_and_at_the_pool);
	tcase_add_test(tc, test_at_most_four_segments_allocate_ahead_at_once);
	tcase_add_test(tc, test_store_close_gives_back_what_open_segments_allocated_ahead);
	tcase_add_test(tc, test_store_open_gives_back_blocks_left_past_the_end_by_a_crash);
	tcase_add_test(tc, test_a_backing_directory_not_on_tmpfs_gets_nothing_allocated_ahead);
	tcase_add_test(tc, test_prealloc_0_never_allocates_ahead);
	suite_add_tcase(s, tc);
	return s;
}
