/* options.h - the daemon's command line: fuse3 conventions plus mmfs's own -o options, validated. */
#ifndef MMFS_OPTIONS_H
#define MMFS_OPTIONS_H

#include <stdbool.h>
#include <stdint.h>

#define FUSE_USE_VERSION 312
#include <fuse_lowlevel.h>

#include "meta.h"

/* How far ahead of a sequential writer to allocate by default: a few of the kernel's 1 MiB writes. */
#define PREALLOC_DEFAULT (8ull << 20)
#define PREALLOC_MAX (1ull << 30)

struct options {
	char *mountpoint;          /* absolute, resolved */
	char *backing;             /* as given with -o backing=, or NULL for the default */
	uint64_t pool_bytes;
	uint64_t pool_nodes;
	uint64_t default_capacity;
	uint64_t prealloc_bytes;   /* -o prealloc=: how far ahead of a sequential writer to allocate; 0: never */
	enum lifetime default_lifetime;
	unsigned threads;          /* 1: single-threaded loop */
	unsigned max_read;         /* -o max_read= as given, or 0 */
	unsigned poll_us;          /* busy-poll for the next request this long before sleeping; 0: never */
	bool foreground;
	bool debug;
	bool allow_other;
	bool show_help;
	bool show_version;
	bool tune_bdi;
	bool uring;                /* -o uring=auto (true) or off: serve requests through FUSE-over-io-uring */
	struct fuse_args args;     /* what is left for libfuse, with mmfs's fixed options added */
};

/*
 * Parses argv. Returns 0 on success; on a bad command line prints one line "mmfs: reason" to stderr and
 * returns -1. With -h or -V it returns 0 and sets show_help or show_version (mountpoint may be NULL).
 * ram_bytes is the machine's memory, for percentages and defaults.
 */
int options_parse(int argc, char **argv, uint64_t ram_bytes, struct options *out);
void options_free(struct options *opts);
void options_usage(const char *progname);

#endif
