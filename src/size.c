/* size.c - strict parsing of byte sizes with binary suffixes or a percentage of RAM. */
#include "size.h"

#include <errno.h>
#include <stdio.h>

#define SIZE_MAX_VALUE ((uint64_t)INT64_MAX)

static int suffix_shift(char c, unsigned *shift)
{
	switch (c) {
	case 'k': case 'K': *shift = 10; return 0;
	case 'm': case 'M': *shift = 20; return 0;
	case 'g': case 'G': *shift = 30; return 0;
	case 't': case 'T': *shift = 40; return 0;
	default: return -EINVAL;
	}
}

int size_parse(const char *text, uint64_t ram_bytes, uint64_t *out)
{
	uint64_t value = 0;
	const char *p = text;
	unsigned shift = 0;

	if (text == NULL || *p < '0' || *p > '9')
		return -EINVAL;
	for (; *p >= '0' && *p <= '9'; p++) {
		unsigned digit = (unsigned)(*p - '0');
		if (value > (SIZE_MAX_VALUE - digit) / 10)
			return -ERANGE;
		value = value * 10 + digit;
	}
	if (*p == '%') {
		if (ram_bytes == 0 || p[1] != '\0' || value > 100)
			return -EINVAL;
		/* Split the multiplication so that RAM sizes near 2^63 cannot overflow. */
		*out = ram_bytes / 100 * value + ram_bytes % 100 * value / 100;
		return 0;
	}
	if (*p != '\0') {
		if (suffix_shift(*p, &shift) != 0 || p[1] != '\0')
			return -EINVAL;
		if (value > (SIZE_MAX_VALUE >> shift))
			return -ERANGE;
		value <<= shift;
	}
	*out = value;
	return 0;
}

char *size_format(uint64_t bytes, char *buf, size_t buflen)
{
	snprintf(buf, buflen, "%llu", (unsigned long long)bytes);
	return buf;
}
