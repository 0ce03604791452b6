/* name.h - segment names: paths relative to the mount that must not leave it. */
#ifndef MMF_NAME_H
#define MMF_NAME_H

#include <stddef.h>

/* Returns NULL when name is acceptable, or why it is not (empty, absolute, ".." leaving the mount). */
const char *name_problem(const char *name);

/* Writes MOUNT/NAME to out. Returns 0, or -ENAMETOOLONG (out then holds a truncated string). */
int name_path(const char *mount, const char *name, char *out, size_t outlen);

#endif
