#!/bin/sh
# capacity.sh - per-segment capacity: EFBIG for a write or truncate past it with the content unchanged, exactly
# at capacity works, user.mmf.capacity values (EINVAL for bad ones, old value kept), the capacity= mount default.
# shellcheck disable=SC2119 source-path=SCRIPTDIR source=lib.sh
. "${0%/*}/lib.sh"

mmfs_start

f="$MNT/seg"
cap() { getfattr --absolute-names --only-values -n user.mmf.capacity "$1" 2>&1; }
# append FILE BYTES: appends BYTES bytes 'y' with one write(); prints OK or the errno name.
append() { py_errno 'fd=os.open(p, os.O_WRONLY|os.O_APPEND); n=os.write(fd, b"y"*int(c)); os.close(fd); n==int(c) or print("short", n)' p="$1" c="$2"; }

head -c 90 /dev/urandom >"$WORK/orig"
cp "$WORK/orig" "$f"
expect_eq "default capacity" "unlimited" "$(cap "$f")"
setfattr -n user.mmf.capacity -v 100 "$f"
expect_eq "capacity after setting 100" "100" "$(cap "$f")"

# A write past the capacity: EFBIG, nothing changed.
expect_eq "append 11 bytes to 90 with capacity 100" "EFBIG" "$(append "$f" 11)"
expect_eq "length after the refused append" "90" "$(stat -c %s "$f")"
cmp -s "$WORK/orig" "$f" || fail "content changed by a refused append"
expect_eq "pwrite of 1 byte at offset 150 (past capacity)" "EFBIG" \
	"$(py_errno 'fd=os.open(p, os.O_WRONLY); os.pwrite(fd, b"z", 150)' p="$f")"
expect_eq "pwrite of 20 bytes at offset 85" "EFBIG" \
	"$(py_errno 'fd=os.open(p, os.O_WRONLY); os.pwrite(fd, b"z"*20, 85)' p="$f")"
expect_eq "length after the refused pwrites" "90" "$(stat -c %s "$f")"
cmp -s "$WORK/orig" "$f" || fail "content changed by a refused pwrite"

# Exactly at capacity works; one byte past fails.
expect_eq "append 10 bytes: exactly at capacity" "OK" "$(append "$f" 10)"
expect_eq "length at capacity" "100" "$(stat -c %s "$f")"
cp "$f" "$WORK/full"
expect_eq "append 1 byte past capacity" "EFBIG" "$(append "$f" 1)"
expect_eq "shell append past capacity fails" "failed" "$( (printf x >>"$f") 2>/dev/null && echo succeeded || echo failed)"
expect_eq "length after the refused 1-byte appends" "100" "$(stat -c %s "$f")"
cmp -s "$WORK/full" "$f" || fail "content changed by a refused 1-byte append"
expect_eq "overwrite inside a full segment" "OK" \
	"$(py_errno 'fd=os.open(p, os.O_WRONLY); os.pwrite(fd, b"Z", 99)' p="$f")"
expect_eq "last byte after the overwrite" "Z" "$(tail -c 1 "$f")"
cp "$f" "$WORK/full"

# A truncate past the capacity: EFBIG, nothing changed; within it, fine.
expect_eq "truncate to 101 with capacity 100" "EFBIG" "$(py_errno 'os.truncate(p, 101)' p="$f")"
expect_eq "ftruncate to 1 MiB with capacity 100" "EFBIG" \
	"$(py_errno 'fd=os.open(p, os.O_RDWR); os.ftruncate(fd, 1<<20)' p="$f")"
expect_fail "truncate(1) -s 200" truncate -s 200 "$f"
expect_eq "length after the refused truncates" "100" "$(stat -c %s "$f")"
cmp -s "$WORK/full" "$f" || fail "content changed by a refused truncate"
expect_eq "truncate to 50" "OK" "$(py_errno 'os.truncate(p, 50)' p="$f")"
expect_eq "truncate back to 100 (the capacity)" "OK" "$(py_errno 'os.truncate(p, 100)' p="$f")"
expect_eq "length after shrinking and growing to capacity" "100" "$(stat -c %s "$f")"
expect_eq "head kept" "$(head -c 50 "$WORK/full" | od -An -tx1)" "$(head -c 50 "$f" | od -An -tx1)"

# Bad capacity values: EINVAL, old capacity kept.
for v in abc -1 0 99 '' 1x 12q ' 100' 10.5 99999999999999999999999; do
	expect_eq "setting user.mmf.capacity to [$v]" "EINVAL" \
		"$(py_errno 'os.setxattr(p, "user.mmf.capacity", v.encode())' p="$f" v="$v")"
	expect_eq "capacity after the refused value [$v]" "100" "$(cap "$f")"
done
expect_eq "capacity equal to the length" "OK" "$(py_errno 'os.setxattr(p, "user.mmf.capacity", b"100")' p="$f")"

# Size strings and unlimited.
setfattr -n user.mmf.capacity -v 64k "$f"
expect_eq "capacity 64k" "65536" "$(cap "$f")"
setfattr -n user.mmf.capacity -v 1m "$f"
expect_eq "capacity 1m" "1048576" "$(cap "$f")"
setfattr -n user.mmf.capacity -v 2g "$f"
expect_eq "capacity 2g" "2147483648" "$(cap "$f")"
setfattr -n user.mmf.capacity -v 4096 "$f"
expect_eq "capacity 4096" "4096" "$(cap "$f")"
expect_eq "append up to 4096" "OK" "$(append "$f" 3996)"
expect_eq "append past 4096" "EFBIG" "$(append "$f" 1)"
setfattr -n user.mmf.capacity -v unlimited "$f"
expect_eq "capacity unlimited" "unlimited" "$(cap "$f")"
expect_eq "append 200000 bytes with no capacity" "OK" "$(append "$f" 200000)"
expect_eq "length with no capacity" "204096" "$(stat -c %s "$f")"
mmfs_stop

# The mount option capacity= gives the default of new segments only.
mmfs_start -o capacity=4k
expect_eq "capacity of an old segment after remounting with capacity=4k" "unlimited" "$(cap "$f")"
g="$MNT/new"
: >"$g"
expect_eq "capacity of a new segment with capacity=4k" "4096" "$(cap "$g")"
expect_eq "one write of exactly 4096 bytes" "OK" "$(append "$g" 4096)"
expect_eq "one byte past the default capacity" "EFBIG" "$(append "$g" 1)"
expect_eq "length at the default capacity" "4096" "$(stat -c %s "$g")"
expect_eq "one write of 4097 bytes into a new segment" "EFBIG" \
	"$(py_errno 'fd=os.open(p, os.O_CREAT|os.O_WRONLY, 0o644); os.write(fd, b"q"*4097)' p="$MNT/new2")"
expect_eq "length after the refused first write" "0" "$(stat -c %s "$MNT/new2")"
mmfs_stop
finish
