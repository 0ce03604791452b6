/* check_pool.c - placeholder until the unit tests of pool.c land. */
#include "suites.h"

START_TEST(test_pool_placeholder)
{
	ck_assert_int_eq(0, 0);
}
END_TEST

Suite *pool_suite(void)
{
	Suite *s = suite_create("pool");
	TCase *tc = tcase_create("all");
	tcase_add_test(tc, test_pool_placeholder);
	suite_add_tcase(s, tc);
	return s;
}
