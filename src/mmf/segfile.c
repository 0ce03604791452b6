/* segfile.c - opening a segment by path with the checks and messages every verb wants. */
#include "segfile.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "mmf.h"
#include "report.h"

int segfile_open(const char *name, const char *path, int flags, bool any_access, int *fd)
{
	struct stat st;
	/* O_NONBLOCK so that a FIFO under the mount is refused below instead of blocking the open. */
	int extra = O_CLOEXEC | O_NOCTTY | O_NONBLOCK;
	int f = open(path, flags | extra);

	if (f < 0 && errno == EACCES && any_access && (flags & O_ACCMODE) == O_RDONLY)
		f = open(path, (flags & ~O_ACCMODE) | O_WRONLY | extra);
	if (f < 0) {
		int err = errno;

		if (err == ENOENT)
			return report_fail(name, "no such segment (create it with 'mmf new')");
		return report_errno(name, err);
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
