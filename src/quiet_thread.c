/* quiet_thread.c - helper threads that never take the daemon's signals (see quiet_thread.h). */
#include "quiet_thread.h"

#include <signal.h>

int quiet_thread_start(pthread_t *thread, void *(*start)(void *), void *arg)
{
	sigset_t all, old;
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	int rc = pthread_create(thread, NULL, start, arg);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	return rc;
}
