#!/bin/sh
# bad_input.sh - every kind of bad input gets a clear error and changes nothing, and the daemon keeps serving:
# bad -o options and sizes, bad mountpoints (missing, a file, already an mmfs), bad user.mmf.* values, capacity
# below the length, writes, truncates and fallocates at offsets near 2^63. One table below lists every case
# with its expected result; the script runs each and prints the whole table, with what it saw, on failure.
#
# Expected results:
#   usage    mmfs exits 1 with exactly one line "mmfs: <reason>" on stderr, nothing is mounted there, the backing
#            directory it was given is not created, and the running mount is untouched.
#            Where libfuse found the mistake, its reason is in mmfs's line, not a line of its own.
#   E...     the call fails with that errno; the segment's length, bytes, capacity and lifetime are unchanged.
#
# Near 2^63 the kernel decides before mmfs sees the request (same on tmpfs): a write whose end passes 2^63-1
# wraps loff_t and is EINVAL (rw_verify_area); fallocate past s_maxbytes is EFBIG. Requests inside loff_t
# reach mmfs: past the capacity EFBIG, past the pool ENOSPC.
# shellcheck disable=SC2119 source-path=SCRIPTDIR source=lib.sh
. "${0%/*}/lib.sh"

CASES=$(
	cat <<'EOF'
# kind    | case                                   | arguments                                      | expected
mount     | size=abc                               | -o size=abc MP                                 | usage
mount     | size=-1 (negative)                     | -o size=-1 MP                                  | usage
mount     | size=0                                 | -o size=0 MP                                   | usage
mount     | size=0%                                | -o size=0% MP                                  | usage
mount     | size=101%                              | -o size=101% MP                                | usage
mount     | size=99999999999999999999 (overflow)   | -o size=99999999999999999999 MP                | usage
mount     | size=17179869184g (overflow)           | -o size=17179869184g MP                        | usage
mount     | size=1.5g                              | -o size=1.5g MP                                | usage
mount     | size= (empty)                          | -o size= MP                                    | usage
mount     | size (no value)                        | -o size MP                                     | usage
mount     | nr_segments=0                          | -o nr_segments=0 MP                            | usage
mount     | nr_segments=-1                         | -o nr_segments=-1 MP                           | usage
mount     | nr_segments=4294967296                 | -o nr_segments=4294967296 MP                   | usage
mount     | nr_segments=abc                        | -o nr_segments=abc MP                          | usage
mount     | capacity=abc                           | -o capacity=abc MP                             | usage
mount     | capacity=0                             | -o capacity=0 MP                               | usage
mount     | capacity=-5                            | -o capacity=-5 MP                              | usage
mount     | capacity=99999999999999999999          | -o capacity=99999999999999999999 MP            | usage
mount     | lifetime=forever                       | -o lifetime=forever MP                         | usage
mount     | lifetime=Persistent                    | -o lifetime=Persistent MP                      | usage
mount     | threads=0                              | -o threads=0 MP                                | usage
mount     | threads=65                             | -o threads=65 MP                               | usage
mount     | threads=many                           | -o threads=many MP                             | usage
mount     | bdi=x                                  | -o bdi=x MP                                    | usage
mount     | uring=on                               | -o uring=on MP                                 | usage
mount     | backing= (empty)                       | -o backing= MP                                 | usage
mount     | -o nosuchopt                           | -o nosuchopt MP                                | usage
mount     | -o size=1m,nosuchopt                   | -o size=1m,nosuchopt MP                        | usage
mount     | -o debug=1                             | -o debug=1 MP                                  | usage
mount     | -o allow_other=1                       | -o allow_other=1 MP                            | usage
mount     | two unknown options (one line)         | -o foo,bar MP                                  | usage
mount     | first of two bad values (one line)     | -o size=abc,threads=0 MP                       | usage
mount     | -o with no argument                    | MP -o                                          | usage
mount     | unknown flag -x                        | -x MP                                          | usage
mount     | max_read=abc (a libfuse option)        | -o max_read=abc MP                             | usage
mount     | max_read=0                             | -o max_read=0 MP                               | usage
mount     | nr_segments=1k (a count, not a size)   | -o nr_segments=1k MP                           | usage
mount     | threads=2k                             | -o threads=2k MP                               | usage
mount     | poll=1k                                | -o poll=1k MP                                  | usage
mount     | poll=-1                                | -o poll=-1 MP                                  | usage
mount     | prealloc=abc                           | -o prealloc=abc MP                             | usage
mount     | prealloc=2g (more than 1g)             | -o prealloc=2g MP                              | usage
mount     | prealloc=-1                            | -o prealloc=-1 MP                              | usage
mount     | subtype=foo (mmf finds mounts by type) | -o subtype=foo MP                              | usage
mount     | blkdev (block devices only)            | -o blkdev MP                                   | usage
mount     | blksize=4096 (block devices only)      | -o blksize=4096 MP                             | usage
mount     | clone_fd (libfuse's loop option)       | -o clone_fd MP                                 | usage
mount     | max_threads=4 (libfuse's loop option)  | -o max_threads=4 MP                            | usage
mount     | no mountpoint                          | -o size=1m                                     | usage
mount     | missing mountpoint                     | MISSING                                        | usage
mount     | mountpoint is a regular file           | AFILE                                          | usage
mount     | mountpoint already has an mmfs         | MNT                                            | usage
mount     | too many arguments                     | MP MP MP                                       | usage
xattr     | capacity below the length (99 < 100)   | user.mmf.capacity b"99"                        | EINVAL
xattr     | capacity 1                             | user.mmf.capacity b"1"                         | EINVAL
xattr     | capacity 0                             | user.mmf.capacity b"0"                         | EINVAL
xattr     | capacity -1                            | user.mmf.capacity b"-1"                        | EINVAL
xattr     | capacity abc                           | user.mmf.capacity b"abc"                       | EINVAL
xattr     | capacity empty                         | user.mmf.capacity b""                          | EINVAL
xattr     | capacity 0x1000                        | user.mmf.capacity b"0x1000"                    | EINVAL
xattr     | capacity +4096                         | user.mmf.capacity b"+4096"                     | EINVAL
xattr     | capacity with a NUL and garbage        | user.mmf.capacity b"8192\0xyz"                 | EINVAL
xattr     | capacity with two newlines             | user.mmf.capacity b"8192\n\n"                  | EINVAL
xattr     | capacity with a leading space          | user.mmf.capacity b" 8192"                     | EINVAL
xattr     | capacity with a trailing space         | user.mmf.capacity b"8192 "                     | EINVAL
xattr     | capacity 1.5k                          | user.mmf.capacity b"1.5k"                      | EINVAL
xattr     | capacity 4q (bad suffix)               | user.mmf.capacity b"4q"                        | EINVAL
xattr     | capacity 99999999999999999999          | user.mmf.capacity b"99999999999999999999"      | EINVAL
xattr     | capacity 17179869184g (overflow)       | user.mmf.capacity b"17179869184g"              | EINVAL
xattr     | capacity Unlimited                     | user.mmf.capacity b"Unlimited"                 | EINVAL
xattr     | lifetime forever                       | user.mmf.lifetime b"forever"                   | EINVAL
xattr     | lifetime empty                         | user.mmf.lifetime b""                          | EINVAL
xattr     | lifetime with two newlines             | user.mmf.lifetime b"transient\n\n"             | EINVAL
xattr     | lifetime with a NUL                    | user.mmf.lifetime b"transient\0"               | EINVAL
xattr     | unknown user.mmf.size                  | user.mmf.size b"1"                             | EINVAL
xattr-rm  | remove user.mmf.capacity               | user.mmf.capacity                              | EPERM
xattr-rm  | remove user.mmf.lifetime               | user.mmf.lifetime                              | EPERM
xattr-dir | capacity of a directory                | user.mmf.capacity b"4096"                      | EINVAL
io-cap    | pwrite 20 bytes at 2^63-1              | os.pwrite(fd, b"x" * 20, E - 1)                | EINVAL
io-cap    | pwrite 20 bytes at 2^63-10             | os.pwrite(fd, b"x" * 20, E - 10)               | EINVAL
io-cap    | pwrite 1 byte at 2^63-1                | os.pwrite(fd, b"x", E - 1)                     | EINVAL
io-cap    | pwrite 20 bytes at 2^63-30             | os.pwrite(fd, b"x" * 20, E - 30)               | EFBIG
io-cap    | pwrite 1 byte at 2^62                  | os.pwrite(fd, b"x", 1 << 62)                   | EFBIG
io-cap    | pwrite at offset -1                    | os.pwrite(fd, b"x", -1)                        | EINVAL
io-cap    | write 2 bytes after lseek to 2^63-1    | os.lseek(fd, E - 1, 0); os.write(fd, b"xx")    | EINVAL
io-cap    | ftruncate to 2^63-1                    | os.ftruncate(fd, E - 1)                        | EFBIG
io-cap    | ftruncate to -1                        | os.ftruncate(fd, -1)                           | EINVAL
io-cap    | truncate (path) to 2^63-1              | os.truncate(p, E - 1)                          | EFBIG
io-cap    | fallocate 2^63-1 bytes                 | os.posix_fallocate(fd, 0, E - 1)               | EFBIG
io-cap    | fallocate 20 bytes at 2^63-10          | os.posix_fallocate(fd, E - 10, 20)             | EFBIG
io-cap    | fallocate 2^62 bytes                   | os.posix_fallocate(fd, 0, 1 << 62)             | EFBIG
io-cap    | fallocate 1 byte past the capacity     | os.posix_fallocate(fd, 4096, 1)                | EFBIG
io-pool   | pwrite 20 bytes at 2^63-30             | os.pwrite(fd, b"x" * 20, E - 30)               | ENOSPC
io-pool   | pwrite 1 byte at 2^62                  | os.pwrite(fd, b"x", 1 << 62)                   | ENOSPC
io-pool   | pwrite 1 byte at 2 MiB (pool 1 MiB)    | os.pwrite(fd, b"x", 2 << 20)                   | ENOSPC
io-pool   | ftruncate to 2^63-1                    | os.ftruncate(fd, E - 1)                        | ENOSPC
io-pool   | ftruncate to 2 MiB                     | os.ftruncate(fd, 2 << 20)                      | ENOSPC
io-pool   | fallocate 2^62 bytes                   | os.posix_fallocate(fd, 0, 1 << 62)             | ENOSPC
io-pool   | fallocate 20 bytes at 2^63-10          | os.posix_fallocate(fd, E - 10, 20)             | EFBIG
EOF
)

mmfs_start -o size=1m
seg="$MNT/seg"   # 100 bytes, capacity 4096
free="$MNT/free" # 100 bytes, no capacity: bounded by the 1 MiB pool only
head -c 100 /dev/urandom >"$seg"
head -c 100 /dev/urandom >"$free"
setfattr -n user.mmf.capacity -v 4096 "$seg"
mkdir "$MNT/dir"
mkdir "$WORK/mp"
: >"$WORK/afile"
badb="$WORK/bad-backing" # given to every refused mount: it must not be created

cp "$seg" "$WORK/seg.ref"
cp "$free" "$WORK/free.ref"
# state FILE: what a refused call must not change: length, bytes, capacity, lifetime.
attr() { getfattr --absolute-names --only-values -n "$1" "$2" 2>/dev/null || echo none; }
state() {
	echo "$(stat -c %s "$1" 2>&1) $(sha256sum <"$1" 2>&1 | cut -c1-16) $(attr user.mmf.capacity "$1") $(attr user.mmf.lifetime "$1")"
}
# restore: puts both segments back as they were, so that one wrong case does not spoil the next ones.
restore() {
	rm -f "$seg" "$free"
	cp "$WORK/seg.ref" "$seg"
	cp "$WORK/free.ref" "$free"
	setfattr -n user.mmf.capacity -v 4096 "$seg"
}
trim() { printf '%s\n' "$1" | sed 's/^ *//; s/ *$//'; }

# run_mount ARGS EXPECTED: runs mmfs with -o backing=$badb and ARGS (words MP, MNT, MISSING, AFILE stand for
# paths); prints "ok" or what was wrong.
run_mount() {
	args=""
	for w in $1; do
		case "$w" in
		MP) w="$WORK/mp" ;;
		MNT) w="$MNT" ;;
		MISSING) w="$WORK/no/such/dir" ;;
		AFILE) w="$WORK/afile" ;;
		esac
		args="$args $w"
	done
	# shellcheck disable=SC2086 # the arguments are meant to split (no test path holds a space)
	timeout "$HANG_GUARD" "$MMFS" -f -o "backing=$badb" $args >"$WORK/out" 2>"$WORK/err"
	rc=$?
	why=""
	[ "$rc" = 1 ] || why="$why exit $rc;"
	lines=$(wc -l <"$WORK/err")
	last=$(tail -n 1 "$WORK/err")
	case "$last" in "mmfs: "?*) ;; *) why="$why last line not \"mmfs: ...\";" ;; esac
	[ "$lines" = 1 ] || why="$why $lines lines;"
	if grep -qs " $WORK/mp fuse" /proc/mounts; then
		why="$why mounted;"
		fusermount3 -u "$WORK/mp"
	fi
	[ "$(grep -c " $MNT fuse" /proc/mounts)" = 1 ] || why="$why mounts at $MNT changed;"
	if [ -e "$badb" ]; then
		why="$why created $badb;"
		rm -rf "$badb"
	fi
	echo "${why:-ok}"
}

printf '%s\n' "$CASES" >"$WORK/cases"
: >"$WORK/results"
table_failed=0
while IFS='|' read -r kind name args expected; do
	kind=$(trim "$kind")
	case "$kind" in '#'* | '') continue ;; esac
	name=$(trim "$name")
	args=$(trim "$args")
	expected=$(trim "$expected")
	before_seg=$(state "$seg")
	before_free=$(state "$free")
	case "$kind" in
	mount)
		verdict=$(run_mount "$args" "$expected")
		seen="$(wc -l <"$WORK/err") line(s): $(paste -sd'|' "$WORK/err")"
		[ "$verdict" = ok ] || seen="$seen --$verdict"
		;;
	xattr | xattr-dir)
		target=$seg
		[ "$kind" = xattr-dir ] && target="$MNT/dir"
		seen=$(py_errno 'os.setxattr(p, a.split(" ", 1)[0], eval(a.split(" ", 1)[1]))' p="$target" a="$args")
		verdict=ok
		[ "$seen" = "$expected" ] || verdict=no
		;;
	xattr-rm)
		seen=$(py_errno 'os.removexattr(p, a)' p="$seg" a="$args")
		verdict=ok
		[ "$seen" = "$expected" ] || verdict=no
		;;
	io-cap | io-pool)
		target=$seg
		[ "$kind" = io-pool ] && target=$free
		seen=$(py_errno 'E = 1 << 63; fd = os.open(p, os.O_RDWR); exec(c); os.close(fd)' p="$target" c="$args" 2>&1)
		verdict=ok
		[ "$seen" = "$expected" ] || verdict=no
		;;
	*)
		seen="unknown kind $kind"
		verdict=no
		;;
	esac
	after_seg=$(state "$seg")
	after_free=$(state "$free")
	if [ "$after_seg" != "$before_seg" ] || [ "$after_free" != "$before_free" ]; then
		verdict=no
		seen="$seen -- changed the segments: [$before_seg] [$before_free] -> [$after_seg] [$after_free]"
		restore
	fi
	if ! grep -qs " $MNT fuse" /proc/mounts || ! [ -d "$MNT/dir" ]; then
		verdict=no
		seen="$seen -- the mount stopped serving"
	fi
	if [ "$verdict" != ok ]; then
		table_failed=1
		fail "$kind: $name: expected $expected, saw: $seen"
	fi
	printf '%-9s | %-38s | %-8s | %s | %s\n' "$kind" "$name" "$expected" "$([ "$verdict" = ok ] && echo pass || echo FAIL)" "$seen" >>"$WORK/results"
done <"$WORK/cases"
if [ "$table_failed" = 1 ]; then
	echo "every case tried (kind | case | expected | verdict | seen):" >&2
	cat "$WORK/results" >&2
fi

# After all of it the daemon still serves, with the same pool.
echo "still here" >"$MNT/after"
expect_eq "a new segment after every bad input" "still here" "$(cat "$MNT/after")"
expect_eq "the refused calls' segment" "100 4096 persistent" \
	"$(state "$seg" | cut -d' ' -f1,3,4)"
expect_eq "pool size" "1048576" "$(($(stat -f -c '%b * %S' "$MNT")))"
expect_eq "entries left in the mountpoint of the refused mounts" "0" "$(find "$WORK/mp" -mindepth 1 | wc -l)"
mmfs_stop
finish
