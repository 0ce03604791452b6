/* xio.c - whole-buffer reads, writes and copies that retry on EINTR and short counts. */
#include "xio.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <unistd.h>

#define XIO_CHUNK (256 * 1024)

int xio_write_all(int fd, const void *buf, size_t len, size_t *written)
{
	const char *p = buf;
	size_t done = 0;
	int rc = 0;

	while (done < len) {
		ssize_t n = write(fd, p + done, len - done);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			rc = -errno;
			break;
		}
		done += (size_t)n;
	}
	if (written != NULL)
		*written = done;
	return rc;
}

int xio_pwrite_all(int fd, const void *buf, size_t len, off_t offset)
{
	const char *p = buf;

	while (len > 0) {
		ssize_t n = pwrite(fd, p, len, offset);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		p += n;
		len -= (size_t)n;
		offset += n;
	}
	return 0;
}

int xio_slurp(int fd, size_t limit, char **buf, size_t *len)
{
	/* Never more than one byte past limit: that byte is all it takes to know it is too much. */
	size_t want = limit == SIZE_MAX ? SIZE_MAX : limit + 1;
	char *data = NULL;
	size_t size = 0;
	size_t used = 0;

	for (;;) {
		ssize_t n;

		if (used == size) {
			size_t grown = size == 0 ? XIO_CHUNK : size * 2;
			char *bigger;

			if (grown > want)
				grown = want;
			bigger = realloc(data, grown);
			if (bigger == NULL) {
				free(data);
				return -ENOMEM;
			}
			data = bigger;
			size = grown;
		}
		n = read(fd, data + used, size - used);
		if (n < 0) {
			int err = errno;

			if (err == EINTR)
				continue;
			free(data);
			return -err;
		}
		if (n == 0)
			break;
		used += (size_t)n;
		if (used > limit) {
			free(data);
			return -EFBIG;
		}
	}
	if (used == 0) {
		free(data);
		data = NULL;
	}
	*buf = data;
	*len = used;
	return 0;
}

int xio_copy(int in, int out, const volatile sig_atomic_t *stop, enum xio_side *side)
{
	char *buf = malloc(XIO_CHUNK);
	int rc = 0;

	*side = XIO_NONE;
	if (buf == NULL)
		return -ENOMEM;
	for (;;) {
		ssize_t n;

		if (stop != NULL && *stop != 0) {
			rc = -EINTR;
			break;
		}
		n = read(in, buf, XIO_CHUNK);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			rc = -errno;
			*side = XIO_READ;
			break;
		}
		if (n == 0)
			break;
		rc = xio_write_all(out, buf, (size_t)n, NULL);
		if (rc != 0) {
			*side = XIO_WRITE;
			break;
		}
	}
	free(buf);
	return rc;
}
