#!/bin/sh
# mmf_wait.sh - mmf wait wakes (exit 0) when another process writes, appends to or truncates the segment
# through the mount, times out with 124 when nobody does, and fails when the segment is missing, removed or
# renamed away.
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

mmfs_stop
finish
