/* verbs_data.c - mmf write, read and save: the bytes of a segment in and out. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "args.h"
#include "dest.h"
#include "mmf.h"
#include "report.h"
#include "segfile.h"
#include "seginfo.h"
#include "xio.h"

/* The STRINGs joined by spaces with a newline, as echo prints them. */
static char *join(char **strings, int n, size_t *len)
{
	size_t total = 0;
	char *buf;
	char *p;

	for (int i = 0; i < n; i++)
		total += strlen(strings[i]) + 1;
	buf = malloc(total);
	if (buf == NULL)
		return NULL;
	p = buf;
	for (int i = 0; i < n; i++) {
		size_t l = strlen(strings[i]);

		memcpy(p, strings[i], l);
		p += l;
		*p++ = i + 1 < n ? ' ' : '\n';
	}
	*len = total;
	return buf;
}

/* "byte" or "bytes" for n of them: a capacity of 1 byte, or 1 more byte, is a common case (--size 1). */
static const char *bytes(uint64_t n)
{
	return n == 1 ? "byte" : "bytes";
}

/* The verb that goes with n bytes: "1 byte does", "2 bytes do". */
static const char *does(uint64_t n)
{
	return n == 1 ? "does" : "do";
}

static int exceeded(const char *name, uint64_t capacity, uint64_t needed)
{
	return report_fail(name, "capacity exceeded: %" PRIu64 " %s %s not fit in a capacity of %" PRIu64
			   " %s (nothing written)", needed, bytes(needed), does(needed), capacity, bytes(capacity));
}

static int append_exceeded(const char *name, uint64_t capacity, uint64_t length, uint64_t more)
{
	return report_fail(name, "capacity exceeded: %" PRIu64 " more %s after %" PRIu64 " %s not fit in a "
			   "capacity of %" PRIu64 " %s (nothing written)", more, bytes(more), length, does(more),
			   capacity, bytes(capacity));
}

/* The bytes a write may still add on the mount, as statvfs shows them (whole blocks, so at most a few KiB less
 * than mmfs's own count): f_bavail, the room in the pool, which mmfs caps at what its backing file system has
 * left. UINT64_MAX when unknown, since the write itself is refused then. */
static uint64_t pool_free(int fd)
{
	struct statvfs sv;

	if (fstatvfs(fd, &sv) != 0)
		return UINT64_MAX;
	if (sv.f_frsize != 0 && (uint64_t)sv.f_bavail > UINT64_MAX / sv.f_frsize)
		return UINT64_MAX;
	return (uint64_t)sv.f_bavail * sv.f_frsize;
}

/* Said when statvfs showed too little room for more bytes: the pool's own free blocks (f_bfree) tell whether
 * the pool or the backing file system is what is short, so mmf names the one that is. */
static int pool_full(const char *name, int fd, uint64_t more)
{
	struct statvfs sv;

	if (fstatvfs(fd, &sv) == 0 && sv.f_frsize != 0 && sv.f_bfree >= more / sv.f_frsize + 1)
		return report_fail(name, "no space left on the backing file system of the mmfs mount (nothing "
				   "written)");
	return report_fail(name, "no space left in the mmfs pool (nothing written)");
}

/* Why a reservation of len bytes was refused: nothing has been written yet. */
static int not_reserved(const char *name, int fd, size_t len, int err)
{
	if (err == EFBIG)
		return exceeded(name, seginfo_capacity(fd), len);
	return report_fail(name, "%s (nothing written)", report_reason(err));
}

/*
 * Makes room for len bytes of content before any byte of it is written. fallocate reserves the pool and
 * the backing file system's blocks at once: the kernel cuts a write of more than 1 MiB into several
 * requests, and a full backing file system could refuse a later one after an earlier one had overwritten
 * old bytes (ftruncate grows a segment in the pool alone and allocates no blocks). Where fallocate is not
 * supported, growing with ftruncate at least gets the pool and the capacity checked whole. Returns 0 with
 * the segment's content unchanged (it may be longer), or -errno with the segment as it was.
 */
static int reserve(int fd, size_t len, off_t old_len)
{
	if (len == 0)
		return 0;
	if (fallocate(fd, 0, 0, (off_t)len) == 0)
		return 0;
	if (errno != EOPNOTSUPP)
		return -errno;
	if ((off_t)len > old_len && ftruncate(fd, (off_t)len) != 0)
		return -errno;
	return 0;
}

/*
 * Replaces the content with buf. The result is that of O_TRUNC and one write, but ordered so that a
 * refusal changes nothing: room for the whole content first (reserve: EFBIG or ENOSPC before any byte
 * moves), then the bytes, then cutting an old tail that is longer than the new content.
 */
static int replace(const char *name, int fd, const char *buf, size_t len)
{
	struct stat st;
	int rc;

	if (fstat(fd, &st) != 0)
		return report_errno(name, errno);
	/* The growth is what the pool must hold; reserve below would refuse it too, but this says that it is
	 * the pool before anything is tried. */
	if ((off_t)len > st.st_size && len - (uint64_t)st.st_size > pool_free(fd))
		return pool_full(name, fd, len - (uint64_t)st.st_size);
	rc = reserve(fd, len, st.st_size);
	if (rc != 0)
		return not_reserved(name, fd, len, -rc);
	rc = xio_pwrite_all(fd, buf, len, 0);
	if (rc != 0)
		return report_errno(name, -rc);
	if ((off_t)len < st.st_size && ftruncate(fd, (off_t)len) != 0)
		return report_errno(name, errno);
	return 0;
}

/*
 * Appends buf in one write(), which mmfs never interleaves with other appends. The kernel cuts a write of
 * more than 1 MiB into several requests, and mmfs refuses each whole but not all together: so the room in
 * the pool is checked first, else the first MiB could be appended and the rest refused.
 */
static int append(const char *name, int fd, const char *buf, size_t len, uint64_t capacity)
{
	struct stat st;
	size_t done;
	int rc;

	if (fstat(fd, &st) != 0)
		return report_errno(name, errno);
	if (capacity != UINT64_MAX && (uint64_t)st.st_size + len > capacity)
		return append_exceeded(name, capacity, (uint64_t)st.st_size, len);
	if (len > pool_free(fd))
		return pool_full(name, fd, len);
	rc = xio_write_all(fd, buf, len, &done);
	/* Only a writer racing for the same room (in the pool or on the backing file system, which statvfs
	 * showed above) gets here with part of it appended: say so. */
	if (rc != 0 && done > 0)
		return report_fail(name, "%s after %zu of %zu bytes were appended", report_reason(-rc), done, len);
	if (rc == -EFBIG)
		return append_exceeded(name, seginfo_capacity(fd), (uint64_t)st.st_size, len);
	if (rc != 0)
		return report_errno(name, -rc);
	return 0;
}

/*
 * Reads standard input no further than the segment can take, so that an endless stream is refused instead
 * of filling memory: one byte past the room that the capacity or the pool leaves is enough to know.
 * Returns 0 with *buf and *len set, or MMF_EXIT_FAIL after reporting.
 */
static int read_stdin(const char *name, int fd, bool append_mode, uint64_t capacity, char **buf, size_t *len)
{
	struct stat st;
	uint64_t size = fstat(fd, &st) == 0 ? (uint64_t)st.st_size : 0;
	uint64_t cap_room = capacity;
	uint64_t free_room = pool_free(fd);
	uint64_t pool_room = free_room;
	uint64_t room;
	int r;

	if (append_mode && capacity != UINT64_MAX)
		cap_room = size >= capacity ? 0 : capacity - size;
	/* An overwrite reuses the old length: only what goes past it takes room in the pool. */
	if (!append_mode && pool_room != UINT64_MAX)
		pool_room = pool_room > UINT64_MAX - size ? UINT64_MAX : pool_room + size;
	room = cap_room < pool_room ? cap_room : pool_room;
	r = xio_slurp(STDIN_FILENO, room > SIZE_MAX ? SIZE_MAX : (size_t)room, buf, len);
	/* Any byte at all is too much for a full segment: "standard input does not fit" would suggest that
	 * a smaller one could. */
	if (r == -EFBIG && cap_room == 0 && append_mode)
		return report_fail(name, "capacity exceeded: the segment is full, its capacity is %" PRIu64 " %s "
				   "(nothing written)", capacity, bytes(capacity));
	if (r == -EFBIG && cap_room <= pool_room)
		return report_fail(name, "capacity exceeded: standard input does not fit in a capacity of %"
				   PRIu64 " %s (nothing written)", capacity, bytes(capacity));
	if (r == -EFBIG)
		return pool_full(name, fd, free_room + 1);
	if (r != 0)
		return report_fail("standard input", "%s", strerror(-r));
	return 0;
}

static int write_option(int opt, const char *arg, void *data)
{
	bool *append_mode = data;

	*append_mode = true;
	return 0;
}

int verb_write(struct mmf_ctx *ctx, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "append", no_argument, NULL, 'a' },
		{ NULL, 0, NULL, 0 },
	};
	bool append_mode = false;
	const struct args_spec spec = {
		.verb = "write", .shortopts = "a", .longopts = longopts,
		.command = ARGS_NO_COMMAND, .option = write_option, .data = &append_mode,
	};
	struct args a;
	const char *name;
	char *buf = NULL;
	size_t len = 0;
	uint64_t capacity;
	int fd = -1;
	int rc = ctx_args(ctx, argc, argv, &spec, &a);

	if (rc >= 0)
		goto out;
	if (a.noperands == 0) {
		rc = report_usage("write", "missing NAME");
		goto out;
	}
	name = a.operands[0];
	rc = ctx_name(ctx, name);
	if (rc != 0)
		goto out;
	/* Open first: a missing segment is reported before standard input is read. Never O_CREAT: writing
	 * needs a segment made by mmf new, with its capacity. */
	rc = segfile_open(ctx, name, O_WRONLY | (append_mode ? O_APPEND : 0), false, &fd);
	if (rc != 0)
		goto out;
	capacity = seginfo_capacity(fd);
	if (a.noperands > 1) {
		buf = join(a.operands + 1, a.noperands - 1, &len);
		if (buf == NULL) {
			rc = report_errno(name, ENOMEM);
			goto out;
		}
	} else {
		rc = read_stdin(name, fd, append_mode, capacity, &buf, &len);
		if (rc != 0)
			goto out;
	}
	if (append_mode)
		rc = append(name, fd, buf, len, capacity);
	else if (capacity != UINT64_MAX && len > capacity)
		rc = exceeded(name, capacity, len);
	else
		rc = replace(name, fd, buf, len);
	/* FUSE reports some errors only at close (flush); they count for a write that seemed to succeed. */
	if (close(fd) != 0 && rc == 0)
		rc = report_errno(name, errno);
	fd = -1;
out:
	if (fd >= 0)
		close(fd);
	free(buf);
	args_free(&a);
	return rc;
}

/* read and save both copy the whole segment to a file descriptor. */
static int copy_out(const char *name, int fd, int out, const char *outname, const volatile sig_atomic_t *stop)
{
	enum xio_side side;
	int rc = xio_copy(fd, out, stop, &side);

	/* Stopped by a signal that mmf is about to die of: no message of its own. */
	if (rc == -EINTR && side == XIO_NONE)
		return MMF_EXIT_FAIL;
	/* A failed read is the segment's: said in its words (a dead mount, for one). */
	if (rc != 0 && side == XIO_READ)
		return report_errno(name, -rc);
	if (rc != 0)
		return report_fail(outname, "%s", strerror(-rc));
	return 0;
}

int verb_read(struct mmf_ctx *ctx, int argc, char **argv)
{
	const struct args_spec spec = { .verb = "read", .shortopts = "", .command = ARGS_NO_COMMAND };
	struct args a;
	int fd = -1;
	int rc = ctx_args(ctx, argc, argv, &spec, &a);

	if (rc >= 0)
		goto out;
	if (a.noperands != 1) {
		rc = report_usage("read", a.noperands == 0 ? "missing NAME" : "one NAME only");
		goto out;
	}
	rc = ctx_name(ctx, a.operands[0]);
	if (rc == 0)
		rc = segfile_open(ctx, a.operands[0], O_RDONLY, false, &fd);
	if (rc == 0)
		rc = copy_out(a.operands[0], fd, STDOUT_FILENO, "standard output", NULL);
out:
	if (fd >= 0)
		close(fd);
	args_free(&a);
	return rc;
}

/* Saving a segment onto itself (its path through the mount, a link to it) would truncate it before
 * reading: refuse, as cp does, by comparing device and inode. A PATH that cannot be stat'ed is new. */
static int not_itself(const char *name, int fd, const char *dest)
{
	struct stat seg;
	struct stat st;

	if (fstat(fd, &seg) != 0)
		return report_errno(name, errno);
	if (stat(dest, &st) == 0 && st.st_dev == seg.st_dev && st.st_ino == seg.st_ino)
		return report_fail(dest, "is the segment %s itself (nothing saved)", name);
	return 0;
}

int verb_save(struct mmf_ctx *ctx, int argc, char **argv)
{
	const struct args_spec spec = { .verb = "save", .shortopts = "", .command = ARGS_NO_COMMAND };
	struct dest d = { .fd = -1 };
	struct args a;
	const char *dest;
	int fd = -1;
	int rc = ctx_args(ctx, argc, argv, &spec, &a);

	if (rc >= 0)
		goto out;
	if (a.noperands != 2) {
		rc = report_usage("save", a.noperands < 2 ? "expects NAME and PATH" : "too many operands");
		goto out;
	}
	dest = a.operands[1];
	rc = ctx_name(ctx, a.operands[0]);
	if (rc != 0)
		goto out;
	/* The segment first: a missing one leaves PATH untouched. */
	rc = segfile_open(ctx, a.operands[0], O_RDONLY, false, &fd);
	if (rc == 0)
		rc = not_itself(a.operands[0], fd, dest);
	if (rc == 0)
		rc = dest_open(dest, &d);
	if (rc != 0)
		goto out;
	/* A regular PATH is only replaced once the whole copy is in its temporary file (dest_commit). */
	rc = copy_out(a.operands[0], fd, d.fd, dest, &dest_stop);
	if (rc == 0)
		rc = dest_commit(dest, &d);
	else
		dest_abort(&d);
out:
	if (fd >= 0)
		close(fd);
	args_free(&a);
	return rc;
}
