#!/bin/sh
# memory.sh - the daemon gives its memory back once many segments are gone: after 20,000 empty segments are
# created and removed, its resident size falls back near where it started instead of staying at the peak.
# (Under valgrind or a sanitizer, whose malloc keeps everything, the segments only come and go.)
# shellcheck disable=SC2119 source-path=SCRIPTDIR source=lib.sh
. "${0%/*}/lib.sh"

rss_kib() { awk '/^VmRSS:/ { print $2 }' "/proc/$DAEMON_PID/status"; }
# rss_back_near FRESH GROWN: the daemon is back within a quarter of GROWN KiB of its FRESH size.
# shellcheck disable=SC2317 # called through wait_for
rss_back_near() { [ $(($(rss_kib) - $1)) -le $(($2 / 4)) ]; }

mmfs_start
# Under valgrind or a sanitizer the daemon's malloc is theirs, which never hands memory back: the
# segments still come and go, but its size says nothing about mmfs. Under valgrind, where every request
# takes milliseconds, a few hundred segments do for that.
SEGMENTS=20000
own_malloc=yes
if daemon_runs_under valgrind; then
	SEGMENTS=300 own_malloc=no
elif daemon_runs_under sanitizer; then
	own_malloc=no
fi
mkdir "$MNT/many"
fresh=$(rss_kib)

"$PYTHON" - "$MNT/many" "$SEGMENTS" <<'EOF' || fail "creating $SEGMENTS segments"
import os, sys
d, n = sys.argv[1], int(sys.argv[2])
for i in range(n):
    os.close(os.open(f"{d}/seg{i}", os.O_CREAT | os.O_WRONLY, 0o600))
EOF
expect_eq "segments created" "$SEGMENTS" "$(find "$MNT/many" -type f | wc -l)"
peak=$(rss_kib)

"$PYTHON" - "$MNT/many" "$SEGMENTS" <<'EOF' || fail "removing $SEGMENTS segments"
import os, sys
d, n = sys.argv[1], int(sys.argv[2])
for i in range(n):
    os.unlink(f"{d}/seg{i}")
EOF
rmdir "$MNT/many" || fail "the emptied directory could not be removed"
expect_eq "backing files left" "0" "$(find "$BACKING" -name 'seg*' | wc -l)"

if [ "$own_malloc" = yes ]; then
	grown=$((peak - fresh))
	# 20,000 segments take about 5 MiB; anything under 2 MiB would say nothing.
	[ "$grown" -ge 2048 ] || fail "$SEGMENTS segments grew the daemon by only $grown KiB: the test measures nothing"
	# The kernel forgets the removed inodes asynchronously: give the daemon time to free them.
	wait_for rss_back_near "$fresh" "$grown"
	after=$(rss_kib)
	if [ $((after - fresh)) -gt $((grown / 4)) ]; then
		fail "VmRSS $fresh KiB fresh, $peak KiB with $SEGMENTS segments, still $after KiB after removing them"
	fi
else
	echo "daemon under valgrind or a sanitizer: resident size not checked"
fi

# The daemon still works after handing memory back.
echo after >"$MNT/after"
expect_eq "a segment made after the trim" "after" "$(cat "$MNT/after")"
mmfs_stop
finish
