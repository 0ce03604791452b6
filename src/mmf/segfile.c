/* segfile.c - opening a segment by name with the checks and messages every verb wants. */
#include "segfile.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "mmf.h"
#include "report.h"

int segfile_open(struct mmf_ctx *ctx, const char *name, int flags, bool any_access, int *fd)
{
	struct stat st;
	/* O_NONBLOCK so that a FIFO under the mount is refused below instead of blocking the open. */
	int extra = O_NOCTTY | O_NONBLOCK;
	int f = ctx_open(ctx, name, flags | extra, 0);

	if (f == -EACCES && any_access && (flags & O_ACCMODE) == O_RDONLY)
		f = ctx_open(ctx, name, (flags & ~O_ACCMODE) | O_WRONLY | extra, 0);
	if (f < 0) {
		if (f == -ENOENT)
			return report_fail(name, "no such segment (create it with 'mmf new')");
		return report_errno(name, -f);
	}
	if (fstat(f, &st) != 0) {
		int err = errno;

		close(f);
		return report_errno(name, err);
	}
	if (!S_ISREG(st.st_mode)) {
		close(f);
		if (S_ISDIR(st.st_mode))
			return report_errno(name, EISDIR);
		return report_fail(name, "not a segment (not a regular file)");
	}
	if (!(flags & O_NONBLOCK) && fcntl(f, F_SETFL, flags & ~(O_ACCMODE | O_NONBLOCK)) != 0) {
		int err = errno;

		close(f);
		return report_errno(name, err);
	}
	*fd = f;
	return 0;
}
