/* report.c - the one-line messages of mmf on standard error, and errno numbers said in users' words. */
#include "report.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "mmf.h"
#include "name.h"

const char *report_reason(int err)
{
	/* Users think in segments, not files: say what the errno means for a segment. */
	switch (err) {
	case ENOENT: return "no such segment";
	case EEXIST: return "segment already exists";
	case EFBIG: return "capacity exceeded";
	/* mmfs refuses with ENOSPC both when its pool is full and when the file system that holds its backing
	 * files is: the errno alone cannot tell which. */
	case ENOSPC: return "no space left in the mmfs pool or on its backing file system";
	case EISDIR: return "is a directory, not a segment";
	case ENOTDIR: return "a directory in the name is not a directory";
	case EACCES: return "permission denied";
	case EPERM: return "operation not permitted";
	case ENAMETOOLONG: return "name too long";
	/* A request still waiting for its answer when the daemon died fails with ECONNABORTED (the kernel
	 * aborts the connection), or ECANCELED if the daemon had taken it from its io-uring queue, the ones
	 * sent after with ENOTCONN: the same dead mount either way (mmfs itself never answers ECANCELED). */
	case ENOTCONN:
	case ECANCELED:
	case ECONNABORTED: return "the mount is not connected (its mmfs daemon has gone)";
	case EROFS: return "read-only file system";
	/* name_open refuses what would leave the mount: say why, since the name alone does not show it. */
	case EXDEV: return "a symbolic link leads out of the mount (only relative links that stay inside it "
			   "are followed)";
	case MMF_EOTHERFS: return "on another file system mounted inside the mount, not a segment of it";
	case ENODEV: return "the mount is no longer there (unmounted or replaced)";
	case ELOOP:
		if (name_links_refused && name_no_openat2 == EPERM)
			return "a symbolic link in the name is refused (openat2, which keeps it inside the mount, "
			       "is not permitted here)";
		if (name_links_refused)
			return "a symbolic link in the name is refused (this kernel has no openat2 to keep it "
			       "inside the mount)";
		return strerror(err);
	default: return strerror(err);
	}
}

int report_fail(const char *what, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "mmf: %s: ", what);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return MMF_EXIT_FAIL;
}

int report_errno(const char *what, int err)
{
	return report_fail(what, "%s", report_reason(err));
}

int report_usage(const char *verb, const char *fmt, ...)
{
	va_list ap;

	/* Errors of mmf itself (no verb yet) name no verb: "mmf: unknown verb 'x'". */
	if (strcmp(verb, "mmf") == 0)
		fputs("mmf: ", stderr);
	else
		fprintf(stderr, "mmf: %s: ", verb);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	if (strcmp(verb, "mmf") == 0)
		fputs(" (see 'mmf --help')\n", stderr);
	else
		fprintf(stderr, " (see 'mmf %s --help')\n", verb);
	return MMF_EXIT_USAGE;
}
