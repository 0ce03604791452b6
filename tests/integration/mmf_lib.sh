# mmf_lib.sh - helpers shared by the tests of the mmf command; sourced after lib.sh, not a test itself.
# shellcheck shell=sh

# The Makefile may name the directory src/mmf rather than the program in it.
if [ -d "$MMF" ]; then
	MMF=$MMF/mmf
fi
if [ -z "$MMF" ] || [ ! -x "$MMF" ]; then
	echo "FAIL: $TEST_NAME: MMF must name the mmf binary (saw [$MMF])" >&2
	exit 1
fi
unset MMF_MOUNT

# run COMMAND...: runs it; its exit status goes to RC, its standard output to OUT, its standard error to ERR.
run() {
	"$@" >"$WORK/out" 2>"$WORK/err"
	RC=$?
	# shellcheck disable=SC2034 # read by the tests
	OUT=$(cat "$WORK/out")
	ERR=$(cat "$WORK/err")
}

# check WHAT STATUS ERR COMMAND...: runs COMMAND and expects exit status STATUS and exactly ERR on standard
# error ("-" does not look at it). OUT keeps its standard output for more checks.
check() {
	check_what=$1
	check_status=$2
	check_err=$3
	shift 3
	run "$@"
	expect_eq "$check_what (exit status)" "$check_status" "$RC"
	if [ "$check_err" != - ]; then
		expect_eq "$check_what (standard error)" "$check_err" "$ERR"
	fi
}

# wait_watch PID: waits until process PID has an inotify watch set (as mmf wait does before it sleeps),
# so a test writes only once the waiter can see it. Fails the test after $HANG_GUARD s.
wait_watch() {
	wait_for -p "$1" has_watch "$1" || {
		fail "process $1 never set an inotify watch"
		return 1
	}
}
# has_watch PID: process PID has an inotify watch (its descriptors are listed afresh each time).
has_watch() { grep -qs '^inotify wd' /proc/"$1"/fdinfo/*; }

# command_gone PID: process PID no longer runs (a zombie that its new parent has not reaped yet has ended too).
command_gone() {
	case $(sed -n 's/^State:[[:space:]]*//p' "/proc/$1/status" 2>/dev/null) in
	'' | Z* | X*) return 0 ;;
	*) return 1 ;;
	esac
}

# sigkill_during_command WHAT MMF-ARGS...: runs mmf MMF-ARGS -- COMMAND in the background, with a COMMAND that
# says its pid through the FIFO $WORK/ready (made if missing) and sleeps, SIGKILLs that mmf once COMMAND runs,
# and fails the test unless COMMAND ends with it: mmf can pass no SIGKILL on, the kernel must end COMMAND.
sigkill_during_command() {
	sigkill_what=$1
	shift
	[ -p "$WORK/ready" ] || mkfifo "$WORK/ready"
	# shellcheck disable=SC2016 # $$ and $0 are COMMAND's own
	"$MMF" "$@" -- sh -c 'echo $$ >"$0"; exec sleep 100' "$WORK/ready" &
	sigkill_mmf=$!
	track_pid "$sigkill_mmf"
	read -r sigkill_cmd <"$WORK/ready"
	kill -KILL "$sigkill_mmf"
	wait "$sigkill_mmf" 2>/dev/null
	if ! wait_for command_gone "$sigkill_cmd"; then
		fail "$sigkill_what: COMMAND (pid $sigkill_cmd) still runs after its mmf was SIGKILLed"
		# Only the sleep this test started, which outlived its mmf.
		[ "$(cat "/proc/$sigkill_cmd/comm" 2>/dev/null)" = sleep ] && kill -KILL "$sigkill_cmd"
	fi
}
