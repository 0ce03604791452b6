#!/bin/sh
# shellcheck disable=SC2119
# man_lint.sh - man/mmfs.8 passes `mandoc -T lint` with no message at all, documents every option that
# `mmfs --help` names, and has the sections, errors, attributes and paths a user looks for; neither man page
# repeats a block of its source.
# Skipped (77) without mandoc (Debian package mandoc, which scripts/check installs).
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "${0%/*}/lib.sh"

: "${top_srcdir:=${0%/*}/../..}"
page="$top_srcdir/man/mmfs.8"

if ! command -v mandoc >/dev/null 2>&1; then
	echo "SKIP: mandoc is not installed (Debian package mandoc)" >&2
	exit 77
fi
if [ ! -f "$page" ]; then
	fail "no man page at $page"
	finish
fi
lint=$(mandoc -T lint -W style "$page" 2>&1)
expect_eq "mandoc -T lint -W style man/mmfs.8 (exit status)" "0" "$?"
expect_eq "mandoc -T lint -W style man/mmfs.8 (messages)" "" "$lint"

# No block of four source lines appears twice in either page: the mark of a paragraph pasted where another
# belonged (it once replaced two paths in MAPPINGS AND DIRTY LIMITS with the FILES entry for abort, twice).
for p in "$page" "$top_srcdir/man/mmf.1"; do
	repeated=$(awk 'NR >= 4 { w = l1 "|" l2 "|" l3 "|" $0; if (c[w]++ == 1) print "line " NR ": " w }
		{ l1 = l2; l2 = l3; l3 = $0 }' "$p")
	expect_eq "blocks of four lines repeated in ${p##*/}" "" "$repeated"
done

# One line with single spaces, so that words wrapped across lines are found too.
text=$(mandoc -T ascii "$page" | col -bx | tr '\n' ' ' | tr -s ' ')
mentions() {
	case $text in
	*"$1"*) ;;
	*) fail "man/mmfs.8 mentions [$1]" ;;
	esac
}

# Every option of `mmfs --help` (its own part, before libfuse's), short, long and -o NAME.
"$MMFS" --help >"$WORK/help" 2>&1 || fail "mmfs --help exited with failure"
sed '/^fuse3 options:/,$d' "$WORK/help" | grep -oE -- '(^| )(-[a-zA-Z]|--[a-z-]+|-o [a-z_]+)' |
	sed 's/^ //' | sort -u >"$WORK/options"
expect_eq "options found in mmfs --help (at least)" "yes" "$([ "$(grep -c . "$WORK/options")" -ge 14 ] && echo yes)"
while IFS= read -r opt; do
	mentions "$opt"
done <"$WORK/options"

for section in NAME SYNOPSIS DESCRIPTION OPTIONS SEGMENTS "EXTENDED ATTRIBUTES" LIFETIME \
	"BACKING DIRECTORY AND DURABILITY" SHARING LOCKS "MAPPINGS AND DIRTY LIMITS" ERRORS "EXIT STATUS" FILES \
	EXAMPLES "SEE ALSO"; do
	grep -qx "\\.SH \"\\{0,1\\}$section\"\\{0,1\\}" "$page" || fail "man/mmfs.8 has a section [$section]"
done
for word in EFBIG ENOSPC ENAMETOOLONG EINVAL ENODATA EPERM EOPNOTSUPP ENOTCONN user.mmf.capacity \
	user.mmf.lifetime persistent transient /dev/shm/mmfs- /dev/shm/mmfs-0-mnt-mmf 0700 1777 fuse.mmfs \
	"-o backing=" "-o size=" "-o nr_segments=" "-o capacity=" "-o lifetime=" "-o threads=" "-o bdi=tune" "-o uring=auto" enable_uring ECANCELED \
	"-o allow_other" default_permissions max_ratio strict_limit /etc/fstab mount.fuse3 "mount -t fuse.mmfs" \
	"fusermount3 -u" mnt-mmf.mount flock "Process A says: Hello World!" "mmf(1)" "mount.fuse3(8)" \
	"fusermount3(1)" "tmpfs(5)" "1 MiB"; do
	mentions "$word"
done
finish
