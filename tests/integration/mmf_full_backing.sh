#!/bin/sh
# mmf_full_backing.sh - mmf write (overwrite) on a mount whose backing file system is full while its pool is not:
# the kernel cuts a write of more than 1 MiB into several requests, yet the overwrite is refused whole, says
# that the backing file system is what is full (statvfs on the mount caps the room at what the backing has
# left, and df shows it), and leaves the old content, length and used room as they were. Needs root (it mounts a 4 MiB tmpfs under $WORK as the backing's parent, unmounted after mmfs at exit).
# shellcheck disable=SC2119,SC2016 source-path=SCRIPTDIR source=lib.sh
. "${0%/*}/lib.sh"
# shellcheck source-path=SCRIPTDIR source=mmf_lib.sh
. "${0%/*}/mmf_lib.sh"

if [ "$(id -u)" -ne 0 ]; then
	echo "SKIP: mounting a tmpfs as the backing file system needs root" >&2
	exit 77
fi
require_fuse


full="mmf: S: no space left on the backing file system of the mmfs mount (nothing written)"

mount_small_tmpfs 4m || {
	fail "mount a 4 MiB tmpfs on $SMALL"
	finish
}
BACKING="$SMALL/backing"
# The pool (unlimited by default here) has room to spare: only the backing file system runs out.
mmfs_start
export MMF_MOUNT="$MNT"
"$MMF" new S --size 4m || fail "mmf new S"
printf 'precious data\n' >"$WORK/old"
"$MMF" write S <"$WORK/old" || fail "mmf write S"
# 3,000,000 bytes of filler leave about 1.1 MB of the 4 MiB backing: less than the new content, more than the
# first 1 MiB request of it.
head -c 3000000 /dev/zero >"$MNT/filler" || fail "write the filler"
head -c 2000000 /dev/zero | tr '\0' b >"$WORK/2000k"
used=$(df_bytes "$MNT" used)
backing_used=$(df_bytes "$SMALL" used)
# df on the mount: the pool's size (unlimited here: far more than 4 MiB), but only the room the backing has.
[ "$(df_bytes "$MNT" size)" -gt $((64 << 20)) ] || fail "df size of the mount is not the pool's: $(df_bytes "$MNT" size)"
[ "$(df_bytes "$MNT" avail)" -le "$(df_bytes "$SMALL" avail)" ] ||
	fail "df avail of the mount ($(df_bytes "$MNT" avail)) is more than its backing has ($(df_bytes "$SMALL" avail))"
check "overwrite past the backing file system" 1 "$full" sh -c '"$0" write S <"$1"' "$MMF" "$WORK/2000k"
expect_eq "length after the refused overwrite" "14" "$(stat -c %s "$MNT/S")"
cmp -s "$WORK/old" "$MNT/S" || fail "the old content stays after the refused overwrite: saw [$(head -c 20 "$MNT/S")]"
expect_eq "mmfs df used after the refused overwrite" "$used" "$(df_bytes "$MNT" used)"
expect_eq "backing df used after the refused overwrite" "$backing_used" "$(df_bytes "$SMALL" used)"
# An append of the same is refused whole as well, before the kernel's first 1 MiB request could land.
check "append past the backing file system" 1 "$full" sh -c '"$0" write --append S <"$1"' "$MMF" "$WORK/2000k"
cmp -s "$WORK/old" "$MNT/S" || fail "the old content stays after the refused append: saw $(stat -c %s "$MNT/S") bytes"

# A longer old length the backing file system could not back cannot be made behind mmf's back either: mmfs
# gives a segment's growth its blocks at once, so the truncate itself is refused (reserve_backing.sh), and an
# overwrite never meets such a hole.
expect_eq "truncate S past the backing file system" "failed" \
	"$(truncate -s 2000000 "$MNT/S" 2>/dev/null && echo succeeded || echo failed)"
expect_eq "length after the refused truncate" "14" "$(stat -c %s "$MNT/S")"
cmp -s "$WORK/old" "$MNT/S" || fail "the old content stays after the refused truncate"

# With room again, the same overwrite goes through.
rm "$MNT/filler"
check "overwrite once the backing file system has room" 0 "" sh -c '"$0" write S <"$1"' "$MMF" "$WORK/2000k"
cmp -s "$WORK/2000k" "$MNT/S" || fail "the segment holds the new content"
check "a shorter overwrite after it" 0 "" sh -c '"$0" write S <"$1"' "$MMF" "$WORK/old"
cmp -s "$WORK/old" "$MNT/S" || fail "a shorter overwrite leaves no old tail"

mmfs_stop
finish
