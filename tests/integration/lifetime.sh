#!/bin/sh
# lifetime.sh - a transient segment goes (name and backing file) when its last open handle and its last
# mapping are gone, not before: the PowerShell example's flow in plain shell, a mapping alone keeping it,
# holders killed with SIGKILL, hard links and renames, back to persistent, the mount default
# -o lifetime=transient, and a crash: transient segments are removed at start-up, persistent ones come back.
# The kernel sends RELEASE after close() has returned, so "gone" is awaited (bounded), never slept for.
# shellcheck disable=SC2119 source-path=SCRIPTDIR source=lib.sh
. "${0%/*}/lib.sh"

umask 022
lifetime() { getfattr --absolute-names --only-values -n user.mmf.lifetime "$MNT/$1" 2>&1; }
# listed NAME: "yes" if NAME (relative to the mount, may have a directory) is in its directory's listing.
listed() {
	for e in "$(dirname "$MNT/$1")"/*; do
		if [ "${e##*/}" = "${1##*/}" ]; then
			echo yes
			return
		fi
	done
	echo no
}
# entries DIR: the names under DIR (recursively), sorted, on one line.
entries() { (cd "$1" && find . -mindepth 1 | sed 's|^\./||' | sort | tr '\n' ' ' | sed 's/ $//'); }
backed() { if [ -e "$BACKING/$1" ]; then echo yes; else echo no; fi; }

# expect_gone WHAT NAME: NAME must leave the listing, lookups and the backing directory (within $HANG_GUARD s).
expect_gone() {
	wait_for gone "$2" ||
		fail "$1: expected $2 gone (listed no, lookup no, backing no), saw listed $(listed "$2")," \
			"lookup $([ -e "$MNT/$2" ] && echo yes || echo no), backing $(backed "$2")"
}
# gone NAME: NAME is neither listed, nor found by a lookup, nor in the backing directory.
# shellcheck disable=SC2317 # called through wait_for
gone() { [ "$(listed "$1")" != yes ] && [ ! -e "$MNT/$1" ] && [ ! -e "$BACKING/$1" ]; }
# expect_there WHAT NAME CONTENT: NAME is listed, has a backing file and holds CONTENT.
expect_there() {
	expect_eq "$1: listed" "yes" "$(listed "$2")"
	expect_eq "$1: backing file" "yes" "$(backed "$2")"
	expect_eq "$1: content" "$3" "$(cat "$MNT/$2" 2>&1)"
}

# A holder is a python process that opens a segment (open) or maps it and closes its descriptor (map), says
# "ready", then obeys commands read from its FIFO: read (prints the mapping), store TEXT (into the mapping at
# offset 0), unmap, exit. Each message is one open of a FIFO: a rendezvous, no timing.
HOLDER_PY='
import mmap, os, sys
path, mode, inp, out = sys.argv[1:5]
def say(s):
    with open(out, "w") as f:
        f.write(s + "\n")
fd = os.open(path, os.O_RDWR)
m = None
if mode == "map":
    m = mmap.mmap(fd, 0, mmap.MAP_SHARED)
    os.close(fd)
say("ready")
while True:
    with open(inp) as f:
        cmd = f.readline().rstrip("\n")
    if cmd == "read":
        say(m[:].decode().replace("\n", "|"))
    elif cmd.startswith("store "):
        text = cmd[6:].encode()
        m[0:len(text)] = text
        say("stored")
    elif cmd == "unmap":
        m.close()
        say("unmapped")
    elif cmd == "exit":
        say("bye")
        sys.exit(0)
'
# holder ID NAME MODE: starts holder ID on NAME and waits for its "ready"; its pid goes to $WORK/ID.pid.
holder() {
	mkfifo "$WORK/$1.in" "$WORK/$1.out"
	python3 -c "$HOLDER_PY" "$MNT/$2" "$3" "$WORK/$1.in" "$WORK/$1.out" 2>"$WORK/$1.err" &
	echo "$!" >"$WORK/$1.pid"
	track_pid "$!"
	# shellcheck disable=SC2016 # $1 is expanded by the inner sh
	got=$(timeout "$HANG_GUARD" sh -c 'read -r a <"$1" && echo "$a"' sh "$WORK/$1.out")
	expect_eq "holder $1 of $2 ($3) $(cat "$WORK/$1.err")" "ready" "$got"
}
# tell ID COMMAND: sends a command to holder ID and prints its answer (or "no answer" within $HANG_GUARD s).
tell() {
	# shellcheck disable=SC2016 # $1..$3 are expanded by the inner sh
	timeout "$HANG_GUARD" sh -c 'echo "$1" >"$2" && read -r a <"$3" && echo "$a"' sh "$2" "$WORK/$1.in" "$WORK/$1.out" ||
		echo "no answer from holder $1: $(cat "$WORK/$1.err")"
}
# killed ID: SIGKILLs holder ID and reaps it (its files and mappings are gone once wait returns).
killed() {
	pid=$(cat "$WORK/$1.pid")
	kill -KILL "$pid"
	wait "$pid" 2>/dev/null
}
# exited ID: waits for holder ID to exit and requires status 0.
exited() {
	wait "$(cat "$WORK/$1.pid")" || fail "holder $1 exited with failure"
}

mmfs_start
expected="Process A says: Hello World!
Process B says: hi
Process C says: hello"

# The example: A holds Test open, B and C append from their own processes, A reads, A closes: Test is gone.
exec 3<>"$MNT/Test"
expect_eq "lifetime of a new segment (default)" "persistent" "$(lifetime Test)"
setfattr -n user.mmf.lifetime -v transient "$MNT/Test" || fail "setfattr user.mmf.lifetime=transient"
expect_eq "lifetime after setfattr" "transient" "$(lifetime Test)"
echo "Process A says: Hello World!" >&3
sh -c 'echo "Process B says: hi" >>"$1"' sh "$MNT/Test" || fail "B's append"
sh -c 'echo "Process C says: hello" >>"$1"' sh "$MNT/Test" || fail "C's append"
expect_there "Test while A holds it, after B and C closed theirs" Test "$expected"
expect_eq "A reads through its own handle (/proc/self/fd/3)" "$expected" "$(cat /proc/self/fd/3)"
exec 3>&-
expect_gone "Test after A closed the last handle" Test
expect_eq "mount listing after A closed Test" "" "$(ls -A "$MNT")"
expect_eq "backing listing after A closed Test" "" "$(ls -A "$BACKING")"
expect_eq "open Test after it went" "ENOENT" "$(py_errno 'os.open(p, os.O_RDONLY)' p="$MNT/Test")"

# Set by path while nobody has it open: nothing to release, it stays until an open and close.
mkdir "$MNT/dir"
echo idle >"$MNT/dir/idle"
setfattr -n user.mmf.lifetime -v transient "$MNT/dir/idle"
expect_there "transient segment nobody opened since" dir/idle "idle"
expect_gone "transient segment after cat opened and closed it" dir/idle
expect_eq "its directory stays" "yes" "$(listed dir)"

# A mapping alone keeps it: the holder maps, closes its descriptor; others open and close around it.
echo "mapped data" >"$MNT/mapped"
setfattr -n user.mmf.lifetime -v transient "$MNT/mapped"
holder m1 mapped map
expect_there "transient segment mapped with no descriptor open" mapped "mapped data"
echo "Mapped" | dd of="$MNT/mapped" conv=notrunc status=none
expect_eq "a write seen through the mapping" "Mapped|data|" "$(tell m1 read)"
expect_eq "store through the mapping" "stored" "$(tell m1 "store MAPPED")"
expect_there "transient segment still mapped after other opens closed" mapped "MAPPED
data"
expect_eq "munmap of the last mapping" "unmapped" "$(tell m1 unmap)"
expect_gone "transient segment after munmap (its process still runs)" mapped
expect_eq "holder exits" "bye" "$(tell m1 exit)"
exited m1
# ... and a process that exits with the mapping still in place lets it go too.
echo "exit mapped" >"$MNT/exitmap"
setfattr -n user.mmf.lifetime -v transient "$MNT/exitmap"
holder m2 exitmap map
expect_eq "holder exits without munmap" "bye" "$(tell m2 exit)"
exited m2
expect_gone "transient segment after its mapper exited" exitmap

# Holders killed with SIGKILL: one with a descriptor, one with a mapping; the second keeps it alive.
echo "killed" >"$MNT/killed"
setfattr -n user.mmf.lifetime -v transient "$MNT/killed"
holder k1 killed open
holder k2 killed map
killed k1
expect_there "transient segment after one of two holders was killed" killed "killed"
killed k2
expect_gone "transient segment after both holders were SIGKILLed" killed

# Hard links and renames: all names go with the last close; a renamed one goes under its new name.
exec 3<>"$MNT/linked"
ln "$MNT/linked" "$MNT/dir/link2" || fail "ln of a transient segment"
setfattr -n user.mmf.lifetime -v transient "$MNT/dir/link2"
mv "$MNT/linked" "$MNT/dir/renamed"
echo "two names" >&3
expect_there "hard link of a held transient segment" dir/link2 "two names"
exec 3>&-
expect_gone "renamed name of a transient segment" dir/renamed
expect_gone "hard link of a transient segment" dir/link2
# Removed by hand while held: the close finds no name left, and the daemon goes on.
exec 3<>"$MNT/removed"
setfattr -n user.mmf.lifetime -v transient "$MNT/removed"
rm "$MNT/removed"
echo "after rm" >&3
exec 3>&-
expect_gone "transient segment removed while held" removed
echo ok >"$MNT/probe" || fail "write after closing a removed transient segment"
expect_eq "the daemon still serves" "ok" "$(cat "$MNT/probe")"
rm "$MNT/probe"

# Back to persistent while held: it stays after the close.
exec 3<>"$MNT/back"
setfattr -n user.mmf.lifetime -v transient "$MNT/back"
echo back >&3
setfattr -n user.mmf.lifetime -v persistent "$MNT/back"
exec 3>&-
cat "$MNT/back" >/dev/null
expect_there "segment set transient then persistent, after its last close" back "back"
expect_eq "its lifetime" "persistent" "$(lifetime back)"

# A crash: persistent segments come back; transient ones (idle, or held at the crash) are removed at start-up.
echo keep >"$MNT/keep"
echo "keep too" >"$MNT/dir/keep2"
echo idle >"$MNT/t_idle"
setfattr -n user.mmf.lifetime -v transient "$MNT/t_idle"
echo idle >"$MNT/dir/t_idle2"
setfattr -n user.mmf.lifetime -v transient "$MNT/dir/t_idle2"
echo held >"$MNT/t_held"
setfattr -n user.mmf.lifetime -v transient "$MNT/t_held"
holder h1 t_held open
expect_eq "entries before the crash" "back dir dir/keep2 dir/t_idle2 keep t_held t_idle" "$(entries "$MNT")"
mmfs_crash
killed h1
mmfs_start
expect_eq "entries after a crash and restart" "back dir dir/keep2 keep" "$(entries "$MNT")"
expect_eq "backing entries after a crash and restart" "back dir dir/keep2 keep" \
	"$(entries "$BACKING")"
expect_there "persistent segment after the crash" keep "keep"
expect_there "persistent segment in a directory after the crash" dir/keep2 "keep too"
expect_there "segment set back to persistent, after the crash" back "back"
expect_eq "lifetime after the crash" "persistent" "$(lifetime back)"
mmfs_stop

# -o lifetime=transient: new segments are transient, old ones stay persistent.
mmfs_start -o lifetime=transient
expect_eq "old segment with -o lifetime=transient" "persistent" "$(lifetime keep)"
exec 3<>"$MNT/Test"
expect_eq "lifetime of a new segment with -o lifetime=transient" "transient" "$(lifetime Test)"
echo "Process A says: Hello World!" >&3
sh -c 'echo "Process B says: hi" >>"$1"' sh "$MNT/Test"
sh -c 'echo "Process C says: hello" >>"$1"' sh "$MNT/Test"
expect_there "Test while A holds it (mount default)" Test "$expected"
exec 3>&-
expect_gone "Test after A closed it (mount default)" Test
echo quick >"$MNT/quick"
expect_gone "a segment written and closed by the shell (mount default)" quick
exec 3>"$MNT/kept"
echo kept >&3
setfattr -n user.mmf.lifetime -v persistent "$MNT/kept"
exec 3>&-
cat "$MNT/kept" >/dev/null
expect_there "a new segment made persistent (mount default)" kept "kept"
mkdir "$MNT/newdir" || fail "mkdir with -o lifetime=transient"
# Six processes open(O_CREAT|O_APPEND), write and close three transient names in turn, so each last close
# (which removes the segment) races the others' opens: an open must then find it or create it anew. It
# failed with ENOENT (the kernel still held the removed segment's entry), then, answered ESTALE, when the
# kernel's one retry lost the race again; mmfs now puts a reclaim off for a moment after a lookup. Only a
# daemon slowed more than those 50 ms (valgrind, sanitizers) may still give ESTALE (mmfs.8, LIFETIME).
opens=2000 stale_ok=0
if daemon_runs_under valgrind || daemon_runs_under sanitizer; then
	opens=300 stale_ok=1
fi
churn=$(python3 - "$MNT/churn" "$opens" "$stale_ok" <<'PY' 2>&1
import errno, os, sys
path, opens, stale_ok = sys.argv[1], int(sys.argv[2]), sys.argv[3] == "1"
pids = []
for _ in range(6):
    pid = os.fork()
    if pid == 0:
        status = 0
        for i in range(opens):
            try:
                fd = os.open(path + "abc"[i % 3], os.O_CREAT | os.O_WRONLY | os.O_APPEND, 0o644)
                os.write(fd, b"x\n")
                os.close(fd)
            except OSError as e:
                if not (stale_ok and e.errno == errno.ESTALE):
                    print(f"open, write or close: {e}")
                    status = 1
                    break
        os._exit(status)
    pids.append(pid)
failed = sum(os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1]) != 0 for pid in pids)
print("ok" if failed == 0 else f"{failed} of 6 processes failed")
PY
)
expect_eq "opens with O_CREAT racing the last close of a transient segment" "ok" "$churn"
for name in churna churnb churnc; do
	expect_gone "a raced transient segment after every process closed it" "$name"
done
expect_eq "directories are not segments" "yes" "$(listed newdir)"
mmfs_stop
mmfs_start
expect_eq "entries after a clean restart" "back dir dir/keep2 keep kept newdir" "$(entries "$MNT")"
mmfs_stop
finish
