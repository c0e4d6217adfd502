#!/bin/bash
# Benchmark (issue 4): memory per key of cairn's store beside the real
# etcd 3.4 in the same run. The same keys (Kubernetes-like names, 256 B
# values) go into Debian's etcd, through etcdctl txn in batches, and into
# cairn's store (bench/store_bench); each side's resident memory grown by
# the load is divided by the keys. Usage: store_memory.sh [--keys N]
# (default 1,000,000; --quick: 50,000). Needs etcd and etcdctl (Debian's
# etcd-server and etcd-client).
set -eu
keys=1000000
while [ $# -gt 0 ]; do
	case $1 in
	--quick) keys=50000 ;;
	--keys) keys=$2; shift ;;
	*) echo "usage: $0 [--quick | --keys N]" >&2; exit 2 ;;
	esac
	shift
done
B=${CAIRN_BUILDDIR:-$(cd "$(dirname "$0")/.." && pwd)}
for tool in etcd etcdctl; do
	command -v $tool >/dev/null || { echo "store_memory: $tool not found (apt-get install etcd-server etcd-client)" >&2; exit 1; }
done
T=$(mktemp -d /tmp/cairn-memory.XXXXXX)
trap 'kill $pid 2>/dev/null; wait $pid 2>/dev/null || true; rm -rf "$T"' EXIT
port=$((30000 + RANDOM % 20000))
batch=5000   # 5000 puts of ~300 B: within etcdctl's 2 MiB message limit
rss_kib() { awk -v f="${2:-VmRSS}:" '$1 == f {print $2}' "/proc/$1/status"; }

etcd --name bench --data-dir "$T/etcd" --listen-client-urls "http://127.0.0.1:$port" \
	--advertise-client-urls "http://127.0.0.1:$port" \
	--listen-peer-urls "http://127.0.0.1:$((port + 1))" \
	--initial-advertise-peer-urls "http://127.0.0.1:$((port + 1))" \
	--initial-cluster "bench=http://127.0.0.1:$((port + 1))" \
	--max-txn-ops $batch --max-request-bytes $((8 << 20)) \
	--quota-backend-bytes $((8 << 30)) >"$T/etcd.log" 2>&1 &
pid=$!
E="etcdctl --endpoints 127.0.0.1:$port"
for _ in $(seq 1 100); do $E endpoint health >/dev/null 2>&1 && break; sleep 0.1; done
rss0=$(rss_kib $pid)
anon0=$(rss_kib $pid RssAnon)
value=$(head -c 256 /dev/zero | tr '\0' v)
for ((first = 0; first < keys; first += batch)); do
	# etcdctl txn from stdin: no compares, the puts, no failure branch.
	awk -v f=$first -v n=$batch -v k=$keys -v v="$value" 'BEGIN {
		print ""
		for (i = f; i < f + n && i < k; i++)
			printf "put /registry/pods/default/pod-%010d %s\n", i, v
		print ""; print ""
	}' | $E txn >/dev/null
done
got=$($E get /registry/pods/ --prefix --keys-only | grep -c /registry/pods/)
[ "$got" = "$keys" ] || { echo "store_memory: etcd holds $got keys, not $keys" >&2; exit 1; }
rss1=$(rss_kib $pid)
anon1=$(rss_kib $pid RssAnon)
etcd_per_key=$(( (rss1 - rss0) * 1024 / keys ))
cairn=$("$B/bench/store_bench" --keys $keys --memory-only)
cairn_per_key=$(echo "$cairn" | sed -n 's/.*over the start, \([0-9]*\) bytes per key.*/\1/p')
echo "$cairn"
# etcd's RSS counts the pages of its mapped file it touched; its heap
# alone (RssAnon: the key index, Raft's log, Go's garbage) is shown too.
awk -v k=$keys -v r0=$rss0 -v r1=$rss1 -v a0=$anon0 -v a1=$anon1 -v c=$cairn_per_key \
    -v e=$etcd_per_key 'BEGIN {
	printf "etcd 3.4 after loading %d keys: %.1f MiB RSS over the start, %d bytes per key " \
	    "(its heap alone: %.1f MiB, %d bytes per key)\n", k, (r1 - r0) / 1024, e,
	    (a1 - a0) / 1024, (a1 - a0) * 1024 / k
	printf "memory per key, cairn/etcd: %.2f of its RSS, %.2f of its heap alone " \
	    "(target <= 0.50)\n", c / e, c / ((a1 - a0) * 1024 / k)
}'
