/* dest.c - the file mmf save writes: a regular file is replaced whole or not at all, anything else directly. */
#include "dest.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "mmf.h"
#include "report.h"
#include "seginfo.h"

/* As many symbolic links as the kernel follows in one path (MAXSYMLINKS) before ELOOP. */
#define DEST_MAX_LINKS 40
#define DEST_PROC_SUPER_MAGIC 0x9fa0
/* The temporary file's name: ".NAME.mmf-XXXXXX", with NAME cut so that the whole fits in NAME_MAX. */
#define DEST_TEMP_SUFFIX ".mmf-XXXXXX"
#define DEST_TEMP_BASE_MAX 200

volatile sig_atomic_t dest_stop;

static void on_signal(int sig)
{
	dest_stop = sig;
}

/* Splits path into its directory, made canonical, and its last component. Returns 0 or a negative errno. */
static int split(const char *path, char *dir, char *base, size_t baselen)
{
	char head[PATH_MAX];
	const char *slash = strrchr(path, '/');
	const char *last = slash != NULL ? slash + 1 : path;

	if (slash == NULL)
		snprintf(head, sizeof head, ".");
	else if (slash == path)
		snprintf(head, sizeof head, "/");
	else
		snprintf(head, sizeof head, "%.*s", (int)(slash - path), path);
	if (strlen(last) >= baselen)
		return -ENAMETOOLONG;
	if (realpath(head, dir) == NULL)
		return -errno;
	memcpy(base, last, strlen(last) + 1);
	return 0;
}

/* "dir/", "dir/." and "dir/.." name a directory, whatever is there: opening them says so. */
static bool names_directory(const char *base)
{
	return base[0] == '\0' || strcmp(base, ".") == 0 || strcmp(base, "..") == 0;
}

/* A path in /proc (/dev/stdout leads to /proc/self/fd/1) names an open descriptor, not a file in a
 * directory where a temporary file could be made: write to it as it is. */
static bool in_proc(const char *dir)
{
	struct statfs sfs;

	return statfs(dir, &sfs) == 0 && (unsigned long)sfs.f_type == DEST_PROC_SUPER_MAGIC;
}

/*
 * Follows path through its symbolic links to the file it names and sets d->kind, and d->target for
 * DEST_REPLACE, with *old its lstat and *exists false when there is no such file yet (a dangling link
 * then makes the file it names, as the shell's > does). Returns 0 or a negative errno.
 */
static int resolve(const char *path, struct dest *d, struct stat *old, bool *exists)
{
	char cur[PATH_MAX];
	char dir[PATH_MAX];
	char base[NAME_MAX + 1];
	char link[PATH_MAX];

	if (snprintf(cur, sizeof cur, "%s", path) >= (int)sizeof cur)
		return -ENAMETOOLONG;
	for (int hop = 0; hop < DEST_MAX_LINKS; hop++) {
		ssize_t n;
		int rc = split(cur, dir, base, sizeof base);

		if (rc != 0)
			return rc;
		d->kind = DEST_DIRECT;
		if (names_directory(base) || in_proc(dir))
			return 0;
		if (snprintf(d->target, sizeof d->target, "%s/%s", strcmp(dir, "/") == 0 ? "" : dir, base) >=
		    (int)sizeof d->target)
			return -ENAMETOOLONG;
		*exists = lstat(d->target, old) == 0;
		if (!*exists && errno != ENOENT)
			return -errno;
		if (!*exists || S_ISREG(old->st_mode)) {
			d->kind = DEST_REPLACE;
			return 0;
		}
		if (!S_ISLNK(old->st_mode))
			return 0;
		n = readlink(d->target, link, sizeof link);
		if (n < 0)
			return -errno;
		if ((size_t)n >= sizeof link)
			return -ENAMETOOLONG;
		link[n] = '\0';
		if (snprintf(cur, sizeof cur, "%s%s%s", link[0] == '/' ? "" : dir, link[0] == '/' ? "" : "/",
			     link) >= (int)sizeof cur)
			return -ENAMETOOLONG;
	}
	return -ELOOP;
}

static mode_t current_umask(void)
{
	mode_t mask = umask(0);

	umask(mask);
	return mask;
}

/* Gives the temporary file what the replaced file had, as writing into it would have kept: its mode, and
 * its owner and group where mmf may set them (else its set-id bits, which would change their meaning). */
static int take_over(int fd, const struct stat *old, bool exists)
{
	mode_t mode = exists ? old->st_mode & 07777 : 0666 & ~current_umask();

	if (exists && (old->st_uid != geteuid() || old->st_gid != getegid()) &&
	    fchown(fd, old->st_uid, old->st_gid) != 0) {
		/* Only root may give a file away; a member of its group may still keep the group. */
		if (fchown(fd, (uid_t)-1, old->st_gid) != 0)
			mode &= ~(mode_t)S_ISGID;
		mode &= ~(mode_t)S_ISUID;
	}
	if (fchmod(fd, mode) != 0)
		return -errno;
	return 0;
}

/* Catches the signals that end mmf by default, so that a copy they interrupt can remove its temporary file
 * before mmf dies of them. */
static void catch_signals(void)
{
	static const int sigs[] = { SIGINT, SIGTERM, SIGHUP };
	struct sigaction sa;

	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	for (size_t i = 0; i < sizeof sigs / sizeof sigs[0]; i++)
		sigaction(sigs[i], &sa, NULL);
}

static int open_temp(const char *path, struct dest *d, const struct stat *old, bool exists)
{
	const char *slash = strrchr(d->target, '/');

	if (snprintf(d->temp, sizeof d->temp, "%.*s/.%.*s" DEST_TEMP_SUFFIX, (int)(slash - d->target),
		     d->target, DEST_TEMP_BASE_MAX, slash + 1) >= (int)sizeof d->temp) {
		d->temp[0] = '\0';
		return report_fail(path, "%s", strerror(ENAMETOOLONG));
	}
	catch_signals();
	d->fd = mkostemp(d->temp, O_CLOEXEC);
	if (d->fd < 0) {
		int err = errno;

		d->temp[0] = '\0';
		return report_fail(path, "cannot make a temporary file beside it: %s (nothing changed)",
				   strerror(err));
	}
	/* The old file's mode and owner are given at dest_commit: until then the temporary file stays
	 * mkostemp's 0600, private, and writable by mmf for the lifetime attribute. */
	d->old = *old;
	d->exists = exists;
	return 0;
}

/*
 * Makes the temporary file persistent if it is a transient segment (on an mmfs mount whose default is
 * -o lifetime=transient): it would otherwise be reclaimed at its last close, before the rename, and the
 * copy lost. Done only once the copy is complete, so that a copy killed before then still leaves nothing
 * behind there. Elsewhere the attribute is not there and nothing is set. Returns 0 or a negative errno.
 */
static int keep_persistent(int fd)
{
	static const char persistent[] = "persistent";

	if (!seginfo_transient(fd))
		return 0;
	if (fsetxattr(fd, SEGINFO_LIFETIME_XATTR, persistent, sizeof persistent - 1, 0) != 0)
		return -errno;
	return 0;
}

int dest_open(const char *path, struct dest *d)
{
	struct stat old = { 0 };
	bool exists = false;
	int rc;

	d->fd = -1;
	d->target[0] = '\0';
	d->temp[0] = '\0';
	rc = resolve(path, d, &old, &exists);
	if (rc != 0)
		return report_fail(path, "%s", strerror(-rc));
	if (d->kind == DEST_REPLACE)
		return open_temp(path, d, &old, exists);
	d->fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOCTTY, 0666);
	if (d->fd < 0)
		return report_fail(path, "%s", strerror(errno));
	return 0;
}

int dest_commit(const char *path, struct dest *d)
{
	int err = 0;
	int rc;

	if (d->kind == DEST_REPLACE && dest_stop == 0) {
		rc = keep_persistent(d->fd);
		if (rc != 0) {
			report_fail(path, "cannot make the copy persistent: %s (nothing changed)", strerror(-rc));
			dest_abort(d);
			return MMF_EXIT_FAIL;
		}
		rc = take_over(d->fd, &d->old, d->exists);
		if (rc != 0) {
			report_fail(path, "cannot give the new file the old one's mode: %s (nothing changed)",
				    strerror(-rc));
			dest_abort(d);
			return MMF_EXIT_FAIL;
		}
	}
	/* fsync first: a rename that reached the disk before the bytes could leave an empty file after a
	 * crash, where the old one was. */
	if (d->kind == DEST_REPLACE && fsync(d->fd) != 0)
		err = errno;
	if (close(d->fd) != 0 && err == 0)
		err = errno;
	d->fd = -1;
	if (err == 0 && d->kind == DEST_REPLACE && dest_stop == 0 && rename(d->temp, d->target) != 0)
		err = errno;
	if (err != 0 || dest_stop != 0) {
		if (err != 0)
			report_fail(path, "%s%s", strerror(err), d->kind == DEST_REPLACE ? " (nothing changed)" : "");
		dest_abort(d);
		return MMF_EXIT_FAIL;
	}
	d->temp[0] = '\0';
	return 0;
}

void dest_abort(struct dest *d)
{
	if (d->fd >= 0)
		close(d->fd);
	d->fd = -1;
	if (d->temp[0] != '\0')
		unlink(d->temp);
	d->temp[0] = '\0';
	if (dest_stop != 0) {
		signal(dest_stop, SIG_DFL);
		raise(dest_stop);
	}
}
