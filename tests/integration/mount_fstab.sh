#!/bin/sh
# shellcheck disable=SC2119
# mount_fstab.sh - mount(8) -t fuse.mmfs, an fstab line of type fuse.mmfs and the options of the shipped
# systemd unit mount mmfs through mount.fuse3, and umount ends the daemon. Root only (77 otherwise).
#
# mount(8) runs its helper with an empty environment, so mount.fuse3's /bin/sh finds mmfs only in the
# shell's default PATH (/usr/local/sbin first). The test never installs there: it runs in a private mount
# namespace (unshare) where a directory holding a link to the built mmfs is bind-mounted over that first
# PATH directory, and a tmpfs hides /run so that libmount's utab entries stay inside the namespace. The
# real /etc/fstab is never read: mount -T names a fstab of the test's own.

if [ -z "${MMFS_TEST_IN_NS:-}" ]; then
	if [ "$(id -u)" -ne 0 ]; then
		echo "SKIP: mount(8) with an alternative fstab and a mount namespace need root" >&2
		exit 77
	fi
	if [ ! -x /sbin/mount.fuse ] && [ ! -x /sbin/mount.fuse.mmfs ]; then
		echo "SKIP: no /sbin/mount.fuse (Debian package fuse3)" >&2
		exit 77
	fi
	if ! command -v unshare >/dev/null 2>&1 || ! unshare --mount --propagation private true 2>/dev/null; then
		echo "SKIP: cannot make a private mount namespace (unshare)" >&2
		exit 77
	fi
	MMFS_TEST_IN_NS=1 exec unshare --mount --propagation private sh "$0" "$@"
fi

# shellcheck source-path=SCRIPTDIR source=lib.sh
. "${0%/*}/lib.sh"
: "${top_srcdir:=${0%/*}/../..}"
require_fuse
new_backing

# The directory where the helper's shell looks first for mmfs: the first one of its default PATH.
helper_dir=""
# shellcheck disable=SC2016 # $PATH is for the inner shell to expand
default_path=$(env -i /bin/sh -c 'echo "$PATH"')
old_ifs=$IFS
IFS=:
for dir in $default_path; do
	if [ -d "$dir" ]; then
		helper_dir=$dir
		break
	fi
done
IFS=$old_ifs
if [ -z "$helper_dir" ]; then
	fail "no directory of /bin/sh's default PATH [$default_path] exists"
	finish
fi
mkdir "$WORK/bin"
ln -s "$MMFS" "$WORK/bin/mmfs"
mount --bind "$WORK/bin" "$helper_dir" || { fail "bind-mount over $helper_dir in the namespace"; finish; }
mount -t tmpfs -o mode=0755,size=1m mmfs-test-run /run || { fail "tmpfs over /run in the namespace"; finish; }

# The pid of the daemon serving $MNT: the process whose arguments are "mmfs mmfs $MNT ..." (as mount.fuse3
# starts it), not its watchdog (a fork with the same arguments, named mmfs-watchdog). Prints nothing if there
# is none. Used only to watch it, never to kill it.
daemon_pid() {
	for proc in /proc/[0-9]*; do
		args=$(tr '\0' '\n' 2>/dev/null <"$proc/cmdline" | head -n 3 | tr '\n' ' ')
		if [ "$args" = "mmfs mmfs $MNT " ] && [ "$(cat "$proc/comm" 2>/dev/null)" != mmfs-watchdog ]; then
			echo "${proc#/proc/}"
		fi
	done
}

# exited PID: true once the process is gone or has exited (a zombie has exited).
# shellcheck disable=SC2317 # called through wait_for
exited() {
	state=$(sed 's/.*) //' "/proc/$1/stat" 2>/dev/null | cut -d' ' -f1)
	[ -z "$state" ] || [ "$state" = Z ]
}

# check_mounted WHAT SIZE: the mount at $MNT is mmfs from source mmfs, df shows a pool of SIZE bytes, and
# its daemon is the built mmfs. Sets PID to the daemon's pid.
check_mounted() {
	expect_eq "$1: source and type in /proc/mounts" "mmfs fuse.mmfs" \
		"$(awk -v m="$MNT" '$2 == m { print $1, $3 }' /proc/mounts)"
	expect_eq "$1: pool size shown by df" "$2" "$(df -B1 --output=size "$MNT" | tail -n 1 | tr -d ' ')"
	PID=$(daemon_pid)
	expect_eq "$1: one daemon started as 'mmfs mmfs $MNT -o ...'" "1" "$(echo "$PID" | grep -c .)"
	PID=$(echo "$PID" | head -n 1)
	if [ -n "$PID" ]; then
		expect_eq "$1: the daemon is the built mmfs" "$(readlink -f "$MMFS")" "$(readlink -f "/proc/$PID/exe")"
	fi
}

# check_unmount WHAT: umount succeeds, the mount is gone and its daemon ends by itself within $HANG_GUARD s.
check_unmount() {
	umount "$MNT" || fail "$1: umount $MNT failed"
	expect_eq "$1: mounts at $MNT after umount" "0" "$(awk -v m="$MNT" '$2 == m' /proc/mounts | grep -c .)"
	if [ -n "$PID" ]; then
		wait_for exited "$PID" || fail "$1: daemon $PID still runs $HANG_GUARD s after umount"
	fi
}

# must_mount WHAT COMMAND...: runs a mount command, which must succeed and print nothing; ends the test
# at once when it fails, since every later check would fail with it.
must_mount() {
	what=$1
	shift
	"$@" >"$WORK/mount.out" 2>&1
	rc=$?
	expect_eq "$what (output)" "" "$(cat "$WORK/mount.out")"
	if [ "$rc" -ne 0 ]; then
		fail "$what: exit status $rc"
		finish
	fi
}

# 1. mount(8) on the command line, as the issue has it: -t fuse.mmfs, source mmfs, -o size=1m.
must_mount "mount -t fuse.mmfs mmfs MNT -o size=1m" mount -t fuse.mmfs mmfs "$MNT" -o "size=1m,backing=$BACKING"
check_mounted "mount -t" 1048576
echo "from mount(8)" >"$MNT/seg"
expect_eq "mount -t: a segment written and read back" "from mount(8)" "$(cat "$MNT/seg")"
check_unmount "mount -t"

# 2. An fstab line with the options fstab and systemd add for themselves, mounted by its mountpoint.
mnt_field=$(printf '%s' "$MNT" | sed 's/ /\\040/g')
backing_field=$(printf '%s' "$BACKING" | sed 's/ /\\040/g')
printf 'mmfs %s fuse.mmfs size=2m,backing=%s,noauto,nofail,_netdev,x-systemd.requires=x.service 0 0\n' \
	"$mnt_field" "$backing_field" >"$WORK/fstab"
must_mount "mount -T FSTAB MNT" mount -T "$WORK/fstab" "$MNT"
check_mounted "fstab" 2097152
expect_eq "fstab: the segment from the first mount is back" "from mount(8)" "$(cat "$MNT/seg" 2>&1)"
check_unmount "fstab"

# 3. The shipped systemd unit: its What, Type and Options, mounted the way systemd runs mount(8).
unit="$top_srcdir/systemd/mnt-mmf.mount"
if [ ! -f "$unit" ]; then
	fail "no systemd unit at $unit"
	finish
fi
unit_key() {
	sed -n "s/^$1=//p" "$unit"
}
expect_eq "unit Where=" "/mnt/mmf" "$(unit_key Where)"
expect_eq "unit What=" "mmfs" "$(unit_key What)"
expect_eq "unit Type=" "fuse.mmfs" "$(unit_key Type)"
case ",$(unit_key Options)," in
*,allow_other,*) ;;
*) fail "unit Options= [$(unit_key Options)] lacks allow_other" ;;
esac
if command -v systemd-analyze >/dev/null 2>&1; then
	cp "$unit" "$WORK/mnt-mmf.mount"
	systemd-analyze verify --man=no "$WORK/mnt-mmf.mount" >"$WORK/verify.out" 2>&1 ||
		fail "systemd-analyze verify mnt-mmf.mount: $(cat "$WORK/verify.out")"
else
	echo "note: systemd-analyze is not installed, mnt-mmf.mount not verified" >&2
fi
must_mount "mount with the unit's What, Type and Options" \
	mount -t "$(unit_key Type)" "$(unit_key What)" "$MNT" -o "$(unit_key Options),backing=$BACKING"
# No size= in the unit: the pool is half the memory, shown in 4096-byte blocks.
check_mounted "unit" "$(($(getconf _PHYS_PAGES) * $(getconf PAGESIZE) / 2 / 4096 * 4096))"
expect_eq "unit: root of the mount with allow_other" "1777 root" "$(stat -c '%a %U' "$MNT")"
check_unmount "unit"
finish
