/* bdi.c - the mount as the kernel sees it: mountinfo lookups, clearing a dead mount, relaxing its dirty limits. */
#include "bdi.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <spawn.h>
#include <sys/mount.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

/* mountinfo escapes space, tab, newline and backslash in paths as octal \ooo. */
static void unescape(char *s)
{
	char *out = s;
	for (char *p = s; *p != '\0'; p++) {
		if (p[0] == '\\' && p[1] >= '0' && p[1] <= '3' && p[2] >= '0' && p[2] <= '7' && p[3] >= '0' &&
		    p[3] <= '7') {
			*out++ = (char)((p[1] - '0') * 64 + (p[2] - '0') * 8 + (p[3] - '0'));
			p += 3;
		} else {
			*out++ = *p;
		}
	}
	*out = '\0';
}

/* Splits line at spaces in place; returns the number of fields (at most max). */
static int split(char *line, char **fields, int max)
{
	int n = 0;
	char *p = line;
	while (*p != '\0' && n < max) {
		while (*p == ' ' || *p == '\n')
			*p++ = '\0';
		if (*p == '\0')
			break;
		fields[n++] = p;
		while (*p != '\0' && *p != ' ' && *p != '\n')
			p++;
	}
	return n;
}

/* Looks for a mount of type fuse.mmfs at mountpoint; copies its MAJ:MIN into dev when dev is not NULL.
 * Returns 0 when found (the last match: the topmost mount), -ENOENT when not. */
static int scan(const char *mountpoint, char *dev, unsigned devlen)
{
	FILE *f = fopen("/proc/self/mountinfo", "re");
	if (f == NULL)
		return -errno;
	char *line = NULL;
	size_t cap = 0;
	int err = -ENOENT;
	while (getline(&line, &cap, f) > 0) {
		/* id parent MAJ:MIN root mountpoint options [optional...] - fstype source superoptions */
		char *fields[32];
		int n = split(line, fields, 32);
		int sep = 6;
		while (sep < n && strcmp(fields[sep], "-") != 0)
			sep++;
		if (sep + 1 >= n || strcmp(fields[sep + 1], "fuse.mmfs") != 0)
			continue;
		unescape(fields[4]);
		if (strcmp(fields[4], mountpoint) != 0)
			continue;
		if (dev != NULL)
			snprintf(dev, devlen, "%s", fields[2]);
		err = 0;
	}
	free(line);
	fclose(f);
	return err;
}

int bdi_find(const char *mountpoint, char *buf, unsigned buflen)
{
	return scan(mountpoint, buf, buflen);
}

int bdi_find_dev(const char *mountpoint, dev_t *dev)
{
	char buf[32];
	unsigned major_nr, minor_nr;
	int err = scan(mountpoint, buf, sizeof(buf));
	if (err != 0)
		return err;
	if (sscanf(buf, "%u:%u", &major_nr, &minor_nr) != 2)
		return -EINVAL;
	*dev = makedev(major_nr, minor_nr);
	return 0;
}

bool bdi_mounted_here(const char *mountpoint)
{
	return scan(mountpoint, NULL, 0) == 0;
}

int bdi_detach(const char *mountpoint)
{
	if (geteuid() == 0) {
		/* UMOUNT_NOFOLLOW: a symlink put in place of the mountpoint must not lead elsewhere. */
		if (umount2(mountpoint, MNT_DETACH | UMOUNT_NOFOLLOW) != 0)
			return -errno;
	} else {
		char *const argv[] = { "fusermount3", "-u", "-z", "--", (char *)mountpoint, NULL };
		pid_t pid;
		int status;
		/* A signal mask survives exec: fusermount3 must not inherit the all-blocked one of our threads. */
		posix_spawnattr_t attr;
		sigset_t none;
		sigemptyset(&none);
		posix_spawnattr_init(&attr);
		posix_spawnattr_setsigmask(&attr, &none);
		posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK);
		int rc = posix_spawnp(&pid, "fusermount3", NULL, &attr, argv, environ);
		posix_spawnattr_destroy(&attr);
		if (rc != 0)
			return -ENOENT;
		if (waitpid(pid, &status, 0) < 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0)
			return -EBUSY;
	}
	return bdi_mounted_here(mountpoint) ? -EBUSY : 0;
}

static int write_knob(const char *devname, const char *knob, const char *value)
{
	char path[128];
	snprintf(path, sizeof(path), "/sys/class/bdi/%s/%s", devname, knob);
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	ssize_t n = write(fd, value, strlen(value));
	int err = n < 0 ? -errno : 0;
	close(fd);
	return err;
}

#define FUSECTL_DIR "/sys/fs/fuse/connections"

int bdi_abort_path(const char *mountpoint, char *path, size_t len)
{
	dev_t dev;
	int err = bdi_find_dev(mountpoint, &dev);
	if (err != 0)
		return err;
	if (major(dev) != 0)
		return -ENODEV;
	snprintf(path, len, "%s/%u/abort", FUSECTL_DIR, minor(dev));
	if (access(path, W_OK) == 0)
		return 0;
	/* systemd mounts fusectl at boot; without systemd (containers, minimal VMs) root mounts it here, as
	 * systemd would, once for every FUSE file system. */
	if (errno != ENOENT || geteuid() != 0 || mount("fusectl", FUSECTL_DIR, "fusectl", 0, NULL) != 0)
		return -ENOENT;
	return access(path, W_OK) == 0 ? 0 : -errno;
}

int bdi_relax(const char *devname)
{
	int err = write_knob(devname, "max_ratio", "100");
	if (err != 0)
		return err;
	err = write_knob(devname, "strict_limit", "0");
	/* Kernels before 6.2 have no strict_limit knob: max_ratio alone is then the whole lever. */
	return err == -ENOENT ? 0 : err;
}
