/* name.c - segment names: paths relative to the mount that must not leave it. */
#include "name.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/openat2.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

/* A rename or mount elsewhere during a RESOLVE_BENEATH lookup makes the kernel give up with EAGAIN rather
 * than risk a wrong answer: trying again is what it asks for. */
#define NAME_RETRIES 16

bool name_links_refused;

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

/* Whether an open of a symbolic link with O_PATH | O_NOFOLLOW gave the link itself (which O_PATH allows
 * where any other open fails with ELOOP). */
static bool is_link(int fd)
{
	struct stat st;

	return fstat(fd, &st) == 0 && S_ISLNK(st.st_mode);
}

/*
 * name_open without openat2: one component at a time, none of them followed if it is a symbolic link. With
 * no link followed, the path walked is the one written, and name_problem's lexical check of ".." holds; it
 * is checked again here so that this function is safe on its own.
 */
static int open_nofollow(int root, const char *name, int flags, mode_t mode)
{
	int cur = root;
	long depth = 0;
	const char *p = name;

	while (*p == '/')
		p++;
	for (;;) {
		char comp[NAME_MAX + 1];
		const char *end = strchr(p, '/');
		size_t len = end != NULL ? (size_t)(end - p) : strlen(p);
		const char *rest = p + len;
		bool last;
		int next;

		while (*rest == '/')
			rest++;
		last = *rest == '\0';
		if (len > NAME_MAX) {
			next = -ENAMETOOLONG;
			goto done;
		}
		memcpy(comp, p, len);
		comp[len] = '\0';
		if (len == 0)
			snprintf(comp, sizeof comp, ".");
		if (strcmp(comp, "..") == 0 && --depth < 0) {
			next = -EXDEV;
			goto done;
		}
		if (strcmp(comp, ".") != 0 && strcmp(comp, "..") != 0)
			depth++;
		if (last)
			next = openat(cur, comp, flags | O_NOFOLLOW | O_CLOEXEC, mode);
		else
			next = openat(cur, comp, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (next < 0) {
			struct stat st;

			next = -errno;
			/* O_DIRECTORY on a link says ENOTDIR: say that it was a link. */
			if (next == -ENOTDIR && fstatat(cur, comp, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
			    S_ISLNK(st.st_mode))
				next = -ELOOP;
		} else if ((!last || (flags & O_PATH)) && is_link(next)) {
			close(next);
			next = -ELOOP;
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

int name_open(int root, const char *name, int flags, mode_t mode)
{
	static bool no_openat2;
	struct open_how how = {
		.flags = (uint64_t)(flags | O_CLOEXEC),
		/* openat2 refuses a mode without O_CREAT, where openat ignores it. */
		.mode = (flags & O_CREAT) ? mode : 0,
		.resolve = RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS,
	};

	if (!no_openat2) {
		for (int i = 0; i < NAME_RETRIES; i++) {
			long fd = syscall(SYS_openat2, root, name, &how, sizeof how);

			if (fd >= 0)
				return (int)fd;
			if (errno != EAGAIN)
				break;
		}
		if (errno != ENOSYS)
			return -errno;
		no_openat2 = true;
	}
	return open_nofollow(root, name, flags, mode);
}
