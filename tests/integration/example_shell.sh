#!/bin/sh
# example_shell.sh - the PowerShell module's example in plain shell: A writes, B and C append, cat shows the
# three lines exactly; then the same with a 1024-byte capacity and flock(1) as the named mutex.
# shellcheck disable=SC2119 source-path=SCRIPTDIR source=lib.sh
. "${0%/*}/lib.sh"

mmfs_start
cd "$MNT" || exit 1
expected="Process A says: Hello World!
B line
C line"

echo "Process A says: Hello World!" > Test
echo B line >> Test
echo C line >> Test
expect_eq "cat Test" "$expected" "$(cat Test)"
expect_eq "length of Test" "43" "$(stat -c %s Test)"
echo "Process A says: Hello World!" > Test
expect_eq "A writes again: > truncates the old tail" "Process A says: Hello World!" "$(cat Test)"
rm Test

# As the module's README does it: Test made with 1024 bytes, each process taking the lock in turn.
: > Test
setfattr -n user.mmf.capacity -v 1024 Test
flock Test sh -c 'echo "Process A says: Hello World!" > Test'
flock Test sh -c 'echo B line >> Test'
flock Test sh -c 'echo C line >> Test'
expect_eq "cat Test (locked steps)" "$expected" "$(flock Test cat Test)"
expect_eq "length of Test (not its capacity)" "43" "$(stat -c %s Test)"
expect_eq "capacity of Test" "1024" "$(getfattr --absolute-names --only-values -n user.mmf.capacity Test)"
cd / || exit 1
mmfs_stop
finish
