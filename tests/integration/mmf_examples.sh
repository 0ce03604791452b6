#!/bin/sh
# mmf_examples.sh - the examples of man/mmf.1 run as written on a fresh mount (/mnt/mmf standing for it):
# the PowerShell module's example, and a segment shared only while a job runs.
# shellcheck disable=SC2119 source-path=SCRIPTDIR source=lib.sh
. "${0%/*}/lib.sh"
# shellcheck source-path=SCRIPTDIR source=mmf_lib.sh
. "${0%/*}/mmf_lib.sh"

: "${top_srcdir:=${0%/*}/../..}"
page="$top_srcdir/man/mmf.1"

# example N: the Nth .EX block of the page as shell text: roff's \- made -, /mnt/mmf made the test's mount.
example() {
	awk -v n="$1" '/^\.EX$/ { k++; in_ex = 1; next } /^\.EE$/ { in_ex = 0 } in_ex && k == n { print }' "$page" |
		sed -e 's/\\-/-/g' -e "s|/mnt/mmf|$MNT|g"
}

# The examples call mmf by name, and ./run-job in the current directory.
mkdir "$WORK/bin" "$WORK/cwd"
printf '#!/bin/sh\nexec "%s" "$@"\n' "$MMF" >"$WORK/bin/mmf"
cat >"$WORK/cwd/run-job" <<'JOB'
#!/bin/sh
# The job finds its segment there, transient, and writes into it.
getfattr --absolute-names --only-values -n user.mmf.lifetime "$MMF_MOUNT/job/results"
echo
mmf write job/results "job done"
JOB
chmod +x "$WORK/bin/mmf" "$WORK/cwd/run-job"

mmfs_start
export MMF_MOUNT="$MNT"
PATH="$WORK/bin:$PATH"

ps_example=$(example 1)
case $ps_example in
*"mmf new Test --size 1024"*) ;;
*) fail "the first example is the PowerShell module's, saw [$ps_example]" ;;
esac
check "the PowerShell example" 0 "" sh -e -c "$ps_example"
case $OUT in
*"Process A says: Hello World!
Process B says: Hello World!") ;;
*) fail "the PowerShell example ends with A's and B's lines, saw [$OUT]" ;;
esac

job_example=$(example 2)
case $job_example in
*"./run-job"*) ;;
*) fail "the second example runs ./run-job, saw [$job_example]" ;;
esac
check "the job example" 0 "" sh -e -c "cd '$WORK/cwd' && $job_example"
expect_eq "what the job saw" "transient" "$OUT"
[ -e "$MNT/job/results" ] && fail "the job's segment is gone after the job"

mmfs_stop
finish
