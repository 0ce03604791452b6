#!/bin/sh
# locks.sh - flock, POSIX fcntl and OFD locks exclude other processes on a segment and are released when
# their holder is SIGKILLed (the robust named mutex); holders and contenders meet through FIFOs, not sleeps.
# shellcheck disable=SC2119 source-path=SCRIPTDIR source=lib.sh
. "${0%/*}/lib.sh"

mmfs_start
f="$MNT/mutex"
echo shared >"$f"
mkfifo "$WORK/ready"
L="$CLIENTS/locker"

# flock: flock(1) -n fails while another process holds it; works once the holder is killed.
hold_lock flock "$f"
flock -n -E 99 "$f" true
expect_eq "flock(1) -n while another process holds the lock (exit code)" "99" "$?"
expect_eq "flock LOCK_NB from another process" "EAGAIN" "$("$L" try flock "$f")"
expect_eq "python fcntl.flock LOCK_NB" "EAGAIN" \
	"$(py_errno 'import fcntl; fcntl.flock(os.open(p, os.O_RDWR), fcntl.LOCK_EX|fcntl.LOCK_NB)' p="$f")"
expect_eq "shared flock while an exclusive one is held" "EAGAIN" \
	"$(py_errno 'import fcntl; fcntl.flock(os.open(p, os.O_RDONLY), fcntl.LOCK_SH|fcntl.LOCK_NB)' p="$f")"
expect_eq "the locked segment is still readable" "shared" "$(cat "$f")"
kill_holder
flock -n -E 99 "$f" true
expect_eq "flock(1) -n after the holder was SIGKILLed (exit code)" "0" "$?"
# A blocked waiter getting the lock when its holder dies: lock_death.sh, for every kind of lock, once
# /proc/locks shows the waiter blocked.
# flock(1) as the holder, the way a shell script uses it as a mutex: it says "locked", then waits for "go".
mkfifo "$WORK/go"
# shellcheck disable=SC2016 # $1 and $2 are expanded by the inner sh
flock "$f" sh -c 'echo locked >"$1"; read -r x <"$2"' sh "$WORK/ready" "$WORK/go" &
sh_holder=$!
track_pid "$sh_holder"
read -r got <"$WORK/ready"
expect_eq "flock(1) holder" "locked" "$got"
flock -n -E 99 "$f" true
expect_eq "flock(1) -n while flock(1) holds the lock (exit code)" "99" "$?"
echo go >"$WORK/go"
wait "$sh_holder" || fail "flock(1) holder failed"
flock -n -E 99 "$f" true
expect_eq "flock(1) -n after flock(1) let go (exit code)" "0" "$?"

# POSIX record locks (fcntl F_SETLK): another process gets EAGAIN; F_GETLK names the holder.
hold_lock posix "$f"
expect_eq "POSIX lock from another process" "EAGAIN" "$("$L" try posix "$f")"
expect_eq "python fcntl.lockf LOCK_NB from another process" "EAGAIN" \
	"$(py_errno 'import fcntl; fcntl.lockf(os.open(p, os.O_RDWR), fcntl.LOCK_EX|fcntl.LOCK_NB)' p="$f")"
expect_eq "F_GETLK from another process" "locked $HOLDER" "$("$L" getlk posix "$f")"
expect_eq "OFD lock against a POSIX lock of another process" "EAGAIN" "$("$L" try ofd "$f")"
kill_holder
expect_eq "POSIX lock after the holder was SIGKILLed" "OK" "$("$L" try posix "$f")"
expect_eq "F_GETLK after the holder was SIGKILLed" "unlocked" "$("$L" getlk posix "$f")"

# OFD locks (F_OFD_SETLK): exclusive across processes and across opens of one process.
hold_lock ofd "$f"
expect_eq "OFD lock from another process" "EAGAIN" "$("$L" try ofd "$f")"
expect_eq "POSIX lock against an OFD lock of another process" "EAGAIN" "$("$L" try posix "$f")"
expect_eq "F_OFD_GETLK from another process" "locked -1" "$("$L" getlk ofd "$f")"
kill_holder
expect_eq "OFD lock after the holder was SIGKILLed" "OK" "$("$L" try ofd "$f")"
expect_eq "OFD locks on two opens in one process" "OK" "$("$L" self-ofd "$f")"

# Locks on different segments do not interfere.
echo other >"$MNT/other"
hold_lock flock "$f"
expect_eq "flock on another segment while one is held" "OK" "$("$L" try flock "$MNT/other")"
kill_holder

mmfs_stop
finish
