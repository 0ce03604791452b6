#!/bin/sh
# pool.sh - the pool limits: ENOSPC past -o size= (logical length, holes included) with nothing changed, space
# given back by rm and shrinking; ENOSPC on create once nr_segments inodes are used up, nothing created.
# shellcheck disable=SC2119 source-path=SCRIPTDIR source=lib.sh
. "${0%/*}/lib.sh"

# write_at FILE OFFSET BYTES: one pwrite() of BYTES bytes 'p' (creating FILE); prints OK or the errno name.
write_at() { py_errno 'fd=os.open(p, os.O_CREAT|os.O_WRONLY, 0o644); n=os.pwrite(fd, b"p"*int(c), int(o)); os.close(fd); n==int(c) or print("short", n)' p="$1" o="$2" c="$3"; }
size() { stat -c %s "$1"; }

mmfs_start -o size=64k
a="$MNT/a" b="$MNT/b" c="$MNT/c"

expect_eq "write 40000 bytes into a 65536-byte pool" "OK" "$(write_at "$a" 0 40000)"
cp "$a" "$WORK/a"
expect_eq "write 30000 more bytes (5464 past the pool)" "ENOSPC" "$(write_at "$b" 0 30000)"
expect_eq "length after the refused write" "0" "$(size "$b")"
expect_eq "shell write past the pool fails" "failed" \
	"$( (head -c 30000 /dev/zero >"$c") 2>/dev/null && echo succeeded || echo failed)"
rm -f "$c"
cmp -s "$WORK/a" "$a" || fail "other segment changed by a refused write"
expect_eq "fill the pool exactly (25536 bytes)" "OK" "$(write_at "$b" 0 25536)"
expect_eq "one byte into a full pool" "ENOSPC" "$(write_at "$c" 0 1)"
expect_eq "truncate to grow in a full pool" "ENOSPC" "$(py_errno 'os.truncate(p, 40001)' p="$a")"
expect_eq "length after the refused truncate" "40000" "$(size "$a")"
cmp -s "$WORK/a" "$a" || fail "content changed by a refused truncate"
expect_eq "overwrite inside a full pool needs no space" "OK" "$(write_at "$a" 100 1000)"

# Space comes back when a segment goes or shrinks.
rm "$b"
expect_eq "write 25536 bytes after rm" "OK" "$(write_at "$c" 0 25536)"
expect_eq "one byte more" "ENOSPC" "$(write_at "$MNT/d" 0 1)"
expect_eq "shrink a to 10000" "OK" "$(py_errno 'os.truncate(p, 10000)' p="$a")"
# Holes count: a sparse segment of 30000 bytes takes 30000 from the pool.
expect_eq "sparse truncate to 30000 (fits exactly)" "OK" "$(py_errno 'os.truncate(p, 30000)' p="$MNT/d")"
expect_eq "sparse truncate one byte further" "ENOSPC" "$(py_errno 'os.truncate(p, 30001)' p="$MNT/d")"
expect_eq "write past the end of a sparse segment" "ENOSPC" "$(write_at "$MNT/d" 30000 1)"
expect_eq "length of the sparse segment" "30000" "$(size "$MNT/d")"

# Room kept past the end (FALLOC_FL_KEEP_SIZE) would be memory the pool does not count: refused whole.
rm -f "$MNT"/*
used=$(stat -f -c %b-%f "$MNT")
printf 'abc' >"$a"
expect_eq "fallocate -n past the end" "failed" "$(fallocate -n -l 200000 "$a" 2>/dev/null && echo ok || echo failed)"
# EOPNOTSUPP is ENOTSUP on Linux, and Python names the number ENOTSUP.
expect_eq "fallocate -n past the end: errno" "ENOTSUP" \
	"$(py_errno 'import ctypes; fd=os.open(p, os.O_RDWR); r=ctypes.CDLL(None, use_errno=True).fallocate(fd, 1, ctypes.c_long(0), ctypes.c_long(200000)); r == 0 or (_ for _ in ()).throw(OSError(ctypes.get_errno(), "fallocate"))' p="$a")"
expect_eq "length after the refused fallocate -n" "3" "$(size "$a")"
expect_eq "backing memory after it (under 100 KiB)" "yes" "$([ "$(du -sk "$BACKING" | cut -f1)" -lt 100 ] && echo yes)"
expect_eq "fallocate -n within the length" "ok" "$(fallocate -n -l 3 "$a" 2>/dev/null && echo ok || echo failed)"
setfattr -n user.mmf.capacity -v 4096 "$a"
expect_eq "fallocate -n past the capacity" "EFBIG" \
	"$(py_errno 'import ctypes; fd=os.open(p, os.O_RDWR); r=ctypes.CDLL(None, use_errno=True).fallocate(fd, 1, ctypes.c_long(0), ctypes.c_long(8192)); r == 0 or (_ for _ in ()).throw(OSError(ctypes.get_errno(), "fallocate"))' p="$a")"
rm -f "$a"

# A transient segment is gone at its last close, but the kernel may still hold its name for a moment and
# send a truncate by it: that must fail and leave the pool's count alone (it once wrapped below zero, and
# every later write on the mount failed with ENOSPC).
tries=0
while [ "$tries" -lt 30 ]; do
	py_errno 'fd=os.open(p, os.O_CREAT|os.O_WRONLY, 0o644); os.write(fd, b"t"*8192); os.setxattr(p, "user.mmf.lifetime", b"transient"); os.close(fd)
try: os.truncate(p, 100)
except FileNotFoundError: pass' p="$MNT/t" >/dev/null
	tries=$((tries + 1))
done
expect_eq "pool in use after 30 truncates racing a transient removal" "$used" "$(stat -f -c %b-%f "$MNT")"
expect_eq "a write after them" "OK" "$(write_at "$b" 0 1000)"
mmfs_stop

# Inodes: nr_segments caps files + directories + links; create past it is ENOSPC and creates nothing.
rm -rf "$BACKING"
BACKING=""
mmfs_start -o nr_segments=8
total=$(stat -f -c %c "$MNT")
free=$(stat -f -c %d "$MNT")
expect_eq "inodes in statfs with nr_segments=8" "8" "$total"
made=0
while [ "$made" -lt 20 ]; do
	r=$(py_errno 'os.close(os.open(p, os.O_CREAT|os.O_WRONLY, 0o644))' p="$MNT/f$made")
	[ "$r" = OK ] || break
	made=$((made + 1))
done
expect_eq "files created until the inodes ran out" "$free" "$made"
expect_eq "errno of the create past nr_segments" "ENOSPC" "$r"
[ -e "$MNT/f$made" ] && fail "the refused file exists"
expect_eq "free inodes when full" "0" "$(stat -f -c %d "$MNT")"
expect_eq "mkdir when no inode is left" "ENOSPC" "$(py_errno 'os.mkdir(p)' p="$MNT/dir")"
expect_eq "symlink when no inode is left" "ENOSPC" "$(py_errno 'os.symlink("f0", p)' p="$MNT/sym")"
expect_eq "mkfifo when no inode is left" "ENOSPC" "$(py_errno 'os.mkfifo(p)' p="$MNT/fifo")"
expect_eq "shell > when no inode is left" "failed" "$( (: >"$MNT/shell") 2>/dev/null && echo succeeded || echo failed)"
expect_eq "entries after the refused creates" "$made" "$(find "$MNT" -mindepth 1 | wc -l)"
echo data >"$MNT/f0" || fail "writing an existing file when no inode is left"
rm "$MNT/f1"
expect_eq "create after rm gave an inode back" "OK" "$(py_errno 'os.mkdir(p)' p="$MNT/dir")"
expect_eq "and the pool is full again" "ENOSPC" "$(py_errno 'os.close(os.open(p, os.O_CREAT|os.O_WRONLY, 0o644))' p="$MNT/again")"
mmfs_stop
finish
