#!/bin/sh
# shellcheck disable=SC2119
# install.sh - `make install DESTDIR=...` puts mmfs and mmf in bindir and mmfs.8 and mmf.1 in the man
# directories, and nothing else; the installed mmfs runs; `make uninstall` takes all of it away again.
# Installs only under the test's own work directory, never into the real prefix.
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "${0%/*}/lib.sh"

: "${top_srcdir:=${0%/*}/../..}"
: "${top_builddir:?top_builddir must name the build tree}"
if ! command -v make >/dev/null 2>&1; then
	echo "SKIP: no make" >&2
	exit 77
fi
dest="$WORK/dest"

# run_make TARGET...: make in the build tree, on its own: the jobserver of an enclosing `make check` is not
# ours to use. Output goes to $WORK/make.log.
run_make() {
	env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL -u MAKEOVERRIDES \
		make --no-print-directory -C "$top_builddir" "$@" >"$WORK/make.log" 2>&1
}

# The installation directories as the build tree's Makefile expands them.
cat >"$WORK/dirs.mk" <<'EOF'
print-install-dirs:
	@echo "$(bindir)"
	@echo "$(man1dir)"
	@echo "$(man8dir)"
EOF
run_make -f Makefile -f "$WORK/dirs.mk" print-install-dirs || fail "make print-install-dirs: $(cat "$WORK/make.log")"
bindir=$(sed -n 1p "$WORK/make.log")
man1dir=$(sed -n 2p "$WORK/make.log")
man8dir=$(sed -n 3p "$WORK/make.log")
for dir in "$bindir" "$man1dir" "$man8dir"; do
	case $dir in
	/*) ;;
	*)
		fail "installation directory [$dir] is not absolute"
		finish
		;;
	esac
done

run_make install DESTDIR="$dest" || { fail "make install DESTDIR=$dest failed: $(cat "$WORK/make.log")"; finish; }

# What must be there: the daemon and its page always; the client and its page once they are built.
{
	echo "$bindir/mmfs"
	echo "$man8dir/mmfs.8"
	if [ -f "$top_srcdir/src/mmf/main.c" ]; then
		echo "$bindir/mmf"
		echo "$man1dir/mmf.1"
	fi
} | sort >"$WORK/expected"
(cd "$dest" && find . ! -type d | sed 's|^\.||' | sort) >"$WORK/installed"
expect_eq "files installed by make install DESTDIR=..." "$(cat "$WORK/expected")" "$(cat "$WORK/installed")"

if [ -f "$dest$bindir/mmfs" ]; then
	expect_eq "mode of the installed mmfs" "755" "$(stat -c %a "$dest$bindir/mmfs")"
	"$dest$bindir/mmfs" --version >"$WORK/version" 2>&1 || fail "installed mmfs --version failed"
	expect_eq "installed mmfs --version names mmfs" "mmfs" "$(cut -d' ' -f1 "$WORK/version")"
fi
if [ -f "$dest$bindir/mmf" ]; then
	expect_eq "mode of the installed mmf" "755" "$(stat -c %a "$dest$bindir/mmf")"
fi
for page in "$man8dir/mmfs.8" "$man1dir/mmf.1"; do
	[ -f "$dest$page" ] || continue
	expect_eq "mode of the installed $page" "644" "$(stat -c %a "$dest$page")"
	cmp -s "$dest$page" "$top_srcdir/man/${page##*/}" || fail "installed $page differs from man/${page##*/}"
done

run_make uninstall DESTDIR="$dest" || fail "make uninstall DESTDIR=$dest failed: $(cat "$WORK/make.log")"
expect_eq "files left after make uninstall" "" "$(cd "$dest" && find . ! -type d)"
finish
