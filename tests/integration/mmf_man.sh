#!/bin/sh
# mmf_man.sh - man/mmf.1 passes `mandoc -T lint` with no message at all and documents every verb and option
# that `mmf --help` names. Skipped (77) without mandoc.
# shellcheck disable=SC2119 source-path=SCRIPTDIR source=lib.sh
. "${0%/*}/lib.sh"
# shellcheck source-path=SCRIPTDIR source=mmf_lib.sh
. "${0%/*}/mmf_lib.sh"

: "${top_srcdir:=${0%/*}/../..}"
page="$top_srcdir/man/mmf.1"

if ! command -v mandoc >/dev/null 2>&1; then
	echo "SKIP: mandoc is not installed (Debian package mandoc)" >&2
	exit 77
fi
lint=$(mandoc -T lint "$page" 2>&1)
expect_eq "mandoc -T lint man/mmf.1 (exit status)" "0" "$?"
expect_eq "mandoc -T lint man/mmf.1 (messages)" "" "$lint"

# One line with single spaces, so that words wrapped across lines are found too.
text=$(mandoc -T ascii "$page" | col -bx | tr '\n' ' ' | tr -s ' ')
for word in "mmf new" "mmf open" "mmf write" "mmf read" "mmf rm" "mmf save" "mmf lock" "mmf ls" "mmf info" \
	"mmf wait" --mount --or-open --transient --mode --append --shared --timeout --help --version --null MMF_MOUNT \
	"capacity exceeded" "no such segment" "EXIT STATUS" 124 "fusermount3"; do
	case $text in
	*"$word"*) ;;
	*) fail "man/mmf.1 mentions [$word]" ;;
	esac
done

finish
