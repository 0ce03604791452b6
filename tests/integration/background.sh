#!/bin/sh
# background.sh - without -f, mmfs goes to the background and returns 0 only once the mount answers, holding
# nothing of its caller's (a pipe from it reaches its end); when the daemon fails after it forked (here: no
# thread can be started), the command says why and exits 1, and nothing stays mounted.
# shellcheck disable=SC2119 source-path=SCRIPTDIR source=lib.sh
. "${0%/*}/lib.sh"
require_fuse

mounted() { grep -qs " $MNT fuse" /proc/mounts; }

# serving_pid: prints the pid of the daemon serving our backing directory: the process with /dev/fuse open and
# "backing=$BACKING" in its command line (the watchdog it forks closes /dev/fuse).
serving_pid() {
	for dir in /proc/[0-9]*; do
		{ tr '\0' ' ' <"$dir/cmdline"; } 2>/dev/null | grep -q -- "backing=$BACKING " || continue
		readlink "$dir"/fd/* 2>/dev/null | grep -qx /dev/fuse || continue
		echo "${dir#/proc/}"
		return 0
	done
	return 1
}

# Not the shell's child, so lib.sh's cleanup cannot wait for it: unmount, then wait until it is gone.
# shellcheck disable=SC2317 # run by lib.sh's EXIT trap and below
stop_background() {
	pid=$(serving_pid) || pid=""
	if mounted; then
		fusermount3 -u "$MNT" 2>/dev/null || fusermount3 -uz "$MNT"
	fi
	[ -n "$pid" ] || return 0
	gone() { ! kill -0 "$pid" 2>/dev/null; }
	wait_for gone && return 0
	fail "the background daemon ($pid) did not exit after its unmount"
	kill -KILL "$pid" 2>/dev/null
}
TEST_CLEANUP=stop_background

# Started with its standard output a pipe whose reader ends only when every writer closed it: the daemon must
# not keep it once the command has returned. (Not standard error: valgrind keeps a copy of it for its report.)
new_backing
{
	# shellcheck disable=SC2086 # MMFS_TEST_OPTS is a list of arguments
	"$MMFS" -o "backing=$BACKING" ${MMFS_TEST_OPTS:-} "$MNT" 2>"$WORK/start.err"
	echo "exit status $?"
} | cat >"$WORK/start.out" &
reader=$!
track_pid "$reader"
wait_for -p "$reader" false
[ $? -eq 2 ] || fail "mmfs in the background kept its caller's standard output open"
expect_eq "what mmfs printed going to the background" "exit status 0" "$(cat "$WORK/start.out")"
expect_eq "what mmfs said going to the background" "" "$(cat "$WORK/start.err")"
mounted || fail "not mounted when mmfs returned"
pid=$(serving_pid) || fail "no daemon serves $MNT"
echo hi >>"$MNT/seg" || fail "append on the background mount"
expect_eq "read on the background mount" "hi" "$(cat "$MNT/seg")"
if [ -n "$pid" ]; then
	expect_eq "the daemon leads a session of its own" "$pid" "$(ps -o sid= -p "$pid" | tr -d ' ')"
	expect_eq "the daemon's working directory" "/" "$(readlink "/proc/$pid/cwd")"
fi
stop_background
mounted && fail "still mounted after fusermount3 -u"

# No thread can start (an LD_PRELOAD of pthread_create that fails as at the system's thread limit): the
# daemon fails after it forked, and the command waiting for it exits 1 with its reason. fuse_daemonize
# returned 0 before the daemon had tried.
cat >"$WORK/nothread.c" <<'C'
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
/* With NOTHREAD_PAUSE set, first waits for a signal, whatever the caller blocked (mmfs blocks them all around
 * pthread_create): a daemon that hangs before its mount is up. */
int pthread_create(pthread_t *thread, const pthread_attr_t *attr, void *(*start)(void *), void *arg)
{
	sigset_t none;
	(void)thread;
	(void)attr;
	(void)start;
	(void)arg;
	sigemptyset(&none);
	if (getenv("NOTHREAD_PAUSE") != NULL)
		sigsuspend(&none);
	return EAGAIN;
}
C
cc -shared -fPIC -o "$WORK/nothread.so" "$WORK/nothread.c" || fail "cannot build the pthread_create shim"
# shellcheck disable=SC2086 # MMFS_TEST_OPTS is a list of arguments
env LD_PRELOAD="$WORK/nothread.so" ASAN_OPTIONS="${ASAN_OPTIONS:-}:verify_asan_link_order=0" \
	timeout "$HANG_GUARD" "$MMFS" -o "backing=$BACKING" ${MMFS_TEST_OPTS:-} "$MNT" >"$WORK/out" 2>"$WORK/err"
expect_eq "exit status when the daemon cannot start its threads" "1" "$?"
grep -q '^mmfs: cannot start the notifier thread$' "$WORK/err" ||
	fail "no reason given when the daemon cannot start its threads: [$(cat "$WORK/err")]"
mounted && fail "still mounted after the daemon failed"
serving_pid >/dev/null && fail "a daemon still serves $MNT after it failed"

# A daemon that hangs before its mount is up, and a SIGTERM to the command waiting for it (as a Ctrl-C at the
# terminal would be): the command passes it on, so the daemon does not stay behind (it was in a session of its
# own) and the command ends with its status, not killed.
# shellcheck disable=SC2086 # MMFS_TEST_OPTS is a list of arguments
env NOTHREAD_PAUSE=1 LD_PRELOAD="$WORK/nothread.so" ASAN_OPTIONS="${ASAN_OPTIONS:-}:verify_asan_link_order=0" \
	"$MMFS" -o "backing=$BACKING" ${MMFS_TEST_OPTS:-} "$MNT" >"$WORK/out" 2>"$WORK/err" &
command=$!
track_pid "$command"
# shellcheck disable=SC2317 # run by wait_for
daemon_paused() {
	pid=$(serving_pid) || return 1
	case $(cat "/proc/$pid/wchan" 2>/dev/null) in
	*sigsuspend*) return 0 ;;
	*) return 1 ;;
	esac
}
wait_for -p "$command" daemon_paused || fail "the daemon never hung in its pthread_create"
kill -TERM "$command"
wait_for -p "$command" false
[ $? -eq 2 ] || fail "the waiting command did not end after a SIGTERM"
wait "$command"
expect_eq "exit status after a SIGTERM to the waiting command" "1" "$?"
mounted && fail "still mounted after a SIGTERM to the waiting command"
# shellcheck disable=SC2317 # run by wait_for
no_daemon() { ! serving_pid >/dev/null; }
wait_for no_daemon || fail "the daemon stayed behind after a SIGTERM to the waiting command"
finish
