/* name.c - segment names: paths relative to the mount that must not leave it. */
#include "name.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/openat2.h>
#include <stdint.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "mmf.h"

/* A rename or mount elsewhere during a RESOLVE_BENEATH lookup makes the kernel give up with EAGAIN rather
 * than risk a wrong answer: trying again is what it asks for. */
#define NAME_RETRIES 16

/* Beneath the root, and on its mount: nothing on another file system mounted inside the mount is even
 * opened (ctx_open's check of the device stays as a second guard). No /proc magic link either. */
#define NAME_RESOLVE (RESOLVE_BENEATH | RESOLVE_NO_XDEV | RESOLVE_NO_MAGICLINKS)

bool name_links_refused;
int name_no_openat2;

const char *name_problem(const char *name)
{
	const char *p = name;
	long depth = 0;

	if (*name == '\0')
		return "empty name";
	if (*name == '/')
		return "absolute path refused: names are relative to the mount";
	/* Walk the components lexically: ".." may go back up, but never above the mount's root. Symbolic
	 * links are checked where the name is opened (name_open), which knows where they lead. */
	while (*p != '\0') {
		const char *end = strchr(p, '/');
		size_t len = end != NULL ? (size_t)(end - p) : strlen(p);

		if (len == 2 && p[0] == '.' && p[1] == '.') {
			if (--depth < 0)
				return "'..' would leave the mount";
		} else if (len != 0 && !(len == 1 && p[0] == '.')) {
			depth++;
		}
		p += len;
		while (*p == '/')
			p++;
	}
	return NULL;
}

/* What an O_PATH | O_NOFOLLOW open on the walk reached: -ELOOP for a symbolic link itself (which O_PATH
 * gives where any other open fails with ELOOP), -MMF_EOTHERFS for the root of another file system mounted
 * there (O_PATH opened nothing on it), else 0. */
static int reached(int fd, dev_t dev)
{
	struct stat st;

	if (fstat(fd, &st) != 0)
		return -errno;
	if (S_ISLNK(st.st_mode))
		return -ELOOP;
	return st.st_dev != dev ? -MMF_EOTHERFS : 0;
}

/*
 * Writes name to out with "." and ".." resolved textually: "." and empty components go, and ".." takes
 * back the component before it. The walk that follows then never meets "..", so it never goes up through
 * a directory, which a concurrent rename could have moved out of the mount. Returns 0, -EXDEV when a ".."
 * would climb above the mount's root (as name_problem says), or -ENAMETOOLONG.
 */
static int resolve_dots(const char *name, char *out, size_t outlen)
{
	const char *p = name;
	size_t used = 0;

	for (;;) {
		const char *end;
		size_t len;

		while (*p == '/')
			p++;
		if (*p == '\0')
			break;
		end = strchr(p, '/');
		len = end != NULL ? (size_t)(end - p) : strlen(p);
		if (len == 2 && p[0] == '.' && p[1] == '.') {
			if (used == 0)
				return -EXDEV;
			while (used > 0 && out[used - 1] != '/')
				used--;
			if (used > 0)
				used--; /* the '/' before the component taken back */
		} else if (!(len == 1 && p[0] == '.')) {
			if (used + (used > 0) + len >= outlen)
				return -ENAMETOOLONG;
			if (used > 0)
				out[used++] = '/';
			memcpy(out + used, p, len);
			used += len;
		}
		p += len;
	}
	if (used == 0) {
		if (outlen < 2)
			return -ENAMETOOLONG;
		out[used++] = '.';
	}
	out[used] = '\0';
	return 0;
}

/*
 * name_open without openat2: "." and ".." resolved in the name first (resolve_dots), then one component at
 * a time, none of them followed if it is a symbolic link. With no link followed and no ".." walked, every
 * directory opened is a child of the one before, from the root down, so the walk cannot leave the mount.
 * Each directory on the way is checked to be on the root's device, and so is the last component before it
 * is opened with flags (which would reach the file system's own open), as openat2's RESOLVE_NO_XDEV does.
 */
static int open_nofollow(int root, const char *name, int flags, mode_t mode)
{
	char clean[PATH_MAX];
	struct stat rst;
	int cur = root;
	int rc = resolve_dots(name, clean, sizeof clean);
	const char *p = clean;

	if (rc != 0)
		return rc;
	if (fstat(root, &rst) != 0)
		return -errno;
	for (;;) {
		char comp[NAME_MAX + 1];
		const char *end = strchr(p, '/');
		size_t len = end != NULL ? (size_t)(end - p) : strlen(p);
		const char *rest = end != NULL ? end + 1 : p + len;
		bool last = *rest == '\0';
		int next;

		if (len > NAME_MAX) {
			next = -ENAMETOOLONG;
			goto done;
		}
		memcpy(comp, p, len);
		comp[len] = '\0';
		/* resolve_dots leaves none; refused all the same, so that this walk never goes up on its own. */
		if (strcmp(comp, "..") == 0) {
			next = -EXDEV;
			goto done;
		}
		if (last) {
			struct stat st;

			/* A file system mounted on the last component: stat crosses into it (no flag stops
			 * that), so its device shows before the open reaches its file system. */
			if (fstatat(cur, comp, &st, AT_SYMLINK_NOFOLLOW) == 0 && st.st_dev != rst.st_dev) {
				next = -MMF_EOTHERFS;
				goto done;
			}
			next = openat(cur, comp, flags | O_NOFOLLOW | O_CLOEXEC, mode);
		} else {
			next = openat(cur, comp, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		}
		if (next < 0) {
			struct stat st;

			next = -errno;
			/* O_DIRECTORY on a link says ENOTDIR: say that it was a link. */
			if (next == -ENOTDIR && fstatat(cur, comp, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
			    S_ISLNK(st.st_mode))
				next = -ELOOP;
		} else if (!last || (flags & O_PATH)) {
			int bad = reached(next, rst.st_dev);

			if (bad != 0) {
				close(next);
				next = bad;
			}
		}
		if (next == -ELOOP)
			name_links_refused = true;
done:
		if (cur != root)
			close(cur);
		if (next < 0 || last)
			return next;
		cur = next;
		p = rest;
	}
}

/* openat2, tried again while the kernel asks for it (EAGAIN). Returns the descriptor or a negative errno. */
static int openat2_again(int dir, const char *name, struct open_how *how)
{
	long fd = -1;

	for (int i = 0; i < NAME_RETRIES; i++) {
		fd = syscall(SYS_openat2, dir, name, how, sizeof *how);
		if (fd >= 0)
			return (int)fd;
		if (errno != EAGAIN)
			break;
	}
	return -errno;
}

/*
 * Whether openat2 can be used, found once: the kernel may not have it (ENOSYS, before Linux 5.6), or a
 * seccomp filter may refuse it (EPERM: older Docker profiles, systemd's SystemCallFilter=), as systemd's
 * own lookups allow for. The probe opens the root itself, which every later openat2 would need too, so
 * an EPERM there is the filter's and not a file's: a later EPERM (O_NOATIME, an immutable file) is a real
 * answer and is not taken for a missing openat2. Sets name_no_openat2.
 */
static bool openat2_usable(int root)
{
	static int usable = -1;
	struct open_how how = {
		.flags = O_PATH | O_DIRECTORY | O_CLOEXEC,
		.resolve = NAME_RESOLVE,
	};
	int fd;

	if (usable >= 0)
		return usable;
	fd = openat2_again(root, ".", &how);
	if (fd >= 0) {
		close(fd);
		usable = 1;
	} else if (fd == -ENOSYS || fd == -EPERM) {
		name_no_openat2 = -fd;
		usable = 0;
	} else {
		/* Nothing learnt (the mount died, no descriptors left): name_open's own openat2 will say. */
		return true;
	}
	return usable;
}

int name_open(int root, const char *name, int flags, mode_t mode)
{
	struct open_how how = {
		.flags = (uint64_t)(flags | O_CLOEXEC),
		/* openat2 refuses a mode without O_CREAT, where openat ignores it. */
		.mode = (flags & O_CREAT) ? mode : 0,
		.resolve = NAME_RESOLVE,
	};
	struct open_how look = {
		.flags = O_PATH | O_CLOEXEC | (uint64_t)(flags & O_NOFOLLOW),
		.resolve = NAME_RESOLVE & ~(uint64_t)RESOLVE_NO_XDEV,
	};
	int fd;

	if (!openat2_usable(root))
		return open_nofollow(root, name, flags, mode);
	fd = openat2_again(root, name, &how);
	if (fd != -EXDEV)
		return fd;
	/*
	 * RESOLVE_BENEATH (a link out) and RESOLVE_NO_XDEV (another mount inside) both say EXDEV. Looked up
	 * again without RESOLVE_NO_XDEV, a name that only crossed into another mount gets further: as O_PATH,
	 * which does not open the file itself, only to tell the user which it was, and closed unused.
	 */
	fd = openat2_again(root, name, &look);
	if (fd >= 0)
		close(fd);
	return fd == -EXDEV ? -EXDEV : -MMF_EOTHERFS;
}
