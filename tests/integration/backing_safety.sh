#!/bin/sh
# backing_safety.sh - the backing directory is the daemon's alone (made 0700, closed to others); a symlink, a
# directory open to others or owned by another user, or a file planted as the backing path is refused (exit 1,
# one line, nothing mounted, nothing changed), and so is a second mmfs on a backing directory in use.
# Entries planted in the backing directory while mmfs is stopped are never followed by the daemon: a symlink is
# shown as a symlink, resolved by the kernel relative to the mount, and operations on it never reach its
# target; a device node is not shown; a file without a metadata record is private (0600). Names with every
# byte value a name can hold, and 255-byte names (ASCII, UTF-8, high bytes), work and survive a restart;
# 256 bytes is ENAMETOOLONG.
# shellcheck disable=SC2119 source-path=SCRIPTDIR source=lib.sh
. "${0%/*}/lib.sh"

REMOVE_PATHS="" # things this test made under /dev/shm, removed at exit
# shellcheck disable=SC2317 # run by lib.sh's EXIT trap
bs_cleanup() {
	if [ -n "${PID2:-}" ]; then
		kill "$PID2" 2>/dev/null
		wait "$PID2" 2>/dev/null
	fi
	grep -qs " $WORK/mnt2 fuse" /proc/mounts && fusermount3 -uz "$WORK/mnt2"
	for p in $REMOVE_PATHS; do
		rm -rf "$p"
	done
}
TEST_CLEANUP=bs_cleanup
# new_shm TAG: sets SHM to a fresh unused name under /dev/shm, removed at exit.
new_shm() {
	SHM=$(mktemp -u "/dev/shm/mmfs-test-$1.XXXXXX")
	REMOVE_PATHS="$REMOVE_PATHS $SHM"
}
mounted_at() { grep -qs " $1 fuse" /proc/mounts; }
# nobody_errno CODE [k=v...]: py_errno as uid 65534 with no groups.
nobody_errno() {
	setpriv --reuid=65534 --regid=65534 --clear-groups env -C / PATH=/usr/local/bin:/usr/bin:/bin python3 - "$@" <<'PY'
import errno, os, sys
env = dict(a.split("=", 1) for a in sys.argv[2:])
try:
    exec(sys.argv[1], {"os": os}, env)
    print("OK")
except OSError as e:
    print(errno.errorcode.get(e.errno, str(e.errno)))
PY
}
chmod 0755 "$WORK" # only the backing directory may keep others out

# --- The backing directory mmfs makes is 0700 and the daemon's user's.
new_backing
[ -e "$BACKING" ] && fail "$BACKING exists before the first mount"
mmfs_start -o allow_other
expect_eq "owner and mode of the backing directory mmfs made" "root 700" "$(stat -c '%U %a' "$BACKING")"
expect_eq "another user lists the backing directory" "EACCES" "$(nobody_errno 'os.listdir(p)' p="$BACKING")"
echo "in mount" >"$MNT/target-seg"
chmod 644 "$MNT/target-seg"
expect_eq "another user opens a backing file" "EACCES" \
	"$(nobody_errno 'os.open(p, os.O_RDONLY)' p="$BACKING/target-seg")"
expect_eq "another user reads the same segment through the mount" "OK" \
	"$(nobody_errno 'os.open(p, os.O_RDONLY)' p="$MNT/target-seg")"
# The metadata record cannot be forged through the mount.
expect_eq "setting user.mmf.meta through the mount" "EINVAL" \
	"$(py_errno 'os.setxattr(p, "user.mmf.meta", b"mode=0104777 uid=0 gid=0")' p="$MNT/target-seg")"
expect_eq "nobody sets user.mmf.meta on their own segment" "EINVAL" \
	"$(nobody_errno 'open(p, "w").write("n"); os.setxattr(p, "user.mmf.meta", b"mode=0104777 uid=0 gid=0")' p="$MNT/nobodys")"

# --- A second mmfs on the same backing directory is refused; the first keeps serving.
mkdir "$WORK/mnt2"
timeout "$HANG_GUARD" "$MMFS" -f -o "backing=$BACKING" "$WORK/mnt2" >"$WORK/out" 2>"$WORK/err"
expect_eq "exit status of a second mmfs on the backing directory" "1" "$?"
expect_eq "stderr of a second mmfs on the backing directory" \
	"mmfs: $BACKING: backing directory is in use by another mmfs" "$(cat "$WORK/err")"
mounted_at "$WORK/mnt2" && fail "a second mmfs on the same backing directory mounted"
echo "still served" >"$MNT/after-second"
expect_eq "the first mmfs after the refused second one" "still served" "$(cat "$MNT/after-second")"

# --- Names: every byte value a name can hold (1..255 but '/'), alone and inside a name, plus the odd ones.
# names.py ROOT create|check: makes (create) and then checks every name, its content and 40 directories.
cat >"$WORK/names.py" <<'PY'
import os, sys
root, what = os.fsencode(sys.argv[1]), sys.argv[2]
names = [bytes([b]) for b in range(1, 256) if b not in (0x2E, 0x2F)]         # every byte alone but '.' and '/'
names += [b"x" + bytes([b]) + b"y" for b in range(1, 256) if b != 0x2F]         # every byte inside a name
names += [b"\n", b"a\nb", b"\n\n", b" ", b"  two  spaces  ", b"-", b"-rf", b"--help", b"...", b".hidden",
          b"tab\there", b"back\\slash", b"*?[]", b"$(id)", b"%2F", b"%41", b"mmfs-0-x",
          "Ünïcødé ✓ 名前 🚀".encode(), b"\xff\xfe not utf-8 \x80", b"\x7f\x01\x1b[31m",
          b"n" * 255, ("é" * 127 + "x").encode(), b"\xff" * 255, "名".encode() * 85]
assert all(0 < len(n) <= 255 and b"/" not in n and n not in (b".", b"..") for n in names)
expected = set(names)
if what == "create":
    for n in names:
        with open(os.path.join(root, n), "wb") as f:
            f.write(n.hex().encode())
    for n in names[:40]:
        os.mkdir(os.path.join(root, b"d" + n))
        expected.add(b"d" + n)
        with open(os.path.join(root, b"d" + n, n), "wb") as f:
            f.write(b"inner " + n.hex().encode())
    # A rename between two odd names, and a delete: the backing directory follows.
    os.rename(os.path.join(root, b"a\nb"), os.path.join(root, b"a\nb renamed"))
    os.unlink(os.path.join(root, b"\n\n"))
expected.discard(b"a\nb")
expected.discard(b"\n\n")
expected.add(b"a\nb renamed")
for n in names[:40]:
    expected.add(b"d" + n)
others = {b"target-seg", b"after-second", b"nobodys"}  # made by the test around the names
others |= {b"abs", b"rel", b"up", b"to-victim", b"planted-file"}  # planted in the backing directory
seen = set(os.listdir(root)) - others
bad = []
if seen != expected:
    bad.append("names: missing %r, unexpected %r" % (sorted(expected - seen)[:5], sorted(seen - expected)[:5]))
for n in sorted(expected):
    p = os.path.join(root, n)
    if n.startswith(b"d") and os.path.isdir(p):
        inner = n[1:]
        with open(os.path.join(p, inner), "rb") as f:
            if f.read() != b"inner " + inner.hex().encode():
                bad.append("content of %r/%r" % (n, inner))
        continue
    src = b"a\nb" if n == b"a\nb renamed" else n
    with open(p, "rb") as f:
        if f.read() != src.hex().encode():
            bad.append("content of %r" % n)
print("\n".join(bad) if bad else "ok", len(expected))
PY
expect_eq "every name after creating them" "ok 567" "$(python3 "$WORK/names.py" "$MNT" create 2>&1)"
# Names that are too long, whatever their bytes: ENAMETOOLONG, nothing created.
expect_eq "create a 256-byte UTF-8 name" "ENAMETOOLONG" \
	"$(py_errno 'open(os.path.join(os.fsencode(d), ("é" * 128).encode()), "w")' d="$MNT")"
expect_eq "create a 256-byte name of 0xff" "ENAMETOOLONG" \
	"$(py_errno 'open(os.path.join(os.fsencode(d), b"\xff" * 256), "w")' d="$MNT")"
expect_eq "mkdir a 256-byte name of 0x01" "ENAMETOOLONG" \
	"$(py_errno 'os.mkdir(os.path.join(os.fsencode(d), b"\x01" * 256))' d="$MNT")"
expect_eq "rename to a 256-byte UTF-8 name" "ENAMETOOLONG" \
	"$(py_errno 'os.rename(os.path.join(d, "-rf"), os.path.join(os.fsencode(d), ("é" * 128).encode()))' d="$MNT")"
expect_eq "entries after the too-long names" "570" "$(find "$MNT" -mindepth 1 -maxdepth 1 -printf . | wc -c)"
mmfs_stop

# --- Plant entries in the backing directory while mmfs is stopped.
new_shm victim
victim=$SHM # a root-only file on the same file system as the backing directory
printf 'victim\n' >"$victim"
chmod 600 "$victim"
touch -d '2001-01-01 00:00:00 UTC' "$victim"
victim_state() { stat -c '%u:%g %a %h %s %Y' "$victim"; cat "$victim"; }
victim_before=$(victim_state)
bn=$(basename "$BACKING")
printf 'backing side\n' >"/dev/shm/$bn.side"
REMOVE_PATHS="$REMOVE_PATHS /dev/shm/$bn.side"
printf 'mount side\n' >"$WORK/$bn.side"
ln -s /etc/passwd "$BACKING/abs"
ln -s target-seg "$BACKING/rel"
ln -s "../$bn.side" "$BACKING/up"
ln -s "$victim" "$BACKING/to-victim"
mknod "$BACKING/devnull" c 1 3
printf 'planted\n' >"$BACKING/planted-file"
chmod 666 "$BACKING/planted-file"

mmfs_start -o allow_other
expect_eq "every name after a restart" "ok 567" \
	"$(python3 "$WORK/names.py" "$MNT" check 2>&1)"
expect_eq "kinds of the planted entries" "abs symbolic link|rel symbolic link|to-victim symbolic link|up symbolic link" \
	"$(cd "$MNT" && stat -c '%n %F' abs rel to-victim up 2>&1 | paste -sd'|')"
expect_eq "targets of the planted symlinks" "/etc/passwd|target-seg|../$bn.side|$victim" \
	"$(cd "$MNT" && for l in abs rel up to-victim; do readlink "$l"; done | paste -sd'|')"
expect_eq "a planted device node is not shown" "ENOENT" "$(py_errno 'os.lstat(p)' p="$MNT/devnull")"
[ -c "$BACKING/devnull" ] || fail "the planted device node was not left alone in the backing directory"
expect_eq "a planted file without metadata is private" "0:0 600 planted" \
	"$(stat -c '%u:%g %a' "$MNT/planted-file") $(cat "$MNT/planted-file")"
expect_eq "another user opens the planted file" "EACCES" \
	"$(nobody_errno 'os.open(p, os.O_RDONLY)' p="$MNT/planted-file")"
# The kernel resolves the links in the caller's namespace, relative to the mount (as for any symlink).
expect_eq "reading a relative planted symlink" "in mount" "$(cat "$MNT/rel")"
expect_eq "reading a planted ../ symlink resolves beside the mount, not the backing directory" "mount side" \
	"$(cat "$MNT/up")"
expect_eq "reading a planted symlink to /etc/passwd gives what /etc/passwd gives the caller" \
	"$(head -c 64 /etc/passwd | od -An -tx1)" "$(head -c 64 "$MNT/abs" | od -An -tx1)"
expect_eq "O_NOFOLLOW open of a planted symlink" "ELOOP" \
	"$(py_errno 'os.open(p, os.O_RDONLY|os.O_NOFOLLOW)' p="$MNT/abs")"
expect_eq "another user reads the victim through the planted symlink" "EACCES" \
	"$(nobody_errno 'os.open(p, os.O_RDONLY)' p="$MNT/to-victim")"
# Operations on the link itself are done on the link, never on its target.
expect_eq "lchown of a planted symlink" "OK" "$(py_errno 'os.chown(p, 1234, 1234, follow_symlinks=False)' p="$MNT/to-victim")"
expect_eq "owner of the planted symlink after lchown" "1234:1234" "$(stat -c '%u:%g' "$MNT/to-victim")"
expect_eq "lutimes of a planted symlink" "OK" "$(py_errno 'os.utime(p, (5, 5), follow_symlinks=False)' p="$MNT/to-victim")"
expect_eq "hard link to a planted symlink" "OK" \
	"$(py_errno 'os.link(p, q, follow_symlinks=False)' p="$MNT/to-victim" q="$MNT/to-victim2")"
expect_eq "kind of the hard link" "symbolic link $victim" \
	"$(stat -c %F "$MNT/to-victim2") $(readlink "$MNT/to-victim2")"
expect_eq "rename a planted symlink" "OK" "$(py_errno 'os.rename(p, q)' p="$MNT/to-victim" q="$MNT/moved-link")"
expect_eq "user xattr on a planted symlink" "EPERM" \
	"$(py_errno 'os.setxattr(p, "user.x", b"1", follow_symlinks=False)' p="$MNT/moved-link")"
expect_eq "unlink a planted symlink" "OK" "$(py_errno 'os.unlink(p)' p="$MNT/moved-link")"
expect_eq "unlink its hard link" "OK" "$(py_errno 'os.unlink(p)' p="$MNT/to-victim2")"
expect_eq "the victim after every operation on the links" "$victim_before" "$(victim_state)"
expect_eq "the backing side file after reading through ../" "backing side" "$(cat "/dev/shm/$bn.side")"
mmfs_stop

# --- Backing paths that are refused. Each: exit 1, one line "mmfs: PATH: ...", nothing mounted, nothing changed.
# Table: kind | what is planted at the backing path.
mkdir -m 700 "$WORK/target-dir"
refusals=$(
	cat <<'EOF'
symlink    | a symlink to a root-owned 0700 directory
dangling   | a symlink to nothing
mode755    | a directory of ours with mode 0755
mode750    | a directory of ours with mode 0750
mode701    | a directory of ours with mode 0701
mode1777   | a sticky world-writable directory of ours
otheruser  | a 0700 directory owned by uid 12345
file       | a regular file
fifo       | a FIFO
noparent   | a path whose parent does not exist
EOF
)
results=""
table_failed=0
echo "$refusals" >"$WORK/refusals"
while IFS='|' read -r kind what; do
	kind=$(echo "$kind" | tr -d ' ')
	new_shm "$kind"
	p=$SHM
	case "$kind" in
	symlink) ln -s "$WORK/target-dir" "$p" ;;
	dangling) ln -s "$WORK/nowhere" "$p" ;;
	mode755) mkdir -m 755 "$p" ;;
	mode750) mkdir -m 750 "$p" ;;
	mode701) mkdir -m 701 "$p" ;;
	mode1777) mkdir -m 1777 "$p" ;;
	otheruser) mkdir -m 700 "$p" && chown 12345:12345 "$p" ;;
	file) printf 'data\n' >"$p" ;;
	fifo) mkfifo "$p" ;;
	noparent) p="$p/sub" ;;
	esac
	before=$(stat -c '%F %u:%g %a %s' "$p" 2>&1; ls -A "$WORK/target-dir")
	timeout "$HANG_GUARD" "$MMFS" -f -o "backing=$p" "$MNT" >"$WORK/out" 2>"$WORK/err"
	rc=$?
	seen="exit $rc, $(wc -l <"$WORK/err") line(s)"
	ok=yes
	[ "$rc" = 1 ] || ok=no
	[ "$(wc -l <"$WORK/err")" = 1 ] || ok=no
	case "$(cat "$WORK/err")" in "mmfs: $p: "?*) ;; *) ok=no ;; esac
	if mounted_at "$MNT"; then
		ok=no
		seen="$seen, MOUNTED"
		fusermount3 -u "$MNT"
	fi
	after=$(stat -c '%F %u:%g %a %s' "$p" 2>&1; ls -A "$WORK/target-dir")
	if [ "$before" != "$after" ]; then
		ok=no
		seen="$seen, changed from [$before] to [$after]"
	fi
	[ -e "$WORK/nowhere" ] && ok=no && seen="$seen, created the symlink's target"
	if [ "$ok" = no ]; then
		table_failed=1
		fail "backing $kind ($what): expected exit 1, one line \"mmfs: $p: ...\", nothing mounted or changed; saw $seen: $(cat "$WORK/err")"
	fi
	results="$results$(printf '%-10s | %-48s | %s\n' "$kind" "$what" "$(head -n 1 "$WORK/err")")
"
done <"$WORK/refusals"
if [ "$table_failed" = 1 ]; then
	echo "refused backing paths (kind | planted | first stderr line):" >&2
	printf '%s' "$results" >&2
fi
finish
