#!/bin/sh
# refused_mapped.sh - a write refused past a limit (EFBIG past the capacity, ENOSPC past the pool) through an
# O_RDWR descriptor changes nothing, also for a process that maps the segment: the kernel copies such a write
# into its page cache before it asks the daemon, so unless mmfs puts the old bytes back, the mapping shows the
# refused bytes and the next mapped store on that page writes them into the segment for good.
# shellcheck disable=SC2119 source-path=SCRIPTDIR source=lib.sh
. "${0%/*}/lib.sh"

# refused NAME OFFSET COUNT clean|dirty: a fresh segment of 10000 '.' with capacity 10000, then the client.
refused() {
	head -c 10000 /dev/zero | tr '\0' . >"$MNT/$1"
	[ "$1" = pool ] || setfattr -n user.mmf.capacity -v 10000 "$MNT/$1"
	timeout "$HANG_GUARD" "$CLIENTS/refused_write" "$MNT/$1" "$2" "$3" "$4" 2>&1
}
line() { echo "$1" | sed -n "$2p"; }

mmfs_start

out=$(refused cap 9000 2000 clean)
expect_eq "EFBIG past the capacity" "errno 27" "$(line "$out" 1)"
expect_eq "the mapping does not show the refused bytes" "mapping shows R 0" "$(line "$out" 2)"
expect_eq "past the end the mapping shows zeros" "mapping past the end 0 non-zero" "$(line "$out" 3)"
expect_eq "after a mapped store on that page" "segment length 10000 R 0 D at 8200 D" "$(line "$out" 4)"

# A store on that page not yet written back when the refused write came: kept (the write did not cover its
# byte), and still no refused byte gets in.
out=$(refused dirty 8500 2000 dirty)
expect_eq "EFBIG past the capacity (dirty page)" "errno 27" "$(line "$out" 1)"
expect_eq "the mapping does not show the refused bytes (dirty page)" "mapping shows R 0" "$(line "$out" 2)"
expect_eq "after a mapped store (dirty page)" "segment length 10000 R 0 D at 8200 D" "$(line "$out" 4)"
expect_eq "the earlier mapped store (dirty page)" "A at 8100 A" "$(line "$out" 5)"
expect_eq "the segment holds its dots and the two stores" "9998" "$(tr -cd . <"$MNT/dirty" | wc -c)"

# Through a write-only descriptor the refused bytes never reach the page cache (such handles are direct).
expect_eq "write-only refusal" "EFBIG" \
	"$(py_errno 'fd=os.open(p, os.O_WRONLY); os.pwrite(fd, b"R"*2000, 9000)' p="$MNT/cap")"
expect_eq "no refused byte after the write-only refusal" "0" "$(tr -cd R <"$MNT/cap" | wc -c)"
rm -f "$MNT/cap" "$MNT/dirty"
mmfs_stop

# ENOSPC past the pool, the same way: a 64 KiB pool holding 55000 + 10000 bytes, and a write that would add
# 1000 more.
mmfs_start -o size=64k
head -c 55000 /dev/zero >"$MNT/filler"
out=$(refused pool 9000 2000 clean)
expect_eq "ENOSPC past the pool" "errno 28" "$(line "$out" 1)"
expect_eq "the mapping does not show the refused bytes (pool)" "mapping shows R 0" "$(line "$out" 2)"
expect_eq "after a mapped store (pool)" "segment length 10000 R 0 D at 8200 D" "$(line "$out" 4)"
mmfs_stop
# What reached the backing file.
mmfs_start -o size=64k
expect_eq "no refused byte in the segment after a restart" "0" "$(tr -cd R <"$MNT/pool" | wc -c)"
expect_eq "the mapped store after a restart" "D" "$(dd if="$MNT/pool" bs=1 skip=8200 count=1 2>/dev/null)"
finish
