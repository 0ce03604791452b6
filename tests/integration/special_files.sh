#!/bin/sh
# special_files.sh - FIFOs (mkfifo, data passes between two processes) and Unix sockets (bind, connect) work
# on the mount; device nodes are refused with EPERM (see errors.sh).
# shellcheck disable=SC2119 source-path=SCRIPTDIR source=lib.sh
. "${0%/*}/lib.sh"

umask 022
mmfs_start
p="$MNT/pipe"
mkfifo "$p"
expect_eq "type and mode of a FIFO" "fifo 644" "$(stat -c '%F %a' "$p")"
expect_eq "length of a FIFO" "0" "$(stat -c %s "$p")"
(echo "through the fifo" >"$p") &
writer=$!
track_pid "$writer"
expect_eq "data read from the FIFO" "through the fifo" "$(timeout "$HANG_GUARD" cat "$p")"
wait "$writer" || fail "FIFO writer failed"
mkfifo -m 600 "$MNT/private"
expect_eq "mkfifo -m 600" "600" "$(stat -c %a "$MNT/private")"
rm "$p"
[ -e "$p" ] && fail "FIFO still there after rm"

out=$(timeout "$HANG_GUARD" "$PYTHON" - "$MNT/sock" <<'PY' 2>&1
import os, socket, stat, sys
path = sys.argv[1]
srv = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
srv.bind(path)
srv.listen(1)
if not stat.S_ISSOCK(os.lstat(path).st_mode):
    print("FAIL: bound path is not a socket")
cli = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
cli.connect(path)
conn, _ = srv.accept()
cli.sendall(b"ping")
print(conn.recv(4).decode())
PY
)
expect_eq "Unix socket bound on the mount" "ping" "$out"
expect_eq "type of the socket" "socket" "$(stat -c %F "$MNT/sock")"

mmfs_stop
mmfs_start
expect_eq "FIFO after a remount" "fifo" "$(stat -c %F "$MNT/private")"
mmfs_stop
finish
