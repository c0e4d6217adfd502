#!/bin/bash
# Quick start, command 2 (and CI's .ci/run): installs what the tests need,
# builds twice (plain, and with ASan+UBSan) out of tree, runs the whole
# suite in each, and ends with one line "N passed, M failed".
set -u
cd "$(dirname "$0")/.."
top=$(pwd)
./scripts/deps.sh test || { echo "0 passed, 1 failed"; exit 1; }
./autogen.sh >/dev/null 2>&1 || { echo "autogen failed"; echo "0 passed, 1 failed"; exit 1; }
# Out-of-tree builds need a source tree that is not configured in place.
if [ -f config.status ]; then
	echo "== the source tree was configured in place; running make distclean there"
	make -s distclean >/dev/null 2>&1 || rm -f config.status Makefile
fi
status=0
for variant in plain sanitizers; do
	dir=$top/build-$variant
	flags=
	[ $variant = sanitizers ] && flags=--enable-sanitizers
	mkdir -p "$dir"
	echo "== $variant build in $dir"
	if ! (cd "$dir" && "$top/configure" -q $flags && make -j2 -s >/dev/null); then
		echo "== $variant build failed"
		status=1
		continue
	fi
	# ASan's leak checker is on; the sanitizers abort on the first error.
	(cd "$dir" && make -j2 -s check) || status=1
done
# Every TAP line counted once: CUnit cases and integration checks alike.
# A test program that exits badly (ERROR) counts as one more failure only
# when none of its cases failed already: a crash after the last case.
passed=0
failed=0
for trs in build-*/tests/*/*.trs; do
	[ -f "$trs" ] || continue
	p=$(grep -cE '^:test-result: (PASS|SKIP|XFAIL)' "$trs")
	f=$(grep -cE '^:test-result: (FAIL|XPASS)' "$trs")
	[ "$f" -eq 0 ] && grep -q '^:test-result: ERROR' "$trs" && f=1
	# What a failing program said of its failures (diffs, reasons), so a
	# CI log that shows only the summary can still be read.
	if [ "$f" -ne 0 ]; then
		echo "== ${trs%.trs}.log, its failures and the lines after them:"
		grep -A12 '^not ok' "${trs%.trs}.log" | head -60
	fi
	passed=$((passed + p))
	failed=$((failed + f))
done
[ "$status" -ne 0 ] && [ "$failed" -eq 0 ] && failed=1
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
