#!/bin/sh
# exerciser.sh - a long seeded mixed-operation run (exerciser.py: pwrite, append, truncate, mmap stores,
# renames, creates, unlinks, capacities, fsync, by 3 processes with their own segments and page-aligned stripes
# of one shared segment) compared with an in-memory model at the end, after a clean restart, and, after a
# second run ending in fsync, after a crash and restart.
# MMFS_EXERCISER_SEED replays a run (the seed is printed); MMFS_EXERCISER_OPS sets operations per process.
# shellcheck disable=SC2119 source-path=SCRIPTDIR source=lib.sh
. "${0%/*}/lib.sh"

OPS=${MMFS_EXERCISER_OPS:-1500}
WORKERS=3
exerciser_seed "$WORKERS processes x $OPS operations"

mmfs_start
exercise "first run" run "$MNT" "$WORK/model" "$SEED" "$WORKERS" "$OPS"
mmfs_stop
mmfs_start
exercise "after unmount and remount" verify "$MNT" "$WORK/model"
exercise "second run, from the first one's state" run "$MNT" "$WORK/model" "$((SEED + 1))" "$WORKERS" "$OPS" --sync
mmfs_crash
mmfs_start
exercise "after a crash and restart" verify "$MNT" "$WORK/model"
mmfs_stop
finish
