/* check_store.c - placeholder until the unit tests of store.c land. */
#include "suites.h"

START_TEST(test_store_placeholder)
{
	ck_assert_int_eq(0, 0);
}
END_TEST

Suite *store_suite(void)
{
	Suite *s = suite_create("store");
	TCase *tc = tcase_create("all");
	tcase_add_test(tc, test_store_placeholder);
	suite_add_tcase(s, tc);
	return s;
}
