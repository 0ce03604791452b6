/* name.c - segment names: paths relative to the mount that must not leave it. */
#include "name.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

const char *name_problem(const char *name)
{
	const char *p = name;
	long depth = 0;

	if (*name == '\0')
		return "empty name";
	if (*name == '/')
		return "absolute path refused: names are relative to the mount";
	/* Walk the components lexically: ".." may go back up, but never above the mount's root. Symbolic
	 * links inside the mount are the mount's business, like for any other program. */
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

int name_path(const char *mount, const char *name, char *out, size_t outlen)
{
	int n = snprintf(out, outlen, "%s/%s", mount, name);

	if (n < 0 || (size_t)n >= outlen)
		return -ENAMETOOLONG;
	return 0;
}
