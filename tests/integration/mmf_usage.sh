#!/bin/sh
# mmf_usage.sh - mmf's --help, --version and usage errors (exit 2, one clear line, nothing changed), and how
# it finds the mount: --mount before or after the verb, then $MMF_MOUNT, and a clear failure without mmfs
# or with a dead one.
# shellcheck disable=SC2119 source-path=SCRIPTDIR source=lib.sh
. "${0%/*}/lib.sh"
# shellcheck source-path=SCRIPTDIR source=mmf_lib.sh
. "${0%/*}/mmf_lib.sh"

# Help and version need no mount.
check "mmf --help" 0 "" "$MMF" --help
case $OUT in
"Usage: mmf [--mount DIR] VERB"*) ;;
*) fail "mmf --help starts with its usage line, saw [$OUT]" ;;
esac
main_help=$OUT
for verb in new open write read rm save lock ls info wait; do
	case $main_help in
	*"  $verb "*) ;;
	*) fail "mmf --help names the verb $verb" ;;
	esac
	check "mmf $verb --help" 0 "" "$MMF" "$verb" --help
	case $OUT in
	"Usage: mmf $verb"*) ;;
	*) fail "mmf $verb --help starts with [Usage: mmf $verb], saw [$OUT]" ;;
	esac
	check "mmf help $verb" 0 "" "$MMF" help "$verb"
	check "mmf $verb -h" 0 "" "$MMF" "$verb" -h
done
check "mmf --version" 0 "" "$MMF" --version
case $OUT in
"mmf (mmfs) "[0-9]*) ;;
*) fail "mmf --version prints [mmf (mmfs) VERSION], saw [$OUT]" ;;
esac
check "mmf -V" 0 "" "$MMF" -V
# --help and --version take no operand: one left over is a usage error, not ignored.
check "--version with an operand" 2 "mmf: '--version' takes no operand: unexpected 'extra' (see 'mmf --help')" \
	"$MMF" --version extra
expect_eq "--version with an operand prints nothing" "" "$OUT"
check "-V before a verb" 2 "mmf: '--version' takes no operand: unexpected 'ls' (see 'mmf --help')" "$MMF" -V ls
check "--help with an operand" 2 "mmf: '--help' takes no operand: unexpected 'extra' (see 'mmf --help')" \
	"$MMF" --help extra
expect_eq "--help with an operand prints nothing" "" "$OUT"
check "--version then an unknown option" 2 "mmf: unknown option '--frob' (see 'mmf --help')" \
	"$MMF" --version --frob
check "help with two verbs" 2 "mmf: 'help' takes one VERB at most: unexpected 'extra' (see 'mmf --help')" \
	"$MMF" help ls extra
expect_eq "help with two verbs prints nothing" "" "$OUT"

# Wrong usage: exit 2 and one line, before any mount is looked for (none is mounted yet).
check "mmf with no verb" 2 "mmf: no verb given: new, open, write, read, rm, save, lock, ls, info or wait (see 'mmf --help')" "$MMF"
check "unknown verb" 2 "mmf: unknown verb 'frobnicate' (see 'mmf --help')" "$MMF" frobnicate
check "unknown global option" 2 "mmf: unknown option '--frob' (see 'mmf --help')" "$MMF" --frob ls
check "--mount without a value" 2 "mmf: option '--mount' needs a value (see 'mmf --help')" "$MMF" --mount
check "--help with a value" 2 "mmf: option '--help' takes no value (see 'mmf --help')" "$MMF" --help=x
check "--version with a value" 2 "mmf: option '--version' takes no value (see 'mmf --help')" "$MMF" --version=1
check "unknown global option with a value" 2 "mmf: unknown option '--frob' (see 'mmf --help')" "$MMF" --frob=1 ls
check "verb option with a value" 2 "mmf: ls: option '--long' takes no value (see 'mmf ls --help')" \
	"$MMF" ls --long=1
check "verb --help with a value" 2 "mmf: ls: option '--help' takes no value (see 'mmf ls --help')" \
	"$MMF" ls --help=1
check "unknown verb option" 2 "mmf: read: unknown option '--frob' (see 'mmf read --help')" "$MMF" read x --frob
check "unknown short option" 2 "mmf: ls: unknown option '-z' (see 'mmf ls --help')" "$MMF" ls -z
check "option value missing" 2 "mmf: new: option '--size' needs a value (see 'mmf new --help')" "$MMF" new x --size
check "new without NAME" 2 "mmf: new: missing NAME (see 'mmf new --help')" "$MMF" new --size 1
check "new without --size" 2 "mmf: new: --size N is required (see 'mmf new --help')" "$MMF" new x
check "new with two NAMEs" 2 "mmf: new: one NAME only (put a COMMAND after --) (see 'mmf new --help')" \
	"$MMF" new x y --size 1
check "bad size" 2 "mmf: new: bad size '12q': expected bytes with an optional k, m, g or t suffix (1024, 64k, 1m) or 'unlimited' (see 'mmf new --help')" \
	"$MMF" new x --size 12q
check "negative size" 2 - "$MMF" new x --size -5
check "zero size" 2 "mmf: new: bad size '0': a capacity must be at least 1 byte (see 'mmf new --help')" \
	"$MMF" new x --size 0
check "size too large" 2 "mmf: new: bad size '99999999999t': too large (see 'mmf new --help')" \
	"$MMF" new x --size 99999999999t
check "bad mode" 2 "mmf: new: bad mode '0986': expected octal permission bits such as 0644 (see 'mmf new --help')" \
	"$MMF" new x --size 1 --mode 0986
check "--transient without COMMAND" 2 "mmf: new: --transient needs a COMMAND to hold the segment open: mmf new NAME --size N --transient -- COMMAND... (see 'mmf new --help')" \
	"$MMF" new x --size 1 --transient
check "write without NAME" 2 "mmf: write: missing NAME (see 'mmf write --help')" "$MMF" write
check "read with two NAMEs" 2 "mmf: read: one NAME only (see 'mmf read --help')" "$MMF" read a b
check "save without PATH" 2 "mmf: save: expects NAME and PATH (see 'mmf save --help')" "$MMF" save a
check "rm without NAME" 2 "mmf: rm: missing NAME (see 'mmf rm --help')" "$MMF" rm
check "lock without COMMAND" 2 "mmf: lock: missing COMMAND to run under the lock: mmf lock NAME -- COMMAND... (see 'mmf lock --help')" \
	"$MMF" lock x
check "lock with a bad timeout" 2 "mmf: lock: bad timeout 'soon': expected seconds such as 5 or 0.5 (see 'mmf lock --help')" \
	"$MMF" lock x --timeout soon -- true
check "wait with a negative timeout" 2 - "$MMF" wait x --timeout -1
check "ls with two DIRs" 2 "mmf: ls: one DIR at most (see 'mmf ls --help')" "$MMF" ls a b
check "absolute name" 2 "mmf: /etc/passwd: absolute path refused: names are relative to the mount" \
	"$MMF" read /etc/passwd
check "name leaving the mount" 2 "mmf: a/../../x: '..' would leave the mount" "$MMF" new a/../../x --size 1
check "empty name" 2 "mmf: info: empty name: give a segment's path relative to the mount (see 'mmf info --help')" \
	"$MMF" info ""
check "empty name to read" 2 "mmf: read: empty name: give a segment's path relative to the mount (see 'mmf read --help')" \
	"$MMF" read ""
check "empty --mount" 2 "mmf: option '--mount' needs a directory, not an empty value (see 'mmf --help')" \
	"$MMF" --mount= ls
check "empty --mount after the verb" 2 "mmf: ls: option '--mount' needs a directory, not an empty value (see 'mmf ls --help')" \
	"$MMF" ls --mount ""

# No mmfs where mmf looks: a clear failure (1) for each way of naming the place.
check "no such mount directory" 1 "mmf: $WORK/none: no such directory, so no mmfs is mounted there (mount one with 'mmfs $WORK/none', or use --mount DIR or MMF_MOUNT)" \
	"$MMF" --mount "$WORK/none" ls
check "nothing mounted at --mount" 1 "mmf: $MNT: no mmfs mounted here (mount one with 'mmfs $MNT', or use --mount DIR or MMF_MOUNT)" \
	"$MMF" --mount "$MNT" ls
check "nothing mounted at MMF_MOUNT" 1 "mmf: $MNT: no mmfs mounted here (mount one with 'mmfs $MNT', or use --mount DIR or MMF_MOUNT)" \
	env MMF_MOUNT="$MNT" "$MMF" info x
check "another file system at --mount" 1 "mmf: /proc: no mmfs mounted here but proc (mount mmfs elsewhere and use --mount DIR or MMF_MOUNT)" \
	"$MMF" --mount /proc ls
if ! grep -qs " /mnt/mmf fuse.mmfs " /proc/mounts; then
	check "no mount found by default" 1 - env -u MMF_MOUNT "$MMF" ls
	case $ERR in
	"mmf: /mnt/mmf: no "*) ;;
	*) fail "the default mount is /mnt/mmf, saw [$ERR]" ;;
	esac
fi

mmfs_start
"$MMF" --mount "$MNT" new x --size 1k || fail "mmf --mount DIR new (before the verb)"
check "--mount after the verb" 0 "" "$MMF" ls --mount "$MNT"
expect_eq "--mount after the verb lists" "x" "$OUT"
check "MMF_MOUNT" 0 "" env MMF_MOUNT="$MNT" "$MMF" ls
expect_eq "MMF_MOUNT lists" "x" "$OUT"
check "--mount wins over MMF_MOUNT" 0 "" env MMF_MOUNT="$WORK/none" "$MMF" --mount "$MNT" ls
check "the mount named with a trailing /." 0 "" "$MMF" --mount "$MNT/." ls
mkdir "$MNT/sub"
check "a subdirectory of the mount is no mount" 1 \
	"mmf: $MNT/sub: no mmfs mounted here (mount one with 'mmfs $MNT/sub', or use --mount DIR or MMF_MOUNT)" \
	"$MMF" --mount "$MNT/sub" ls
# '..' that stays inside the mount is a fine name.
check "name with .. inside the mount" 0 "" "$MMF" --mount "$MNT" new sub/../y --size 1
expect_eq "sub/../y made y" "y" "$(cd "$MNT" && ls y)"
# Bad usage changed nothing.
expect_eq "segments after all the usage errors" "sub
x
y" "$(ls "$MNT")"

# What the mount's path reaches when mmf opens it must be the mount that /proc/self/mountinfo showed there,
# by its device, not merely some FUSE mount: a shim makes open() of the path reach a second mmfs instead,
# as a mount or a rename between mmf's look at mountinfo and its open could.
if command -v cc >/dev/null 2>&1; then
	MNT2="$WORK/mnt2"
	BACKING2=$(mktemp -d /dev/shm/mmfs-test.XXXXXX)
	rmdir "$BACKING2"
	DAEMON2=""
	# shellcheck disable=SC2317 # called through the EXIT trap and below
	stop_second() {
		if grep -qs " $MNT2 " /proc/mounts; then
			fusermount3 -u "$MNT2" 2>/dev/null || fusermount3 -uz "$MNT2"
		fi
		if [ -n "$DAEMON2" ]; then
			wait "$DAEMON2"
			DAEMON2=""
		fi
		rm -rf "$BACKING2"
	}
	TEST_CLEANUP=stop_second
	mkdir "$MNT2"
	# shellcheck disable=SC2086 # MMFS_TEST_OPTS is a list of arguments
	"$MMFS" -f -o "backing=$BACKING2" ${MMFS_TEST_OPTS:-} "$MNT2" >>"$WORK/daemon2.log" 2>&1 &
	DAEMON2=$!
	wait_mounted "$DAEMON2" "$MNT2" "$WORK/daemon2.log" "the second mmfs" || DAEMON2=""
	cat >"$WORK/reopen.c" <<'C'
#define _GNU_SOURCE
#include <dlfcn.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
static int redirect(const char *name, int flags, mode_t mode, const char *which)
{
	int (*next)(const char *, int, ...) = (int (*)(const char *, int, ...))dlsym(RTLD_NEXT, which);
	const char *from = getenv("REOPEN_FROM");

	if (from != NULL && strcmp(name, from) == 0)
		name = getenv("REOPEN_TO");
	return next(name, flags, mode);
}
/* open and open64 (which mmf may call, by how it was built) differ only in their names. */
#define REDIRECTING(fn) \
	int fn(const char *name, int flags, ...) \
	{ \
		va_list ap; \
		mode_t mode; \
		va_start(ap, flags); \
		mode = (flags & (O_CREAT | O_TMPFILE)) ? va_arg(ap, mode_t) : 0; \
		va_end(ap); \
		return redirect(name, flags, mode, #fn); \
	}
REDIRECTING(open)
REDIRECTING(open64)
C
	if [ -n "$DAEMON2" ] && cc -shared -fPIC -o "$WORK/reopen.so" "$WORK/reopen.c" -ldl; then
		"$MMF" --mount "$MNT2" new other --size 1 || fail "mmf new on the second mount"
		check "a mount that changed between mountinfo and open" 1 \
			"mmf: $MNT: the mount changed while mmf opened it (try again)" \
			env REOPEN_FROM="$MNT" REOPEN_TO="$MNT2" LD_PRELOAD="$WORK/reopen.so" \
			ASAN_OPTIONS="${ASAN_OPTIONS:-}:verify_asan_link_order=0" "$MMF" --mount "$MNT" ls
		expect_eq "nothing of the second mount listed" "" "$OUT"
	else
		fail "cannot start a second mmfs or build the open shim"
	fi
	stop_second
fi
mmfs_stop

# A mount whose daemon was killed (ENOTCONN): said as such, with how to clear it, for every verb.
mmfs_start
mmfs_kill
dead="mmf: $MNT: the mount is not connected: its mmfs daemon has gone (unmount it with 'fusermount3 -u $MNT' and mount it again)"
check "ls on a dead mount" 1 "$dead" "$MMF" --mount "$MNT" ls
check "info on a dead mount" 1 "$dead" "$MMF" --mount "$MNT" info x
check "new on a dead mount" 1 "$dead" env MMF_MOUNT="$MNT" "$MMF" new x --size 1
fusermount3 -u "$MNT" 2>/dev/null || fusermount3 -uz "$MNT"
finish
