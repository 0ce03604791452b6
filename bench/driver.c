/* driver.c - mmfs-bench, the C driver of scripts/bench: runs one workload in a directory and prints its rate. */
/* For sched_getcpu and the CPU_SET macros; the build defines it too, but scripts/bench may compile this file
 * alone (a source tree with no Makefile, as in a distcheck's read-only copy). */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE 1
#endif
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MIB (1024L * 1024L)
#define LINE 32          /* bytes per appended line */
#define NPROC 8          /* writers in append-par */
#define PAGE 4096L       /* random read size */
#define STAT_IDLE_S 2    /* seconds the stat workload leaves its segments alone first */

static const char *workload = "?";
static double deadline_s = 0;   /* 0: no time cap */
static long file_mib = 0;        /* size of the file the read workloads use; 0: the workload's default */
static bool capped;              /* the time cap stopped the last timed loop early */
static volatile uint64_t sink;   /* keeps the mmap reads from being optimised away */

static void die(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

/* Prints "mmfs-bench: WORKLOAD: message[: strerror(errno)]" and exits 1. */
static void die(const char *fmt, ...)
{
	int saved = errno;
	va_list ap;

	fprintf(stderr, "mmfs-bench: %s: ", workload);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	if (saved != 0)
		fprintf(stderr, ": %s", strerror(saved));
	fputc('\n', stderr);
	exit(1);
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* True once the time cap has passed since start (and then records that the result is partial). */
static bool over(double start)
{
	if (deadline_s > 0 && now() - start > deadline_s) {
		capped = true;
		return true;
	}
	return false;
}

/* Prints one result line: the rate, and "capped" if the time cap cut the loop short. */
static void result(double amount, double seconds)
{
	if (seconds <= 0)
		seconds = 1e-9;
	printf("%.1f%s\n", amount / seconds, capped ? " capped" : "");
	capped = false;
}

static void *xaligned(size_t size, int fill)
{
	void *p = NULL;

	errno = posix_memalign(&p, (size_t)PAGE, size);
	if (errno != 0)
		die("posix_memalign");
	memset(p, fill, size);
	return p;
}

static void xwrite_all(int fd, const char *buf, size_t len)
{
	while (len > 0) {
		ssize_t n = write(fd, buf, len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			die("write");
		}
		if (n == 0) {
			errno = EIO;
			die("write returned 0");
		}
		buf += n;
		len -= (size_t)n;
	}
}

static off_t size_of(int dirfd, const char *name)
{
	struct stat st;

	if (fstatat(dirfd, name, &st, 0) < 0)
		return -1;
	return st.st_size;
}

static void unlink_if_there(int dirfd, const char *name)
{
	if (unlinkat(dirfd, name, 0) < 0 && errno != ENOENT)
		die("unlink %s", name);
	errno = 0;
}

/* Drops the page cache of one file as far as the kernel lets us: the FUSE inode's cache through the
 * mount (its clean, unmapped pages go; the next read asks the daemon). On tmpfs this is a no-op: the
 * cache is the storage. */
static void drop_cache(int fd)
{
	if (fsync(fd) < 0 && errno != EINVAL && errno != ENOSYS)
		die("fsync");
	errno = posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);
	if (errno != 0)
		die("posix_fadvise(DONTNEED)");
}

/* Touches `bytes` of fresh anonymous memory and gives it back, just before a timed loop that fills the page
 * cache. On a virtual machine with free page reporting (here: page_reporting_order=11, every 2 s) memory
 * freed a few seconds ago has been handed back to the hypervisor, and its next first touch costs a host
 * fault per page: measured 5x slower copies, landing on whichever target happened to allocate first. The
 * pages freed here are at the head of the free lists, so the loop that follows allocates warm memory, the
 * same for every target. */
static void warm_memory(size_t bytes)
{
	void *p = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	if (p != MAP_FAILED)
		munmap(p, bytes);
}

/* Makes NAME a file of exactly `bytes` bytes of data (written with write(), not a hole) unless it is one. */
static void ensure_file(int dirfd, const char *name, off_t bytes)
{
	if (size_of(dirfd, name) == bytes)
		return;
	errno = 0;
	int fd = openat(dirfd, name, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd < 0)
		die("create %s", name);
	char *buf = xaligned((size_t)MIB, 'd');
	for (off_t done = 0; done < bytes; done += MIB)
		xwrite_all(fd, buf, (size_t)(bytes - done < MIB ? bytes - done : MIB));
	free(buf);
	if (close(fd) < 0)
		die("close %s", name);
}

/* Reads the whole of fd sequentially in 1 MiB blocks; returns the bytes read (stops at the cap if timed). */
static off_t read_through(int fd, char *buf, double start)
{
	off_t total = 0;

	for (;;) {
		ssize_t n = read(fd, buf, (size_t)MIB);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			die("read");
		}
		if (n == 0)
			break;
		total += n;
		if (start > 0 && over(start))
			break;
	}
	return total;
}

/* Brings a file's pages into the page cache the way a file in use has them: read twice, so the kernel has
 * moved them to its active list. After a single read each page is only marked referenced, and the timed loop
 * would pay for promoting it on its first hit (measured: 540k against 765k random reads/s on the same pages),
 * a cost the tmpfs target, whose pages earlier workloads read many times, never shows. */
static void fill_cache(int fd, char *buf, size_t bytes)
{
	/* Where the cache lands matters to the timed loop too (host-backed pages, TLB reach). */
	warm_memory(bytes);
	for (int pass = 0; pass < 2; pass++) {
		if (lseek(fd, 0, SEEK_SET) < 0)
			die("lseek");
		read_through(fd, buf, 0);
	}
}

/* seq-write: writes a fresh file of N MiB in 1 MiB blocks; MiB/s from open to close. */
static void w_seq_write(int dirfd, long mib)
{
	char *buf = xaligned((size_t)MIB, 'w');
	long i;

	unlink_if_there(dirfd, "seq.dat");
	/* FUSE targets hold each byte twice: their backing file and the kernel's page cache of it. */
	warm_memory((size_t)mib * MIB * 2);
	double t0 = now();
	int fd = openat(dirfd, "seq.dat", O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd < 0)
		die("create seq.dat");
	for (i = 0; i < mib; i++) {
		xwrite_all(fd, buf, (size_t)MIB);
		if (over(t0)) {
			i++;
			break;
		}
	}
	if (close(fd) < 0)
		die("close");
	result((double)i, now() - t0);
	free(buf);
}

/* Makes seq.dat N MiB and leaves its pages as the timed read wants them. Cold: its cache dropped, and
 * warm memory ready for the cache the loop will fill. Cached: read twice through another open. */
static void prepare_seq_file(int dirfd, long mib, bool cold, char *buf)
{
	ensure_file(dirfd, "seq.dat", (off_t)mib * MIB);
	int fd = openat(dirfd, "seq.dat", O_RDONLY);
	if (fd < 0)
		die("open seq.dat");
	if (cold)
		drop_cache(fd);
	else
		fill_cache(fd, buf, (size_t)mib * MIB);
	close(fd);
	if (cold)
		warm_memory((size_t)mib * MIB);
}

/* seq-read-cold / seq-read-cached: reads the N MiB file, prepared by prepare_seq_file. MiB/s from open to
 * close. */
static void w_seq_read(int dirfd, long mib, bool cold)
{
	char *buf = xaligned((size_t)MIB, 0);
	int fd;

	prepare_seq_file(dirfd, mib, cold, buf);
	double t0 = now();
	fd = openat(dirfd, "seq.dat", O_RDONLY);
	if (fd < 0)
		die("open seq.dat");
	off_t got = read_through(fd, buf, t0);
	close(fd);
	result((double)got / (double)MIB, now() - t0);
	free(buf);
}

static uint64_t rng_state = 0x9E3779B97F4A7C15ULL;

static uint64_t rng(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545F4914F6CDD1DULL;
}

/* rand-read-cold / rand-read-cached: N preads of 4 KiB at random 4 KiB-aligned offsets of the seq.dat file
 * (-s MiB big), prepared by prepare_seq_file. ops/s. */
static void w_rand_read(int dirfd, long n, bool cold)
{
	long mib = file_mib > 0 ? file_mib : 1024;
	off_t pages = (off_t)mib * MIB / PAGE;
	char *buf = xaligned((size_t)MIB, 0);
	int fd;
	long i;

	prepare_seq_file(dirfd, mib, cold, buf);
	double t0 = now();
	fd = openat(dirfd, "seq.dat", O_RDONLY);
	if (fd < 0)
		die("open seq.dat");
	for (i = 0; i < n; i++) {
		off_t off = (off_t)(rng() % (uint64_t)pages) * PAGE;
		if (pread(fd, buf, (size_t)PAGE, off) != PAGE)
			die("pread at %jd", (intmax_t)off);
		if ((i & 15) == 15 && over(t0)) {
			i++;
			break;
		}
	}
	close(fd);
	result((double)i, now() - t0);
	free(buf);
}

/* Fills one 32-byte line "<who> <seq> ....\n"; no newline but the last byte. */
static void make_line(char line[LINE], int who, long seq)
{
	char tmp[LINE + 1];
	int len = snprintf(tmp, sizeof tmp, "w%d %ld ", who, seq);

	if (len < 0 || len > LINE - 1)
		len = 0;
	memset(line, '.', LINE);
	memcpy(line, tmp, (size_t)len);
	line[LINE - 1] = '\n';
}

/* Checks that NAME holds exactly `lines` whole 32-byte lines: no write lost, none torn or interleaved. */
static void check_lines(int dirfd, const char *name, long lines)
{
	off_t size = size_of(dirfd, name);

	if (size != (off_t)lines * LINE) {
		errno = 0;
		die("%s holds %jd bytes, expected %ld lines of %d", name, (intmax_t)size, lines, LINE);
	}
	int fd = openat(dirfd, name, O_RDONLY);
	if (fd < 0)
		die("open %s", name);
	char *buf = xaligned((size_t)MIB, 0);
	off_t pos = 0;
	for (;;) {
		ssize_t n = read(fd, buf, (size_t)MIB);
		if (n < 0)
			die("read %s", name);
		if (n == 0)
			break;
		for (ssize_t k = 0; k < n; k++, pos++) {
			bool end = (pos % LINE) == LINE - 1;
			if ((buf[k] == '\n') != end || (pos % LINE == 0 && buf[k] != 'w')) {
				errno = 0;
				die("%s: torn or interleaved line at byte %jd", name, (intmax_t)pos);
			}
		}
	}
	free(buf);
	close(fd);
}

/* N writes of one 32-byte line on a single O_APPEND descriptor opened with access; ops/s from open to close. */
static void append_lines(int dirfd, long n, int access)
{
	char line[LINE];
	long i;

	unlink_if_there(dirfd, "append.dat");
	double t0 = now();
	int fd = openat(dirfd, "append.dat", access | O_CREAT | O_APPEND, 0644);
	if (fd < 0)
		die("create append.dat");
	for (i = 0; i < n; i++) {
		make_line(line, 0, i);
		xwrite_all(fd, line, LINE);
		if ((i & 15) == 15 && over(t0)) {
			i++;
			break;
		}
	}
	if (close(fd) < 0)
		die("close");
	result((double)i, now() - t0);
	check_lines(dirfd, "append.dat", i);
	unlink_if_there(dirfd, "append.dat");
}

/* append: write-only, as `>>` opens; append-rw: read-write, as a program that also reads or maps it does
 * (through the page cache on FUSE, where a write-only descriptor may go direct). */
static void w_append(int dirfd, long n)
{
	append_lines(dirfd, n, O_WRONLY);
}

static void w_append_rw(int dirfd, long n)
{
	append_lines(dirfd, n, O_RDWR);
}

/* open-append-close: N times open(O_APPEND), write one line, close: the `echo >> seg` pattern. ops/s. */
static void w_open_append_close(int dirfd, long n)
{
	char line[LINE];
	long i;

	unlink_if_there(dirfd, "oac.dat");
	double t0 = now();
	for (i = 0; i < n; i++) {
		int fd = openat(dirfd, "oac.dat", O_WRONLY | O_CREAT | O_APPEND, 0644);
		if (fd < 0)
			die("open oac.dat");
		make_line(line, 0, i);
		xwrite_all(fd, line, LINE);
		if (close(fd) < 0)
			die("close");
		if ((i & 15) == 15 && over(t0)) {
			i++;
			break;
		}
	}
	result((double)i, now() - t0);
	check_lines(dirfd, "oac.dat", i);
	unlink_if_there(dirfd, "oac.dat");
}

static int open_dir(int dirfd, const char *name)
{
	if (mkdirat(dirfd, name, 0755) < 0 && errno != EEXIST)
		die("mkdir %s", name);
	errno = 0;
	int fd = openat(dirfd, name, O_RDONLY | O_DIRECTORY);
	if (fd < 0)
		die("open %s", name);
	return fd;
}

static void seg_name(char name[32], long i)
{
	snprintf(name, 32, "s%07ld", i);
}

/* Creates segments s0000000.. up to n that are missing (untimed set-up for stat and unlink). */
static void ensure_segments(int dfd, long n)
{
	char name[32];

	for (long i = 0; i < n; i++) {
		seg_name(name, i);
		int fd = openat(dfd, name, O_WRONLY | O_CREAT, 0644);
		if (fd < 0)
			die("create %s", name);
		close(fd);
	}
}

/* create: N empty segments in the subdirectory segs/ (open O_CREAT|O_EXCL, close); ops/s. */
static void w_create(int dirfd, long n)
{
	char name[32];
	long i;
	int dfd = open_dir(dirfd, "segs");

	/* Left-overs of an earlier run would make O_EXCL fail: remove them untimed. */
	for (i = 0; i < n; i++) {
		seg_name(name, i);
		unlink_if_there(dfd, name);
	}
	double t0 = now();
	for (i = 0; i < n; i++) {
		seg_name(name, i);
		int fd = openat(dfd, name, O_WRONLY | O_CREAT | O_EXCL, 0644);
		if (fd < 0)
			die("create %s", name);
		if (close(fd) < 0)
			die("close");
		if ((i & 15) == 15 && over(t0)) {
			i++;
			break;
		}
	}
	result((double)i, now() - t0);
	if (i < n) /* capped: leave the full set for stat and unlink */
		ensure_segments(dfd, n);
	close(dfd);
}

/* stat / stat-hot: stat() of N existing segments in segs/, by name, after leaving them alone or at once; ops/s. */
static void stat_segments(int dirfd, long n, bool hot)
{
	char name[32];
	struct stat st;
	long i;
	int dfd = open_dir(dirfd, "segs");

	ensure_segments(dfd, n);
	/* A program that checks on segments now and then finds them where nobody has looked for a while: the
	 * mirrors' entry and attribute timeouts (1 s in their default configurations) have run out, and each of
	 * their stats asks the daemon again; mmfs's (a day) have not. The hot variant measures right after the
	 * opens above, where the kernel's caches answer for every target alike. */
	if (!hot)
		sleep(STAT_IDLE_S);
	double t0 = now();
	for (i = 0; i < n; i++) {
		seg_name(name, i);
		if (fstatat(dfd, name, &st, 0) < 0)
			die("stat %s", name);
		if ((i & 15) == 15 && over(t0)) {
			i++;
			break;
		}
	}
	result((double)i, now() - t0);
	close(dfd);
}

/* unlink: unlink() of N existing segments in segs/, then rmdir segs; ops/s (of the unlinks). */
static void w_unlink(int dirfd, long n)
{
	char name[32];
	long i;
	int dfd = open_dir(dirfd, "segs");

	ensure_segments(dfd, n);
	double t0 = now();
	for (i = 0; i < n; i++) {
		seg_name(name, i);
		if (unlinkat(dfd, name, 0) < 0)
			die("unlink %s", name);
		if ((i & 15) == 15 && over(t0)) {
			i++;
			break;
		}
	}
	result((double)i, now() - t0);
	for (; i < n; i++) {
		seg_name(name, i);
		unlink_if_there(dfd, name);
	}
	close(dfd);
	if (unlinkat(dirfd, "segs", AT_REMOVEDIR) < 0)
		die("rmdir segs");
}

/* Stores `fill` into every byte of p[0..len) 1 MiB at a time; returns how far it got before the cap. */
static size_t store_pass(char *p, size_t len, int fill, double t0)
{
	size_t off = 0;

	while (off < len) {
		size_t chunk = len - off < (size_t)MIB ? len - off : (size_t)MIB;
		memset(p + off, fill, chunk);
		off += chunk;
		if (over(t0))
			break;
	}
	return off;
}

/* Reads every 8-byte word of p[0..len) 1 MiB at a time; returns how far it got before the cap. */
static size_t read_pass(const char *p, size_t len, double t0)
{
	size_t off = 0;
	uint64_t sum = 0;

	while (off < len) {
		size_t chunk = len - off < (size_t)MIB ? len - off : (size_t)MIB;
		const uint64_t *w = (const uint64_t *)(const void *)(p + off);
		for (size_t k = 0; k < chunk / sizeof *w; k++)
			sum += w[k];
		off += chunk;
		if (over(t0))
			break;
	}
	sink += sum;
	return off;
}

/* mmap-store: maps a fresh N MiB segment MAP_SHARED and stores into every byte, three times. Prints three
 * lines: MiB/s of the first pass (first touch: page faults), of a second pass right after (pages dirty) and
 * of a third after msync (pages clean: each faults again). */
static void w_mmap_store(int dirfd, long mib)
{
	size_t len = (size_t)mib * (size_t)MIB;

	unlink_if_there(dirfd, "map.dat");
	int fd = openat(dirfd, "map.dat", O_RDWR | O_CREAT | O_TRUNC, 0644);
	if (fd < 0)
		die("create map.dat");
	if (ftruncate(fd, (off_t)len) < 0)
		die("ftruncate map.dat");
	char *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED)
		die("mmap map.dat");

	warm_memory(len * 2);
	double t0 = now();
	size_t done = store_pass(p, len, 'a', t0);
	result((double)done / (double)MIB, now() - t0);
	/* Second pass at once: the pages are still dirty, as they are for a writer that keeps storing. */
	t0 = now();
	size_t done2 = store_pass(p, done, 'b', t0);
	result((double)done2 / (double)MIB, now() - t0);
	/* Write back and clean the pages, as the kernel's periodic writeback does within half a minute: a later
	 * store to a clean shared page faults again (page_mkwrite), where a FUSE mount's dirty limit applies. */
	if (msync(p, done2, MS_SYNC) < 0)
		die("msync");
	t0 = now();
	size_t done3 = store_pass(p, done2, 'c', t0);
	result((double)done3 / (double)MIB, now() - t0);

	if (munmap(p, len) < 0)
		die("munmap");
	close(fd);
	unlink_if_there(dirfd, "map.dat");
}

/* mmap-read: maps an N MiB segment of written data, its cache dropped, MAP_SHARED read-only and reads every
 * word, twice. Prints two lines: MiB/s of the first pass (faults, data from the filesystem) and the second. */
static void w_mmap_read(int dirfd, long mib)
{
	size_t len = (size_t)mib * (size_t)MIB;

	ensure_file(dirfd, "mapr.dat", (off_t)len);
	int fd = openat(dirfd, "mapr.dat", O_RDONLY);
	if (fd < 0)
		die("open mapr.dat");
	drop_cache(fd);
	char *p = mmap(NULL, len, PROT_READ, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED)
		die("mmap mapr.dat");

	warm_memory(len);
	double t0 = now();
	size_t done = read_pass(p, len, t0);
	result((double)done / (double)MIB, now() - t0);
	t0 = now();
	size_t done2 = read_pass(p, done, t0);
	result((double)done2 / (double)MIB, now() - t0);

	if (munmap(p, len) < 0)
		die("munmap");
	close(fd);
	unlink_if_there(dirfd, "mapr.dat");
}

/* append-par: 8 processes each open the same file O_APPEND and append N/8 lines at once, started together;
 * ops/s of all of them from the start signal to the last exit. Then checks no line was lost or torn. */
static void w_append_par(int dirfd, long n)
{
	long per = n / NPROC;
	int gate[2];
	pid_t pids[NPROC];
	long *counts = mmap(NULL, sizeof(long) * NPROC, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);

	if (counts == MAP_FAILED)
		die("mmap counts");
	unlink_if_there(dirfd, "par.dat");
	int cfd = openat(dirfd, "par.dat", O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (cfd < 0)
		die("create par.dat");
	close(cfd);
	if (pipe(gate) < 0)
		die("pipe");
	fflush(NULL);
	for (int w = 0; w < NPROC; w++) {
		pids[w] = fork();
		if (pids[w] < 0)
			die("fork");
		if (pids[w] == 0) {
			char line[LINE], c;
			long i;
			int fd = openat(dirfd, "par.dat", O_WRONLY | O_APPEND);
			if (fd < 0)
				die("open par.dat");
			close(gate[1]);
			if (read(gate[0], &c, 1) < 0) /* blocks until the parent closes its end */
				die("read gate");
			double t0 = now();
			for (i = 0; i < per; i++) {
				make_line(line, w, i);
				xwrite_all(fd, line, LINE);
				if ((i & 15) == 15 && over(t0)) {
					i++;
					break;
				}
			}
			counts[w] = i;
			close(fd);
			_exit(capped ? 3 : 0);
		}
	}
	close(gate[0]);
	usleep(100000); /* let every child open and block */
	double t0 = now();
	close(gate[1]);
	long total = 0;
	bool failed = false;
	for (int w = 0; w < NPROC; w++) {
		int status;
		if (waitpid(pids[w], &status, 0) < 0)
			die("waitpid");
		if (WIFEXITED(status) && WEXITSTATUS(status) == 3)
			capped = true;
		else if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
			failed = true;
		total += counts[w];
	}
	double t = now() - t0;
	if (failed) {
		errno = 0;
		die("a writer failed");
	}
	result((double)total, t);
	check_lines(dirfd, "par.dat", total);
	unlink_if_there(dirfd, "par.dat");
	munmap(counts, sizeof(long) * NPROC);
}

/* One process sends a byte through a pipe, another sends it back: the round trips/s a round trip of two
 * processes costs, with no file system in between. A FUSE request that the daemon sleeps for is the same pair
 * of wake-ups, so this is the ceiling of a one-request-per-operation workload on this machine. Returns the
 * rate over the part done; the child echoes until the parent closes its pipe. */
static double pipe_round_trips(long n, bool *was_capped)
{
	int there[2], back[2];
	char c = 'x';
	long i;

	if (pipe(there) < 0 || pipe(back) < 0)
		die("pipe");
	fflush(NULL);
	pid_t pid = fork();
	if (pid < 0)
		die("fork");
	if (pid == 0) {
		close(there[1]);
		close(back[0]);
		while (read(there[0], &c, 1) == 1)
			if (write(back[1], &c, 1) != 1)
				_exit(1);
		_exit(0);
	}
	close(there[0]);
	close(back[1]);
	double t0 = 0;
	for (i = -1000; i < n; i++) { /* the first 1000 let both processes settle where the scheduler wants them */
		if (i == 0)
			t0 = now();
		if (write(there[1], &c, 1) != 1 || read(back[0], &c, 1) != 1)
			die("round trip through the pipes");
		if (i > 0 && (i & 255) == 0 && over(t0)) {
			i++;
			break;
		}
	}
	double t = now() - t0;
	close(there[1]);
	close(back[0]);
	int status;
	if (waitpid(pid, &status, 0) < 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		errno = 0;
		die("the echoing process failed");
	}
	*was_capped = capped;
	capped = false;
	return (double)i / (t > 0 ? t : 1e-9);
}

/* round-trip: pipe round trips between two processes placed by the scheduler (it puts them on different
 * processors when one is idle), then with both held on the processor this one runs on. DIR is not used. */
static void w_round_trip(int dirfd, long n)
{
	(void)dirfd;
	bool was_capped;
	double spread = pipe_round_trips(n, &was_capped);
	printf("%.1f%s\n", spread, was_capped ? " capped" : "");
	cpu_set_t one;
	CPU_ZERO(&one);
	CPU_SET(sched_getcpu(), &one);
	if (sched_setaffinity(0, sizeof one, &one) < 0)
		die("sched_setaffinity");
	double packed = pipe_round_trips(n, &was_capped);
	printf("%.1f%s\n", packed, was_capped ? " capped" : "");
}

/* clean: removes every file the workloads leave behind (seq.dat, segs/...). */
static void w_clean(int dirfd, long n)
{
	char name[32];
	static const char *const files[] = { "seq.dat", "append.dat", "oac.dat", "map.dat", "mapr.dat", "par.dat" };

	for (size_t k = 0; k < sizeof files / sizeof files[0]; k++)
		unlink_if_there(dirfd, files[k]);
	int dfd = openat(dirfd, "segs", O_RDONLY | O_DIRECTORY);
	if (dfd >= 0) {
		for (long i = 0; i < n; i++) {
			seg_name(name, i);
			unlink_if_there(dfd, name);
		}
		close(dfd);
		if (unlinkat(dirfd, "segs", AT_REMOVEDIR) < 0 && errno != ENOENT)
			die("rmdir segs (not empty? pass the N it was made with)");
	}
	errno = 0;
}

struct workload {
	const char *name;
	void (*run)(int dirfd, long n);
	long n;           /* default N */
	const char *unit; /* of each printed number */
	const char *what;
};

static void w_stat(int d, long n) { stat_segments(d, n, false); }
static void w_stat_hot(int d, long n) { stat_segments(d, n, true); }
static void seq_read_cold(int d, long n) { w_seq_read(d, n, true); }
static void seq_read_cached(int d, long n) { w_seq_read(d, n, false); }
static void rand_read_cold(int d, long n) { w_rand_read(d, n, true); }
static void rand_read_cached(int d, long n) { w_rand_read(d, n, false); }

static const struct workload workloads[] = {
	{ "seq-write", w_seq_write, 1024, "MiB/s", "write a fresh N MiB file in 1 MiB blocks" },
	{ "seq-read-cold", seq_read_cold, 1024, "MiB/s", "read the N MiB file, its cache dropped (fadvise)" },
	{ "seq-read-cached", seq_read_cached, 1024, "MiB/s", "read the N MiB file again in a new open" },
	{ "rand-read-cold", rand_read_cold, 20000, "ops/s", "N 4 KiB preads at random offsets, cache dropped" },
	{ "rand-read-cached", rand_read_cached, 200000, "ops/s", "N 4 KiB preads, file read before in another open" },
	{ "append", w_append, 100000, "ops/s", "N 32-byte lines on one O_WRONLY|O_APPEND descriptor" },
	{ "append-rw", w_append_rw, 100000, "ops/s", "the same on one O_RDWR|O_APPEND descriptor" },
	{ "open-append-close", w_open_append_close, 20000, "ops/s", "N times open O_APPEND, one line, close" },
	{ "create", w_create, 20000, "ops/s", "create N empty segments in segs/" },
	{ "stat", w_stat, 20000, "ops/s", "stat N existing segments nobody looked at for 2 s" },
	{ "stat-hot", w_stat_hot, 20000, "ops/s", "stat N existing segments right after opening them" },
	{ "unlink", w_unlink, 20000, "ops/s", "unlink N segments" },
	{ "mmap-store", w_mmap_store, 256, "MiB/s", "MAP_SHARED stores into a fresh N MiB segment: 1st, 2nd, after msync" },
	{ "mmap-read", w_mmap_read, 256, "MiB/s", "MAP_SHARED reads of N MiB, cache dropped: 1st, 2nd pass" },
	{ "append-par", w_append_par, 100000, "ops/s", "8 processes append N lines in all to one segment" },
	{ "round-trip", w_round_trip, 100000, "ops/s", "no file system: N pipe round trips of two processes, then on one CPU" },
	{ "clean", w_clean, 20000, "-", "remove what the workloads leave (N: segments to look for)" },
};

static void usage(FILE *out)
{
	fprintf(out, "usage: mmfs-bench [-t SECONDS] [-s MIB] WORKLOAD DIR [N]\n"
		     "Runs WORKLOAD in DIR and prints its rate (mmap-read and round-trip: two lines, mmap-store: three),\n"
		     "followed by \" capped\" if -t stopped it early (the rate is then over the part done).\n"
		     "  -t SECONDS  cap each timed loop (default: none)\n"
		     "  -s MIB      size of the file rand-read-* use (default 1024)\n"
		     "workloads:\n");
	for (size_t k = 0; k < sizeof workloads / sizeof workloads[0]; k++)
		fprintf(out, "  %-18s %-6s N=%-7ld %s\n", workloads[k].name, workloads[k].unit, workloads[k].n,
			workloads[k].what);
}

static long parse_long(const char *s, const char *what)
{
	char *end;

	errno = 0;
	long v = strtol(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0' || v <= 0) {
		errno = 0;
		die("bad %s: %s", what, s);
	}
	return v;
}

int main(int argc, char **argv)
{
	int opt;

	while ((opt = getopt(argc, argv, "ht:s:")) != -1) {
		switch (opt) {
		case 't': {
			char *end;
			deadline_s = strtod(optarg, &end);
			if (end == optarg || *end != '\0' || deadline_s < 0) {
				fprintf(stderr, "mmfs-bench: bad -t: %s\n", optarg);
				return 1;
			}
			break;
		}
		case 's':
			file_mib = parse_long(optarg, "-s");
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 1;
		}
	}
	if (argc - optind < 2 || argc - optind > 3) {
		usage(stderr);
		return 1;
	}
	workload = argv[optind];
	const struct workload *w = NULL;
	for (size_t k = 0; k < sizeof workloads / sizeof workloads[0]; k++)
		if (strcmp(workloads[k].name, workload) == 0)
			w = &workloads[k];
	if (w == NULL) {
		fprintf(stderr, "mmfs-bench: unknown workload: %s\n", workload);
		return 1;
	}
	long n = argc - optind == 3 ? parse_long(argv[optind + 2], "N") : w->n;
	int dirfd = open(argv[optind + 1], O_RDONLY | O_DIRECTORY);
	if (dirfd < 0)
		die("open %s", argv[optind + 1]);
	signal(SIGPIPE, SIG_IGN);
	errno = 0;
	w->run(dirfd, n);
	close(dirfd);
	return 0;
}
