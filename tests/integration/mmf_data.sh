#!/bin/sh
# mmf_data.sh - mmf write (strings like echo, or stdin byte for byte; replace with no old tail, or append),
# read, save and rm; a full capacity or pool refuses a write and leaves the content as it was.
# shellcheck disable=SC2119,SC2016 source-path=SCRIPTDIR source=lib.sh
. "${0%/*}/lib.sh"
# shellcheck source-path=SCRIPTDIR source=mmf_lib.sh
. "${0%/*}/mmf_lib.sh"

mmfs_start -o size=1m
export MMF_MOUNT="$MNT"
"$MMF" new Test --size 1024 || fail "mmf new Test"

# Strings: joined by spaces with a newline, like echo; a write replaces everything.
check "write strings" 0 "" "$MMF" write Test "Process A says:" Hello World!
expect_eq "content after write" "Process A says: Hello World!" "$(cat "$MNT/Test")"
expect_eq "length after write (with the newline)" "29" "$(stat -c %s "$MNT/Test")"
check "write a shorter string" 0 "" "$MMF" write Test short
expect_eq "a write leaves no old tail" "short" "$(cat "$MNT/Test")"
expect_eq "length after the shorter write" "6" "$(stat -c %s "$MNT/Test")"
check "write --append" 0 "" "$MMF" write Test --append "Process B says: Hello World!"
check "write -a before NAME" 0 "" "$MMF" write -a Test "Process C says: Hello World!"
check "read" 0 "" "$MMF" read Test
expect_eq "read after appends" "short
Process B says: Hello World!
Process C says: Hello World!" "$OUT"
check "write a string that looks like an option, after --" 0 "" "$MMF" write Test -- --not-an-option
expect_eq "content after --" "--not-an-option" "$(cat "$MNT/Test")"
check "write an empty string" 0 "" "$MMF" write Test ""
expect_eq "an empty string writes a newline, like echo" "1" "$(stat -c %s "$MNT/Test")"

# Standard input, byte for byte: NUL bytes, no trailing newline, all 256 byte values.
python3 -c 'import sys; sys.stdout.buffer.write(bytes(range(256)) * 3 + b"\0tail")' >"$WORK/bin"
check "write from stdin" 0 "" sh -c '"$0" write Test <"$1"' "$MMF" "$WORK/bin"
cmp -s "$WORK/bin" "$MNT/Test" || fail "the segment holds stdin byte for byte"
"$MMF" read Test >"$WORK/back" || fail "mmf read of binary content"
cmp -s "$WORK/bin" "$WORK/back" || fail "mmf read gives the exact bytes back"
head -c 100 /dev/urandom >"$WORK/more"
check "append from stdin" 0 "" sh -c '"$0" write --append Test <"$1"' "$MMF" "$WORK/more"
cat "$WORK/bin" "$WORK/more" >"$WORK/both"
"$MMF" read Test >"$WORK/back"
cmp -s "$WORK/both" "$WORK/back" || fail "write, append and read round trip of binary stdin"
check "write empty stdin" 0 "" sh -c '"$0" write Test </dev/null' "$MMF"
expect_eq "empty stdin empties the segment" "0" "$(stat -c %s "$MNT/Test")"

# Past the capacity: refused, content unchanged.
printf 'keep me' >"$MNT/Test"
big=$(python3 -c 'print("x" * 1100)')
check "write past the capacity" 1 \
	"mmf: Test: capacity exceeded: 1101 bytes do not fit in a capacity of 1024 bytes (nothing written)" \
	"$MMF" write Test "$big"
expect_eq "content after the refused write" "keep me" "$(cat "$MNT/Test")"
head -c 2000 /dev/zero >"$WORK/zeros"
check "stdin past the capacity" 1 \
	"mmf: Test: capacity exceeded: standard input does not fit in a capacity of 1024 bytes (nothing written)" \
	sh -c '"$0" write Test <"$1"' "$MMF" "$WORK/zeros"
expect_eq "content after the refused stdin" "keep me" "$(cat "$MNT/Test")"
head -c 1020 /dev/zero >"$WORK/k"
check "append past the capacity" 1 \
	"mmf: Test: capacity exceeded: 1021 more bytes after 7 do not fit in a capacity of 1024 bytes (nothing written)" \
	"$MMF" write --append Test "$(printf '%01020d' 0)"
check "append from stdin past the capacity" 1 - sh -c '"$0" write -a Test <"$1"' "$MMF" "$WORK/k"
expect_eq "content after the refused appends" "keep me" "$(cat "$MNT/Test")"
head -c 1024 /dev/zero >"$WORK/exact"
check "write exactly the capacity" 0 "" sh -c '"$0" write Test <"$1"' "$MMF" "$WORK/exact"
expect_eq "length at the capacity" "1024" "$(stat -c %s "$MNT/Test")"
check "append one byte to a full segment" 1 \
	"mmf: Test: capacity exceeded: 1 more byte after 1024 does not fit in a capacity of 1024 bytes (nothing written)" \
	"$MMF" write -a Test ""
check "append stdin to a full segment" 1 \
	"mmf: Test: capacity exceeded: the segment is full, its capacity is 1024 bytes (nothing written)" \
	sh -c 'printf x | "$0" write Test --append' "$MMF"
check "append empty stdin to a full segment" 0 "" sh -c '"$0" write Test --append </dev/null' "$MMF"
"$MMF" new One --size 1 || fail "mmf new One"
check "write past a capacity of 1 byte" 1 \
	"mmf: One: capacity exceeded: 2 bytes do not fit in a capacity of 1 byte (nothing written)" "$MMF" write One x
check "stdin past a capacity of 1 byte" 1 \
	"mmf: One: capacity exceeded: standard input does not fit in a capacity of 1 byte (nothing written)" \
	sh -c 'printf ab | "$0" write One' "$MMF"
expect_eq "length after the refused append" "1024" "$(stat -c %s "$MNT/Test")"

# Past the pool (size=1m): refused with its own message, content unchanged.
"$MMF" new Big --size unlimited || fail "mmf new Big"
printf 'pool keep' >"$MNT/Big"
head -c 1200000 /dev/zero >"$WORK/toobig"
check "write past the pool" 1 "mmf: Big: no space left in the mmfs pool (nothing written)" \
	sh -c '"$0" write Big <"$1"' "$MMF" "$WORK/toobig"
expect_eq "content after the pool refused" "pool keep" "$(cat "$MNT/Big")"

# A missing segment: a clear failure, and write never creates one.
check "write to a missing segment" 1 "mmf: Nope: no such segment (create it with 'mmf new')" \
	"$MMF" write Nope hello
[ -e "$MNT/Nope" ] && fail "write made a missing segment"
check "write stdin to a missing segment" 1 "mmf: Nope: no such segment (create it with 'mmf new')" \
	sh -c 'echo hi | "$0" write Nope' "$MMF"
check "read a missing segment" 1 "mmf: Nope: no such segment (create it with 'mmf new')" "$MMF" read Nope
expect_eq "read of a missing segment prints nothing" "" "$OUT"
mkdir "$MNT/dir"
check "read a directory" 1 "mmf: dir: is a directory, not a segment" "$MMF" read dir
check "write a directory" 1 "mmf: dir: is a directory, not a segment" "$MMF" write dir x
mkfifo "$MNT/fifo"
check "read a FIFO" 1 "mmf: fifo: not a segment (not a regular file)" "$MMF" read fifo

# save: the bytes into an ordinary file.
"$MMF" write Test <"$WORK/bin"
check "save" 0 "" "$MMF" save Test "$WORK/saved"
cmp -s "$WORK/bin" "$WORK/saved" || fail "save copies the exact bytes"
echo "previous" >"$WORK/saved2"
check "save over a longer file" 0 "" sh -c 'echo hi | "$0" write Test && "$0" save Test "$1"' "$MMF" "$WORK/saved2"
expect_eq "save replaces the file" "hi" "$(cat "$WORK/saved2")"
check "save a missing segment" 1 "mmf: Nope: no such segment (create it with 'mmf new')" \
	"$MMF" save Nope "$WORK/never"
[ -e "$WORK/never" ] && fail "save of a missing segment made PATH"
check "save into a missing directory" 1 "mmf: $WORK/no/dir: No such file or directory" \
	"$MMF" save Test "$WORK/no/dir"
# Onto itself (its own path, a symbolic or hard link to it): refused, as cp does, and the bytes stay.
"$MMF" write Test "keep me"
ln -s Test "$MNT/selflink"
ln "$MNT/Test" "$MNT/selfhard"
for self in Test selflink selfhard; do
	check "save onto $self" 1 "mmf: $MNT/$self: is the segment Test itself (nothing saved)" \
		"$MMF" save Test "$MNT/$self"
	expect_eq "content after save onto $self" "keep me" "$(cat "$MNT/Test")"
done
rm "$MNT/selflink" "$MNT/selfhard"
# A PATH that cannot take the whole copy keeps its old bytes and gets no temporary file left beside it: the
# pool (1 MiB) serves as the full file system.
mkdir "$MNT/out"
printf 'old file' >"$MNT/out/target"
chmod 0640 "$MNT/out/target"
head -c 600000 /dev/urandom >"$WORK/600k"
"$MMF" write Big <"$WORK/600k" || fail "mmf write Big of 600000 bytes"
check "save onto a full file system" 1 "mmf: $MNT/out/target: No space left on device" \
	"$MMF" save Big "$MNT/out/target"
expect_eq "the old file after a failed save" "old file" "$(head -c 40 "$MNT/out/target" | tr -c 'a-z ' '?')"
expect_eq "files beside it after a failed save" "target" "$(find "$MNT/out" -mindepth 1 -printf '%f\n' | sort)"
# A complete save keeps the mode of the file it replaces and follows a symbolic link to the file it names.
"$MMF" write Big "small"
check "save over a file" 0 "" "$MMF" save Big "$MNT/out/target"
expect_eq "content after save over a file" "small" "$(cat "$MNT/out/target")"
expect_eq "save keeps the replaced file's mode" "640" "$(stat -c %a "$MNT/out/target")"
ln -s target "$MNT/out/link"
"$MMF" write Big "through the link"
check "save through a symbolic link" 0 "" "$MMF" save Big "$MNT/out/link"
expect_eq "the link after save" "target" "$(readlink "$MNT/out/link")"
expect_eq "the file the link names after save" "through the link" "$(cat "$MNT/out/target")"
expect_eq "files beside it after two saves" "link
target" "$(find "$MNT/out" -mindepth 1 -printf '%f\n' | sort)"
check "save to a new file" 0 "" sh -c 'umask 027; exec "$0" save Big "$1"' "$MMF" "$WORK/new"
expect_eq "mode of a new file (0666 less the umask)" "640" "$(stat -c %a "$WORK/new")"
# What is no regular file is written as it is: a device, a FIFO, standard output.
check "save to /dev/null" 0 "" "$MMF" save Big /dev/null
[ -c /dev/null ] || fail "save replaced /dev/null"
if [ -w /dev/full ]; then
	check "save to a full device" 1 "mmf: /dev/full: No space left on device" "$MMF" save Big /dev/full
fi
mkfifo "$WORK/pipe"
cat "$WORK/pipe" >"$WORK/from-pipe" &
reader=$!
track_pid "$reader"
check "save into a FIFO" 0 "" "$MMF" save Big "$WORK/pipe"
wait "$reader"
expect_eq "what came through the FIFO" "through the link" "$(cat "$WORK/from-pipe")"
check "save to /dev/stdout" 0 "" "$MMF" save Big /dev/stdout
expect_eq "what save wrote to /dev/stdout" "through the link" "$OUT"

# rm: several at once; every name is checked before any is removed, so a missing one removes nothing.
"$MMF" new A --size 1 || fail "mmf new A"
"$MMF" new B --size 1 || fail "mmf new B"
check "rm two segments" 0 "" "$MMF" rm A B
[ -e "$MNT/A" ] || [ -e "$MNT/B" ] && fail "rm removed A and B"
check "rm a missing segment" 1 "mmf: A: no such segment" "$MMF" rm A
"$MMF" new C --size 1
check "rm missing and present" 1 "mmf: A: no such segment" "$MMF" rm A C
[ -e "$MNT/C" ] || fail "rm with a missing name left C alone"
"$MMF" new D --size 1
check "rm present, missing, present" 1 "mmf: missing: no such segment" "$MMF" rm C missing D
if [ ! -e "$MNT/C" ] || [ ! -e "$MNT/D" ]; then
	fail "rm with a missing name in the middle left C and D alone"
fi
check "rm with two missing names" 1 "mmf: m1: no such segment
mmf: m2: no such segment" "$MMF" rm m1 C m2
check "rm with a directory among the names" 1 "mmf: dir: is a directory, not a segment" "$MMF" rm C dir
[ -e "$MNT/C" ] || fail "rm with a directory among the names left C alone"
check "rm the rest" 0 "" "$MMF" rm C D
check "rm a directory" 1 "mmf: dir: is a directory, not a segment" "$MMF" rm dir
[ -d "$MNT/dir" ] || fail "rm left the directory alone"
check "rm with a bad name removes nothing" 2 - "$MMF" rm Test /abs
[ -e "$MNT/Test" ] || fail "rm with a bad name left Test alone"
# One segment named twice, however spelled, is removed once and is no error; two hard links are two names.
"$MMF" new R --size 1
check "rm one segment named twice" 0 "" "$MMF" rm R R
[ -e "$MNT/R" ] && fail "rm R R left R"
mkdir "$MNT/sub"
"$MMF" new sub/R --size 1
check "rm sub/R and ./sub/R" 0 "" "$MMF" rm sub/R ./sub/R
[ -e "$MNT/sub/R" ] && fail "rm sub/R ./sub/R left sub/R"
"$MMF" new R --size 1
ln "$MNT/R" "$MNT/L"
check "rm two hard links of one segment" 0 "" "$MMF" rm R L
[ -e "$MNT/R" ] || [ -e "$MNT/L" ] && fail "rm R L left one of the links"
rmdir "$MNT/sub"
mmfs_stop

# save onto a mount whose new files are transient (-o lifetime=transient): the copy is persistent, as mmf new
# makes its segments, since a transient one would be reclaimed at mmf's last close and the save lost (the
# temporary file went before it could be renamed: "No such file or directory").
mmfs_start -o lifetime=transient
mkdir "$MNT/t"
"$MMF" new t/Src --size 1k || fail "mmf new t/Src on a transient mount"
"$MMF" write t/Src "saved copy"
check "save onto a transient mount" 0 "" "$MMF" save t/Src "$MNT/t/copy"
expect_eq "the copy on a transient mount" "saved copy" "$(cat "$MNT/t/copy" 2>&1)"
expect_eq "lifetime of the copy" "lifetime: persistent" "$("$MMF" info t/copy 2>&1 | grep '^lifetime:')"
"$MMF" write t/Src "second copy"
check "save over a copy on a transient mount" 0 "" "$MMF" save t/Src "$MNT/t/copy"
expect_eq "the replaced copy" "second copy" "$(cat "$MNT/t/copy" 2>&1)"
expect_eq "files on the transient mount after the saves" "Src
copy" "$(ls -A "$MNT/t")"
mmfs_stop
finish
