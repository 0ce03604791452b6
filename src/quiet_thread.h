/* quiet_thread.h - helper threads that never take the daemon's signals. */
#ifndef MMFS_QUIET_THREAD_H
#define MMFS_QUIET_THREAD_H

#include <pthread.h>

/* pthread_create with every signal blocked in the new thread. The daemon's signals (SIGTERM: unmount and
 * stop) must reach the thread that serves requests: one delivered to a helper would not wake the request
 * loop from its wait. Returns 0 or an error number, as pthread_create does. */
int quiet_thread_start(pthread_t *thread, void *(*start)(void *), void *arg);

#endif
