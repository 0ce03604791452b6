/* libfuse_msgs.c - libfuse's own complaints ("fuse: ...") folded into mmfs's one line per mistake.
 * libfuse prints its reason and returns failure; mmfs then says what failed. Two lines for one mistake,
 * one of them in libfuse's words, is what users of FUSE daemons learn to ignore: hold the reason and let
 * mmfs print it in its own line. */
#include "libfuse_msgs.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#define FUSE_USE_VERSION 312
#include <fuse_log.h>

static char last[512];

static void hold(enum fuse_log_level level, const char *fmt, va_list ap)
{
	/* Warnings and debug output do not end in a failure of ours: they stay libfuse's to print. */
	if (level > FUSE_LOG_ERR) {
		vfprintf(stderr, fmt, ap);
		return;
	}
	/* The first error is the cause; what libfuse says after it follows from it. */
	if (last[0] != '\0')
		return;
	char text[sizeof(last)];
	vsnprintf(text, sizeof(text), fmt, ap);
	const char *start = strncmp(text, "fuse: ", 6) == 0 ? text + 6 : text;
	size_t len = strcspn(start, "\n");
	snprintf(last, sizeof(last), "%.*s", (int)len, start);
}

void libfuse_msgs_hold(void)
{
	last[0] = '\0';
	fuse_set_log_func(hold);
}

const char *libfuse_msgs_reason(void)
{
	return last[0] != '\0' ? last : "libfuse gave no reason";
}

void libfuse_msgs_release(void)
{
	fuse_set_log_func(NULL);
}
