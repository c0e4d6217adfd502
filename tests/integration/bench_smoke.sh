#!/bin/bash
# Tests: cairn-bench (bench/cairn_bench*.c) against cairn and the real etcd
# 3.4 side by side: each command runs briefly against each server, its JSON
# report parses with every request done and no error, the keys a run wrote
# are there as --key-space-size and --sequential-keys imply, watch events
# all arrive, and bad flags are refused with pflag's errors.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/etcd_lib.sh"

BENCH=$B/cairn-bench
export ETCDCTL_API=3

# jcheck FILE EXPR: the Python expression over report d (FILE's JSON) holds.
jcheck() {
	python3 -c 'import json, sys
d = json.load(open(sys.argv[1]))
ops = d["ops"]
c = d["counters"]
sys.exit(0 if eval("(" + sys.argv[2] + ")") else 1)' "$1" "$2" || { sed 's/^/# /' "$1"; return 1; }
}
# keys PORT [PREFIX]: the number of keys, or of those under PREFIX.
keys() {
	local sel=(--from-key "")
	[ $# -lt 2 ] || sel=(--prefix "$2")
	"$CTL_BIN" --endpoints "127.0.0.1:$1" get "${sel[@]}" --keys-only -w json |
		python3 -c 'import json, sys; print(json.load(sys.stdin).get("count", 0))'
}
# bench NAME ARGS...: cairn-bench on the side's port, JSON in $T/NAME.json.
bench() {
	local name=$1
	shift
	"$BENCH" --endpoints "127.0.0.1:$PORT" --json "$@" >"$T/$name.json" 2>"$T/$name.err" ||
		{ sed 's/^/# err: /' "$T/$name.err"; return 1; }
}
# The report of a run of TOTAL requests without an error.
clean() {
	jcheck "$1" "d['total'] == $2 and d['ok'] == $2 and d['errors'] == 0 and
		d['requests_per_sec'] > 0 and 0 < d['latency_s']['p50'] <= d['latency_s']['p99'] <=
		d['latency_s']['slowest'] and sum(h['count'] for h in d['histogram']) == $2"
}

for side in "etcd $EP" "cairn $CP"; do
	set -- $side
	S=$1 PORT=$2
	# put: 2000 puts, 20 in flight on 2 connections; sequential keys in a
	# space of 500 make 500 keys.
	check "$S: put --total 2000 --clients 20 --conns 2" \
		bench $S.put --clients 20 --conns 2 put --total 2000 --sequential-keys \
		--key-space-size 500 --val-size 64
	check "$S: put's JSON: 2000 done, no error" clean "$T/$S.put.json" 2000
	check "$S: put wrote 500 keys" test "$(keys $PORT)" = 500
	check "$S: range (linearizable, limit 10)" bench $S.range --clients 10 range \
		"$(printf '\001')" "$(printf '\377')" --limit 10 --total 500
	check "$S: range's JSON" clean "$T/$S.range.json" 500
	check "$S: range --consistency s --count-only" bench $S.ranges --clients 4 range \
		"$(printf '\001')" "$(printf '\377')" --consistency s --count-only --total 200
	check "$S: serializable range's JSON" clean "$T/$S.ranges.json" 200
	# txn-put: 250 Txns of 4 puts over a space of 1000: keys 0 to 999.
	check "$S: txn-put --txn-ops 4" bench $S.txn --clients 10 --key-space-size 1000 \
		txn-put --txn-ops 4 --total 250
	check "$S: txn-put's JSON" clean "$T/$S.txn.json" 250
	check "$S: txn-put made the key space 1000 keys" test "$(keys $PORT)" = 1000
	check "$S: txn-mixed --rw-ratio 2" bench $S.mixed --clients 10 --key-space-size 1000 \
		txn-mixed --rw-ratio 2 --limit 20 --total 600
	check "$S: txn-mixed's JSON: reads and writes" jcheck "$T/$S.mixed.json" \
		"d['total'] == 600 and d['errors'] == 0 and ops['read']['ok'] > 0 and
		ops['write']['ok'] > 0 and ops['read']['ok'] + ops['write']['ok'] == 600"
	# watch: 40 watchers on 4 streams over 5 keys (8 each), 200 puts on
	# them: 1600 events.
	check "$S: watch" bench $S.watch --clients 10 --conns 2 --key-space-size 5 \
		--sequential-keys watch --streams 4 --watch-per-stream 10 --watched-key-total 5 \
		--put-total 200
	check "$S: watch's JSON: 1600 events" jcheck "$T/$S.watch.json" \
		"d['total'] == 1600 and d['errors'] == 0 and c['events_received'] == 1600 and
		ops['create']['ok'] == 40 and ops['put']['ok'] == 200"
	check "$S: watch-latency" bench $S.wl --conns 2 watch-latency --streams 2 \
		--watchers-per-stream 5 --put-total 50 --put-rate 500
	check "$S: watch-latency's JSON: 500 events" clean "$T/$S.wl.json" 500
	check "$S: lease-keepalive" bench $S.lease --clients 10 --conns 2 lease-keepalive \
		--total 1000
	check "$S: lease-keepalive's JSON" clean "$T/$S.lease.json" 1000
	# k8s: 3 resources of 50 objects and events, for 2 s; every write seen
	# by the prefix watches.
	check "$S: k8s --duration 2s" bench $S.k8s --clients 10 --conns 2 k8s --duration 2s \
		--resources 3 --objects 50 --page-size 20 --events-per-lease 10 \
		--object-size 512 --event-size 256
	check "$S: k8s's JSON: every op kind, no error, each write watched" \
		jcheck "$T/$S.k8s.json" "d['errors'] == 0 and d['total'] > 100 and
		all(ops[k]['ok'] > 0 for k in ('get', 'update', 'create', 'delete', 'list', 'event'))
		and c['writes'] == c['watch_events'] > 0 and c['list_pages'] > c['list_objects'] / 20 - 1
		and c['leases_granted'] >= 1 and 1.9 < d['duration_s'] < 10"
	check "$S: k8s objects are under /registry/pods/" \
		test "$(keys $PORT /registry/pods/default/obj-)" -gt 0
	check "$S: one key under /registry/events/ per event written" \
		jcheck "$T/$S.k8s.json" "ops['event']['ok'] == $(keys $PORT /registry/events/)"
done

# The text report: etcd's sections.
PORT=$CP
check "the text report has etcd's sections" eval '"$BENCH" --endpoints 127.0.0.1:$CP \
	--clients 5 put --total 300 >"$T/text.out" 2>&1 &&
	grep -q "^Summary:" "$T/text.out" && grep -q "Requests/sec:" "$T/text.out" &&
	grep -q "^Response time histogram:" "$T/text.out" &&
	grep -q "^Latency distribution:" "$T/text.out" && grep -q "99.9% in" "$T/text.out" &&
	grep -q "∎" "$T/text.out"'
# Errors counted by gRPC status: an empty key is INVALID_ARGUMENT.
check "errors are counted by gRPC code" eval 'bench bad range "" --total 20 &&
	jcheck "$T/bad.json" "d[\"errors\"] == 20 and d[\"ok\"] == 0 and
	d[\"errors_by_code\"][\"INVALID_ARGUMENT\"][\"count\"] == 20"'
# Flags: pflag's errors and a non-zero status.
check "an unknown flag is refused as pflag does" eval '! "$BENCH" put --bogus \
	>/dev/null 2>"$T/flag.err" && grep -q "^Error: unknown flag: --bogus" "$T/flag.err"'
check "a bad number is refused as pflag does" eval '! "$BENCH" --total abc put \
	>/dev/null 2>"$T/flag2.err" && grep -qF "Error: invalid argument \"abc\" for \"--total\" flag: strconv.ParseUint: parsing \"abc\": invalid syntax" "$T/flag2.err"'
check "an unknown command is refused" eval '! "$BENCH" frob >/dev/null 2>&1'
check "a server that does not answer fails the run" eval '! "$BENCH" \
	--endpoints 127.0.0.1:$(free_port) --dial-timeout 1s put --total 1 >/dev/null 2>&1'
# --user: Auth.Authenticate's token on every call, on both servers.
for side in "etcd $EP" "cairn $CP"; do
	set -- $side
	S=$1 PORT=$2
	"$CTL_BIN" --endpoints "127.0.0.1:$PORT" user add root:rootpw >/dev/null 2>&1 &&
		"$CTL_BIN" --endpoints "127.0.0.1:$PORT" auth enable >/dev/null 2>&1
	check "$S: put --user root:rootpw with auth on" bench $S.auth --user root:rootpw \
		--clients 5 put --total 100
	check "$S: the authenticated run's JSON" clean "$T/$S.auth.json" 100
	check "$S: without --user every put is refused" eval 'bench $S.noauth --clients 5 put \
		--total 20 && jcheck "$T/$S.noauth.json" "d[\"ok\"] == 0 and d[\"errors\"] == 20"'
done

finish_side_by_side
