/* backing.c - locating and safely opening the private directory that holds the backing files. */
#include "backing.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int is_plain(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
	       c == '_';
}

int backing_default_path(const char *mountpoint, uid_t uid, char *buf, size_t buflen)
{
	static const char hex[] = "0123456789ABCDEF";
	if (mountpoint[0] != '/')
		return -EINVAL;
	int n = snprintf(buf, buflen, "%s/mmfs-%u-", BACKING_DEFAULT_PARENT, (unsigned)uid);
	if (n < 0 || (size_t)n >= buflen)
		return -ENAMETOOLONG;
	size_t pos = (size_t)n;
	const char *p = mountpoint + 1;
	if (*p == '\0') {
		if (pos + 2 > buflen)
			return -ENAMETOOLONG;
		buf[pos++] = '-'; /* the root directory itself */
	}
	for (; *p != '\0'; p++) {
		unsigned char c = (unsigned char)*p;
		size_t need = c == '/' || is_plain(c) ? 1 : 3;
		if (pos + need + 1 > buflen)
			return -ENAMETOOLONG;
		if (c == '/') {
			buf[pos++] = '-';
		} else if (is_plain(c)) {
			buf[pos++] = (char)c;
		} else {
			buf[pos++] = '%';
			buf[pos++] = hex[c >> 4];
			buf[pos++] = hex[c & 15];
		}
	}
	buf[pos] = '\0';
	return 0;
}

/* path without the trailing "/" and "/." that would make the kernel follow a symlink in the last place
 * before O_NOFOLLOW looks at it ("link/" opens what link points to). "/" stays "/". */
static int without_trailing_dots(const char *path, char *buf, size_t size)
{
	size_t len = strlen(path);
	if (len >= size)
		return -ENAMETOOLONG;
	memcpy(buf, path, len + 1);
	for (;;) {
		if (len > 1 && buf[len - 1] == '/')
			buf[--len] = '\0';
		else if (len > 2 && buf[len - 1] == '.' && buf[len - 2] == '/')
			buf[len -= 2] = '\0';
		else
			break;
	}
	return 0;
}

int backing_open_dir(const char *spelled, const char **why)
{
	const char *unused;
	struct stat st;
	char path[PATH_MAX];
	if (why == NULL)
		why = &unused;
	*why = NULL;
	if (without_trailing_dots(spelled, path, sizeof(path)) != 0) {
		*why = "the backing path is too long";
		return -ENAMETOOLONG;
	}
	if (mkdir(path, 0700) != 0 && errno != EEXIST) {
		int err = errno;
		*why = "cannot create the backing directory";
		return -err;
	}
	int fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0) {
		int err = errno;
		if (err == ELOOP || err == ENOTDIR)
			*why = "the backing path is a symlink or not a directory";
		else
			*why = "cannot open the backing directory";
		return -err;
	}
	if (fstat(fd, &st) != 0) {
		int err = errno;
		close(fd);
		*why = "cannot stat the backing directory";
		return -err;
	}
	if (st.st_uid != geteuid()) {
		close(fd);
		*why = "the backing directory belongs to another user";
		return -EPERM;
	}
	if ((st.st_mode & 077) != 0) {
		close(fd);
		*why = "the backing directory is open to group or others (it must be mode 0700)";
		return -EPERM;
	}
	return fd;
}
