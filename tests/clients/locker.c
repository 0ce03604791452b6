/* locker - takes, tries or queries flock, POSIX and OFD locks on a file, to test locks between processes. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE 1
#endif
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

/* Prints the name of errno (EAGAIN, ...). */
static void print_errno(int err)
{
	const char *name = strerrorname_np(err);

	printf("%s\n", name ? name : "EUNKNOWN");
}

static void whole_file(struct flock *fl, short type)
{
	memset(fl, 0, sizeof(*fl));
	fl->l_type = type;
	fl->l_whence = SEEK_SET;
	fl->l_start = 0;
	fl->l_len = 0;
}

/* Takes an exclusive lock of the given kind; returns 0 or an errno. */
static int lock(int fd, const char *kind, int wait)
{
	struct flock fl;
	int rc;

	if (strcmp(kind, "flock") == 0) {
		rc = flock(fd, LOCK_EX | (wait ? 0 : LOCK_NB));
	} else if (strcmp(kind, "posix") == 0) {
		whole_file(&fl, F_WRLCK);
		rc = fcntl(fd, wait ? F_SETLKW : F_SETLK, &fl);
	} else if (strcmp(kind, "ofd") == 0) {
		whole_file(&fl, F_WRLCK);
		rc = fcntl(fd, wait ? F_OFD_SETLKW : F_OFD_SETLK, &fl);
	} else {
		return EINVAL;
	}
	return rc == 0 ? 0 : errno;
}

static int open_file(const char *path)
{
	int fd = open(path, O_RDWR);

	if (fd < 0) {
		printf("FAIL: open %s: %s\n", path, strerror(errno));
	}
	return fd;
}

/* Two opens in one process: an OFD lock on the first must block OFD and POSIX locks on the second. */
static int self_ofd(const char *path)
{
	struct flock fl;
	int fd1 = open_file(path), fd2 = open_file(path);
	int rc, bad = 0;

	if (fd1 < 0 || fd2 < 0) {
		return 1;
	}
	rc = lock(fd1, "ofd", 0);
	if (rc != 0) {
		printf("FAIL: OFD lock on first open: expected OK, saw %s\n", strerrorname_np(rc));
		return 1;
	}
	rc = lock(fd2, "ofd", 0);
	if (rc != EAGAIN) {
		printf("FAIL: OFD lock on second open of the same process: expected EAGAIN, saw %s\n",
		       rc ? strerrorname_np(rc) : "OK");
		bad = 1;
	}
	rc = lock(fd2, "posix", 0);
	if (rc != EAGAIN) {
		printf("FAIL: POSIX lock against an OFD lock of the same process: expected EAGAIN, saw %s\n",
		       rc ? strerrorname_np(rc) : "OK");
		bad = 1;
	}
	whole_file(&fl, F_UNLCK);
	if (fcntl(fd1, F_OFD_SETLK, &fl) != 0) {
		printf("FAIL: OFD unlock: %s\n", strerror(errno));
		bad = 1;
	}
	rc = lock(fd2, "ofd", 0);
	if (rc != 0) {
		printf("FAIL: OFD lock on second open after unlock: expected OK, saw %s\n", strerrorname_np(rc));
		bad = 1;
	}
	if (!bad) {
		printf("OK\n");
	}
	return bad;
}

int main(int argc, char **argv)
{
	struct flock fl;
	int fd, rc;

	if (argc == 3 && strcmp(argv[1], "self-ofd") == 0) {
		return self_ofd(argv[2]);
	}
	if (argc != 4) {
		fprintf(stderr, "usage: locker hold|try|wait|getlk flock|posix|ofd FILE\n"
				"       locker self-ofd FILE\n"
				"hold: lock, print \"locked\", wait until killed; try: print OK or the errno name;\n"
				"wait: block until locked, print OK; getlk: print \"unlocked\" or \"locked PID\"\n");
		return 2;
	}
	fd = open_file(argv[3]);
	if (fd < 0) {
		return 1;
	}
	if (strcmp(argv[1], "hold") == 0 || strcmp(argv[1], "wait") == 0) {
		int hold = argv[1][0] == 'h';

		rc = lock(fd, argv[2], !hold);
		if (rc != 0) {
			printf("FAIL: %s lock: expected OK, saw %s\n", argv[2], strerrorname_np(rc));
			return 1;
		}
		printf(hold ? "locked\n" : "OK\n");
		fflush(stdout);
		while (hold) {
			pause();
		}
		return 0;
	}
	if (strcmp(argv[1], "try") == 0) {
		rc = lock(fd, argv[2], 0);
		if (rc == 0) {
			printf("OK\n");
		} else {
			print_errno(rc);
		}
		return 0;
	}
	if (strcmp(argv[1], "getlk") == 0) {
		int posix = strcmp(argv[2], "posix") == 0;

		whole_file(&fl, F_WRLCK);
		if (fcntl(fd, posix ? F_GETLK : F_OFD_GETLK, &fl) != 0) {
			print_errno(errno);
			return 0;
		}
		if (fl.l_type == F_UNLCK) {
			printf("unlocked\n");
		} else {
			printf("locked %ld\n", (long)fl.l_pid);
		}
		return 0;
	}
	fprintf(stderr, "locker: unknown command %s\n", argv[1]);
	return 2;
}
