/* appender - N processes append fixed-width tagged lines with O_APPEND (one write each), then the file is checked. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE 1
#endif
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define WIDTH 48 /* bytes per line, newline included */
#define MAX_WRITERS 64

/* The line of writer w, number seq: "w03 s0001999 " then a pattern that depends on both, then '\n'. */
static void make_line(char *buf, unsigned w, unsigned seq)
{
	int n = snprintf(buf, WIDTH + 1, "w%02u s%07u ", w, seq);

	for (int i = n; i < WIDTH - 1; i++) {
		buf[i] = (char)('a' + (w * 7 + seq + (unsigned)i) % 26);
	}
	buf[WIDTH - 1] = '\n';
}

static int writer(const char *path, unsigned w, unsigned lines, int barrier)
{
	char line[WIDTH + 1];
	char c;
	int fd = open(path, O_WRONLY | O_APPEND);

	if (fd < 0) {
		printf("FAIL: writer %u: open: %s\n", w, strerror(errno));
		return 1;
	}
	/* Wait until every writer is ready: the parent closes the pipe. */
	while (read(barrier, &c, 1) > 0) {
	}
	for (unsigned seq = 0; seq < lines; seq++) {
		make_line(line, w, seq);
		ssize_t n = write(fd, line, WIDTH);
		if (n != WIDTH) {
			printf("FAIL: writer %u line %u: expected write() to return %d, saw %zd (%s)\n", w, seq, WIDTH, n,
			       n < 0 ? strerror(errno) : "short");
			return 1;
		}
	}
	close(fd);
	return 0;
}

static int check(const char *path, unsigned writers, unsigned lines)
{
	unsigned next[MAX_WRITERS] = { 0 };
	char expect[WIDTH + 1];
	struct stat st;
	FILE *f = fopen(path, "rb");
	char *data;
	size_t want = (size_t)writers * lines * WIDTH;
	unsigned bad = 0;

	if (!f || fstat(fileno(f), &st) != 0) {
		printf("FAIL: open %s for checking: %s\n", path, strerror(errno));
		return 1;
	}
	if ((size_t)st.st_size != want) {
		printf("FAIL: file size: expected %zu (%u writers x %u lines x %d bytes), saw %lld\n", want, writers,
		       lines, WIDTH, (long long)st.st_size);
		bad++;
	}
	data = malloc((size_t)st.st_size + 1);
	if (!data || fread(data, 1, (size_t)st.st_size, f) != (size_t)st.st_size) {
		printf("FAIL: reading %s back\n", path);
		return 1;
	}
	fclose(f);
	for (size_t off = 0; off + WIDTH <= (size_t)st.st_size; off += WIDTH) {
		const char *l = data + off;
		unsigned w, seq;

		if (sscanf(l, "w%2u s%7u ", &w, &seq) != 2 || w >= writers) {
			if (bad++ < 5) {
				printf("FAIL: line at offset %zu: expected a tag \"wNN sNNNNNNN \", saw \"%.*s\"\n", off,
				       WIDTH - 1, l);
			}
			continue;
		}
		make_line(expect, w, seq);
		if (memcmp(l, expect, WIDTH) != 0) {
			if (bad++ < 5) {
				printf("FAIL: torn line at offset %zu: expected \"%.*s\", saw \"%.*s\"\n", off, WIDTH - 1,
				       expect, WIDTH - 1, l);
			}
			continue;
		}
		if (seq != next[w]) {
			if (bad++ < 5) {
				printf("FAIL: writer %u order at offset %zu: expected sequence %u, saw %u\n", w, off,
				       next[w], seq);
			}
		}
		next[w] = seq + 1;
	}
	for (unsigned w = 0; w < writers; w++) {
		if (next[w] != lines) {
			printf("FAIL: writer %u: expected its last line to be %u, saw %u\n", w, lines - 1, next[w] - 1);
			bad++;
		}
	}
	free(data);
	if (bad) {
		printf("FAIL: %u problem(s) in %s\n", bad, path);
		return 1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	pid_t pids[MAX_WRITERS];
	int barrier[2], failed = 0;
	unsigned writers, lines;

	if (argc != 4) {
		fprintf(stderr, "usage: appender FILE WRITERS LINES (FILE must exist and be empty)\n");
		return 2;
	}
	writers = (unsigned)strtoul(argv[2], NULL, 10);
	lines = (unsigned)strtoul(argv[3], NULL, 10);
	if (writers == 0 || writers > MAX_WRITERS || lines == 0 || lines > 9999999) {
		fprintf(stderr, "appender: bad WRITERS or LINES\n");
		return 2;
	}
	if (pipe(barrier) != 0) {
		perror("pipe");
		return 1;
	}
	fflush(stdout);
	for (unsigned w = 0; w < writers; w++) {
		pids[w] = fork();
		if (pids[w] < 0) {
			perror("fork");
			return 1;
		}
		if (pids[w] == 0) {
			close(barrier[1]);
			int rc = writer(argv[1], w, lines, barrier[0]);
			fflush(stdout);
			_exit(rc);
		}
	}
	close(barrier[0]);
	close(barrier[1]); /* all writers start now */
	for (unsigned w = 0; w < writers; w++) {
		int status = 0;

		if (waitpid(pids[w], &status, 0) < 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
			printf("FAIL: writer %u: expected exit status 0, saw wait status %d\n", w, status);
			failed = 1;
		}
	}
	if (check(argv[1], writers, lines) != 0 || failed) {
		return 1;
	}
	printf("OK\n");
	return 0;
}
