#!/bin/sh
# mmf_links.sh - mmf never follows a symbolic link out of the mount: a link planted in the mount that leads
# out (absolute, or relative through ..) is refused by every verb that opens a name, read, write, append,
# info, open, lock, wait, save, new --or-open, and so is a linked directory on the way (write dir/x, new
# dir/x, rm dir/x, ls dir), while links that stay inside the mount still work; nothing on another file
# system mounted inside the mount is used. Without openat2 (a shim makes it ENOSYS, as before Linux 5.6, or
# EPERM, as under a seccomp filter) mmf refuses every link in a name instead, and takes ".." as written.
# Every link points only at files in this test's own scratch directory.
# shellcheck disable=SC2119,SC2016 source-path=SCRIPTDIR source=lib.sh
. "${0%/*}/lib.sh"
# shellcheck source-path=SCRIPTDIR source=mmf_lib.sh
. "${0%/*}/mmf_lib.sh"

mmfs_start
export MMF_MOUNT="$MNT"
out="$WORK/outside"
mkdir "$out"
printf 'secret' >"$out/secret"
printf 'victim' >"$out/victim"
"$MMF" new Test --size 1k || fail "mmf new Test"
"$MMF" write Test "inside" || fail "mmf write Test"
mkdir "$MNT/d"

# Links that leave the mount: absolute, relative past the mount's root, to a directory, and "self/.." that
# is lexically inside (self is a link to the root) but physically above it.
ln -s "$out/secret" "$MNT/abs"
ln -s ../outside/secret "$MNT/rel"
ln -s "$out" "$MNT/outdir"
ln -s ../../outside/secret "$MNT/d/deep"
ln -s . "$MNT/self"
leaves="a symbolic link leads out of the mount (only relative links that stay inside it are followed)"

# untouched: the files outside are as they were, and nothing was made beside them.
untouched() {
	expect_eq "$1: the file outside" "secret" "$(cat "$out/secret")"
	expect_eq "$1: the other file outside" "victim" "$(cat "$out/victim")"
	expect_eq "$1: files outside" "secret victim" \
		"$(find "$out" -mindepth 1 -printf '%f\n' | sort | paste -sd' ')"
}

for n in abs rel d/deep self/../outside/secret; do
	check "read $n" 1 "mmf: $n: $leaves" "$MMF" read "$n"
	expect_eq "read $n prints nothing" "" "$OUT"
	check "write $n" 1 "mmf: $n: $leaves" "$MMF" write "$n" "overwritten"
	check "write --append $n" 1 "mmf: $n: $leaves" "$MMF" write --append "$n" "appended"
	check "write $n from stdin" 1 "mmf: $n: $leaves" sh -c 'echo piped | "$0" write "$1"' "$MMF" "$n"
	check "info $n" 1 "mmf: $n: $leaves" "$MMF" info "$n"
	check "open $n" 1 "mmf: $n: $leaves" "$MMF" open "$n"
	check "lock $n" 1 "mmf: $n: $leaves" "$MMF" lock "$n" -- echo ran
	expect_eq "lock $n runs no COMMAND" "" "$OUT"
	check "wait $n" 1 "mmf: $n: $leaves" "$MMF" wait "$n" --timeout 0.2
	check "save $n" 1 "mmf: $n: $leaves" "$MMF" save "$n" "$WORK/copy"
	[ -e "$WORK/copy" ] && fail "save $n made a copy"
	check "new --or-open $n" 1 "mmf: $n: $leaves" "$MMF" new "$n" --size 1 --or-open
	check "new --or-open $n -- COMMAND" 1 "mmf: $n: $leaves" "$MMF" new "$n" --size 1 --or-open -- echo ran
	expect_eq "new --or-open $n runs no COMMAND" "" "$OUT"
	check "new $n" 1 "mmf: $n: $leaves" "$MMF" new "$n" --size 1
	untouched "$n"
done

# A linked directory on the way out of the mount.
check "write through a linked directory" 1 "mmf: outdir/victim: $leaves" "$MMF" write outdir/victim "overwritten"
check "append through a linked directory" 1 "mmf: outdir/victim: $leaves" "$MMF" write -a outdir/victim "more"
check "read through a linked directory" 1 "mmf: outdir/secret: $leaves" "$MMF" read outdir/secret
check "new in a linked directory" 1 "mmf: outdir/made: $leaves" "$MMF" new outdir/made --size 1
check "new --or-open in a linked directory" 1 "mmf: outdir/victim: $leaves" \
	"$MMF" new outdir/victim --size 1 --or-open
check "rm through a linked directory" 1 "mmf: outdir/victim: $leaves" "$MMF" rm outdir/victim
check "rm through self/.." 1 "mmf: self/../outside/victim: $leaves" "$MMF" rm self/../outside/victim
check "ls a linked directory" 1 "mmf: outdir: $leaves" "$MMF" ls outdir
expect_eq "ls outdir lists nothing" "" "$OUT"
check "ls self/.." 1 "mmf: self/..: $leaves" "$MMF" ls self/..
untouched "linked directory"

# Links that stay inside the mount work as before, and rm of a link removes the link, not what it names.
ln -s Test "$MNT/in"
ln -s ../Test "$MNT/d/up"
ln -s d "$MNT/dlink"
check "read through a link inside" 0 "" "$MMF" read in
expect_eq "read through a link inside" "inside" "$OUT"
check "write through a relative link up and back" 0 "" "$MMF" write d/up "via d/up"
expect_eq "the segment written through d/up" "via d/up" "$(cat "$MNT/Test")"
check "append through a link inside" 0 "" "$MMF" write -a in "more"
check "info through a link inside" 0 - "$MMF" info in
check "lock through a link inside" 0 "" "$MMF" lock in -- true
check "wait through a link inside" 124 "" "$MMF" wait in --timeout 0.1
check "new --or-open through a link inside" 0 "" "$MMF" new in --size 1 --or-open
check "new in a linked directory inside" 0 "" "$MMF" new dlink/made --size 1
[ -f "$MNT/d/made" ] || fail "new dlink/made made d/made"
check "ls a linked directory inside" 0 "" "$MMF" ls dlink
expect_eq "ls dlink" "dlink/made" "$OUT"
check "save through a link to the root" 0 "" "$MMF" save self/Test "$WORK/copy"
expect_eq "the copy saved through self/Test" "via d/up
more" "$(cat "$WORK/copy")"
rm "$WORK/copy"
check "rm a link that leads out" 0 "" "$MMF" rm abs
[ -L "$MNT/abs" ] && fail "rm abs removed the link"
untouched "rm of the link"

# old WHY ARGS...: mmf ARGS... where openat2 cannot be used: WHY is ENOSYS (a kernel before 5.6), EPERM (a
# seccomp filter refuses it), or EPERM_FILES (the probe of the mount's root works, every other openat2 says
# EPERM, as a file itself may).
# shellcheck disable=SC2317 # run through check
old() {
	old_why=$1
	shift
	env MMF_SHIM_OPENAT2="$old_why" LD_PRELOAD="$WORK/shim.so" \
		ASAN_OPTIONS="${ASAN_OPTIONS:-}:verify_asan_link_order=0" "$MMF" "$@"
}
# The shim makes syscall(SYS_openat2) fail as MMF_SHIM_OPENAT2 says.
shim=""
if command -v cc >/dev/null 2>&1; then
	cat >"$WORK/shim.c" <<'C'
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
long syscall(long number, ...)
{
	long (*next)(long, ...) = (long (*)(long, ...))dlsym(RTLD_NEXT, "syscall");
	const char *how = getenv("MMF_SHIM_OPENAT2");
	long a[6];
	va_list ap;

	va_start(ap, number);
	for (int i = 0; i < 6; i++)
		a[i] = va_arg(ap, long);
	va_end(ap);
	if (number == SYS_openat2 && how != NULL) {
		if (strcmp(how, "EPERM_FILES") != 0 || strcmp((const char *)a[1], ".") != 0) {
			errno = strncmp(how, "EPERM", 5) == 0 ? EPERM : ENOSYS;
			return -1;
		}
	}
	return next(number, a[0], a[1], a[2], a[3], a[4], a[5]);
}
C
	if cc -shared -fPIC -o "$WORK/shim.so" "$WORK/shim.c" -ldl; then
		shim=yes
	else
		fail "cannot build the openat2 shim"
	fi
else
	echo "note: no cc, the checks without openat2 are skipped" >&2
fi

# A file system mounted inside the mount is not the mount: what a name leads to there is refused, crossing
# into it is refused by openat2 itself (RESOLVE_NO_XDEV), and with no openat2 the device check refuses it.
if mount -t tmpfs -o size=64k mmf-links-test "$MNT/d" 2>/dev/null; then
	echo "on tmpfs" >"$MNT/d/tmpfile"
	ln -s d/tmpfile "$MNT/tl"
	otherfs="on another file system mounted inside the mount, not a segment of it"
	check "read a file of another file system inside the mount" 1 "mmf: d/tmpfile: $otherfs" \
		"$MMF" read d/tmpfile
	check "write a file of another file system inside the mount" 1 "mmf: d/tmpfile: $otherfs" \
		"$MMF" write d/tmpfile "overwritten"
	check "read through a link into another file system" 1 "mmf: tl: $otherfs" "$MMF" read tl
	check "ls another file system inside the mount" 1 "mmf: d: $otherfs" "$MMF" ls d
	check "new in another file system inside the mount" 1 "mmf: d/x: $otherfs" "$MMF" new d/x --size 1
	check "rm in another file system inside the mount" 1 "mmf: d/tmpfile: $otherfs" "$MMF" rm d/tmpfile
	if [ -n "$shim" ]; then
		check "without openat2: read a file of another file system" 1 "mmf: d/tmpfile: $otherfs" \
			old ENOSYS read d/tmpfile
		check "without openat2: new in another file system" 1 "mmf: d/x: $otherfs" \
			old ENOSYS new d/x --size 1
		check "without openat2: write a file of another file system" 1 "mmf: d/tmpfile: $otherfs" \
			old ENOSYS write d/tmpfile "overwritten"
		check "without openat2: ls another file system" 1 "mmf: d: $otherfs" old ENOSYS ls d
	fi
	[ -e "$MNT/d/x" ] && fail "new d/x made a file on the tmpfs"
	expect_eq "the file on the tmpfs" "on tmpfs" "$(cat "$MNT/d/tmpfile")"
	rm "$MNT/tl"
	umount "$MNT/d" || umount -l "$MNT/d"
else
	echo "note: cannot mount a tmpfs inside the mount, the other file system check is skipped" >&2
fi

# Where openat2 cannot be used, links cannot be checked for where they lead: every one in a name is refused,
# "." and ".." are taken as written (never walked up through a directory), and names without links work.
if [ -n "$shim" ]; then
	ln -s "$out/secret" "$MNT/abs"
	for why in ENOSYS EPERM; do
		case $why in
		ENOSYS) refused="this kernel has no openat2 to keep it inside the mount" ;;
		*) refused="openat2, which keeps it inside the mount, is not permitted here" ;;
		esac
		refused="a symbolic link in the name is refused ($refused)"
		[ -e "$MNT/d/made" ] || "$MMF" new d/made --size 1 || fail "mmf new d/made"
		for n in abs rel d/deep in d/up dlink/made; do
			check "without openat2 ($why): read $n" 1 "mmf: $n: $refused" old "$why" read "$n"
			check "without openat2 ($why): write $n" 1 "mmf: $n: $refused" old "$why" write "$n" "overwritten"
			check "without openat2 ($why): info $n" 1 "mmf: $n: $refused" old "$why" info "$n"
		done
		check "without openat2 ($why): write through a linked directory" 1 "mmf: outdir/victim: $refused" \
			old "$why" write outdir/victim "overwritten"
		check "without openat2 ($why): new in a linked directory" 1 "mmf: outdir/made: $refused" \
			old "$why" new outdir/made --size 1
		check "without openat2 ($why): rm through a linked directory" 1 "mmf: outdir/victim: $refused" \
			old "$why" rm outdir/victim
		check "without openat2 ($why): ls a linked directory" 1 "mmf: outdir: $refused" \
			old "$why" ls outdir
		# self/.. is the root as written: the link self is never reached, and outside/ is not in the mount.
		check "without openat2 ($why): read self/../outside/secret" 1 \
			"mmf: self/../outside/secret: no such segment (create it with 'mmf new')" \
			old "$why" read self/../outside/secret
		check "without openat2 ($why): write self/../outside/secret" 1 \
			"mmf: self/../outside/secret: no such segment (create it with 'mmf new')" \
			old "$why" write self/../outside/secret "overwritten"
		check "without openat2 ($why): read self/../Test" 0 "" old "$why" read self/../Test
		expect_eq "without openat2 ($why): read self/../Test" "$(cat "$MNT/Test")" "$OUT"
		untouched "without openat2 ($why)"
		check "without openat2 ($why): new" 0 "" old "$why" new d/n --size 1k
		check "without openat2 ($why): write" 0 "" old "$why" write d/n "plain"
		check "without openat2 ($why): read d/../d/n" 0 "" old "$why" read d/../d/n
		expect_eq "without openat2 ($why): read d/../d/n" "plain" "$OUT"
		check "without openat2 ($why): read gone/../d/n" 0 "" old "$why" read gone/../d/n
		expect_eq "without openat2 ($why): read gone/../d/n" "plain" "$OUT"
		check "without openat2 ($why): rm" 0 "" old "$why" rm d/n ./d/made
		check "without openat2 ($why): ls" 0 "" old "$why" ls
		expect_eq "without openat2 ($why): ls (links left out)" "Test" "$OUT"
	done
	# Once openat2 is known to work (the probe of the root), its EPERM is the file's answer, not a reason to
	# do without it.
	check "openat2 EPERM on a file" 1 "mmf: Test: operation not permitted" old EPERM_FILES read Test
	check "openat2 EPERM on a linked file" 1 "mmf: in: operation not permitted" old EPERM_FILES read in
fi

mmfs_stop
finish
