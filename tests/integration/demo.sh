#!/bin/sh
# demo.sh - scripts/demo on a temporary mountpoint prints exactly the PowerShell example's five lines, with
# --unmount leaves nothing mounted, reuses an mmfs already mounted there, mounts again over one that died (and
# waits for that new mount however late it comes), stops at the first step that fails, and never calls
# apt-get when all it needs is present.
# shellcheck disable=SC2119,SC2016 source-path=SCRIPTDIR source=lib.sh
. "${0%/*}/lib.sh"
# shellcheck source-path=SCRIPTDIR source=mmf_lib.sh
. "${0%/*}/mmf_lib.sh"

: "${top_srcdir:=${0%/*}/../..}"
require_fuse
expected="Start Process B and press ENTER to continue.
Start Process C and press ENTER to continue.
Process A says: Hello World!
Process B says: Hello World!
Process C says: Hello World!"

# A stand-in for apt-get that only records that it was called.
mkdir "$WORK/bin"
printf '#!/bin/sh\necho "$0 $*" >>"%s/apt-calls"\nexit 1\n' "$WORK" >"$WORK/bin/apt-get"
chmod +x "$WORK/bin/apt-get"
# Runs scripts/demo; when it fails, its standard error goes to the log, for whoever reads the failure.
demo() {
	PATH="$WORK/bin:$PATH" MMFS="$MMFS" MMF="$MMF" timeout 120 bash "$top_srcdir/scripts/demo" "$@" \
		>"$WORK/demo.out" 2>"$WORK/demo.err"
	demo_status=$?
	[ "$demo_status" -eq 0 ] || { echo "scripts/demo $* exited $demo_status; its standard error:"; cat "$WORK/demo.err"; } >&2
	return "$demo_status"
}

new_backing
# A step that fails (no room for Test in a pool of one segment, on a backing directory still empty) stops
# the example there: nothing printed as if it had gone on, exit 1, mmf's reason on standard error, nothing
# left mounted.
demo --unmount -o "backing=$BACKING,nr_segments=1" "$MNT" 2>/dev/null
expect_eq "scripts/demo with no room for Test (exit status)" "1" "$?"
expect_eq "scripts/demo with no room for Test output" "" "$(cat "$WORK/demo.out")"
grep -q "no room for another segment" "$WORK/demo.err" || fail "scripts/demo hid why Test could not be made"
grep -qs " $MNT " /proc/mounts && fail "scripts/demo left $MNT mounted after the example failed"

# Its own mount, taken down at the end.
demo --unmount -o "backing=$BACKING" "$MNT"
status=$?
expect_eq "scripts/demo --unmount (exit status)" "0" "$status"
expect_eq "scripts/demo --unmount output" "$expected" "$(cat "$WORK/demo.out")"
grep -qs " $MNT " /proc/mounts && fail "scripts/demo --unmount left $MNT mounted"
[ -e "$WORK/apt-calls" ] && fail "scripts/demo called apt-get: $(cat "$WORK/apt-calls")"

# An mmfs already mounted there: used, and left mounted, with the hints on standard error.
mmfs_start
printf 'left over' >"$MNT/Test"
demo "$MNT"
expect_eq "scripts/demo on a mounted mmfs (exit status)" "0" "$?"
expect_eq "scripts/demo on a mounted mmfs output (an old Test is replaced)" "$expected" "$(cat "$WORK/demo.out")"
grep -qs " $MNT fuse.mmfs " /proc/mounts || fail "scripts/demo left the mmfs it found mounted"
grep -q "fusermount3 -u $MNT" "$WORK/demo.err" || fail "scripts/demo says how to unmount"
expect_eq "Test after the demo" "Process A says: Hello World!
Process B says: Hello World!
Process C says: Hello World!" "$(cat "$MNT/Test")"
# Twice in a row gives the same.
demo "$MNT"
expect_eq "scripts/demo a second time" "$expected" "$(cat "$WORK/demo.out")"

# The mmfs found there has died (its mount answers ENOTCONN): the demo mounts it again and runs.
mmfs_kill
demo --unmount -o "backing=$BACKING" "$MNT"
status=$?
expect_eq "scripts/demo on a dead mmfs (exit status)" "0" "$status"
expect_eq "scripts/demo on a dead mmfs output" "$expected" "$(cat "$WORK/demo.out")"
grep -q "had died" "$WORK/demo.err" || fail "scripts/demo says the mmfs there had died: $(cat "$WORK/demo.err")"
if grep -qs " $MNT " /proc/mounts; then
	fail "scripts/demo --unmount left $MNT mounted after a dead mount"
	fusermount3 -u "$MNT" 2>/dev/null || fusermount3 -uz "$MNT"
fi

# Again, with the dead mount cleared a second before mmfs mounts, the window a slow start under load opens
# wide: the demo must wait for the new mount, not take the bare directory under the old one for it.
printf '#!/bin/sh\nfor last; do :; done\nfusermount3 -uz "$last" || exit 1\nsleep 1\nexec "%s" "$@"\n' "$MMFS" \
	>"$WORK/slow-mmfs"
chmod +x "$WORK/slow-mmfs"
mmfs_start
mmfs_kill
real_mmfs=$MMFS
MMFS=$WORK/slow-mmfs
demo --unmount -o "backing=$BACKING" "$MNT"
status=$?
MMFS=$real_mmfs
expect_eq "scripts/demo on a dead mmfs cleared late (exit status)" "0" "$status"
expect_eq "scripts/demo on a dead mmfs cleared late output" "$expected" "$(cat "$WORK/demo.out")"
if grep -qs " $MNT " /proc/mounts; then
	fail "scripts/demo --unmount left $MNT mounted after a dead mount cleared late"
	fusermount3 -u "$MNT" 2>/dev/null || fusermount3 -uz "$MNT"
fi

# A daemon that never mounts: the demo gives up (after 2 s here), says so, and ends that daemon, which must
# not come up once the demo is gone.
printf '#!/bin/sh\necho $$ >"%s/never.pid"\nexec sleep 600\n' "$WORK" >"$WORK/never-mmfs"
chmod +x "$WORK/never-mmfs"
MMFS=$WORK/never-mmfs
MMFS_DEMO_MOUNT_WAIT=2
export MMFS_DEMO_MOUNT_WAIT
demo --unmount "$MNT" 2>/dev/null
status=$?
unset MMFS_DEMO_MOUNT_WAIT
MMFS=$real_mmfs
expect_eq "scripts/demo on an mmfs that never mounts (exit status)" "1" "$status"
grep -q "did not mount" "$WORK/demo.err" || fail "scripts/demo did not say the mount never came: $(cat "$WORK/demo.err")"
never=$(cat "$WORK/never.pid")
if kill -0 "$never" 2>/dev/null; then
	fail "scripts/demo left the daemon it started running"
	kill "$never"
fi

# Wrong usage.
demo --bogus
expect_eq "scripts/demo --bogus (exit status)" "2" "$?"
demo --help
expect_eq "scripts/demo --help (exit status)" "0" "$?"
MMFS_DEMO_MOUNT_WAIT=soon
export MMFS_DEMO_MOUNT_WAIT
demo "$MNT" 2>/dev/null
expect_eq "scripts/demo with MMFS_DEMO_MOUNT_WAIT=soon (exit status)" "2" "$?"
unset MMFS_DEMO_MOUNT_WAIT
finish
