#!/bin/sh
# mmf_aborted.sh - the mmfs daemon killed while a request of mmf waits for its answer: the kernel fails that
# request with ECONNABORTED (the ones after it get ENOTCONN), and mmf says it as it says a dead mount, not as
# a raw "Software caused connection abort". A stopped daemon (SIGSTOP) holds the request until the kill.
# shellcheck disable=SC2119 source-path=SCRIPTDIR source=lib.sh
. "${0%/*}/lib.sh"
# shellcheck source-path=SCRIPTDIR source=mmf_lib.sh
. "${0%/*}/mmf_lib.sh"

# A stopped daemon would never act on the SIGTERM of lib.sh's cleanup, which then waits for it: let it go on.
# shellcheck disable=SC2317 # run by lib.sh's EXIT trap
aborted_cleanup() {
	[ -n "$DAEMON_PID" ] && kill -CONT "$DAEMON_PID" 2>/dev/null
}
TEST_CLEANUP=aborted_cleanup

# pending PID: process PID waits for the answer of a FUSE daemon.
# shellcheck disable=SC2317 # run by wait_for
pending() { [ "$(cat "/proc/$1/wchan" 2>/dev/null)" = request_wait_answer ]; }
# in_pipe_read PID: process PID waits to read a pipe or FIFO (the name varies between kernels).
# shellcheck disable=SC2317 # run by wait_for
in_pipe_read() {
	case $(cat "/proc/$1/wchan" 2>/dev/null) in
	*pipe*) return 0 ;;
	*) return 1 ;;
	esac
}

# all_stopped PID: every thread of process PID is stopped (state T).
# shellcheck disable=SC2317 # run by wait_for
all_stopped() {
	for stat in /proc/"$1"/task/*/stat; do
		# The state follows the command name, which is in parentheses and may hold spaces.
		state=$(sed 's/.*) //' "$stat" 2>/dev/null | cut -d' ' -f1)
		[ "$state" = T ] || return 1
	done
}

# stop_daemon: stops the daemon and waits until all its threads are stopped. kill returns at once, and a
# multi-threaded process stops only when the thread that takes the signal has run and stopped the others:
# until then, on a busy machine, another of its threads can still answer the request the test wants held.
stop_daemon() {
	kill -STOP "$DAEMON_PID"
	wait_for all_stopped "$DAEMON_PID" || fail "the daemon did not stop on SIGSTOP"
}

# abort_under PID WHAT: with the daemon stopped, waits until mmf (PID) waits for its answer, kills the daemon,
# and sets RC and ERR from mmf.
abort_under() {
	wait_for -p "$1" pending "$1" ||
		fail "$2: mmf never waited for the stopped daemon (wchan [$(cat "/proc/$1/wchan" 2>/dev/null)])"
	mmfs_kill
	wait "$1"
	RC=$?
	ERR=$(cat "$WORK/err")
}

# Finding the mount: mmf asks the daemon (statfs) whether the mount is alive. The mount shows in
# /proc/mounts before the daemon has answered the kernel's first request, and a request made until then
# waits elsewhere and fails with ENOTCONN: one answer first.
mmfs_start
stat -f "$MNT" >/dev/null || fail "statfs of the new mount"
stop_daemon
"$MMF" --mount "$MNT" info x 2>"$WORK/err" &
waiter=$!
track_pid "$waiter"
abort_under "$waiter" "info"
expect_eq "info with the daemon killed under it (exit status)" "1" "$RC"
expect_eq "info with the daemon killed under it (standard error)" \
	"mmf: $MNT: the mount is not connected: its mmfs daemon has gone (unmount it with 'fusermount3 -u $MNT' and mount it again)" \
	"$ERR"
fusermount3 -u "$MNT" 2>/dev/null || fusermount3 -uz "$MNT"

# A verb under way: mmf write --append reads standard input after it found the mount and opened the segment,
# then asks for the segment's length (fstat). Another process's setfattr makes the kernel forget the times it
# cached, so that fstat reaches the daemon, which is stopped by then.
mmfs_start
export MMF_MOUNT="$MNT"
"$MMF" new S --size 1k || fail "mmf new S"
mkfifo "$WORK/in"
"$MMF" write --append S <"$WORK/in" 2>"$WORK/err" &
waiter=$!
track_pid "$waiter"
exec 3>"$WORK/in"
wait_for -p "$waiter" in_pipe_read "$waiter" || fail "mmf write never read its standard input"
setfattr -n user.probe -v 1 "$MNT/S" || fail "setfattr on S"
stop_daemon
printf 'x' >&3
exec 3>&-
abort_under "$waiter" "write --append"
expect_eq "write with the daemon killed under it (exit status)" "1" "$RC"
expect_eq "write with the daemon killed under it (standard error)" \
	"mmf: S: the mount is not connected (its mmfs daemon has gone)" "$ERR"
fusermount3 -u "$MNT" 2>/dev/null || fusermount3 -uz "$MNT"
finish
