#!/bin/sh
# mmap_share.sh - MAP_SHARED mappings of one segment in two processes see each other's stores at once, read()
# sees mapped stores, mappings see write()s; the stores reach the segment (cat, and after a remount).
# shellcheck disable=SC2119 source-path=SCRIPTDIR source=lib.sh
. "${0%/*}/lib.sh"

mmfs_start
f="$MNT/shm"
out=$(timeout "$HANG_GUARD" "$CLIENTS/mmap_share" "$f" 2>&1)
expect_eq "mmap_share client" "OK" "$out"
at() { dd if="$1" bs=1 skip="$2" count="$3" 2>/dev/null; }
check_stores() {
	expect_eq "length $1" "8192" "$(stat -c %s "$f")"
	expect_eq "process 1's mapped store $1" "store from process 1" "$(at "$f" 100 20)"
	expect_eq "process 2's mapped store $1" "reply from process 2" "$(at "$f" 200 20)"
	expect_eq "write() $1" "written by write()" "$(at "$f" 300 18)"
	expect_eq "process 2's store on page 2 $1" "store on the second page" "$(at "$f" 5000 24)"
	expect_eq "untouched bytes $1" "0" "$(head -c 100 "$f" | tr -d '\000' | wc -c)"
}
check_stores "through cat"
mmfs_stop
mmfs_start
check_stores "after a remount"

# A mapping made by python sees what the shell wrote, and the shell sees what python stores.
printf 'shell wrote this' >"$MNT/py"
truncate -s 4096 "$MNT/py"
expect_eq "python mmap reads and stores" "shell wrote this" "$("$PYTHON" -c '
import mmap, os, sys
fd = os.open(sys.argv[1], os.O_RDWR)
m = mmap.mmap(fd, 4096, mmap.MAP_SHARED)
print(m[:16].decode())
m[16:30] = b" and py stored"
' "$MNT/py")"
expect_eq "cat sees python's store without msync" "shell wrote this and py stored" "$(head -c 30 "$MNT/py")"
mmfs_stop
finish
