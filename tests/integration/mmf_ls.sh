#!/bin/sh
# mmf_ls.sh - mmf ls [-l] [DIR] lists every segment (sorted, names relative to the mount, directories walked
# into); mmf info and mmf open show one segment's length, capacity, lifetime, owner and mode, or fail clearly.
# shellcheck disable=SC2119,SC2016 source-path=SCRIPTDIR source=lib.sh
. "${0%/*}/lib.sh"
# shellcheck source-path=SCRIPTDIR source=mmf_lib.sh
. "${0%/*}/mmf_lib.sh"

mmfs_start
export MMF_MOUNT="$MNT"

check "ls of an empty mount" 0 "" "$MMF" ls
expect_eq "ls of an empty mount prints nothing" "" "$OUT"
check "ls -l of an empty mount" 0 "" "$MMF" ls -l
expect_eq "ls -l of an empty mount prints its header" "NAME  LENGTH  CAPACITY  LIFETIME    OWNER  MODE" "$OUT"

"$MMF" new Test --size 1024 --mode 0640 || fail "mmf new Test"
"$MMF" write Test "Process A says: Hello World!"
"$MMF" new b --size 64k || fail "mmf new b"
mkdir -p "$MNT/ns/deeper"
"$MMF" new ns/one --size unlimited --mode 0600 || fail "mmf new ns/one"
"$MMF" new ns/deeper/two --size 1 || fail "mmf new ns/deeper/two"
mkdir "$MNT/empty"
ln -s Test "$MNT/link"
mkfifo "$MNT/fifo"
owner=$(id -un)

check "ls" 0 "" "$MMF" ls
expect_eq "ls lists segments only, sorted, with their directories" "Test
b
ns/deeper/two
ns/one" "$OUT"
check "ls DIR" 0 "" "$MMF" ls ns
expect_eq "ls ns" "ns/deeper/two
ns/one" "$OUT"
check "ls DIR/" 0 "" "$MMF" ls ns/deeper/
expect_eq "ls ns/deeper/" "ns/deeper/two" "$OUT"
check "ls ." 0 "" "$MMF" ls .
expect_eq "ls . lists the whole mount" "Test
b
ns/deeper/two
ns/one" "$OUT"
check "ls of a missing DIR" 1 "mmf: nodir: no such directory" "$MMF" ls nodir
expect_eq "ls of a missing DIR prints nothing" "" "$OUT"
check "ls -l of a missing DIR" 1 "mmf: nodir: no such directory" "$MMF" ls -l nodir
expect_eq "ls -l of a missing DIR prints nothing" "" "$OUT"
check "ls of a segment" 1 "mmf: Test: not a directory (a segment: see 'mmf info')" "$MMF" ls Test
check "ls -l of a segment" 1 "mmf: Test: not a directory (a segment: see 'mmf info')" "$MMF" ls -l Test
expect_eq "ls -l of a segment prints nothing" "" "$OUT"
check "ls of a FIFO" 1 "mmf: fifo: not a directory" "$MMF" ls fifo
check "ls under a segment" 1 "mmf: Test/x: a directory in the name is not a directory" "$MMF" ls Test/x
check "ls -l" 0 "" "$MMF" ls -l
ow=$(printf '%-5s' "$owner")
expect_eq "ls -l table" "NAME           LENGTH   CAPACITY  LIFETIME    $(printf '%-5s' OWNER)  MODE
Test               29       1024  persistent  $ow  0640
b                   0      65536  persistent  $ow  0644
ns/deeper/two       0          1  persistent  $ow  0644
ns/one              0  unlimited  persistent  $ow  0600" "$OUT"
check "ls --long DIR" 0 "" "$MMF" ls --long ns/deeper
expect_eq "ls --long ns/deeper" "NAME           LENGTH  CAPACITY  LIFETIME    $(printf '%-5s' OWNER)  MODE
ns/deeper/two       0         1  persistent  $ow  0644" "$OUT"
check "ls -l shows a transient segment" 0 "" "$MMF" new Tmp --size 2 --transient -- "$MMF" ls -l
case $OUT in
*"Tmp                 0          2  transient   $ow  0644"*) ;;
*) fail "ls -l shows Tmp as transient, saw [$OUT]" ;;
esac

# info and open: one "key: value" line each.
check "info" 0 "" "$MMF" info Test
expect_eq "info without the time" "name:     Test
length:   29
capacity: 1024
lifetime: persistent
owner:    $owner
group:    $(id -gn)
mode:     0640" "$(printf '%s\n' "$OUT" | grep -v '^modified: ')"
case $OUT in
*"modified: 20"*) ;;
*) fail "info shows the time of modification, saw [$OUT]" ;;
esac
check "open an existing segment" 0 "" "$MMF" open ns/one
case $OUT in
"name:     ns/one
length:   0
capacity: unlimited
lifetime: persistent"*) ;;
*) fail "open prints the segment's info, saw [$OUT]" ;;
esac
check "open a missing segment" 1 "mmf: nope: no such segment" "$MMF" open nope
expect_eq "open of a missing segment prints nothing" "" "$OUT"
check "info of a missing segment" 1 "mmf: ns/nope: no such segment" "$MMF" info ns/nope
check "info of a directory" 1 "mmf: ns: is a directory, not a segment" "$MMF" info ns
check "info of a FIFO" 1 "mmf: fifo: not a segment (not a regular file)" "$MMF" info fifo
check "info through a symbolic link" 0 "" "$MMF" info link
case $OUT in
*"length:   29"*) ;;
*) fail "info follows a symbolic link to its segment, saw [$OUT]" ;;
esac
check "open with a name leaving the mount" 2 "mmf: ../x: '..' would leave the mount" "$MMF" open ../x

# A segment deeper than PATH_MAX (17 directories of 250 characters) is listed like any other, and so are its
# details: ls walks by directory descriptors, as find(1) does, where a path would be too long.
"$PYTHON" -c '
import os, sys
os.chdir(sys.argv[1])
os.mkdir("deep")
os.chdir("deep")
for i in range(17):
    os.mkdir("D" * 250)
    os.chdir("D" * 250)
open("leaf", "w").write("x")
' "$MNT" || fail "making a tree deeper than PATH_MAX"
deep=$("$PYTHON" -c 'print("/".join(["deep"] + ["D" * 250] * 17 + ["leaf"]))')
check "ls of a segment deeper than PATH_MAX" 0 "" "$MMF" ls deep
expect_eq "ls lists the segment deeper than PATH_MAX" "$deep" "$OUT"
check "ls -l of a segment deeper than PATH_MAX" 0 "" "$MMF" ls -l deep
expect_eq "ls -l shows the segment deeper than PATH_MAX" "$deep 1 unlimited persistent $owner 0644" \
	"$(printf '%s\n' "$OUT" | sed -n 2p | tr -s ' ')"
rm -rf "$MNT/deep"

# A name with a newline would read as two segments: ls writes \n for it, and so \t, \\ and \ooo for other
# control bytes, one segment a line; -0 (--null) writes the exact names, each ended by a NUL byte, for scripts.
mkdir "$MNT/odd"
: >"$MNT/odd/two
lines"
: >"$MNT/odd/"'back\slash'
: >"$MNT/odd/tab	bell$(printf '\a')"
: >"$MNT/odd/plain"
check "ls escapes what would break a line" 0 "" "$MMF" ls odd
expect_eq "ls of odd names" 'odd/back\\slash
odd/plain
odd/tab\tbell\007
odd/two\nlines' "$OUT"
check "ls -l escapes what would break a line" 0 "" "$MMF" ls -l odd
expect_eq "ls -l of odd names" 'odd/back\\slash
odd/plain
odd/tab\tbell\007
odd/two\nlines' "$(printf '%s\n' "$OUT" | sed 1d | cut -d ' ' -f 1)"
printf 'odd/back\\slash\0odd/plain\0odd/tab\tbell\a\0odd/two\nlines\0' >"$WORK/null"
check "ls -0" 0 "" "$MMF" ls -0 odd
cmp -s "$WORK/null" "$WORK/out" || fail "ls -0 writes the exact names, each ended by NUL, saw [$(od -c "$WORK/out")]"
check "ls --null" 0 "" "$MMF" ls --null odd
cmp -s "$WORK/null" "$WORK/out" || fail "ls --null is ls -0"
check "ls -0 -l" 2 "mmf: ls: -0 (--null) and -l (--long) do not go together (see 'mmf ls --help')" \
	"$MMF" ls -0 -l odd
expect_eq "ls -0 -l prints nothing" "" "$OUT"
rm -r "$MNT/odd"

# Output that cannot be written is a failure.
if [ -w /dev/full ]; then
	check "ls to a full device" 1 "mmf: standard output: write error" sh -c '"$0" ls >/dev/full' "$MMF"
	check "read to a full device" 1 "mmf: standard output: No space left on device" \
		sh -c '"$0" read Test >/dev/full' "$MMF"
fi

mmfs_stop
finish
