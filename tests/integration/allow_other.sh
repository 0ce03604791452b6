#!/bin/sh
# allow_other.sh - mounted by root with -o allow_other, the root is 1777 like /dev/shm, segments are owned by
# the users who create them, and the kernel enforces modes and the sticky bit (default_permissions).
# shellcheck disable=SC2119,SC2016 source-path=SCRIPTDIR source=lib.sh # $1 is expanded by the inner sh
. "${0%/*}/lib.sh"

# as UID COMMAND...: runs a shell command as user UID (group UID, no supplementary groups), umask 022.
as() {
	u=$1
	shift
	setpriv --reuid="$u" --regid="$u" --clear-groups sh -c "umask 022; $1" sh "$MNT" 2>&1
}
chmod 711 "$WORK"
mmfs_start -o allow_other
expect_eq "mode of the root with allow_other" "1777" "$(stat -c %a "$MNT")"
expect_eq "type of the root" "directory" "$(stat -c %F "$MNT")"

as 1234 'echo mine >"$1/u1"; mkdir "$1/d1"; ls -ld "$1/d1" >/dev/null' || fail "user 1234 could not create"
expect_eq "owner and mode of a segment made by 1234" "1234:1234 644" "$(stat -c '%u:%g %a' "$MNT/u1")"
expect_eq "owner and mode of a directory made by 1234" "1234:1234 755" "$(stat -c '%u:%g %a' "$MNT/d1")"
expect_eq "another user reads a 644 segment" "mine" "$(as 1235 'cat "$1/u1"')"
expect_eq "another user writes a 644 segment" "denied" \
	"$(as 1235 'echo theirs >>"$1/u1"' | grep -q 'Permission denied' && echo denied)"
expect_eq "another user removes it from the sticky root" "refused" \
	"$(as 1235 'rm -f "$1/u1"' | grep -q 'Operation not permitted' && echo refused)"
expect_eq "another user renames it in the sticky root" "refused" \
	"$(as 1235 'mv "$1/u1" "$1/stolen"' | grep -q 'Operation not permitted' && echo refused)"
expect_eq "another user creates in the owner's 755 directory" "denied" \
	"$(as 1235 ': >"$1/d1/x"' | grep -q 'Permission denied' && echo denied)"
expect_eq "content after the refused calls" "mine" "$(cat "$MNT/u1")"
as 1234 'chmod 600 "$1/u1"'
expect_eq "another user reads a 600 segment" "denied" \
	"$(as 1235 'cat "$1/u1"' | grep -q 'Permission denied' && echo denied)"
expect_eq "the owner reads a 600 segment" "mine" "$(as 1234 'cat "$1/u1"')"
expect_eq "a user gives a segment away" "refused" \
	"$(as 1234 'chown 1235 "$1/u1"' | grep -q 'Operation not permitted' && echo refused)"
expect_eq "a user sets the capacity of a segment of another" "denied" \
	"$(as 1235 'setfattr -n user.mmf.capacity -v 4096 "$1/u1"' | grep -q 'Permission denied' && echo denied)"
as 1234 'setfattr -n user.mmf.capacity -v 4096 "$1/u1"' || fail "the owner could not set the capacity"
expect_eq "the owner's capacity" "4096" "$(getfattr --absolute-names --only-values -n user.mmf.capacity "$MNT/u1")"
expect_eq "the owner removes the segment" "" "$(as 1234 'rm "$1/u1"')"
[ -e "$MNT/u1" ] && fail "u1 still there after its owner removed it"
expect_eq "root's own segment" "0:0" "$(echo root >"$MNT/r" && stat -c %u:%g "$MNT/r")"
mmfs_stop
finish
