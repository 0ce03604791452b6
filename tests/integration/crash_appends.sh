#!/bin/sh
# crash_appends.sh - the daemon is SIGKILLed while 4 writers append numbered fixed-width lines (one write()
# each) to their own segment and to a shared one, logging every write() that returned success outside the
# mount. The writers must stop on ENOTCONN/ECONNABORTED; after a restart on the same backing directory every
# acknowledged line is there, in order per writer, nothing torn or foreign, and capacities and modes are back.
# shellcheck disable=SC2119 source-path=SCRIPTDIR source=lib.sh
. "${0%/*}/lib.sh"

WRITERS=4
umask 022
mmfs_start
# Under valgrind every write takes milliseconds: 1000 lines x 2 segments x 4 writers would take half a minute
# before the crash, and longer than the hang guard on a loaded host. A hundred still crash mid-stream.
if daemon_runs_under valgrind; then READY_AFTER=100; else READY_AFTER=1000; fi
capacity() { getfattr --absolute-names --only-values -n user.mmf.capacity "$1" 2>&1; }

# Segments, with capacities and modes set before the crash: own segments 16m and mode 640, shared 64m, 604.
: >"$MNT/shared"
setfattr -n user.mmf.capacity -v 64m "$MNT/shared"
chmod 604 "$MNT/shared"
setfattr -n user.origin -v "before the crash" "$MNT/shared"
w=0
while [ "$w" -lt "$WRITERS" ]; do
	: >"$MNT/own$w"
	setfattr -n user.mmf.capacity -v 16m "$MNT/own$w"
	chmod 640 "$MNT/own$w"
	w=$((w + 1))
done

# Writers say "ready" once each has READY_AFTER lines acknowledged in both segments, and go on writing.
mkfifo "$WORK/ready"
w=0
while [ "$w" -lt "$WRITERS" ]; do
	"$CLIENTS/crash_writer" "$w" "$MNT/own$w" "$MNT/shared" "$WORK/log$w" "$READY_AFTER" >"$WORK/ready" \
		2>"$WORK/err$w" &
	pids="${pids:-} $!"
	track_pid "$!"
	w=$((w + 1))
done
exec 4<"$WORK/ready"
expect_eq "writers ready (each with $READY_AFTER lines acknowledged in both segments)" "$WRITERS" \
	"$(timeout "$HANG_GUARD" head -n "$WRITERS" <&4 | grep -c '^ready$')"

# The crash, in the middle of the writes; then every writer must stop by itself.
mmfs_crash
exec 4<&-
w=0
for pid in $pids; do
	wait "$pid"
	rc=$?
	expect_eq "writer $w exit status (0: it stopped on ENOTCONN or ECONNABORTED): last log line" \
		"0: stop" "$rc: $(tail -n 1 "$WORK/log$w" | cut -c1-4)"
	[ "$rc" -eq 0 ] || fail "writer $w: last log line [$(tail -n 1 "$WORK/log$w")], stderr [$(cat "$WORK/err$w")]"
	echo "writer $w: $(grep -c '^own ' "$WORK/log$w") lines acknowledged, then $(tail -n 1 "$WORK/log$w")"
	w=$((w + 1))
done
HELPER_PIDS=""

mmfs_start

# check SEGMENT KIND [WRITER]: every line is a whole, well-formed line of a writer that may write there; each
# writer's lines are numbered 0, 1, 2... in order; each writer has every acknowledged line there and at most
# one more (the write() in flight at the crash, done by the daemon but never acknowledged).
check() {
	python3 - "$1" "$2" "$WORK" "$WRITERS" "${3:-}" <<'PY'
import sys
path, kind, work, writers, only = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), sys.argv[5]
WIDTH = 48
def make_line(w, seq):
    head = "w%02u s%07u " % (w, seq)
    body = "".join(chr(ord("a") + (w * 7 + seq + i) % 26) for i in range(len(head), WIDTH - 1))
    return (head + body + "\n").encode()
acked = {}
for w in range(writers):
    seqs = [int(l.split()[1]) for l in open("%s/log%d" % (work, w)) if l.startswith(kind + " ")]
    if seqs != list(range(len(seqs))):
        print("FAIL: writer %d's own log of %s is not 0..n-1" % (w, kind))
    acked[w] = len(seqs)
allowed = [int(only)] if only else list(range(writers))
data = open(path, "rb").read()
bad = []
if len(data) % WIDTH:
    bad.append("length %d is not a multiple of %d: a torn line at the end" % (len(data), WIDTH))
seen = {w: 0 for w in allowed}
for off in range(0, len(data) - len(data) % WIDTH, WIDTH):
    line = data[off:off + WIDTH]
    try:
        w, seq = int(line[1:3]), int(line[5:12])
        ok = line == make_line(w, seq)
    except ValueError:
        ok = False
    if not ok or w not in seen:
        bad.append("offset %d: expected a whole line of writer %s, saw %r" % (off, allowed, line))
        continue
    if seq != seen[w]:
        bad.append("offset %d: writer %d: expected line %d, saw line %d" % (off, w, seen[w], seq))
    seen[w] = seq + 1
for w in allowed:
    if not acked[w] <= seen[w] <= acked[w] + 1:
        bad.append("writer %d: expected %d acknowledged lines (or one more, in flight), saw %d" % (w, acked[w], seen[w]))
for b in bad[:8]:
    print("FAIL: %s: %s" % (path.rsplit("/", 1)[-1], b))
if len(bad) > 8:
    print("FAIL: ... %d problems in all" % len(bad))
if not bad:
    print("OK %s" % " ".join("w%d:%d/%d" % (w, seen[w], acked[w]) for w in allowed))
PY
}
out=$(check "$MNT/shared" shared)
case $out in OK*) echo "shared segment after the crash: $out" ;; *) fail "shared segment after the crash: $out" ;; esac
w=0
while [ "$w" -lt "$WRITERS" ]; do
	out=$(check "$MNT/own$w" own "$w")
	case $out in OK*) ;; *) fail "own segment $w after the crash: $out" ;; esac
	acked=$(grep -c '^own ' "$WORK/log$w")
	[ "$acked" -ge "$READY_AFTER" ] || fail "writer $w: expected at least $READY_AFTER acknowledged lines, saw $acked"
	expect_eq "capacity of own$w after the crash" "16777216" "$(capacity "$MNT/own$w")"
	expect_eq "mode of own$w after the crash" "640" "$(stat -c %a "$MNT/own$w")"
	expect_eq "length of own$w (stat) matches its content" "$(wc -c <"$MNT/own$w")" "$(stat -c %s "$MNT/own$w")"
	w=$((w + 1))
done
expect_eq "capacity of shared after the crash" "67108864" "$(capacity "$MNT/shared")"
expect_eq "mode of shared after the crash" "604" "$(stat -c %a "$MNT/shared")"
expect_eq "user attribute of shared after the crash" "before the crash" \
	"$(getfattr --absolute-names --only-values -n user.origin "$MNT/shared" 2>&1)"

# Appends go on after the restart, at the recovered end.
before=$(stat -c %s "$MNT/shared")
printf '%047d\n' 0 >>"$MNT/shared" || fail "append to shared after the restart"
expect_eq "length of shared after one more line" "$((before + 48))" "$(stat -c %s "$MNT/shared")"
expect_eq "the new last line" "$(printf '%047d' 0)" "$(tail -n 1 "$MNT/shared")"
mmfs_stop
finish
