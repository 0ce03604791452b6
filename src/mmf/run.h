/* run.h - running a user's COMMAND while mmf holds something (a lock, a transient segment) for it. */
#ifndef MMF_RUN_H
#define MMF_RUN_H

#include <stdbool.h>

/*
 * Runs argv[0] (found on PATH) with argv and waits for it. While it runs, SIGINT and SIGQUIT are ignored
 * by mmf (the terminal sends them to COMMAND too) and SIGTERM and SIGHUP are passed on to COMMAND, so
 * mmf lets go of what it holds only after COMMAND has ended; should mmf die all the same (SIGKILL), the
 * kernel sends COMMAND SIGKILL (PR_SET_PDEATHSIG). mmf must call this from its only thread.
 * Returns COMMAND's exit status, 128+N when signal N ended it, 127 when it was not found and 126 when it
 * could not be run (both reported by the child). When started is not NULL, it tells whether COMMAND
 * started at all (false when it was not found, could not be run or forked).
 */
int run_command(char *const argv[], bool *started);

#endif
