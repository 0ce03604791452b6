/* scratch.h - temporary directories for the unit tests, made fresh and removed whole. */
#ifndef MMFS_SCRATCH_H
#define MMFS_SCRATCH_H

#include <stddef.h>

/* Makes a fresh directory from template (a path ending in XXXXXX) into buf; fails the test if it cannot. */
void scratch_make(char *buf, size_t len, const char *template);

/* Makes a fresh directory for one test under parent into dir, and puts into backing the path of a store's
 * backing directory inside it (not made: store_open makes it). */
void scratch_store_dirs(const char *parent, char *dir, size_t dir_len, char *backing, size_t backing_len);

/* Removes the tree at path, depth first, never following symlinks. */
void scratch_remove(const char *path);

#endif
