#!/bin/bash
# Conformance: etcd's Go client (clientv3 3.4) on what etcdctl does not
# reach (tests/compat/clientv3/main.go: one connection shared by 50
# goroutines, paginated ranges with count, Txn compares over ranges, watch
# progress requests and fragments, lease keep-alive streams), against the
# real etcd 3.4 and cairn side by side: every check must hold for both.
. "$(dirname "$0")/../integration/lib.sh"

S=${CAIRN_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}
OUT=$B/tests/compat
SRC=$S/tests/compat/clientv3/main.go

if ! command -v go >/dev/null || [ ! -d /usr/share/gocode/src/go.etcd.io/etcd/clientv3 ]; then
	not_ok "Go and Debian's etcd source are installed (scripts/deps.sh test installs them)"
	finish
	exit 1
fi
mkdir -p "$OUT"
if [ ! -x "$OUT/clientv3_check" ] || [ "$SRC" -nt "$OUT/clientv3_check" ]; then
	(cd "$(dirname "$SRC")" && GO111MODULE=off GOPATH=/usr/share/gocode GOCACHE="$OUT/gocache" \
		go build -o "$OUT/clientv3_check" main.go) >"$T/build.log" 2>&1
	check "the clientv3 program builds" eval '[ -x "$OUT/clientv3_check" ] && [ ! "$SRC" -nt "$OUT/clientv3_check" ]' ||
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
	'[ "$(grep -c "ok - " "$T/etcd.out")" -ge 14 ] && [ "$(grep -c "ok - " "$T/etcd.out")" = "$(grep -c "ok - " "$T/cairn.out")" ]'
check "no cairn process died or tripped a sanitizer" eval \
	'! grep -q "runtime error:\|Sanitizer\|killed by signal" "$T"/cairn.*.log'
finish
