/* mmap_share - two processes map one segment MAP_SHARED and see each other's stores, coherent with read/write. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE 1
#endif
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define SIZE 8192
#define STORE1 "store from process 1"   /* at offset 100, through process 1's mapping */
#define STORE2 "reply from process 2"   /* at offset 200, through process 2's mapping */
#define WRITTEN "written by write()"    /* at offset 300, through write() of process 1 */
#define HIGH "store on the second page" /* at offset 5000, through process 2's mapping */

static const char *who = "process 1";

/* Compares len bytes at p with want; prints expected vs seen on a mismatch. */
static int expect_mem(const char *what, const char *p, const char *want)
{
	size_t len = strlen(want);

	if (memcmp(p, want, len) != 0) {
		printf("FAIL: %s: %s: expected \"%s\", saw \"%.*s\"\n", who, what, want, (int)len, p);
		return 1;
	}
	return 0;
}

static int expect_pread(const char *what, int fd, off_t off, const char *want)
{
	char buf[64] = { 0 };
	size_t len = strlen(want);
	ssize_t n = pread(fd, buf, len, off);

	if (n != (ssize_t)len) {
		printf("FAIL: %s: %s: expected pread() to return %zu, saw %zd (%s)\n", who, what, len, n,
		       n < 0 ? strerror(errno) : "short");
		return 1;
	}
	return expect_mem(what, buf, want);
}

static void send_token(int fd, char c)
{
	if (write(fd, &c, 1) != 1) {
		printf("FAIL: %s: handshake write: %s\n", who, strerror(errno));
	}
}

/* Waits for the peer's token; fails when the peer died instead. */
static int wait_token(int fd, char want)
{
	char c = 0;
	ssize_t n = read(fd, &c, 1);

	if (n != 1 || c != want) {
		printf("FAIL: %s: handshake: expected token '%c', saw %s (the other process failed)\n", who, want,
		       n == 1 ? "another token" : "end of pipe");
		return 1;
	}
	return 0;
}

static char *map_file(int fd)
{
	char *p = mmap(NULL, SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);

	if (p == MAP_FAILED) {
		printf("FAIL: %s: mmap(MAP_SHARED): expected a mapping, saw %s\n", who, strerror(errno));
		return NULL;
	}
	return p;
}

static int child(const char *path, int in, int out)
{
	int fd, bad = 0;
	char *map;

	who = "process 2";
	fd = open(path, O_RDWR);
	if (fd < 0) {
		printf("FAIL: %s: open: %s\n", who, strerror(errno));
		return 1;
	}
	map = map_file(fd);
	if (!map) {
		return 1;
	}
	send_token(out, 'M');
	if (wait_token(in, 'S')) {
		return 1;
	}
	bad |= expect_mem("process 1's store seen in my mapping", map + 100, STORE1);
	memcpy(map + 200, STORE2, strlen(STORE2));
	memcpy(map + 5000, HIGH, strlen(HIGH));
	send_token(out, 'R');
	if (wait_token(in, 'W')) {
		return 1;
	}
	bad |= expect_mem("process 1's write() seen in my mapping", map + 300, WRITTEN);
	munmap(map, SIZE);
	close(fd);
	if (!bad) {
		send_token(out, 'D');
	}
	return bad;
}

int main(int argc, char **argv)
{
	int p2c[2], c2p[2], fd, rfd, bad = 0, status = 0;
	struct stat st;
	char *map;
	pid_t pid;

	if (argc != 2) {
		fprintf(stderr, "usage: mmap_share FILE (created or truncated to %d bytes)\n", SIZE);
		return 2;
	}
	fd = open(argv[1], O_RDWR | O_CREAT | O_TRUNC, 0644);
	if (fd < 0 || ftruncate(fd, SIZE) != 0) {
		printf("FAIL: create %s of %d bytes: %s\n", argv[1], SIZE, strerror(errno));
		return 1;
	}
	map = map_file(fd);
	if (!map) {
		return 1;
	}
	if (pipe(p2c) != 0 || pipe(c2p) != 0) {
		perror("pipe");
		return 1;
	}
	fflush(stdout);
	pid = fork();
	if (pid < 0) {
		perror("fork");
		return 1;
	}
	if (pid == 0) {
		close(p2c[1]);
		close(c2p[0]);
		munmap(map, SIZE);
		close(fd);
		int rc = child(argv[1], p2c[0], c2p[1]);
		fflush(stdout);
		_exit(rc);
	}
	close(p2c[0]);
	close(c2p[1]);
	if (wait_token(c2p[0], 'M')) {
		bad = 1;
		goto out;
	}
	memcpy(map + 100, STORE1, strlen(STORE1));
	send_token(p2c[1], 'S');
	if (wait_token(c2p[0], 'R')) {
		bad = 1;
		goto out;
	}
	bad |= expect_mem("process 2's store seen in my mapping", map + 200, STORE2);
	bad |= expect_mem("process 2's store on page 2 seen in my mapping", map + 5000, HIGH);
	/* read() through a separate open sees stores made through mappings, without msync. */
	rfd = open(argv[1], O_RDONLY);
	if (rfd < 0) {
		printf("FAIL: %s: open for reading: %s\n", who, strerror(errno));
		bad = 1;
		goto out;
	}
	bad |= expect_pread("read() of my mapping's store", rfd, 100, STORE1);
	bad |= expect_pread("read() of process 2's mapping store", rfd, 200, STORE2);
	bad |= expect_pread("read() of process 2's mapping store on page 2", rfd, 5000, HIGH);
	close(rfd);
	/* A write() made afterwards shows in both mappings. */
	if (pwrite(fd, WRITTEN, strlen(WRITTEN), 300) != (ssize_t)strlen(WRITTEN)) {
		printf("FAIL: %s: pwrite: %s\n", who, strerror(errno));
		bad = 1;
	}
	bad |= expect_mem("my write() seen in my mapping", map + 300, WRITTEN);
	send_token(p2c[1], 'W');
	if (wait_token(c2p[0], 'D')) {
		bad = 1;
	}
	if (fstat(fd, &st) != 0 || st.st_size != SIZE) {
		printf("FAIL: %s: size after the stores: expected %d, saw %lld\n", who, SIZE, (long long)st.st_size);
		bad = 1;
	}
out:
	close(p2c[1]);
	if (waitpid(pid, &status, 0) < 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		printf("FAIL: process 2: expected exit status 0, saw wait status %d\n", status);
		bad = 1;
	}
	munmap(map, SIZE);
	close(fd);
	if (!bad) {
		printf("OK\n");
	}
	return bad;
}
