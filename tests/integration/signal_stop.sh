#!/bin/sh
# signal_stop.sh - SIGTERM while a process maps a segment loses no store: the daemon writes the dirty pages
# back, detaches the mount (nothing new opens), serves the mapping until its last close, then exits 0 with
# every store in the segment; a second signal stops it at once, keeping what was stored before the first.
# shellcheck disable=SC2119 source-path=SCRIPTDIR source=lib.sh
. "${0%/*}/lib.sh"

mounted() { grep -qs " $MNT fuse" /proc/mounts; }
# shellcheck disable=SC2317 # run by wait_for
not_mounted() { ! mounted; }
# shellcheck disable=SC2317 # run by wait_for
daemon_gone() { ! kill -0 "$DAEMON_PID" 2>/dev/null; }
# shellcheck disable=SC2317 # run by wait_for
says_still_serving() { grep -q "still serving the segments that are open or mapped" "$DAEMON_LOG"; }

# hold_mapping NAME [BYTES]: a process maps NAME (lib.sh's MAPPER_PROGRAM) and has said "mapped"; a line on
# fd 8 lets it store again and end, and it says "done" on fd 9. Sets MAPPER.
hold_mapping() {
	rm -f "$WORK/to" "$WORK/from"
	mkfifo "$WORK/to" "$WORK/from"
	"$PYTHON" -c "$MAPPER_PROGRAM" "$@" <"$WORK/to" >"$WORK/from" &
	MAPPER=$!
	track_pid "$MAPPER"
	exec 8>"$WORK/to" 9<"$WORK/from"
	read -r said <&9
	expect_eq "mapper" mapped "$said"
}

segment_head() {
	head -c 10 "$MNT/seg"
}

# One signal: detached at once, the daemon stays for the mapping, and every store arrives.
mmfs_start
hold_mapping "$MNT/seg"
kill -TERM "$DAEMON_PID"
wait_for not_mounted || fail "still mounted 60 s after SIGTERM"
kill -0 "$DAEMON_PID" 2>/dev/null || fail "the daemon exited while a process still mapped a segment"
expect_fail "open after the detach" test -e "$MNT/seg"
# Said a second after the detach, when the kernel has not ended the connection by then.
wait_for says_still_serving || fail "no word of the segments still served: $(cat "$DAEMON_LOG")"
kill -0 "$DAEMON_PID" 2>/dev/null || fail "the daemon exited while a process still mapped a segment"
echo go >&8
read -r said <&9
expect_eq "mapper after the stop" "done" "$said"
exec 8>&- 9<&-
wait "$MAPPER"
expect_eq "mapper exit status" 0 "$?"
wait_for daemon_gone || fail "the daemon still runs 60 s after the last mapping went"
wait "$DAEMON_PID"
expect_eq "exit status after SIGTERM" 0 "$?"
DAEMON_PID=""
mmfs_start
expect_eq "stores before and after SIGTERM" FIRSTLATER "$(segment_head)"
rm "$MNT/seg"

# Two signals: the second stops the daemon while the mapping lives; what was stored before the first signal
# was written back, and no mount is left behind, dead or alive. 64 MiB of stores, because syncfs only starts
# FUSE's writeback: the daemon must answer the writes already queued before it ends (it kept about 30% of
# 64 MiB when it did not).
hold_mapping "$MNT/seg" 67108864
kill -TERM "$DAEMON_PID"
# The second signal as soon as the mount is gone (wait_for's pauses would give the writes time to finish).
looks=0
while mounted && [ "$looks" -lt $((HANG_GUARD * 1000)) ]; do
	looks=$((looks + 1))
done
not_mounted || fail "still mounted after SIGTERM"
kill -TERM "$DAEMON_PID"
wait_for daemon_gone || fail "the daemon still runs 60 s after a second signal"
wait "$DAEMON_PID"
expect_eq "exit status after two signals" 0 "$?"
DAEMON_PID=""
mounted && fail "a mount is left after two signals"
echo go >&8
read -r said <&9
exec 8>&- 9<&-
wait "$MAPPER"
mmfs_start
expect_eq "stores before the first signal" FIRST "$(head -c 5 "$MNT/seg")"
expect_eq "all 64 MiB stored before the first signal" 67108855 \
	"$("$PYTHON" -c 'import sys; print(open(sys.argv[1], "rb").read().count(b"F"))' "$MNT/seg")"

# Nothing open: SIGHUP stops at once. A daemon started with SIGHUP ignored (under nohup) keeps ignoring it, as
# mmfs keeps an ignored stop signal it inherits: then SIGTERM is what this case sends.
stop_signal=HUP
ignored=$(awk '/^SigIgn:/ { print $2 }' "/proc/$DAEMON_PID/status")
if [ $((0x${ignored:-0} & 1)) -ne 0 ]; then
	echo "signal_stop: SIGHUP is ignored here (started under nohup?): the last case sends SIGTERM"
	stop_signal=TERM
fi
kill "-$stop_signal" "$DAEMON_PID"
if wait_for daemon_gone; then
	wait "$DAEMON_PID"
	expect_eq "exit status after SIG$stop_signal" 0 "$?"
	DAEMON_PID=""
else
	fail "the daemon still runs 60 s after SIG$stop_signal with nothing open"
fi
mounted && fail "still mounted after SIG$stop_signal"
finish
