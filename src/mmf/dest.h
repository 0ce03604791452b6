/* dest.h - the file mmf save writes: a regular file is replaced whole or not at all, anything else directly. */
#ifndef MMF_DEST_H
#define MMF_DEST_H

#include <limits.h>
#include <signal.h>
#include <stdbool.h>
#include <sys/stat.h>

enum dest_kind {
	DEST_DIRECT,   /* not a regular file (a FIFO, a device, /dev/stdout): written in place */
	DEST_REPLACE,  /* a regular file, or none yet: a temporary file beside it is renamed over it */
};

struct dest {
	enum dest_kind kind;
	int fd;                  /* where the bytes go */
	char target[PATH_MAX];   /* DEST_REPLACE: the file replaced, symbolic links followed */
	char temp[PATH_MAX];     /* DEST_REPLACE: the temporary file, "" once renamed or removed */
	struct stat old;         /* DEST_REPLACE: the lstat of the file replaced, when exists */
	bool exists;             /* DEST_REPLACE: whether there is a file to replace */
};

/*
 * Opens where the bytes for path go. A regular file or a missing one (symbolic links followed to the file
 * they name, as cp does) gets a temporary file in the same directory, with the old file's mode (and owner
 * and group where allowed) or 0666 less the umask; SIGINT, SIGTERM and SIGHUP are then caught so that a
 * copy they interrupt is abandoned (dest_stop) and its temporary file removed. Anything else that is not
 * a directory is opened for writing as it is. Returns 0, or MMF_EXIT_FAIL after reporting (nothing
 * changed, nothing left behind).
 */
int dest_open(const char *path, struct dest *d);

/* Set to the number of a caught signal: the copy should stop, and dest_abort then ends mmf with it. */
extern volatile sig_atomic_t dest_stop;

/*
 * Finishes a complete copy: for DEST_REPLACE, flushes the temporary file to disk (fsync) and renames it
 * over the target, so that the target holds either its old bytes or all the new ones, also after a
 * crash. Returns 0, or MMF_EXIT_FAIL after reporting (the temporary file removed, the target untouched).
 */
int dest_commit(const char *path, struct dest *d);

/* Gives up: closes, removes the temporary file; if a signal stopped the copy, dies of it. */
void dest_abort(struct dest *d);

#endif
