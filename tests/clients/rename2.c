/* rename2 - calls renameat2(2) with RENAME_NOREPLACE or RENAME_EXCHANGE and prints OK or the errno name. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE 1
#endif
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>

int main(int argc, char **argv)
{
	unsigned flags;

	if (argc != 4) {
		fprintf(stderr, "usage: rename2 none|noreplace|exchange OLD NEW\n");
		return 2;
	}
	if (strcmp(argv[1], "none") == 0) {
		flags = 0;
	} else if (strcmp(argv[1], "noreplace") == 0) {
		flags = RENAME_NOREPLACE;
	} else if (strcmp(argv[1], "exchange") == 0) {
		flags = RENAME_EXCHANGE;
	} else {
		fprintf(stderr, "rename2: unknown flag %s\n", argv[1]);
		return 2;
	}
	if (renameat2(AT_FDCWD, argv[2], AT_FDCWD, argv[3], flags) != 0) {
		const char *name = strerrorname_np(errno);

		printf("%s\n", name ? name : "EUNKNOWN");
		return 0;
	}
	printf("OK\n");
	return 0;
}
