/* check_size.c - unit tests of size.c: strict parsing of sizes with suffixes and percentages, and printing. */
#include <errno.h>
#include <stdint.h>
#include <string.h>

#include "size.h"
#include "suites.h"

/* What *out holds before a call: a failing call must leave it so. */
#define UNTOUCHED UINT64_C(0xdeadbeefcafef00d)

struct size_case {
	const char *text;
	uint64_t ram;
	int rc;          /* expected return */
	uint64_t value;  /* expected *out when rc is 0 */
};

static const struct size_case accepted[] = {
	{ "0", 0, 0, 0 },
	{ "4096", 0, 0, 4096 },
	{ "007", 0, 0, 7 },
	{ "0k", 0, 0, 0 },
	{ "64k", 0, 0, 65536 },
	{ "64K", 0, 0, 65536 },
	{ "1m", 0, 0, 1048576 },
	{ "1M", 0, 0, 1048576 },
	{ "2G", 0, 0, UINT64_C(2147483648) },
	{ "2g", 0, 0, UINT64_C(2147483648) },
	{ "1t", 0, 0, UINT64_C(1099511627776) },
	{ "1T", 0, 0, UINT64_C(1099511627776) },
	{ "9223372036854775807", 0, 0, INT64_MAX },
	{ "8388607t", 0, 0, UINT64_C(8388607) << 40 },
	{ "9007199254740991k", 0, 0, UINT64_C(9007199254740991) << 10 },
	{ "50%", 1000, 0, 500 },
	{ "100%", 1000, 0, 1000 },
	{ "0%", 1000, 0, 0 },
	{ "1%", 1000, 0, 10 },
	{ "50%", 1001, 0, 500 },
	{ "100%", INT64_MAX, 0, INT64_MAX },
	{ "50%", UINT64_C(1) << 62, 0, UINT64_C(1) << 61 },
	/* A plain number does not depend on the RAM size. */
	{ "4096", 1000, 0, 4096 },
};

static const struct size_case rejected[] = {
	{ "", 0, -EINVAL, 0 },
	{ "abc", 0, -EINVAL, 0 },
	{ "-1", 0, -EINVAL, 0 },
	{ "+1", 0, -EINVAL, 0 },
	{ " 1", 0, -EINVAL, 0 },
	{ "1 ", 0, -EINVAL, 0 },
	{ "1\n", 0, -EINVAL, 0 },
	{ "1kb", 0, -EINVAL, 0 },
	{ "1KB", 0, -EINVAL, 0 },
	{ "1kk", 0, -EINVAL, 0 },
	{ "1.5m", 0, -EINVAL, 0 },
	{ "1,000", 0, -EINVAL, 0 },
	{ "1e3", 0, -EINVAL, 0 },
	{ "0x10", 0, -EINVAL, 0 },
	{ "12x", 0, -EINVAL, 0 },
	{ "1p", 0, -EINVAL, 0 },
	{ "k", 0, -EINVAL, 0 },
	{ "%", 1000, -EINVAL, 0 },
	{ "101%", 1000, -EINVAL, 0 },
	{ "1000%", 1000, -EINVAL, 0 },
	{ "50%", 0, -EINVAL, 0 },
	{ "50%x", 1000, -EINVAL, 0 },
	{ "50%%", 1000, -EINVAL, 0 },
	{ "50 %", 1000, -EINVAL, 0 },
	{ "50k%", 1000, -EINVAL, 0 },
	{ "9223372036854775808", 0, -ERANGE, 0 },
	{ "18446744073709551615", 0, -ERANGE, 0 },
	{ "18446744073709551616", 0, -ERANGE, 0 },
	{ "99999999999999999999999999", 0, -ERANGE, 0 },
	{ "8388608t", 0, -ERANGE, 0 },
	{ "8796093022208m", 0, -ERANGE, 0 },
	{ "9007199254740992k", 0, -ERANGE, 0 },
	{ "8589934592g", 0, -ERANGE, 0 },
};

START_TEST(test_size_parse_accepts_numbers_suffixes_and_percentages)
{
	const struct size_case *c = &accepted[_i];
	uint64_t out = UNTOUCHED;
	int rc = size_parse(c->text, c->ram, &out);
	ck_assert_msg(rc == 0, "size_parse(\"%s\", ram %llu): expected 0, saw %d", c->text,
		      (unsigned long long)c->ram, rc);
	ck_assert_msg(out == c->value, "size_parse(\"%s\", ram %llu): expected %llu, saw %llu", c->text,
		      (unsigned long long)c->ram, (unsigned long long)c->value, (unsigned long long)out);
}
END_TEST

START_TEST(test_size_parse_rejects_bad_values_and_leaves_out_unchanged)
{
	const struct size_case *c = &rejected[_i];
	uint64_t out = UNTOUCHED;
	int rc = size_parse(c->text, c->ram, &out);
	ck_assert_msg(rc == c->rc, "size_parse(\"%s\", ram %llu): expected %d, saw %d", c->text,
		      (unsigned long long)c->ram, c->rc, rc);
	ck_assert_msg(out == UNTOUCHED, "size_parse(\"%s\"): *out changed to %llu on failure", c->text,
		      (unsigned long long)out);
}
END_TEST

START_TEST(test_size_parse_rejects_null_text)
{
	uint64_t out = UNTOUCHED;
	ck_assert_int_eq(size_parse(NULL, 1000, &out), -EINVAL);
	ck_assert_uint_eq(out, UNTOUCHED);
}
END_TEST

START_TEST(test_size_format_prints_decimal_bytes_and_returns_buf)
{
	char buf[32];
	ck_assert_ptr_eq(size_format(0, buf, sizeof(buf)), buf);
	ck_assert_str_eq(buf, "0");
	ck_assert_str_eq(size_format(4096, buf, sizeof(buf)), "4096");
	ck_assert_str_eq(size_format(INT64_MAX, buf, sizeof(buf)), "9223372036854775807");
	/* The longest value fits the documented 21 bytes. */
	char exact[21];
	ck_assert_str_eq(size_format(UINT64_MAX, exact, sizeof(exact)), "18446744073709551615");
}
END_TEST

START_TEST(test_size_format_output_parses_back_to_the_same_value)
{
	static const uint64_t values[] = { 0, 1, 1023, 65536, UINT64_C(1) << 40, INT64_MAX };
	char buf[21];
	for (size_t i = 0; i < sizeof(values) / sizeof(values[0]); i++) {
		uint64_t out = UNTOUCHED;
		ck_assert_int_eq(size_parse(size_format(values[i], buf, sizeof(buf)), 0, &out), 0);
		ck_assert_uint_eq(out, values[i]);
	}
}
END_TEST

Suite *size_suite(void)
{
	Suite *s = suite_create("size");
	TCase *tc = tcase_create("parse");
	tcase_add_loop_test(tc, test_size_parse_accepts_numbers_suffixes_and_percentages, 0,
			    (int)(sizeof(accepted) / sizeof(accepted[0])));
	tcase_add_loop_test(tc, test_size_parse_rejects_bad_values_and_leaves_out_unchanged, 0,
			    (int)(sizeof(rejected) / sizeof(rejected[0])));
	tcase_add_test(tc, test_size_parse_rejects_null_text);
	suite_add_tcase(s, tc);
	tc = tcase_create("format");
	tcase_add_test(tc, test_size_format_prints_decimal_bytes_and_returns_buf);
	tcase_add_test(tc, test_size_format_output_parses_back_to_the_same_value);
	suite_add_tcase(s, tc);
	return s;
}
