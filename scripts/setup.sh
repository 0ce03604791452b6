# shellcheck shell=bash
# setup.sh - shared set-up for scripts/check and scripts/demo: install missing Debian packages (as root)
# and configure and build mmfs in the tree. Source it; it defines functions and changes nothing by itself.

# Packages a fresh Debian 12 needs to build and run mmfs, and those its tests need besides.
# shellcheck disable=SC2034 # used by the scripts that source this file
MMFS_BUILD_PACKAGES="gcc make libc6-dev libfuse3-dev fuse3 pkg-config autoconf automake"
MMFS_TEST_PACKAGES="check attr python3 mandoc shellcheck util-linux procps valgrind"

# setup_packages "PACKAGE...": installs whichever of them is missing; without root, names them and fails.
setup_packages() {
	local missing="" pkg
	for pkg in $1; do
		if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed"; then
			missing="$missing $pkg"
		fi
	done
	[ -z "$missing" ] && return 0
	if ! command -v dpkg-query >/dev/null 2>&1; then
		echo "setup: not a Debian system: make sure the equivalents of these are installed:$missing" >&2
		return 0
	fi
	if [ "$(id -u)" -ne 0 ]; then
		echo "setup: missing packages:$missing (install them as root: apt-get install$missing)" >&2
		return 1
	fi
	echo "setup: installing$missing" >&2
	export DEBIAN_FRONTEND=noninteractive
	# Each step checked: callers test the status, so set -e does not reach in here.
	apt-get update -qq >/dev/null || return
	# shellcheck disable=SC2086
	apt-get install -y -qq --no-install-recommends $missing >/dev/null
}

# Runs autoreconf and configure in the current directory when they are missing or older than their inputs.
# $1: CFLAGS for configure.
setup_build() {
	local cflags=$1
	if [ ! -x configure ] || [ configure.ac -nt configure ] || [ Makefile.am -nt configure ] ||
		[ -n "$(find . -name local.am -newer configure -print -quit)" ]; then
		autoreconf -fi >/dev/null || return
		rm -f config.status
	fi
	if [ ! -f config.status ] || ! grep -qF -- "$cflags" config.status; then
		./configure CFLAGS="$cflags" >/dev/null
	fi
}
