#!/bin/sh
# full_backing.sh - running out of room yields ENOSPC to the writer, changes nothing (no partial write, no
# half line, old bytes intact), and the daemon goes on serving: first a full pool (-o size=), then, as root, a
# full backing filesystem (a 1 MiB tmpfs mounted as the backing's parent, unmounted after mmfs at exit).
# shellcheck disable=SC2119 source-path=SCRIPTDIR source=lib.sh
. "${0%/*}/lib.sh"


# write_at FILE OFFSET COUNT BYTE: one pwrite() of COUNT times BYTE; prints OK, "short N" or the errno name.
write_at() {
	py_errno 'fd=os.open(p, os.O_CREAT|os.O_WRONLY, 0o644); n=os.pwrite(fd, b[:1].encode()*int(c), int(o)); n==int(c) or print("short", n)' \
		p="$1" o="$2" c="$3" b="$4"
}
# append FILE COUNT: one O_APPEND write() of COUNT bytes 'y'.
append() {
	py_errno 'fd=os.open(p, os.O_CREAT|os.O_WRONLY|os.O_APPEND, 0o644); n=os.write(fd, b"y"*int(c)); n==int(c) or print("short", n)' \
		p="$1" c="$2"
}
# random_file FILE BYTES: BYTES random bytes written with one write() (whole pages stay in the kernel's cache).
random_file() {
	head -c "$2" /dev/urandom >"$WORK/random"
	python3 -c 'import os,sys; fd=os.open(sys.argv[1], os.O_CREAT|os.O_WRONLY|os.O_TRUNC, 0o644); d=open(sys.argv[2], "rb").read(); n=os.write(fd, d); print("OK" if n==len(d) else "short %d" % n)' \
		"$1" "$WORK/random" 2>&1
}
size() { stat -c %s "$1" 2>&1; }
same() { cmp -s "$1" "$2" && echo same || echo "differs: $(cmp "$1" "$2" 2>&1 | head -n 1)"; }
LINE=$(printf 'line %09d %084d' 999999999 0)

# lines FILE: appends numbered 100-byte lines to FILE, one write() each, until one fails; prints what stopped it
# ("ENOSPC N": N lines acknowledged), then OK if the file holds exactly those N whole lines, or what it holds.
lines() {
	python3 - "$1" <<'PY'
import errno, os, sys
path = sys.argv[1]
fd = os.open(path, os.O_CREAT | os.O_WRONLY | os.O_APPEND, 0o644)
line = lambda i: b"line %09d " % i + b"0" * 84 + b"\n"
n = 0
while n < 10**6:
    try:
        w = os.write(fd, line(n))
        if w != 100:
            print("short write of line %d: %d bytes" % (n, w))
            break
    except OSError as e:
        print(errno.errorcode.get(e.errno, e.errno), n)
        break
    n += 1
os.close(fd)
data = open(path, "rb").read()
want = b"".join(line(i) for i in range(n))
print("OK" if data == want else "expected %d whole lines (%d bytes), saw %d bytes ending %r" % (n, len(want), len(data), data[-40:]))
PY
}

# check_still_serving WHERE: the daemon answers ordinary calls that need no more room after the ENOSPC.
check_still_serving() {
	mkdir "$MNT/dir.$1" || fail "mkdir after ENOSPC ($1)"
	: >"$MNT/dir.$1/new" || fail "an empty new segment after ENOSPC ($1)"
	mv "$MNT/dir.$1/new" "$MNT/dir.$1/renamed" || fail "rename after ENOSPC ($1)"
	setfattr -n user.after -v enospc "$MNT/dir.$1/renamed" || fail "setfattr after ENOSPC ($1)"
	expect_eq "attribute read back after ENOSPC ($1)" "enospc" \
		"$(getfattr --absolute-names --only-values -n user.after "$MNT/dir.$1/renamed" 2>&1)"
	rm -r "$MNT/dir.$1" || fail "rm -r after ENOSPC ($1)"
	expect_eq "one byte overwritten in place after ENOSPC ($1)" "OK" "$(write_at "$MNT/a" 0 1 Q)"
	expect_eq "one byte overwritten in place after ENOSPC, reference ($1)" "OK" "$(write_at "$WORK/a" 0 1 Q)"
	expect_eq "read after ENOSPC ($1)" "same" "$(same "$WORK/a" "$MNT/a")"
}

# --- A full pool: -o size=256k (64 pages). a takes 49 whole pages.
umask 022
mmfs_start -o size=256k
expect_eq "200704 bytes into a 262144-byte pool" "OK" "$(random_file "$MNT/a" 200704)"
cp "$WORK/random" "$WORK/a"
used=$(df_bytes "$MNT" used)
expect_eq "append 100000 bytes past the pool" "ENOSPC" "$(append "$MNT/a" 100000)"
expect_eq "pwrite over the last 13 pages and past the pool" "ENOSPC" "$(write_at "$MNT/a" 147456 120000 X)"
expect_eq "truncate past the pool" "ENOSPC" "$(py_errno 'os.truncate(p, 300000)' p="$MNT/a")"
expect_eq "content after the refused writes (pool)" "same" "$(same "$WORK/a" "$MNT/a")"
expect_eq "length after the refused writes (pool)" "200704" "$(size "$MNT/a")"
expect_eq "a new segment's write past the pool" "ENOSPC" "$(write_at "$MNT/b" 0 100000 b)"
expect_eq "length of the new segment" "0" "$(size "$MNT/b")"
expect_eq "df used after the refused writes (pool)" "$used" "$(df_bytes "$MNT" used)"
# Lines until the pool is full, 2000 bytes of it taken by pad: the refused line lies inside one page.
expect_eq "pad" "OK" "$(random_file "$MNT/pad" 2000)"
expect_eq "line appender into the pool: stops on ENOSPC, every acknowledged line whole" \
	"ENOSPC 594 OK" "$(lines "$MNT/lines" | tr '\n' ' ' | sed 's/ $//')"
cp "$MNT/lines" "$WORK/lines"
expect_eq "shell echo >> into the full pool" "failed" \
	"$( (echo "$LINE" >>"$MNT/lines") 2>/dev/null && echo succeeded || echo failed)"
expect_eq "lines after the refused echo" "same" "$(same "$WORK/lines" "$MNT/lines")"
check_still_serving pool
# Now without pad: the refused line is [61400, 61500), across the page boundary at 61440 of a page the kernel
# holds partly written; the contract still wants ENOSPC and no half line.
rm "$MNT/pad" "$MNT/lines" "$MNT/b"
expect_eq "line appender into the pool, the refused line across a page boundary" \
	"ENOSPC 614 OK" "$(lines "$MNT/lines" | tr '\n' ' ' | sed 's/ $//')"
rm "$MNT/lines"
expect_eq "append after rm gave space back (pool)" "OK" "$(append "$MNT/a" 50000)"
expect_eq "length after that append" "250704" "$(size "$MNT/a")"
mmfs_stop
rm -rf "$BACKING"
BACKING=""

# --- A full backing filesystem: the backing directory inside a 1 MiB (256-page) tmpfs; the pool is large.
if [ "$(id -u)" -ne 0 ]; then
	echo "full_backing: SKIP the full backing filesystem part (mounting a tmpfs needs root)"
	finish
fi
mount_small_tmpfs 1m || {
	fail "mount a 1 MiB tmpfs on $SMALL"
	finish
}
BACKING="$SMALL/backing"
mmfs_start
expect_eq "696320 bytes (170 pages) into a 1 MiB backing filesystem" "OK" "$(random_file "$MNT/a" 696320)"
cp "$WORK/random" "$WORK/a"
used=$(df_bytes "$MNT" used)
backing_used=$(df_bytes "$SMALL" used)
expect_eq "append 400000 bytes past the backing filesystem" "ENOSPC" "$(append "$MNT/a" 400000)"
expect_eq "content after the refused append (backing)" "same" "$(same "$WORK/a" "$MNT/a")"
expect_eq "length after the refused append (backing)" "696320" "$(size "$MNT/a")"
expect_eq "a new segment's write past the backing filesystem" "ENOSPC" "$(write_at "$MNT/b" 0 400000 b)"
expect_eq "length of the new segment (backing)" "0" "$(size "$MNT/b")"
expect_eq "df used of mmfs after the refused writes (backing)" "$used" "$(df_bytes "$MNT" used)"
expect_eq "df used of the backing filesystem after the refused writes" "$backing_used" "$(df_bytes "$SMALL" used)"
# One pwrite() over the last 30 pages of a and on past the backing's end: refused, the old bytes must stay.
expect_eq "pwrite over the tail and past the backing filesystem" "ENOSPC" "$(write_at "$MNT/a" 573440 600000 X)"
expect_eq "length after the refused overwrite (backing)" "696320" "$(size "$MNT/a")"
expect_eq "content after the refused overwrite (backing): the old tail intact" "same" "$(same "$WORK/a" "$MNT/a")"
cp "$MNT/a" "$WORK/a"
expect_eq "df used of the backing filesystem after the refused overwrite" "$backing_used" "$(df_bytes "$SMALL" used)"
# Lines until the backing is full: the refused line is the one that needs a new page, so it always starts in
# the last page, partly written: ENOSPC and no half line, as for the pool.
expect_eq "line appender on the backing filesystem: stops on ENOSPC, every acknowledged line whole" \
	"ENOSPC 3522 OK" "$(lines "$MNT/lines" | tr '\n' ' ' | sed 's/ $//')"
cp "$MNT/lines" "$WORK/lines"
expect_eq "shell echo >> into the full backing filesystem" "failed" \
	"$( (echo "$LINE" >>"$MNT/lines") 2>/dev/null && echo succeeded || echo failed)"
expect_eq "lines after the refused echo (backing)" "same" "$(same "$WORK/lines" "$MNT/lines")"
check_still_serving backing
rm "$MNT/b"
# The state is kept across a restart, and space comes back with rm.
mmfs_stop
mmfs_start
expect_eq "a after a restart on the full backing filesystem" "same" "$(same "$WORK/a" "$MNT/a")"
expect_eq "lines after a restart on the full backing filesystem" "same" "$(same "$WORK/lines" "$MNT/lines")"
rm "$MNT/a" "$MNT/lines"
expect_eq "a 400000-byte write after rm gave the space back" "OK" "$(write_at "$MNT/c" 0 400000 c)"
expect_eq "its length" "400000" "$(size "$MNT/c")"
mmfs_stop

# --- Blocks allocated ahead of a sequential writer (-o prealloc) are given back when the backing filesystem is
# full, so they are never why a write fails: with a writer holding blocks ahead, another segment still gets
# all the room there is. The tmpfs grows to 24 MiB for this.
mount -o remount,size=24m "$SMALL" || fail "remount $SMALL with 24 MiB"
mmfs_start
hold_writer "$MNT/ahead" 6
# The whole default window (8 MiB) past the 6 MiB written: until then the allocating thread is still at work,
# and the room measured below (two readings, one after the other) would count blocks it takes in between.
# shellcheck disable=SC2317 # run by wait_for
ahead() { [ "$(allocated ahead)" -ge $((14 << 20)) ]; }
wait_for ahead || fail "expected 14 MiB allocated for ahead (6 written, 8 ahead), saw $(allocated ahead)"
# Everything the backing filesystem has left, and what ahead holds past its end, less 256 KiB of slack.
room=$(($(df_bytes "$SMALL" avail) + $(allocated ahead) - (6 << 20) - (256 << 10)))
expect_eq "a second segment fills the room, blocks held ahead included" "OK" \
	"$(py_errno 'fd=os.open(p, os.O_CREAT|os.O_WRONLY, 0o644)
n = int(r)
while n > 0:
    n -= os.write(fd, b"f" * min(n, 1 << 20))' p="$MNT/fill" r="$room")"
expect_eq "its length" "$room" "$(size "$MNT/fill")"
expect_eq "blocks of ahead once the room was needed" $((6 << 20)) "$(allocated ahead)"
# An rm gives the room back before it returns, as on tmpfs: the room the backing file system has, read in the
# same process right after the unlink, counts fill's blocks. (The daemon used to keep its descriptor until the
# kernel's FORGET, which comes after the unlink has returned, and at times 8 requests later.)
expect_eq "room on the backing file system right after fill's unlink" "freed" \
	"$("$PYTHON" -c 'import os, sys
before = os.statvfs(sys.argv[2])
os.unlink(sys.argv[1])
after = os.statvfs(sys.argv[2])
freed = (after.f_bfree - before.f_bfree) * after.f_frsize
print("freed" if freed >= int(sys.argv[3]) - (64 << 10) else "freed only %d of %s bytes" % (freed, sys.argv[3]))' \
		"$MNT/fill" "$SMALL" "$room")"
kill -KILL "$WRITER"
wait "$WRITER" 2>/dev/null
mmfs_stop
finish
