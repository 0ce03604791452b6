/* check_meta.c - placeholder until the unit tests of meta.c land. */
#include "suites.h"

START_TEST(test_meta_placeholder)
{
	ck_assert_int_eq(0, 0);
}
END_TEST

Suite *meta_suite(void)
{
	Suite *s = suite_create("meta");
	TCase *tc = tcase_create("all");
	tcase_add_test(tc, test_meta_placeholder);
	suite_add_tcase(s, tc);
	return s;
}
