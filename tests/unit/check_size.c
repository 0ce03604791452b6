/* check_size.c - placeholder until the unit tests of size.c land. */
#include "suites.h"

START_TEST(test_size_placeholder)
{
	ck_assert_int_eq(0, 0);
}
END_TEST

Suite *size_suite(void)
{
	Suite *s = suite_create("size");
	TCase *tc = tcase_create("all");
	tcase_add_test(tc, test_size_placeholder);
	suite_add_tcase(s, tc);
	return s;
}
