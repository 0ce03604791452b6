#!/bin/sh
# statfs.sh - df and df -i show the pool set by -o size= and nr_segments=, and follow what is used;
# the mount shows as type fuse.mmfs with source mmfs.
# shellcheck disable=SC2119 source-path=SCRIPTDIR source=lib.sh
. "${0%/*}/lib.sh"

mmfs_start -o size=8m,nr_segments=100
# df -i columns: Filesystem Inodes IUsed IFree IUse% Mounted-on.
dfi_field() { df -i "$MNT" | tail -n 1 | awk -v f="$1" '{ print (f == "itotal" ? $2 : f == "iused" ? $3 : $4) }'; }

expect_eq "mount type and source" "fuse.mmfs mmfs" "$(findmnt -n -o FSTYPE,SOURCE --mountpoint "$MNT")"
expect_eq "df type" "fuse.mmfs" "$(df --output=fstype "$MNT" | tail -n 1 | tr -d ' ')"
expect_eq "df size with size=8m" "8388608" "$(df_bytes "$MNT" size)"
expect_eq "df used when empty" "0" "$(df_bytes "$MNT" used)"
expect_eq "df avail when empty" "8388608" "$(df_bytes "$MNT" avail)"
expect_eq "df -i inodes with nr_segments=100" "100" "$(dfi_field itotal)"
iused0=$(dfi_field iused)
expect_eq "df -i free + used" "100" "$(($(dfi_field iavail) + iused0))"

head -c 1048576 /dev/zero >"$MNT/one"
truncate -s 2m "$MNT/two"
mkdir "$MNT/dir"
expect_eq "df used after 1 MiB written and a 2 MiB sparse segment" "3145728" "$(df_bytes "$MNT" used)"
expect_eq "df avail after 3 MiB" "5242880" "$(df_bytes "$MNT" avail)"
expect_eq "df -i used after two files and a directory" "$((iused0 + 3))" "$(dfi_field iused)"
expect_eq "df -i free after two files and a directory" "$((100 - iused0 - 3))" "$(dfi_field iavail)"
expect_eq "statfs name length" "255" "$(stat -f -c %l "$MNT")"

rm "$MNT/one" "$MNT/two"
rmdir "$MNT/dir"
expect_eq "df used after rm" "0" "$(df_bytes "$MNT" used)"
expect_eq "df -i used after rm" "$iused0" "$(dfi_field iused)"
mmfs_stop

# Other spellings of the size: a percentage of RAM and bare bytes.
mmfs_start -o size=1048576
expect_eq "df size with size=1048576" "1048576" "$(df_bytes "$MNT" size)"
mmfs_stop
ram=$(($(awk '/^MemTotal:/ { print $2 }' /proc/meminfo) * 1024))
mmfs_start -o size=50%
sz=$(df_bytes "$MNT" size)
half=$((ram / 2))
# statfs counts whole blocks: allow up to one 64 KiB block of rounding.
if [ "$sz" -gt "$half" ] || [ "$sz" -lt $((half - 65536)) ]; then
	fail "df size with size=50%: expected about $half (half of $ram), saw $sz"
fi
mmfs_stop
finish
