#!/bin/sh
# lock_death.sh - a lock holder killed with SIGKILL releases its lock at once: flock, POSIX and OFD locks on a
# segment are free as soon as wait(2) has reaped the holder, round after round (flock(1) -n, the locker
# client and /proc/locks agree); a blocked waiter gets the lock; a flock shared through an inherited open file
# stays until its last holder dies, while a POSIX lock goes with its owner process. Handshakes, no sleeps.
# shellcheck disable=SC2119 source-path=SCRIPTDIR source=lib.sh
. "${0%/*}/lib.sh"

mmfs_start
f="$MNT/mutex"
echo "the named mutex" >"$f"
L="$CLIENTS/locker"
mkfifo "$WORK/ready"
ROUNDS=10
# /proc/locks names a file MAJ:MIN:INO, major and minor in at least two hex digits.
lockid=$(printf '%02x:%02x:%s' "$(stat -c %Hd "$f")" "$(stat -c %Ld "$f")" "$(stat -c %i "$f")")
# locks_on: the locks the kernel records on $f (holders, and waiters marked "->"), as "KIND PID" lines.
locks_on() {
	awk -v id="$lockid" '$0 ~ " " id " " { if ($2 == "->") print "-> " $3 " " $6; else print $2 " " $5 }' /proc/locks
}

# waiter_blocked: /proc/locks shows a process waiting for the lock on $f.
# shellcheck disable=SC2317 # called through wait_for
waiter_blocked() { locks_on | grep -q '^->'; }
# try KIND: prints OK if another process gets a KIND lock on $f without waiting, else the errno name.
try() {
	if [ "$1" = flock ]; then
		flock -n -E 99 "$f" true
		case $? in 0) echo OK ;; 99) echo EAGAIN ;; *) echo "flock(1) failed" ;; esac
	else
		"$L" try "$1" "$f"
	fi
}

for kind in flock posix ofd; do
	# /proc/locks shows FLOCK with the holder's pid, POSIX with its pid, OFDLCK with -1.
	case $kind in flock) shown=FLOCK ;; posix) shown=POSIX ;; ofd) shown=OFDLCK ;; esac
	round=1
	while [ "$round" -le "$ROUNDS" ]; do
		hold_lock "$kind" "$f"
		pid=$HOLDER
		[ "$kind" = ofd ] && pid=-1
		expect_eq "$kind round $round: the kernel's record of the lock" "$shown $pid" "$(locks_on)"
		expect_eq "$kind round $round: another process while it is held" "EAGAIN" "$(try "$kind")"
		kill_holder
		expect_eq "$kind round $round: locks left right after the holder was SIGKILLed" "" "$(locks_on)"
		expect_eq "$kind round $round: another process right after the holder was SIGKILLed" "OK" "$(try "$kind")"
		round=$((round + 1))
	done
	if [ "$kind" = posix ]; then
		expect_eq "python lockf right after the kill" "OK" \
			"$(py_errno 'import fcntl; fcntl.lockf(os.open(p, os.O_RDWR), fcntl.LOCK_EX|fcntl.LOCK_NB)' p="$f")"
	fi

	# A waiter blocked in the kernel (seen in /proc/locks) gets the lock when the holder is killed.
	hold_lock "$kind" "$f"
	mkfifo "$WORK/waiter.$kind"
	"$L" wait "$kind" "$f" >"$WORK/waiter.$kind" &
	waiter=$!
	track_pid "$waiter"
	exec 3<"$WORK/waiter.$kind"
	wait_for waiter_blocked ||
		fail "$kind: expected the waiter blocked in /proc/locks within $HANG_GUARD s, saw [$(locks_on)]"
	kill_holder
	expect_eq "$kind: blocked waiter after the holder was SIGKILLed" "OK" "$(timeout "$HANG_GUARD" head -n 1 <&3)"
	exec 3<&-
	wait "$waiter" || fail "$kind waiter exited with failure"
	expect_eq "$kind: locks left after the waiter exited" "" "$(locks_on)"
done

# One open file, two processes (inherited descriptor 5): a flock belongs to the open file and stays until
# both are dead; a POSIX lock belongs to the process that took it and goes with it.
LOCK_PY='
import fcntl, signal, sys
if sys.argv[1] == "flock":
    fcntl.flock(5, fcntl.LOCK_EX)
elif sys.argv[1] == "posix":
    fcntl.lockf(5, fcntl.LOCK_EX)
print("locked" if sys.argv[1] != "none" else "sharing", flush=True)
signal.pause()
'
for kind in flock posix; do
	exec 5<>"$f"
	python3 -c "$LOCK_PY" "$kind" >"$WORK/ready" &
	HOLDER=$!
	track_pid "$HOLDER"
	read -r got <"$WORK/ready"
	expect_eq "$kind holder through an inherited descriptor" "locked" "$got"
	python3 -c "$LOCK_PY" none >"$WORK/ready" &
	sharer=$!
	track_pid "$sharer"
	read -r got <"$WORK/ready"
	expect_eq "a second process sharing that open file" "sharing" "$got"
	exec 5<&-
	expect_eq "$kind held through a shared open file" "EAGAIN" "$(try "$kind")"
	kill_holder
	if [ "$kind" = flock ]; then
		expect_eq "flock after the locking process was killed, its open file still held by another" "EAGAIN" \
			"$(try flock)"
	else
		expect_eq "POSIX lock right after its owner was killed, its open file still held by another" "OK" \
			"$(try posix)"
	fi
	HOLDER=$sharer
	kill_holder
	expect_eq "$kind after the last process of the open file was SIGKILLed" "OK" "$(try "$kind")"
	expect_eq "$kind: locks left" "" "$(locks_on)"
done

# Written by another process while locked (the lock is advisory): released at once, data intact.
hold_lock flock "$f"
echo "written while locked" >>"$f"
kill_holder
expect_eq "flock after killing a holder, the segment written meanwhile" "OK" "$(try flock)"
expect_eq "content after the lock games" "the named mutex
written while locked" "$(cat "$f")"
HELPER_PIDS=""
mmfs_stop
finish
