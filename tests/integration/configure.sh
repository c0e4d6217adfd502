#!/bin/bash
# Tests: configure stops with the Debian package to install when a
# dependency is missing (one found by pkg-config, one by header search).
. "$(dirname "$0")/lib.sh"

S=${CAIRN_SRCDIR:?}
cd "$T" || exit 1
if [ -f "$S/config.status" ]; then
	# configure refuses a second build dir for a tree configured in place.
	skip "configure names missing packages" "source tree configured in place"
	finish
	exit $?
fi
# No .pc file can be found: the first pkg-config dependency is missing.
out=$(PKG_CONFIG_LIBDIR=/nonexistent "$S/configure" 2>&1); status=$?
check "missing libevent: configure fails" [ $status -ne 0 ]
check "missing libevent: names the Debian package" \
	eval 'printf "%s" "$out" | grep -q "install the Debian package libevent-dev"'
# Berkeley DB's header not found (autoconf cache variable forces it).
out=$("$S/configure" ac_cv_header_db_h=no 2>&1); status=$?
check "missing db.h: configure fails" [ $status -ne 0 ]
check "missing db.h: names the Debian package" \
	eval 'printf "%s" "$out" | grep -q "install the Debian package libdb-dev"'
finish
