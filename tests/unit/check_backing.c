/* check_backing.c - unit tests of backing.c: default backing paths and the checks on opening the directory. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "backing.h"
#include "scratch.h"
#include "suites.h"

struct path_case {
	const char *mountpoint;
	uid_t uid;
	const char *path;
};

static const struct path_case paths[] = {
	{ "/mnt/mmf", 0, "/dev/shm/mmfs-0-mnt-mmf" },
	{ "/home/me/shm", 1000, "/dev/shm/mmfs-1000-home-me-shm" },
	{ "/", 0, "/dev/shm/mmfs-0--" },
	{ "/a b", 0, "/dev/shm/mmfs-0-a%20b" },
	{ "/100%", 0, "/dev/shm/mmfs-0-100%25" },
	/* '-' is escaped, so that "/a-b" and "/a/b" get different directories. */
	{ "/a-b", 0, "/dev/shm/mmfs-0-a%2Db" },
	{ "/a/b", 0, "/dev/shm/mmfs-0-a-b" },
	{ "/v1.2_x/Y", 7, "/dev/shm/mmfs-7-v1.2_x-Y" },
	{ "/caf\xc3\xa9", 0, "/dev/shm/mmfs-0-caf%C3%A9" },
	{ "/t\ta~", 4294967294u, "/dev/shm/mmfs-4294967294-t%09a%7E" },
};

START_TEST(test_backing_default_path_escapes_the_mountpoint)
{
	const struct path_case *c = &paths[_i];
	char buf[256];
	int rc = backing_default_path(c->mountpoint, c->uid, buf, sizeof(buf));
	ck_assert_msg(rc == 0, "backing_default_path(\"%s\"): expected 0, saw %d", c->mountpoint, rc);
	ck_assert_str_eq(buf, c->path);
}
END_TEST

START_TEST(test_backing_default_path_of_a_relative_path_is_einval)
{
	char buf[256];
	ck_assert_int_eq(backing_default_path("mnt/mmf", 0, buf, sizeof(buf)), -EINVAL);
	ck_assert_int_eq(backing_default_path("", 0, buf, sizeof(buf)), -EINVAL);
	ck_assert_int_eq(backing_default_path("./mnt", 0, buf, sizeof(buf)), -EINVAL);
}
END_TEST

START_TEST(test_backing_default_path_in_a_too_small_buffer_is_enametoolong)
{
	char buf[256];
	ck_assert_int_eq(backing_default_path("/mnt/mmf", 0, buf, 0), -ENAMETOOLONG);
	ck_assert_int_eq(backing_default_path("/mnt/mmf", 0, buf, 10), -ENAMETOOLONG);
	ck_assert_int_eq(backing_default_path("/mnt/mmf", 0, buf, strlen("/dev/shm/mmfs-0-mnt-mm")),
			 -ENAMETOOLONG);
	ck_assert_int_eq(backing_default_path("/mnt/mmf", 0, buf, strlen("/dev/shm/mmfs-0-mnt-mmf")),
			 -ENAMETOOLONG);
}
END_TEST

/* Every buffer shorter than the result plus its NUL must fail; the exact size must succeed. */
START_TEST(test_backing_default_path_fits_exactly_or_fails_for_every_buffer_size)
{
	const struct path_case *c = &paths[_i];
	char buf[256];
	size_t need = strlen(c->path) + 1;
	for (size_t len = 0; len < need; len++) {
		int rc = backing_default_path(c->mountpoint, c->uid, buf, len);
		ck_assert_msg(rc == -ENAMETOOLONG,
			      "backing_default_path(\"%s\") in %zu bytes (%zu needed): expected %d, saw %d (\"%s\")",
			      c->mountpoint, len, need, -ENAMETOOLONG, rc, rc == 0 ? buf : "");
	}
	int rc = backing_default_path(c->mountpoint, c->uid, buf, need);
	ck_assert_msg(rc == 0, "backing_default_path(\"%s\") in exactly %zu bytes: expected 0, saw %d",
		      c->mountpoint, need, rc);
	ck_assert_str_eq(buf, c->path);
}
END_TEST

/* A private scratch directory per test, under one per test case that is removed even after a failure. */
static char parent[64];
static char scratch[96];
static char path[128];

/* Unchecked: runs in the runner's process, so it also cleans up after a failed test. */
static void setup_parent(void)
{
	scratch_make(parent, sizeof(parent), "/tmp/mmfs-check-backing-XXXXXX");
}

static void teardown_parent(void)
{
	scratch_remove(parent);
}

static void setup(void)
{
	snprintf(scratch, sizeof(scratch), "%s/test-XXXXXX", parent);
	ck_assert_ptr_nonnull(mkdtemp(scratch));
	snprintf(path, sizeof(path), "%s/backing", scratch);
}

static void teardown(void)
{
	scratch_remove(scratch);
}

START_TEST(test_backing_open_dir_creates_a_missing_directory_mode_0700)
{
	mode_t old = umask(0);
	const char *why = "unset";
	int fd = backing_open_dir(path, &why);
	umask(old);
	ck_assert_int_ge(fd, 0);
	ck_assert_ptr_null(why);
	struct stat st;
	ck_assert_int_eq(fstat(fd, &st), 0);
	ck_assert(S_ISDIR(st.st_mode));
	ck_assert_uint_eq(st.st_mode & 07777, 0700);
	ck_assert_uint_eq(st.st_uid, geteuid());
	close(fd);
}
END_TEST

START_TEST(test_backing_open_dir_opens_an_existing_private_directory)
{
	ck_assert_int_eq(mkdir(path, 0700), 0);
	ck_assert_int_eq(chmod(path, 0700), 0);
	int fd = backing_open_dir(path, NULL);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(fcntl(fd, F_GETFD) & FD_CLOEXEC, FD_CLOEXEC);
	close(fd);
}
END_TEST

START_TEST(test_backing_open_dir_refuses_a_symlink)
{
	char target[160];
	snprintf(target, sizeof(target), "%s/real", scratch);
	ck_assert_int_eq(mkdir(target, 0700), 0);
	ck_assert_int_eq(symlink(target, path), 0);
	const char *why = NULL;
	int fd = backing_open_dir(path, &why);
	ck_assert_msg(fd == -ELOOP || fd == -ENOTDIR, "expected %d or %d, saw %d", -ELOOP, -ENOTDIR, fd);
	ck_assert_ptr_nonnull(why);
}
END_TEST

START_TEST(test_backing_open_dir_refuses_a_symlink_written_with_a_trailing_slash_or_dot)
{
	/* A trailing "/" or "/." makes the kernel follow the link as a directory before O_NOFOLLOW looks. */
	char target[160], spelled[200];
	snprintf(target, sizeof(target), "%s/real", scratch);
	ck_assert_int_eq(mkdir(target, 0700), 0);
	ck_assert_int_eq(symlink(target, path), 0);
	static const char *const tails[] = { "/", "//", "/.", "/./", "/./." };
	for (size_t i = 0; i < sizeof(tails) / sizeof(tails[0]); i++) {
		snprintf(spelled, sizeof(spelled), "%s%s", path, tails[i]);
		int fd = backing_open_dir(spelled, NULL);
		ck_assert_msg(fd == -ELOOP || fd == -ENOTDIR, "%s: expected %d or %d, saw %d", spelled, -ELOOP,
			      -ENOTDIR, fd);
	}
	/* A real directory written the same ways still opens. */
	snprintf(spelled, sizeof(spelled), "%s/./", target);
	int fd = backing_open_dir(spelled, NULL);
	ck_assert_int_ge(fd, 0);
	close(fd);
}
END_TEST

START_TEST(test_backing_open_dir_refuses_a_regular_file)
{
	int file = open(path, O_CREAT | O_WRONLY, 0600);
	ck_assert_int_ge(file, 0);
	close(file);
	const char *why = NULL;
	ck_assert_int_eq(backing_open_dir(path, &why), -ENOTDIR);
	ck_assert_ptr_nonnull(why);
}
END_TEST

START_TEST(test_backing_open_dir_refuses_a_directory_open_to_others)
{
	static const mode_t modes[] = { 0755, 0750, 0701, 0710, 0707, 01777 };
	ck_assert_int_eq(mkdir(path, 0700), 0);
	for (size_t i = 0; i < sizeof(modes) / sizeof(modes[0]); i++) {
		ck_assert_int_eq(chmod(path, modes[i]), 0);
		const char *why = NULL;
		int fd = backing_open_dir(path, &why);
		ck_assert_msg(fd == -EPERM, "mode %04o: expected %d, saw %d", (unsigned)modes[i], -EPERM, fd);
		ck_assert_ptr_nonnull(why);
	}
}
END_TEST

START_TEST(test_backing_open_dir_refuses_a_directory_of_another_user)
{
	if (geteuid() != 0)
		return; /* only root can give a directory away */
	ck_assert_int_eq(mkdir(path, 0700), 0);
	ck_assert_int_eq(chown(path, 65534, 65534), 0);
	const char *why = NULL;
	ck_assert_int_eq(backing_open_dir(path, &why), -EPERM);
	ck_assert_ptr_nonnull(why);
}
END_TEST

START_TEST(test_backing_open_dir_with_a_missing_parent_is_enoent)
{
	char deep[192];
	snprintf(deep, sizeof(deep), "%s/missing/backing", scratch);
	const char *why = NULL;
	ck_assert_int_eq(backing_open_dir(deep, &why), -ENOENT);
	ck_assert_ptr_nonnull(why);
}
END_TEST

Suite *backing_suite(void)
{
	Suite *s = suite_create("backing");
	TCase *tc = tcase_create("default_path");
	int count = (int)(sizeof(paths) / sizeof(paths[0]));
	tcase_add_loop_test(tc, test_backing_default_path_escapes_the_mountpoint, 0, count);
	tcase_add_test(tc, test_backing_default_path_of_a_relative_path_is_einval);
	tcase_add_test(tc, test_backing_default_path_in_a_too_small_buffer_is_enametoolong);
	tcase_add_loop_test(tc, test_backing_default_path_fits_exactly_or_fails_for_every_buffer_size, 0, count);
	suite_add_tcase(s, tc);
	tc = tcase_create("open_dir");
	tcase_add_unchecked_fixture(tc, setup_parent, teardown_parent);
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_backing_open_dir_creates_a_missing_directory_mode_0700);
	tcase_add_test(tc, test_backing_open_dir_opens_an_existing_private_directory);
	tcase_add_test(tc, test_backing_open_dir_refuses_a_symlink);
	tcase_add_test(tc, test_backing_open_dir_refuses_a_symlink_written_with_a_trailing_slash_or_dot);
	tcase_add_test(tc, test_backing_open_dir_refuses_a_regular_file);
	tcase_add_test(tc, test_backing_open_dir_refuses_a_directory_open_to_others);
	tcase_add_test(tc, test_backing_open_dir_refuses_a_directory_of_another_user);
	tcase_add_test(tc, test_backing_open_dir_with_a_missing_parent_is_enoent);
	suite_add_tcase(s, tc);
	return s;
}
