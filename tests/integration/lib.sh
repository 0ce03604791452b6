# lib.sh - shared helpers for integration tests: mount mmfs for real, clean up whatever happens, assert.
# shellcheck shell=sh
# Source it from a test script run by `make check` (MMFS, MMF, CLIENTS, top_srcdir come from the Makefile).
# A test calls mmfs_start [OPTIONS...], uses "$MNT", and exits; the EXIT trap unmounts and removes
# everything it made. Exit status 77 means skip (no usable /dev/fuse), as in automake.

set -u

: "${MMFS:?MMFS must name the mmfs binary}"
: "${MMF:=}"
: "${CLIENTS:=}"
# Python for the checks: the system one when there is one (a version manager's shim costs 0.25 s a call).
if [ -z "${PYTHON:-}" ]; then
	if [ -x /usr/bin/python3 ]; then PYTHON=/usr/bin/python3; else PYTHON=python3; fi
fi

# Seconds a step that must finish may take before the test calls it hung. Only a hang ever waits this long, so
# it is generous: a stalled or loaded host slows the valgrind runs most (in CI a blocked flock waiter in
# locks.sh once took longer than the 10 s guard it had then).
HANG_GUARD=60

TEST_NAME=$(basename "$0" .sh)
WORK=$(mktemp -d "${TMPDIR:-/tmp}/mmfs-test.XXXXXX")
MNT="$WORK/mnt"
BACKING=""
DAEMON_PID=""
DAEMON_LOG="$WORK/daemon.log"
SMALL="" # a small tmpfs the test mounted (mount_small_tmpfs)
FAILURES=0
HELPER_PIDS=""
mkdir -p "$MNT"

# Kills the helper processes, unmounts (lazily if it must) and stops only the daemon this test started.
stop_test_processes() {
	for pid in $HELPER_PIDS; do
		kill -KILL "$pid" 2>/dev/null
		wait "$pid" 2>/dev/null
	done
	HELPER_PIDS=""
	if [ -n "$DAEMON_PID" ]; then
		if grep -qs " $MNT " /proc/mounts; then
			fusermount3 -u "$MNT" 2>/dev/null || fusermount3 -uz "$MNT" 2>/dev/null
		fi
		kill "$DAEMON_PID" 2>/dev/null
		wait "$DAEMON_PID" 2>/dev/null
		DAEMON_PID=""
	fi
}

# A test with more of its own to undo (users, a second mount, an immutable flag) names a function here; the
# EXIT trap runs it first, whatever happened, and keeps the test's exit status.
TEST_CLEANUP=""

# Runs the test's own cleanup, stops what the test started, removes a mount left at $MNT, the backing files
# and the work directory.
lib_cleanup() {
	status=$?
	trap - EXIT
	[ -n "$TEST_CLEANUP" ] && "$TEST_CLEANUP"
	stop_test_processes
	if grep -qs " $MNT " /proc/mounts; then
		fusermount3 -uz "$MNT" 2>/dev/null || umount -l "$MNT" 2>/dev/null
	fi
	# After the daemon, which holds files in it.
	if [ -n "$SMALL" ] && grep -qs " $SMALL " /proc/mounts; then
		umount "$SMALL" 2>/dev/null || umount -l "$SMALL" 2>/dev/null
	fi
	[ -n "$BACKING" ] && rm -rf "$BACKING"
	rm -rf "$WORK"
	if [ "$status" -eq 0 ] && [ "$FAILURES" -ne 0 ]; then
		status=1
	fi
	exit "$status"
}
trap lib_cleanup EXIT
trap 'exit 130' INT TERM
trap 'exit 129' HUP

# mount_small_tmpfs SIZE: mounts a tmpfs of SIZE (mode 0700) at $SMALL ($WORK/small), for a backing file system
# that fills up (root only); the EXIT trap unmounts it once the daemon has stopped. Fails if the mount does.
mount_small_tmpfs() {
	SMALL="$WORK/small"
	mkdir -p "$SMALL" && mount -t tmpfs -o "size=$1,mode=0700" tmpfs "$SMALL"
}

# Skips the test (exit 77) unless FUSE mounts can work here.
require_fuse() {
	if [ ! -c /dev/fuse ] || ! command -v fusermount3 >/dev/null 2>&1; then
		echo "SKIP: no /dev/fuse or fusermount3" >&2
		exit 77
	fi
	if ! (exec 3<>/dev/fuse) 2>/dev/null; then
		echo "SKIP: /dev/fuse cannot be opened" >&2
		exit 77
	fi
}

# Makes a fresh backing directory under /dev/shm (removed at exit) unless BACKING is already set.
new_backing() {
	if [ -z "$BACKING" ]; then
		BACKING=$(mktemp -d /dev/shm/mmfs-test.XXXXXX)
		rmdir "$BACKING"
	fi
}

# Starts mmfs in the foreground (in the background of this shell) on $MNT with backing $BACKING and the
# given extra arguments, and waits until the mount is up. Fails the test with the daemon's log if it died.
# MMFS_TEST_OPTS, when set, adds daemon arguments to every such mount (scripts/check --tsan: -o threads=4).
mmfs_start() {
	new_backing
	mmfs_start_raw -o "backing=$BACKING" "$@"
}

# Like mmfs_start but passes only the given arguments (no backing=): for tests of the default backing, which
# must then set BACKING to the directory the daemon uses so that the EXIT trap removes it.
mmfs_start_raw() {
	require_fuse
	# shellcheck disable=SC2086 # MMFS_TEST_OPTS is a list of arguments
	"$MMFS" -f "$@" ${MMFS_TEST_OPTS:-} "$MNT" >>"$DAEMON_LOG" 2>&1 &
	DAEMON_PID=$!
	wait_mounted "$DAEMON_PID" "$MNT" "$DAEMON_LOG" mmfs
	case $? in
	0) ;;
	1) DAEMON_PID="" && exit 1 ;;
	*) exit 1 ;;
	esac
}

# wait_for [-p PID] COMMAND...: runs COMMAND every 0.05 s until it succeeds, and returns 0; returns 1 once
# $HANG_GUARD s have passed, or 2 as soon as process PID (when given) is gone. COMMAND runs afresh each time:
# a glob or a substitution it needs goes inside a function.
wait_for() {
	wait_for_pid=""
	if [ "$1" = -p ]; then
		wait_for_pid=$2
		shift 2
	fi
	wait_for_tries=0
	until "$@"; do
		if [ -n "$wait_for_pid" ] && ! kill -0 "$wait_for_pid" 2>/dev/null; then
			return 2
		fi
		wait_for_tries=$((wait_for_tries + 1))
		[ "$wait_for_tries" -le $((HANG_GUARD * 20)) ] || return 1
		sleep 0.05
	done
}

# wait_mounted PID MOUNTPOINT LOG WHO: waits ($HANG_GUARD s at most) until a FUSE mount is at MOUNTPOINT. When
# the daemon PID exits first, reaps it, prints LOG and returns 1; when the time runs out, prints LOG, returns 2.
wait_mounted() {
	wait_for -p "$1" grep -qs " $2 fuse" /proc/mounts
	case $? in
	0) return 0 ;;
	2)
		wait "$1"
		echo "FAIL: $4 exited with status $? before mounting; its log:" >&2
		cat "$3" >&2
		return 1
		;;
	*)
		echo "FAIL: $4 did not mount within $HANG_GUARD s; its log:" >&2
		cat "$3" >&2
		return 2
		;;
	esac
}

# Unmounts and requires the daemon to exit with status 0.
mmfs_stop() {
	fusermount3 -u "$MNT" || { echo "FAIL: fusermount3 -u $MNT failed" >&2; exit 1; }
	wait "$DAEMON_PID"
	rc=$?
	DAEMON_PID=""
	if [ "$rc" -ne 0 ]; then
		echo "FAIL: mmfs exited with status $rc after unmount; its log:" >&2
		cat "$DAEMON_LOG" >&2
		exit 1
	fi
}

# Kills the daemon with SIGKILL and waits until its mount is dead for good (statfs fails: ENOTCONN), leaving
# it mounted. A watchdog child forked just before the kill holds /dev/fuse until its first steps close it, so
# the connection can outlive the daemon by a moment, and a request sent then fails otherwise (ECONNABORTED).
mmfs_kill() {
	kill -KILL "$DAEMON_PID"
	wait "$DAEMON_PID" 2>/dev/null
	DAEMON_PID=""
	wait_for mount_dead || fail "$MNT still answers after its daemon was SIGKILLed"
}
# shellcheck disable=SC2317 # run by wait_for
mount_dead() { ! stat -f "$MNT" >/dev/null 2>&1; }

# Kills the daemon with SIGKILL and removes the dead mount, as after a crash.
mmfs_crash() {
	mmfs_kill
	fusermount3 -u "$MNT" 2>/dev/null || fusermount3 -uz "$MNT"
}

# daemon_runs_under valgrind|sanitizer: true when the running daemon is under valgrind's memcheck, or built with
# AddressSanitizer or ThreadSanitizer (scripts/check --valgrind, --sanitize, --tsan). Each replaces its malloc,
# and valgrind makes each request take milliseconds, so tests that measure memory or run long scale with this.
daemon_runs_under() {
	case $1 in
	valgrind) grep -qs vgpreload "/proc/$DAEMON_PID/maps" ;;
	sanitizer) grep -qs -e libasan -e libtsan "/proc/$DAEMON_PID/maps" ;;
	*) return 1 ;;
	esac
}

# exerciser_seed [DETAILS]: sets SEED from MMFS_EXERCISER_SEED, or at random, and prints it (with DETAILS) so
# that a failing run can be replayed.
exerciser_seed() {
	SEED=${MMFS_EXERCISER_SEED:-$(od -An -N4 -tu4 /dev/urandom | tr -d ' ')}
	echo "exerciser seed: $SEED (MMFS_EXERCISER_SEED=$SEED replays it)${1:+, $1}"
}

# exercise WHAT ARGS...: runs exerciser.py (beside the test) with ARGS, 120 s at most (360 s with the daemon
# under valgrind, where a run takes most of 120 s on a loaded machine); its output must start with OK, else
# the test fails with that output and the seed.
exercise() {
	what=$1
	shift
	exercise_cap=120
	daemon_runs_under valgrind && exercise_cap=360
	out=$(timeout "$exercise_cap" "$PYTHON" "${0%/*}/exerciser.py" "$@" 2>&1)
	case $out in
	OK*) echo "$what: $out" ;;
	*) fail "$what (seed $SEED): expected OK, saw:
$out" ;;
	esac
}

# track_pid PID: a helper process the test started in the background; the EXIT trap kills (SIGKILL) and
# reaps it before unmounting, so that a failing test never leaves it holding the mount.
track_pid() {
	HELPER_PIDS="$HELPER_PIDS $1"
}

# hold_writer PATH MIB: writes MIB MiB to PATH in 1 MiB write()s (MiB number m is all byte 65 + m % 26), as cp or
# dd bs=1M would, and returns once they are done, with the writer still holding the file open until it is
# killed. Sets WRITER; the EXIT trap kills it too. Answers through the FIFO $WORK/ready (made if missing).
hold_writer() {
	[ -p "$WORK/ready" ] || mkfifo "$WORK/ready"
	"$PYTHON" -c '
import os, sys, time
fd = os.open(sys.argv[1], os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
for m in range(int(sys.argv[2])):
    os.write(fd, bytes([65 + m % 26]) * (1 << 20))
print("written", flush=True)
time.sleep(3600)
' "$1" "$2" >"$WORK/ready" &
	WRITER=$!
	track_pid "$WRITER"
	read -r hold_writer_said <"$WORK/ready"
	expect_eq "writer of $1" written "$hold_writer_said"
}

# hold_lock KIND FILE: starts the locker client holding a KIND lock (flock, posix or ofd) on FILE and waits until
# it has it; sets HOLDER. It answers through the FIFO $WORK/ready, which the test makes.
hold_lock() {
	"$CLIENTS/locker" hold "$1" "$2" >"$WORK/ready" &
	HOLDER=$!
	track_pid "$HOLDER"
	read -r got <"$WORK/ready"
	expect_eq "$1 holder" "locked" "$got"
}

# kill_holder: SIGKILLs HOLDER and reaps it: once wait returns, its files are closed and its locks gone.
kill_holder() {
	kill -KILL "$HOLDER"
	wait "$HOLDER" 2>/dev/null
}

fail() {
	echo "FAIL: $TEST_NAME: $*" >&2
	FAILURES=$((FAILURES + 1))
}

# expect_eq WHAT EXPECTED ACTUAL
expect_eq() {
	if [ "$2" != "$3" ]; then
		fail "$1: expected [$2], saw [$3]"
	fi
}

# expect_fail WHAT COMMAND...: the command must fail; its stderr is kept in $LAST_ERR.
expect_fail() {
	what=$1
	shift
	if "$@" 2>"$WORK/last_err"; then
		fail "$what: expected failure, but it succeeded"
	fi
	# shellcheck disable=SC2034 # read by the tests that call expect_fail
	LAST_ERR=$(cat "$WORK/last_err")
}

# The program of a process that holds a segment mapped (signal_stop.sh, unprivileged.sh): maps the file
# argv[1] (made if missing) with argv[2] bytes (4096 if not given), stores FIRST at 0 and F in every byte
# from 10 on, says "mapped", waits for a line on its stdin, stores LATER at 5, unmaps and closes, says "done".
# shellcheck disable=SC2034 # used by the tests that source this file
MAPPER_PROGRAM='
import mmap, os, sys
size = int(sys.argv[2]) if len(sys.argv) > 2 else 4096
fd = os.open(sys.argv[1], os.O_RDWR | os.O_CREAT, 0o644)
os.ftruncate(fd, size)
m = mmap.mmap(fd, size)
m[0:5] = b"FIRST"
m[10:] = b"F" * (size - 10)
print("mapped", flush=True)
sys.stdin.readline()
m[5:10] = b"LATER"
m.close()
os.close(fd)
print("done", flush=True)
'

# The program behind py_errno (and users.sh's u_errno): runs CODE with the k=v names, prints OK or the errno.
PY_ERRNO_PROGRAM='
import errno, os, sys
code = sys.argv[1]
env = dict(a.split("=", 1) for a in sys.argv[2:])
try:
    exec(code, {"os": os}, env)
    print("OK")
except OSError as e:
    print(errno.errorcode.get(e.errno, str(e.errno)))
'

# py_errno CODE [k=v...]: runs a Python statement and prints the errno name of an OSError, or OK.
# Usage: py_errno 'os.truncate(p, 10)' p=/path  -- keeps error checks exact without parsing messages.
py_errno() {
	"$PYTHON" -c "$PY_ERRNO_PROGRAM" "$@"
}

# df_bytes PATH FIELD: df's FIELD (size, used or avail) of the file system at PATH, in bytes.
df_bytes() { df -B1 --output="$2" "$1" | tail -n 1 | tr -d ' '; }

# allocated NAME: the bytes of blocks that the backing file $BACKING/NAME holds.
allocated() { echo $(($(stat -c '%b * %B' "$BACKING/$1"))); }

# Ends the test: non-zero if any check failed.
finish() {
	if [ "$FAILURES" -ne 0 ]; then
		echo "$TEST_NAME: $FAILURES check(s) failed" >&2
		exit 1
	fi
	echo "$TEST_NAME: ok"
	exit 0
}
