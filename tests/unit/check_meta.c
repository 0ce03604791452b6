/* check_meta.c - unit tests of meta.c: the metadata record's round trip and rejection, and lifetime names. */
#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <sys/stat.h>

#include "meta.h"
#include "suites.h"

/* A record that no test decodes into: a failing decode must leave it so. */
static const struct meta sentinel = {
	.mode = S_IFSOCK | 0123, .uid = 4242, .gid = 4343, .capacity = 77, .lifetime = LIFETIME_TRANSIENT,
};

static void assert_meta_eq(const struct meta *want, const struct meta *seen)
{
	ck_assert_uint_eq(seen->mode, want->mode);
	ck_assert_uint_eq(seen->uid, want->uid);
	ck_assert_uint_eq(seen->gid, want->gid);
	ck_assert_uint_eq(seen->capacity, want->capacity);
	ck_assert_int_eq(seen->lifetime, want->lifetime);
}

static const struct meta round_trips[] = {
	{ S_IFREG | 0644, 0, 0, META_UNLIMITED, LIFETIME_PERSISTENT },
	{ S_IFREG | 0600, 1000, 1000, 1, LIFETIME_TRANSIENT },
	{ S_IFDIR | 01777, 0, 0, META_UNLIMITED, LIFETIME_PERSISTENT },
	{ S_IFDIR | 02770, 1000, 50, META_UNLIMITED, LIFETIME_PERSISTENT },
	{ S_IFREG | 06755, 4294967294u, 4294967294u, UINT64_MAX - 1, LIFETIME_TRANSIENT },
	{ S_IFREG | 0, 65534, 65534, INT64_MAX, LIFETIME_PERSISTENT },
	{ S_IFREG | 07777, 1, 2, 65536, LIFETIME_PERSISTENT },
};

START_TEST(test_meta_encode_then_decode_gives_back_the_record)
{
	const struct meta *want = &round_trips[_i];
	char buf[META_MAX_LEN];
	size_t len = meta_encode(want, buf, sizeof(buf));
	ck_assert_uint_gt(len, 0);
	ck_assert_uint_lt(len, META_MAX_LEN);
	ck_assert_uint_eq(strlen(buf), len);
	struct meta seen = sentinel;
	ck_assert_msg(meta_decode(buf, len, &seen) == 0, "meta_decode(\"%s\") failed", buf);
	assert_meta_eq(want, &seen);
}
END_TEST

START_TEST(test_meta_encode_writes_the_documented_text)
{
	char buf[META_MAX_LEN];
	struct meta m = { S_IFREG | 0644, 0, 0, META_UNLIMITED, LIFETIME_PERSISTENT };
	size_t len = meta_encode(&m, buf, sizeof(buf));
	ck_assert_str_eq(buf, "mmf1 mode=100644 uid=0 gid=0 cap=18446744073709551615 life=p");
	ck_assert_uint_eq(len, strlen(buf));
	m = (struct meta){ S_IFDIR | 03777, 1000, 100, 4096, LIFETIME_TRANSIENT };
	meta_encode(&m, buf, sizeof(buf));
	ck_assert_str_eq(buf, "mmf1 mode=43777 uid=1000 gid=100 cap=4096 life=t");
}
END_TEST

START_TEST(test_meta_encode_of_the_longest_record_fits_meta_max_len)
{
	char buf[META_MAX_LEN];
	struct meta m = { 0177777, 4294967294u, 4294967294u, UINT64_MAX, LIFETIME_TRANSIENT };
	size_t len = meta_encode(&m, buf, sizeof(buf));
	ck_assert_uint_lt(len, META_MAX_LEN);
	struct meta seen = sentinel;
	ck_assert_int_eq(meta_decode(buf, len, &seen), 0);
	assert_meta_eq(&m, &seen);
}
END_TEST

START_TEST(test_meta_decode_reads_only_len_bytes)
{
	/* The attribute's value carries no NUL; whatever follows it in the buffer is not part of it. */
	const char text[] = "mmf1 mode=100600 uid=7 gid=8 cap=4096 life=tJUNK";
	struct meta seen = sentinel;
	ck_assert_int_eq(meta_decode(text, strlen(text) - 4, &seen), 0);
	struct meta want = { S_IFREG | 0600, 7, 8, 4096, LIFETIME_TRANSIENT };
	assert_meta_eq(&want, &seen);
}
END_TEST

START_TEST(test_meta_decode_rejects_every_truncation_of_a_record)
{
	const char text[] = "mmf1 mode=100644 uid=1000 gid=1000 cap=65536 life=p";
	size_t full = strlen(text);
	for (size_t len = 0; len < full; len++) {
		struct meta seen = sentinel;
		int rc = meta_decode(text, len, &seen);
		ck_assert_msg(rc == -EINVAL, "meta_decode of the first %zu bytes: expected %d, saw %d", len,
			      -EINVAL, rc);
		assert_meta_eq(&sentinel, &seen);
	}
}
END_TEST

static const char *const malformed[] = {
	"",
	"mmf2 mode=100644 uid=0 gid=0 cap=1 life=p",
	"MMF1 mode=100644 uid=0 gid=0 cap=1 life=p",
	" mmf1 mode=100644 uid=0 gid=0 cap=1 life=p",
	"mmf1  mode=100644 uid=0 gid=0 cap=1 life=p",
	"mmf1 mode=100648 uid=0 gid=0 cap=1 life=p",
	"mmf1 mode=10064a uid=0 gid=0 cap=1 life=p",
	"mmf1 mode=-100644 uid=0 gid=0 cap=1 life=p",
	"mmf1 mode=+100644 uid=0 gid=0 cap=1 life=p",
	"mmf1 mode=0x1ff uid=0 gid=0 cap=1 life=p",
	"mmf1 mode=200000 uid=0 gid=0 cap=1 life=p",
	"mmf1 mode= uid=0 gid=0 cap=1 life=p",
	"mmf1 mode=100644 uid=0 gid=0 cap=1 life=p ",
	"mmf1 mode=100644 uid=0 gid=0 cap=1 life=p\n",
	"mmf1 mode=100644 uid=0 gid=0 cap=1 life=pp",
	"mmf1 mode=100644 uid=0 gid=0 cap=1 life=p extra=1",
	"mmf1 mode=100644 uid=0 gid=0 cap=1 life=x",
	"mmf1 mode=100644 uid=0 gid=0 cap=1 life=P",
	"mmf1 mode=100644 uid=0 gid=0 cap=1 life=",
	"mmf1 mode=100644 uid=0 gid=0 cap=1",
	"mmf1 mode=100644 uid=0 gid=0 life=p",
	"mmf1 mode=100644 uid=0 cap=1 life=p",
	"mmf1 mode=100644 gid=0 cap=1 life=p",
	"mmf1 uid=0 gid=0 cap=1 life=p",
	"mmf1 mode=100644 gid=0 uid=0 cap=1 life=p",
	"mmf1 mode=100644 uid=0  gid=0 cap=1 life=p",
	"mmf1 mode=100644 uid=1x gid=0 cap=1 life=p",
	"mmf1 mode=100644 uid=-1 gid=0 cap=1 life=p",
	"mmf1 mode=100644 uid=4294967295 gid=0 cap=1 life=p",
	"mmf1 mode=100644 uid=4294967296 gid=0 cap=1 life=p",
	"mmf1 mode=100644 uid=0 gid=4294967295 cap=1 life=p",
	"mmf1 mode=100644 uid=0 gid=99999999999999999999 cap=1 life=p",
	"mmf1 mode=100644 uid=0 gid=0 cap=18446744073709551616 life=p",
	"mmf1 mode=100644 uid=0 gid=0 cap=1000000000000000000000000000000000000000 life=p",
	"mmf1 mode=100644 uid=0 gid=0 cap=1k life=p",
	"mmf1 mode=100644 uid=0 gid=0 cap=unlimited life=p",
};

START_TEST(test_meta_decode_rejects_malformed_records_and_leaves_meta_unchanged)
{
	const char *text = malformed[_i];
	struct meta seen = sentinel;
	int rc = meta_decode(text, strlen(text), &seen);
	ck_assert_msg(rc == -EINVAL, "meta_decode(\"%s\"): expected %d, saw %d", text, -EINVAL, rc);
	assert_meta_eq(&sentinel, &seen);
}
END_TEST

START_TEST(test_meta_decode_rejects_an_embedded_nul)
{
	const char text[] = "mmf1 mode=100644 uid=0\0gid=0 cap=1 life=p";
	struct meta seen = sentinel;
	ck_assert_int_eq(meta_decode(text, sizeof(text) - 1, &seen), -EINVAL);
	assert_meta_eq(&sentinel, &seen);
}
END_TEST

START_TEST(test_lifetime_parse_accepts_the_two_names)
{
	enum lifetime out = LIFETIME_TRANSIENT;
	ck_assert_int_eq(lifetime_parse("persistent", strlen("persistent"), &out), 0);
	ck_assert_int_eq(out, LIFETIME_PERSISTENT);
	ck_assert_int_eq(lifetime_parse("transient", strlen("transient"), &out), 0);
	ck_assert_int_eq(out, LIFETIME_TRANSIENT);
}
END_TEST

START_TEST(test_lifetime_parse_accepts_one_trailing_newline)
{
	enum lifetime out = LIFETIME_TRANSIENT;
	ck_assert_int_eq(lifetime_parse("persistent\n", strlen("persistent\n"), &out), 0);
	ck_assert_int_eq(out, LIFETIME_PERSISTENT);
	ck_assert_int_eq(lifetime_parse("transient\n", strlen("transient\n"), &out), 0);
	ck_assert_int_eq(out, LIFETIME_TRANSIENT);
}
END_TEST

START_TEST(test_lifetime_parse_uses_len_not_the_nul)
{
	enum lifetime out = LIFETIME_PERSISTENT;
	/* An xattr value is not NUL-terminated: the length alone says where it ends. */
	ck_assert_int_eq(lifetime_parse("transientXYZ", strlen("transient"), &out), 0);
	ck_assert_int_eq(out, LIFETIME_TRANSIENT);
	ck_assert_int_eq(lifetime_parse("persistent", 7, &out), -EINVAL);
}
END_TEST

static const char *const bad_lifetimes[] = {
	"", "\n", "Persistent", "TRANSIENT", "persistent\n\n", "transient ", " transient", "persist", "transients",
	"temporary", "p", "t",
};

START_TEST(test_lifetime_parse_rejects_other_values)
{
	const char *text = bad_lifetimes[_i];
	enum lifetime out = LIFETIME_PERSISTENT;
	int rc = lifetime_parse(text, strlen(text), &out);
	ck_assert_msg(rc == -EINVAL, "lifetime_parse(\"%s\"): expected %d, saw %d", text, -EINVAL, rc);
}
END_TEST

START_TEST(test_lifetime_name_gives_the_names_lifetime_parse_reads)
{
	ck_assert_str_eq(lifetime_name(LIFETIME_PERSISTENT), "persistent");
	ck_assert_str_eq(lifetime_name(LIFETIME_TRANSIENT), "transient");
}
END_TEST

/* meta_inode_mode: which records the backing inode can carry alone (plain files, owner rw, no limits). */
static const struct {
	struct meta meta;
	mode_t inode_mode;
} inode_modes[] = {
	{ { S_IFREG | 0644, 0, 0, META_UNLIMITED, LIFETIME_PERSISTENT }, 01644 },
	{ { S_IFREG | 0600, 1000, 1000, META_UNLIMITED, LIFETIME_PERSISTENT }, 01600 },
	{ { S_IFREG | 0777, 1000, 1000, META_UNLIMITED, LIFETIME_PERSISTENT }, 01777 },
	{ { S_IFREG | 04755, 0, 0, META_UNLIMITED, LIFETIME_PERSISTENT }, 0 },
	{ { S_IFREG | 01644, 0, 0, META_UNLIMITED, LIFETIME_PERSISTENT }, 0 },
	{ { S_IFREG | 0444, 0, 0, META_UNLIMITED, LIFETIME_PERSISTENT }, 0 },
	{ { S_IFREG | 0200, 0, 0, META_UNLIMITED, LIFETIME_PERSISTENT }, 0 },
	{ { S_IFREG | 0644, 0, 0, 4096, LIFETIME_PERSISTENT }, 0 },
	{ { S_IFREG | 0644, 0, 0, META_UNLIMITED, LIFETIME_TRANSIENT }, 0 },
	{ { S_IFDIR | 0755, 0, 0, META_UNLIMITED, LIFETIME_PERSISTENT }, 0 },
};

START_TEST(test_meta_inode_mode_marks_only_records_an_inode_can_carry)
{
	ck_assert_uint_eq(meta_inode_mode(&inode_modes[_i].meta), inode_modes[_i].inode_mode);
}
END_TEST

static struct stat inode(mode_t mode, uid_t uid, gid_t gid)
{
	struct stat st;
	memset(&st, 0, sizeof(st));
	st.st_mode = mode;
	st.st_uid = uid;
	st.st_gid = gid;
	return st;
}

START_TEST(test_meta_from_inode_gives_back_what_the_inode_was_made_to_carry)
{
	const struct meta want = { S_IFREG | 0640, 7, 8, META_UNLIMITED, LIFETIME_PERSISTENT };
	struct stat st = inode(S_IFREG | meta_inode_mode(&want), 7, 8);
	ck_assert(meta_inode_describes(&want, &st));
	struct meta seen = sentinel;
	ck_assert_int_eq(meta_from_inode(&st, &seen), 0);
	assert_meta_eq(&want, &seen);
}
END_TEST

START_TEST(test_meta_inode_describes_no_inode_that_came_out_otherwise)
{
	const struct meta want = { S_IFREG | 0666, 7, 8, META_UNLIMITED, LIFETIME_PERSISTENT };
	struct stat umasked = inode(S_IFREG | 01644, 7, 8);
	struct stat other_group = inode(S_IFREG | 01666, 7, 9); /* a set-group-ID directory's group */
	struct stat other_owner = inode(S_IFREG | 01666, 0, 8);
	ck_assert(!meta_inode_describes(&want, &umasked));
	ck_assert(!meta_inode_describes(&want, &other_group));
	ck_assert(!meta_inode_describes(&want, &other_owner));
	const struct meta limited = { S_IFREG | 0666, 7, 8, 4096, LIFETIME_PERSISTENT };
	struct stat marked = inode(S_IFREG | 01666, 7, 8);
	ck_assert(!meta_inode_describes(&limited, &marked));
}
END_TEST

START_TEST(test_meta_from_inode_refuses_inodes_without_the_mark)
{
	const mode_t unmarked[] = {
		S_IFREG | 0644,  /* planted by hand: stays private */
		S_IFREG | 03644, /* set-group-ID as well as sticky */
		S_IFREG | 05644, /* set-user-ID as well as sticky */
		S_IFREG | 01444, /* the daemon could not open it for writing again */
		S_IFDIR | 01777,
		S_IFLNK | 01777,
	};
	for (size_t k = 0; k < sizeof(unmarked) / sizeof(unmarked[0]); k++) {
		struct stat st = inode(unmarked[k], 1, 2);
		struct meta seen = sentinel;
		ck_assert_int_eq(meta_from_inode(&st, &seen), -ENODATA);
		assert_meta_eq(&sentinel, &seen);
	}
}
END_TEST

Suite *meta_suite(void)
{
	Suite *s = suite_create("meta");
	TCase *tc = tcase_create("record");
	tcase_add_loop_test(tc, test_meta_encode_then_decode_gives_back_the_record, 0,
			    (int)(sizeof(round_trips) / sizeof(round_trips[0])));
	tcase_add_test(tc, test_meta_encode_writes_the_documented_text);
	tcase_add_test(tc, test_meta_encode_of_the_longest_record_fits_meta_max_len);
	tcase_add_test(tc, test_meta_decode_reads_only_len_bytes);
	tcase_add_test(tc, test_meta_decode_rejects_every_truncation_of_a_record);
	tcase_add_loop_test(tc, test_meta_decode_rejects_malformed_records_and_leaves_meta_unchanged, 0,
			    (int)(sizeof(malformed) / sizeof(malformed[0])));
	tcase_add_test(tc, test_meta_decode_rejects_an_embedded_nul);
	suite_add_tcase(s, tc);
	tc = tcase_create("inode");
	tcase_add_loop_test(tc, test_meta_inode_mode_marks_only_records_an_inode_can_carry, 0,
			    (int)(sizeof(inode_modes) / sizeof(inode_modes[0])));
	tcase_add_test(tc, test_meta_from_inode_gives_back_what_the_inode_was_made_to_carry);
	tcase_add_test(tc, test_meta_inode_describes_no_inode_that_came_out_otherwise);
	tcase_add_test(tc, test_meta_from_inode_refuses_inodes_without_the_mark);
	suite_add_tcase(s, tc);
	tc = tcase_create("lifetime");
	tcase_add_test(tc, test_lifetime_parse_accepts_the_two_names);
	tcase_add_test(tc, test_lifetime_parse_accepts_one_trailing_newline);
	tcase_add_test(tc, test_lifetime_parse_uses_len_not_the_nul);
	tcase_add_loop_test(tc, test_lifetime_parse_rejects_other_values, 0,
			    (int)(sizeof(bad_lifetimes) / sizeof(bad_lifetimes[0])));
	tcase_add_test(tc, test_lifetime_name_gives_the_names_lifetime_parse_reads);
	suite_add_tcase(s, tc);
	return s;
}
