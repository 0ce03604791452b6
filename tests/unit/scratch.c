/* scratch.c - temporary directories for the unit tests, made fresh and removed whole. */
#include "scratch.h"

#include <check.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>

void scratch_make(char *buf, size_t len, const char *template)
{
	snprintf(buf, len, "%s", template);
	ck_assert_ptr_nonnull(mkdtemp(buf));
}

void scratch_store_dirs(const char *parent, char *dir, size_t dir_len, char *backing, size_t backing_len)
{
	snprintf(dir, dir_len, "%s/test-XXXXXX", parent);
	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(backing, backing_len, "%s/backing", dir);
}

static int remove_entry(const char *name, const struct stat *st, int type, struct FTW *ftw)
{
	(void)st;
	(void)type;
	(void)ftw;
	return remove(name);
}

void scratch_remove(const char *path)
{
	nftw(path, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}
