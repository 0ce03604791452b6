#!/bin/sh
# mmf_wait.sh - mmf wait wakes (exit 0) when another process writes, appends to or truncates the segment
# through the mount, times out with 124 when nobody does, and fails when the segment is missing, removed or
# renamed away, or when the mount dies or goes while it waits (and says an error such as running out of
# descriptors as it is). Where inotify may not watch the segment (no read permission), it polls. As root, a
# throwaway user waits on root's segment.
# shellcheck disable=SC2119 source-path=SCRIPTDIR source=lib.sh
. "${0%/*}/lib.sh"
# shellcheck source-path=SCRIPTDIR source=mmf_lib.sh
. "${0%/*}/mmf_lib.sh"

mmfs_start
export MMF_MOUNT="$MNT"
"$MMF" new Test --size 1k || fail "mmf new Test"

# waiter: starts mmf wait Test in the background and returns once its inotify watch is in place.
waiter() {
	"$MMF" wait Test --timeout 20 "$@" 2>"$WORK/wait.err" &
	WAITER=$!
	track_pid "$WAITER"
	wait_watch "$WAITER"
}
# woke WHAT STATUS: the waiter ended with STATUS.
woke() {
	wait "$WAITER"
	expect_eq "$1 (exit status)" "$2" "$?"
}

waiter
"$MMF" write Test "from another process"
woke "mmf wait, then mmf write" 0
waiter
echo "appended by the shell" >>"$MNT/Test"
woke "mmf wait, then >> from the shell" 0
waiter
python3 -c 'import os, sys; os.truncate(sys.argv[1], 3)' "$MNT/Test"
woke "mmf wait, then truncate" 0
waiter
python3 -c 'import os, sys; fd = os.open(sys.argv[1], os.O_WRONLY); os.pwrite(fd, b"x", 1); os.close(fd)' "$MNT/Test"
woke "mmf wait, then pwrite in the middle" 0
# Reading is no change.
waiter -w 1
cat "$MNT/Test" >/dev/null
"$MMF" read Test >/dev/null
woke "mmf wait while others only read: times out" 124

# Nobody writes: 124 after the timeout, not before.
start=$(date +%s%N)
check "mmf wait --timeout 0.3 without a write" 124 "" "$MMF" wait Test --timeout 0.3
elapsed=$((($(date +%s%N) - start) / 1000000))
[ "$elapsed" -ge 300 ] || fail "mmf wait --timeout 0.3 returned after $elapsed ms"
check "mmf wait --timeout 0" 124 "" "$MMF" wait Test -w 0

# Removed while waiting, or missing from the start: a failure.
waiter
rm "$MNT/Test"
woke "mmf wait, then rm" 1
expect_eq "message when the segment was removed" "mmf: Test: the segment was removed while waiting" \
	"$(cat "$WORK/wait.err")"
"$MMF" new Test --size 1k || fail "mmf new Test again"
waiter
mv "$MNT/Test" "$MNT/Moved"
woke "mmf wait, then mv to another name" 1
expect_eq "message when the segment was renamed" "mmf: Test: the segment was renamed while waiting" \
	"$(cat "$WORK/wait.err")"
rm "$MNT/Moved"
check "mmf wait on a missing segment" 1 "mmf: Test: no such segment (create it with 'mmf new')" \
	"$MMF" wait Test --timeout 1
mkdir "$MNT/dir"
check "mmf wait on a directory" 1 "mmf: dir: is a directory, not a segment" "$MMF" wait dir --timeout 1
check "mmf wait with a bad timeout" 2 "mmf: wait: bad timeout 'x': expected seconds such as 5 or 0.5 (see 'mmf wait --help')" \
	"$MMF" wait Test --timeout x

# Out of descriptors when it looks at the mount again (every second; prlimit takes them away while it
# waits): said as it is, not taken for a mount that went away.
if command -v prlimit >/dev/null 2>&1; then
	"$MMF" new Test --size 1k || fail "mmf new Test for the descriptor check"
	# Under AddressSanitizer (scripts/check --sanitize) the leak check at exit needs the descriptors that
	# this check takes away, and aborts without them.
	saved_asan_options=${ASAN_OPTIONS-}
	ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0"
	export ASAN_OPTIONS
	waiter
	ASAN_OPTIONS=$saved_asan_options
	prlimit --pid "$WAITER" --nofile=3:3 || fail "prlimit of the waiter"
	woke "mmf wait without a descriptor left" 1
	expect_eq "message when no descriptor is left" "mmf: Test: cannot wait: Too many open files" \
		"$(cat "$WORK/wait.err")"
	expect_eq "the mount is still there" "Test" "$("$MMF" ls)"
	"$MMF" rm Test || fail "mmf rm Test after the descriptor check"
else
	echo "note: no prlimit, the check without descriptors is skipped" >&2
fi

mmfs_stop

# ended PID: process PID has exited (a zombie not yet reaped counts).
ended() { [ ! -e /proc/"$1" ] || [ "$(cut -d' ' -f3 /proc/"$1"/stat 2>/dev/null)" = Z ]; }
# ends_within S PID WHAT: waits up to S seconds for process PID to exit, and fails (killing it) if it does not.
ends_within() {
	ends_tries=0
	while ! ended "$2" && [ "$ends_tries" -lt $(($1 * 20)) ]; do
		sleep 0.05
		ends_tries=$((ends_tries + 1))
	done
	ended "$2" || {
		fail "$3: still running after $1 s"
		kill -KILL "$2" 2>/dev/null
	}
}

# The daemon dies (SIGKILL) under a wait without a timeout: no inotify event ever comes, but mmf looks at the
# mount every second and fails, instead of waiting forever (and saying "removed" once the mount is cleared).
mmfs_start
"$MMF" new Test --size 1k || fail "mmf new Test on the second mount"
"$MMF" wait Test 2>"$WORK/wait.err" &
WAITER=$!
track_pid "$WAITER"
wait_watch "$WAITER"
mmfs_kill
ends_within 10 "$WAITER" "mmf wait after its daemon was killed"
woke "mmf wait when the daemon dies" 1
expect_eq "message when the daemon dies" \
	"mmf: Test: the mount is no longer connected: its mmfs daemon stopped while waiting" "$(cat "$WORK/wait.err")"
fusermount3 -u "$MNT" 2>/dev/null || fusermount3 -uz "$MNT"

# Unmounted while waiting: said as such, not as a removal of the segment.
mmfs_start
"$MMF" new Test --size 1k --or-open || fail "mmf new Test on the third mount"
waiter
mmfs_stop
ends_within 10 "$WAITER" "mmf wait after the unmount"
woke "mmf wait when the mount is unmounted" 1
expect_eq "message when the mount is unmounted" "mmf: Test: the mount went away while waiting (unmounted)" \
	"$(cat "$WORK/wait.err")"

# Another user's segment that the waiter may write but not read (0622) on an allow_other mount: inotify
# refuses a watch (EACCES), stat does not, so mmf wait polls, as where no watch is left.
if [ "$(id -u)" -eq 0 ] && command -v useradd >/dev/null 2>&1 && command -v setpriv >/dev/null 2>&1; then
	# shellcheck source=users.sh
	. "${0%/*}/users.sh"
	TEST_CLEANUP=remove_users
	UW=mmfs-test-wait
	make_user "$UW"
	chmod 0755 "$WORK"
	# The build tree may be out of the user's reach (a clone under `mktemp -d`, mode 0700): a copy in $WORK.
	mkdir "$WORK/bin"
	cp "$MMF" "$WORK/bin/mmf"
	user_mmf=$WORK/bin/mmf
	if ! as "$UW" test -x "$user_mmf"; then
		echo "SKIP (part): $UW cannot reach $WORK (is a parent of it closed? TMPDIR=${TMPDIR:-})" >&2
		finish
	fi
	mmfs_start -o allow_other
	"$MMF" new Open --size 1k --mode 0622 || fail "mmf new Open --mode 0622"
	check "wait as another user on a segment it may not read" 124 "" \
		as "$UW" "$user_mmf" wait Open --mount "$MNT" --timeout 0.3
	as "$UW" "$user_mmf" wait Open --mount "$MNT" --timeout 20 2>"$WORK/wait.err" &
	WAITER=$!
	track_pid "$WAITER"
	# Polling: the user's mmf (a child of the subshell that runs the function as) sleeps between two looks
	# (clock_nanosleep, system call 230 on x86-64; elsewhere the check gives up after 5 s, long enough).
	polling() {
		polling_pid=$(pgrep -u "$UW" -x mmf) &&
			[ "$(cut -d' ' -f1 /proc/"$polling_pid"/syscall 2>/dev/null)" = 230 ]
	}
	polling_tries=0
	until polling || [ "$polling_tries" -ge 100 ]; do
		sleep 0.05
		polling_tries=$((polling_tries + 1))
	done
	"$MMF" write Open "from root" || fail "mmf write Open"
	woke "polling wait of another user, then a write" 0
	expect_eq "polling wait: standard error" "" "$(cat "$WORK/wait.err")"
	mmfs_stop
fi
finish
