#!/bin/sh
# rename.sh - rename: plain, overwriting, across directories, of directories (ENOTEMPTY over a non-empty one),
# RENAME_NOREPLACE (EEXIST, nothing changed) and RENAME_EXCHANGE (contents swapped) through renameat2.
# shellcheck disable=SC2119 source-path=SCRIPTDIR source=lib.sh
. "${0%/*}/lib.sh"

mmfs_start
R="$CLIENTS/rename2"
cd "$MNT" || exit 1

echo one >a
mv a b
expect_eq "rename: old name gone" "no" "$([ -e a ] && echo yes || echo no)"
expect_eq "rename: new name has the content" "one" "$(cat b)"

echo two >c
ino=$(stat -c %i c)
mv -f c b
expect_eq "rename over an existing file: content" "two" "$(cat b)"
expect_eq "rename over an existing file: inode moved" "$ino" "$(stat -c %i b)"
expect_eq "rename over an existing file: source gone" "no" "$([ -e c ] && echo yes || echo no)"
expect_eq "entries after overwriting" "b" "$(find . -mindepth 1 | sed 's|^\./||' | sort | tr '\n' ' ' | sed 's/ $//')"

mkdir d1 d2
mv b d1/b
expect_eq "rename into a directory" "two" "$(cat d1/b)"
mv d1/b d2/renamed
expect_eq "rename across directories" "two" "$(cat d2/renamed)"
expect_eq "the old directory is empty" "" "$(ls -A d1)"
mv d1 d3
[ -d d3 ] || fail "rename of a directory"
mkdir d3/inner
echo deep >d3/inner/f
mv d3 d2/d3
expect_eq "rename of a directory with content" "deep" "$(cat d2/d3/inner/f)"
expect_eq "nlink of the new parent" "3" "$(stat -c %h d2)"
mkdir empty full
echo x >full/x
expect_eq "rename a directory over a non-empty one" "ENOTEMPTY" "$(py_errno 'os.rename(a, b)' a="$MNT/empty" b="$MNT/full")"
expect_eq "the non-empty target is intact" "x" "$(cat full/x)"
expect_eq "rename a directory over an empty one" "OK" "$(py_errno 'os.rename(a, b)' a="$MNT/full" b="$MNT/empty")"
expect_eq "the moved directory's content" "x" "$(cat empty/x)"
expect_eq "rename a file onto itself" "OK" "$(py_errno 'os.rename(a, a)' a="$MNT/empty/x")"
expect_eq "content after renaming onto itself" "x" "$(cat empty/x)"
expect_eq "rename a directory into its own subdirectory" "EINVAL" "$(py_errno 'os.rename(a, b)' a="$MNT/d2" b="$MNT/d2/d3/in")"

# renameat2 RENAME_NOREPLACE: EEXIST when the target exists, and nothing changes.
echo source >s
echo target >t
expect_eq "RENAME_NOREPLACE onto an existing file" "EEXIST" "$("$R" noreplace s t)"
expect_eq "source after the refused rename" "source" "$(cat s)"
expect_eq "target after the refused rename" "target" "$(cat t)"
expect_eq "RENAME_NOREPLACE onto a free name" "OK" "$("$R" noreplace s u)"
expect_eq "content after RENAME_NOREPLACE" "source" "$(cat u)"
expect_eq "RENAME_NOREPLACE: old name gone" "no" "$([ -e s ] && echo yes || echo no)"

# renameat2 RENAME_EXCHANGE: both names stay, contents (and inodes) swap.
iu=$(stat -c %i u)
it=$(stat -c %i t)
expect_eq "RENAME_EXCHANGE" "OK" "$("$R" exchange u t)"
expect_eq "t after the exchange" "source" "$(cat t)"
expect_eq "u after the exchange" "target" "$(cat u)"
expect_eq "inodes after the exchange" "$iu $it" "$(stat -c %i t) $(stat -c %i u)"
expect_eq "RENAME_EXCHANGE with a missing name" "ENOENT" "$("$R" exchange u missing)"
expect_eq "RENAME_EXCHANGE of a file and a directory" "OK" "$("$R" exchange u empty)"
expect_eq "the directory under the file's name" "x" "$(cat u/x)"
expect_eq "the file under the directory's name" "target" "$(cat empty)"
expect_eq "RENAME_EXCHANGE across directories" "OK" "$("$R" exchange t d2/renamed)"
expect_eq "across directories: d2/renamed" "source" "$(cat d2/renamed)"
expect_eq "across directories: t" "two" "$(cat t)"

# Renamed segments keep everything: after a remount too.
cd / || exit 1
mmfs_stop
mmfs_start
expect_eq "after a remount: t" "two" "$(cat "$MNT/t")"
expect_eq "after a remount: d2/renamed" "source" "$(cat "$MNT/d2/renamed")"
expect_eq "after a remount: u/x" "x" "$(cat "$MNT/u/x")"
expect_eq "after a remount: d2/d3/inner/f" "deep" "$(cat "$MNT/d2/d3/inner/f")"
mmfs_stop
finish
