#!/bin/sh
# multiuser.sh - root mounts with -o allow_other and two real users share it: the root of the mount is 1777 like
# /dev/shm, a new segment belongs to its creator with the mode asked for under the umask, the kernel enforces
# modes (default_permissions), the sticky root keeps users from deleting or renaming each other's segments,
# only root changes owners, groups grant access, and all of it survives a daemon restart.
# The users are throwaway system users with fixed names, removed at exit (also a stale one from a killed run).
# shellcheck disable=SC2119 source-path=SCRIPTDIR source=lib.sh
. "${0%/*}/lib.sh"
# shellcheck source=users.sh
. "${0%/*}/users.sh"

UA=mmfs-test-a
UB=mmfs-test-b

require_user_tools useradd userdel usermod groupdel setpriv
require_fuse

# Removes the users and their groups (last made first, so no group keeps a member); lib.sh's cleanup then
# unmounts and removes the rest.
TEST_CLEANUP=remove_users

make_user "$UA"
make_user "$UB"
uid_b=$(id -u "$UB")
grp_a=$(id -gn "$UA")
grp_b=$(id -gn "$UB")
gid_b=$(id -g "$UB")

if [ "$(u_errno "$UA" 'pass')" != OK ]; then
	echo "SKIP: $TEST_NAME: $UA cannot run python3 from /usr/bin or /usr/local/bin" >&2
	exit 77
fi
owner_mode() { stat -c '%U:%G %a' "$1" 2>&1; }

# The mountpoint is inside $WORK (0700): let the users traverse to it.
chmod 0755 "$WORK"
if [ "$(u_errno "$UB" 'os.stat(p)' p="$WORK")" != OK ]; then
	echo "SKIP: $TEST_NAME: other users cannot reach $WORK (is a parent of it closed? TMPDIR=${TMPDIR:-})" >&2
	exit 77
fi

# Without allow_other nobody but root gets in, and the root of the mount is 0755.
mmfs_start
expect_eq "root of a private mount" "root:root 755" "$(owner_mode "$MNT")"
expect_eq "user B stats a private root mount" "EACCES" "$(u_errno "$UB" 'os.stat(p)' p="$MNT")"
mmfs_stop

mmfs_start -o allow_other
expect_eq "root of an allow_other mount" "root:root 1777" "$(owner_mode "$MNT")"
expect_eq "mount options" "default_permissions,allow_other" \
	"$(findmnt -n -o OPTIONS "$MNT" | tr ',' '\n' | grep -E '^(default_permissions|allow_other)$' | paste -sd,)"

# New segments belong to their creator, with the mode asked for under the umask.
f="$MNT/a-seg"
expect_eq "A creates with umask 022 and mode 0644" "OK" \
	"$(u_errno "$UA" 'os.umask(0o022); os.close(os.open(p, os.O_CREAT|os.O_EXCL|os.O_WRONLY, 0o644))' p="$f")"
expect_eq "owner and mode of A's segment" "$UA:$grp_a 644" "$(owner_mode "$f")"
expect_eq "A writes its segment" "OK" \
	"$(u_errno "$UA" 'fd=os.open(p, os.O_WRONLY); os.write(fd, b"from A\n"); os.close(fd)' p="$f")"
expect_eq "A creates with umask 027 and mode 0666" "OK" \
	"$(u_errno "$UA" 'os.umask(0o027); os.close(os.open(p, os.O_CREAT|os.O_EXCL|os.O_WRONLY, 0o666))' p="$MNT/a-027")"
expect_eq "mode under umask 027" "$UA:$grp_a 640" "$(owner_mode "$MNT/a-027")"
expect_eq "A creates with umask 0 and mode 0604" "OK" \
	"$(u_errno "$UA" 'os.umask(0); os.close(os.open(p, os.O_CREAT|os.O_EXCL|os.O_WRONLY, 0o604))' p="$MNT/a-604")"
expect_eq "mode under umask 0" "$UA:$grp_a 604" "$(owner_mode "$MNT/a-604")"
expect_eq "B creates with the shell (umask 022)" "OK" \
	"$(u_errno "$UB" 'os.umask(0o022); open(p, "w").write("b\n")' p="$MNT/b-seg")"
expect_eq "owner and mode of B's segment" "$UB:$grp_b 644" "$(owner_mode "$MNT/b-seg")"

# B may read A's 0644 segment but not change, delete or rename it.
expect_eq "B reads A's 0644 segment" "from A" "$(as "$UB" cat "$f" 2>&1)"
expect_eq "B opens A's segment O_WRONLY" "EACCES" "$(u_errno "$UB" 'os.open(p, os.O_WRONLY)' p="$f")"
expect_eq "B opens A's segment O_RDWR" "EACCES" "$(u_errno "$UB" 'os.open(p, os.O_RDWR)' p="$f")"
expect_eq "B opens A's segment O_APPEND" "EACCES" "$(u_errno "$UB" 'os.open(p, os.O_WRONLY|os.O_APPEND)' p="$f")"
expect_eq "B opens A's segment O_CREAT|O_TRUNC" "EACCES" \
	"$(u_errno "$UB" 'os.open(p, os.O_CREAT|os.O_TRUNC|os.O_WRONLY, 0o644)' p="$f")"
expect_eq "B creates A's name O_EXCL" "EEXIST" \
	"$(u_errno "$UB" 'os.open(p, os.O_CREAT|os.O_EXCL|os.O_WRONLY, 0o644)' p="$f")"
expect_eq "B truncates A's segment" "EACCES" "$(u_errno "$UB" 'os.truncate(p, 0)' p="$f")"
expect_eq "B maps A's segment writable" "EACCES" \
	"$(u_errno "$UB" 'import mmap; fd=os.open(p, os.O_RDONLY); mmap.mmap(fd, 0, mmap.MAP_SHARED, mmap.PROT_READ|mmap.PROT_WRITE)' p="$f")"
expect_eq "B deletes A's segment in the sticky root" "EPERM" "$(u_errno "$UB" 'os.unlink(p)' p="$f")"
expect_eq "B renames A's segment in the sticky root" "EPERM" \
	"$(u_errno "$UB" 'os.rename(p, q)' p="$f" q="$MNT/b-took")"
expect_eq "B renames its own segment over A's" "EPERM" \
	"$(u_errno "$UB" 'os.rename(q, p)' p="$f" q="$MNT/b-seg")"
expect_eq "B chmods A's segment" "EPERM" "$(u_errno "$UB" 'os.chmod(p, 0o666)' p="$f")"
expect_eq "B chowns A's segment to itself" "EPERM" "$(u_errno "$UB" 'os.chown(p, int(u), -1)' p="$f" u="$uid_b")"
expect_eq "B sets explicit times on A's segment" "EPERM" "$(u_errno "$UB" 'os.utime(p, (0, 0))' p="$f")"
expect_eq "B touches A's segment (times now)" "EACCES" "$(u_errno "$UB" 'os.utime(p, None)' p="$f")"
expect_eq "B sets a user.* attribute on A's segment" "EACCES" \
	"$(u_errno "$UB" 'os.setxattr(p, "user.b", b"1")' p="$f")"
expect_eq "B sets user.mmf.capacity on A's segment" "EACCES" \
	"$(u_errno "$UB" 'os.setxattr(p, "user.mmf.capacity", b"1")' p="$f")"
expect_eq "B reads user.mmf.capacity of A's segment" "OK" \
	"$(u_errno "$UB" 'os.getxattr(p, "user.mmf.capacity")' p="$f")"
expect_eq "A's segment after B's attempts" "$UA:$grp_a 644 7 from A" \
	"$(stat -c '%U:%G %a %s' "$f") $(cat "$f")"
expect_eq "names after B's attempts" "a-027 a-604 a-seg b-seg" "$(find "$MNT" -mindepth 1 -printf '%f\n' | sort | paste -sd' ')"
expect_eq "capacity after B's attempt" "unlimited" "$(getfattr --absolute-names --only-values -n user.mmf.capacity "$f" 2>&1)"

# Only root changes owners.
expect_eq "A chmods its segment to 0600" "OK" "$(u_errno "$UA" 'os.chmod(p, 0o600)' p="$f")"
expect_eq "B reads A's 0600 segment" "EACCES" "$(u_errno "$UB" 'os.open(p, os.O_RDONLY)' p="$f")"
expect_eq "B stats A's 0600 segment" "OK" "$(u_errno "$UB" 'os.stat(p)' p="$f")"
expect_eq "A gives its segment to B" "EPERM" "$(u_errno "$UA" 'os.chown(p, int(u), -1)' p="$f" u="$uid_b")"
expect_eq "A gives its segment to B's group" "EPERM" "$(u_errno "$UA" 'os.chown(p, -1, int(g))' p="$f" g="$gid_b")"
expect_eq "owner after the refused chowns" "$UA:$grp_a 600" "$(owner_mode "$f")"
chown "$UB:$grp_b" "$f" || fail "root chown to B"
expect_eq "owner after root's chown" "$UB:$grp_b 600" "$(owner_mode "$f")"
expect_eq "B reads the segment it now owns" "from A" "$(as "$UB" cat "$f" 2>&1)"
expect_eq "A reads the segment it gave away" "EACCES" "$(u_errno "$UA" 'os.open(p, os.O_RDONLY)' p="$f")"
expect_eq "A deletes the segment root gave to B" "EPERM" "$(u_errno "$UA" 'os.unlink(p)' p="$f")"
chown "$UA:$grp_a" "$f" || fail "root chown back to A"
expect_eq "A deletes its own segment" "OK" "$(u_errno "$UA" 'os.unlink(p)' p="$f")"
[ -e "$f" ] && fail "A's segment still exists after A deleted it"
expect_eq "B deletes its own segment" "OK" "$(u_errno "$UB" 'os.unlink(p)' p="$MNT/b-seg")"

# Directories: a 0700 directory of A is closed to B; a 0755 one can be listed but not written.
expect_eq "A mkdir 0700" "OK" "$(u_errno "$UA" 'os.umask(0o022); os.mkdir(p, 0o700); open(p + "/inner", "w").write("x")' p="$MNT/priv")"
expect_eq "owner and mode of A's directory" "$UA:$grp_a 700" "$(owner_mode "$MNT/priv")"
expect_eq "B lists A's 0700 directory" "EACCES" "$(u_errno "$UB" 'os.listdir(p)' p="$MNT/priv")"
expect_eq "B stats inside A's 0700 directory" "EACCES" "$(u_errno "$UB" 'os.stat(p)' p="$MNT/priv/inner")"
expect_eq "B creates inside A's 0700 directory" "EACCES" \
	"$(u_errno "$UB" 'os.open(p, os.O_CREAT|os.O_WRONLY, 0o644)' p="$MNT/priv/b")"
expect_eq "B removes A's directory" "EPERM" "$(u_errno "$UB" 'os.rmdir(p)' p="$MNT/priv")"
expect_eq "root lists A's 0700 directory" "inner" "$(ls "$MNT/priv" 2>&1)"
expect_eq "A mkdir 0777 under umask 022" "OK" "$(u_errno "$UA" 'os.umask(0o022); os.mkdir(p, 0o777)' p="$MNT/pub")"
expect_eq "mode of A's public directory" "$UA:$grp_a 755" "$(owner_mode "$MNT/pub")"
expect_eq "B lists A's 0755 directory" "OK" "$(u_errno "$UB" 'os.listdir(p)' p="$MNT/pub")"
expect_eq "B creates inside A's 0755 directory" "EACCES" \
	"$(u_errno "$UB" 'os.open(p, os.O_CREAT|os.O_WRONLY, 0o644)' p="$MNT/pub/b")"
expect_eq "B mkdir in the sticky root" "OK" "$(u_errno "$UB" 'os.mkdir(p, 0o755)' p="$MNT/bdir")"
expect_eq "A removes B's empty directory" "EPERM" "$(u_errno "$UA" 'os.rmdir(p)' p="$MNT/bdir")"

# Groups: a 0660 segment is writable by members of its group only.
g="$MNT/grp"
expect_eq "A creates a 0660 segment" "OK" \
	"$(u_errno "$UA" 'os.umask(0); fd=os.open(p, os.O_CREAT|os.O_EXCL|os.O_WRONLY, 0o660); os.write(fd, b"A\n")' p="$g")"
expect_eq "B (not in A's group) writes the 0660 segment" "EACCES" "$(u_errno "$UB" 'os.open(p, os.O_WRONLY)' p="$g")"
usermod -a -G "$grp_a" "$UB" || fail "usermod -a -G $grp_a $UB"
expect_eq "B (now in A's group) appends to the 0660 segment" "OK" \
	"$(u_errno "$UB" 'fd=os.open(p, os.O_WRONLY|os.O_APPEND); os.write(fd, b"B\n")' p="$g")"
expect_eq "A reads both lines" "A B" "$(as "$UA" cat "$g" 2>&1 | paste -sd' ')"
expect_eq "B (in A's group) still cannot delete A's segment" "EPERM" "$(u_errno "$UB" 'os.unlink(p)' p="$g")"

# Owners and modes are kept across a daemon restart, and so is the kernel's enforcement.
mmfs_stop
mmfs_start -o allow_other
expect_eq "root after restart" "root:root 1777" "$(owner_mode "$MNT")"
expect_eq "A's directory after restart" "$UA:$grp_a 700" "$(owner_mode "$MNT/priv")"
expect_eq "A's group segment after restart" "$UA:$grp_a 660" "$(owner_mode "$g")"
expect_eq "A's 0640 segment after restart" "$UA:$grp_a 640" "$(owner_mode "$MNT/a-027")"
expect_eq "B's directory after restart" "$UB:$grp_b 755" "$(owner_mode "$MNT/bdir")"
expect_eq "B lists A's 0700 directory after restart" "EACCES" "$(u_errno "$UB" 'os.listdir(p)' p="$MNT/priv")"
expect_eq "B deletes A's segment after restart" "EPERM" "$(u_errno "$UB" 'os.unlink(p)' p="$g")"
mmfs_stop
finish
