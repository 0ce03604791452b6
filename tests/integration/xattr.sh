#!/bin/sh
# xattr.sh - user.* attributes are stored, listed and removed; user.mmf.capacity/lifetime rules and errnos
# (EINVAL, ENODATA, EPERM, EOPNOTSUPP) from CONTRACT.md, checked with setfattr/getfattr and python os calls.
# shellcheck disable=SC2119 source-path=SCRIPTDIR source=lib.sh
. "${0%/*}/lib.sh"

mmfs_start
f="$MNT/seg"
echo data >"$f"
mkdir "$MNT/dir"
get() { getfattr --absolute-names --only-values -n "$1" "$2" 2>&1; }

# Ordinary user.* attributes.
setfattr -n user.color -v blue "$f" || fail "setfattr user.color"
expect_eq "getfattr user.color" "blue" "$(get user.color "$f")"
setfattr -n user.color -v red "$f"
expect_eq "getfattr user.color after replacing" "red" "$(get user.color "$f")"
printf 'bin\000ary\377' >"$WORK/val"
"$PYTHON" -c 'import os,sys; os.setxattr(sys.argv[1], "user.bin", open(sys.argv[2], "rb").read())' "$f" "$WORK/val"
expect_eq "binary attribute value" "$(od -An -tx1 "$WORK/val")" \
	"$("$PYTHON" -c 'import os,sys; sys.stdout.buffer.write(os.getxattr(sys.argv[1], "user.bin"))' "$f" | od -An -tx1)"
expect_eq "empty attribute value" "0" \
	"$("$PYTHON" -c 'import os,sys; os.setxattr(sys.argv[1], "user.empty", b""); print(len(os.getxattr(sys.argv[1], "user.empty")))' "$f" 2>&1)"
expect_eq "XATTR_CREATE on an existing attribute" "EEXIST" \
	"$(py_errno 'os.setxattr(p, "user.color", b"x", os.XATTR_CREATE)' p="$f")"
expect_eq "XATTR_REPLACE on a missing attribute" "ENODATA" \
	"$(py_errno 'os.setxattr(p, "user.nope", b"x", os.XATTR_REPLACE)' p="$f")"
expect_eq "get a missing attribute" "ENODATA" "$(py_errno 'os.getxattr(p, "user.nope")' p="$f")"
expect_eq "list of a segment" "user.bin user.color user.empty user.mmf.capacity user.mmf.lifetime" \
	"$("$PYTHON" -c 'import os,sys; print(" ".join(sorted(os.listxattr(sys.argv[1]))))' "$f")"
expect_eq "getfattr -d shows the user's attributes" 'user.color="red"' \
	"$(getfattr --absolute-names -d "$f" 2>/dev/null | grep '^user.color=')"
setfattr -x user.color "$f" || fail "setfattr -x user.color"
expect_eq "get after remove" "ENODATA" "$(py_errno 'os.getxattr(p, "user.color")' p="$f")"
expect_eq "remove a missing attribute" "ENODATA" "$(py_errno 'os.removexattr(p, "user.color")' p="$f")"
expect_eq "list after remove" "user.bin user.empty user.mmf.capacity user.mmf.lifetime" \
	"$("$PYTHON" -c 'import os,sys; print(" ".join(sorted(os.listxattr(sys.argv[1]))))' "$f")"
expect_eq "content untouched by attributes" "data" "$(cat "$f")"
expect_eq "size query of an attribute (getxattr with size 0)" "8" \
	"$("$PYTHON" -c 'import ctypes,sys; l=ctypes.CDLL(None, use_errno=True); print(l.getxattr(sys.argv[1].encode(), b"user.bin", None, 0))' "$f")"

# user.mmf.capacity and user.mmf.lifetime.
expect_eq "capacity of a new segment" "unlimited" "$(get user.mmf.capacity "$f")"
expect_eq "lifetime of a new segment" "persistent" "$(get user.mmf.lifetime "$f")"
for v in bogus Persistent '' 'transient ' 1; do
	expect_eq "setting user.mmf.lifetime to [$v]" "EINVAL" \
		"$(py_errno 'os.setxattr(p, "user.mmf.lifetime", v.encode())' p="$f" v="$v")"
done
expect_eq "lifetime after the refused values" "persistent" "$(get user.mmf.lifetime "$f")"
setfattr -n user.mmf.lifetime -v persistent "$f" || fail "setting lifetime persistent"
expect_eq "other user.mmf.* get" "ENODATA" "$(py_errno 'os.getxattr(p, "user.mmf.other")' p="$f")"
expect_eq "other user.mmf.* set" "EINVAL" "$(py_errno 'os.setxattr(p, "user.mmf.other", b"1")' p="$f")"
expect_eq "remove user.mmf.capacity" "EPERM" "$(py_errno 'os.removexattr(p, "user.mmf.capacity")' p="$f")"
expect_eq "remove user.mmf.lifetime" "EPERM" "$(py_errno 'os.removexattr(p, "user.mmf.lifetime")' p="$f")"
expect_eq "remove user.mmf.other" "EPERM" "$(py_errno 'os.removexattr(p, "user.mmf.other")' p="$f")"
expect_eq "capacity still there after the refused remove" "unlimited" "$(get user.mmf.capacity "$f")"
expect_eq "the backing record is invisible" "ENODATA" "$(py_errno 'os.getxattr(p, "user.mmf.meta")' p="$f")"

# On directories the mmf attributes do not exist.
expect_eq "get capacity of a directory" "ENODATA" "$(py_errno 'os.getxattr(p, "user.mmf.capacity")' p="$MNT/dir")"
expect_eq "get lifetime of a directory" "ENODATA" "$(py_errno 'os.getxattr(p, "user.mmf.lifetime")' p="$MNT/dir")"
expect_eq "set capacity of a directory" "EINVAL" \
	"$(py_errno 'os.setxattr(p, "user.mmf.capacity", b"4096")' p="$MNT/dir")"
expect_eq "set lifetime of a directory" "EINVAL" \
	"$(py_errno 'os.setxattr(p, "user.mmf.lifetime", b"transient")' p="$MNT/dir")"

# Other namespaces are not supported: EOPNOTSUPP, which python names ENOTSUP (the same number on Linux).
expect_eq "set trusted.x" "ENOTSUP" "$(py_errno 'os.setxattr(p, "trusted.x", b"1")' p="$f")"
expect_eq "get trusted.x" "ENOTSUP" "$(py_errno 'os.getxattr(p, "trusted.x")' p="$f")"
expect_eq "set bogus.x" "ENOTSUP" "$(py_errno 'os.setxattr(p, "bogus.x", b"1")' p="$f")"

# Attributes follow the segment through rename and come back after a remount.
setfattr -n user.note -v kept "$f"
setfattr -n user.mmf.capacity -v 8k "$f"
mv "$f" "$MNT/moved"
expect_eq "user attribute after rename" "kept" "$(get user.note "$MNT/moved")"
mmfs_stop
mmfs_start
expect_eq "user attribute after remount" "kept" "$(get user.note "$MNT/moved")"
expect_eq "capacity after remount" "8192" "$(get user.mmf.capacity "$MNT/moved")"
expect_eq "binary attribute after remount" "$(od -An -tx1 "$WORK/val")" \
	"$("$PYTHON" -c 'import os,sys; sys.stdout.buffer.write(os.getxattr(sys.argv[1], "user.bin"))' "$MNT/moved" | od -An -tx1)"
mmfs_stop
finish
