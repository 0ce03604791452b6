#!/bin/sh
# fd_limit.sh - the daemon's open-file limit: descriptors it keeps for segments nobody has open never make an
# open or a create fail (they are closed when the limit is reached); what the limit really bounds (segments
# open at once, directories: one descriptor each) fails with ENFILE, not with the caller's own EMFILE, the
# daemon goes on serving, and a backing directory with more directories than the limit allows is refused at
# start with one line that says what to raise. The daemon runs with an open-file limit of 64.
# shellcheck disable=SC2119 source-path=SCRIPTDIR source=lib.sh
. "${0%/*}/lib.sh"

MMFS_REAL=$MMFS
MMFS="$WORK/mmfs-64"
# A wrapper, so that lib.sh starts the daemon as usual with a lower limit (exec keeps its pid).
printf '#!/bin/sh\nexec prlimit --nofile=64:64 %s "$@"\n' "$MMFS_REAL" >"$MMFS"
chmod 755 "$MMFS"
mmfs_start

# make COUNT PREFIX: creates COUNT segments with one line each, closing each; prints OK or where it failed.
make_segments() {
	py_errno '
for i in range(int(n)):
    with open("%s/%s%d" % (d, p, i), "w") as f:
        f.write("segment %d\n" % i)' d="$MNT" n="$1" p="$2"
}
expect_eq "200 segments made and closed one by one" "OK" "$(make_segments 200 s)"
expect_eq "mkdir after them" "OK" "$(py_errno 'os.mkdir(p)' p="$MNT/dir")"
expect_eq "a new segment after them" "OK" "$(py_errno 'os.close(os.open(p, os.O_CREAT|os.O_WRONLY, 0o644))' p="$MNT/new")"
expect_eq "every segment reads back" "200" "$(cat "$MNT"/s* | grep -c '^segment ')"

# Held open at once: the limit does bound that, with ENFILE; closing them gives the room back.
expect_eq "200 segments held open at once" "ENFILE" "$(py_errno '
fds = []
for i in range(200):
    fds.append(os.open("%s/s%d" % (d, i), os.O_RDONLY))' d="$MNT")"
expect_eq "open after the others closed" "OK" "$(py_errno 'os.close(os.open(p, os.O_RDONLY))' p="$MNT/s199")"

# Directories keep a descriptor each: past the limit mkdir fails with ENFILE and nothing is left half made.
expect_eq "100 directories" "ENFILE" "$(py_errno '
for i in range(100):
    os.mkdir("%s/dir/d%d" % (d, i))' d="$MNT")"
made=$(find "$MNT/dir" -mindepth 1 -maxdepth 1 -type d | wc -l)
expect_eq "the backing directory holds as many directories as the mount" "$made" \
	"$(find "$BACKING/dir" -mindepth 1 -maxdepth 1 -type d | wc -l)"
expect_eq "stat after the refused mkdir" "10" "$(stat -c %s "$MNT/s0")"
rmdir "$MNT"/dir/d1 "$MNT"/dir/d2 "$MNT"/dir/d3 || fail "rmdir after the refused mkdir"
expect_eq "a segment once directories are gone" "OK" "$(py_errno 'os.close(os.open(p, os.O_CREAT|os.O_WRONLY, 0o644))' p="$MNT/after")"
mmfs_stop

# More directories than the limit allows at start: one line that names the limit, exit 1, no mount.
MMFS=$MMFS_REAL
mmfs_start
python3 -c 'import os, sys
for i in range(100):
    os.makedirs("%s/dir/e%d" % (sys.argv[1], i), exist_ok=True)' "$MNT"
mmfs_stop
"$WORK/mmfs-64" -f -o "backing=$BACKING" "$MNT" >"$WORK/start.out" 2>&1
expect_eq "start with too many directories: exit status" "1" "$?"
expect_eq "start with too many directories: one line" "1" "$(grep -c . "$WORK/start.out")"
# 64, or less under valgrind, which keeps some of the descriptors for itself.
grep -q 'open-file limit [1-6][0-9]*)' "$WORK/start.out" || fail "the message names the limit: $(cat "$WORK/start.out")"
mountpoint -q "$MNT" && fail "mounted after the refusal"
finish
