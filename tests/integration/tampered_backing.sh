#!/bin/sh
# tampered_backing.sh - someone edits the backing directory behind mmfs's back: a name whose backing file was
# removed while mounted can still be removed through the mount (files and directories), and a segment whose
# record says a capacity below its length (edited while stopped) can still shrink, while growing stays
# refused with EFBIG. The daemon keeps serving throughout.
# shellcheck disable=SC2119 source-path=SCRIPTDIR source=lib.sh
. "${0%/*}/lib.sh"

# The immutable directory made below must become removable again whatever happens, or the backing directory
# would stay behind.
# shellcheck disable=SC2317 # run by lib.sh's EXIT trap
tampered_cleanup() {
	[ -n "${IMMUTABLE:-}" ] && chattr -i "$IMMUTABLE" 2>/dev/null
}
TEST_CLEANUP=tampered_cleanup

mmfs_start
echo data >"$MNT/a"
mkdir "$MNT/d"
echo x >"$MNT/d/e"
rm "$BACKING/a"
rm -r "$BACKING/d"
expect_eq "rm of a name whose backing file is gone" "ok" "$(rm "$MNT/a" 2>&1 && echo ok)"
expect_eq "rm -r of a directory whose backing directory is gone" "ok" "$(rm -r "$MNT/d" 2>&1 && echo ok)"
expect_eq "what is left" "" "$(ls -A "$MNT")"
printf 'abcdef' >"$MNT/s"
mmfs_stop

# A record with a capacity of 1 byte on a 6-byte segment, as an editor or an old version could leave it.
record=$(getfattr --absolute-names --only-values -n user.mmf.meta "$BACKING/s" 2>/dev/null)
if [ -z "$record" ]; then
	record="mmf1 mode=100644 uid=$(id -u) gid=$(id -g) cap=4096 life=p"
fi
setfattr -n user.mmf.meta -v "$(printf '%s\n' "$record" | sed 's/cap=[0-9]*/cap=1/')" "$BACKING/s"
mmfs_start_raw -o "backing=$BACKING"
expect_eq "capacity read back" "1" "$(getfattr --absolute-names --only-values -n user.mmf.capacity "$MNT/s")"
expect_eq "append to a segment past its capacity" "EFBIG" "$(py_errno 'fd=os.open(p, os.O_WRONLY|os.O_APPEND); os.write(fd, b"x")' p="$MNT/s")"
expect_eq "shrink it (still past the capacity)" "OK" "$(py_errno 'os.truncate(p, 2)' p="$MNT/s")"
expect_eq "its bytes after the shrink" "ab" "$(cat "$MNT/s")"
mkdir "$MNT/kept"
printf 'inside' >"$MNT/kept/seg"
mmfs_stop

# A directory whose record says transient, which mmfs never writes (only segments have a lifetime): the
# directory stays, with what it holds, and the rest of the backing directory loads. It made the start fail.
setfattr -n user.mmf.meta -v "mmf1 mode=40755 uid=$(id -u) gid=$(id -g) cap=5 life=t" "$BACKING/kept"
mmfs_start_raw -o "backing=$BACKING"
expect_eq "a directory recorded as transient after a restart" "inside" "$(cat "$MNT/kept/seg")"
expect_eq "the segment beside it" "ab" "$(cat "$MNT/s")"
mmfs_stop

# An entry that cannot be loaded (a transient segment in a directory that cannot change, as root can make it)
# stops the start with one line that names it, and nothing is mounted.
if [ "$(id -u)" -eq 0 ] && command -v chattr >/dev/null 2>&1; then
	setfattr -n user.mmf.meta -v "mmf1 mode=100644 uid=$(id -u) gid=$(id -g) cap=5 life=t" "$BACKING/kept/seg"
	IMMUTABLE="$BACKING/kept"
	if chattr +i "$IMMUTABLE" 2>/dev/null; then
		"$MMFS" -f -o "backing=$BACKING" "$MNT" >"$WORK/start.out" 2>&1
		expect_eq "start with an entry that cannot be loaded: exit status" "1" "$?"
		chattr -i "$IMMUTABLE"
		IMMUTABLE=
		expect_eq "the one line names the entry" \
			"mmfs: $BACKING: cannot load kept/seg: Operation not permitted (move it away or repair it to start)" \
			"$(cat "$WORK/start.out")"
		mountpoint -q "$MNT" && fail "mounted after the refusal"
	else
		IMMUTABLE=
		echo "tampered_backing: SKIP the entry that cannot be loaded (chattr +i is refused here)"
	fi
fi
finish
