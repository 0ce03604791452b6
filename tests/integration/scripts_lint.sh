#!/bin/sh
# scripts_lint.sh - every shell script of the project passes shellcheck (following sourced files).
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "${0%/*}/lib.sh"

if ! command -v shellcheck >/dev/null 2>&1; then
	echo "SKIP: shellcheck is not installed (Debian package shellcheck)" >&2
	exit 77
fi
cd "${top_srcdir:?top_srcdir must name the source tree}" || exit 1
for f in scripts/demo scripts/check scripts/bench scripts/setup.sh scripts/valgrind-mmfs .ci/run; do
	shellcheck -x "$f" >"$WORK/out" 2>&1 || fail "shellcheck $f: $(head -n 20 "$WORK/out")"
done
cd tests/integration || exit 1
for f in *.sh; do
	shellcheck -x "$f" >"$WORK/out" 2>&1 || fail "shellcheck tests/integration/$f: $(head -n 20 "$WORK/out")"
done
finish
