/* xio.h - whole-buffer reads, writes and copies that retry on EINTR and short counts. */
#ifndef MMF_XIO_H
#define MMF_XIO_H

#include <signal.h>
#include <stddef.h>
#include <sys/types.h>

/* Writes all len bytes; returns 0 or a negative errno. *written (when not NULL) says how many bytes went,
 * also on failure. */
int xio_write_all(int fd, const void *buf, size_t len, size_t *written);

/* Writes all len bytes at offset; returns 0 or a negative errno. */
int xio_pwrite_all(int fd, const void *buf, size_t len, off_t offset);

/*
 * Reads fd to its end into a new buffer (*buf, freed by the caller, NULL when empty). Returns 0, or
 * -EFBIG as soon as more than limit bytes come (nothing returned then; at most limit + 1 bytes are read
 * from fd), or another negative errno.
 */
int xio_slurp(int fd, size_t limit, char **buf, size_t *len);

/* Where xio_copy failed. */
enum xio_side { XIO_NONE, XIO_READ, XIO_WRITE };

/* Copies in to its end into out. Returns 0, or a negative errno with *side saying which end failed, or
 * -EINTR (side XIO_NONE) once *stop (when not NULL) is set, checked between chunks. */
int xio_copy(int in, int out, const volatile sig_atomic_t *stop, enum xio_side *side);

#endif
