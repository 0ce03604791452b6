/* check_store.c - unit tests of the segment store on a fresh backing directory per test: names, data,
 * capacity, pool, attributes, lifetime, persistence across store_close/store_open, and the backing lock. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <dirent.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "store.h"
#include "scratch.h"
#include "suites.h"

#define KIB 1024

static char parent[64];         /* mkdtemp directory of a test case, removed even when a test failed */
static char scratch[96];        /* mkdtemp directory of one test, under parent */
static char backing[128];       /* scratch/backing: the store's backing directory */
static struct store_config config;
static struct store *store;
static struct node *root;
static const struct store_caller me = { .uid = 1000, .gid = 1000 };

/* What the store reported through on_unlinked. */
static struct {
	int count;
	struct node *dir[8];
	char name[8][STORE_NAME_MAX + 1];
} unlinked;

/* How often the store reported a deferred reclaim. */
static int deferred_reclaims;

static void record_deferred(void *ctx)
{
	ck_assert_ptr_eq(ctx, &unlinked);
	deferred_reclaims++;
}

static void record_unlinked(void *ctx, struct node *dir, const char *name)
{
	ck_assert_ptr_eq(ctx, &unlinked);
	if (unlinked.count < 8) {
		unlinked.dir[unlinked.count] = dir;
		snprintf(unlinked.name[unlinked.count], sizeof(unlinked.name[0]), "%s", name);
	}
	unlinked.count++;
}

/* Unchecked fixture: runs in the runner's process, so its teardown also cleans up after a failed test
 * (a failed test's process ends before its checked teardown). */
static void setup_parent(void)
{
	scratch_make(parent, sizeof(parent), "/tmp/mmfs-check-store-XXXXXX");
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
		.pool_bytes = 1024 * KIB,
		.pool_nodes = 1000,
		.default_capacity = META_UNLIMITED,
		.default_lifetime = LIFETIME_PERSISTENT,
		.root_mode = 0755,
		.root_uid = 0,
		.root_gid = 0,
		.on_unlinked = record_unlinked,
		.on_reclaim_deferred = record_deferred,
		.ctx = &unlinked,
	};
	memset(&unlinked, 0, sizeof(unlinked));
	deferred_reclaims = 0;
	store = NULL;
	root = NULL;
}

static void teardown(void)
{
	store_close(store);
	store = NULL;
	scratch_remove(scratch);
}

/* Opens the store with the current config (tests change config first to get a small pool). */
static void open_store(void)
{
	int rc = store_open(&config, &store);
	ck_assert_msg(rc == 0, "store_open(%s): expected 0, saw %d", backing, rc);
	root = store_root(store);
}

/* A daemon restart: every node pointer taken before is gone. */
static void reopen_store(void)
{
	store_close(store);
	store = NULL;
	open_store();
}

static struct node *create_mode(struct node *dir, const char *name, mode_t mode)
{
	struct node *node = NULL;
	struct stat st;
	int rc = store_mknod(store, dir, name, mode, &me, &node, &st);
	ck_assert_msg(rc == 0, "store_mknod(\"%s\"): expected 0, saw %d", name, rc);
	ck_assert_ptr_nonnull(node);
	return node;
}

static struct node *create(struct node *dir, const char *name)
{
	return create_mode(dir, name, S_IFREG | 0644);
}

static struct node *make_dir(struct node *dir, const char *name, mode_t mode)
{
	struct node *node = NULL;
	struct stat st;
	int rc = store_mkdir(store, dir, name, mode, &me, &node, &st);
	ck_assert_msg(rc == 0, "store_mkdir(\"%s\"): expected 0, saw %d", name, rc);
	return node;
}

static struct node *lookup(struct node *dir, const char *name)
{
	struct node *node = NULL;
	struct stat st;
	int rc = store_lookup(store, dir, name, &node, &st);
	ck_assert_msg(rc == 0, "store_lookup(\"%s\"): expected 0, saw %d", name, rc);
	return node;
}

/* The result of a lookup, without keeping the reference it takes. */
static int lookup_rc(struct node *dir, const char *name)
{
	struct node *node = NULL;
	struct stat st;
	int rc = store_lookup(store, dir, name, &node, &st);
	if (rc == 0)
		store_forget(store, node, 1);
	return rc;
}

static struct stat attr(struct node *node)
{
	struct stat st;
	ck_assert_int_eq(store_getattr(store, node, &st), 0);
	return st;
}

static uint64_t size_of(struct node *node)
{
	return (uint64_t)attr(node).st_size;
}

/* Writes through a handle of its own, as one write(2) on a freshly opened file would. */
static ssize_t write_at(struct node *node, uint64_t off, const void *buf, size_t size)
{
	ck_assert_int_eq(store_open_file(store, node, O_RDWR), 0);
	ssize_t n = store_write(store, node, buf, size, off);
	store_release(store, node);
	return n;
}

static void put(struct node *node, uint64_t off, const char *text)
{
	ck_assert_int_eq(write_at(node, off, text, strlen(text)), (ssize_t)strlen(text));
}

static ssize_t read_at(struct node *node, uint64_t off, void *buf, size_t size)
{
	ck_assert_int_eq(store_open_file(store, node, O_RDONLY), 0);
	ssize_t n = store_read(store, node, buf, size, off);
	store_release(store, node);
	return n;
}

/* Asserts the whole content of a segment. */
static void assert_content(struct node *node, const char *text)
{
	char buf[256];
	size_t len = strlen(text);
	ck_assert_uint_eq(size_of(node), len);
	ck_assert_int_eq(read_at(node, 0, buf, sizeof(buf)), (ssize_t)len);
	ck_assert_mem_eq(buf, text, len);
}

/* Length of a backing file (path relative to the backing directory), or -1 when it does not exist. */
static off_t backing_length(const char *rel)
{
	char path[512];
	struct stat st;
	snprintf(path, sizeof(path), "%s/%s", backing, rel);
	return lstat(path, &st) == 0 ? st.st_size : -1;
}

static bool backing_exists(const char *rel)
{
	return backing_length(rel) >= 0;
}

static struct statvfs stats(void)
{
	struct statvfs sv;
	store_statfs(store, &sv);
	return sv;
}

static ssize_t get_xattr(struct node *node, const char *name, char *buf, size_t size)
{
	memset(buf, 0, size);
	return store_getxattr(store, node, name, buf, size - 1);
}

static int set_xattr(struct node *node, const char *name, const char *value)
{
	return store_setxattr(store, node, name, value, strlen(value), 0);
}

static void assert_xattr(struct node *node, const char *name, const char *value)
{
	char buf[128];
	ssize_t n = get_xattr(node, name, buf, sizeof(buf));
	ck_assert_msg(n == (ssize_t)strlen(value), "getxattr(%s): expected %zu bytes, saw %zd", name,
		      strlen(value), n);
	ck_assert_str_eq(buf, value);
}

static void long_name(char *buf, size_t len)
{
	memset(buf, 'n', len);
	buf[len] = '\0';
}

/* Open descriptors of this process, to see that the store closes what it opened. */
static int count_fds(void)
{
	int count = 0;
	DIR *d = opendir("/proc/self/fd");
	ck_assert_ptr_nonnull(d);
	while (readdir(d) != NULL)
		count++;
	closedir(d);
	return count;
}

/* ---- names: create, lookup, remove ---- */

START_TEST(test_store_open_makes_a_root_with_the_configured_mode_and_owner)
{
	config.root_mode = S_IFREG | 01777;
	config.root_uid = 1000;
	config.root_gid = 100;
	open_store();
	struct stat st = attr(root);
	ck_assert_uint_eq(st.st_mode, S_IFDIR | 01777);
	ck_assert_uint_eq(st.st_uid, 1000);
	ck_assert_uint_eq(st.st_gid, 100);
	ck_assert_uint_eq(st.st_nlink, 2);
	struct stat bst;
	ck_assert_int_eq(stat(backing, &bst), 0);
	ck_assert_uint_eq(bst.st_mode & 07777, 0700);
	ck_assert_uint_eq(store_ino(root), bst.st_ino);
}
END_TEST

START_TEST(test_mknod_creates_a_segment_owned_by_the_caller)
{
	open_store();
	struct node *node = NULL;
	struct stat st;
	ck_assert_int_eq(store_mknod(store, root, "seg", S_IFREG | 0640, &me, &node, &st), 0);
	ck_assert_uint_eq(st.st_mode, S_IFREG | 0640);
	ck_assert_uint_eq(st.st_uid, me.uid);
	ck_assert_uint_eq(st.st_gid, me.gid);
	ck_assert_uint_eq(st.st_nlink, 1);
	ck_assert_int_eq(st.st_size, 0);
	ck_assert_uint_eq(st.st_ino, store_ino(node));
	ck_assert_int_eq(backing_length("seg"), 0);
	/* A mode without a type is a regular file, as mknod(2) says. */
	ck_assert_int_eq(store_mknod(store, root, "plain", 0600, &me, &node, &st), 0);
	ck_assert_uint_eq(st.st_mode, S_IFREG | 0600);
}
END_TEST

START_TEST(test_a_new_segment_shows_the_times_of_its_backing_file)
{
	/* They are what a restart reads back: a segment nobody wrote must not come back with other times. */
	open_store();
	struct node *node = NULL;
	struct stat st, back;
	ck_assert_int_eq(store_mknod(store, root, "seg", S_IFREG | 0640, &me, &node, &st), 0);
	char path[256];
	snprintf(path, sizeof(path), "%s/seg", backing);
	ck_assert_int_eq(stat(path, &back), 0);
	ck_assert_int_eq(st.st_mtim.tv_sec, back.st_mtim.tv_sec);
	ck_assert_int_eq(st.st_mtim.tv_nsec, back.st_mtim.tv_nsec);
	ck_assert_int_eq(st.st_atim.tv_sec, back.st_atim.tv_sec);
	ck_assert_int_eq(st.st_atim.tv_nsec, back.st_atim.tv_nsec);
}
END_TEST

/* Whether this process runs under valgrind, whose preloaded library shows in the maps. */
static bool under_valgrind(void)
{
	char line[512];
	bool found = false;
	FILE *maps = fopen("/proc/self/maps", "r");
	while (maps != NULL && !found && fgets(line, sizeof(line), maps) != NULL)
		found = strstr(line, "vgpreload") != NULL;
	if (maps != NULL)
		fclose(maps);
	return found;
}

START_TEST(test_idle_descriptors_never_make_a_create_fail_at_the_open_file_limit)
{
	/* Valgrind makes the file an O_CREAT open names and only then refuses the descriptor past the limit, which
	 * the kernel never does (it takes the descriptor first): the create below would meet its own file. */
	if (under_valgrind())
		return;
	/* The store keeps the descriptors of segments nobody has open, to save reopening them; when the process
	 * has no descriptor left, those must go before a create fails. Only the soft limit is lowered, and put
	 * back: the runner may run tests in its own process. */
	struct rlimit old, low;
	ck_assert_int_eq(getrlimit(RLIMIT_NOFILE, &old), 0);
	low = old;
	low.rlim_cur = 64;
	ck_assert_int_eq(setrlimit(RLIMIT_NOFILE, &low), 0);
	open_store();
	char name[32];
	for (int i = 0; i < 40; i++) {
		snprintf(name, sizeof(name), "s%d", i);
		create(root, name);
	}
	int taken[64], count = 0;
	while (count < 64 && (taken[count] = open("/dev/null", O_RDONLY | O_CLOEXEC)) >= 0)
		count++;
	int err = errno;
	struct node *node = NULL;
	struct stat st;
	int rc = store_mknod(store, root, "one-more", S_IFREG | 0644, &me, &node, &st);
	for (int i = 0; i < count; i++)
		close(taken[i]);
	setrlimit(RLIMIT_NOFILE, &old);
	ck_assert_msg(count < 64 && err == EMFILE, "the process never ran out of descriptors (%d opened)", count);
	ck_assert_int_eq(rc, 0);
}
END_TEST

START_TEST(test_lookup_finds_a_created_name_with_its_attributes)
{
	open_store();
	struct node *made = create(root, "seg");
	struct node *found = NULL;
	struct stat st;
	ck_assert_int_eq(store_lookup(store, root, "seg", &found, &st), 0);
	ck_assert_ptr_eq(found, made);
	ck_assert_uint_eq(st.st_mode, S_IFREG | 0644);
	ck_assert_uint_eq(st.st_ino, store_ino(made));
}
END_TEST

START_TEST(test_lookup_of_a_missing_name_is_enoent)
{
	open_store();
	create(root, "seg");
	ck_assert_int_eq(lookup_rc(root, "other"), -ENOENT);
	ck_assert_int_eq(lookup_rc(root, "se"), -ENOENT);
	ck_assert_int_eq(lookup_rc(root, "seg2"), -ENOENT);
	ck_assert_int_eq(lookup_rc(root, ""), -ENOENT);
}
END_TEST

START_TEST(test_name_of_255_bytes_works_and_256_is_enametoolong)
{
	char name[STORE_NAME_MAX + 2];
	struct node *node = NULL;
	struct stat st;
	open_store();
	struct node *file = create(root, "file");
	long_name(name, STORE_NAME_MAX);
	create(root, name);
	ck_assert_int_eq(lookup_rc(root, name), 0);
	long_name(name, STORE_NAME_MAX + 1);
	ck_assert_int_eq(store_lookup(store, root, name, &node, &st), -ENAMETOOLONG);
	ck_assert_int_eq(store_mknod(store, root, name, S_IFREG | 0644, &me, &node, &st), -ENAMETOOLONG);
	ck_assert_int_eq(store_mkdir(store, root, name, 0755, &me, &node, &st), -ENAMETOOLONG);
	ck_assert_int_eq(store_symlink(store, root, name, "file", &me, &node, &st), -ENAMETOOLONG);
	ck_assert_int_eq(store_link(store, file, root, name, &st), -ENAMETOOLONG);
	ck_assert_int_eq(store_rename(store, root, "file", root, name, 0), -ENAMETOOLONG);
	ck_assert_int_eq(store_unlink(store, root, name), -ENAMETOOLONG);
	ck_assert_int_eq(store_rmdir(store, root, name), -ENAMETOOLONG);
	ck_assert_int_eq(lookup_rc(root, "file"), 0);
}
END_TEST

START_TEST(test_creating_a_taken_name_is_eexist_and_keeps_the_first)
{
	struct node *node = NULL;
	struct stat st;
	open_store();
	struct node *first = create(root, "seg");
	put(first, 0, "first");
	make_dir(root, "dir", 0755);
	ck_assert_int_eq(store_mknod(store, root, "seg", S_IFREG | 0600, &me, &node, &st), -EEXIST);
	ck_assert_int_eq(store_mknod(store, root, "dir", S_IFREG | 0600, &me, &node, &st), -EEXIST);
	ck_assert_int_eq(store_mkdir(store, root, "seg", 0755, &me, &node, &st), -EEXIST);
	ck_assert_int_eq(store_symlink(store, root, "seg", "x", &me, &node, &st), -EEXIST);
	ck_assert_int_eq(store_link(store, first, root, "dir", &st), -EEXIST);
	ck_assert_uint_eq(attr(first).st_mode, S_IFREG | 0644);
	assert_content(first, "first");
}
END_TEST

START_TEST(test_mknod_of_device_nodes_is_eperm_and_of_directories_einval)
{
	struct node *node = NULL;
	struct stat st;
	open_store();
	ck_assert_int_eq(store_mknod(store, root, "chr", S_IFCHR | 0600, &me, &node, &st), -EPERM);
	ck_assert_int_eq(store_mknod(store, root, "blk", S_IFBLK | 0600, &me, &node, &st), -EPERM);
	ck_assert_int_eq(store_mknod(store, root, "dir", S_IFDIR | 0700, &me, &node, &st), -EINVAL);
	ck_assert_int_eq(store_mknod(store, root, "lnk", S_IFLNK | 0700, &me, &node, &st), -EINVAL);
	ck_assert_int_eq(lookup_rc(root, "chr"), -ENOENT);
	ck_assert(!backing_exists("chr"));
	ck_assert(!backing_exists("blk"));
}
END_TEST

START_TEST(test_mknod_makes_fifos_and_sockets)
{
	open_store();
	struct node *fifo = create_mode(root, "fifo", S_IFIFO | 0620);
	struct node *sock = create_mode(root, "sock", S_IFSOCK | 0600);
	ck_assert_uint_eq(attr(fifo).st_mode, S_IFIFO | 0620);
	ck_assert_uint_eq(attr(sock).st_mode, S_IFSOCK | 0600);
	ck_assert_int_eq(store_open_file(store, fifo, O_RDONLY), -ENXIO);
	struct stat st;
	char path[160];
	snprintf(path, sizeof(path), "%s/fifo", backing);
	ck_assert_int_eq(lstat(path, &st), 0);
	ck_assert(S_ISFIFO(st.st_mode));
}
END_TEST

START_TEST(test_mkdir_counts_links_and_rmdir_takes_them_back)
{
	open_store();
	struct node *node = NULL;
	struct stat st;
	ck_assert_int_eq(store_mkdir(store, root, "d", 0750, &me, &node, &st), 0);
	ck_assert_uint_eq(st.st_mode, S_IFDIR | 0750);
	ck_assert_uint_eq(st.st_nlink, 2);
	ck_assert_uint_eq(attr(root).st_nlink, 3);
	ck_assert(backing_exists("d"));
	struct node *inner = create(node, "inner");
	ck_assert(backing_exists("d/inner"));
	ck_assert_int_eq(store_rmdir(store, root, "d"), -ENOTEMPTY);
	ck_assert_int_eq(lookup_rc(root, "d"), 0);
	ck_assert_int_eq(store_unlink(store, node, "inner"), 0);
	store_forget(store, inner, 1);
	ck_assert_int_eq(store_rmdir(store, root, "d"), 0);
	ck_assert_int_eq(lookup_rc(root, "d"), -ENOENT);
	ck_assert_uint_eq(attr(root).st_nlink, 2);
	ck_assert(!backing_exists("d"));
	ck_assert_int_eq(store_rmdir(store, root, "d"), -ENOENT);
	store_forget(store, node, 1);
}
END_TEST

START_TEST(test_rmdir_of_a_file_is_enotdir_and_unlink_of_a_directory_eisdir)
{
	open_store();
	create(root, "file");
	make_dir(root, "dir", 0755);
	ck_assert_int_eq(store_rmdir(store, root, "file"), -ENOTDIR);
	ck_assert_int_eq(store_unlink(store, root, "dir"), -EISDIR);
	ck_assert_int_eq(lookup_rc(root, "file"), 0);
	ck_assert_int_eq(lookup_rc(root, "dir"), 0);
}
END_TEST

START_TEST(test_create_in_a_file_is_enotdir_and_in_a_removed_directory_enoent)
{
	struct node *node = NULL;
	struct stat st;
	open_store();
	struct node *file = create(root, "file");
	struct node *dir = make_dir(root, "dir", 0755);
	ck_assert_int_eq(store_mknod(store, file, "x", S_IFREG | 0600, &me, &node, &st), -ENOTDIR);
	ck_assert_int_eq(store_mkdir(store, file, "x", 0700, &me, &node, &st), -ENOTDIR);
	ck_assert_int_eq(store_rmdir(store, root, "dir"), 0);
	ck_assert_uint_eq(attr(dir).st_nlink, 0);
	ck_assert_int_eq(store_mknod(store, dir, "x", S_IFREG | 0600, &me, &node, &st), -ENOENT);
	ck_assert_int_eq(store_mkdir(store, dir, "x", 0700, &me, &node, &st), -ENOENT);
	ck_assert_int_eq(store_link(store, file, dir, "x", &st), -ENOENT);
	store_forget(store, dir, 1);
}
END_TEST

START_TEST(test_new_node_in_a_setgid_directory_takes_its_group)
{
	static const struct store_caller other = { .uid = 1001, .gid = 1001 };
	struct node *node = NULL;
	struct stat st;
	open_store();
	struct node *shared = make_dir(root, "shared", 02775);
	struct store_setattr req = { .valid = STORE_SET_GID, .gid = 50 };
	ck_assert_int_eq(store_setattr(store, shared, &req, &st), 0);
	ck_assert_int_eq(store_mknod(store, shared, "f", S_IFREG | 0664, &other, &node, &st), 0);
	ck_assert_uint_eq(st.st_uid, 1001);
	ck_assert_uint_eq(st.st_gid, 50);
	ck_assert_int_eq(store_mkdir(store, shared, "sub", 0775, &other, &node, &st), 0);
	ck_assert_uint_eq(st.st_gid, 50);
	ck_assert_uint_eq(st.st_mode, S_IFDIR | 02775);
}
END_TEST

START_TEST(test_unlink_removes_the_name_and_the_backing_file)
{
	open_store();
	struct node *node = create(root, "seg");
	put(node, 0, "data");
	ck_assert_int_eq(store_unlink(store, root, "seg"), 0);
	ck_assert_int_eq(lookup_rc(root, "seg"), -ENOENT);
	ck_assert(!backing_exists("seg"));
	ck_assert_uint_eq(attr(node).st_nlink, 0);
	ck_assert_int_eq(store_unlink(store, root, "seg"), -ENOENT);
	/* The name is free again. */
	store_forget(store, node, 1);
	create(root, "seg");
}
END_TEST

START_TEST(test_link_adds_a_name_and_counts_it)
{
	struct stat st;
	open_store();
	struct node *node = create(root, "a");
	put(node, 0, "shared");
	struct node *dir = make_dir(root, "dir", 0755);
	ck_assert_int_eq(store_link(store, node, dir, "b", &st), 0);
	ck_assert_uint_eq(st.st_nlink, 2);
	ck_assert_uint_eq(st.st_ino, store_ino(node));
	ck_assert_ptr_eq(lookup(dir, "b"), node);
	ck_assert(backing_exists("dir/b"));
	ck_assert_int_eq(store_unlink(store, root, "a"), 0);
	ck_assert_uint_eq(attr(node).st_nlink, 1);
	assert_content(lookup(dir, "b"), "shared");
	ck_assert_int_eq(store_link(store, dir, root, "dirlink", &st), -EPERM);
	ck_assert_int_eq(store_link(store, node, node, "x", &st), -ENOTDIR);
}
END_TEST

START_TEST(test_symlink_keeps_its_target_for_readlink)
{
	struct node *node = NULL;
	struct stat st;
	char buf[64];
	open_store();
	ck_assert_int_eq(store_symlink(store, root, "sl", "some/target", &me, &node, &st), 0);
	ck_assert_uint_eq(st.st_mode, S_IFLNK | 0777);
	ck_assert_int_eq(st.st_size, strlen("some/target"));
	ck_assert_int_eq(store_readlink(store, node, buf, sizeof(buf)), strlen("some/target"));
	ck_assert_str_eq(buf, "some/target");
	/* The target and its NUL must fit. */
	ck_assert_int_eq(store_readlink(store, node, buf, strlen("some/target")), -ENAMETOOLONG);
	ck_assert_int_eq(store_readlink(store, node, buf, strlen("some/target") + 1), strlen("some/target"));
	struct node *file = create(root, "file");
	ck_assert_int_eq(store_readlink(store, file, buf, sizeof(buf)), -EINVAL);
	ck_assert_int_eq(store_unlink(store, root, "sl"), 0);
	ck_assert(!backing_exists("sl"));
	store_forget(store, node, 1);
}
END_TEST

START_TEST(test_symlink_target_of_4096_bytes_is_enametoolong)
{
	static char target[4097];
	struct node *node = NULL;
	struct stat st;
	open_store();
	memset(target, 'x', 4096);
	ck_assert_int_eq(store_symlink(store, root, "sl", target, &me, &node, &st), -ENAMETOOLONG);
	target[4095] = '\0';
	ck_assert_int_eq(store_symlink(store, root, "sl", target, &me, &node, &st), 0);
	ck_assert_int_eq(st.st_size, 4095);
}
END_TEST

/* What store_readdir handed to its fill callback; room is how many more entries the "buffer" takes. */
static struct {
	int count;
	int room;
	char name[8][STORE_NAME_MAX + 1];
	struct node *node[8];
	ino_t ino[8];
	uint64_t next[8];
} listed;

static bool record_entry(void *ctx, const char *name, struct node *node, const struct stat *st, uint64_t next)
{
	ck_assert_ptr_eq(ctx, &listed);
	if (listed.room == 0 || listed.count == 8)
		return false;
	listed.room--;
	snprintf(listed.name[listed.count], sizeof(listed.name[0]), "%s", name);
	listed.node[listed.count] = node;
	listed.ino[listed.count] = st->st_ino;
	listed.next[listed.count] = next;
	listed.count++;
	return true;
}

static void list_from(struct store_dir *list, uint64_t off, bool take_lookup, int room)
{
	memset(&listed, 0, sizeof(listed));
	listed.room = room;
	ck_assert_int_eq(store_readdir(store, list, off, take_lookup, record_entry, &listed), 0);
}

START_TEST(test_readdir_lists_dot_dotdot_and_names_in_creation_order)
{
	static const char *const want[] = { ".", "..", "b", "a", "c" };
	struct store_dir *list = NULL;
	open_store();
	struct node *dir = make_dir(root, "d", 0755);
	create(dir, "b");
	struct node *a = create(dir, "a");
	create(dir, "c");
	ck_assert_int_eq(store_opendir(store, dir, &list), 0);
	list_from(list, 0, false, 8);
	ck_assert_int_eq(listed.count, 5);
	for (int i = 0; i < 5; i++) {
		ck_assert_str_eq(listed.name[i], want[i]);
		ck_assert_uint_eq(listed.next[i], (uint64_t)i + 1);
		ck_assert_ptr_null(listed.node[i]);
	}
	ck_assert_uint_eq(listed.ino[0], store_ino(dir));
	ck_assert_uint_eq(listed.ino[1], store_ino(root));
	ck_assert_uint_eq(listed.ino[3], store_ino(a));
	/* readdirplus: a node (and a reference) for every name but "." and "..". */
	list_from(list, 1, true, 8);
	ck_assert_int_eq(listed.count, 4);
	ck_assert_ptr_null(listed.node[0]);
	ck_assert_ptr_eq(listed.node[2], a);
	/* A full buffer stops the listing at the entry that did not fit; the next read starts there. */
	list_from(list, 2, true, 1);
	ck_assert_int_eq(listed.count, 1);
	ck_assert_str_eq(listed.name[0], "b");
	list_from(list, listed.next[0], false, 8);
	ck_assert_int_eq(listed.count, 2);
	ck_assert_str_eq(listed.name[0], "a");
	list_from(list, 5, false, 8);
	ck_assert_int_eq(listed.count, 0);
	store_releasedir(store, list);
	store_forget(store, a, 2);
	struct node *file = create(root, "file");
	ck_assert_int_eq(store_opendir(store, file, &list), -ENOTDIR);
}
END_TEST

START_TEST(test_readdir_gives_each_name_as_it_is_now_and_skips_removed_ones)
{
	struct store_dir *list = NULL;
	open_store();
	struct node *dir = make_dir(root, "d", 0755);
	struct node *a = create(dir, "a");
	create(dir, "b");
	struct node *c = create(dir, "c");
	create(dir, "e");
	ck_assert_int_eq(store_opendir(store, dir, &list), 0);
	list_from(list, 0, false, 2);
	/* After the first read: a removed, c renamed over b, e renamed away, a new name added. */
	ck_assert_int_eq(store_unlink(store, dir, "a"), 0);
	ck_assert_int_eq(store_rename(store, dir, "c", dir, "b", 0), 0);
	ck_assert_int_eq(store_rename(store, dir, "e", root, "e2", 0), 0);
	create(dir, "new");
	list_from(list, 2, true, 8);
	/* Only b, which names c's node now; the offsets of the snapshot stay (b is entry 3 of . .. a b c e). */
	ck_assert_int_eq(listed.count, 1);
	ck_assert_str_eq(listed.name[0], "b");
	ck_assert_ptr_eq(listed.node[0], c);
	ck_assert_uint_eq(listed.ino[0], store_ino(c));
	ck_assert_uint_eq(listed.next[0], 4);
	store_releasedir(store, list);
	store_forget(store, c, 2);
	store_forget(store, a, 1);
}
END_TEST

START_TEST(test_readdir_from_offset_0_again_shows_the_directory_as_it_is_now)
{
	struct store_dir *list = NULL;
	open_store();
	struct node *dir = make_dir(root, "d", 0755);
	create(dir, "old");
	ck_assert_int_eq(store_opendir(store, dir, &list), 0);
	list_from(list, 0, false, 8);
	ck_assert_int_eq(listed.count, 3);
	ck_assert_str_eq(listed.name[2], "old");
	ck_assert_int_eq(store_unlink(store, dir, "old"), 0);
	create(dir, "new1");
	create(dir, "new2");
	/* As rewinddir: a new snapshot, whose offsets hold from then on. */
	list_from(list, 0, false, 3);
	ck_assert_int_eq(listed.count, 3);
	ck_assert_str_eq(listed.name[2], "new1");
	list_from(list, listed.next[2], false, 8);
	ck_assert_int_eq(listed.count, 1);
	ck_assert_str_eq(listed.name[0], "new2");
	store_releasedir(store, list);
	/* An empty directory lists "." and ".." alone. */
	struct node *empty = make_dir(root, "empty", 0755);
	ck_assert_int_eq(store_opendir(store, empty, &list), 0);
	list_from(list, 0, false, 8);
	ck_assert_int_eq(listed.count, 2);
	store_releasedir(store, list);
}
END_TEST

/* ---- rename ---- */

START_TEST(test_rename_moves_a_name_within_and_across_directories)
{
	open_store();
	struct node *node = create(root, "a");
	put(node, 0, "content");
	struct node *dir = make_dir(root, "dir", 0755);
	ck_assert_int_eq(store_rename(store, root, "a", root, "b", 0), 0);
	ck_assert_int_eq(lookup_rc(root, "a"), -ENOENT);
	ck_assert_ptr_eq(lookup(root, "b"), node);
	ck_assert_int_eq(store_rename(store, root, "b", dir, "c", 0), 0);
	ck_assert_ptr_eq(lookup(dir, "c"), node);
	ck_assert(!backing_exists("b"));
	ck_assert_int_eq(backing_length("dir/c"), strlen("content"));
	assert_content(node, "content");
	ck_assert_int_eq(store_rename(store, root, "missing", root, "x", 0), -ENOENT);
	ck_assert_int_eq(store_rename(store, dir, "c", node, "x", 0), -ENOTDIR);
}
END_TEST

START_TEST(test_rename_of_a_directory_moves_its_link_count)
{
	open_store();
	struct node *d1 = make_dir(root, "d1", 0755);
	struct node *d2 = make_dir(root, "d2", 0755);
	struct node *sub = make_dir(d1, "sub", 0755);
	create(sub, "f");
	ck_assert_uint_eq(attr(d1).st_nlink, 3);
	ck_assert_int_eq(store_rename(store, d1, "sub", d2, "sub", 0), 0);
	ck_assert_uint_eq(attr(d1).st_nlink, 2);
	ck_assert_uint_eq(attr(d2).st_nlink, 3);
	ck_assert_ptr_eq(lookup(d2, "sub"), sub);
	ck_assert_int_eq(lookup_rc(sub, "f"), 0);
	ck_assert(backing_exists("d2/sub/f"));
	/* Files created after the move land in the moved backing directory. */
	create(sub, "g");
	ck_assert(backing_exists("d2/sub/g"));
}
END_TEST

START_TEST(test_rename_over_a_file_replaces_it_and_frees_its_bytes)
{
	open_store();
	static char big[8 * KIB];
	struct node *a = create(root, "a");
	struct node *b = create(root, "b");
	put(a, 0, "new");
	ck_assert_int_eq(write_at(b, 0, big, sizeof(big)), sizeof(big));
	fsblkcnt_t before = stats().f_bfree;
	fsfilcnt_t files_before = stats().f_ffree;
	ck_assert_int_eq(store_rename(store, root, "a", root, "b", 0), 0);
	ck_assert_int_eq(lookup_rc(root, "a"), -ENOENT);
	ck_assert_ptr_eq(lookup(root, "b"), a);
	assert_content(a, "new");
	ck_assert_int_eq(backing_length("b"), 3);
	ck_assert_uint_eq(attr(b).st_nlink, 0);
	ck_assert_uint_eq(stats().f_bfree, before + 2);
	ck_assert_uint_eq(stats().f_ffree, files_before + 1);
	store_forget(store, b, 1);
}
END_TEST

START_TEST(test_rename_noreplace_onto_a_taken_name_is_eexist_and_changes_nothing)
{
	open_store();
	struct node *a = create(root, "a");
	struct node *b = create(root, "b");
	put(a, 0, "AAA");
	put(b, 0, "BB");
	ck_assert_int_eq(store_rename(store, root, "a", root, "b", RENAME_NOREPLACE), -EEXIST);
	ck_assert_ptr_eq(lookup(root, "a"), a);
	ck_assert_ptr_eq(lookup(root, "b"), b);
	assert_content(a, "AAA");
	assert_content(b, "BB");
	ck_assert_int_eq(store_rename(store, root, "a", root, "c", RENAME_NOREPLACE), 0);
	ck_assert_ptr_eq(lookup(root, "c"), a);
}
END_TEST

START_TEST(test_rename_exchange_swaps_two_names_and_survives_a_restart)
{
	open_store();
	struct node *a = create(root, "a");
	struct node *dir = make_dir(root, "dir", 0755);
	put(a, 0, "AAA");
	ck_assert_int_eq(store_rename(store, root, "a", root, "dir", RENAME_EXCHANGE), 0);
	ck_assert_ptr_eq(lookup(root, "a"), dir);
	ck_assert_ptr_eq(lookup(root, "dir"), a);
	ck_assert_uint_eq(attr(root).st_nlink, 3);
	ck_assert_int_eq(store_rename(store, root, "a", root, "missing", RENAME_EXCHANGE), -ENOENT);
	struct node *sub = make_dir(root, "sub", 0755);
	/* A file swapped into a subdirectory takes no link of its own there; the directory does. */
	create(sub, "f");
	ck_assert_int_eq(store_rename(store, root, "a", sub, "f", RENAME_EXCHANGE), 0);
	ck_assert_uint_eq(attr(sub).st_nlink, 3);
	ck_assert_uint_eq(attr(root).st_nlink, 3);
	reopen_store();
	assert_content(lookup(root, "dir"), "AAA");
	ck_assert(S_ISDIR(attr(lookup(lookup(root, "sub"), "f")).st_mode));
	ck_assert(S_ISREG(attr(lookup(root, "a")).st_mode));
}
END_TEST

START_TEST(test_rename_of_a_directory_into_itself_is_einval)
{
	open_store();
	struct node *d = make_dir(root, "d", 0755);
	struct node *e = make_dir(d, "e", 0755);
	ck_assert_int_eq(store_rename(store, root, "d", d, "x", 0), -EINVAL);
	ck_assert_int_eq(store_rename(store, root, "d", e, "x", 0), -EINVAL);
	ck_assert_int_eq(store_rename(store, root, "d", e, "x", RENAME_NOREPLACE), -EINVAL);
	make_dir(e, "x", 0755);
	ck_assert_int_eq(store_rename(store, root, "d", e, "x", RENAME_EXCHANGE), -EINVAL);
	ck_assert_int_eq(store_rename(store, e, "x", root, "d", RENAME_EXCHANGE), -EINVAL);
	ck_assert_ptr_eq(lookup(root, "d"), d);
	ck_assert_ptr_eq(lookup(d, "e"), e);
}
END_TEST

START_TEST(test_rename_with_unknown_or_conflicting_flags_is_einval)
{
	open_store();
	create(root, "a");
	ck_assert_int_eq(store_rename(store, root, "a", root, "b", RENAME_NOREPLACE | RENAME_EXCHANGE), -EINVAL);
	ck_assert_int_eq(store_rename(store, root, "a", root, "b", 1u << 2), -EINVAL);
	ck_assert_int_eq(store_rename(store, root, "a", root, "b", 1u << 31), -EINVAL);
	ck_assert_int_eq(lookup_rc(root, "a"), 0);
	ck_assert_int_eq(lookup_rc(root, "b"), -ENOENT);
}
END_TEST

START_TEST(test_rename_between_files_and_directories_follows_posix)
{
	open_store();
	struct node *f = create(root, "f");
	struct node *empty = make_dir(root, "empty", 0755);
	struct node *full = make_dir(root, "full", 0755);
	struct node *d = make_dir(root, "d", 0755);
	create(full, "x");
	ck_assert_int_eq(store_rename(store, root, "d", root, "f", 0), -ENOTDIR);
	ck_assert_int_eq(store_rename(store, root, "f", root, "empty", 0), -EISDIR);
	ck_assert_int_eq(store_rename(store, root, "d", root, "full", 0), -ENOTEMPTY);
	ck_assert_uint_eq(attr(root).st_nlink, 5);
	ck_assert_int_eq(store_rename(store, root, "d", root, "empty", 0), 0);
	ck_assert_ptr_eq(lookup(root, "empty"), d);
	ck_assert_uint_eq(attr(empty).st_nlink, 0);
	ck_assert_uint_eq(attr(root).st_nlink, 4);
	ck_assert_ptr_eq(lookup(root, "f"), f);
	store_forget(store, empty, 1);
}
END_TEST

START_TEST(test_rename_onto_another_name_of_the_same_file_does_nothing)
{
	struct stat st;
	open_store();
	struct node *a = create(root, "a");
	ck_assert_int_eq(store_link(store, a, root, "b", &st), 0);
	ck_assert_int_eq(store_rename(store, root, "a", root, "b", 0), 0);
	ck_assert_ptr_eq(lookup(root, "a"), a);
	ck_assert_ptr_eq(lookup(root, "b"), a);
	ck_assert_uint_eq(attr(a).st_nlink, 2);
	ck_assert_int_eq(store_rename(store, root, "a", root, "a", 0), 0);
	ck_assert_ptr_eq(lookup(root, "a"), a);
}
END_TEST

/* ---- data ---- */

START_TEST(test_write_then_read_gives_the_data_back)
{
	char buf[64];
	open_store();
	struct node *node = create(root, "seg");
	ck_assert_int_eq(store_open_file(store, node, O_RDWR), 0);
	ck_assert_int_eq(store_write(store, node, "hello world", 11, 0), 11);
	ck_assert_int_eq(store_write(store, node, "W", 1, 6), 1);
	ck_assert_uint_eq(size_of(node), 11);
	ck_assert_int_eq(store_read(store, node, buf, sizeof(buf), 0), 11);
	ck_assert_mem_eq(buf, "hello World", 11);
	ck_assert_int_eq(store_read(store, node, buf, 3, 8), 3);
	ck_assert_mem_eq(buf, "rld", 3);
	ck_assert_int_eq(store_read(store, node, buf, sizeof(buf), 9), 2);
	ck_assert_int_eq(store_read(store, node, buf, sizeof(buf), 11), 0);
	ck_assert_int_eq(store_read(store, node, buf, sizeof(buf), UINT64_MAX), 0);
	store_release(store, node);
	ck_assert_int_eq(backing_length("seg"), 11);
}
END_TEST

START_TEST(test_write_past_the_end_leaves_a_hole_of_zeros)
{
	char buf[16];
	open_store();
	struct node *node = create(root, "seg");
	put(node, 10, "end");
	ck_assert_uint_eq(size_of(node), 13);
	ck_assert_int_eq(read_at(node, 0, buf, sizeof(buf)), 13);
	ck_assert_mem_eq(buf, "\0\0\0\0\0\0\0\0\0\0end", 13);
}
END_TEST

START_TEST(test_open_of_a_directory_is_eisdir)
{
	open_store();
	struct node *dir = make_dir(root, "d", 0755);
	ck_assert_int_eq(store_open_file(store, dir, O_RDONLY), -EISDIR);
	ck_assert_int_eq(store_open_file(store, root, O_RDONLY), -EISDIR);
}
END_TEST

START_TEST(test_setattr_to_the_same_size_marks_the_times)
{
	struct stat st;
	open_store();
	struct node *node = create(root, "seg");
	put(node, 0, "abcdef");
	struct timespec old = { .tv_sec = 1000000000, .tv_nsec = 0 };
	struct store_setattr req = { .valid = STORE_SET_MTIME, .mtime = old };
	ck_assert_int_eq(store_setattr(store, node, &req, &st), 0);
	ck_assert_int_eq(st.st_mtim.tv_sec, 1000000000);
	req = (struct store_setattr){ .valid = STORE_SET_SIZE, .size = 6 };
	ck_assert_int_eq(store_setattr(store, node, &req, &st), 0);
	ck_assert_int_eq(st.st_size, 6);
	ck_assert_int_gt(st.st_mtim.tv_sec, 1000000000);
	ck_assert_int_gt(st.st_ctim.tv_sec, 1000000000);
	/* And the backing file keeps them for a restart. */
	reopen_store();
	struct node *found = NULL;
	ck_assert_int_eq(store_lookup(store, root, "seg", &found, &st), 0);
	ck_assert_int_gt(st.st_mtim.tv_sec, 1000000000);
}
END_TEST

START_TEST(test_setattr_size_grows_with_zeros_and_shrinks)
{
	char buf[16];
	struct stat st;
	open_store();
	struct node *node = create(root, "seg");
	put(node, 0, "abcdef");
	struct store_setattr req = { .valid = STORE_SET_SIZE, .size = 3 };
	ck_assert_int_eq(store_setattr(store, node, &req, &st), 0);
	ck_assert_int_eq(st.st_size, 3);
	req.size = 5;
	ck_assert_int_eq(store_setattr(store, node, &req, &st), 0);
	ck_assert_int_eq(read_at(node, 0, buf, sizeof(buf)), 5);
	ck_assert_mem_eq(buf, "abc\0\0", 5);
	ck_assert_int_eq(backing_length("seg"), 5);
	struct node *dir = make_dir(root, "d", 0755);
	ck_assert_int_eq(store_setattr(store, dir, &req, &st), -EISDIR);
	struct node *fifo = create_mode(root, "fifo", S_IFIFO | 0600);
	ck_assert_int_eq(store_setattr(store, fifo, &req, &st), -EINVAL);
}
END_TEST

START_TEST(test_setattr_changes_mode_owner_and_times)
{
	struct stat st;
	open_store();
	struct node *node = create(root, "seg");
	struct store_setattr req = {
		.valid = STORE_SET_MODE | STORE_SET_UID | STORE_SET_GID | STORE_SET_MTIME,
		.mode = S_IFDIR | 04711, .uid = 0, .gid = 5, .mtime = { .tv_sec = 1000000000, .tv_nsec = 5 },
	};
	ck_assert_int_eq(store_setattr(store, node, &req, &st), 0);
	/* The type never changes through setattr. */
	ck_assert_uint_eq(st.st_mode, S_IFREG | 04711);
	ck_assert_uint_eq(st.st_uid, 0);
	ck_assert_uint_eq(st.st_gid, 5);
	ck_assert_int_eq(st.st_mtim.tv_sec, 1000000000);
	ck_assert_int_eq(st.st_mtim.tv_nsec, 5);
}
END_TEST

/* ---- capacity ---- */

START_TEST(test_write_exactly_to_capacity_succeeds_and_one_byte_past_is_efbig)
{
	static char block[4 * KIB];
	char buf[8];
	open_store();
	struct node *node = create(root, "seg");
	ck_assert_int_eq(set_xattr(node, "user.mmf.capacity", "4k"), 0);
	memset(block, 'a', sizeof(block));
	ck_assert_int_eq(write_at(node, 0, block, sizeof(block)), sizeof(block));
	ck_assert_int_eq(write_at(node, 4096, "z", 1), -EFBIG);
	ck_assert_int_eq(write_at(node, 4095, "zz", 2), -EFBIG);
	ck_assert_int_eq(write_at(node, 1u << 20, "z", 1), -EFBIG);
	ck_assert_uint_eq(size_of(node), 4096);
	ck_assert_int_eq(backing_length("seg"), 4096);
	ck_assert_int_eq(read_at(node, 4094, buf, sizeof(buf)), 2);
	ck_assert_mem_eq(buf, "aa", 2);
	/* Rewriting inside the capacity is still fine. */
	ck_assert_int_eq(write_at(node, 4095, "z", 1), 1);
}
END_TEST

START_TEST(test_setattr_size_past_capacity_is_efbig_and_exactly_at_it_succeeds)
{
	struct stat st;
	open_store();
	struct node *node = create(root, "seg");
	ck_assert_int_eq(set_xattr(node, "user.mmf.capacity", "4096"), 0);
	put(node, 0, "keep");
	struct store_setattr req = { .valid = STORE_SET_SIZE, .size = 4097 };
	ck_assert_int_eq(store_setattr(store, node, &req, &st), -EFBIG);
	assert_content(node, "keep");
	ck_assert_int_eq(backing_length("seg"), 4);
	req.size = 4096;
	ck_assert_int_eq(store_setattr(store, node, &req, &st), 0);
	ck_assert_int_eq(st.st_size, 4096);
}
END_TEST

START_TEST(test_fallocate_past_capacity_is_efbig)
{
	open_store();
	struct node *node = create(root, "seg");
	ck_assert_int_eq(set_xattr(node, "user.mmf.capacity", "4096"), 0);
	ck_assert_int_eq(store_open_file(store, node, O_RDWR), 0);
	ck_assert_int_eq(store_fallocate(store, node, 0, 4097, false), -EFBIG);
	ck_assert_uint_eq(size_of(node), 0);
	ck_assert_int_eq(store_fallocate(store, node, 0, 4096, false), 0);
	ck_assert_uint_eq(size_of(node), 4096);
	ck_assert_int_eq(store_fallocate(store, node, 0, 0, false), -EINVAL);
	store_release(store, node);
}
END_TEST

START_TEST(test_capacity_below_the_length_is_einval_and_equal_to_it_is_fine)
{
	static char block[100];
	open_store();
	struct node *node = create(root, "seg");
	ck_assert_int_eq(write_at(node, 0, block, sizeof(block)), sizeof(block));
	ck_assert_int_eq(set_xattr(node, "user.mmf.capacity", "99"), -EINVAL);
	assert_xattr(node, "user.mmf.capacity", "unlimited");
	ck_assert_int_eq(set_xattr(node, "user.mmf.capacity", "100"), 0);
	assert_xattr(node, "user.mmf.capacity", "100");
	ck_assert_int_eq(write_at(node, 100, "x", 1), -EFBIG);
}
END_TEST

static const char *const bad_capacities[] = {
	"", "\n", "0", "0k", "abc", "-1", "1.5k", "64kb", "50%", " 64k", "64k ", "64k\n\n", "Unlimited", "unlimited ",
	"9223372036854775808", "8388608t",
};

START_TEST(test_capacity_rejects_malformed_and_zero_values)
{
	const char *value = bad_capacities[_i];
	open_store();
	struct node *node = create(root, "seg");
	ck_assert_int_eq(set_xattr(node, "user.mmf.capacity", "64k"), 0);
	int rc = set_xattr(node, "user.mmf.capacity", value);
	ck_assert_msg(rc == -EINVAL, "capacity \"%s\": expected %d, saw %d", value, -EINVAL, rc);
	assert_xattr(node, "user.mmf.capacity", "65536");
}
END_TEST

START_TEST(test_capacity_accepts_sizes_unlimited_and_a_trailing_newline)
{
	open_store();
	struct node *node = create(root, "seg");
	assert_xattr(node, "user.mmf.capacity", "unlimited");
	ck_assert_int_eq(set_xattr(node, "user.mmf.capacity", "1m\n"), 0);
	assert_xattr(node, "user.mmf.capacity", "1048576");
	ck_assert_int_eq(set_xattr(node, "user.mmf.capacity", "1"), 0);
	assert_xattr(node, "user.mmf.capacity", "1");
	ck_assert_int_eq(set_xattr(node, "user.mmf.capacity", "9223372036854775807"), 0);
	assert_xattr(node, "user.mmf.capacity", "9223372036854775807");
	ck_assert_int_eq(set_xattr(node, "user.mmf.capacity", "unlimited\n"), 0);
	assert_xattr(node, "user.mmf.capacity", "unlimited");
}
END_TEST

START_TEST(test_default_capacity_applies_to_new_segments)
{
	static char block[4 * KIB + 1];
	config.default_capacity = 4096;
	open_store();
	struct node *node = create(root, "seg");
	assert_xattr(node, "user.mmf.capacity", "4096");
	ck_assert_int_eq(write_at(node, 0, block, sizeof(block)), -EFBIG);
	ck_assert_int_eq(write_at(node, 0, block, sizeof(block) - 1), sizeof(block) - 1);
}
END_TEST

START_TEST(test_offsets_near_2_63_are_efbig)
{
	struct stat st;
	config.pool_bytes = UINT64_MAX;
	open_store();
	struct node *node = create(root, "seg");
	put(node, 0, "keep");
	fsblkcnt_t before = stats().f_bfree;
	ck_assert_int_eq(store_open_file(store, node, O_RDWR), 0);
	ck_assert_int_eq(store_write(store, node, "x", 1, INT64_MAX), -EFBIG);
	ck_assert_int_eq(store_write(store, node, "xy", 2, (uint64_t)INT64_MAX - 1), -EFBIG);
	ck_assert_int_eq(store_write(store, node, "x", 1, (uint64_t)INT64_MAX + 1), -EFBIG);
	ck_assert_int_eq(store_write(store, node, "x", 1, UINT64_MAX), -EFBIG);
	ck_assert_int_eq(store_fallocate(store, node, INT64_MAX, 1, false), -EFBIG);
	ck_assert_int_eq(store_fallocate(store, node, 1, UINT64_MAX, false), -EFBIG);
	/* Past what the backing filesystem holds: the store must undo its pool accounting. */
	ssize_t n = store_write(store, node, "x", 1, (uint64_t)1 << 60);
	store_release(store, node);
	if (n < 0) {
		assert_content(node, "keep");
		ck_assert_uint_eq(stats().f_bfree, before);
	} else {
		ck_assert_uint_eq(size_of(node), ((uint64_t)1 << 60) + 1);
	}
	struct store_setattr req = { .valid = STORE_SET_SIZE, .size = (uint64_t)INT64_MAX + 1 };
	ck_assert_int_eq(store_setattr(store, node, &req, &st), -EFBIG);
	req.size = UINT64_MAX;
	ck_assert_int_eq(store_setattr(store, node, &req, &st), -EFBIG);
}
END_TEST

/* CORE BUG (store_write): a zero-byte write past the end sets node->size to off without touching the
 * backing file, so stat, the pool and the backing length disagree. POSIX: a 0-byte write changes nothing. */
START_TEST(test_zero_byte_write_past_the_end_changes_nothing)
{
	open_store();
	struct node *node = create(root, "seg");
	put(node, 0, "abc");
	fsblkcnt_t before = stats().f_bfree;
	ck_assert_int_eq(write_at(node, 100000, "", 0), 0);
	ck_assert_uint_eq(size_of(node), 3);
	ck_assert_int_eq(backing_length("seg"), 3);
	ck_assert_uint_eq(stats().f_bfree, before);
}
END_TEST

/* ---- pool ---- */

START_TEST(test_write_exactly_to_the_pool_limit_succeeds_and_one_byte_past_is_enospc)
{
	static char block[8 * KIB];
	char buf[4];
	config.pool_bytes = 8 * KIB;
	open_store();
	struct node *a = create(root, "a");
	struct node *b = create(root, "b");
	memset(block, 'a', sizeof(block));
	ck_assert_int_eq(write_at(a, 0, block, sizeof(block)), sizeof(block));
	ck_assert_int_eq(write_at(b, 0, "b", 1), -ENOSPC);
	ck_assert_int_eq(write_at(a, 8 * KIB, "z", 1), -ENOSPC);
	ck_assert_int_eq(write_at(a, 8 * KIB - 1, "zz", 2), -ENOSPC);
	ck_assert_uint_eq(size_of(a), 8 * KIB);
	ck_assert_uint_eq(size_of(b), 0);
	ck_assert_int_eq(backing_length("a"), 8 * KIB);
	ck_assert_int_eq(backing_length("b"), 0);
	ck_assert_int_eq(read_at(a, 8 * KIB - 2, buf, sizeof(buf)), 2);
	ck_assert_mem_eq(buf, "aa", 2);
	/* Overwriting inside the length takes nothing from a full pool. */
	ck_assert_int_eq(write_at(a, 0, "zz", 2), 2);
	ck_assert_uint_eq(stats().f_bfree, 0);
}
END_TEST

START_TEST(test_pool_is_shared_and_freed_by_shrinking_and_unlinking)
{
	static char block[8 * KIB];
	struct stat st;
	config.pool_bytes = 8 * KIB;
	open_store();
	struct node *a = create(root, "a");
	struct node *b = create(root, "b");
	ck_assert_int_eq(write_at(a, 0, block, 5000), 5000);
	ck_assert_int_eq(write_at(b, 0, block, 3192), 3192);
	ck_assert_int_eq(write_at(b, 3192, "x", 1), -ENOSPC);
	struct store_setattr req = { .valid = STORE_SET_SIZE, .size = 3193 };
	ck_assert_int_eq(store_setattr(store, b, &req, &st), -ENOSPC);
	ck_assert_uint_eq(size_of(b), 3192);
	ck_assert_int_eq(backing_length("b"), 3192);
	req.size = 1000;
	ck_assert_int_eq(store_setattr(store, a, &req, &st), 0);
	ck_assert_int_eq(write_at(b, 0, block, 7192), 7192);
	ck_assert_int_eq(write_at(b, 7192, "x", 1), -ENOSPC);
	ck_assert_int_eq(store_unlink(store, root, "a"), 0);
	ck_assert_int_eq(write_at(b, 0, block, sizeof(block)), sizeof(block));
	store_forget(store, a, 1);
}
END_TEST

START_TEST(test_an_unlinked_open_segment_keeps_its_bytes_until_release)
{
	static char block[4 * KIB];
	char buf[4];
	config.pool_bytes = 8 * KIB;
	open_store();
	struct node *node = create(root, "seg");
	ck_assert_int_eq(store_open_file(store, node, O_RDWR), 0);
	ck_assert_int_eq(store_write(store, node, block, sizeof(block), 0), sizeof(block));
	ck_assert_int_eq(store_unlink(store, root, "seg"), 0);
	ck_assert_uint_eq(stats().f_bfree, 1);
	/* Still readable and writable through the handle, still counted. */
	ck_assert_int_eq(store_write(store, node, "tail", 4, 4096), 4);
	ck_assert_int_eq(store_read(store, node, buf, 4, 4096), 4);
	ck_assert_mem_eq(buf, "tail", 4);
	ck_assert_uint_eq(stats().f_bfree, 0);
	store_release(store, node);
	ck_assert_uint_eq(stats().f_bfree, 2);
	/* Gone for good: an open that still names it is stale, and the caller must look the name up again. */
	ck_assert_int_eq(store_open_file(store, node, O_RDWR), -ESTALE);
	store_forget(store, node, 1);
}
END_TEST

START_TEST(test_running_out_of_inodes_is_enospc_on_create)
{
	struct node *node = NULL;
	struct node *sl = NULL;
	struct stat st;
	config.pool_nodes = 4; /* the root and three more */
	open_store();
	struct node *a = create(root, "a");
	make_dir(root, "d", 0755);
	ck_assert_int_eq(store_symlink(store, root, "s", "a", &me, &sl, &st), 0);
	ck_assert_uint_eq(stats().f_ffree, 0);
	ck_assert_int_eq(store_mknod(store, root, "x", S_IFREG | 0644, &me, &node, &st), -ENOSPC);
	ck_assert_int_eq(store_mknod(store, root, "x", S_IFIFO | 0644, &me, &node, &st), -ENOSPC);
	ck_assert_int_eq(store_mkdir(store, root, "x", 0755, &me, &node, &st), -ENOSPC);
	ck_assert_int_eq(store_symlink(store, root, "x", "a", &me, &node, &st), -ENOSPC);
	ck_assert_int_eq(lookup_rc(root, "x"), -ENOENT);
	ck_assert(!backing_exists("x"));
	/* A hard link is a name, not an inode. */
	ck_assert_int_eq(store_link(store, a, root, "a2", &st), 0);
	ck_assert_int_eq(store_unlink(store, root, "a"), 0);
	ck_assert_int_eq(store_mknod(store, root, "x", S_IFREG | 0644, &me, &node, &st), -ENOSPC);
	ck_assert_int_eq(store_unlink(store, root, "s"), 0);
	store_forget(store, sl, 1);
	ck_assert_uint_eq(stats().f_ffree, 1);
	create(root, "x");
}
END_TEST

START_TEST(test_statfs_reports_the_pool_in_4k_blocks_and_inodes)
{
	config.pool_bytes = 1024 * KIB + 100; /* a partial block does not count */
	config.pool_nodes = 50;
	open_store();
	struct statvfs sv = stats();
	ck_assert_uint_eq(sv.f_bsize, 4096);
	ck_assert_uint_eq(sv.f_frsize, 4096);
	ck_assert_uint_eq(sv.f_blocks, 256);
	ck_assert_uint_eq(sv.f_bfree, 256);
	ck_assert_uint_eq(sv.f_bavail, 256);
	ck_assert_uint_eq(sv.f_files, 50);
	ck_assert_uint_eq(sv.f_ffree, 49);
	ck_assert_uint_eq(sv.f_favail, 49);
	ck_assert_uint_eq(sv.f_namemax, 255);
	static char block[5000];
	struct node *node = create(root, "seg");
	ck_assert_int_eq(write_at(node, 0, block, sizeof(block)), sizeof(block));
	sv = stats();
	ck_assert_uint_eq(sv.f_bfree, 254);
	ck_assert_uint_eq(sv.f_ffree, 48);
}
END_TEST

START_TEST(test_statfs_caps_the_room_at_what_the_backing_file_system_has)
{
	config.pool_bytes = (uint64_t)1 << 50; /* a pool far larger than any file system here */
	open_store();
	struct statvfs sv = stats();
	struct statvfs under;
	ck_assert_int_eq(statvfs(backing, &under), 0);
	uint64_t backing_room = (uint64_t)under.f_bavail * under.f_frsize;
	/* Size and free are the pool's; available is the backing's room, in whole 4 KiB blocks. */
	ck_assert_uint_eq(sv.f_blocks, ((uint64_t)1 << 50) / 4096);
	ck_assert_uint_eq(sv.f_bfree, sv.f_blocks);
	ck_assert_uint_le((uint64_t)sv.f_bavail * 4096, backing_room);
	ck_assert_uint_gt((uint64_t)sv.f_bavail * 4096 + 64 * KIB * 1024, backing_room);
}
END_TEST

START_TEST(test_statfs_of_a_pool_smaller_than_its_contents_shows_them_all_used)
{
	open_store();
	static char block[3 * 4096];
	struct node *node = create(root, "a");
	ck_assert_int_eq(write_at(node, 0, block, sizeof(block)), sizeof(block));
	create(root, "b");
	/* Started again with less room than the segments already take: it takes them all (store_load). */
	config.pool_bytes = 4096;
	config.pool_nodes = 1;
	reopen_store();
	struct statvfs sv = stats();
	ck_assert_uint_eq(sv.f_blocks, 3);
	ck_assert_uint_eq(sv.f_bfree, 0);
	ck_assert_uint_eq(sv.f_files, 3);
	ck_assert_uint_eq(sv.f_ffree, 0);
}
END_TEST

/* ---- extended attributes ---- */

START_TEST(test_xattr_own_attributes_read_with_getxattr_size_rules)
{
	char buf[64];
	open_store();
	struct node *node = create(root, "seg");
	ck_assert_int_eq(store_getxattr(store, node, "user.mmf.capacity", buf, 0), strlen("unlimited"));
	ck_assert_int_eq(store_getxattr(store, node, "user.mmf.capacity", buf, 4), -ERANGE);
	assert_xattr(node, "user.mmf.lifetime", "persistent");
	ck_assert_int_eq(set_xattr(node, "user.mmf.lifetime", "transient\n"), 0);
	assert_xattr(node, "user.mmf.lifetime", "transient");
	ck_assert_int_eq(set_xattr(node, "user.mmf.lifetime", "Persistent"), -EINVAL);
	ck_assert_int_eq(set_xattr(node, "user.mmf.lifetime", ""), -EINVAL);
	assert_xattr(node, "user.mmf.lifetime", "transient");
	ck_assert_int_eq(set_xattr(node, "user.mmf.lifetime", "persistent"), 0);
	ck_assert_int_eq(store_setxattr(store, node, "user.mmf.capacity", "1k", 2, XATTR_CREATE), -EEXIST);
	ck_assert_int_eq(store_setxattr(store, node, "user.mmf.capacity", "1k", 2, XATTR_REPLACE), 0);
	assert_xattr(node, "user.mmf.capacity", "1024");
}
END_TEST

START_TEST(test_xattr_other_mmf_names_are_enodata_einval_and_eperm)
{
	char buf[64];
	open_store();
	struct node *node = create(root, "seg");
	static const char *const names[] = { "user.mmf.other", "user.mmf.meta", "user.mmf.", "user.mmf.capacityx" };
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		ck_assert_int_eq(get_xattr(node, names[i], buf, sizeof(buf)), -ENODATA);
		ck_assert_int_eq(set_xattr(node, names[i], "1"), -EINVAL);
		ck_assert_int_eq(store_removexattr(store, node, names[i]), -EPERM);
	}
	ck_assert_int_eq(store_removexattr(store, node, "user.mmf.capacity"), -EPERM);
	ck_assert_int_eq(store_removexattr(store, node, "user.mmf.lifetime"), -EPERM);
	assert_xattr(node, "user.mmf.capacity", "unlimited");
}
END_TEST

START_TEST(test_xattr_other_namespaces_are_eopnotsupp)
{
	char buf[64];
	open_store();
	struct node *node = create(root, "seg");
	static const char *const names[] = { "trusted.a", "security.a", "system.posix_acl_access", "user", "USER.a",
					     "xuser.a" };
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		ck_assert_int_eq(get_xattr(node, names[i], buf, sizeof(buf)), -EOPNOTSUPP);
		ck_assert_int_eq(set_xattr(node, names[i], "1"), -EOPNOTSUPP);
		ck_assert_int_eq(store_removexattr(store, node, names[i]), -EOPNOTSUPP);
	}
}
END_TEST

START_TEST(test_xattr_user_attributes_are_kept_listed_and_removed)
{
	static const char list_all[] = "user.mmf.capacity\0user.mmf.lifetime\0user.color\0";
	char buf[256];
	open_store();
	struct node *node = create(root, "seg");
	ck_assert_int_eq(set_xattr(node, "user.color", "blue"), 0);
	assert_xattr(node, "user.color", "blue");
	ck_assert_int_eq(store_setxattr(store, node, "user.color", "red", 3, XATTR_CREATE), -EEXIST);
	ck_assert_int_eq(store_setxattr(store, node, "user.none", "x", 1, XATTR_REPLACE), -ENODATA);
	ck_assert_int_eq(get_xattr(node, "user.none", buf, sizeof(buf)), -ENODATA);
	/* The record that keeps mode and capacity never shows. */
	ck_assert_int_eq(store_listxattr(store, node, buf, 0), sizeof(list_all) - 1);
	ck_assert_int_eq(store_listxattr(store, node, buf, sizeof(buf)), sizeof(list_all) - 1);
	ck_assert_mem_eq(buf, list_all, sizeof(list_all) - 1);
	ck_assert_int_eq(store_listxattr(store, node, buf, sizeof(list_all) - 2), -ERANGE);
	ck_assert_int_eq(store_removexattr(store, node, "user.color"), 0);
	ck_assert_int_eq(get_xattr(node, "user.color", buf, sizeof(buf)), -ENODATA);
	ck_assert_int_eq(store_removexattr(store, node, "user.color"), -ENODATA);
	ck_assert_int_eq(store_listxattr(store, node, buf, sizeof(buf)), strlen("user.mmf.capacity") +
			 strlen("user.mmf.lifetime") + 2);
}
END_TEST

START_TEST(test_xattr_on_directories_has_no_capacity_or_lifetime)
{
	char buf[64];
	open_store();
	struct node *dir = make_dir(root, "d", 0755);
	ck_assert_int_eq(get_xattr(dir, "user.mmf.capacity", buf, sizeof(buf)), -ENODATA);
	ck_assert_int_eq(get_xattr(dir, "user.mmf.lifetime", buf, sizeof(buf)), -ENODATA);
	ck_assert_int_eq(set_xattr(dir, "user.mmf.capacity", "4k"), -EINVAL);
	ck_assert_int_eq(set_xattr(dir, "user.mmf.lifetime", "transient"), -EINVAL);
	ck_assert_int_eq(store_listxattr(store, dir, buf, sizeof(buf)), 0);
	ck_assert_int_eq(set_xattr(dir, "user.tag", "x"), 0);
	ck_assert_int_eq(store_listxattr(store, dir, buf, sizeof(buf)), sizeof("user.tag"));
	ck_assert_str_eq(buf, "user.tag");
	assert_xattr(dir, "user.tag", "x");
}
END_TEST

START_TEST(test_xattr_on_symlinks_and_fifos_takes_no_user_attributes)
{
	char buf[64];
	struct node *link_node = NULL;
	struct stat st;
	open_store();
	ck_assert_int_eq(store_symlink(store, root, "sl", "target", &me, &link_node, &st), 0);
	struct node *fifo = create_mode(root, "fifo", S_IFIFO | 0600);
	struct node *nodes[] = { link_node, fifo };
	for (size_t i = 0; i < 2; i++) {
		ck_assert_int_eq(set_xattr(nodes[i], "user.a", "1"), -EPERM);
		ck_assert_int_eq(get_xattr(nodes[i], "user.a", buf, sizeof(buf)), -ENODATA);
		ck_assert_int_eq(get_xattr(nodes[i], "user.mmf.capacity", buf, sizeof(buf)), -ENODATA);
		ck_assert_int_eq(set_xattr(nodes[i], "user.mmf.capacity", "1"), -EINVAL);
		ck_assert_int_eq(store_listxattr(store, nodes[i], buf, sizeof(buf)), 0);
	}
}
END_TEST

/* ---- lifetime ---- */

START_TEST(test_transient_segment_is_removed_when_its_last_handle_closes)
{
	static char block[4 * KIB];
	open_store();
	struct statvfs empty = stats();
	struct node *node = create(root, "t");
	ck_assert_int_eq(set_xattr(node, "user.mmf.lifetime", "transient"), 0);
	ck_assert_int_eq(store_open_file(store, node, O_RDWR), 0);
	ck_assert_int_eq(store_open_file(store, node, O_RDONLY), 0);
	ck_assert_int_eq(store_write(store, node, block, sizeof(block), 0), sizeof(block));
	store_release(store, node);
	/* Still there (looked at without a lookup, which would put the reclaim off: see below). */
	ck_assert(backing_exists("t"));
	ck_assert_uint_eq(attr(node).st_nlink, 1);
	ck_assert_int_eq(unlinked.count, 0);
	store_release(store, node);
	ck_assert_int_eq(lookup_rc(root, "t"), -ENOENT);
	ck_assert(!backing_exists("t"));
	ck_assert_int_eq(unlinked.count, 1);
	ck_assert_ptr_eq(unlinked.dir[0], root);
	ck_assert_str_eq(unlinked.name[0], "t");
	ck_assert_uint_eq(attr(node).st_nlink, 0);
	ck_assert_uint_eq(stats().f_bfree, empty.f_bfree);
	ck_assert_uint_eq(stats().f_ffree, empty.f_ffree);
	/* An open that looked it up before that last close comes too late: stale, not "no such file", so that
	 * an open(O_CREAT) looks again and creates it. */
	ck_assert_int_eq(store_open_file(store, node, O_RDWR), -ESTALE);
	store_forget(store, node, 1);
}
END_TEST

static void sleep_ms(long ms)
{
	struct timespec ts = { .tv_sec = ms / 1000, .tv_nsec = ms % 1000 * 1000000 };
	while (nanosleep(&ts, &ts) != 0)
		;
}

/* A grace far longer than any stall between two calls here, even under valgrind on a loaded machine. */
#define TEST_GRACE_MS 300

/* A transient segment "t" holding "kept", open once, and just looked up by another process whose open has
 * not come yet: what its last close meets when it races that open. */
static struct node *transient_with_a_lookup_pending(uint32_t grace_ms)
{
	config.reclaim_grace_ms = grace_ms;
	open_store();
	struct node *node = create(root, "t");
	put(node, 0, "kept");
	ck_assert_int_eq(set_xattr(node, "user.mmf.lifetime", "transient"), 0);
	ck_assert_int_eq(store_open_file(store, node, O_RDWR), 0);
	ck_assert_int_eq(lookup_rc(root, "t"), 0);
	return node;
}

/* The kernel opens a name in two requests, LOOKUP and OPEN; a last close between them must not fail the
 * open, so it puts the reclaim off for a moment. */
START_TEST(test_a_last_close_after_an_unopened_lookup_defers_the_reclaim)
{
	struct node *node = transient_with_a_lookup_pending(TEST_GRACE_MS);
	store_release(store, node);
	ck_assert_int_eq(deferred_reclaims, 1);
	ck_assert(backing_exists("t"));
	ck_assert_int_eq(unlinked.count, 0);
	int64_t due = store_reclaim_due(store);
	ck_assert(due > 0 && due <= TEST_GRACE_MS * 1000000LL);
	ck_assert(backing_exists("t"));
	sleep_ms(TEST_GRACE_MS + 20); /* the open never comes (a stat, say) */
	ck_assert_int_eq(store_reclaim_due(store), -1);
	ck_assert_int_eq(lookup_rc(root, "t"), -ENOENT);
	ck_assert(!backing_exists("t"));
	ck_assert_int_eq(unlinked.count, 1);
	ck_assert_str_eq(unlinked.name[0], "t");
	store_forget(store, node, 1);
}
END_TEST

START_TEST(test_the_open_after_the_lookup_keeps_a_deferred_segment)
{
	struct node *node = transient_with_a_lookup_pending(TEST_GRACE_MS);
	store_release(store, node);
	ck_assert_int_eq(deferred_reclaims, 1);
	ck_assert_int_eq(store_open_file(store, node, O_RDONLY), 0); /* the open of that lookup */
	ck_assert_int_eq(store_reclaim_due(store), -1);
	assert_content(node, "kept");
	/* Its own last close, still within the grace of that lookup, puts the reclaim off again: no open
	 * can say which lookup it answers. */
	store_release(store, node);
	ck_assert_int_eq(deferred_reclaims, 2);
	ck_assert(backing_exists("t"));
	sleep_ms(TEST_GRACE_MS + 20);
	ck_assert_int_eq(store_reclaim_due(store), -1);
	ck_assert(!backing_exists("t"));
	ck_assert_int_eq(unlinked.count, 1);
	store_forget(store, node, 1);
}
END_TEST

/* The lookup of a retry, then another process's open from a name its kernel holds (no lookup): that open
 * answers nothing, and the last close must still wait for the retry's open. */
START_TEST(test_an_open_without_a_lookup_leaves_the_lookup_protected)
{
	struct node *node = transient_with_a_lookup_pending(TEST_GRACE_MS);
	ck_assert_int_eq(store_open_file(store, node, O_WRONLY), 0);
	store_release(store, node);
	store_release(store, node);
	ck_assert_int_eq(deferred_reclaims, 1);
	ck_assert(backing_exists("t"));
	ck_assert_int_eq(store_open_file(store, node, O_RDWR), 0); /* the retry's open */
	store_release(store, node);
	store_forget(store, node, 1);
}
END_TEST

START_TEST(test_a_lookup_older_than_the_grace_defers_nothing)
{
	struct node *node = transient_with_a_lookup_pending(50);
	sleep_ms(80);
	store_release(store, node);
	ck_assert_int_eq(deferred_reclaims, 0);
	ck_assert(!backing_exists("t"));
	store_forget(store, node, 1);
}
END_TEST

START_TEST(test_without_a_reaper_nothing_is_deferred)
{
	config.on_reclaim_deferred = NULL; /* nobody would call store_reclaim_due */
	struct node *node = transient_with_a_lookup_pending(TEST_GRACE_MS);
	store_release(store, node);
	ck_assert(!backing_exists("t"));
	ck_assert_int_eq(store_reclaim_due(store), -1);
	store_forget(store, node, 1);
}
END_TEST

START_TEST(test_closing_the_store_reclaims_deferred_segments)
{
	struct node *node = transient_with_a_lookup_pending(TEST_GRACE_MS);
	store_release(store, node);
	ck_assert(backing_exists("t"));
	store_close(store);
	store = NULL;
	ck_assert(!backing_exists("t"));
	ck_assert_int_eq(unlinked.count, 0); /* the caller's cache is gone with the store: nothing to tell */
}
END_TEST

START_TEST(test_transient_segment_loses_every_name_at_last_close)
{
	struct stat st;
	open_store();
	struct node *dir = make_dir(root, "d", 0755);
	struct node *node = create(root, "t");
	ck_assert_int_eq(store_link(store, node, dir, "t2", &st), 0);
	ck_assert_int_eq(set_xattr(node, "user.mmf.lifetime", "transient"), 0);
	ck_assert_int_eq(store_open_file(store, node, O_RDWR), 0);
	store_release(store, node);
	ck_assert_int_eq(lookup_rc(root, "t"), -ENOENT);
	ck_assert_int_eq(lookup_rc(dir, "t2"), -ENOENT);
	ck_assert(!backing_exists("t"));
	ck_assert(!backing_exists("d/t2"));
	ck_assert_int_eq(unlinked.count, 2);
	store_forget(store, node, 2);
}
END_TEST

START_TEST(test_persistent_segment_stays_after_its_last_handle_closes)
{
	open_store();
	struct node *node = create(root, "p");
	ck_assert_int_eq(set_xattr(node, "user.mmf.lifetime", "transient"), 0);
	ck_assert_int_eq(set_xattr(node, "user.mmf.lifetime", "persistent"), 0);
	put(node, 0, "stays");
	ck_assert_int_eq(lookup_rc(root, "p"), 0);
	ck_assert_int_eq(unlinked.count, 0);
	assert_content(node, "stays");
}
END_TEST

START_TEST(test_default_lifetime_transient_applies_to_new_segments)
{
	config.default_lifetime = LIFETIME_TRANSIENT;
	open_store();
	struct node *node = create(root, "t");
	assert_xattr(node, "user.mmf.lifetime", "transient");
	put(node, 0, "gone");
	ck_assert_int_eq(lookup_rc(root, "t"), -ENOENT);
	store_forget(store, node, 1);
	/* Directories have no lifetime and stay. */
	make_dir(root, "d", 0755);
	ck_assert_int_eq(lookup_rc(root, "d"), 0);
}
END_TEST

START_TEST(test_transient_segments_left_without_holders_are_removed_at_next_open)
{
	open_store();
	struct node *dir = make_dir(root, "d", 0755);
	struct node *never = create(root, "never-opened");
	struct node *held = create(dir, "held-at-close");
	struct node *keep = create(root, "keep");
	ck_assert_int_eq(set_xattr(never, "user.mmf.lifetime", "transient"), 0);
	ck_assert_int_eq(set_xattr(held, "user.mmf.lifetime", "transient"), 0);
	put(keep, 0, "kept");
	/* A daemon that stops with a handle open is a crash as far as the segment can tell. */
	ck_assert_int_eq(store_open_file(store, held, O_RDWR), 0);
	reopen_store();
	ck_assert_int_eq(lookup_rc(root, "never-opened"), -ENOENT);
	ck_assert_int_eq(lookup_rc(lookup(root, "d"), "held-at-close"), -ENOENT);
	ck_assert(!backing_exists("never-opened"));
	ck_assert(!backing_exists("d/held-at-close"));
	assert_content(lookup(root, "keep"), "kept");
	ck_assert_uint_eq(stats().f_ffree, config.pool_nodes - 3);
}
END_TEST

/* ---- persistence and the backing directory ---- */

START_TEST(test_restart_brings_back_names_contents_and_metadata)
{
	struct stat st;
	struct node *node = NULL;
	config.pool_bytes = 64 * KIB;
	open_store();
	struct node *dir = make_dir(root, "dir", 02750);
	struct node *seg = create_mode(dir, "seg", S_IFREG | 0640);
	put(seg, 0, "persistent content");
	ck_assert_int_eq(set_xattr(seg, "user.mmf.capacity", "64k"), 0);
	ck_assert_int_eq(set_xattr(seg, "user.color", "blue"), 0);
	ck_assert_int_eq(store_link(store, seg, root, "alias", &st), 0);
	struct node *exe = create_mode(root, "exe", S_IFREG | 04755);
	struct store_setattr req = { .valid = STORE_SET_UID | STORE_SET_GID | STORE_SET_MTIME, .uid = 1234,
				     .gid = 4321, .mtime = { .tv_sec = 1000000000, .tv_nsec = 0 } };
	ck_assert_int_eq(store_setattr(store, exe, &req, &st), 0);
	ck_assert_int_eq(store_symlink(store, root, "sl", "dir/seg", &me, &node, &st), 0);
	make_dir(root, "tmp", 01777);
	uint64_t seg_ino = store_ino(seg), dir_ino = store_ino(dir), root_ino = store_ino(root);
	struct statvfs before = stats();

	reopen_store();

	ck_assert_uint_eq(store_ino(root), root_ino);
	ck_assert_uint_eq(attr(root).st_nlink, 4);
	dir = lookup(root, "dir");
	ck_assert_uint_eq(store_ino(dir), dir_ino);
	st = attr(dir);
	ck_assert_uint_eq(st.st_mode, S_IFDIR | 02750);
	ck_assert_uint_eq(st.st_uid, me.uid);
	ck_assert_uint_eq(st.st_nlink, 2);
	seg = lookup(dir, "seg");
	ck_assert_ptr_eq(lookup(root, "alias"), seg);
	ck_assert_uint_eq(store_ino(seg), seg_ino);
	st = attr(seg);
	ck_assert_uint_eq(st.st_mode, S_IFREG | 0640);
	ck_assert_uint_eq(st.st_uid, me.uid);
	ck_assert_uint_eq(st.st_gid, me.gid);
	ck_assert_uint_eq(st.st_nlink, 2);
	assert_content(seg, "persistent content");
	assert_xattr(seg, "user.mmf.capacity", "65536");
	assert_xattr(seg, "user.mmf.lifetime", "persistent");
	assert_xattr(seg, "user.color", "blue");
	st = attr(lookup(root, "exe"));
	ck_assert_uint_eq(st.st_mode, S_IFREG | 04755);
	ck_assert_uint_eq(st.st_uid, 1234);
	ck_assert_uint_eq(st.st_gid, 4321);
	ck_assert_int_eq(st.st_mtim.tv_sec, 1000000000);
	char buf[64];
	ck_assert_int_eq(store_readlink(store, lookup(root, "sl"), buf, sizeof(buf)), strlen("dir/seg"));
	ck_assert_str_eq(buf, "dir/seg");
	ck_assert_uint_eq(attr(lookup(root, "tmp")).st_mode, S_IFDIR | 01777);
	/* The pool counts what came back: the same space and inodes as before. */
	struct statvfs after = stats();
	ck_assert_uint_eq(after.f_bfree, before.f_bfree);
	ck_assert_uint_eq(after.f_ffree, before.f_ffree);
	/* And the restored capacity still holds. */
	static char block[64 * KIB];
	ck_assert_int_eq(write_at(seg, 0, block, sizeof(block)), sizeof(block));
	ck_assert_int_eq(write_at(seg, 64 * KIB, "x", 1), -EFBIG);
}
END_TEST

START_TEST(test_restart_keeps_a_chmod_and_chown_of_the_root)
{
	open_store();
	struct stat st;
	struct store_setattr req = { .valid = STORE_SET_MODE | STORE_SET_UID | STORE_SET_GID,
				     .mode = 0751, .uid = 1000, .gid = 100 };
	ck_assert_int_eq(store_setattr(store, root, &req, &st), 0);
	/* The mount's default for the root applies only to a root nobody changed. */
	config.root_mode = 01777;
	reopen_store();
	st = attr(root);
	ck_assert_uint_eq(st.st_mode, S_IFDIR | 0751);
	ck_assert_uint_eq(st.st_uid, 1000);
	ck_assert_uint_eq(st.st_gid, 100);
	/* The backing directory itself stays private to the daemon. */
	struct stat bst;
	ck_assert_int_eq(stat(backing, &bst), 0);
	ck_assert_uint_eq(bst.st_mode & 07777, 0700);
}
END_TEST

START_TEST(test_restart_gives_an_unchanged_root_the_mount_default)
{
	open_store();
	create(root, "seg");
	config.root_mode = 01777;
	reopen_store();
	ck_assert_uint_eq(attr(root).st_mode, S_IFDIR | 01777);
}
END_TEST

START_TEST(test_restart_keeps_a_removal_and_a_rename)
{
	open_store();
	struct node *gone = create(root, "gone");
	put(create(root, "old"), 0, "moved");
	ck_assert_int_eq(store_unlink(store, root, "gone"), 0);
	store_forget(store, gone, 1);
	ck_assert_int_eq(store_rename(store, root, "old", root, "new", 0), 0);
	reopen_store();
	ck_assert_int_eq(lookup_rc(root, "gone"), -ENOENT);
	ck_assert_int_eq(lookup_rc(root, "old"), -ENOENT);
	assert_content(lookup(root, "new"), "moved");
}
END_TEST

/* The backing file's own record, or -errno (-ENODATA when it has none). */
static int backing_record(const char *name, char *buf, size_t len)
{
	char path[PATH_MAX];
	snprintf(path, sizeof(path), "%s/%s", backing, name);
	ssize_t n = getxattr(path, META_XATTR, buf, len);
	return n < 0 ? -errno : 0;
}

/* Plain files made by the daemon's own user carry their metadata in the backing inode, with no record (one
 * system call less per create); the rest get a record. Both come back after a restart. */
START_TEST(test_restart_keeps_the_metadata_of_files_with_and_without_a_record)
{
	const struct store_caller self = { .uid = geteuid(), .gid = getegid() };
	static const struct {
		const char *name;
		mode_t mode;
		int record; /* 0: none expected, 1: one expected */
	} files[] = {
		{ "plain", S_IFREG | 0644, 0 },  { "private", S_IFREG | 0600, 0 }, { "setuid", S_IFREG | 04755, 1 },
		{ "read-only", S_IFREG | 0444, 1 }, { "write-only", S_IFREG | 0200, 1 },
	};
	char buf[META_MAX_LEN];
	mode_t old = umask(0);
	open_store();
	for (size_t k = 0; k < sizeof(files) / sizeof(files[0]); k++) {
		struct node *node = NULL;
		struct stat st;
		ck_assert_int_eq(store_mknod(store, root, files[k].name, files[k].mode, &self, &node, &st), 0);
		int rc = backing_record(files[k].name, buf, sizeof(buf));
		ck_assert_msg(files[k].record ? rc == 0 : rc == -ENODATA, "%s: record %d", files[k].name, rc);
	}
	create(root, "other-owner"); /* uid 1000: a record unless the tests run as that user */
	/* Under a umask the inode comes out other than asked for, so the record must say the mode. */
	umask(022);
	struct node *node = NULL;
	struct stat st;
	ck_assert_int_eq(store_mknod(store, root, "umasked", S_IFREG | 0666, &self, &node, &st), 0);
	ck_assert_int_eq(backing_record("umasked", buf, sizeof(buf)), 0);
	umask(old);

	reopen_store();
	for (size_t k = 0; k < sizeof(files) / sizeof(files[0]); k++) {
		struct stat seen = attr(lookup(root, files[k].name));
		ck_assert_msg(seen.st_mode == files[k].mode, "%s: mode %o", files[k].name, (unsigned)seen.st_mode);
		ck_assert_uint_eq(seen.st_uid, self.uid);
		ck_assert_uint_eq(seen.st_gid, self.gid);
	}
	ck_assert_uint_eq(attr(lookup(root, "other-owner")).st_uid, me.uid);
	ck_assert_uint_eq(attr(lookup(root, "umasked")).st_mode, S_IFREG | 0666);
}
END_TEST

/* A chmod of a file without a record writes one, which wins over the inode's mark after a restart. */
START_TEST(test_restart_keeps_a_chmod_of_a_file_without_a_record)
{
	const struct store_caller self = { .uid = geteuid(), .gid = getegid() };
	char buf[META_MAX_LEN];
	mode_t old = umask(0);
	open_store();
	struct node *node = NULL;
	struct stat st;
	ck_assert_int_eq(store_mknod(store, root, "f", S_IFREG | 0644, &self, &node, &st), 0);
	umask(old);
	ck_assert_int_eq(backing_record("f", buf, sizeof(buf)), -ENODATA);
	struct store_setattr change = { .valid = STORE_SET_MODE, .mode = 0604 };
	ck_assert_int_eq(store_setattr(store, node, &change, &st), 0);
	ck_assert_int_eq(backing_record("f", buf, sizeof(buf)), 0);
	reopen_store();
	ck_assert_uint_eq(attr(lookup(root, "f")).st_mode, S_IFREG | 0604);
}
END_TEST

/* CORE BUG (create_backing in store_ns.c): FIFOs and sockets are made with mknodat(), which applies the
 * daemon's umask, while memory keeps the requested mode; after a restart the mode read back differs. */
START_TEST(test_restart_keeps_the_mode_of_a_fifo)
{
	mode_t old = umask(022);
	open_store();
	create_mode(root, "fifo", S_IFIFO | 0666);
	ck_assert_uint_eq(attr(lookup(root, "fifo")).st_mode, S_IFIFO | 0666);
	reopen_store();
	umask(old);
	ck_assert_uint_eq(attr(lookup(root, "fifo")).st_mode, S_IFIFO | 0666);
}
END_TEST

START_TEST(test_second_store_open_on_the_same_backing_dir_is_ebusy)
{
	struct store *second = NULL;
	open_store();
	ck_assert_int_eq(store_open(&config, &second), -EBUSY);
	ck_assert_ptr_null(second);
	create(root, "still-works");
	store_close(store);
	store = NULL;
	ck_assert_int_eq(store_open(&config, &second), 0);
	store = second;
	root = store_root(store);
	ck_assert_int_eq(lookup_rc(root, "still-works"), 0);
}
END_TEST

START_TEST(test_store_open_refuses_an_unsafe_backing_dir)
{
	struct store *refused = NULL;
	ck_assert_int_eq(mkdir(backing, 0700), 0);
	ck_assert_int_eq(chmod(backing, 0755), 0);
	ck_assert_int_eq(store_open(&config, &refused), -EPERM);
	ck_assert_int_eq(rmdir(backing), 0);
	char target[128];
	snprintf(target, sizeof(target), "%s/real", scratch);
	ck_assert_int_eq(mkdir(target, 0700), 0);
	ck_assert_int_eq(symlink(target, backing), 0);
	int rc = store_open(&config, &refused);
	ck_assert_msg(rc == -ELOOP || rc == -ENOTDIR, "expected %d or %d, saw %d", -ELOOP, -ENOTDIR, rc);
	ck_assert_ptr_null(refused);
}
END_TEST

/* CORE BUG (store_close in store.c): free_tree() only reaches nodes that still have a name, so a segment
 * unlinked while open (or still looked up) is never freed, and its backing descriptor stays open. */
START_TEST(test_store_close_closes_the_backing_fd_of_an_unlinked_open_segment)
{
	int fds = count_fds();
	open_store();
	struct node *node = create(root, "seg");
	ck_assert_int_eq(store_open_file(store, node, O_RDWR), 0);
	ck_assert_int_eq(store_unlink(store, root, "seg"), 0);
	store_close(store);
	store = NULL;
	ck_assert_int_eq(count_fds(), fds);
}
END_TEST

START_TEST(test_store_close_closes_every_descriptor_it_opened)
{
	int fds = count_fds();
	open_store();
	struct node *dir = make_dir(root, "d", 0755);
	struct node *a = create(dir, "a");
	put(a, 0, "x");
	ck_assert_int_eq(store_open_file(store, a, O_RDWR), 0);
	create(root, "b");
	reopen_store();
	store_close(store);
	store = NULL;
	ck_assert_int_eq(count_fds(), fds);
}
END_TEST

static TCase *store_tcase(const char *name)
{
	TCase *tc = tcase_create(name);
	tcase_add_unchecked_fixture(tc, setup_parent, teardown_parent);
	tcase_add_checked_fixture(tc, setup, teardown);
	return tc;
}

Suite *store_suite(void)
{
	Suite *s = suite_create("store");
	TCase *tc = store_tcase("names");
	tcase_add_test(tc, test_store_open_makes_a_root_with_the_configured_mode_and_owner);
	tcase_add_test(tc, test_mknod_creates_a_segment_owned_by_the_caller);
	tcase_add_test(tc, test_a_new_segment_shows_the_times_of_its_backing_file);
	tcase_add_test(tc, test_idle_descriptors_never_make_a_create_fail_at_the_open_file_limit);
	tcase_add_test(tc, test_lookup_finds_a_created_name_with_its_attributes);
	tcase_add_test(tc, test_lookup_of_a_missing_name_is_enoent);
	tcase_add_test(tc, test_name_of_255_bytes_works_and_256_is_enametoolong);
	tcase_add_test(tc, test_creating_a_taken_name_is_eexist_and_keeps_the_first);
	tcase_add_test(tc, test_mknod_of_device_nodes_is_eperm_and_of_directories_einval);
	tcase_add_test(tc, test_mknod_makes_fifos_and_sockets);
	tcase_add_test(tc, test_mkdir_counts_links_and_rmdir_takes_them_back);
	tcase_add_test(tc, test_rmdir_of_a_file_is_enotdir_and_unlink_of_a_directory_eisdir);
	tcase_add_test(tc, test_create_in_a_file_is_enotdir_and_in_a_removed_directory_enoent);
	tcase_add_test(tc, test_new_node_in_a_setgid_directory_takes_its_group);
	tcase_add_test(tc, test_unlink_removes_the_name_and_the_backing_file);
	tcase_add_test(tc, test_link_adds_a_name_and_counts_it);
	tcase_add_test(tc, test_symlink_keeps_its_target_for_readlink);
	tcase_add_test(tc, test_symlink_target_of_4096_bytes_is_enametoolong);
	tcase_add_test(tc, test_readdir_lists_dot_dotdot_and_names_in_creation_order);
	tcase_add_test(tc, test_readdir_gives_each_name_as_it_is_now_and_skips_removed_ones);
	tcase_add_test(tc, test_readdir_from_offset_0_again_shows_the_directory_as_it_is_now);
	suite_add_tcase(s, tc);

	tc = store_tcase("rename");
	tcase_add_test(tc, test_rename_moves_a_name_within_and_across_directories);
	tcase_add_test(tc, test_rename_of_a_directory_moves_its_link_count);
	tcase_add_test(tc, test_rename_over_a_file_replaces_it_and_frees_its_bytes);
	tcase_add_test(tc, test_rename_noreplace_onto_a_taken_name_is_eexist_and_changes_nothing);
	tcase_add_test(tc, test_rename_exchange_swaps_two_names_and_survives_a_restart);
	tcase_add_test(tc, test_rename_of_a_directory_into_itself_is_einval);
	tcase_add_test(tc, test_rename_with_unknown_or_conflicting_flags_is_einval);
	tcase_add_test(tc, test_rename_between_files_and_directories_follows_posix);
	tcase_add_test(tc, test_rename_onto_another_name_of_the_same_file_does_nothing);
	suite_add_tcase(s, tc);

	tc = store_tcase("data");
	tcase_add_test(tc, test_write_then_read_gives_the_data_back);
	tcase_add_test(tc, test_write_past_the_end_leaves_a_hole_of_zeros);
	tcase_add_test(tc, test_open_of_a_directory_is_eisdir);
	tcase_add_test(tc, test_setattr_size_grows_with_zeros_and_shrinks);
	tcase_add_test(tc, test_setattr_to_the_same_size_marks_the_times);
	tcase_add_test(tc, test_setattr_changes_mode_owner_and_times);
	suite_add_tcase(s, tc);

	tc = store_tcase("capacity");
	tcase_add_test(tc, test_write_exactly_to_capacity_succeeds_and_one_byte_past_is_efbig);
	tcase_add_test(tc, test_setattr_size_past_capacity_is_efbig_and_exactly_at_it_succeeds);
	tcase_add_test(tc, test_fallocate_past_capacity_is_efbig);
	tcase_add_test(tc, test_capacity_below_the_length_is_einval_and_equal_to_it_is_fine);
	tcase_add_loop_test(tc, test_capacity_rejects_malformed_and_zero_values, 0,
			    (int)(sizeof(bad_capacities) / sizeof(bad_capacities[0])));
	tcase_add_test(tc, test_capacity_accepts_sizes_unlimited_and_a_trailing_newline);
	tcase_add_test(tc, test_default_capacity_applies_to_new_segments);
	tcase_add_test(tc, test_offsets_near_2_63_are_efbig);
	tcase_add_test(tc, test_zero_byte_write_past_the_end_changes_nothing);
	suite_add_tcase(s, tc);

	tc = store_tcase("pool");
	tcase_add_test(tc, test_write_exactly_to_the_pool_limit_succeeds_and_one_byte_past_is_enospc);
	tcase_add_test(tc, test_pool_is_shared_and_freed_by_shrinking_and_unlinking);
	tcase_add_test(tc, test_an_unlinked_open_segment_keeps_its_bytes_until_release);
	tcase_add_test(tc, test_running_out_of_inodes_is_enospc_on_create);
	tcase_add_test(tc, test_statfs_reports_the_pool_in_4k_blocks_and_inodes);
	tcase_add_test(tc, test_statfs_caps_the_room_at_what_the_backing_file_system_has);
	tcase_add_test(tc, test_statfs_of_a_pool_smaller_than_its_contents_shows_them_all_used);
	suite_add_tcase(s, tc);

	tc = store_tcase("xattr");
	tcase_add_test(tc, test_xattr_own_attributes_read_with_getxattr_size_rules);
	tcase_add_test(tc, test_xattr_other_mmf_names_are_enodata_einval_and_eperm);
	tcase_add_test(tc, test_xattr_other_namespaces_are_eopnotsupp);
	tcase_add_test(tc, test_xattr_user_attributes_are_kept_listed_and_removed);
	tcase_add_test(tc, test_xattr_on_directories_has_no_capacity_or_lifetime);
	tcase_add_test(tc, test_xattr_on_symlinks_and_fifos_takes_no_user_attributes);
	suite_add_tcase(s, tc);

	tc = store_tcase("lifetime");
	tcase_add_test(tc, test_transient_segment_is_removed_when_its_last_handle_closes);
	tcase_add_test(tc, test_a_last_close_after_an_unopened_lookup_defers_the_reclaim);
	tcase_add_test(tc, test_the_open_after_the_lookup_keeps_a_deferred_segment);
	tcase_add_test(tc, test_an_open_without_a_lookup_leaves_the_lookup_protected);
	tcase_add_test(tc, test_a_lookup_older_than_the_grace_defers_nothing);
	tcase_add_test(tc, test_without_a_reaper_nothing_is_deferred);
	tcase_add_test(tc, test_closing_the_store_reclaims_deferred_segments);
	tcase_add_test(tc, test_transient_segment_loses_every_name_at_last_close);
	tcase_add_test(tc, test_persistent_segment_stays_after_its_last_handle_closes);
	tcase_add_test(tc, test_default_lifetime_transient_applies_to_new_segments);
	tcase_add_test(tc, test_transient_segments_left_without_holders_are_removed_at_next_open);
	suite_add_tcase(s, tc);

	tc = store_tcase("persistence");
	tcase_add_test(tc, test_restart_brings_back_names_contents_and_metadata);
	tcase_add_test(tc, test_restart_keeps_a_chmod_and_chown_of_the_root);
	tcase_add_test(tc, test_restart_gives_an_unchanged_root_the_mount_default);
	tcase_add_test(tc, test_restart_keeps_a_removal_and_a_rename);
	tcase_add_test(tc, test_restart_keeps_the_mode_of_a_fifo);
	tcase_add_test(tc, test_restart_keeps_the_metadata_of_files_with_and_without_a_record);
	tcase_add_test(tc, test_restart_keeps_a_chmod_of_a_file_without_a_record);
	tcase_add_test(tc, test_second_store_open_on_the_same_backing_dir_is_ebusy);
	tcase_add_test(tc, test_store_open_refuses_an_unsafe_backing_dir);
	tcase_add_test(tc, test_store_close_closes_the_backing_fd_of_an_unlinked_open_segment);
	tcase_add_test(tc, test_store_close_closes_every_descriptor_it_opened);
	suite_add_tcase(s, tc);
	return s;
}
