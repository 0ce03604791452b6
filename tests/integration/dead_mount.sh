#!/bin/sh
# dead_mount.sh - a daemon killed with SIGKILL leaves a dead mount (ENOTCONN); starting mmfs again on the same
# mountpoint clears it by itself, says so in one line, and brings every segment back.
# shellcheck disable=SC2119 source-path=SCRIPTDIR source=lib.sh
. "${0%/*}/lib.sh"

mmfs_start
printf 'Process A says: Hello World!\n' >"$MNT/Test"
setfattr -n user.mmf.capacity -v 4096 "$MNT/Test"
mmfs_kill
expect_eq "the mount after its daemon died" "ENOTCONN" "$(py_errno 'os.statvfs(p)' p="$MNT")"

"$MMFS" -f -o "backing=$BACKING" "$MNT" >"$WORK/out" 2>"$WORK/err" &
DAEMON_PID=$!
wait_for -p "$DAEMON_PID" test -e "$MNT/Test" || {
	fail "mmfs did not come back on the dead mount: $(cat "$WORK/err")"
	finish
}
expect_eq "what mmfs said" "mmfs: $MNT: removed the mount of an mmfs that had died" "$(cat "$WORK/err")"
expect_eq "content after the restart" "Process A says: Hello World!" "$(cat "$MNT/Test")"
expect_eq "capacity after the restart" "4096" "$(getfattr --absolute-names --only-values -n user.mmf.capacity "$MNT/Test")"
expect_eq "mounts at the mountpoint" "1" "$(grep -c " $MNT fuse.mmfs " /proc/mounts)"
mmfs_stop
finish
