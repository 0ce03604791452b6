#!/bin/sh
# exerciser.sh - a long seeded mixed-operation run (exerciser.py: pwrite, append, truncate, mmap stores,
# renames, creates, unlinks, capacities, fsync, by 3 processes with their own segments and page-aligned stripes
# of one shared segment) compared with an in-memory model at the end, after a clean restart, and, after a
# second run ending in fsync, after a crash and restart.
# MMFS_EXERCISER_SEED replays a run (the seed is printed); MMFS_EXERCISER_OPS sets operations per process.
# shellcheck disable=SC2119 source-path=SCRIPTDIR source=lib.sh
. "${0%/*}/lib.sh"

SEED=${MMFS_EXERCISER_SEED:-$(od -An -N4 -tu4 /dev/urandom | tr -d ' ')}
OPS=${MMFS_EXERCISER_OPS:-1500}
WORKERS=3
EX="${0%/*}/exerciser.py"
echo "exerciser seed: $SEED (MMFS_EXERCISER_SEED=$SEED replays it), $WORKERS processes x $OPS operations"

# step WHAT COMMAND...: runs an exerciser step; its output must start with OK.
step() {
	what=$1
	shift
	out=$(timeout 120 python3 "$EX" "$@" 2>&1)
	case $out in
	OK*) echo "$what: $out" ;;
	*) fail "$what (seed $SEED): expected OK, saw:
$out" ;;
	esac
}

mmfs_start
step "first run" run "$MNT" "$WORK/model" "$SEED" "$WORKERS" "$OPS"
mmfs_stop
mmfs_start
step "after unmount and remount" verify "$MNT" "$WORK/model"
step "second run, from the first one's state" run "$MNT" "$WORK/model" "$((SEED + 1))" "$WORKERS" "$OPS" --sync
mmfs_crash
mmfs_start
step "after a crash and restart" verify "$MNT" "$WORK/model"
mmfs_stop
finish
