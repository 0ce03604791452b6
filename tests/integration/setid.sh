#!/bin/sh
# setid.sh - a write or truncate by a user other than root clears a segment's set-user-ID bit, and its
# set-group-ID bit when group execute is set, whichever way it arrives: O_APPEND and O_WRONLY writes (which
# reach the daemon directly), O_RDWR writes (through the page cache), O_TRUNC at open, truncate(2). Root keeps
# them, having CAP_FSETID; root without it does not (the kernel marks each such request for mmfs:
# FUSE_HANDLE_KILLPRIV_V2); fallocate and chown clear them as on tmpfs. stat shows the change at once, and a
# restart shows it too. With KILLPRIV_V2 the kernel no longer asks for security.capability before each O_RDWR
# write. Root only (77 otherwise): it mounts with allow_other and writes as nobody (uid 65534).
# shellcheck disable=SC2119 source-path=SCRIPTDIR source=lib.sh
# shellcheck disable=SC2016 # the quoted code runs in the shell of uid 65534, with $1 its argument
. "${0%/*}/lib.sh"

if [ "$(id -u)" -ne 0 ] || ! command -v setpriv >/dev/null 2>&1; then
	echo "SKIP: setid.sh needs root and setpriv" >&2
	exit 77
fi
# Runners of after() below, called through "$3".
# shellcheck disable=SC2317
sh_c() { sh -c "$1" sh "$2"; }
# shellcheck disable=SC2317
nobody() { setpriv --reuid=65534 --regid=65534 --clear-groups env -C / sh -c "$1" sh "$2"; }
# root_without_fsetid CODE PATH: root, with CAP_FSETID gone from its bounding and inheritable sets (so from
# what it runs).
# shellcheck disable=SC2317
root_without_fsetid() { setpriv --bounding-set=-fsetid --inh-caps=-fsetid sh -c "$1" sh "$2"; }

mmfs_start -o allow_other
# The test's own directory may be 0700: nobody must reach the mount.
chmod 755 "$WORK"

# after MODE SHELL-CODE [RUNNER]: a fresh segment "seg" with MODE, then RUNNER (nobody by default) runs
# SHELL-CODE with $1 = its path; prints the mode stat shows afterwards.
after() {
	rm -f "$MNT/seg"
	echo x >"$MNT/seg"
	chmod "$1" "$MNT/seg"
	"${3:-nobody}" "$2" "$MNT/seg" || echo "${3:-nobody}'s command failed" >&2
	stat -c %a "$MNT/seg"
}
expect_eq "append (O_WRONLY|O_APPEND, direct to the daemon)" "777" "$(after 6777 'echo y >>"$1"')"
expect_eq "O_WRONLY write without truncating" "777" "$(after 6777 'printf z | dd of="$1" conv=notrunc status=none')"
expect_eq "O_RDWR write (through the page cache)" "777" "$(after 6777 'exec 3<>"$1"; printf z >&3')"
expect_eq "O_TRUNC at open" "777" "$(after 6777 ': >"$1"')"
expect_eq "truncate(2)" "777" "$(after 6777 'truncate -s 100 "$1"')"
expect_eq "set-group-ID with group execute" "777" "$(after 2777 'echo y >>"$1"')"
expect_eq "set-group-ID without group execute stays" "2767" "$(after 2767 'echo y >>"$1"')"
expect_eq "a read changes nothing" "6777" "$(after 6777 'cat "$1" >/dev/null')"

echo x >"$MNT/root"
chmod 6777 "$MNT/root"
echo y >>"$MNT/root"
expect_eq "root's append keeps both bits" "6777" "$(stat -c %a "$MNT/root")"
expect_eq "root's O_RDWR write keeps both bits" "6777" "$(after 6777 'exec 3<>"$1"; printf z >&3' sh_c)"
expect_eq "append by root without CAP_FSETID" "777" "$(after 6777 'echo y >>"$1"' root_without_fsetid)"
expect_eq "O_RDWR write by root without CAP_FSETID" "777" \
	"$(after 6777 'exec 3<>"$1"; printf z >&3' root_without_fsetid)"
expect_eq "O_TRUNC by root without CAP_FSETID" "777" "$(after 6777 ': >"$1"' root_without_fsetid)"
expect_eq "truncate(2) by root without CAP_FSETID" "777" \
	"$(after 6777 'truncate -s 100 "$1"' root_without_fsetid)"
# The kills the kernel decides on before other calls reach mmfs as a SETATTR that changes nothing: tmpfs
# gives the same modes.
expect_eq "fallocate by root without CAP_FSETID" "777" \
	"$(after 6777 'fallocate -l 65536 "$1"' root_without_fsetid)"
expect_eq "fallocate by root" "6777" "$(after 6777 'fallocate -l 65536 "$1"' sh_c)"
expect_eq "chown to -1:-1 by root (chown clears them for everyone)" "777" \
	"$(after 6777 'python3 -c "import os, sys; os.chown(sys.argv[1], -1, -1)" "$1"' sh_c)"
expect_eq "touch by root changes nothing" "6777" "$(after 6777 'touch -d @100 "$1"' sh_c)"

after 6777 'echo y >>"$1"' >/dev/null
mmfs_stop
mmfs_start_raw -o "backing=$BACKING,allow_other"
expect_eq "the dropped bits stay dropped after a restart" "777" "$(stat -c %a "$MNT/seg")"
expect_eq "and the written line is there" "x
y" "$(cat "$MNT/seg")"
mmfs_stop

# Twenty writes through one O_RDWR descriptor: the kernel asks for security.capability at most once (the
# first write; then it knows the segment has none), where it asked before every write. -d logs each request.
mmfs_start -d
echo x >"$MNT/rdwr"
before=$(grep -c "opcode: GETXATTR" "$DAEMON_LOG")
sh -c 'exec 3<>"$1"; i=0; while [ $i -lt 20 ]; do printf y >&3; i=$((i + 1)); done' sh "$MNT/rdwr"
asked=$(($(grep -c "opcode: GETXATTR" "$DAEMON_LOG") - before))
expect_eq "requests for security.capability in 20 O_RDWR writes (0 or 1)" "yes" \
	"$([ "$asked" -le 1 ] && echo yes || echo "no: $asked")"
expect_eq "the 20 writes, from offset 0" "yyyyyyyyyyyyyyyyyyyy" "$(cat "$MNT/rdwr")"
mmfs_stop
finish
