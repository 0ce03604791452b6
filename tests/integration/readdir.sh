#!/bin/sh
# readdir.sh - ls/readdir of many entries: 1000 names (and 200 of 250 bytes) are each listed exactly once by
# ls, ls -f, ls -l, find and python; removed names vanish from the listing; names removed or renamed during a
# listing stay gone; rewinddir shows the current directory; telldir/seekdir over 10,000 entries land where
# they were; odd names list as they are.
# shellcheck disable=SC2119,SC2012,SC2010 source-path=SCRIPTDIR source=lib.sh # ls is what is tested
. "${0%/*}/lib.sh"

umask 022
mmfs_start
d="$MNT/many"
mkdir "$d"
i=0
while [ "$i" -lt 1000 ]; do
	: >"$d/entry-$i"
	i=$((i + 1))
done
i=0
while [ "$i" -lt 1000 ]; do
	echo "entry-$i"
	i=$((i + 1))
done | LC_ALL=C sort >"$WORK/expected"

LC_ALL=C ls "$d" >"$WORK/ls"
cmp -s "$WORK/expected" "$WORK/ls" ||
	fail "ls of 1000 entries: expected entry-0..entry-999 once each, saw $(wc -l <"$WORK/ls") lines; diff: $(diff "$WORK/expected" "$WORK/ls" | head -n 5 | tr '\n' ' ')"
LC_ALL=C ls -f "$d" | LC_ALL=C sort >"$WORK/ls-f"
{ printf '.\n..\n'; cat "$WORK/expected"; } | LC_ALL=C sort >"$WORK/expected-f"
cmp -s "$WORK/expected-f" "$WORK/ls-f" || fail "ls -f (raw readdir order): expected . .. and 1000 names once each, saw $(wc -l <"$WORK/ls-f") lines, $(uniq -d "$WORK/ls-f" | wc -l) repeated"
expect_eq "ls -l lines (total + 1000)" "1001" "$(ls -l "$d" | wc -l)"
expect_eq "ls -l: every entry a regular empty file owned by root" "1000" "$(ls -ln "$d" | grep -c '^-rw-r--r-- 1 0 0 0 ')"
expect_eq "find -type f" "1000" "$(find "$d" -type f | wc -l)"
expect_eq "python listdir: count and distinct" "1000 1000" \
	"$("$PYTHON" -c 'import os,sys; n=os.listdir(sys.argv[1]); print(len(n), len(set(n)))' "$d")"
expect_eq "nlink of a directory with only files" "2" "$(stat -c %h "$d")"

# Remove every other entry: exactly the rest is listed.
i=0
while [ "$i" -lt 1000 ]; do
	rm "$d/entry-$i"
	i=$((i + 2))
done
expect_eq "ls after removing 500" "500" "$(ls "$d" | wc -l)"
expect_eq "no removed name listed" "0" "$(find "$d" -name 'entry-*[02468]' | wc -l)"

# Long names fill readdir buffers fast: 200 names of 250 bytes.
mkdir "$MNT/long"
pad=$(printf '%0245d' 0 | tr 0 p)
i=0
while [ "$i" -lt 200 ]; do
	: >"$MNT/long/$(printf '%s%05d' "$pad" "$i")"
	i=$((i + 1))
done
expect_eq "python listdir of 200 long names: count and distinct" "200 200" \
	"$("$PYTHON" -c 'import os,sys; n=os.listdir(sys.argv[1]); print(len(n), len(set(n)))' "$MNT/long")"

# A listing that goes on while entries are added and removed lists each remaining name at most once.
"$PYTHON" - "$d" <<'PY' || fail "readdir while the directory changes"
import os, sys
d = sys.argv[1]
seen = []
with os.scandir(d) as it:
    for n, e in enumerate(it):
        seen.append(e.name)
        if n == 10:
            for i in range(1000, 1100):
                open(os.path.join(d, "entry-%d" % i), "w").close()
            for i in range(1, 200, 2):
                os.unlink(os.path.join(d, "entry-%d" % i))
dups = len(seen) - len(set(seen))
if dups:
    print("FAIL: readdir while changing: expected no repeated name, saw %d" % dups)
    sys.exit(1)
PY

# A listing that outlives a removal or a rename must not bring the old names back: readdirplus hands the kernel
# a dentry for each entry, kept for the whole entry timeout. The changes come after the first getdents, so the
# names are listed later from the opendir snapshot.
mkdir "$MNT/stale"
"$PYTHON" - "$MNT/stale" <<'PY' || fail "names removed or renamed during a listing"
import errno, os, sys
os.chdir(sys.argv[1])
for i in range(3000):
    open("g%04d" % i, "w").close()
os.mkdir("zdir")
moved = os.stat("g2700").st_ino
bad = []
with os.scandir(".") as it:
    next(it)                                   # a listing is in progress
    os.rename("g2500", "renamed")
    os.unlink("g2600")
    os.rename("g2700", "g2800")                # g2800 now names another file
    os.rename("zdir", "zdir2")
    listed = [e.name for e in it]
for n in ("g2500", "g2600", "zdir"):
    if n in listed:
        bad.append("%s: expected not listed after it went, saw it listed" % n)
def errname(call):
    try:
        call()
        return "OK"
    except OSError as e:
        return errno.errorcode[e.errno]
for what, call in (("stat g2500", lambda: os.stat("g2500")),
                   ("stat g2600", lambda: os.stat("g2600")),
                   ("open g2500 for writing", lambda: os.close(os.open("g2500", os.O_WRONLY))),
                   ("mkdir zdir/x", lambda: os.mkdir("zdir/x"))):
    got = errname(call)
    if got != "ENOENT":
        bad.append("%s: expected ENOENT, saw %s" % (what, got))
if os.stat("g2800").st_ino != moved:
    bad.append("g2800: expected the inode of the file renamed over it (%d), saw %d" % (moved, os.stat("g2800").st_ino))
if os.listdir("zdir2") != [] or os.path.getsize("renamed") != 0:
    bad.append("zdir2 and renamed: expected empty, saw %r and %d bytes" % (os.listdir("zdir2"), os.path.getsize("renamed")))
for b in bad:
    print("FAIL: " + b)
sys.exit(1 if bad else 0)
PY

# rewinddir shows the directory as it is now, as a new opendir would (POSIX): a name made after the first pass
# is listed, one removed is not.
mkdir "$MNT/rewind"
: >"$MNT/rewind/keep"
: >"$MNT/rewind/old"
expect_eq "rewinddir after a create and an unlink" "before: keep old
after: keep newfile" "$("$CLIENTS/dirstream" rewind "$MNT/rewind" newfile old 2>&1)"

# telldir/seekdir over 10,000 entries (2,000 under valgrind, where each create takes milliseconds), while names
# are removed and made: each seek lands on the entry noted there, and reading on gives each name that existed
# throughout exactly once.
if daemon_runs_under valgrind; then n=2000; else n=10000; fi
mkdir "$MNT/seek"
"$PYTHON" -c '
import os, sys
for i in range(int(sys.argv[2])):
    open(os.path.join(sys.argv[1], "e%05d" % i), "w").close()
    if i % 50 == 0:
        open(os.path.join(sys.argv[1], "c%05d" % i), "w").close()' "$MNT/seek" "$n"
out=$("$CLIENTS/dirstream" seek "$MNT/seek" 2>&1)
case $out in
"entries $((n + n / 50)) seeks "*) ;;
*) fail "telldir/seekdir over $((n + n / 50)) entries: expected [entries $((n + n / 50)) seeks N], saw [$out]" ;;
esac

# Odd but ordinary names.
mkdir "$MNT/odd"
for n in 'with space' '-dash' 'semi;colon' 'tab	in' 'ünïcödé' '.hidden' '*star*' 'new
line'; do
	: >"$MNT/odd/$n"
done
expect_eq "odd names listed" "8" "$("$PYTHON" -c 'import os,sys; print(len(set(os.listdir(sys.argv[1]))))' "$MNT/odd")"
[ -e "$MNT/odd/new
line" ] || fail "a name with a newline"
expect_eq "a name with a tab and one with unicode" "yes yes" \
	"$([ -e "$MNT/odd/tab	in" ] && echo yes) $([ -e "$MNT/odd/ünïcödé" ] && echo yes)"
mmfs_stop
finish
