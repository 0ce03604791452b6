/* crash_writer - appends numbered fixed-width lines (one write() each, O_APPEND) to its own segment and to a
 * shared one, in turn, until a write fails (the daemon was killed), logging every acknowledged line. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE 1
#endif
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* The line format of appender.c: "w03 s0001999 " then a pattern of writer and number, then '\n'. */
#define WIDTH 48
#define MAX_SEQ 9999999u

static void make_line(char *buf, unsigned w, unsigned seq)
{
	int n = snprintf(buf, WIDTH + 1, "w%02u s%07u ", w, seq);

	for (int i = n; i < WIDTH - 1; i++) {
		buf[i] = (char)('a' + (w * 7 + seq + (unsigned)i) % 26);
	}
	buf[WIDTH - 1] = '\n';
}

/* One write() of the line; returns 0 or an errno (a short write counts as EIO: it must never happen). */
static int append(int fd, const char *line)
{
	ssize_t n = write(fd, line, WIDTH);

	if (n == WIDTH) {
		return 0;
	}
	return n < 0 ? errno : EIO;
}

int main(int argc, char **argv)
{
	char line[WIDTH + 1];
	unsigned w, ready_after;
	int fds[2];
	FILE *log;

	if (argc != 6) {
		fprintf(stderr, "usage: crash_writer ID OWN SHARED LOG READY_AFTER\n"
				"Appends line after line to OWN then SHARED until a write() fails; logs \"own N\" or\n"
				"\"shared N\" for every write() that returned success and a last line \"stop WHICH ERRNO\";\n"
				"prints \"ready\" on stdout after READY_AFTER lines to each. Exit 0 if the failure was\n"
				"ENOTCONN or ECONNABORTED (the daemon is gone), 1 otherwise.\n");
		return 2;
	}
	w = (unsigned)strtoul(argv[1], NULL, 10);
	ready_after = (unsigned)strtoul(argv[5], NULL, 10);
	if (w > 99) {
		fprintf(stderr, "crash_writer: ID must be 0..99\n");
		return 2;
	}
	log = fopen(argv[4], "w");
	if (log == NULL) {
		perror(argv[4]);
		return 1;
	}
	for (int i = 0; i < 2; i++) {
		fds[i] = open(argv[2 + i], O_WRONLY | O_APPEND);
		if (fds[i] < 0) {
			fprintf(stderr, "crash_writer %u: open %s: %s\n", w, argv[2 + i], strerror(errno));
			return 1;
		}
	}
	for (unsigned seq = 0; seq <= MAX_SEQ; seq++) {
		make_line(line, w, seq);
		for (int i = 0; i < 2; i++) {
			const char *which = i == 0 ? "own" : "shared";
			int err = append(fds[i], line);

			if (err != 0) {
				const char *name = strerrorname_np(err);

				fprintf(log, "stop %s %s\n", which, name ? name : "EUNKNOWN");
				fclose(log);
				return err == ENOTCONN || err == ECONNABORTED ? 0 : 1;
			}
			fprintf(log, "%s %u\n", which, seq);
		}
		if (seq + 1 == ready_after) {
			printf("ready\n");
			fflush(stdout);
		}
	}
	fprintf(log, "stop never: %u lines written and the daemon still runs\n", MAX_SEQ + 1);
	fclose(log);
	return 1;
}
