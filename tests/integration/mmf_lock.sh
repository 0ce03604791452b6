#!/bin/sh
# mmf_lock.sh - mmf lock, the named mutex: excludes flock(1) and other mmf locks while COMMAND runs, passes
# COMMAND's status on, times out with exit 1, shares with --shared, is never handed to COMMAND's children, and
# warns when the daemon dies while COMMAND holds the lock; SIGTERM is passed on to COMMAND, even one that comes
# just before COMMAND starts, and SIGKILL of mmf ends COMMAND too.
# Holders and contenders meet through FIFOs, not sleeps.
# shellcheck disable=SC2119,SC2016 source-path=SCRIPTDIR source=lib.sh
. "${0%/*}/lib.sh"
# shellcheck source-path=SCRIPTDIR source=mmf_lib.sh
. "${0%/*}/mmf_lib.sh"

mmfs_start
export MMF_MOUNT="$MNT"
f="$MNT/mutex"
"$MMF" new mutex --size 1k || fail "mmf new mutex"
echo content >"$f"
mkfifo "$WORK/ready" "$WORK/go"

# hold ARGS...: runs mmf lock ARGS... with a COMMAND that says "locked" through a FIFO, then waits for "go".
hold() {
	"$MMF" lock "$@" -- sh -c 'echo locked >"$0"; read -r x <"$1"; exit 5' "$WORK/ready" "$WORK/go" &
	HOLDER=$!
	track_pid "$HOLDER"
	read -r got <"$WORK/ready"
	expect_eq "mmf lock $* runs COMMAND" "locked" "$got"
}
# release: lets COMMAND end, and checks that mmf passed its status (5) on.
release() {
	echo go >"$WORK/go"
	wait "$HOLDER"
	expect_eq "mmf lock exits with COMMAND's status" "5" "$?"
}

# Exclusive: flock -n and other mmf locks are kept out while COMMAND runs, and let in after.
hold mutex
flock -n -E 99 "$f" true
expect_eq "flock -n while mmf lock holds the segment (exit code)" "99" "$?"
flock -s -n -E 99 "$f" true
expect_eq "flock -s -n while mmf lock holds it exclusively (exit code)" "99" "$?"
check "mmf lock --timeout while another holds it" 1 "mmf: mutex: timed out after 0.2 s waiting for the lock" \
	"$MMF" lock mutex --timeout 0.2 -- echo should-not-run
expect_eq "COMMAND did not run after the timeout" "" "$OUT"
check "mmf lock --timeout 0 while another holds it" 1 "mmf: mutex: timed out after 0 s waiting for the lock" \
	"$MMF" lock mutex -w 0 -- true
check "mmf lock --shared --timeout while an exclusive lock is held" 1 - \
	"$MMF" lock mutex --shared --timeout 0.1 -- true
expect_eq "the locked segment is still readable" "content" "$(cat "$f")"
release
flock -n -E 99 "$f" true
expect_eq "flock -n after mmf lock ended (exit code)" "0" "$?"

# flock(1) as the holder: mmf lock waits for it, or times out.
flock "$f" sh -c 'echo locked >"$0"; read -r x <"$1"' "$WORK/ready" "$WORK/go" &
holder=$!
track_pid "$holder"
read -r got <"$WORK/ready"
check "mmf lock while flock(1) holds it" 1 "mmf: mutex: timed out after 0.3 s waiting for the lock" \
	"$MMF" lock mutex --timeout 0.3 -- true
# A blocked mmf lock gets the lock once flock(1) lets go.
"$MMF" lock mutex -- sh -c 'echo got-it' >"$WORK/waiter.out" &
waiter=$!
track_pid "$waiter"
echo go >"$WORK/go"
wait "$holder"
wait "$waiter"
expect_eq "blocked mmf lock exit status" "0" "$?"
expect_eq "blocked mmf lock ran COMMAND after flock(1) let go" "got-it" "$(cat "$WORK/waiter.out")"

# Shared: shared holders coexist; an exclusive one is kept out.
hold mutex --shared
check "a second shared lock" 0 "" "$MMF" lock mutex -s -w 0 -- true
flock -s -n -E 99 "$f" true
expect_eq "flock -s -n beside mmf lock --shared (exit code)" "0" "$?"
flock -n -E 99 "$f" true
expect_eq "flock -n (exclusive) beside mmf lock --shared (exit code)" "99" "$?"
release

# COMMAND's status, signals, and commands that cannot run.
check "COMMAND fails" 3 "" "$MMF" lock mutex -- sh -c 'exit 3'
check "COMMAND killed by a signal" 137 "" "$MMF" lock mutex -- sh -c 'kill -KILL $$'
check "COMMAND not found" 127 "mmf: no-such-command-here: command not found" \
	"$MMF" lock mutex -- no-such-command-here
check "COMMAND right after NAME, without --" 0 "" "$MMF" lock mutex echo -n plain
expect_eq "COMMAND's output" "plain" "$OUT"
check "COMMAND's own options after --" 0 "" "$MMF" lock mutex -- ls -d /
expect_eq "COMMAND's options are its own" "/" "$OUT"
check "lock a missing segment" 1 "mmf: nope: no such segment (create it with 'mmf new')" \
	"$MMF" lock nope -- true
mkdir "$MNT/dir"
check "lock a directory" 1 "mmf: dir: is a directory, not a segment" "$MMF" lock dir -- true

# The lock is mmf's alone: a background process that COMMAND leaves behind does not keep it.
"$MMF" lock mutex -- sh -c '(timeout 20 sh -c "read -r x <\"\$0\"" "$0" &) ; true' "$WORK/go"
expect_eq "mmf lock with a lingering child (exit status)" "0" "$?"
flock -n -E 99 "$f" true
expect_eq "flock -n while COMMAND's child lingers (exit code)" "0" "$?"
echo go >"$WORK/go"

# SIGTERM is passed on to COMMAND: it ends, mmf exits with its status (143) and the lock is free again.
# since MS WHAT: fails unless less than 10 s have passed since MS (date +%s%N / 1000000), as COMMAND would
# have run 20 s had the signal not reached it.
since() {
	since_ms=$((($(date +%s%N) - $1 * 1000000) / 1000000))
	[ "$since_ms" -lt 10000 ] || fail "$2: took $since_ms ms, COMMAND ran to its end"
}
start=$(($(date +%s%N) / 1000000))
"$MMF" lock mutex -- sh -c 'echo locked >"$0"; exec sleep 20' "$WORK/ready" &
HOLDER=$!
track_pid "$HOLDER"
read -r got <"$WORK/ready"
kill -TERM "$HOLDER"
wait "$HOLDER"
expect_eq "mmf lock after SIGTERM (exit status)" "143" "$?"
since "$start" "SIGTERM passed on to COMMAND"
flock -n -E 99 "$f" true
expect_eq "flock -n after mmf lock passed SIGTERM on (exit code)" "0" "$?"
# A SIGTERM that comes just before COMMAND is forked (a shim sends it from fork()) is not lost: it is passed
# on once COMMAND is there.
if command -v cc >/dev/null 2>&1; then
	cat >"$WORK/forkterm.c" <<'C'
#define _GNU_SOURCE
#include <dlfcn.h>
#include <signal.h>
#include <unistd.h>
pid_t fork(void)
{
	pid_t (*next)(void) = (pid_t (*)(void))dlsym(RTLD_NEXT, "fork");

	kill(getpid(), SIGTERM);
	return next();
}
C
	if cc -shared -fPIC -o "$WORK/forkterm.so" "$WORK/forkterm.c" -ldl; then
		start=$(($(date +%s%N) / 1000000))
		check "SIGTERM just before COMMAND starts" 143 "" \
			env LD_PRELOAD="$WORK/forkterm.so" ASAN_OPTIONS="${ASAN_OPTIONS:-}:verify_asan_link_order=0" \
			"$MMF" lock mutex -- sleep 20
		since "$start" "SIGTERM just before COMMAND starts"
	else
		fail "cannot build the fork shim"
	fi
else
	echo "note: no cc, the check of a SIGTERM before COMMAND starts is skipped" >&2
fi

# mmf killed with SIGKILL, which it cannot pass on: COMMAND ends with it, so the lock, released as mmf dies, is
# never free while COMMAND runs; then another mmf lock gets it.
sigkill_during_command "mmf lock" lock mutex
check "mmf lock after the holding mmf was SIGKILLed" 0 "" "$MMF" lock mutex -w 0 -- true

mmfs_stop

# The daemon dies (SIGKILL) while COMMAND holds the lock: the lock died with it (a daemon started again would
# let anyone take it), so mmf warns, and still exits with COMMAND's status.
mmfs_start
"$MMF" lock mutex -- sh -c 'echo locked >"$0"; read -r x <"$1"; exit 5' "$WORK/ready" "$WORK/go" \
	2>"$WORK/lock.err" &
HOLDER=$!
track_pid "$HOLDER"
read -r got <"$WORK/ready"
expect_eq "mmf lock runs COMMAND before the daemon dies" "locked" "$got"
mmfs_kill
release
expect_eq "warning when the daemon died under the lock" \
	"mmf: mutex: warning: the mount died while the lock was held (mmfs stopped): COMMAND may not have had the lock to itself" \
	"$(cat "$WORK/lock.err")"
fusermount3 -u "$MNT" 2>/dev/null || fusermount3 -uz "$MNT"
finish
