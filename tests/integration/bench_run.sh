#!/bin/sh
# bench_run.sh - scripts/bench measures every workload on tmpfs and mmfs (--quick, one round), prints JSON with a
# number for each row and target, relaxes the dirty limit of the mmfs mount when root, and leaves no mount, no
# daemon and no directory behind. Nothing is timed against a threshold: speed is read from the bench itself.
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "${0%/*}/lib.sh"

require_fuse
cd "${top_srcdir:?top_srcdir must name the source tree}" || exit 1

list_leftovers() {
	ls -d /dev/shm/mmfs-bench.* "${TMPDIR:-/tmp}"/mmfs-bench.* 2>/dev/null
	grep -F mmfs-bench /proc/self/mountinfo
}
list_leftovers >"$WORK/before"

# The bench stops only the daemons it started: its exit leaves our own (none here) alone.
scripts/bench --quick --rounds 1 --cap 2 --targets tmpfs,mmfs --mmfs "$MMFS" --json >"$WORK/bench.json" \
	2>"$WORK/bench.err"
status=$?
expect_eq "scripts/bench exit status" "0" "$status"

"$PYTHON" - "$WORK/bench.json" "$(id -u)" >"$WORK/verdict" 2>&1 <<'EOF'
import json, sys
doc = json.load(open(sys.argv[1]))
root = sys.argv[2] == "0"
rows = {r["workload"]: r for r in doc["results"]}
want = ["seq-write", "seq-read-cold", "seq-read-cached", "rand-read-cold", "rand-read-cached", "append", "append-rw",
        "open-append-close", "create", "stat", "stat-hot", "unlink", "mmap-store-1st", "mmap-store-2nd",
        "mmap-store-synced", "mmap-read-1st", "mmap-read-2nd", "append-par"]
problems = [w for w in want if w not in rows]
for w in want:
    for t in ("tmpfs", "mmfs"):
        v = rows.get(w, {}).get("median", {}).get(t)
        if not isinstance(v, (int, float)) or v <= 0:
            problems.append("%s/%s=%r" % (w, t, v))
        # The host's steal during the kept loop: a share of CPU time (the mmap rows share one loop).
        s = rows.get(w, {}).get("steal_percent", {}).get(t)
        if not (isinstance(s, list) and len(s) == 1 and all(isinstance(x, (int, float)) and 0 <= x <= 100 for x in s)):
            problems.append("%s/%s steal=%r" % (w, t, s))
if doc.get("steal_limit_percent") != 5 or not isinstance(doc.get("reruns"), int) or doc["reruns"] < 0:
    problems.append("steal limit %r, reruns %r" % (doc.get("steal_limit_percent"), doc.get("reruns")))
# The round trip floor: two rates per round, the one-CPU one a number of its own.
rt = doc.get("round_trip", {})
for k in ("median_per_s", "one_cpu_median_per_s"):
    if not isinstance(rt.get(k), (int, float)) or rt[k] <= 0:
        problems.append("round_trip %s=%r" % (k, rt.get(k)))
for k in ("rounds", "one_cpu_rounds"):
    if not (isinstance(rt.get(k), list) and len(rt[k]) == 1):
        problems.append("round_trip %s=%r" % (k, rt.get(k)))
# How idle CPUs wait, read from sysfs: the first thing to compare between machines for small operations.
try:
    driver = open("/sys/devices/system/cpu/cpuidle/current_driver").read().strip()
except OSError:
    driver = "none"
if not str(doc["machine"].get("idle", "")).startswith("cpuidle " + driver):
    problems.append("machine idle=%r, cpuidle driver %s" % (doc["machine"].get("idle"), driver))
bdi = doc["targets"]["mmfs"]["bdi"]
if root and "max_ratio=100" not in bdi:
    problems.append("mmfs bdi not relaxed: " + bdi)
if doc["rss"].get("bytes_per_segment", 0) <= 0:
    problems.append("no memory measurement: %r" % doc["rss"])
print("ok" if not problems else " ".join(problems))
EOF
expect_eq "every row measured on tmpfs and mmfs" "ok" "$(cat "$WORK/verdict")"

# Bad arguments: one line, exit 1, nothing mounted (checked with the leftovers below).
for args in "--cap ." "--cap 1.2.3" "--cap .5" "--cap 0" "--cap 00.5" "--rounds 08" "--rounds 00" \
	"--targets mmfs,mmfs" "--targets=" "--only ," "--only append,append" "--targets nfs" "--only fly" \
	"--steal-limit x" "--steal-limit -1" "--steal-limit=" "--steal-limit 1.5"; do
	# shellcheck disable=SC2086 # the arguments are meant to split
	scripts/bench $args >"$WORK/bad.out" 2>"$WORK/bad.err"
	expect_eq "scripts/bench $args: exit status" "1" "$?"
	expect_eq "scripts/bench $args: one line on stderr" "1" "$(grep -c . "$WORK/bad.err")"
	expect_eq "scripts/bench $args: nothing on stdout" "" "$(cat "$WORK/bad.out")"
done

list_leftovers >"$WORK/after"
expect_eq "nothing left behind" "" "$(diff "$WORK/before" "$WORK/after" | grep '^>')"
[ "$status" -eq 0 ] || fail "bench stderr: $(tail -n 20 "$WORK/bench.err")"
finish
