#!/bin/bash
# Conformance: etcd 3.4's own end-to-end suite (go.etcd.io/etcd/tests/e2e,
# from Debian's golang-etcd-server-dev) with cairn as `etcd` and the real
# etcdctl 3.4 as `etcdctl`. Builds the suite's test binary (GOPATH mode, no
# download; kept in the build dir), runs every test of e2e-server.txt in
# one go, and reports each as a TAP line: a test that did not pass, or did
# not run to its end, fails. Ends with "N passed, M failed" and the time.
# The suite starts its members on 127.0.0.1 ports from 20000 (its own
# fixed scheme); the other tests take ephemeral ports, above 32768.
. "$(dirname "$0")/../integration/lib.sh"

S=${CAIRN_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}
ETCD_SRC=/usr/share/gocode/src/go.etcd.io/etcd
# E2E_LISTS: the lists to run (tests/compat/e2e_ctl.sh adds cairnctl's);
# E2E_ETCDCTL: the client the suite runs as etcdctl (the real one).
lists=${E2E_LISTS:-e2e-server.txt}
OUT=$B/tests/compat
tests=($(for l in $lists; do grep -v '^#' "$S/tests/compat/$l" | grep -v '^$'; done))
start=$SECONDS
# Members the suite left running (it timed out): killed by their path.
trap 'pkill -9 -f "^$T/bin/etcd" 2>/dev/null; rm -rf "$T"' EXIT
# The suite's ports are fixed: two runs at once (e2e.sh and e2e_ctl.sh
# under make -j) would take each other's. One at a time, machine-wide.
exec 9>/tmp/cairn-e2e-ports.lock
flock 9

fail_all() {
	diag "$1"
	for t in "${tests[@]}"; do not_ok "$t"; done
	echo "0 passed, ${#tests[@]} failed"
	echo "1..$TAP_N"
	exit 1
}

command -v go >/dev/null || fail_all "no Go toolchain (golang-go)"
[ -d "$ETCD_SRC/tests/e2e" ] || fail_all "no etcd source (golang-etcd-server-dev)"
command -v etcdctl >/dev/null || fail_all "no etcdctl (etcd-client)"

# The test binary, rebuilt when the source is newer (about 30 s).
mkdir -p "$OUT"
if [ ! -x "$OUT/e2e.test" ] || [ -n "$(find "$ETCD_SRC/tests/e2e" -newer "$OUT/e2e.test" -name '*.go' | head -n 1)" ]; then
	(cd "$ETCD_SRC/tests/e2e" && GO111MODULE=off GOPATH=/usr/share/gocode \
		GOCACHE="$OUT/gocache" go test -c -o "$OUT/e2e.test" . >"$T/build.log" 2>&1) ||
		{ sed 's/^/# /' "$T/build.log" | tail -20; fail_all "cannot build etcd's e2e suite"; }
fi

# etcd -> cairn, etcdctl -> the real one. The suite names some fixtures
# by ../../integration/fixtures: it runs two levels below such a link.
mkdir -p "$T/bin" "$T/work/tests/e2e"
ln -s "$B/cairn" "$T/bin/etcd"
ln -s "${E2E_ETCDCTL:-$(command -v etcdctl)}" "$T/bin/etcdctl"
ln -s "$ETCD_SRC/integration" "$T/work/integration"
re="^($(IFS='|'; echo "${tests[*]}"))\$"
(cd "$T/work/tests/e2e" && timeout 3000 "$OUT/e2e.test" -test.run "$re" -test.v \
	-test.timeout 45m -bin-dir "$T/bin" -cert-dir "$ETCD_SRC/integration/fixtures" \
	>"$T/e2e.log" 2>&1)

passed=0
failed=0
for t in "${tests[@]}"; do
	if grep -q "^--- PASS: $t " "$T/e2e.log"; then
		ok "$t"
		passed=$((passed + 1))
	else
		not_ok "$t"
		failed=$((failed + 1))
		# What the suite said of it: its own lines, up to the next test.
		awk -v t="$t" '$0 ~ "^=== RUN   "t"$" {p=1} p && /^=== RUN/ && $0 !~ t {p=0} p' \
			"$T/e2e.log" | grep -v '^\s*$' | tail -25 | sed 's/^/# /'
	fi
done
echo "# $passed passed, $failed failed in $((SECONDS - start)) s"
echo "$passed passed, $failed failed"
echo "1..$TAP_N"
[ "$failed" -eq 0 ]
