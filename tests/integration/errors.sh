#!/bin/sh
# errors.sh - the exact errno of the ordinary errors the daemon decides: ENAMETOOLONG for a 256-byte name (255
# bytes work), ENOENT, EEXIST, ENOTEMPTY, EPERM for device nodes; nothing is changed by a failed call.
# shellcheck disable=SC2119 source-path=SCRIPTDIR source=lib.sh
. "${0%/*}/lib.sh"

mmfs_start

n255=$(printf '%0255d' 0 | tr 0 n)
n256=$(printf '%0256d' 0 | tr 0 n)
expect_eq "255-byte name is 255 bytes" "255" "${#n255}"

# 255 bytes: every kind of entry can have it.
expect_eq "create a 255-byte name" "OK" "$(py_errno 'os.close(os.open(p, os.O_CREAT|os.O_WRONLY, 0o644))' p="$MNT/$n255")"
echo long >"$MNT/$n255"
expect_eq "read a 255-byte name" "long" "$(cat "$MNT/$n255")"
mkdir "$MNT/d"
expect_eq "mkdir a 255-byte name" "OK" "$(py_errno 'os.mkdir(p)' p="$MNT/d/$n255")"
expect_eq "symlink a 255-byte name" "OK" "$(py_errno 'os.symlink("t", p)' p="$MNT/d/s$(printf '%0254d' 0)")"

# 256 bytes: ENAMETOOLONG for every call, and nothing appears.
expect_eq "create a 256-byte name" "ENAMETOOLONG" \
	"$(py_errno 'os.close(os.open(p, os.O_CREAT|os.O_WRONLY, 0o644))' p="$MNT/$n256")"
expect_eq "stat a 256-byte name" "ENAMETOOLONG" "$(py_errno 'os.stat(p)' p="$MNT/$n256")"
expect_eq "mkdir a 256-byte name" "ENAMETOOLONG" "$(py_errno 'os.mkdir(p)' p="$MNT/$n256")"
expect_eq "symlink to a 256-byte name" "ENAMETOOLONG" "$(py_errno 'os.symlink("t", p)' p="$MNT/$n256")"
expect_eq "mkfifo a 256-byte name" "ENAMETOOLONG" "$(py_errno 'os.mkfifo(p)' p="$MNT/$n256")"
expect_eq "link to a 256-byte name" "ENAMETOOLONG" "$(py_errno 'os.link(a, p)' a="$MNT/$n255" p="$MNT/$n256")"
expect_eq "rename to a 256-byte name" "ENAMETOOLONG" "$(py_errno 'os.rename(a, p)' a="$MNT/$n255" p="$MNT/$n256")"
expect_eq "the source of the failed rename" "long" "$(cat "$MNT/$n255")"
expect_eq "entries after the failed calls" "2 d" "$(find "$MNT" -mindepth 1 -maxdepth 1 | wc -l) $(find "$MNT" -mindepth 1 -maxdepth 1 -type d -printf '%f')"

# Missing names.
expect_eq "open a missing file" "ENOENT" "$(py_errno 'os.open(p, os.O_RDONLY)' p="$MNT/missing")"
expect_eq "unlink a missing file" "ENOENT" "$(py_errno 'os.unlink(p)' p="$MNT/missing")"
expect_eq "rmdir a missing directory" "ENOENT" "$(py_errno 'os.rmdir(p)' p="$MNT/missing")"
expect_eq "create in a missing directory" "ENOENT" \
	"$(py_errno 'os.open(p, os.O_CREAT|os.O_WRONLY, 0o644)' p="$MNT/missing/f")"
expect_eq "rename a missing file" "ENOENT" "$(py_errno 'os.rename(a, p)' a="$MNT/missing" p="$MNT/x")"

# Names taken.
echo keep >"$MNT/taken"
expect_eq "O_CREAT|O_EXCL on an existing file" "EEXIST" \
	"$(py_errno 'os.open(p, os.O_CREAT|os.O_EXCL|os.O_WRONLY, 0o644)' p="$MNT/taken")"
expect_eq "mkdir over an existing file" "EEXIST" "$(py_errno 'os.mkdir(p)' p="$MNT/taken")"
expect_eq "symlink over an existing file" "EEXIST" "$(py_errno 'os.symlink("t", p)' p="$MNT/taken")"
expect_eq "the file survives the failed creations" "keep" "$(cat "$MNT/taken")"
expect_eq "rmdir of a non-empty directory" "ENOTEMPTY" "$(py_errno 'os.rmdir(p)' p="$MNT/d")"

# Device nodes are refused with EPERM, even for root.
expect_eq "mknod of a character device" "EPERM" \
	"$(py_errno 'import stat; os.mknod(p, 0o600|stat.S_IFCHR, os.makedev(1, 3))' p="$MNT/null")"
expect_eq "mknod of a block device" "EPERM" \
	"$(py_errno 'import stat; os.mknod(p, 0o600|stat.S_IFBLK, os.makedev(7, 0))' p="$MNT/loop")"
[ -e "$MNT/null" ] && fail "a refused device node exists"

mmfs_stop
finish
