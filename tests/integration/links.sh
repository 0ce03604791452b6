#!/bin/sh
# links.sh - symlinks (readlink, following, dangling, lstat size) and hard links (link count right after
# link and unlink, one inode, shared content, surviving the removal of the first name).
# shellcheck disable=SC2119 source-path=SCRIPTDIR source=lib.sh
. "${0%/*}/lib.sh"

mmfs_start
cd "$MNT" || exit 1

# Symbolic links.
mkdir dir
echo target-content >dir/target
ln -s dir/target rel
ln -s "$MNT/dir/target" abs
expect_eq "readlink of a relative symlink" "dir/target" "$(readlink rel)"
expect_eq "readlink of an absolute symlink" "$MNT/dir/target" "$(readlink abs)"
expect_eq "type of a symlink" "symbolic link" "$(stat -c %F rel)"
expect_eq "lstat size of a symlink is its target's length" "10" "$(stat -c %s rel)"
expect_eq "read through a symlink" "target-content" "$(cat rel)"
expect_eq "read through an absolute symlink" "target-content" "$(cat abs)"
echo appended >>rel
expect_eq "write through a symlink" "target-content
appended" "$(cat dir/target)"
ln -s nowhere dangling
expect_eq "readlink of a dangling symlink" "nowhere" "$(readlink dangling)"
expect_eq "open through a dangling symlink" "ENOENT" "$(py_errno 'os.open(p, os.O_RDONLY)' p="$MNT/dangling")"
ln -s dir dirlink
expect_eq "a symlink to a directory" "target" "$(ls dirlink/)"
long=$(printf '%04000d' 0 | tr 0 L)
ln -s "$long" longlink
expect_eq "readlink of a 4000-byte target" "$long" "$(readlink longlink)"
chown -h 1234:5678 rel
expect_eq "chown -h of a symlink" "1234:5678" "$(stat -c %u:%g rel)"
expect_eq "the target's owner is untouched by chown -h" "0:0" "$(stat -c %u:%g dir/target)"
rm rel
[ -e dir/target ] || fail "rm of a symlink removed its target"

# Hard links.
echo shared >orig
expect_eq "nlink of a new file" "1" "$(stat -c %h orig)"
ln orig second
expect_eq "nlink right after ln (first name)" "2" "$(stat -c %h orig)"
expect_eq "nlink right after ln (new name)" "2" "$(stat -c %h second)"
ln orig dir/third
expect_eq "nlink after a second ln" "3" "$(stat -c %h orig)"
expect_eq "one inode for all names" "$(stat -c %i orig) $(stat -c %i orig)" "$(stat -c %i second) $(stat -c %i dir/third)"
echo more >>second
expect_eq "write through one name seen through another" "shared
more" "$(cat dir/third)"
expect_eq "length through every name" "12 12 12" "$(stat -c %s orig) $(stat -c %s second) $(stat -c %s dir/third)"
chmod 600 dir/third
expect_eq "chmod through one name seen through another" "600" "$(stat -c %a orig)"
rm orig
expect_eq "nlink right after rm of one name" "2" "$(stat -c %h second)"
expect_eq "content after rm of the first name" "shared
more" "$(cat second)"
rm second
expect_eq "nlink with one name left" "1" "$(stat -c %h dir/third)"
expect_eq "link to a directory" "EPERM" "$(py_errno 'os.link(a, b)' a="$MNT/dir" b="$MNT/dirhard")"
expect_eq "link onto an existing name" "EEXIST" "$(py_errno 'os.link(a, b)' a="$MNT/dir/third" b="$MNT/dir/target")"

# Both kinds survive a remount.
ln dir/third again
cd / || exit 1
mmfs_stop
mmfs_start
expect_eq "symlink after a remount" "nowhere" "$(readlink "$MNT/dangling")"
expect_eq "hard link count after a remount" "2" "$(stat -c %h "$MNT/again")"
expect_eq "hard links share the inode after a remount" "$(stat -c %i "$MNT/dir/third")" "$(stat -c %i "$MNT/again")"
mmfs_stop
finish
