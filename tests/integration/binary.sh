#!/bin/sh
# binary.sh - binary round trip: all 256 byte values and a random 3 MiB file come back identical (cmp),
# through cp, cat, dd with one 3 MiB write, reads at odd offsets, and after a remount.
# shellcheck disable=SC2119 source-path=SCRIPTDIR source=lib.sh
. "${0%/*}/lib.sh"

mmfs_start
"$PYTHON" -c 'import sys; sys.stdout.buffer.write(bytes(range(256)) * 2)' >"$WORK/bytes"
head -c 3145728 /dev/urandom >"$WORK/rand"

cat "$WORK/bytes" >"$MNT/bytes"
expect_eq "length of the 256 byte values twice" "512" "$(stat -c %s "$MNT/bytes")"
cmp "$WORK/bytes" "$MNT/bytes" || fail "256 byte values differ after cat >"
expect_eq "first bytes" " 00 01 02 03 fe ff" "$(head -c 4 "$MNT/bytes" | od -An -tx1)$(tail -c 2 "$MNT/bytes" | od -An -tx1)"
cp "$WORK/rand" "$MNT/rand"
expect_eq "length of the random file" "3145728" "$(stat -c %s "$MNT/rand")"
cmp "$WORK/rand" "$MNT/rand" || fail "random 3 MiB differ after cp"
dd if="$WORK/rand" of="$MNT/rand-dd" bs=3M count=1 2>/dev/null || fail "dd with one 3 MiB write"
cmp "$WORK/rand" "$MNT/rand-dd" || fail "random 3 MiB differ after one 3 MiB write"
cat "$MNT/rand" >"$WORK/back"
cmp "$WORK/rand" "$WORK/back" || fail "random 3 MiB differ when read back with cat"
# Reads from odd offsets, across 4 KiB and 128 KiB boundaries.
for off in 1 4095 131071 1048577 3145727; do
	cmp -i "$off" "$WORK/rand" "$MNT/rand" || fail "random data differ from offset $off"
done
# Odd-sized writes at odd offsets into an existing segment.
"$PYTHON" - "$WORK/rand" "$MNT/rand" <<'PY' || fail "pwrite/pread at odd offsets"
import os, sys
ref = bytearray(open(sys.argv[1], "rb").read())
fd = os.open(sys.argv[2], os.O_RDWR)
for off, n in ((3, 5), (4093, 7), (131070, 70000), (3145720, 8)):
    chunk = bytes((off + i) * 7 % 256 for i in range(n))
    os.pwrite(fd, chunk, off)
    ref[off:off + n] = chunk
    if os.pread(fd, n, off) != chunk:
        print("FAIL: pread after pwrite at %d: expected the bytes written, saw others" % off)
        sys.exit(1)
os.close(fd)
open(sys.argv[1], "wb").write(ref)
PY
cmp "$WORK/rand" "$MNT/rand" || fail "random data differ after the odd pwrites"

mmfs_stop
mmfs_start
cmp "$WORK/bytes" "$MNT/bytes" || fail "256 byte values differ after a remount"
cmp "$WORK/rand" "$MNT/rand" || fail "random data differ after a remount"
mmfs_stop
finish
