/* size.h - parsing and printing of byte sizes ("64k", "1g", "50%") for options and attributes. */
#ifndef MMFS_SIZE_H
#define MMFS_SIZE_H

#include <stdint.h>
#include <stddef.h>

/*
 * Parses a byte count: decimal digits with an optional suffix k, m, g or t (either case, powers of 1024,
 * an optional trailing "b"/"B" after the suffix is not accepted: keep it simple and strict).
 * When ram_bytes is non-zero a percentage such as "50%" is accepted too and is taken of ram_bytes.
 * Rejects empty strings, signs, spaces, junk after the number and values that do not fit in 63 bits.
 * Returns 0 and sets *out on success; returns -EINVAL (malformed) or -ERANGE (too large) and leaves *out
 * unchanged on failure.
 */
int size_parse(const char *text, uint64_t ram_bytes, uint64_t *out);

/* Writes the decimal form of bytes into buf (at least 21 bytes). Returns buf. */
char *size_format(uint64_t bytes, char *buf, size_t buflen);

#endif
