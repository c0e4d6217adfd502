#!/bin/sh
# Tests: every fuzz target over its kept inputs (tests/fuzz/corpus/TARGET:
# seeds, and each input a fuzzer found to crash), built with the normal
# compiler (and the sanitizers under --enable-sanitizers). TAP.
B=${CAIRN_BUILDDIR:-$(cd "$(dirname "$0")/../.." && pwd)}
S=${CAIRN_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}
n=0
failed=0
for t in req_decode ipc_payload pbwire gw_json peer_frame h2 bbolt; do
	n=$((n + 1))
	if "$B/tests/fuzz/regress_$t" "$S/tests/fuzz/corpus/$t" >"${TMPDIR:-/tmp}/regress_$t.$$" 2>&1; then
		echo "ok $n - fuzz target $t: $(sed -n 's/^ok 1 - .*: \(.*\)/\1/p' "${TMPDIR:-/tmp}/regress_$t.$$")"
	else
		echo "not ok $n - fuzz target $t over its kept inputs"
		sed 's/^/# /' "${TMPDIR:-/tmp}/regress_$t.$$"
		failed=1
	fi
	rm -f "${TMPDIR:-/tmp}/regress_$t.$$"
done
echo "1..$n"
exit $failed
