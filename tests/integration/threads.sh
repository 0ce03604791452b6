#!/bin/sh
# threads.sh - the multi-threaded daemon (-o threads=4) under concurrent load: the seeded exerciser checked
# against its model (and again after a remount), 8 O_APPEND writers, and 6 processes churning one directory
# (create, write, rename, list, set a capacity, unlink), after which nothing is left over in the mount, the
# pool or the backing directory. scripts/check --tsan runs this test against a ThreadSanitizer build.
# shellcheck disable=SC2119 source-path=SCRIPTDIR source=lib.sh
. "${0%/*}/lib.sh"

exerciser_seed

mmfs_start -o threads=4
# valgrind runs the threads one at a time and makes every request take milliseconds: a smaller load there.
ops=1000 lines=2000 churns=300
if daemon_runs_under valgrind; then ops=100 lines=100 churns=20; fi
exercise "exerciser with threads=4" run "$MNT" "$WORK/model" "$SEED" 4 "$ops"

: >"$MNT/log"
expect_eq "8 appenders x $lines lines" "OK" "$(timeout 300 "$CLIENTS/appender" "$MNT/log" 8 "$lines" 2>&1)"
expect_eq "appended length (48-byte lines)" "$((8 * lines * 48))" "$(stat -c %s "$MNT/log")"
used_before=$(df -B1 --output=used "$MNT" | tail -n 1 | tr -d ' ')

mkdir "$MNT/churn"
out=$(timeout 300 "$PYTHON" - "$MNT" "$churns" <<'EOF' 2>&1
import os, sys, multiprocessing

mnt, rounds = sys.argv[1], int(sys.argv[2])

def churn(worker):
    for i in range(rounds):
        made = f"{mnt}/churn/w{worker}-{i}"
        moved = f"{mnt}/churn/moved-w{worker}-{i}"
        with open(made, "w") as f:
            f.write("x" * i)
        os.rename(made, moved)
        names = os.listdir(f"{mnt}/churn")
        if os.path.basename(moved) not in names:
            return f"worker {worker}: {moved} missing from the listing"
        os.setxattr(moved, "user.mmf.capacity", b"65536")
        with open(moved) as f:
            if f.read() != "x" * i:
                return f"worker {worker}: {moved} does not read back"
        os.unlink(moved)
    return None

with multiprocessing.Pool(6) as pool:
    errors = [e for e in pool.map(churn, range(6)) if e]
print("\n".join(errors) if errors else "OK")
EOF
)
expect_eq "6 processes churning one directory" "OK" "$out"
expect_eq "names left in the churned directory" "" "$(ls -A "$MNT/churn")"
rmdir "$MNT/churn" || fail "the churned directory could not be removed"
expect_eq "pool use after the churn" "$used_before" "$(df -B1 --output=used "$MNT" | tail -n 1 | tr -d ' ')"
expect_eq "backing files of the churn left" "0" "$(find "$BACKING" -name '*w[0-5]-*' | wc -l)"
rm "$MNT/log"
mmfs_stop

mmfs_start -o threads=4
exercise "exerciser model after remount" verify "$MNT" "$WORK/model"
mmfs_stop
finish
