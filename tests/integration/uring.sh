#!/bin/sh
# uring.sh - requests served through FUSE-over-io-uring (-o uring=auto, the default): as root mmfs turns on
# the fuse module's switch, starts one queue thread per possible CPU, and a process held on CPU k is served
# by queue k (-d names the queue of each request); large writes and cold reads pass through the queues'
# buffers whole; with -o uring=off no queue starts and everything goes through /dev/fuse. On a kernel
# without io-uring for FUSE, or as another user with the switch off, the default mounts without queues.
# shellcheck disable=SC2119 source-path=SCRIPTDIR source=lib.sh
. "${0%/*}/lib.sh"

switch=/sys/module/fuse/parameters/enable_uring
ncpu=$(awk -F'[-,]' '{ print $NF + 1 }' /sys/devices/system/cpu/possible)
uring_threads() { grep -lx 'mmfs-uring[0-9]*' /proc/"$DAEMON_PID"/task/*/comm 2>/dev/null | wc -l; }
# shellcheck disable=SC2317 # called through wait_for
all_queues_named() { [ "$(uring_threads)" -eq "$ncpu" ]; }

if [ ! -e "$switch" ] || { [ "$(id -u)" -ne 0 ] && [ "$(cat "$switch")" != Y ]; }; then
	mmfs_start
	expect_eq "no io-uring queue without the kernel's switch" "0" "$(uring_threads)"
	echo hi >>"$MNT/seg"
	expect_eq "served through /dev/fuse" "hi" "$(cat "$MNT/seg")"
	finish
fi

mmfs_start -d
expect_eq "the fuse module's switch" "Y" "$(cat "$switch")"
# The threads start once the kernel has taken the INIT answer, and name themselves.
wait_for all_queues_named
expect_eq "one queue thread per possible CPU" "$ncpu" "$(uring_threads)"

# A process held on one CPU is served by that CPU's queue: every one of its appends is named under -d.
cpu=0
while [ "$cpu" -lt "$ncpu" ]; do
	if taskset -c "$cpu" true 2>/dev/null; then
		before=$(grep -c "^mmfs: io-uring queue $cpu: " "$DAEMON_LOG")
		taskset -c "$cpu" "$PYTHON" - "$MNT/cpu$cpu" <<'PY' || fail "appends on CPU $cpu"
import os, sys
fd = os.open(sys.argv[1], os.O_CREAT | os.O_WRONLY | os.O_APPEND, 0o644)
for i in range(200):
    os.write(fd, b"%03d\n" % i)
os.close(fd)
PY
		after=$(grep -c "^mmfs: io-uring queue $cpu: " "$DAEMON_LOG")
		[ $((after - before)) -ge 200 ] || fail "CPU $cpu: only $((after - before)) requests through queue $cpu for 200 appends"
		expect_eq "appends on CPU $cpu" "$(seq -f %03g 0 199 | cksum)" "$(cksum <"$MNT/cpu$cpu")"
	fi
	cpu=$((cpu + 1))
done

# 3 MiB in 1 MiB writes (each fills a queue's payload buffer), then read back cold: every READ request is
# answered through the queues too.
head -c 3145728 /dev/urandom >"$WORK/data"
dd if="$WORK/data" of="$MNT/big" bs=1M 2>/dev/null || fail "dd of 3 MiB"
"$PYTHON" - "$MNT/big" <<'PY' || fail "dropping the cache of big"
import os, sys
fd = os.open(sys.argv[1], os.O_RDONLY)
os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
os.close(fd)
PY
expect_eq "3 MiB read back cold" "$(cksum <"$WORK/data")" "$(cksum <"$MNT/big")"
grep -q "^mmfs: io-uring queue [0-9]*: " "$DAEMON_LOG" || fail "no request came through a queue"
mmfs_stop

# -o uring=off: no queue, and the same work through /dev/fuse.
queued=$(grep -c "^mmfs: io-uring queue" "$DAEMON_LOG")
mmfs_start -d -o uring=off
plain_threads=$(($(find /proc/"$DAEMON_PID"/task -mindepth 1 -maxdepth 1 | wc -l) - 1))
direct_build=yes
daemon_runs_under valgrind && direct_build=no
daemon_runs_under sanitizer && direct_build=no
expect_eq "no queue thread with uring=off" "0" "$(uring_threads)"
echo hi >>"$MNT/seg"
expect_eq "appended through /dev/fuse" "hi" "$(cat "$MNT/seg")"
expect_eq "no request through a queue with uring=off" "$queued" "$(grep -c "^mmfs: io-uring queue" "$DAEMON_LOG")"
mmfs_stop

# A queue's thread cannot start (an LD_PRELOAD of pthread_create lets through only the threads a mount
# without queues starts, and one more): the kernel, which holds every request back until each queue has
# registered, is made to give io-uring up, and the mount serves through /dev/fuse. Only on the plain build:
# valgrind and the sanitizers start threads, or load libraries, of their own.
if [ "$direct_build" = yes ] && [ "$ncpu" -ge 2 ]; then
	cat >"$WORK/fewthreads.c" <<'C'
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
/* Lets the first THREADS_ALLOWED threads start, and fails the others as at the system's thread limit. */
int pthread_create(pthread_t *thread, const pthread_attr_t *attr, void *(*start)(void *), void *arg)
{
	static int started;
	int (*real)(pthread_t *, const pthread_attr_t *, void *(*)(void *), void *) =
		(int (*)(pthread_t *, const pthread_attr_t *, void *(*)(void *), void *))dlsym(RTLD_NEXT, "pthread_create");
	if (real == NULL || __atomic_add_fetch(&started, 1, __ATOMIC_SEQ_CST) > atoi(getenv("THREADS_ALLOWED")))
		return EAGAIN;
	return real(thread, attr, start, arg);
}
C
	cc -shared -fPIC -o "$WORK/fewthreads.so" "$WORK/fewthreads.c" -ldl || fail "cannot build the pthread_create shim"
	# Which queue's thread is the first refused depends on how many threads the daemon had started by then
	# (counted on another daemon above): any queue that cannot start must make the kernel give io-uring up.
	before=$(grep -c "^mmfs: cannot start io-uring queue [0-9]*:" "$DAEMON_LOG")
	THREADS_ALLOWED=$((plain_threads + 1)) LD_PRELOAD="$WORK/fewthreads.so" mmfs_start -d
	# shellcheck disable=SC2016 # $1 is the inner shell's
	timeout 10 sh -c 'echo through >>"$1"' sh "$MNT/given-up" || fail "an append after a queue could not start"
	expect_eq "served after a queue could not start" "through" "$(timeout 10 cat "$MNT/given-up")"
	expect_eq "the queue that could not start, named under -d" "$((before + 1))" \
		"$(grep -c "^mmfs: cannot start io-uring queue [0-9]*:" "$DAEMON_LOG")"
fi
finish
