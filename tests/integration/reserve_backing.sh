#!/bin/sh
# reserve_backing.sh - a segment's length is backed by blocks from the moment it grows: truncate(2) or a write
# past the end that the backing file system cannot back fails with ENOSPC and changes nothing, so that stores
# through a mapping, which reach the backing file only at writeback where no error can reach the process,
# are never lost to a full backing file system. As root: the backing directory inside a 1 MiB tmpfs.
# shellcheck disable=SC2119 source-path=SCRIPTDIR source=lib.sh
. "${0%/*}/lib.sh"

if [ "$(id -u)" -ne 0 ]; then
	echo "SKIP: reserve_backing needs root (it mounts a tmpfs)" >&2
	exit 77
fi
mount_small_tmpfs 1m || {
	fail "mount a 1 MiB tmpfs on $SMALL"
	finish
}
BACKING="$SMALL/backing"
mmfs_start

# STORE_PROGRAM PATH LENGTH: truncates PATH to LENGTH, stores a 'Z' in every page through a shared mapping,
# unmaps and closes (none of which can report a failed writeback); prints the error of the truncate or OK.
STORE_PROGRAM='
import errno, mmap, os, sys
path, length = sys.argv[1], int(sys.argv[2])
fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
try:
    os.ftruncate(fd, length)
except OSError as e:
    print(errno.errorcode[e.errno]); sys.exit(0)
m = mmap.mmap(fd, length)
for i in range(0, length, 4096):
    m[i] = ord("Z")
m.close()
os.close(fd)
print("OK")
'
# zs PATH: how many Z bytes PATH holds once the mount's cache of it is dropped (so the daemon is asked).
zs() {
	"$PYTHON" -c 'import os, sys
fd = os.open(sys.argv[1], os.O_RDONLY)
os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
print(os.read(fd, 1 << 22).count(b"Z"))' "$1"
}

expect_eq "truncate to 2 MiB on a 1 MiB backing file system" "ENOSPC" "$("$PYTHON" -c "$STORE_PROGRAM" "$MNT/big" 2097152)"
expect_eq "length after the refused truncate" "0" "$(stat -c %s "$MNT/big")"
rm -f "$MNT/big"

# 200 pages: room for them, and every store through the mapping reaches the segment.
expect_eq "truncate to 200 pages and store through a mapping" "OK" "$("$PYTHON" -c "$STORE_PROGRAM" "$MNT/mapped" 819200)"
expect_eq "the stores, read back through the daemon" "200" "$(zs "$MNT/mapped")"

# With the backing file system now nearly full, a second segment cannot grow past what is left.
expect_eq "truncate a second segment past what is left" "ENOSPC" \
	"$("$PYTHON" -c "$STORE_PROGRAM" "$MNT/second" 409600)"
expect_eq "its length" "0" "$(stat -c %s "$MNT/second")"
expect_eq "a write far past the end of a segment, leaving a hole that cannot be backed" "ENOSPC" \
	"$(py_errno 'fd=os.open(p, os.O_WRONLY); os.pwrite(fd, b"x", 600000)' p="$MNT/second")"
expect_eq "its length after the refused write" "0" "$(stat -c %s "$MNT/second")"
expect_eq "the first segment's stores after the refusals" "200" "$(zs "$MNT/mapped")"

mmfs_stop
mmfs_start
expect_eq "the stores after a restart" "200" "$(zs "$MNT/mapped")"
mmfs_stop
finish
