# users.sh - throwaway users for tests that run commands as other users; source it after lib.sh.
# shellcheck shell=sh
# make_user adds a user (removed by remove_users, which the test runs at exit: TEST_CLEANUP, lib.sh); as and u_errno
# run commands as a user.

MADE_USERS=""

# require_user_tools TOOL...: skips the test (77) unless it runs as root and every TOOL is there.
require_user_tools() {
	if [ "$(id -u)" -ne 0 ]; then
		echo "SKIP: $TEST_NAME needs root (it creates users)" >&2
		exit 77
	fi
	for tool in "$@"; do
		if ! command -v "$tool" >/dev/null 2>&1; then
			echo "SKIP: $TEST_NAME needs $tool" >&2
			exit 77
		fi
	done
}

# make_user NAME: a system user with no home and no shell, and its own group; reused if a killed run left it.
make_user() {
	MADE_USERS="$1 $MADE_USERS"
	id -u "$1" >/dev/null 2>&1 && return 0
	if getent group "$1" >/dev/null; then
		groupdel "$1" # left alone by a killed run
	fi
	useradd -M -r -U -s /usr/sbin/nologin "$1" || {
		echo "FAIL: useradd $1" >&2
		exit 1
	}
}

# remove_users: removes every user make_user made, and their groups.
remove_users() {
	for u in $MADE_USERS; do
		userdel "$u" 2>/dev/null || echo "WARNING: userdel $u failed" >&2
		if getent group "$u" >/dev/null; then
			groupdel "$u" || echo "WARNING: groupdel $u failed" >&2
		fi
	done
	MADE_USERS=""
}

# as USER COMMAND...: runs COMMAND as USER with the user's groups, from /, with a plain PATH.
as() {
	u=$1
	shift
	setpriv --reuid="$u" --regid="$(id -g "$u")" --init-groups env -C / PATH=/usr/local/bin:/usr/bin:/bin "$@"
}

# u_errno USER CODE [k=v...]: like py_errno, as USER: OK or the errno name.
u_errno() {
	u=$1
	shift
	as "$u" python3 -c "$PY_ERRNO_PROGRAM" "$@"
}
