#!/bin/sh
# unprivileged.sh - an ordinary user mounts mmfs through fusermount3: the daemon runs as that user, the user
# creates, writes and reads, the backing directory is the user's (0700), and nobody else gets in: another user
# and root both get EACCES (no allow_other). Refused: root mounting over it, a second mmfs there, allow_other
# without user_allow_other, a backing directory of another user. The default backing directory
# /dev/shm/mmfs-UID-... is made for the user and kept across a restart. Unmounting with fusermount3 -u as the user
# ends the daemon with status 0.
# /dev/fuse must be usable by the user, as on any distribution (mode 0666). Where it is not (a container with
# 0600), the test grants its throwaway user rw with a POSIX ACL for the duration and restores the node at exit.
# shellcheck disable=SC2119 source-path=SCRIPTDIR source=lib.sh
. "${0%/*}/lib.sh"
# shellcheck source=users.sh
. "${0%/*}/users.sh"

UU=mmfs-test-u # mounts and runs the daemon
UV=mmfs-test-v # another user
UMNT="$WORK/umnt"
UMNT2="$WORK/umnt2"
UPID=""       # the daemon this test started as $UU
UPID_MNT=""   # where it is mounted
REMOVE_DIRS="" # backing directories under /dev/shm to remove at exit
FUSE_MODE=""  # the mode of /dev/fuse, set when an ACL was added to it

require_user_tools useradd userdel groupdel setpriv fusermount3
require_fuse

mounted_at() { grep -qs " $1 fuse" /proc/mounts; }

# Unmounts and stops the user's daemon (only by its pid), removes its backing directories, restores
# /dev/fuse, removes the users and their groups; lib.sh's cleanup then does the rest.
# shellcheck disable=SC2317 # run by lib.sh's EXIT trap
un_cleanup() {
	if [ -n "$UPID" ]; then
		if mounted_at "$UPID_MNT"; then
			as "$UU" fusermount3 -u "$UPID_MNT" 2>/dev/null || fusermount3 -uz "$UPID_MNT"
		fi
		kill "$UPID" 2>/dev/null
		wait "$UPID" 2>/dev/null
	fi
	for m in "$UMNT" "$UMNT2"; do
		mounted_at "$m" && fusermount3 -uz "$m"
	done
	for d in $REMOVE_DIRS; do
		rm -rf "$d"
	done
	if [ -n "$FUSE_MODE" ]; then
		python3 -c 'import os; os.removexattr("/dev/fuse", "system.posix_acl_access")' ||
			echo "WARNING: cannot remove the ACL of /dev/fuse" >&2
		chmod "$FUSE_MODE" /dev/fuse
	fi
	remove_users
}
TEST_CLEANUP=un_cleanup

make_user "$UU"
make_user "$UV"
uid_u=$(id -u "$UU")

if [ "$(u_errno "$UU" 'pass')" != OK ]; then
	echo "SKIP: $TEST_NAME: $UU cannot run python3 from /usr/bin or /usr/local/bin" >&2
	exit 77
fi

# Give the user /dev/fuse if this machine keeps it from ordinary users.
if ! as "$UU" sh -c 'exec 3<>/dev/fuse' 2>/dev/null; then
	if [ "$(py_errno 'os.getxattr("/dev/fuse", "system.posix_acl_access")')" != ENODATA ]; then
		echo "SKIP: $TEST_NAME: /dev/fuse is closed to users and already has an ACL (or none can be set)" >&2
		exit 77
	fi
	mode=$(stat -c %a /dev/fuse)
	FUSE_MODE=$mode
	python3 - "$uid_u" <<'PY' || { echo "FAIL: cannot grant /dev/fuse to $UU" >&2; exit 1; }
import os, stat, struct, sys
# A POSIX access ACL: the owner, group and other entries of the mode, plus rw for one user, mask rw.
m = os.stat("/dev/fuse").st_mode
undef = 0xFFFFFFFF
entries = [(0x01, (m >> 6) & 7, undef), (0x02, 6, int(sys.argv[1])), (0x04, (m >> 3) & 7, undef),
           (0x10, 6 | ((m >> 3) & 7), undef), (0x20, m & 7, undef)]
acl = struct.pack("<I", 2) + b"".join(struct.pack("<HHI", *e) for e in entries)
os.setxattr("/dev/fuse", "system.posix_acl_access", acl)
PY
	as "$UU" sh -c 'exec 3<>/dev/fuse' || { echo "FAIL: $UU cannot open /dev/fuse even with an ACL" >&2; exit 1; }
fi

# The users must reach the mountpoints inside $WORK (0700); the user must own a mountpoint for fusermount3.
chmod 0755 "$WORK"
if [ "$(u_errno "$UU" 'os.stat(p)' p="$WORK")" != OK ]; then
	echo "SKIP: $TEST_NAME: other users cannot reach $WORK (is a parent of it closed? TMPDIR=${TMPDIR:-})" >&2
	exit 77
fi
mkdir "$UMNT" "$UMNT2"
chown "$UU:$(id -g "$UU")" "$UMNT" "$UMNT2"
# The user runs the daemon, and a build tree in a private directory (a clone under `mktemp -d`) is out of its
# reach: it runs copies in $WORK. MMFS is the binary, or under scripts/check --valgrind the wrapper, which runs
# the binary that MMFS_UNDER_VALGRIND names.
mkdir "$WORK/bin"
cp "${top_builddir:?top_builddir must name the build tree}/src/mmfs" "$WORK/bin/mmfs"
[ "${MMFS##*/}" = mmfs ] || cp "$MMFS" "$WORK/bin/"
MMFS="$WORK/bin/${MMFS##*/}"
MMFS_UNDER_VALGRIND="$WORK/bin/mmfs"
export MMFS_UNDER_VALGRIND

# u_start MOUNTPOINT [ARGS...]: starts mmfs -f as $UU on MOUNTPOINT and waits for the mount.
u_start() {
	m=$1
	shift
	# Not through the function `as`: $! must be the daemon itself (setpriv and env exec it).
	setpriv --reuid="$UU" --regid="$(id -g "$UU")" --init-groups env -C / PATH=/usr/local/bin:/usr/bin:/bin \
		"$MMFS" -f "$@" "$m" >>"$WORK/udaemon.log" 2>&1 &
	UPID=$!
	UPID_MNT=$m
	wait_mounted "$UPID" "$m" "$WORK/udaemon.log" "mmfs as $UU"
	case $? in
	0) ;;
	1) UPID="" && exit 1 ;;
	*) exit 1 ;;
	esac
}
# u_stop: fusermount3 -u as the user; the daemon must exit 0 and leave nothing mounted.
u_stop() {
	as "$UU" fusermount3 -u "$UPID_MNT" || fail "fusermount3 -u $UPID_MNT as $UU failed"
	wait "$UPID"
	rc=$?
	UPID=""
	expect_eq "daemon's exit status after fusermount3 -u as $UU" "0" "$rc"
	[ "$rc" -ne 0 ] && cat "$WORK/udaemon.log" >&2
	mounted_at "$UPID_MNT" && fail "$UPID_MNT still mounted after fusermount3 -u"
}
# refused WHAT EXPECTED-LINE-PATTERN [as USER] COMMAND...: the command (a mmfs run) exits 1 with one line
# "mmfs: ..." on stderr matching the shell pattern, and mounts nothing new on $UMNT or $UMNT2.
refused() {
	what=$1
	pattern=$2
	shift 2
	if [ "$1" = as ]; then
		u=$2
		shift 2
		set -- setpriv --reuid="$u" --regid="$(id -g "$u")" --init-groups env -C / PATH=/usr/local/bin:/usr/bin:/bin "$@"
	fi
	before=$(grep -c " $UMNT fuse" /proc/mounts)
	timeout "$HANG_GUARD" "$@" >"$WORK/out" 2>"$WORK/err"
	rc=$?
	expect_eq "exit status of $what" "1" "$rc"
	expect_eq "stderr lines of $what ($(cat "$WORK/err"))" "1" "$(wc -l <"$WORK/err")"
	# shellcheck disable=SC2254 # the pattern is meant to match
	case "$(tail -n 1 "$WORK/err")" in
	$pattern) ;;
	*) fail "stderr of $what: expected [$pattern], saw [$(cat "$WORK/err")]" ;;
	esac
	expect_eq "mounts on $UMNT after $what" "$before" "$(grep -c " $UMNT fuse" /proc/mounts)"
	if mounted_at "$UMNT2"; then
		fail "$what: mounted on $UMNT2"
		fusermount3 -uz "$UMNT2"
	fi
}

# --- An explicit backing directory, made by the daemon for its user.
ub=$(mktemp -u /dev/shm/mmfs-test-u.XXXXXX)
REMOVE_DIRS="$REMOVE_DIRS $ub"
u_start "$UMNT" -o "backing=$ub"
expect_eq "the daemon runs as $UU" "$uid_u" "$(awk '/^Uid:/ { print $2 }' "/proc/$UPID/status")"
expect_eq "mount type and owner" "fuse.mmfs user_id=$uid_u" \
	"$(findmnt -n -o FSTYPE "$UMNT") $(findmnt -n -o OPTIONS "$UMNT" | tr ',' '\n' | grep '^user_id=')"
expect_eq "allow_other is off" "" "$(findmnt -n -o OPTIONS "$UMNT" | tr ',' '\n' | grep '^allow_other$')"
expect_eq "backing directory owner and mode" "$UU 700" "$(stat -c '%U %a' "$ub" 2>&1)"
expect_eq "root of the mount as the user sees it" "$uid_u 755" "$(as "$UU" stat -c '%u %a' "$UMNT" 2>&1)"

# The user works in it.
expect_eq "the user creates and writes" "OK" \
	"$(u_errno "$UU" 'fd=os.open(p, os.O_CREAT|os.O_EXCL|os.O_WRONLY, 0o644); os.write(fd, b"one\n"); os.close(fd)' p="$UMNT/seg")"
expect_eq "the user appends" "OK" \
	"$(u_errno "$UU" 'fd=os.open(p, os.O_WRONLY|os.O_APPEND); os.write(fd, b"two\n"); os.close(fd)' p="$UMNT/seg")"
expect_eq "the user reads" "one two" "$(as "$UU" cat "$UMNT/seg" 2>&1 | paste -sd' ')"
expect_eq "the user makes a directory and a segment in it" "OK" \
	"$(u_errno "$UU" 'os.mkdir(p); open(p + "/inner", "w").write("in\n")' p="$UMNT/dir")"
expect_eq "owner and length of the segment as the user sees them" "$uid_u 8" \
	"$(as "$UU" stat -c '%u %s' "$UMNT/seg" 2>&1)"
expect_eq "the user sets a capacity" "OK" \
	"$(u_errno "$UU" 'os.setxattr(p, "user.mmf.capacity", b"8")' p="$UMNT/seg")"
expect_eq "the user writes past it" "EFBIG" \
	"$(u_errno "$UU" 'fd=os.open(p, os.O_WRONLY|os.O_APPEND); os.write(fd, b"x")' p="$UMNT/seg")"
expect_eq "the user's backing directory is closed to another user" "EACCES" \
	"$(u_errno "$UV" 'os.listdir(p)' p="$ub")"

# Nobody else gets in: not another user, and not root either (FUSE refuses every other uid without allow_other).
expect_eq "another user stats the mountpoint" "EACCES" "$(u_errno "$UV" 'os.stat(p)' p="$UMNT")"
expect_eq "another user stats a segment" "EACCES" "$(u_errno "$UV" 'os.stat(p)' p="$UMNT/seg")"
expect_eq "another user opens a segment" "EACCES" "$(u_errno "$UV" 'os.open(p, os.O_RDONLY)' p="$UMNT/seg")"
expect_eq "another user lists the mount" "EACCES" "$(u_errno "$UV" 'os.listdir(p)' p="$UMNT")"
expect_eq "another user creates in the mount" "EACCES" \
	"$(u_errno "$UV" 'os.open(p, os.O_CREAT|os.O_WRONLY, 0o644)' p="$UMNT/theirs")"
expect_eq "root stats the mountpoint" "EACCES" "$(py_errno 'os.stat(p)' p="$UMNT")"
expect_eq "root stats a segment" "EACCES" "$(py_errno 'os.stat(p)' p="$UMNT/seg")"
expect_eq "root opens a segment" "EACCES" "$(py_errno 'os.open(p, os.O_RDONLY)' p="$UMNT/seg")"
expect_eq "root lists the mount" "EACCES" "$(py_errno 'os.listdir(p)' p="$UMNT")"
expect_eq "root removes a segment" "EACCES" "$(py_errno 'os.unlink(p)' p="$UMNT/seg")"

# Refused: a second mmfs on the mounted mountpoint (as the user, and as root), allow_other without
# user_allow_other in /etc/fuse.conf, and a backing directory that is not the user's.
refused "a second mmfs of the user on its mount" "mmfs: *already mounted*" \
	as "$UU" "$MMFS" -f -o "backing=$ub-2" "$UMNT"
refused "root's mmfs on the user's mount" "mmfs: *already mounted*" \
	"$MMFS" -f -o "backing=$ub-3" "$UMNT"
REMOVE_DIRS="$REMOVE_DIRS $ub-2 $ub-3"
if grep -qs '^user_allow_other' /etc/fuse.conf; then
	echo "note: /etc/fuse.conf has user_allow_other; not checking that allow_other is refused" >&2
else
	# fusermount3 says why on its own line first; mmfs's line is the last.
	timeout "$HANG_GUARD" setpriv --reuid="$UU" --regid="$(id -g "$UU")" --init-groups \
		"$MMFS" -f -o "backing=$ub-4,allow_other" "$UMNT2" >"$WORK/out" 2>"$WORK/err"
	expect_eq "exit status of allow_other as a user" "1" "$?"
	case "$(tail -n 1 "$WORK/err")" in
	"mmfs: "*) ;;
	*) fail "allow_other as a user: expected a last line \"mmfs: ...\", saw [$(cat "$WORK/err")]" ;;
	esac
	mounted_at "$UMNT2" && fail "allow_other as a user: mounted anyway"
	REMOVE_DIRS="$REMOVE_DIRS $ub-4"
fi
mkdir -m 700 "$WORK/root-backing"
refused "a root-owned backing directory for the user" "mmfs: *" \
	as "$UU" "$MMFS" -f -o "backing=$WORK/root-backing" "$UMNT2"
mkdir -m 700 "$WORK/v-backing"
chown "$UV" "$WORK/v-backing"
refused "another user's backing directory" "mmfs: *" \
	as "$UU" "$MMFS" -f -o "backing=$WORK/v-backing" "$UMNT2"
expect_eq "the user's mount still serves after the refusals" "one two" "$(as "$UU" cat "$UMNT/seg" 2>&1 | paste -sd' ')"
u_stop
expect_eq "backing directory kept after unmount" "$UU 700" "$(stat -c '%U %a' "$ub" 2>&1)"
# Without -d a mount that works says nothing.
expect_eq "the daemon's stderr (no -d) through a whole mount" "" "$(cat "$WORK/udaemon.log")"

# --- The default backing directory: /dev/shm/mmfs-UID-<escaped mountpoint>, the user's, mode 0700.
esc=$(python3 -c 'import re,sys; print(re.sub(rb"[^A-Za-z0-9._]", lambda m: b"-" if m.group() == b"/" else b"%%%02X" % m.group()[0], sys.argv[1].encode()[1:]).decode())' "$UMNT")
def="/dev/shm/mmfs-$uid_u-$esc"
REMOVE_DIRS="$REMOVE_DIRS $def"
[ -e "$def" ] && fail "default backing $def exists before the test"
u_start "$UMNT"
expect_eq "default backing directory, owner and mode" "$def $UU 700" "$(stat -c '%n %U %a' "$def" 2>&1)"
expect_eq "the user writes with the default backing" "OK" \
	"$(u_errno "$UU" 'open(p, "w").write("kept\n")' p="$UMNT/kept")"
u_stop
u_start "$UMNT"
expect_eq "a segment after restarting on the default backing" "kept" "$(as "$UU" cat "$UMNT/kept" 2>&1)"

# SIGTERM to the user's daemon while the user maps a segment: the daemon detaches its mount through
# fusermount3 -u -z, serves the mapping to its end, exits 0, and every store is kept.
mkfifo "$WORK/to" "$WORK/from"
setpriv --reuid="$UU" --regid="$(id -g "$UU")" --init-groups env -C / PATH=/usr/local/bin:/usr/bin:/bin \
	python3 -c "$MAPPER_PROGRAM" "$UMNT/mapped" <"$WORK/to" >"$WORK/from" &
MAPPER=$!
track_pid "$MAPPER"
exec 8>"$WORK/to" 9<"$WORK/from"
read -r said <&9
expect_eq "the user's mapper" mapped "$said"
kill -TERM "$UPID"
# shellcheck disable=SC2317 # run by wait_for
u_unmounted() { ! mounted_at "$UMNT"; }
wait_for u_unmounted || fail "$UMNT still mounted 60 s after SIGTERM to the user's daemon"
kill -0 "$UPID" 2>/dev/null || fail "the user's daemon exited while the user still mapped a segment"
echo go >&8
read -r said <&9
expect_eq "the user's mapper after SIGTERM" "done" "$said"
exec 8>&- 9<&-
wait "$MAPPER"
wait "$UPID"
expect_eq "exit status of the user's daemon after SIGTERM" 0 "$?"
UPID=""
u_start "$UMNT"
expect_eq "the user's stores before and after SIGTERM" "FIRSTLATER" "$(as "$UU" head -c 10 "$UMNT/mapped" 2>&1)"
u_stop
rm -rf "$def"
finish
