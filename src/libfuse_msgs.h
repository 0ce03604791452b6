/* libfuse_msgs.h - libfuse's own complaints ("fuse: ...") folded into mmfs's one line per mistake. */
#ifndef MMFS_LIBFUSE_MSGS_H
#define MMFS_LIBFUSE_MSGS_H

/*
 * From now on, libfuse's first error message is kept instead of printed (warnings and debug output still
 * go to stderr). Call around the calls that parse options and mount, where a failure is mmfs's to report.
 */
void libfuse_msgs_hold(void);

/* The first error held since libfuse_msgs_hold, without its "fuse: " prefix and newline. */
const char *libfuse_msgs_reason(void);

/* Back to libfuse's own printing, for messages while serving. */
void libfuse_msgs_release(void);

#endif
