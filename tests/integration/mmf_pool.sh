#!/bin/sh
# mmf_pool.sh - mmf write against a pool that cannot hold the content: an append of more than the 1 MiB the
# kernel sends in one request, or an overwrite, is refused whole and leaves the segment as it was, and an
# endless standard input is read no further than the pool can take.
# shellcheck disable=SC2119,SC2016 source-path=SCRIPTDIR source=lib.sh
. "${0%/*}/lib.sh"
# shellcheck source-path=SCRIPTDIR source=mmf_lib.sh
. "${0%/*}/mmf_lib.sh"

full="mmf: A: no space left in the mmfs pool (nothing written)"

mmfs_start -o size=3m
export MMF_MOUNT="$MNT"
"$MMF" new A --size unlimited || fail "mmf new A"
"$MMF" new Fill --size unlimited || fail "mmf new Fill"
printf 'old' >"$MNT/A"
# 1,800,000 bytes used by Fill leave about 1.3 MB: more than the first 1 MiB request of a 1.4 MB append.
head -c 1800000 /dev/zero >"$MNT/Fill"
head -c 1400000 /dev/urandom >"$WORK/1400k"
check "append past the pool" 1 "$full" sh -c '"$0" write -a A <"$1"' "$MMF" "$WORK/1400k"
expect_eq "length after the refused append" "3" "$(stat -c %s "$MNT/A")"
expect_eq "content after the refused append" "old" "$(head -c 3 "$MNT/A")"

# Overwrite: the growth must fit; the old content stays when it does not.
head -c 1000000 /dev/urandom >"$WORK/1000k"
check "overwrite within the pool" 0 "" sh -c '"$0" write A <"$1"' "$MMF" "$WORK/1000k"
check "overwrite past the pool" 1 "$full" sh -c '"$0" write A <"$1"' "$MMF" "$WORK/1400k"
cmp -s "$WORK/1000k" "$MNT/A" || fail "the old content stays after the refused overwrite"
head -c 1300000 /dev/urandom >"$WORK/1300k"
check "overwrite that fits in the old length and the free room" 0 "" sh -c '"$0" write A <"$1"' "$MMF" "$WORK/1300k"
cmp -s "$WORK/1300k" "$MNT/A" || fail "the segment holds the new content"
check "append strings past the pool" 1 "$full" "$MMF" write -a A "$(head -c 100000 /dev/zero | tr '\0' x)" \
	"$(head -c 100000 /dev/zero | tr '\0' y)" "$(head -c 100000 /dev/zero | tr '\0' z)"
cmp -s "$WORK/1300k" "$MNT/A" || fail "the segment is unchanged after the refused strings"

# Standard input into a segment of unlimited capacity is read no further than the pool can take (one byte
# past it): its file offset afterwards says how far mmf read. 64 MiB of a sparse file stand in for yes(1).
truncate -s 64m "$WORK/endless"
check "overwrite from endless stdin" 1 "$full" \
	sh -c 'exec 5<"$1"; "$0" write A <&5; st=$?; sed -n "s/^pos:[[:space:]]*//p" /proc/$$/fdinfo/5; exit $st' \
	"$MMF" "$WORK/endless"
# The pool (3 MiB) bounds what an overwrite may hold, whatever is free: the old length counts too.
case $OUT in
'' | *[!0-9]*) fail "the offset of stdin after mmf write: expected a number, saw [$OUT]" ;;
*) [ "$OUT" -le $((3 * 1048576 + 1)) ] || fail "mmf write read $OUT bytes of an endless stdin into a 3 MiB pool" ;;
esac
check "append from endless stdin" 1 "$full" \
	sh -c 'exec 5<"$1"; "$0" write -a A <&5; st=$?; sed -n "s/^pos:[[:space:]]*//p" /proc/$$/fdinfo/5; exit $st' \
	"$MMF" "$WORK/endless"
case $OUT in
'' | *[!0-9]*) fail "the offset of stdin after mmf write: expected a number, saw [$OUT]" ;;
*) [ "$OUT" -le $((3 * 1048576 + 1)) ] || fail "mmf write -a read $OUT bytes of an endless stdin into a 3 MiB pool" ;;
esac
cmp -s "$WORK/1300k" "$MNT/A" || fail "the segment is unchanged after endless stdin"

mmfs_stop
finish
