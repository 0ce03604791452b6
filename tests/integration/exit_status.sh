#!/bin/sh
# exit_status.sh - the daemon exits 0 on fusermount3 -u, umount, SIGTERM and SIGINT, leaving no mount; bad usage
# is one line "mmfs: <reason>" on stderr, exit status 1 and nothing mounted; -V and -h exit 0.
# shellcheck disable=SC2119 source-path=SCRIPTDIR source=lib.sh
. "${0%/*}/lib.sh"

mounted() { grep -qs " $MNT fuse" /proc/mounts; }

# fusermount3 -u (mmfs_stop checks status 0).
mmfs_start
echo x >"$MNT/f"
mmfs_stop
mounted && fail "still mounted after fusermount3 -u"

# umount as root.
mmfs_start
umount "$MNT" || fail "umount $MNT failed"
wait "$DAEMON_PID"
expect_eq "exit status after umount" "0" "$?"
DAEMON_PID=""
mounted && fail "still mounted after umount"

# stop_by SIGNAL: sends the signal to the daemon, which must unmount and exit 0.
stop_by() {
	kill -"$1" "$DAEMON_PID"
	wait "$DAEMON_PID"
	rc=$?
	expect_eq "exit status after SIG$1" "0" "$rc"
	[ "$rc" -ne 0 ] && cat "$DAEMON_LOG" >&2
	DAEMON_PID=""
	mounted && fail "still mounted after SIG$1"
}
mmfs_start
expect_eq "segment kept across restarts" "x" "$(cat "$MNT/f")"
stop_by TERM

# A shell starts background jobs with SIGINT ignored; give the daemon the default action as a terminal would.
real_mmfs=$MMFS
printf '#!/bin/sh\nexec env --default-signal=INT "%s" "$@"\n' "$real_mmfs" >"$WORK/mmfs-sigint"
chmod +x "$WORK/mmfs-sigint"
MMFS="$WORK/mmfs-sigint"
mmfs_start
MMFS=$real_mmfs
stop_by INT

# Version and help.
out=$(timeout "$HANG_GUARD" "$MMFS" -V 2>&1)
expect_eq "exit status of mmfs -V" "0" "$?"
[ -n "$out" ] || fail "mmfs -V printed nothing"
out=$(timeout "$HANG_GUARD" "$MMFS" -h 2>&1)
expect_eq "exit status of mmfs -h" "0" "$?"
case "$out" in *size=*) ;; *) fail "mmfs -h: expected the options (size=...), saw [$out]" ;; esac

# The default backing directory (CONTRACT.md): /dev/shm/mmfs-<uid>-<absolute mountpoint without its leading
# '/', '/' -> '-', bytes outside [A-Za-z0-9._] -> %XX>, created 0700.
esc=$("$PYTHON" -c 'import re,sys; print(re.sub(rb"[^A-Za-z0-9._]", lambda m: b"-" if m.group() == b"/" else b"%%%02X" % m.group()[0], sys.argv[1].encode()[1:]).decode())' "$MNT")
default_backing="/dev/shm/mmfs-$(id -u)-$esc"

# bad_usage WHAT ARGS...: exit 1, one line "mmfs: ..." on stderr, nothing mounted, no default backing made.
bad_usage() {
	what=$1
	shift
	timeout "$HANG_GUARD" "$MMFS" -f "$@" >"$WORK/out" 2>"$WORK/err"
	rc=$?
	expect_eq "exit status for $what" "1" "$rc"
	expect_eq "stderr lines for $what" "1" "$(wc -l <"$WORK/err")"
	case "$(head -n 1 "$WORK/err")" in
	"mmfs: "?*) ;;
	*) fail "stderr for $what: expected \"mmfs: <reason>\", saw [$(cat "$WORK/err")]" ;;
	esac
	if mounted; then
		fail "$what: mounted anyway"
		fusermount3 -u "$MNT"
	fi
	for dir in "$default_backing" "$BACKING"; do
		if [ -e "$dir" ]; then
			fail "$what: expected no backing directory made, saw $dir"
			rm -rf "$dir"
		fi
	done
}
# A fresh backing name that does not exist: a refused start must not create it.
rm -rf "$BACKING"
BACKING=""
new_backing
bad_usage "an unknown option" -o "backing=$BACKING,no_such_option" "$MNT"
# mount(8) runs the helper again for `mount -o remount`: the refusal says what to do instead.
bad_usage "-o remount" -o "backing=$BACKING,remount,ro" "$MNT"
grep -q "unmount it and mount it again" "$WORK/err" || fail "-o remount: no word of what to do: $(cat "$WORK/err")"
bad_usage "size=abc" -o "backing=$BACKING,size=abc" "$MNT"
bad_usage "size=-1" -o "backing=$BACKING,size=-1" "$MNT"
bad_usage "nr_segments=0x" -o "backing=$BACKING,nr_segments=0x" "$MNT"
bad_usage "capacity=12q" -o "backing=$BACKING,capacity=12q" "$MNT"
bad_usage "lifetime=forever" -o "backing=$BACKING,lifetime=forever" "$MNT"
bad_usage "threads=many" -o "backing=$BACKING,threads=many" "$MNT"
bad_usage "no mountpoint" -o "backing=$BACKING"
bad_usage "a missing mountpoint" -o "backing=$BACKING" "$WORK/no/such/dir"
bad_usage "an unknown flag" --no-such-flag "$MNT"
mkdir -m 777 "$WORK/open-backing"
bad_usage "a backing directory open to others" -o "backing=$WORK/open-backing" "$MNT"
mkdir -m 700 "$WORK/other-backing"
chown 1234 "$WORK/other-backing"
bad_usage "a backing directory owned by another user" -o "backing=$WORK/other-backing" "$MNT"

rm -rf "$BACKING"
BACKING=$default_backing
mmfs_start_raw
echo seg >"$MNT/seg" || fail "writing on the mount with the default backing"
expect_eq "default backing directory and its mode" "$BACKING 700" "$(stat -c '%n %a' "$BACKING" 2>&1)"
mmfs_stop
finish
