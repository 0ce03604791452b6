#!/bin/sh
# basic_ops.sh - every ordinary operation through ordinary programs: create, write, append, read, stat
# (length, owner, mode, times), touch -d/-m, chmod, chown, truncate, mkdir, rmdir, unlink, fsync.
# shellcheck disable=SC2119 source-path=SCRIPTDIR source=lib.sh
. "${0%/*}/lib.sh"

umask 022
mmfs_start

f="$MNT/seg"

# Create with > and with touch: a new empty regular file, owned by the caller, mode from the umask.
t0=$(date +%s)
: >"$f"
touch "$MNT/touched"
t1=$(date +%s)
expect_eq "> creates a regular file" "regular empty file" "$(stat -c %F "$f")"
expect_eq "touch creates a regular file" "regular empty file" "$(stat -c %F "$MNT/touched")"
expect_eq "owner of a new file" "0:0" "$(stat -c %u:%g "$f")"
expect_eq "mode of a new file (umask 022)" "644" "$(stat -c %a "$f")"
expect_eq "length of a new file" "0" "$(stat -c %s "$f")"
for t in X Y Z; do
	v=$(stat -c "%$t" "$MNT/touched")
	if [ "$v" -lt "$t0" ] || [ "$v" -gt "$t1" ]; then
		fail "time %$t of a new file: expected between $t0 and $t1, saw $v"
	fi
done

# Write, read back, exact length (no page rounding).
printf 'hello' >"$f"
expect_eq "cat after write" "hello" "$(cat "$f")"
expect_eq "length after writing 5 bytes" "5" "$(stat -c %s "$f")"
printf 'abc' >"$f"
expect_eq "> overwrites and truncates" "abc" "$(cat "$f")"
expect_eq "length after overwrite" "3" "$(stat -c %s "$f")"

# Append with >>.
printf 'def' >>"$f"
printf 'ghi\n' >>"$f"
expect_eq "cat after two appends" "abcdefghi" "$(cat "$f")"
expect_eq "length after appends" "10" "$(stat -c %s "$f")"

# touch -d sets both times; touch -m changes mtime only and leaves atime alone.
touch -d '2001-02-03 04:05:06 UTC' "$f"
expect_eq "atime after touch -d" "981173106" "$(stat -c %X "$f")"
expect_eq "mtime after touch -d" "981173106" "$(stat -c %Y "$f")"
touch -m -d '2010-01-01 00:00:00 UTC' "$f"
expect_eq "mtime after touch -m -d" "1262304000" "$(stat -c %Y "$f")"
expect_eq "atime untouched by touch -m" "981173106" "$(stat -c %X "$f")"
touch -a -d '2005-05-05 05:05:05 UTC' "$f"
expect_eq "atime after touch -a -d" "1115269505" "$(stat -c %X "$f")"
expect_eq "mtime untouched by touch -a" "1262304000" "$(stat -c %Y "$f")"
expect_eq "nanoseconds kept by touch -d" "2001-02-03 04:05:06.123456789 +0000" \
	"$(touch -d '2001-02-03 04:05:06.123456789 UTC' "$f" && TZ=UTC stat -c %y "$f")"

# A write moves mtime and ctime to now. "Now" is read from the kernel's file clock on tmpfs, where the backing
# files live: it runs up to a tick behind date(1), so a write just after a second boundary may be stamped
# with the second before it, on tmpfs as on mmfs.
kernel_now() {
	marker=$(mktemp /dev/shm/mmfs-test-clock.XXXXXX)
	stat -c %Y "$marker"
	rm -f "$marker"
}
# moves_times WHAT COMMAND...: runs COMMAND and checks that it set the mtime and ctime of $f to now.
moves_times() {
	what=$1
	shift
	t0=$(kernel_now)
	"$@"
	t1=$(kernel_now)
	for t in Y Z; do
		v=$(stat -c "%$t" "$f")
		if [ "$v" -lt "$t0" ] || [ "$v" -gt "$t1" ]; then
			fail "time %$t after $what: expected between $t0 and $t1, saw $v"
		fi
	done
}
# shellcheck disable=SC2317 # run by moves_times
append_more() { printf 'more\n' >>"$f"; }
moves_times "a write" append_more

# fallocate inside the length is a change of the content too, as on tmpfs: mtime and ctime move.
touch -d '2001-01-01 UTC' "$f"
moves_times "fallocate inside the length" fallocate -n -l 4 "$f"

# chmod, chown (as root), ctime moves.
touch -d '2001-01-01 UTC' "$f"
t0=$(date +%s)
chmod 640 "$f"
expect_eq "mode after chmod 640" "640" "$(stat -c %a "$f")"
v=$(stat -c %Z "$f")
[ "$v" -ge "$t0" ] || fail "ctime after chmod: expected at least $t0, saw $v"
chmod u+x,g+s "$f"
expect_eq "mode after chmod u+x,g+s" "2740" "$(stat -c %a "$f")"
chmod 600 "$f"
chown 1234:5678 "$f"
expect_eq "owner after chown 1234:5678" "1234:5678" "$(stat -c %u:%g "$f")"
chgrp 42 "$f"
expect_eq "owner after chgrp 42" "1234:42" "$(stat -c %u:%g "$f")"
expect_eq "mode kept by chown" "600" "$(stat -c %a "$f")"
expect_eq "content kept by chmod/chown" "abcdefghi
more" "$(cat "$f")"

# truncate: grow (zeros) and shrink.
printf '0123456789' >"$f"
truncate -s 100000 "$f"
expect_eq "length after truncate -s 100000" "100000" "$(stat -c %s "$f")"
expect_eq "head kept by growing truncate" "0123456789" "$(head -c 10 "$f")"
expect_eq "length of the grown part" "99990" "$(tail -c +11 "$f" | wc -c)"
expect_eq "non-zero bytes in the grown part" "0" "$(tail -c +11 "$f" | tr -d '\000' | wc -c)"
truncate -s 4 "$f"
expect_eq "length after truncate -s 4" "4" "$(stat -c %s "$f")"
expect_eq "content after shrinking truncate" "0123" "$(cat "$f")"
truncate -s 0 "$f"
expect_eq "length after truncate -s 0" "0" "$(stat -c %s "$f")"
expect_eq "py: ftruncate through an open file" "OK 7" \
	"$(py_errno 'fd=os.open(p, os.O_RDWR); os.ftruncate(fd, 7); os.close(fd)' p="$f") $(stat -c %s "$f")"

# fsync and fdatasync of a segment, fsync of a directory.
expect_eq "fsync and fdatasync" "OK" \
	"$(py_errno 'fd=os.open(p, os.O_RDWR); os.write(fd, b"x"); os.fsync(fd); os.fdatasync(fd); os.close(fd)' p="$f")"
expect_eq "fsync of a directory" "OK" "$(py_errno 'fd=os.open(p, os.O_RDONLY); os.fsync(fd); os.close(fd)' p="$MNT")"

# mkdir, nested, files inside; rmdir of a non-empty directory is ENOTEMPTY; rmdir, unlink.
mkdir "$MNT/dir"
expect_eq "mkdir makes a directory" "directory 755 0:0" "$(stat -c '%F %a %u:%g' "$MNT/dir")"
mkdir -p "$MNT/dir/a/b/c"
echo deep >"$MNT/dir/a/b/c/file"
expect_eq "file in a nested directory" "deep" "$(cat "$MNT/dir/a/b/c/file")"
expect_eq "rmdir of a non-empty directory" "ENOTEMPTY" "$(py_errno 'os.rmdir(p)' p="$MNT/dir/a/b/c")"
[ -f "$MNT/dir/a/b/c/file" ] || fail "file gone after a failed rmdir"
rmdir "$MNT/dir/a" 2>/dev/null && fail "rmdir(1) of a non-empty directory: expected failure, saw success"
rm "$MNT/dir/a/b/c/file"
[ -e "$MNT/dir/a/b/c/file" ] && fail "file still there after rm"
expect_eq "stat of an unlinked file" "ENOENT" "$(py_errno 'os.stat(p)' p="$MNT/dir/a/b/c/file")"
rmdir "$MNT/dir/a/b/c" || fail "rmdir of an empty directory failed"
[ -e "$MNT/dir/a/b/c" ] && fail "directory still there after rmdir"
rm -r "$MNT/dir"
[ -e "$MNT/dir" ] && fail "directory still there after rm -r"
expect_eq "nlink of the root with no subdirectory" "2" "$(stat -c %h "$MNT")"
mkdir "$MNT/d1" "$MNT/d2"
expect_eq "nlink of the root with two subdirectories" "4" "$(stat -c %h "$MNT")"

# unlink of an open file: the open handle still reads it.
echo "still here" >"$MNT/open"
exec 3<"$MNT/open"
rm "$MNT/open"
[ -e "$MNT/open" ] && fail "unlinked file still visible"
expect_eq "read through a handle opened before unlink" "still here" "$(cat <&3)"
exec 3<&-

# O_TRUNC empties a segment whatever the access mode, as on every Linux file system (the kernel has checked that
# the caller may write); O_RDONLY|O_TRUNC used to leave it whole.
printf 'hello world' >"$MNT/otrunc"
expect_eq "open O_RDONLY|O_TRUNC" "OK" "$(py_errno 'os.close(os.open(p, os.O_RDONLY|os.O_TRUNC))' p="$MNT/otrunc")"
expect_eq "length after O_RDONLY|O_TRUNC" "0" "$(stat -c %s "$MNT/otrunc")"
rm -f "$MNT/otrunc"

# shellcheck disable=SC2012 # ls is what is tested
expect_eq "ls of the root" "d1 d2 seg touched" "$(ls "$MNT" | tr '\n' ' ' | sed 's/ $//')"

mmfs_stop
finish
