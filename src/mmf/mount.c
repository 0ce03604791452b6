/* mount.c - finding the mmfs mount to use and making sure an mmfs is mounted there. */
#include "mount.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "mmf.h"
#include "report.h"

#define MOUNT_DEFAULT "/mnt/mmf"
#define MOUNT_FSTYPE "fuse.mmfs"
#define MOUNT_FUSE_SUPER_MAGIC 0x65735546

/* Returns field n (0-based, space-separated) of line, cut in place at its end; NULL when missing. */
static char *field(char *line, int n)
{
	char *p = line;

	for (int i = 0; i < n; i++) {
		p = strchr(p, ' ');
		if (p == NULL)
			return NULL;
		p++;
	}
	char *end = strpbrk(p, " \n");
	if (end != NULL)
		*end = '\0';
	return p;
}

/* mountinfo writes space, tab, newline and backslash in paths as \ooo octal escapes. */
static void unescape(char *s)
{
	char *out = s;

	while (*s != '\0') {
		if (s[0] == '\\' && s[1] >= '0' && s[1] <= '3' && s[2] >= '0' && s[2] <= '7' &&
		    s[3] >= '0' && s[3] <= '7') {
			*out++ = (char)((s[1] - '0') * 64 + (s[2] - '0') * 8 + (s[3] - '0'));
			s += 4;
		} else {
			*out++ = *s++;
		}
	}
	*out = '\0';
}

/*
 * Finds the file system type of the topmost mount at dir in /proc/self/mountinfo: later lines stack on
 * earlier ones. Writes it to fstype (empty when nothing is mounted at dir) and its device (maj:min) to
 * *dev. Returns 0 or a negative errno.
 */
static int mounted_type(const char *dir, char *fstype, size_t fstypelen, dev_t *dev)
{
	FILE *f = fopen("/proc/self/mountinfo", "re");
	char *line = NULL;
	size_t cap = 0;

	if (f == NULL)
		return -errno;
	fstype[0] = '\0';
	while (getline(&line, &cap, f) > 0) {
		/* Fields: id parent maj:min root mountpoint options [optional...] - fstype source superopts */
		char *sep = strstr(line, " - ");
		unsigned int maj, min;
		char *type;
		char *point;

		if (sep == NULL)
			continue;
		/* field() cuts the line after the mount point, which leaves maj:min (field 2) whole. */
		type = field(sep + 3, 0);
		point = field(line, 4);
		if (point == NULL || type == NULL || sscanf(line, "%*s %*s %u:%u ", &maj, &min) != 2)
			continue;
		unescape(point);
		if (strcmp(point, dir) == 0) {
			snprintf(fstype, fstypelen, "%s", type);
			*dev = makedev(maj, min);
		}
	}
	free(line);
	fclose(f);
	return 0;
}

/* Whether err says that the daemon of the mount has died: ENOTCONN, or ECONNABORTED for a request that was
 * waiting for its answer when it died (the kernel aborts the connection then), or ECANCELED for one that
 * was in the daemon's io-uring queue. */
static bool disconnected(int err)
{
	return err == ENOTCONN || err == ECONNABORTED || err == ECANCELED;
}

static int not_connected(const char *dir)
{
	return report_fail(dir, "the mount is not connected: its mmfs daemon has gone "
			   "(unmount it with 'fusermount3 -u %s' and mount it again)", dir);
}

/* Opens dir, the canonical path of a mount that mountinfo shows as fuse.mmfs with device want, as an O_PATH
 * descriptor, and checks through that descriptor what it reaches: a live FUSE mount on that very device,
 * and not what another mount or a renamed directory put at dir after realpath and mountinfo looked. Returns
 * the descriptor, -ENOTCONN for a dead daemon, -ENODEV for no FUSE mount or another device, or another
 * negative errno (EACCES, EMFILE: said as they are, the mount may well be there). */
static int open_root(const char *dir, dev_t want)
{
	struct statfs sfs;
	struct stat st;
	int fd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	int err = 0;

	if (fd < 0)
		return -errno;
	/* Opening the root does not reach the daemon, so a dead one shows first here: statfs of the root
	 * fails with ENOTCONN. */
	if (fstatfs(fd, &sfs) != 0)
		err = errno;
	else if ((unsigned long)sfs.f_type != MOUNT_FUSE_SUPER_MAGIC)
		err = ENODEV;
	else if (fstat(fd, &st) != 0)
		err = errno;
	else if (st.st_dev != want)
		err = ENODEV;
	if (err != 0) {
		close(fd);
		return -err;
	}
	return fd;
}

int mount_reopen(const char *dir, dev_t dev)
{
	int fd = open_root(dir, dev);

	/* What says that nothing, or something else, is at dir now: the mount is no longer there. Anything
	 * else (EACCES, EMFILE, ENOMEM) is said as it is, since the mount may well still be there. */
	if (fd == -ENOENT || fd == -ENOTDIR)
		return -ENODEV;
	return fd;
}

int mount_find(const char *opt_dir, char *out, size_t outlen, int *root, dev_t *dev)
{
	const char *dir = opt_dir;
	char real[PATH_MAX];
	char fstype[64];
	int fd = -ENODEV;
	int rc;

	if (dir == NULL) {
		dir = getenv("MMF_MOUNT");
		if (dir == NULL || *dir == '\0')
			dir = MOUNT_DEFAULT;
	}
	if (realpath(dir, real) == NULL) {
		int err = errno;

		if (err == ENOENT)
			return report_fail(dir, "no such directory, so no mmfs is mounted there "
					   "(mount one with 'mmfs %s', or use --mount DIR or MMF_MOUNT)", dir);
		if (disconnected(err))
			return not_connected(dir);
		return report_fail(dir, "%s", strerror(err));
	}
	rc = mounted_type(real, fstype, sizeof fstype, dev);
	if (rc != 0)
		return report_fail("/proc/self/mountinfo", "%s", strerror(-rc));
	if (strcmp(fstype, MOUNT_FSTYPE) == 0) {
		fd = open_root(real, *dev);
		if (disconnected(-fd))
			return not_connected(dir);
		if (fd == -ENODEV)
			return report_fail(dir, "the mount changed while mmf opened it (try again)");
		if (fd < 0)
			return report_fail(dir, "%s", strerror(-fd));
	}
	/* mountinfo names the type and device; statfs and fstat confirm that what this path reaches now is
	 * that FUSE mount. */
	if (fd < 0) {
		if (fstype[0] == '\0')
			return report_fail(dir, "no mmfs mounted here "
					   "(mount one with 'mmfs %s', or use --mount DIR or MMF_MOUNT)", dir);
		return report_fail(dir, "no mmfs mounted here but %s "
				   "(mount mmfs elsewhere and use --mount DIR or MMF_MOUNT)", fstype);
	}
	if (strlen(real) >= outlen) {
		close(fd);
		return report_errno(dir, ENAMETOOLONG);
	}
	memcpy(out, real, strlen(real) + 1);
	*root = fd;
	return 0;
}
