#!/bin/bash
# Benchmark (issue 6): Put on a 3-member cluster on loopback, the real
# etcd 3.4 and cairn side by side in the same run: each cluster started
# fresh in a temporary dir on the same disk, etcd's default timings, then
# bench/unary_bench (cairn's client library; the connections spread over
# the three members, followers forwarding) drives KV.Put of new keys with
# 256-byte values: 1 client (one call at a time), then 100 clients over
# 10 connections. Alternating etcd and cairn, RUNS times; prints the
# medians of req/s, p50, p99, and server CPU per put (user + system of
# every server process of the three members), and the cairn/etcd ratios.
# Usage: cluster_bench.sh [--quick] [--puts N]
set -eu
puts=20000
solo=2000
runs=3
while [ $# -gt 0 ]; do
	case $1 in
	--quick) puts=2000; solo=300; runs=1 ;;
	--puts) puts=$2; solo=$(( $2 / 10 )); shift ;;
	*) echo "usage: $0 [--quick] [--puts N]" >&2; exit 2 ;;
	esac
	shift
done
B=${CAIRN_BUILDDIR:-$(cd "$(dirname "$0")/.." && pwd)}
command -v etcd >/dev/null || { echo "cluster_bench: etcd not found (./scripts/deps.sh bench)" >&2; exit 1; }
T=$(mktemp -d "${TMPDIR:-/tmp}/cairn-cluster-bench.XXXXXX")
pids=
trap 'kill $pids 2>/dev/null; wait 2>/dev/null; rm -rf "$T"' EXIT
port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# start SERVER DIR: three members of SERVER (etcd or cairn); sets EPS
# (client URLs, comma-separated) and SPIDS (the three supervisors/etcds).
start() {
	local server=$1 dir=$2 bin n cl= peers=() clients=()
	[ "$server" = etcd ] && bin=etcd || bin=$B/cairn
	for n in 1 2 3; do peers[n]=$(port); clients[n]=$(port); done
	for n in 1 2 3; do cl="$cl,m$n=http://127.0.0.1:${peers[n]}"; done
	EPS=
	SPIDS=
	for n in 1 2 3; do
		"$bin" --name "m$n" --data-dir "$dir/m$n" --initial-cluster "${cl#,}" \
			--initial-advertise-peer-urls "http://127.0.0.1:${peers[n]}" \
			--listen-peer-urls "http://127.0.0.1:${peers[n]}" \
			--listen-client-urls "http://127.0.0.1:${clients[n]}" \
			--advertise-client-urls "http://127.0.0.1:${clients[n]}" >"$dir.m$n.log" 2>&1 &
		SPIDS="$SPIDS $!"
		EPS="$EPS,http://127.0.0.1:${clients[n]}"
	done
	EPS=${EPS#,}
	pids="$pids $SPIDS"
	for i in $(seq 100); do
		UNARY_BENCH_PUT_BYTES=8 "$B/bench/unary_bench" "$EPS" 3 1 3 >/dev/null 2>&1 && return 0
		sleep 0.2
	done
	echo "cluster_bench: $server's cluster does not serve" >&2
	exit 1
}
stop() { kill $SPIDS 2>/dev/null; wait $SPIDS 2>/dev/null || true; }
# CPU ticks of the servers and their children (cairn's processes).
ticks() {
	local p t=0
	for p in $SPIDS $(for q in $SPIDS; do pgrep -P "$q"; done); do
		t=$((t + $(awk '{print $14 + $15}' "/proc/$p/stat" 2>/dev/null || echo 0)))
	done
	echo $t
}
hz=$(getconf CLK_TCK)
# put NAME CONNS INFLIGHT N: one run; a line "NAME rps p50 p99 cpu_us".
put() {
	local t0 t1 out
	t0=$(ticks)
	out=$(UNARY_BENCH_PUT_BYTES=256 "$B/bench/unary_bench" "$EPS" "$2" "$3" "$4" 2>&1) ||
		{ echo "$1: unary_bench failed: $out" >&2; exit 1; }
	t1=$(ticks)
	printf '%s %s %s %s %s\n' "$1" \
		"$(echo "$out" | sed -n 's/.*, \([0-9]*\) req\/s.*/\1/p')" \
		"$(echo "$out" | sed -n 's/.* p50 \([0-9.]*\) ms.*/\1/p')" \
		"$(echo "$out" | sed -n 's/.* p99 \([0-9.]*\) ms.*/\1/p')" \
		"$(echo "$t0 $t1 $hz $4" | awk '{printf "%.1f", ($2 - $1) * 1e6 / $3 / $4}')"
}
: >"$T/results"
for r in $(seq "$runs"); do
	for server in etcd cairn; do
		start "$server" "$T/$server-$r"
		put "$server-1" 1 1 "$solo" >>"$T/results"
		put "$server-100" 10 100 "$puts" >>"$T/results"
		stop
		rm -rf "$T/$server-$r"
	done
done
median() { sort -g | awk '{v[NR] = $1} END {print v[int((NR + 1) / 2)]}'; }
col() { awk -v n="$1" -v c="$2" '$1 == n {print $c}' "$T/results" | median; }
echo "cluster_bench: KV.Put of new keys, 256-byte values, 3 members on loopback, median of $runs"
printf '%-8s %-6s %10s %10s %10s %12s\n' clients server req/s p50-ms p99-ms cpu-us/put
for c in 1 100; do
	for s in etcd cairn; do
		printf '%-8s %-6s %10s %10s %10s %12s\n' $c $s "$(col $s-$c 2)" "$(col $s-$c 3)" \
			"$(col $s-$c 4)" "$(col $s-$c 5)"
	done
	echo "$c clients: cairn/etcd req/s $(echo "$(col cairn-$c 2) $(col etcd-$c 2)" | awk '{printf "%.2f", $1 / $2}'), p50 etcd/cairn $(echo "$(col etcd-$c 3) $(col cairn-$c 3)" | awk '{printf "%.2f", $1 / $2}'), CPU per put etcd/cairn $(echo "$(col etcd-$c 5) $(col cairn-$c 5)" | awk '{printf "%.2f", $1 / $2}')"
done
