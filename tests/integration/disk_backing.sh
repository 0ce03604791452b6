#!/bin/sh
# disk_backing.sh - with -o backing=DIR on a disk filesystem (not tmpfs), segments, directories, links, bytes,
# user.* attributes, capacity, lifetime, mode, owner and times survive unmount and remount (twice), the pool's
# use is counted again, and the segments really live in DIR.
# shellcheck disable=SC2119 source-path=SCRIPTDIR source=lib.sh
. "${0%/*}/lib.sh"

# A private backing directory on disk (mode 0700, as mktemp makes it); lib.sh removes $BACKING at exit.
for parent in /var/tmp /work "${top_builddir:-/work}"; do
	if [ -d "$parent" ] && [ -w "$parent" ] && [ "$(stat -f -c %T "$parent")" != tmpfs ]; then
		BACKING=$(mktemp -d "$parent/mmfs-test-disk.XXXXXX") && break
	fi
done
if [ -z "$BACKING" ]; then
	echo "SKIP: no writable disk directory (/var/tmp, /work, the build tree) for the backing" >&2
	exit 77
fi
expect_eq "backing directory mode" "700" "$(stat -c %a "$BACKING")"
fstype=$(stat -f -c %T "$BACKING")
case $fstype in tmpfs | ramfs) fail "backing $BACKING is on $fstype, not a disk" ;; esac

umask 022
mmfs_start -o size=64m
get() { getfattr --absolute-names --only-values -n "$1" "$2" 2>&1; }

mkdir -p "$WORK/ref" "$MNT/dir/sub"
printf 'Process A says: Hello World!\n' >"$MNT/Test"
head -c 1000003 /dev/urandom >"$WORK/ref/bin"
cp "$WORK/ref/bin" "$MNT/dir/sub/bin"
printf '\000\377\n\000' >"$MNT/dir/nul"
: >"$MNT/empty"
truncate -s 123457 "$MNT/sparse"
printf 'end' >>"$MNT/sparse"
setfattr -n user.mmf.capacity -v 1024 "$MNT/Test"
setfattr -n user.mmf.capacity -v 2m "$MNT/dir/sub/bin"
setfattr -n user.mmf.lifetime -v persistent "$MNT/dir/nul"
setfattr -n user.note -v "kept on disk" "$MNT/Test"
setfattr -n user.empty -v "" "$MNT/empty"
python3 -c 'import os,sys; os.setxattr(sys.argv[1], "user.bin", bytes(range(256)))' "$MNT/dir/sub/bin"
chmod 640 "$MNT/dir/sub/bin"
chown 1234:5678 "$MNT/dir/sub/bin"
chmod 750 "$MNT/dir/sub"
chmod 4755 "$MNT/sparse"
touch -d '2001-02-03 04:05:06 UTC' "$MNT/empty"
ln -s dir/sub/bin "$MNT/link"
ln "$MNT/Test" "$MNT/dir/hard"
mkfifo "$MNT/fifo"
# A transient segment nobody holds (empty: the pool's use stays comparable): a restart removes it, on disk too.
: >"$MNT/transient"
setfattr -n user.mmf.lifetime -v transient "$MNT/transient"
cp "$MNT/sparse" "$WORK/ref/sparse"

# name type size mode owner nlink for every entry, sorted; mtimes: the mtime of every segment.
state() { (cd "$MNT" && find . -mindepth 1 -printf '%p %y %s %m %U:%G %n\n') | grep -v '^\./transient ' | sort; }
mtimes() { (cd "$MNT" && find . -type f -printf '%p %T@\n') | grep -v '^\./transient ' | sort; }
nul=dir/nul
attrs() {
	for f in Test dir/hard "$nul" empty sparse dir/sub/bin; do
		printf '%s: %s %s %s\n' "$f" "$(get user.mmf.capacity "$MNT/$f")" "$(get user.mmf.lifetime "$MNT/$f")" \
			"$(python3 -c 'import os,sys; print(sorted(os.listxattr(sys.argv[1])))' "$MNT/$f" 2>&1)"
	done
}
before=$(state)
mtimes_before=$(mtimes)
attrs_before=$(attrs)
used_before=$(df_bytes "$MNT" used)
[ -s "$BACKING/dir/sub/bin" ] || fail "expected the segment's backing file $BACKING/dir/sub/bin, saw none"

# check HOW: everything is as it was.
check() {
	expect_eq "entries, types, sizes, modes, owners and link counts ($1)" "$before" "$(state)"
	expect_eq "mtimes of the segments ($1)" "$mtimes_before" "$(mtimes)"
	expect_eq "capacities, lifetimes and attribute lists ($1)" "$attrs_before" "$(attrs)"
	expect_eq "transient segment ($1)" "no no" \
		"$([ -e "$MNT/transient" ] && echo yes || echo no) $([ -e "$BACKING/transient" ] && echo yes || echo no)"
	expect_eq "Test ($1)" "Process A says: Hello World!" "$(cat "$MNT/Test")"
	cmp -s "$WORK/ref/bin" "$MNT/dir/sub/bin" || fail "1000003 random bytes differ ($1)"
	cmp -s "$WORK/ref/sparse" "$MNT/sparse" || fail "sparse segment differs ($1)"
	expect_eq "binary segment ($1)" "$(printf '\000\377\n\000' | od -An -tx1)" "$(od -An -tx1 "$MNT/dir/nul")"
	expect_eq "user.note ($1)" "kept on disk" "$(get user.note "$MNT/Test")"
	expect_eq "binary user.bin ($1)" "ok" \
		"$(python3 -c 'import os,sys; print("ok" if os.getxattr(sys.argv[1], "user.bin") == bytes(range(256)) else "differs")' "$MNT/dir/sub/bin" 2>&1)"
	expect_eq "mtime ($1)" "981173106" "$(stat -c %Y "$MNT/empty")"
	expect_eq "symlink target ($1)" "dir/sub/bin" "$(readlink "$MNT/link")"
	expect_eq "hard links share an inode ($1)" "$(stat -c %i "$MNT/Test")" "$(stat -c %i "$MNT/dir/hard")"
	expect_eq "df used ($1)" "$used_before" "$(df_bytes "$MNT" used)"
	expect_eq "capacity enforced ($1)" "EFBIG" \
		"$(py_errno 'os.truncate(p, 1025)' p="$MNT/Test")"
}

mmfs_stop
expect_eq "backing file of Test while unmounted" "Process A says: Hello World!" "$(cat "$BACKING/Test")"
cmp -s "$WORK/ref/bin" "$BACKING/dir/sub/bin" || fail "the backing file on disk differs from what was written"
mmfs_start -o size=64m
check "after unmount and remount"

# Changes after a remount are kept by the next one too.
printf 'B line\n' >>"$MNT/dir/hard"
setfattr -n user.mmf.capacity -v 4k "$MNT/Test"
mv "$MNT/dir/nul" "$MNT/nul2"
nul=nul2
before=$(state)
mtimes_before=$(mtimes)
attrs_before=$(attrs)
used_before=$(df_bytes "$MNT" used)
mmfs_stop
mmfs_start -o size=64m
expect_eq "entries after the second remount" "$before" "$(state)"
expect_eq "mtimes after the second remount" "$mtimes_before" "$(mtimes)"
expect_eq "attributes after the second remount" "$attrs_before" "$(attrs)"
expect_eq "Test after the second remount" "Process A says: Hello World!
B line" "$(cat "$MNT/Test")"
expect_eq "capacity after the second remount" "4096" "$(get user.mmf.capacity "$MNT/Test")"
expect_eq "renamed binary segment" "$(printf '\000\377\n\000' | od -An -tx1)" "$(od -An -tx1 "$MNT/nul2")"
cmp -s "$WORK/ref/bin" "$MNT/dir/sub/bin" || fail "random bytes differ after the second remount"
expect_eq "df used after the second remount" "$used_before" "$(df_bytes "$MNT" used)"

# Allocating ahead of a sequential writer (-o prealloc) is for tmpfs only: on a disk, a write allocates
# nothing itself, and ext4 ignores a hole punched past the end, which would keep the blocks for good. While a
# writer holds a segment open after 16 MiB of 1 MiB writes, the backing file has no blocks past its end
# (64 KiB of slack for the filesystem's own metadata, such as an attribute block).
hold_writer "$MNT/seq" 16
sleep 1
allocated=$(allocated seq)
[ "$allocated" -le $(((16 << 20) + (64 << 10))) ] ||
	fail "seq on disk has $allocated bytes of blocks for $(stat -c %s "$BACKING/seq") bytes while written"
kill -KILL "$WRITER"
wait "$WRITER" 2>/dev/null
mmfs_stop
finish
