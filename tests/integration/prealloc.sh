#!/bin/sh
# prealloc.sh - the backing blocks mmfs allocates ahead of a sequential writer (-o prealloc=) never outlive
# it: while dd-style 1 MiB writes go on, the backing file has blocks past its end; the writer's last close
# gives them back, and so does a restart after SIGKILL left them behind. What readers see is exactly what
# was written, before and after the restart, and an mtime set before the close (cp -p) stays. With
# -o prealloc=0 nothing is allocated ahead.
# shellcheck disable=SC2119 source-path=SCRIPTDIR source=lib.sh
# shellcheck disable=SC2317 # ahead runs from wait_for
. "${0%/*}/lib.sh"

# Bytes the backing file has blocks for, and its length.
length() { stat -c %s "$BACKING/$1"; }
ahead() { [ "$(allocated "$1")" -gt "$(length "$1")" ]; }

# The content hold_writer writes, MIB MiB of it, as a checksum.
expected_sum() {
	"$PYTHON" -c '
import hashlib, sys
h = hashlib.sha256()
for m in range(int(sys.argv[1])):
    h.update(bytes([65 + m % 26]) * (1 << 20))
print(h.hexdigest())
' "$1"
}
sum_of() { sha256sum <"$1" | cut -d' ' -f1; }

mmfs_start

# A writer holding the file open: blocks ahead of its end, given back at its last close.
hold_writer "$MNT/seq" 16
wait_for ahead seq || fail "no blocks allocated past the end of seq while its writer holds it open"
expect_eq "seq's length while written" $((16 << 20)) "$(length seq)"
expect_eq "seq's content while written" "$(expected_sum 16)" "$(sum_of "$MNT/seq")"
kill -KILL "$WRITER"
wait "$WRITER" 2>/dev/null
# The kernel sends RELEASE after close(2) returns: give it time.
back_to_length() { [ "$(allocated seq)" -eq $((16 << 20)) ]; }
wait_for back_to_length || fail "seq keeps $(allocated seq) bytes of blocks for $(length seq) after its last close"

# As cp -p does: write, set the times, close. Giving the blocks back must not change the mtime it set, neither
# at the close nor after a restart (tmpfs sets mtime on the hole punched past the end; mmfs puts it back).
"$PYTHON" -c '
import os, sys
fd = os.open(sys.argv[1], os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
for m in range(16):
    os.write(fd, b"p" * (1 << 20))
os.utime(fd, (978307200, 978307200))
os.close(fd)
' "$MNT/preserved" || fail "writing preserved"
# Given back and its times put back: mmfs punches the hole and then restores the mtime, two calls apart.
preserved_back() {
	[ "$(allocated preserved)" -eq $((16 << 20)) ] && [ "$(stat -c %Y "$BACKING/preserved")" = 978307200 ]
}
wait_for preserved_back ||
	fail "preserved keeps $(allocated preserved) bytes of blocks, mtime $(stat -c %Y "$BACKING/preserved"), after its last close"
expect_eq "mtime set before the close, through the mount" 978307200 "$(stat -c %Y "$MNT/preserved")"
expect_eq "mtime set before the close, backing file" 978307200 "$(stat -c %Y "$BACKING/preserved")"

# SIGKILL while a writer holds blocks ahead: they stay in the backing file until the next start gives them back.
hold_writer "$MNT/crash" 8
wait_for ahead crash || fail "no blocks allocated past the end of crash while its writer holds it open"
mmfs_crash
kill -KILL "$WRITER"
wait "$WRITER" 2>/dev/null
ahead crash || fail "the crash left no blocks past the end of crash: this test no longer tests the restart"
mmfs_start
expect_eq "crash's blocks after the restart" $((8 << 20)) "$(allocated crash)"
expect_eq "crash's content after the restart" "$(expected_sum 8)" "$(sum_of "$MNT/crash")"
expect_eq "seq's content after the restart" "$(expected_sum 16)" "$(sum_of "$MNT/seq")"
expect_eq "preserved's mtime after the restart" 978307200 "$(stat -c %Y "$MNT/preserved")"
mmfs_stop

# prealloc=0: nothing ahead, ever. The first part shows that blocks ahead appear within this wait when on.
mmfs_start -o prealloc=0
hold_writer "$MNT/off" 8
sleep 1
expect_eq "off's blocks with prealloc=0" $((8 << 20)) "$(allocated off)"
kill -KILL "$WRITER"
wait "$WRITER" 2>/dev/null

finish
