/* verbs_ls.c - mmf ls: every segment under the mount (or one of its directories), sorted, -l for details. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "args.h"
#include "mmf.h"
#include "report.h"
#include "seginfo.h"

/* A segment found: its name relative to the mount, and for -l its details, taken as it was found. */
struct entry {
	char *name;
	struct seginfo info;
};

struct names {
	struct entry *v;
	size_t n;
	size_t cap;
	bool details;      /* -l: fill each entry's info */
	const char *top;   /* names the listed directory in messages when it is the mount itself */
	dev_t dev;         /* the mount's device: another file system mounted inside it is not walked into */
	int status;        /* MMF_EXIT_FAIL once something under it could not be read */
};

/* Returns "a/b" (or b alone when a is empty) in new memory, or NULL. */
static char *join_path(const char *a, const char *b)
{
	size_t la = strlen(a);
	size_t lb = strlen(b);
	char *s = malloc(la + lb + 2);

	if (s == NULL)
		return NULL;
	if (la == 0) {
		memcpy(s, b, lb + 1);
		return s;
	}
	memcpy(s, a, la);
	s[la] = '/';
	memcpy(s + la + 1, b, lb + 1);
	return s;
}

/* Adds the segment base, in the directory open at dirfd, as name (which the list then owns). Returns 0 or
 * -ENOMEM. */
static int add(struct names *l, int dirfd, const char *base, char *name, const struct stat *st)
{
	if (l->n == l->cap) {
		size_t cap = l->cap == 0 ? 64 : l->cap * 2;
		struct entry *v = realloc(l->v, cap * sizeof *v);

		if (v == NULL)
			return -ENOMEM;
		l->v = v;
		l->cap = cap;
	}
	l->v[l->n].name = name;
	if (l->details)
		seginfo_at(dirfd, base, st, &l->v[l->n].info);
	l->n++;
	return 0;
}

/* Reports what could not be read under the listed directory: the listing goes on, but exits 1. */
static void trouble(struct names *l, const char *rel, int err)
{
	l->status = report_errno(rel[0] != '\0' ? rel : l->top, err);
}

/*
 * Collects the regular files under the directory open at fd, named rel/..., and closes fd. Directories are
 * namespaces, walked into; links and other kinds of file are not segments of their own and are left out.
 * The walk goes by directory descriptors (openat, fstatat), as find(1) does, never by whole paths, which
 * past PATH_MAX would fail: a segment is listed however deep it is (each level holds one descriptor). An
 * entry gone since readdir (ENOENT) is not there any more, so not listed; anything else that cannot be
 * read is reported and the rest listed, as ls(1) does. Returns 0 or -ENOMEM.
 */
static int walk(int fd, const char *rel, struct names *l)
{
	DIR *d = fdopendir(fd);
	int rc = 0;

	if (d == NULL) {
		trouble(l, rel, errno);
		close(fd);
		return 0;
	}
	for (;;) {
		struct dirent *e;
		struct stat st;
		char *name;
		int sub;

		errno = 0;
		e = readdir(d);
		if (e == NULL) {
			if (errno != 0)
				trouble(l, rel, errno);
			break;
		}
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		name = join_path(rel, e->d_name);
		if (name == NULL) {
			rc = -ENOMEM;
			break;
		}
		if (fstatat(dirfd(d), e->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0) {
			if (errno != ENOENT)
				trouble(l, name, errno);
			free(name);
			continue;
		}
		if (S_ISREG(st.st_mode)) {
			rc = add(l, dirfd(d), e->d_name, name, &st);
			if (rc != 0) {
				free(name);
				break;
			}
			continue;
		}
		if (S_ISDIR(st.st_mode) && st.st_dev == l->dev) {
			/* O_NOFOLLOW: a symbolic link put there since fstatat is not walked into. */
			sub = openat(dirfd(d), e->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
			if (sub >= 0)
				rc = walk(sub, name, l);
			else if (errno != ENOENT)
				trouble(l, name, errno);
		}
		free(name);
		if (rc != 0)
			break;
	}
	closedir(d);
	return rc;
}

static int by_name(const void *a, const void *b)
{
	return strcmp(((const struct entry *)a)->name, ((const struct entry *)b)->name);
}

/*
 * Writes name into out (when not NULL) with what would break a line escaped: \n, \t, \\ and \ooo for the
 * other control bytes, so that every segment takes one line and two names never print alike. Returns the
 * length of the result.
 */
static size_t escape(const char *name, char *out)
{
	size_t n = 0;

	for (const unsigned char *p = (const unsigned char *)name; *p != '\0'; p++) {
		char buf[5];
		size_t len;

		if (*p == '\\')
			len = (size_t)snprintf(buf, sizeof buf, "\\\\");
		else if (*p == '\n')
			len = (size_t)snprintf(buf, sizeof buf, "\\n");
		else if (*p == '\t')
			len = (size_t)snprintf(buf, sizeof buf, "\\t");
		else if (*p < 0x20 || *p == 0x7f)
			len = (size_t)snprintf(buf, sizeof buf, "\\%03o", (unsigned)*p);
		else
			len = (size_t)snprintf(buf, sizeof buf, "%c", *p);
		if (out != NULL)
			memcpy(out + n, buf, len);
		n += len;
	}
	if (out != NULL)
		out[n] = '\0';
	return n;
}

/* Replaces every name by its escaped form (escape). Returns 0 or -ENOMEM. */
static int escape_all(struct names *l)
{
	for (size_t i = 0; i < l->n; i++) {
		size_t len = escape(l->v[i].name, NULL);
		char *e;

		if (len == strlen(l->v[i].name))
			continue;
		e = malloc(len + 1);
		if (e == NULL)
			return -ENOMEM;
		escape(l->v[i].name, e);
		free(l->v[i].name);
		l->v[i].name = e;
	}
	return 0;
}

static int width_of(uintmax_t v)
{
	int w = 1;

	while (v >= 10) {
		v /= 10;
		w++;
	}
	return w;
}

/* Prints a table: NAME LENGTH CAPACITY LIFETIME OWNER MODE, columns as wide as their widest entry. */
static void print_long(const struct names *l)
{
	int wname = 4, wlen = 6, wcap = 8, wowner = 5;
	char owner[64];

	for (size_t i = 0; i < l->n; i++) {
		const struct seginfo *info = &l->v[i].info;
		int w = (int)strlen(l->v[i].name);

		wname = w > wname ? w : wname;
		w = width_of((uintmax_t)info->st.st_size);
		wlen = w > wlen ? w : wlen;
		w = (int)strlen(info->capacity);
		wcap = w > wcap ? w : wcap;
		w = (int)strlen(seginfo_owner(info->st.st_uid, owner, sizeof owner));
		wowner = w > wowner ? w : wowner;
	}
	printf("%-*s  %*s  %*s  %-10s  %-*s  %s\n", wname, "NAME", wlen, "LENGTH", wcap, "CAPACITY",
	       "LIFETIME", wowner, "OWNER", "MODE");
	for (size_t i = 0; i < l->n; i++) {
		const struct seginfo *info = &l->v[i].info;

		printf("%-*s  %*jd  %*s  %-10s  %-*s  %04o\n", wname, l->v[i].name, wlen, (intmax_t)info->st.st_size,
		       wcap, info->capacity, info->lifetime, wowner,
		       seginfo_owner(info->st.st_uid, owner, sizeof owner),
		       (unsigned)(info->st.st_mode & 07777));
	}
}

/* Opens the directory to list beneath the mount (a symbolic link is followed as it was named, but only
 * inside the mount), so that one that is missing or no directory fails before anything is printed. what
 * names it in messages. Returns its descriptor, or -1 after reporting. */
static int open_top(struct mmf_ctx *ctx, const char *what, const char *name)
{
	int fd = ctx_open(ctx, name, O_RDONLY | O_DIRECTORY, 0);
	struct stat st;
	int is;

	if (fd >= 0)
		return fd;
	if (fd == -ENOENT) {
		report_fail(what, "no such directory");
	} else if (fd == -ENOTDIR && (is = ctx_open(ctx, name, O_PATH, 0)) >= 0) {
		bool reg = fstat(is, &st) == 0 && S_ISREG(st.st_mode);

		close(is);
		report_fail(what, "not a directory%s", reg ? " (a segment: see 'mmf info')" : "");
	} else {
		report_errno(what, -fd);
	}
	return -1;
}

struct ls_opts {
	bool long_format;
	bool null;
};

static int ls_option(int opt, const char *arg, void *data)
{
	struct ls_opts *o = data;

	if (opt == 'l')
		o->long_format = true;
	else
		o->null = true;
	return 0;
}

int verb_ls(struct mmf_ctx *ctx, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "long", no_argument, NULL, 'l' },
		{ "null", no_argument, NULL, '0' },
		{ NULL, 0, NULL, 0 },
	};
	struct ls_opts o = { 0 };
	const struct args_spec spec = {
		.verb = "ls", .shortopts = "l0", .longopts = longopts,
		.command = ARGS_NO_COMMAND, .option = ls_option, .data = &o,
	};
	struct names l = { 0 };
	int top;
	char prefix[PATH_MAX] = "";
	struct args a;
	int rc = ctx_args(ctx, argc, argv, &spec, &a);

	if (rc >= 0)
		goto out;
	if (a.noperands > 1) {
		rc = report_usage("ls", "one DIR at most");
		goto out;
	}
	/* The table's columns are for people; names ended by NUL are for programs, which want them alone. */
	if (o.null && o.long_format) {
		rc = report_usage("ls", "-0 (--null) and -l (--long) do not go together");
		goto out;
	}
	if (a.noperands == 1) {
		size_t len = strlen(a.operands[0]);

		rc = ctx_dir_name(ctx, a.operands[0]);
		if (rc != 0)
			goto out;
		/* Names are shown relative to the mount, ready to be given back to mmf: "DIR/NAME". */
		while (len > 0 && a.operands[0][len - 1] == '/')
			len--;
		if (!(len == 1 && a.operands[0][0] == '.'))
			snprintf(prefix, sizeof prefix, "%.*s", (int)len, a.operands[0]);
	} else {
		rc = ctx_mount(ctx);
		if (rc != 0)
			goto out;
	}
	if (a.noperands == 1)
		top = open_top(ctx, a.operands[0], a.operands[0]);
	else
		top = open_top(ctx, ctx->mount, ".");
	if (top < 0) {
		rc = MMF_EXIT_FAIL;
		goto out;
	}
	l.details = o.long_format;
	l.top = ctx->mount;
	l.dev = ctx->dev;
	rc = walk(top, prefix, &l);
	/* Sorted by the names themselves, as -0 writes them, before any is escaped. */
	if (rc == 0 && l.n > 0)
		qsort(l.v, l.n, sizeof *l.v, by_name);
	if (rc == 0 && !o.null)
		rc = escape_all(&l);
	if (rc != 0) {
		rc = report_errno("ls", -rc);
		goto out;
	}
	if (o.long_format)
		print_long(&l);
	else
		for (size_t i = 0; i < l.n; i++)
			printf("%s%c", l.v[i].name, o.null ? '\0' : '\n');
	rc = l.status;
out:
	for (size_t i = 0; i < l.n; i++)
		free(l.v[i].name);
	free(l.v);
	args_free(&a);
	return rc;
}
