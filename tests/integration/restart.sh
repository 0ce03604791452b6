#!/bin/sh
# restart.sh - after the daemon is SIGKILLed, starting it again on the same backing brings back every segment
# with every byte, its capacity, mode, owner, times and user attributes, plus directories (the root's mode and
# owner included) and links.
# shellcheck disable=SC2119 source-path=SCRIPTDIR source=lib.sh
. "${0%/*}/lib.sh"

umask 022
mmfs_start
mkdir -p "$WORK/ref" "$MNT/dir/sub"
printf 'Process A says: Hello World!\n' >"$MNT/text"
head -c 300000 /dev/urandom >"$WORK/ref/bin"
cp "$WORK/ref/bin" "$MNT/dir/sub/bin"
: >"$MNT/empty"
truncate -s 70000 "$MNT/sparse"
printf 'tail' >>"$MNT/sparse"
setfattr -n user.mmf.capacity -v 1m "$MNT/text"
setfattr -n user.mmf.capacity -v 300000 "$MNT/dir/sub/bin"
setfattr -n user.note -v "remember me" "$MNT/text"
chmod 640 "$MNT/dir/sub/bin"
chown 1234:5678 "$MNT/dir/sub/bin"
chmod 700 "$MNT/dir/sub"
chown 42:43 "$MNT/dir"
touch -d '2001-02-03 04:05:06 UTC' "$MNT/empty"
ln -s dir/sub/bin "$MNT/link"
ln "$MNT/text" "$MNT/hard"
mkfifo "$MNT/fifo"
# Bytes written through a descriptor that stays open at the crash (write() returned: they must be back).
exec 3>"$MNT/open"
printf 'acknowledged' >&3
cp "$MNT/text" "$WORK/ref/text"
cp "$MNT/sparse" "$WORK/ref/sparse"

state() {
	# name type size mode owner nlink for every entry, sorted.
	(cd "$MNT" && find . -mindepth 1 -printf '%p %y %s %m %U:%G %n\n') | sort
}
mtimes() {
	# the mtime of every segment, to the nanosecond.
	(cd "$MNT" && find . -type f -printf '%p %T@\n') | sort
}
before=$(state)
exec 3>&-
mtimes_before=$(mtimes)
exec 3>"$MNT/open2"
printf 'also acknowledged' >&3

mmfs_crash
exec 3>&-
mmfs_start

after=$(state)
expect_eq "entries, types, sizes, modes, owners and link counts after a crash" \
	"$(printf '%s\n./open2 f 17 644 0:0 1\n' "$before" | sort)" "$after"
expect_eq "mtimes of the segments after a crash" "$mtimes_before" "$(mtimes | grep -v '^\./open2 ')"
cmp -s "$WORK/ref/text" "$MNT/text" || fail "text differs after restart"
cmp -s "$WORK/ref/bin" "$MNT/dir/sub/bin" || fail "300000 random bytes differ after restart"
cmp -s "$WORK/ref/sparse" "$MNT/sparse" || fail "sparse segment differs after restart"
expect_eq "segment written before the crash, still open" "acknowledged" "$(cat "$MNT/open")"
expect_eq "segment written while open at the crash" "also acknowledged" "$(cat "$MNT/open2")"
expect_eq "capacity of text after restart" "1048576" "$(getfattr --absolute-names --only-values -n user.mmf.capacity "$MNT/text")"
expect_eq "capacity of bin after restart" "300000" "$(getfattr --absolute-names --only-values -n user.mmf.capacity "$MNT/dir/sub/bin")"
expect_eq "capacity of empty after restart" "unlimited" "$(getfattr --absolute-names --only-values -n user.mmf.capacity "$MNT/empty")"
expect_eq "capacity still enforced after restart" "EFBIG" \
	"$(py_errno 'fd=os.open(p, os.O_WRONLY|os.O_APPEND); os.write(fd, b"x")' p="$MNT/dir/sub/bin")"
expect_eq "user attribute after restart" "remember me" "$(getfattr --absolute-names --only-values -n user.note "$MNT/text")"
expect_eq "mtime after restart" "981173106" "$(stat -c %Y "$MNT/empty")"
expect_eq "symlink target after restart" "dir/sub/bin" "$(readlink "$MNT/link")"
expect_eq "hard link shares its inode after restart" "$(stat -c %i "$MNT/text")" "$(stat -c %i "$MNT/hard")"
echo "one more" >>"$MNT/hard"
expect_eq "write through one hard link seen through the other after restart" \
	"Process A says: Hello World!
one more" "$(cat "$MNT/text")"

# A segment only created keeps the times it was made with (they were the daemon's clock, not the backing
# file's), and one read after its access time was set keeps that access time (reads of the backing file used
# to move it): exact, across a crash and a clean stop.
: >"$MNT/fresh"
printf x >"$MNT/read"
touch -a -d '2001-02-03 04:05:06.789' "$MNT/read"
cat "$MNT/read" >/dev/null
sleep 0.05
cat "$MNT/read" >/dev/null
times_of() { stat -c '%n %x %y' "$MNT/fresh" "$MNT/read"; }
times_before=$(times_of)
expect_eq "access time after reads" "2001-02-03 04:05:06.789000000" "$(stat -c %x "$MNT/read" | cut -d' ' -f1,2)"

# A second crash and restart, and a clean stop and start, change nothing either.
before=$(state)
mtimes_before=$(mtimes)
mmfs_crash
mmfs_start
expect_eq "entries after a second crash" "$before" "$(state)"
expect_eq "mtimes after a second crash (the last write was through a hard link)" "$mtimes_before" "$(mtimes)"
expect_eq "times of a created and of a read segment after a crash" "$times_before" "$(times_of)"
mmfs_stop
mmfs_start
expect_eq "entries after a clean stop and start" "$before" "$(state)"
expect_eq "mtimes after a clean stop and start" "$mtimes_before" "$(mtimes)"
expect_eq "times of a created and of a read segment after a clean stop" "$times_before" "$(times_of)"
cmp -s "$WORK/ref/bin" "$MNT/dir/sub/bin" || fail "random bytes differ after the second restart"

# The root of the mount keeps a chmod and a chown too, across a crash and a clean stop; the backing
# directory stays the daemon's own.
chmod 751 "$MNT"
chown 42:43 "$MNT"
mmfs_crash
mmfs_start
expect_eq "mode and owner of the root after a crash" "751 42:43" "$(stat -c '%a %u:%g' "$MNT")"
mmfs_stop
mmfs_start
expect_eq "mode and owner of the root after a clean stop" "751 42:43" "$(stat -c '%a %u:%g' "$MNT")"
expect_eq "the backing directory" "700 $(id -u):$(id -g)" "$(stat -c '%a %u:%g' "$BACKING")"
chmod 755 "$MNT"
chown 0:0 "$MNT"
mmfs_stop

# Plain segments carry their metadata on the backing inode (their mode plus the sticky bit, no record),
# whatever umask the daemon was started with; others get a record. A file planted with that mark is taken
# with its own mode; the planted file without it (backing_safety.sh) stays private.
umask 077
mmfs_start
umask 022
"$PYTHON" -c '
import os, sys
os.umask(0)
for name, mode in (("plain", 0o644), ("shared", 0o666), ("setgid", 0o2755), ("read-only", 0o444)):
    os.close(os.open(os.path.join(sys.argv[1], name), os.O_CREAT | os.O_WRONLY, mode))
' "$MNT"
# record NAME: whether NAME's backing file has a metadata record.
record() {
	getfattr --absolute-names --only-values -n user.mmf.meta "$BACKING/$1" >/dev/null 2>&1 && echo record || echo none
}
expect_eq "backing inodes of plain segments" "1644 none|1666 none" \
	"$(stat -c %a "$BACKING/plain") $(record plain)|$(stat -c %a "$BACKING/shared") $(record shared)"
expect_eq "set-group-ID and read-only segments have a record" "record record" "$(record setgid) $(record read-only)"
printf 'planted' >"$BACKING/planted"
chmod 1640 "$BACKING/planted"
mmfs_crash
mmfs_start
expect_eq "modes after a restart" "644 666 2755 444 640" \
	"$(cd "$MNT" && stat -c %a plain shared setgid read-only planted | paste -sd' ')"
expect_eq "the planted marked file, owned as planted" "$(id -u):$(id -g) planted" \
	"$(stat -c %u:%g "$MNT/planted") $(cat "$MNT/planted")"
mmfs_stop

# A segment with a hole inside its length in the backing directory (left by an older mmfs, or copied there
# sparse) has the hole backed at the start, as growth is, so that stores into it are never lost at writeback
# to a full backing file system; its bytes and times stay as they were.
{ printf 'head'; head -c 1048572 /dev/zero; printf 'tail'; } >"$WORK/ref/sparse"
printf 'head' >"$BACKING/sparse"
truncate -s 1048580 "$BACKING/sparse"
printf 'tail' | dd of="$BACKING/sparse" bs=1 seek=1048576 conv=notrunc status=none
touch -d '2001-01-01 00:00:00 UTC' "$BACKING/sparse"
[ "$(allocated sparse)" -lt 1048576 ] || fail "the planted sparse file has no hole: $(allocated sparse) bytes of blocks"
mmfs_start
[ "$(allocated sparse)" -ge 1048580 ] || fail "the sparse segment's hole is still there after a start: $(allocated sparse) bytes of blocks"
cmp -s "$WORK/ref/sparse" "$MNT/sparse" || fail "the sparse segment's bytes changed at the start"
expect_eq "the sparse segment's mtime after the start" "978307200" "$(stat -c %Y "$MNT/sparse")"
mmfs_stop
finish
