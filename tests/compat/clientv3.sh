#!/bin/bash
# Conformance: etcd's Go client (clientv3 3.4) on what etcdctl does not
# reach (tests/compat/clientv3/main.go: one connection shared by 50
# goroutines, paginated ranges with count, Txn compares over ranges, watch
# progress requests and fragments, lease keep-alive streams; and recipes.go: the v3 Lock and Election
# services through etcd's generated clients), against the
# real etcd 3.4 and cairn side by side: every check must hold for both.
. "$(dirname "$0")/../integration/lib.sh"

S=${CAIRN_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}
OUT=$B/tests/compat
SRC=$S/tests/compat/clientv3

if ! command -v go >/dev/null || [ ! -d /usr/share/gocode/src/go.etcd.io/etcd/clientv3 ]; then
	not_ok "Go and Debian's etcd source are installed (scripts/deps.sh test installs them)"
	finish
	exit 1
fi
mkdir -p "$OUT"
# Built again when any of its files is newer than the binary.
stale() { [ ! -x "$OUT/clientv3_check" ] || [ -n "$(find "$SRC" -name '*.go' -newer "$OUT/clientv3_check")" ]; }
if stale; then
	(cd "$SRC" && GO111MODULE=off GOPATH=/usr/share/gocode GOCACHE="$OUT/gocache" \
		go build -o "$OUT/clientv3_check" main.go recipes.go) >"$T/build.log" 2>&1
	check "the clientv3 program builds" eval '! stale' ||
		{ sed 's/^/# /' "$T/build.log" | tail -20; finish; exit 1; }
fi

. "$(dirname "$0")/../integration/etcd_lib.sh"

# The program's TAP lines, numbered into this test's.
run() {
	local line
	timeout 120 "$OUT/clientv3_check" "127.0.0.1:$1" "$2" >"$T/$2.out" 2>&1
	echo "# $2: exit status $?"
	while IFS= read -r line; do
		case $line in
		"ok - "*) ok "${line#ok - }" ;;
		"not ok - "*) not_ok "${line#not ok - }" ;;
		*) echo "# $line" ;;
		esac
	done <"$T/$2.out"
}
run "$EP" etcd
run "$CP" cairn
check "both ran every check" eval \
	'[ "$(grep -c "ok - " "$T/etcd.out")" -ge 30 ] && [ "$(grep -c "ok - " "$T/etcd.out")" = "$(grep -c "ok - " "$T/cairn.out")" ]'
check "no cairn process died or tripped a sanitizer" eval \
	'! grep -q "runtime error:\|Sanitizer\|killed by signal" "$T"/cairn.*.log'
finish
