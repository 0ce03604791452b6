/* check_names.c - unit tests of names.c: the (directory, name) hash table, its growth and its removals. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "names.h"
#include "suites.h"

/* The table never looks inside a node: any distinct addresses stand for directories and nodes. */
static char fake_nodes[4];
#define DIR_A ((struct node *)(void *)&fake_nodes[0])
#define DIR_B ((struct node *)(void *)&fake_nodes[1])
#define FILE_X ((struct node *)(void *)&fake_nodes[2])
#define FILE_Y ((struct node *)(void *)&fake_nodes[3])

static struct names table;

static void setup(void)
{
	ck_assert_int_eq(names_init(&table), 0);
}

static void teardown(void)
{
	names_free(&table);
}

static struct link *add(struct node *dir, struct node *node, const char *name)
{
	struct link *link = link_new(dir, node, name, strlen(name));
	ck_assert_ptr_nonnull(link);
	names_insert(&table, link);
	return link;
}

static struct link *find(const struct node *dir, const char *name)
{
	return names_find(&table, dir, name, strlen(name));
}

START_TEST(test_names_find_in_an_empty_table_is_null)
{
	ck_assert_uint_eq(table.count, 0);
	ck_assert_ptr_null(find(DIR_A, "a"));
	ck_assert_ptr_null(find(DIR_A, ""));
}
END_TEST

START_TEST(test_link_new_copies_the_name_and_sets_the_hash)
{
	char name[] = "segment";
	struct link *link = link_new(DIR_A, FILE_X, name, 3);
	ck_assert_ptr_nonnull(link);
	name[0] = 'X';
	ck_assert_str_eq(link->name, "seg");
	ck_assert_uint_eq(link->name_len, 3);
	ck_assert_ptr_eq(link->dir, DIR_A);
	ck_assert_ptr_eq(link->node, FILE_X);
	ck_assert_uint_eq(link->hash, names_hash(DIR_A, "seg", 3));
	ck_assert_ptr_null(link->hash_next);
	ck_assert_ptr_null(link->node_next);
	free(link);
}
END_TEST

START_TEST(test_names_hash_depends_on_directory_and_name)
{
	ck_assert_uint_eq(names_hash(DIR_A, "abc", 3), names_hash(DIR_A, "abcdef", 3));
	ck_assert_uint_ne(names_hash(DIR_A, "abc", 3), names_hash(DIR_B, "abc", 3));
	ck_assert_uint_ne(names_hash(DIR_A, "abc", 3), names_hash(DIR_A, "abd", 3));
}
END_TEST

START_TEST(test_names_find_matches_directory_name_and_length)
{
	struct link *a = add(DIR_A, FILE_X, "data");
	struct link *b = add(DIR_B, FILE_Y, "data");
	struct link *c = add(DIR_A, FILE_Y, "dat");
	ck_assert_uint_eq(table.count, 3);
	ck_assert_ptr_eq(find(DIR_A, "data"), a);
	ck_assert_ptr_eq(find(DIR_B, "data"), b);
	ck_assert_ptr_eq(find(DIR_A, "dat"), c);
	ck_assert_ptr_null(find(DIR_B, "dat"));
	ck_assert_ptr_null(find(DIR_A, "data2"));
	ck_assert_ptr_null(find(DIR_A, "Data"));
	/* A name is its bytes up to len: a longer buffer with the same prefix finds the short name. */
	ck_assert_ptr_eq(names_find(&table, DIR_A, "datum", 3), c);
	names_remove(&table, a);
	names_remove(&table, b);
	names_remove(&table, c);
	free(a);
	free(b);
	free(c);
}
END_TEST

START_TEST(test_names_remove_forgets_only_that_link)
{
	struct link *a = add(DIR_A, FILE_X, "a");
	struct link *b = add(DIR_A, FILE_X, "b");
	names_remove(&table, a);
	ck_assert_uint_eq(table.count, 1);
	ck_assert_ptr_null(find(DIR_A, "a"));
	ck_assert_ptr_eq(find(DIR_A, "b"), b);
	/* Removing a link that is not in the table is harmless. */
	names_remove(&table, a);
	ck_assert_uint_eq(table.count, 1);
	names_remove(&table, b);
	ck_assert_uint_eq(table.count, 0);
	free(a);
	free(b);
}
END_TEST

START_TEST(test_names_table_grows_and_still_finds_every_name)
{
	enum { COUNT = 5000 };
	static struct link *links[COUNT];
	char name[32];
	size_t buckets = table.mask + 1;
	for (int i = 0; i < COUNT; i++) {
		snprintf(name, sizeof(name), "segment-%d", i);
		links[i] = add(i % 2 ? DIR_A : DIR_B, FILE_X, name);
	}
	ck_assert_uint_eq(table.count, COUNT);
	ck_assert_uint_gt(table.mask + 1, buckets);
	/* The bucket count stays a power of two. */
	ck_assert_uint_eq((table.mask + 1) & table.mask, 0);
	for (int i = 0; i < COUNT; i++) {
		snprintf(name, sizeof(name), "segment-%d", i);
		ck_assert_ptr_eq(find(i % 2 ? DIR_A : DIR_B, name), links[i]);
		ck_assert_ptr_null(find(i % 2 ? DIR_B : DIR_A, name));
	}
	for (int i = 0; i < COUNT; i += 2) {
		names_remove(&table, links[i]);
		free(links[i]);
	}
	ck_assert_uint_eq(table.count, COUNT / 2);
	for (int i = 1; i < COUNT; i += 2) {
		snprintf(name, sizeof(name), "segment-%d", i);
		ck_assert_ptr_eq(find(DIR_A, name), links[i]);
		names_remove(&table, links[i]);
		free(links[i]);
	}
	ck_assert_uint_eq(table.count, 0);
}
END_TEST

Suite *names_suite(void)
{
	Suite *s = suite_create("names");
	TCase *tc = tcase_create("table");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_names_find_in_an_empty_table_is_null);
	tcase_add_test(tc, test_link_new_copies_the_name_and_sets_the_hash);
	tcase_add_test(tc, test_names_hash_depends_on_directory_and_name);
	tcase_add_test(tc, test_names_find_matches_directory_name_and_length);
	tcase_add_test(tc, test_names_remove_forgets_only_that_link);
	tcase_add_test(tc, test_names_table_grows_and_still_finds_every_name);
	suite_add_tcase(s, tc);
	return s;
}
