/* refused_write - what a process that maps a segment sees of a write another process makes through an O_RDWR
 * descriptor and the file system refuses (EFBIG, ENOSPC), and what reaches the segment after the mapping
 * stores on that page. Usage: refused_write PATH OFFSET COUNT clean|dirty
 * PATH is LENGTH bytes, all '.'; "dirty" stores an 'A' at 8100 through the mapping before the write.
 * Prints one fact per line for the test to compare; exits 1 on a failure of its own. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE 1
#endif
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAP_LEN (3 * 4096)
#define DIRTY_AT 8100
#define STORE_AT 8200

static void die(const char *what)
{
	perror(what);
	exit(1);
}

static size_t count_byte(const char *p, size_t len, char c)
{
	size_t n = 0;
	for (size_t i = 0; i < len; i++)
		n += p[i] == c;
	return n;
}

/* The errno of a pwrite of count 'R' bytes at off made by another process, or 0 if it succeeded. */
static int refused_pwrite(const char *path, off_t off, size_t count)
{
	pid_t pid = fork();
	if (pid < 0)
		die("fork");
	if (pid == 0) {
		char *buf = malloc(count);
		int fd = open(path, O_RDWR);
		if (buf == NULL || fd < 0)
			_exit(255);
		memset(buf, 'R', count);
		_exit(pwrite(fd, buf, count, off) < 0 ? errno : 0);
	}
	int status;
	if (waitpid(pid, &status, 0) < 0 || !WIFEXITED(status) || WEXITSTATUS(status) == 255)
		die("writer");
	return WEXITSTATUS(status);
}

int main(int argc, char **argv)
{
	if (argc != 5) {
		fprintf(stderr, "usage: refused_write PATH OFFSET COUNT clean|dirty\n");
		return 2;
	}
	const char *path = argv[1];
	off_t off = atol(argv[2]);
	size_t count = (size_t)atol(argv[3]);
	int fd = open(path, O_RDWR);
	struct stat st;
	if (fd < 0 || fstat(fd, &st) < 0)
		die(path);
	size_t length = (size_t)st.st_size;
	if (length > MAP_LEN || (size_t)off >= length)
		die("length or offset out of range");
	char *m = mmap(NULL, MAP_LEN, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (m == MAP_FAILED)
		die("mmap");
	volatile char touch = m[off]; /* the page is cached and mapped */
	(void)touch;
	if (strcmp(argv[4], "dirty") == 0)
		m[DIRTY_AT] = 'A'; /* a store not yet written back, elsewhere on that page */

	int err = refused_pwrite(path, off, count);
	/* The old bytes come back from another thread of the daemon, and the page's part past the end is cleared
	 * only after that, when the daemon drops the pages: give both up to 2 s. */
	size_t last_page_end = (length + 4095) / 4096 * 4096;
	size_t shown = 0;
	size_t past_end = 0;
	for (int i = 0; i < 100; i++) {
		shown = count_byte(m + off, length - (size_t)off, 'R');
		past_end = last_page_end - length - count_byte(m + length, last_page_end - length, '\0');
		if (shown == 0 && past_end == 0)
			break;
		nanosleep(&(struct timespec){ .tv_nsec = 20000000 }, NULL);
	}
	m[STORE_AT] = 'D';
	if (msync(m, MAP_LEN, MS_SYNC) < 0)
		die("msync");
	munmap(m, MAP_LEN);
	close(fd);

	char data[MAP_LEN + 100];
	int r = open(path, O_RDONLY);
	if (r < 0)
		die("reopen");
	posix_fadvise(r, 0, 0, POSIX_FADV_DONTNEED);
	ssize_t n = pread(r, data, sizeof(data), 0);
	if (n < 0)
		die("pread");
	close(r);
	printf("errno %d\n", err);
	printf("mapping shows R %zu\n", shown);
	printf("mapping past the end %zu non-zero\n", past_end);
	printf("segment length %zd R %zu D at %d %c\n", n, count_byte(data, (size_t)n, 'R'), STORE_AT,
	       n > STORE_AT ? data[STORE_AT] : '-');
	printf("A at %d %c\n", DIRTY_AT, n > DIRTY_AT ? data[DIRTY_AT] : '-');
	return 0;
}
