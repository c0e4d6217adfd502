#!/bin/bash
# Quick start, command 2 (and CI's .ci/run): installs what the tests need,
# builds twice (plain, and with ASan+UBSan) out of tree, runs the whole
# suite in each, and ends with one line "N passed, M failed".
set -u
cd "$(dirname "$0")/.."
top=$(pwd)
./scripts/deps.sh test || { echo "0 passed, 1 failed"; exit 1; }
./autogen.sh >/dev/null 2>&1 || { echo "autogen failed"; echo "0 passed, 1 failed"; exit 1; }
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
passed=$(cat build-*/tests/*/*.trs 2>/dev/null | grep -cE '^:test-result: (PASS|SKIP|XFAIL)')
failed=$(cat build-*/tests/*/*.trs 2>/dev/null | grep -cE '^:test-result: (FAIL|XPASS|ERROR)')
[ "$status" -ne 0 ] && [ "$failed" -eq 0 ] && failed=1
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
