#!/bin/sh
# transient_crash.sh - SIGKILL of the daemon while transient segments are being reclaimed beside creates in
# the same directory: the daemon dies completely, the clients get errors instead of hanging, and mmfs starts
# again on the same mountpoint and backing directory with no transient segment left. (Without the watchdog,
# the notifier thread waited forever for the directory lock held by a create that waited for the dead
# daemon: the process never finished dying, and its clients and the restart hung.) Needs root or fusectl
# at /sys/fs/fuse/connections (77 otherwise).
# shellcheck disable=SC2119 source-path=SCRIPTDIR source=lib.sh
# shellcheck disable=SC2317 # tc_cleanup runs from the EXIT trap, gone and clients_gone from wait_for
. "${0%/*}/lib.sh"

# As root, mmfs mounts fusectl itself when nothing has.
if [ "$(id -u)" -ne 0 ] && ! grep -qs " /sys/fs/fuse/connections fusectl " /proc/mounts; then
	echo "SKIP: fusectl is not mounted at /sys/fs/fuse/connections, and only root may mount it" >&2
	exit 77
fi

# If a round hangs after all, end it the way an administrator would, so that cleanup can finish: abort the
# connection, which fails every request still waiting.
CONN=""
tc_cleanup() {
	[ -n "$CONN" ] && [ -e "/sys/fs/fuse/connections/$CONN/abort" ] && echo 1 >"/sys/fs/fuse/connections/$CONN/abort"
}
TEST_CLEANUP=tc_cleanup

gone() { [ ! -e "/proc/$1" ]; }
clients_gone() {
	for pid in $CLIENTS_RUNNING; do
		[ -e "/proc/$pid" ] && return 1
	done
	return 0
}

rounds=5
daemon_runs_under valgrind && rounds=2
new_backing
round=0
while [ "$round" -lt "$rounds" ]; do
	round=$((round + 1))
	mmfs_start_raw -o "backing=$BACKING,lifetime=transient"
	CONN=$(awk -v m="$MNT" '$5 == m { split($3, d, ":"); print d[2] }' /proc/self/mountinfo | tail -n 1)
	CLIENTS_RUNNING=""
	for j in 1 2 3 4; do
		# Creates segments and closes them again (each close reclaims one), until the mount fails it.
		"$PYTHON" -c '
import os, sys
held = []
i = 0
try:
    while True:
        i += 1
        held.append(os.open("%s/f%s_%d" % (sys.argv[1], sys.argv[2], i), os.O_CREAT | os.O_RDWR, 0o644))
        if len(held) > 20:
            os.close(held.pop(0))
except OSError:
    pass
' "$MNT" "$j" &
		CLIENTS_RUNNING="$CLIENTS_RUNNING $!"
		track_pid "$!"
	done
	sleep 1
	pid=$DAEMON_PID
	kill -KILL "$pid"
	# On a failure, exit at once: waiting for a process stuck in the kernel would hang; the EXIT trap
	# aborts the connection first.
	if ! wait_for gone "$pid"; then
		fail "round $round: the daemon was not gone $HANG_GUARD s after SIGKILL"
		exit 1
	fi
	wait "$pid" 2>/dev/null
	DAEMON_PID=""
	if ! wait_for clients_gone; then
		fail "round $round: clients still hang $HANG_GUARD s after the daemon was killed"
		exit 1
	fi
	for c in $CLIENTS_RUNNING; do
		wait "$c" 2>/dev/null
	done
	# The dead mount goes as after any crash (dead_mount.sh tests mmfs clearing it); the backing directory
	# must be free again: its lock died with the daemon.
	fusermount3 -u "$MNT" 2>/dev/null || fusermount3 -uz "$MNT"
	mmfs_start_raw -o "backing=$BACKING,lifetime=transient"
	expect_eq "round $round: segments left after the restart (all were transient)" "0" \
		"$(find "$MNT" -mindepth 1 | wc -l)"
	mmfs_stop
	CONN=""
done
finish
