/* check_pool.c - unit tests of pool.c: byte and inode accounting at, past and near the 2^63 limits. */
#include <errno.h>
#include <stdint.h>

#include "pool.h"
#include "suites.h"

START_TEST(test_pool_init_starts_empty_with_the_given_limits)
{
	struct pool pool;
	pool_init(&pool, 8192, 10);
	ck_assert_uint_eq(pool.byte_limit, 8192);
	ck_assert_uint_eq(pool.byte_used, 0);
	ck_assert_uint_eq(pool.node_limit, 10);
	ck_assert_uint_eq(pool.node_used, 0);
}
END_TEST

START_TEST(test_pool_shrink_below_the_count_stops_at_zero)
{
	struct pool pool;
	pool_init(&pool, 8192, 10);
	ck_assert_int_eq(pool_resize(&pool, 0, 100), 0);
	ck_assert_int_eq(pool_resize(&pool, 8192, 0), 0);
	ck_assert_uint_eq(pool.byte_used, 0);
	ck_assert_int_eq(pool_resize(&pool, 0, 8192), 0);
}
END_TEST

START_TEST(test_pool_restore_puts_back_a_grant_even_past_a_lowered_limit)
{
	struct pool pool;
	pool_init(&pool, 8192, 10);
	ck_assert_int_eq(pool_resize(&pool, 0, 8192), 0);
	ck_assert_int_eq(pool_resize(&pool, 8192, 4096), 0);
	pool.byte_limit = 4096; /* as after a remount with a smaller size= */
	pool_restore(&pool, 4096, 8192);
	ck_assert_uint_eq(pool.byte_used, 8192);
	pool_restore(&pool, 8192, 0);
	ck_assert_uint_eq(pool.byte_used, 0);
	pool_restore(&pool, 100, 0);
	ck_assert_uint_eq(pool.byte_used, 0);
}
END_TEST

START_TEST(test_pool_resize_exactly_to_the_limit_succeeds)
{
	struct pool pool;
	pool_init(&pool, 8192, 10);
	ck_assert_int_eq(pool_resize(&pool, 0, 4096), 0);
	ck_assert_int_eq(pool_resize(&pool, 0, 4096), 0);
	ck_assert_uint_eq(pool.byte_used, 8192);
}
END_TEST

START_TEST(test_pool_resize_one_byte_past_the_limit_is_enospc_and_changes_nothing)
{
	struct pool pool;
	pool_init(&pool, 8192, 10);
	ck_assert_int_eq(pool_resize(&pool, 0, 8193), -ENOSPC);
	ck_assert_uint_eq(pool.byte_used, 0);
	ck_assert_int_eq(pool_resize(&pool, 0, 8000), 0);
	ck_assert_int_eq(pool_resize(&pool, 100, 293), -ENOSPC);
	ck_assert_uint_eq(pool.byte_used, 8000);
	ck_assert_int_eq(pool_resize(&pool, 100, 292), 0);
	ck_assert_uint_eq(pool.byte_used, 8192);
	ck_assert_int_eq(pool_resize(&pool, 0, 1), -ENOSPC);
	ck_assert_uint_eq(pool.byte_used, 8192);
}
END_TEST

START_TEST(test_pool_resize_without_growth_succeeds_on_a_full_pool)
{
	struct pool pool;
	pool_init(&pool, 4096, 10);
	ck_assert_int_eq(pool_resize(&pool, 0, 4096), 0);
	ck_assert_int_eq(pool_resize(&pool, 4096, 4096), 0);
	ck_assert_int_eq(pool_resize(&pool, 0, 0), 0);
	ck_assert_uint_eq(pool.byte_used, 4096);
}
END_TEST

START_TEST(test_pool_resize_shrinking_gives_bytes_back)
{
	struct pool pool;
	pool_init(&pool, 8192, 10);
	ck_assert_int_eq(pool_resize(&pool, 0, 8192), 0);
	ck_assert_int_eq(pool_resize(&pool, 8192, 1000), 0);
	ck_assert_uint_eq(pool.byte_used, 1000);
	ck_assert_int_eq(pool_resize(&pool, 1000, 0), 0);
	ck_assert_uint_eq(pool.byte_used, 0);
	ck_assert_int_eq(pool_resize(&pool, 0, 8192), 0);
}
END_TEST

START_TEST(test_pool_with_zero_bytes_refuses_any_growth)
{
	struct pool pool;
	pool_init(&pool, 0, 10);
	ck_assert_int_eq(pool_resize(&pool, 0, 1), -ENOSPC);
	ck_assert_int_eq(pool_resize(&pool, 0, 0), 0);
	ck_assert_uint_eq(pool.byte_used, 0);
}
END_TEST

START_TEST(test_pool_resize_reaches_int64_max_and_refuses_one_more_byte)
{
	struct pool pool;
	pool_init(&pool, INT64_MAX, 10);
	ck_assert_int_eq(pool_resize(&pool, 0, INT64_MAX), 0);
	ck_assert_uint_eq(pool.byte_used, INT64_MAX);
	ck_assert_int_eq(pool_resize(&pool, 0, 1), -ENOSPC);
	ck_assert_int_eq(pool_resize(&pool, INT64_MAX, (uint64_t)INT64_MAX + 1), -ENOSPC);
	ck_assert_uint_eq(pool.byte_used, INT64_MAX);
	ck_assert_int_eq(pool_resize(&pool, INT64_MAX, 0), 0);
	ck_assert_uint_eq(pool.byte_used, 0);
}
END_TEST

START_TEST(test_pool_resize_growth_near_2_63_does_not_wrap_around)
{
	struct pool pool;
	pool_init(&pool, INT64_MAX, 10);
	ck_assert_int_eq(pool_resize(&pool, 0, 10), 0);
	/* used + growth would wrap past 2^64 if added before comparing. */
	ck_assert_int_eq(pool_resize(&pool, 0, UINT64_MAX), -ENOSPC);
	ck_assert_int_eq(pool_resize(&pool, 1, UINT64_MAX), -ENOSPC);
	ck_assert_int_eq(pool_resize(&pool, 0, (uint64_t)INT64_MAX - 9), -ENOSPC);
	ck_assert_uint_eq(pool.byte_used, 10);
	ck_assert_int_eq(pool_resize(&pool, 0, (uint64_t)INT64_MAX - 10), 0);
	ck_assert_uint_eq(pool.byte_used, INT64_MAX);
}
END_TEST

START_TEST(test_pool_with_uint64_max_limit_fills_to_the_last_byte)
{
	struct pool pool;
	pool_init(&pool, UINT64_MAX, 10);
	ck_assert_int_eq(pool_resize(&pool, 0, UINT64_MAX - 1), 0);
	ck_assert_int_eq(pool_resize(&pool, 0, 2), -ENOSPC);
	ck_assert_uint_eq(pool.byte_used, UINT64_MAX - 1);
	ck_assert_int_eq(pool_resize(&pool, 0, 1), 0);
	ck_assert_uint_eq(pool.byte_used, UINT64_MAX);
	ck_assert_int_eq(pool_resize(&pool, 0, 1), -ENOSPC);
	ck_assert_uint_eq(pool.byte_used, UINT64_MAX);
}
END_TEST

START_TEST(test_pool_take_node_up_to_the_limit_then_enospc)
{
	struct pool pool;
	pool_init(&pool, 0, 2);
	ck_assert_int_eq(pool_take_node(&pool), 0);
	ck_assert_int_eq(pool_take_node(&pool), 0);
	ck_assert_int_eq(pool_take_node(&pool), -ENOSPC);
	ck_assert_uint_eq(pool.node_used, 2);
	pool_give_node(&pool);
	ck_assert_uint_eq(pool.node_used, 1);
	ck_assert_int_eq(pool_take_node(&pool), 0);
	ck_assert_uint_eq(pool.node_used, 2);
}
END_TEST

START_TEST(test_pool_with_zero_nodes_refuses_take)
{
	struct pool pool;
	pool_init(&pool, 4096, 0);
	ck_assert_int_eq(pool_take_node(&pool), -ENOSPC);
	ck_assert_uint_eq(pool.node_used, 0);
}
END_TEST

START_TEST(test_pool_give_node_on_an_empty_pool_stays_at_zero)
{
	struct pool pool;
	pool_init(&pool, 4096, 2);
	pool_give_node(&pool);
	ck_assert_uint_eq(pool.node_used, 0);
	ck_assert_int_eq(pool_take_node(&pool), 0);
	ck_assert_int_eq(pool_take_node(&pool), 0);
	ck_assert_int_eq(pool_take_node(&pool), -ENOSPC);
}
END_TEST

START_TEST(test_pool_node_limit_of_uint64_max_never_wraps)
{
	struct pool pool;
	pool_init(&pool, 0, UINT64_MAX);
	pool.node_used = UINT64_MAX - 1;
	ck_assert_int_eq(pool_take_node(&pool), 0);
	ck_assert_uint_eq(pool.node_used, UINT64_MAX);
	ck_assert_int_eq(pool_take_node(&pool), -ENOSPC);
	ck_assert_uint_eq(pool.node_used, UINT64_MAX);
}
END_TEST

Suite *pool_suite(void)
{
	Suite *s = suite_create("pool");
	TCase *tc = tcase_create("bytes");
	tcase_add_test(tc, test_pool_init_starts_empty_with_the_given_limits);
	tcase_add_test(tc, test_pool_resize_exactly_to_the_limit_succeeds);
	tcase_add_test(tc, test_pool_resize_one_byte_past_the_limit_is_enospc_and_changes_nothing);
	tcase_add_test(tc, test_pool_resize_without_growth_succeeds_on_a_full_pool);
	tcase_add_test(tc, test_pool_resize_shrinking_gives_bytes_back);
	tcase_add_test(tc, test_pool_with_zero_bytes_refuses_any_growth);
	tcase_add_test(tc, test_pool_resize_reaches_int64_max_and_refuses_one_more_byte);
	tcase_add_test(tc, test_pool_resize_growth_near_2_63_does_not_wrap_around);
	tcase_add_test(tc, test_pool_shrink_below_the_count_stops_at_zero);
	tcase_add_test(tc, test_pool_restore_puts_back_a_grant_even_past_a_lowered_limit);
	tcase_add_test(tc, test_pool_with_uint64_max_limit_fills_to_the_last_byte);
	suite_add_tcase(s, tc);
	tc = tcase_create("nodes");
	tcase_add_test(tc, test_pool_take_node_up_to_the_limit_then_enospc);
	tcase_add_test(tc, test_pool_with_zero_nodes_refuses_take);
	tcase_add_test(tc, test_pool_give_node_on_an_empty_pool_stays_at_zero);
	tcase_add_test(tc, test_pool_node_limit_of_uint64_max_never_wraps);
	suite_add_tcase(s, tc);
	return s;
}
