/* seginfo.c - what mmf shows about a segment (stat plus the user.mmf.* attributes) and how. */
#include "seginfo.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <pwd.h>
#include <grp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/xattr.h>
#include <time.h>
#include <unistd.h>

#include "mmf.h"
#include "size.h"

/* getxattr or lgetxattr. */
typedef ssize_t xattr_getter(const char *path, const char *name, void *value, size_t size);

/* Reads a short text attribute into buf with get; "-" when the segment has none or it cannot be read, since
 * one missing column should not hide the rest. */
static void text_xattr(xattr_getter *get, const char *path, const char *name, char *buf, size_t buflen)
{
	ssize_t n = get(path, name, buf, buflen - 1);

	if (n <= 0) {
		snprintf(buf, buflen, "-");
		return;
	}
	buf[n] = '\0';
}

int seginfo_get(struct mmf_ctx *ctx, const char *name, struct seginfo *info)
{
	/* "/proc/self/fd/N": the attributes of what the O_PATH descriptor holds, not of a path looked up
	 * again (which could have changed). */
	char path[sizeof "/proc/self/fd/" + 3 * sizeof(int)];
	/* O_PATH: nothing is opened on the mount (the last close of a transient segment would reclaim it),
	 * and neither read nor write permission is needed, as for stat. */
	int fd = ctx_open(ctx, name, O_PATH, 0);
	int rc = 0;

	if (fd < 0)
		return fd;
	if (fstat(fd, &info->st) != 0)
		rc = -errno;
	else if (S_ISDIR(info->st.st_mode))
		rc = -EISDIR;
	else if (!S_ISREG(info->st.st_mode))
		rc = -EINVAL;
	if (rc == 0) {
		snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
		text_xattr(getxattr, path, SEGINFO_CAPACITY_XATTR, info->capacity, sizeof info->capacity);
		text_xattr(getxattr, path, SEGINFO_LIFETIME_XATTR, info->lifetime, sizeof info->lifetime);
	}
	close(fd);
	return rc;
}

void seginfo_at(int dirfd, const char *name, const struct stat *st, struct seginfo *info)
{
	/* "/proc/self/fd/N/" then one name: always short, however deep the directory is. */
	char path[sizeof "/proc/self/fd//" + 3 * sizeof(int) + NAME_MAX];

	info->st = *st;
	if (snprintf(path, sizeof path, "/proc/self/fd/%d/%s", dirfd, name) >= (int)sizeof path) {
		snprintf(info->capacity, sizeof info->capacity, "-");
		snprintf(info->lifetime, sizeof info->lifetime, "-");
		return;
	}
	/* lgetxattr: the entry was a regular file when st was taken; if a symbolic link has replaced it
	 * since, its own (missing) attributes are shown, not those of what it points to. */
	text_xattr(lgetxattr, path, SEGINFO_CAPACITY_XATTR, info->capacity, sizeof info->capacity);
	text_xattr(lgetxattr, path, SEGINFO_LIFETIME_XATTR, info->lifetime, sizeof info->lifetime);
}

/* Reads a short text attribute of the open segment fd into buf; false when it has none or it cannot be read. */
static bool fd_text_xattr(int fd, const char *name, char *buf, size_t buflen)
{
	ssize_t n = fgetxattr(fd, name, buf, buflen - 1);

	if (n <= 0)
		return false;
	buf[n] = '\0';
	return true;
}

uint64_t seginfo_capacity(int fd)
{
	char buf[32];
	uint64_t value;

	if (!fd_text_xattr(fd, SEGINFO_CAPACITY_XATTR, buf, sizeof buf) || size_parse(buf, 0, &value) != 0)
		return UINT64_MAX;
	return value;
}

bool seginfo_transient(int fd)
{
	char buf[32];

	return fd_text_xattr(fd, SEGINFO_LIFETIME_XATTR, buf, sizeof buf) && strcmp(buf, "transient") == 0;
}

const char *seginfo_owner(uid_t uid, char *buf, size_t buflen)
{
	struct passwd *pw = getpwuid(uid);

	if (pw != NULL)
		snprintf(buf, buflen, "%s", pw->pw_name);
	else
		snprintf(buf, buflen, "%lu", (unsigned long)uid);
	return buf;
}

static const char *group_name(gid_t gid, char *buf, size_t buflen)
{
	struct group *gr = getgrgid(gid);

	if (gr != NULL)
		snprintf(buf, buflen, "%s", gr->gr_name);
	else
		snprintf(buf, buflen, "%lu", (unsigned long)gid);
	return buf;
}

void seginfo_print(FILE *out, const char *name, const struct seginfo *info)
{
	char owner[64];
	char group[64];
	char when[64];
	struct tm tm;

	if (localtime_r(&info->st.st_mtim.tv_sec, &tm) == NULL ||
	    strftime(when, sizeof when, "%Y-%m-%d %H:%M:%S %z", &tm) == 0)
		snprintf(when, sizeof when, "%lld", (long long)info->st.st_mtim.tv_sec);
	fprintf(out,
		"name:     %s\n"
		"length:   %jd\n"
		"capacity: %s\n"
		"lifetime: %s\n"
		"owner:    %s\n"
		"group:    %s\n"
		"mode:     %04o\n"
		"modified: %s\n",
		name, (intmax_t)info->st.st_size, info->capacity, info->lifetime,
		seginfo_owner(info->st.st_uid, owner, sizeof owner),
		group_name(info->st.st_gid, group, sizeof group),
		(unsigned)(info->st.st_mode & 07777), when);
}
