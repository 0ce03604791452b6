#!/bin/sh
# mount_options.sh - the generic mount options mmfs accepts really mount and serve: the atime policies (all
# accepted, none changes an access time on read), fsname= (what mount and df show), subtype=mmfs (what
# mount.fuse3 passes from fstab), max_read= (which the daemon must ask the kernel for again at INIT), nosuid
# and nodev. --help lists what mmfs accepts, not libfuse's own loop options, which mmfs refuses.
# shellcheck disable=SC2119 source-path=SCRIPTDIR source=lib.sh
. "${0%/*}/lib.sh"

mmfs_start -o relatime,strictatime,lazytime,nodiratime,noatime,subtype=mmfs,fsname=shm-test,max_read=65536 \
	-o nosuid,nodev

# mountinfo: ... MOUNTPOINT OPTIONS ... - TYPE SOURCE SUPER-OPTIONS
line=$(awk -v mp="$MNT" '$5 == mp' /proc/self/mountinfo)
expect_eq "type" "fuse.mmfs" "$(printf '%s\n' "$line" | sed 's/.* - //' | cut -d' ' -f1)"
expect_eq "source (fsname=)" "shm-test" "$(printf '%s\n' "$line" | sed 's/.* - //' | cut -d' ' -f2)"
case "$(printf '%s\n' "$line" | cut -d' ' -f6)" in
*nosuid*nodev* | *nodev*nosuid*) ;;
*) fail "nosuid,nodev not in the mount's options: $line" ;;
esac
case "$(printf '%s\n' "$line" | sed 's/.* - //' | cut -d' ' -f3)" in
*max_read=65536*) ;;
*) fail "max_read=65536 not in the super options: $line" ;;
esac

# Reads larger than max_read come back whole (the kernel splits them into 64 KiB requests).
head -c 3000000 /dev/urandom >"$WORK/ref"
cp "$WORK/ref" "$MNT/seg"
cmp -s "$WORK/ref" "$MNT/seg" || fail "3 MB read back through max_read=65536 differs"
"$MMF" --mount "$MNT" ls >"$WORK/ls" 2>&1 || fail "mmf ls on a mount with fsname=shm-test: $(cat "$WORK/ls")"

# Reading leaves the access time alone, whatever atime option was given.
touch -a -d 2020-01-01 "$MNT/seg"
cat "$MNT/seg" >/dev/null
expect_eq "atime after a read" "2020-01-01" "$(stat -c %x "$MNT/seg" | cut -c1-10)"
mmfs_stop

"$MMFS" --help >"$WORK/help" 2>&1 || fail "mmfs --help exit status"
for opt in max_read= fsname= relatime allow_root auto_unmount; do
	grep -q -- "$opt" "$WORK/help" || fail "mmfs --help does not mention $opt"
done
for opt in clone_fd max_threads max_idle_threads; do
	grep -q -- "$opt" "$WORK/help" && fail "mmfs --help offers $opt, which mmfs refuses"
done

finish
