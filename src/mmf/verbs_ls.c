/* verbs_ls.c - mmf ls: every segment under the mount (or one of its directories), sorted, -l for details. */
#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "args.h"
#include "mmf.h"
#include "mount.h"
#include "name.h"
#include "report.h"
#include "seginfo.h"

struct names {
	char **v;
	size_t n;
	size_t cap;
	int status;   /* MMF_EXIT_FAIL once a directory could not be read */
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

static int add(struct names *l, char *name)
{
	if (l->n == l->cap) {
		size_t cap = l->cap == 0 ? 64 : l->cap * 2;
		char **v = realloc(l->v, cap * sizeof *v);

		if (v == NULL)
			return -ENOMEM;
		l->v = v;
		l->cap = cap;
	}
	l->v[l->n++] = name;
	return 0;
}

static int walk_dir(DIR *d, const char *dirpath, const char *rel, struct names *l);

/* walk_dir of the directory dirpath; one that cannot be read is reported and left out, as ls(1) does. */
static int walk(const char *dirpath, const char *rel, struct names *l)
{
	DIR *d = opendir(dirpath);

	if (d == NULL) {
		l->status = report_errno(rel[0] != '\0' ? rel : dirpath, errno);
		return 0;
	}
	return walk_dir(d, dirpath, rel, l);
}

/* Collects the regular files under the open directory d at dirpath, named rel/..., and closes d;
 * directories are namespaces, walked into; links and other kinds of file are not segments of their own
 * and are left out. Returns 0 or -ENOMEM. */
static int walk_dir(DIR *d, const char *dirpath, const char *rel, struct names *l)
{
	int rc = 0;

	for (;;) {
		struct dirent *e;
		struct stat st;
		char *full;
		char *name;

		errno = 0;
		e = readdir(d);
		if (e == NULL) {
			if (errno != 0)
				l->status = report_errno(rel[0] != '\0' ? rel : dirpath, errno);
			break;
		}
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		full = join_path(dirpath, e->d_name);
		name = join_path(rel, e->d_name);
		if (full == NULL || name == NULL || lstat(full, &st) != 0) {
			/* Gone since readdir: not there any more, so not listed. */
			bool nomem = full == NULL || name == NULL;

			free(full);
			free(name);
			if (nomem) {
				rc = -ENOMEM;
				break;
			}
			continue;
		}
		if (S_ISDIR(st.st_mode))
			rc = walk(full, name, l);
		free(full);
		if (S_ISREG(st.st_mode) && add(l, name) == 0)
			name = NULL;
		else if (S_ISREG(st.st_mode))
			rc = -ENOMEM;
		free(name);
		if (rc != 0)
			break;
	}
	closedir(d);
	return rc;
}

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
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
static void print_long(const char *mount, const struct names *l)
{
	struct seginfo *info = calloc(l->n + 1, sizeof *info);
	bool *ok = calloc(l->n + 1, sizeof *ok);
	int wname = 4, wlen = 6, wcap = 8, wowner = 5;
	char owner[64];

	if (info == NULL || ok == NULL) {
		free(info);
		free(ok);
		report_errno("ls", ENOMEM);
		return;
	}
	for (size_t i = 0; i < l->n; i++) {
		char path[PATH_MAX];
		int w;

		if (name_path(mount, l->v[i], path, sizeof path) != 0 || seginfo_get(path, &info[i]) != 0)
			continue;
		ok[i] = true;
		w = (int)strlen(l->v[i]);
		wname = w > wname ? w : wname;
		w = width_of((uintmax_t)info[i].st.st_size);
		wlen = w > wlen ? w : wlen;
		w = (int)strlen(info[i].capacity);
		wcap = w > wcap ? w : wcap;
		w = (int)strlen(seginfo_owner(info[i].st.st_uid, owner, sizeof owner));
		wowner = w > wowner ? w : wowner;
	}
	printf("%-*s  %*s  %*s  %-10s  %-*s  %s\n", wname, "NAME", wlen, "LENGTH", wcap, "CAPACITY",
	       "LIFETIME", wowner, "OWNER", "MODE");
	for (size_t i = 0; i < l->n; i++) {
		if (!ok[i])
			continue;
		printf("%-*s  %*jd  %*s  %-10s  %-*s  %04o\n", wname, l->v[i], wlen, (intmax_t)info[i].st.st_size,
		       wcap, info[i].capacity, info[i].lifetime, wowner,
		       seginfo_owner(info[i].st.st_uid, owner, sizeof owner),
		       (unsigned)(info[i].st.st_mode & 07777));
	}
	free(ok);
	free(info);
}

/* Opens the directory to list, so that one that is missing or no directory fails before anything is
 * printed. what names it in messages. Returns it, or NULL after reporting. */
static DIR *open_top(const char *what, const char *path)
{
	DIR *d = opendir(path);
	struct stat st;
	int err;

	if (d != NULL)
		return d;
	err = errno;
	if (err == ENOENT)
		report_fail(what, "no such directory");
	else if (err == ENOTDIR && stat(path, &st) == 0)
		report_fail(what, "not a directory%s", S_ISREG(st.st_mode) ? " (a segment: see 'mmf info')" : "");
	else
		report_errno(what, err);
	return NULL;
}

static int ls_option(int opt, const char *arg, void *data)
{
	bool *long_format = data;

	*long_format = true;
	return 0;
}

int verb_ls(struct mmf_ctx *ctx, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "long", no_argument, NULL, 'l' },
		{ NULL, 0, NULL, 0 },
	};
	bool long_format = false;
	const struct args_spec spec = {
		.verb = "ls", .shortopts = "l", .longopts = longopts,
		.command = ARGS_NO_COMMAND, .option = ls_option, .data = &long_format,
	};
	struct names l = { 0 };
	DIR *top;
	char path[PATH_MAX];
	char prefix[PATH_MAX] = "";
	struct args a;
	int rc = ctx_args(ctx, argc, argv, &spec, &a);

	if (rc >= 0)
		goto out;
	if (a.noperands > 1) {
		rc = report_usage("ls", "one DIR at most");
		goto out;
	}
	if (a.noperands == 1) {
		size_t len = strlen(a.operands[0]);

		rc = ctx_segment_path(ctx, a.operands[0], path, sizeof path);
		if (rc != 0)
			goto out;
		/* Names are shown relative to the mount, ready to be given back to mmf: "DIR/NAME". */
		while (len > 0 && a.operands[0][len - 1] == '/')
			len--;
		if (!(len == 1 && a.operands[0][0] == '.'))
			snprintf(prefix, sizeof prefix, "%.*s", (int)len, a.operands[0]);
	} else {
		rc = mount_find(ctx->mount_opt, ctx->mount, sizeof ctx->mount);
		if (rc != 0)
			goto out;
		snprintf(path, sizeof path, "%s", ctx->mount);
	}
	top = open_top(a.noperands == 1 ? a.operands[0] : path, path);
	if (top == NULL) {
		rc = MMF_EXIT_FAIL;
		goto out;
	}
	rc = walk_dir(top, path, prefix, &l);
	if (rc != 0) {
		rc = report_errno("ls", -rc);
		goto out;
	}
	if (l.n > 0)
		qsort(l.v, l.n, sizeof *l.v, by_name);
	if (long_format)
		print_long(ctx->mount, &l);
	else
		for (size_t i = 0; i < l.n; i++)
			printf("%s\n", l.v[i]);
	rc = l.status;
out:
	for (size_t i = 0; i < l.n; i++)
		free(l.v[i]);
	free(l.v);
	args_free(&a);
	return rc;
}
