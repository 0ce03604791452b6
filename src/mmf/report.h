/* report.h - the one-line messages of mmf on standard error, and errno numbers said in users' words. */
#ifndef MMF_REPORT_H
#define MMF_REPORT_H

/* Prints "mmf: WHAT: MESSAGE" and returns MMF_EXIT_FAIL. */
int report_fail(const char *what, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Prints "mmf: WHAT: " and the reason for err (a positive errno) and returns MMF_EXIT_FAIL. */
int report_errno(const char *what, int err);

/* Prints "mmf: VERB: MESSAGE (see 'mmf VERB --help')" and returns MMF_EXIT_USAGE. With VERB "mmf",
 * for mmf's own options and verbs: "mmf: MESSAGE (see 'mmf --help')". */
int report_usage(const char *verb, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* The reason for a positive errno as users of segments would put it ("no such segment", ...). */
const char *report_reason(int err);

#endif
