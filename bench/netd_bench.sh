#!/bin/bash
# Benchmark (issue 5): netd's gRPC serving beside the real etcd 3.4 in the
# same run. h2load (Debian's nghttp2-client) sends a trivial unary call,
# Maintenance.Status (answered by netd alone, by etcd's server alone),
# over 100 connections, plain and over TLS (a certificate made by
# openssl), 3 runs each side, alternating. Prints requests/s, the mean
# and the largest latency h2load reports (it has no percentiles), and
# server CPU per request (user + system, every cairn process summed),
# each the median of the runs, and the cairn/etcd ratios. Then TLS
# handshakes/s: h2load opens H connections over TLS, each making one call
# (a full handshake each, no resumption: h2load offers no tickets across
# connections), H at once; handshakes/s and server CPU per handshake.
# Then the same call through cairn's client library (bench/unary_bench:
# 100 connections, 1,000 calls in flight), which gives the percentiles
# h2load does not: requests/s, p50, p99 and p99.9, plain and TLS.
# Usage: netd_bench.sh [--quick] [--requests N] [--conns C] [--handshakes H]
set -eu
requests=200000
conns=100
handshakes=1000
runs=3
while [ $# -gt 0 ]; do
	case $1 in
	--quick) requests=20000; handshakes=200; runs=1 ;;
	--requests) requests=$2; shift ;;
	--conns) conns=$2; shift ;;
	--handshakes) handshakes=$2; shift ;;
	*) echo "usage: $0 [--quick] [--requests N] [--conns C] [--handshakes H]" >&2; exit 2 ;;
	esac
	shift
done
B=${CAIRN_BUILDDIR:-$(cd "$(dirname "$0")/.." && pwd)}
for tool in etcd h2load openssl; do
	command -v $tool >/dev/null || { echo "netd_bench: $tool not found (./scripts/deps.sh bench)" >&2; exit 1; }
done
T=$(mktemp -d /tmp/cairn-netd-bench.XXXXXX)
pids=
trap 'kill $pids 2>/dev/null; wait 2>/dev/null; grep -h "exited with status\|killed by signal" "$T/cairn.log" >&2 || true; rm -rf "$T"' EXIT
port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$T/key.pem" \
	-out "$T/cert.pem" -days 1 -subj /CN=bench -addext subjectAltName=IP:127.0.0.1 2>/dev/null
EP=$(port); EPS=$(port); CP=$(port); CPS=$(port)
etcd --data-dir "$T/etcd" --listen-client-urls "http://127.0.0.1:$EP,https://127.0.0.1:$EPS" \
	--advertise-client-urls "http://127.0.0.1:$EP" --listen-peer-urls "http://127.0.0.1:$(port)" \
	--cert-file "$T/cert.pem" --key-file "$T/key.pem" >"$T/etcd.log" 2>&1 &
epid=$!
"$B/cairn" --data-dir "$T/cairn" --listen-client-urls "http://127.0.0.1:$CP,https://127.0.0.1:$CPS" \
	--advertise-client-urls "http://127.0.0.1:$CP" --cert-file "$T/cert.pem" \
	--key-file "$T/key.pem" >"$T/cairn.log" 2>&1 &
cpid=$!
pids="$epid $cpid"
printf '\0\0\0\0\0' >"$T/status.bin"
# call URL [N C M]: N calls over C connections, M streams each.
call() {
	h2load -n "${2:-$requests}" -c "${3:-$conns}" -m "${4:-10}" -d "$T/status.bin" \
		-H 'content-type: application/grpc' -H 'te: trailers' "$1/etcdserverpb.Maintenance/Status"
}
for i in $(seq 50); do
	call "http://127.0.0.1:$EP" >/dev/null 2>&1 && call "http://127.0.0.1:$CP" >/dev/null 2>&1 && break
	sleep 0.2
done
# CPU ticks of a process and its children's threads (all of cairn's).
ticks() {
	local p t=0
	for p in $1 $(pgrep -P "$1"); do
		t=$((t + $(awk '{print $14 + $15}' "/proc/$p/stat" 2>/dev/null || echo 0)))
	done
	echo $t
}
hz=$(getconf CLK_TCK)
# run NAME PID URL [N C M]: one h2load run; a line "NAME rps mean max
# cpu_us" (cpu_us per call).
run() {
	local t0 t1 out n=${4:-$requests}
	t0=$(ticks "$2")
	out=$(call "$3" "$n" "${5:-$conns}" "${6:-10}" 2>&1)
	t1=$(ticks "$2")
	echo "$out" | grep -q " 0 failed, 0 errored" || { echo "$1: h2load failed: $out" >&2; exit 1; }
	printf '%s %s %s %s %s\n' "$1" \
		"$(echo "$out" | sed -n 's/^finished in .*, \([0-9.]*\) req\/s.*/\1/p')" \
		"$(echo "$out" | awk '/^time for request:/ {print $6}')" \
		"$(echo "$out" | awk '/^time for request:/ {print $5}')" \
		"$(echo "$t0 $t1 $hz $n" | awk '{printf "%.1f", ($2 - $1) * 1e6 / $3 / $4}')"
}
# unary NAME URL [CA]: one unary_bench run; a line "NAME rps p50 p99 p99.9".
unary() {
	local out
	out=$("$B/bench/unary_bench" "$2" 100 1000 "$requests" ${3:+"$3"} 2>&1) ||
		{ echo "$1: unary_bench failed: $out" >&2; exit 1; }
	printf '%s %s %s %s %s\n' "$1" \
		"$(echo "$out" | sed -n 's/.*, \([0-9]*\) req\/s.*/\1/p')" \
		"$(echo "$out" | sed -n 's/.* p50 \([0-9.]*\) ms.*/\1/p')" \
		"$(echo "$out" | sed -n 's/.* p99 \([0-9.]*\) ms.*/\1/p')" \
		"$(echo "$out" | sed -n 's/.* p99.9 \([0-9.]*\) ms.*/\1/p')"
}
: >"$T/results"
for r in $(seq "$runs"); do
	run etcd-plain "$epid" "http://127.0.0.1:$EP" >>"$T/results"
	run cairn-plain "$cpid" "http://127.0.0.1:$CP" >>"$T/results"
	run etcd-tls "$epid" "https://127.0.0.1:$EPS" >>"$T/results"
	run cairn-tls "$cpid" "https://127.0.0.1:$CPS" >>"$T/results"
	run etcd-hs "$epid" "https://127.0.0.1:$EPS" "$handshakes" "$handshakes" 1 >>"$T/results"
	run cairn-hs "$cpid" "https://127.0.0.1:$CPS" "$handshakes" "$handshakes" 1 >>"$T/results"
	for side in etcd:$EP:$EPS cairn:$CP:$CPS; do
		IFS=: read -r name plain tls <<<"$side"
		unary "$name-uplain" "http://127.0.0.1:$plain" >>"$T/results"
		unary "$name-utls" "https://127.0.0.1:$tls" "$T/cert.pem" >>"$T/results"
	done
done
median() { sort -g | awk '{v[NR] = $1} END {print v[int((NR + 1) / 2)]}'; }
col() { awk -v n="$1" -v c="$2" '$1 == n {print $c}' "$T/results" | median; }
echo "netd_bench: Maintenance.Status, $requests requests over $conns connections, 10 streams each, median of $runs"
printf '%-6s %-6s %12s %12s %12s %14s\n' mode server req/s mean max cpu-us/req
for mode in plain tls; do
	for s in etcd cairn; do
		printf '%-6s %-6s %12s %12s %12s %14s\n' $mode $s "$(col $s-$mode 2)" "$(col $s-$mode 3)" \
			"$(col $s-$mode 4)" "$(col $s-$mode 5)"
	done
	echo "$mode: cairn/etcd req/s $(echo "$(col cairn-$mode 2) $(col etcd-$mode 2)" | awk '{printf "%.2f", $1 / $2}'), etcd/cairn CPU per request $(echo "$(col etcd-$mode 5) $(col cairn-$mode 5)" | awk '{printf "%.2f", $1 / $2}')"
done
echo "netd_bench: TLS handshakes, $handshakes connections at once, one call each, median of $runs"
printf '%-6s %12s %14s\n' server hs/s cpu-us/hs
for s in etcd cairn; do
	printf '%-6s %12s %14s\n' $s "$(col $s-hs 2)" "$(col $s-hs 5)"
done
echo "handshakes: cairn/etcd handshakes/s $(echo "$(col cairn-hs 2) $(col etcd-hs 2)" | awk '{printf "%.2f", $1 / $2}'), etcd/cairn CPU per handshake $(echo "$(col etcd-hs 5) $(col cairn-hs 5)" | awk '{printf "%.2f", $1 / $2}')"
echo "netd_bench: Maintenance.Status through cairn's client library, $requests calls, 100 connections, 1,000 in flight, median of $runs"
printf '%-6s %-6s %12s %10s %10s %10s\n' mode server req/s p50-ms p99-ms p99.9-ms
for mode in uplain utls; do
	for s in etcd cairn; do
		printf '%-6s %-6s %12s %10s %10s %10s\n' "${mode#u}" $s "$(col $s-$mode 2)" \
			"$(col $s-$mode 3)" "$(col $s-$mode 4)" "$(col $s-$mode 5)"
	done
	echo "${mode#u}: cairn/etcd req/s $(echo "$(col cairn-$mode 2) $(col etcd-$mode 2)" | awk '{printf "%.2f", $1 / $2}'), etcd/cairn p99 $(echo "$(col etcd-$mode 4) $(col cairn-$mode 4)" | awk '{printf "%.2f", $1 / $2}')"
done
