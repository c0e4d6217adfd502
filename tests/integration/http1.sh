#!/bin/bash
# Tests: HTTP/1.1 on the client port, beside gRPC on the same port (netd
# tells them apart by HTTP/2's preface): /health, /version and /metrics
# side by side with the real etcd 3.4 (tests/integration/etcd_lib.sh),
# then hostile HTTP/1 clients: a header block over the bound, garbage, a
# body over the bound, pipelining, a slowloris, a client that stops in
# the middle of the HTTP/2 preface. Each gets Go's answer or a close, and
# netd keeps serving.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/etcd_lib.sh"

# get [CURL ARGS...] URL-PATH: status, content type and body.
get() {
	local path=${*: -1}
	curl -s -o "$T/body" -w '%{http_code} %{content_type}\n' "${@:1:$#-1}" \
		"http://127.0.0.1:$PORT$path"
	cat "$T/body"
}
same get /health
same get '/health?exclude=NOSPACE'
same get -X POST /health
same get /nope
same get -X PUT /version
PORT=$CP get /version >"$T/version"
check "/version: etcd's fields and cairn's own" \
	grep -qx '{"etcdserver":"3.4.23","etcdcluster":"3.4.0","cairn":"[0-9.]*"}' "$T/version"
# /metrics: the series the etcd mixin reads, with etcd's names, types and
# help, after some writes (raftd's and stored's figures come each second).
for i in 1 2 3; do
	"$CTL_BIN" --endpoints "127.0.0.1:$EP" put "m$i" v >/dev/null
	"$CTL_BIN" --endpoints "127.0.0.1:$CP" put "m$i" v >/dev/null
done
value() { grep -m1 "^$1 " "$T/cairn.metrics" | sed 's/.* //'; }
fetched() {
	PORT=$EP get /metrics >"$T/etcd.metrics"
	PORT=$CP get /metrics >"$T/cairn.metrics"
	grep -q '^etcd_disk_wal_fsync_duration_seconds_count [1-9]' "$T/cairn.metrics" &&
		grep -q '^etcd_disk_backend_commit_duration_seconds_count [1-9]' "$T/cairn.metrics" &&
		grep -q '^cairn_process_open_fds{process="raftd"}' "$T/cairn.metrics" &&
		[ "$(value etcd_server_proposals_applied_total)" -ge 3 ]
}
check "/metrics has raftd's and stored's figures, the Puts applied, within 5 s" wait_for 5 fetched
check "/metrics is Prometheus' text format" \
	eval 'head -1 "$T/cairn.metrics" | grep -qx "200 text/plain; version=0.0.4; charset=utf-8"'
for m in etcd_server_has_leader etcd_server_is_leader etcd_server_leader_changes_seen_total \
	etcd_mvcc_db_total_size_in_bytes etcd_server_version etcd_cluster_version etcd_server_id \
	etcd_server_proposals_committed_total etcd_server_proposals_applied_total \
	etcd_server_proposals_pending etcd_server_proposals_failed_total \
	etcd_server_quota_backend_bytes etcd_disk_wal_fsync_duration_seconds \
	etcd_disk_backend_commit_duration_seconds etcd_network_client_grpc_received_bytes_total \
	etcd_network_client_grpc_sent_bytes_total process_cpu_seconds_total \
	process_resident_memory_bytes process_open_fds process_max_fds process_start_time_seconds \
	process_virtual_memory_bytes; do
	check "/metrics: $m as etcd has it (help, type, labels)" eval \
		'[ "$(grep "^# [A-Z]* $m " "$T/cairn.metrics")" = "$(grep "^# [A-Z]* $m " "$T/etcd.metrics")" ] &&
		[ "$(grep "^$m[{ _]" "$T/cairn.metrics" | sed "s/ .*//")" = "$(grep "^$m[{ _]" "$T/etcd.metrics" | sed "s/ .*//")" ]'
done
# etcd's gRPC series cover its Health service too.
for m in grpc_server_started_total grpc_server_handled_total; do
	check "/metrics: $m's help and type as etcd's" eval \
		'[ -n "$(grep "^# [A-Z]* $m " "$T/cairn.metrics")" ] &&
		[ "$(grep "^# [A-Z]* $m " "$T/cairn.metrics")" = "$(grep "^# [A-Z]* $m " "$T/etcd.metrics")" ]'
done
put_ok='grpc_server_handled_total{grpc_code="OK",grpc_method="Put",grpc_service="etcdserverpb.KV",grpc_type="unary"}'
check "/metrics counts the three Puts, started and handled" eval \
	'[ "$(value "grpc_server_started_total{grpc_method=\"Put\",grpc_service=\"etcdserverpb.KV\",grpc_type=\"unary\"}")" -ge 3 ] &&
	[ "$(value "$put_ok")" -ge 3 ]'
check "... their latencies (grpc_server_handling_seconds)" eval \
	'[ "$(value "grpc_server_handling_seconds_count{grpc_method=\"Put\",grpc_service=\"etcdserverpb.KV\",grpc_type=\"unary\"}")" -ge 3 ]'
check "... and the bytes of their requests and answers" eval \
	'[ "$(value etcd_network_client_grpc_received_bytes_total)" -gt 0 ] &&
	[ "$(value etcd_network_client_grpc_sent_bytes_total)" -gt 0 ]'
check "proposals: committed, at least those applied" eval \
	'[ "$(value etcd_server_proposals_committed_total)" -ge "$(value etcd_server_proposals_applied_total)" ]'
check "the default quota, as etcd's (2 GiB, as Go writes it)" eval \
	'[ "$(value etcd_server_quota_backend_bytes)" = "$(grep "^etcd_server_quota_backend_bytes " "$T/etcd.metrics" | sed "s/.* //")" ]'
check "cairn_process_resident_memory_bytes for each of cairn's four processes" eval \
	'[ "$(grep -c "^cairn_process_resident_memory_bytes{process=\"\(supervisor\|netd\|raftd\|stored\)\"} [1-9]" "$T/cairn.metrics")" = 4 ]'
check "... process_resident_memory_bytes, the member's, is their sum" eval \
	'grep "^cairn_process_resident_memory_bytes{" "$T/cairn.metrics" |
	awk -v m="$(value process_resident_memory_bytes)" "{s += \$2} END {exit !(m > 0 && s == m)}"'
check "/metrics: this member leads, with its own ID" eval \
	'grep -qx "etcd_server_is_leader 1" "$T/cairn.metrics" &&
	grep -qx "etcd_server_id{server_id=\"8e9e05c52164694d\"} 1" "$T/cairn.metrics"'

# Hostile clients, each on its own connection (python3's sockets).
hostile() {
	python3 - "$CP" "$1" <<'PY'
import socket, sys, time
port, case = int(sys.argv[1]), sys.argv[2]
s = socket.create_connection(("127.0.0.1", port), timeout=20)
def answer():
    data = b""
    try:
        while True:
            b = s.recv(65536)
            if not b:
                break
            data += b
    except socket.timeout:
        pass
    return data
def first_line(data):
    return data.split(b"\r\n", 1)[0].decode()
if case == "header":
    s.sendall(b"GET /health HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * 70000 + b"\r\n\r\n")
    d = answer()
    sys.exit(0 if first_line(d) == "HTTP/1.1 431 Request Header Fields Too Large" else 1)
if case == "garbage":
    s.sendall(b"\x01\x02garbage\r\n\r\n")
    sys.exit(0 if first_line(answer()) == "HTTP/1.1 400 Bad Request" else 1)
if case == "body":
    s.sendall(b"POST /health HTTP/1.1\r\nHost: x\r\nContent-Length: 3000000\r\n\r\n")
    try:
        for _ in range(50):
            s.sendall(b"x" * 65536)
    except OSError:
        pass
    sys.exit(0 if first_line(answer()) == "HTTP/1.1 413 Request Entity Too Large" else 1)
if case == "pipelined":
    s.sendall(b"GET /health HTTP/1.1\r\nHost: x\r\n\r\n" * 2 +
              b"GET /version HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
    d = answer()
    ok = d.count(b"HTTP/1.1 200 OK") == 3 and d.index(b'"health"') < d.index(b'"etcdserver"')
    sys.exit(0 if ok else 1)
if case in ("slowloris", "preface"):
    s.settimeout(30)
    start = time.time()
    try:
        if case == "preface":
            s.sendall(b"PR")
            s.recv(1)
        else:
            s.sendall(b"GET /health HTTP/1.1\r\nX-a: ")
            while time.time() - start < 25:
                s.sendall(b"a")
                time.sleep(1)
    except OSError:
        pass
    # closed by netd after about 10 s, not served, not kept
    sys.exit(0 if 8 < time.time() - start < 20 else 1)
PY
}
check "a header block over 64 KiB: 431" hostile header
check "garbage: 400" hostile garbage
check "a body over 2 MiB: 413" hostile body
check "three pipelined requests: three answers, in order" hostile pipelined
hostile slowloris &
slow=$!
hostile preface &
pre=$!
PORT=$CP
check "during a slowloris, other clients are served (HTTP/1 and gRPC)" eval \
	'[ "$(get /health)" = "$(printf "200 text/plain; charset=utf-8\n{\"health\":\"true\"}")" ] &&
	ctl put during slow | grep -qx OK'
check "a slowloris is closed after its header deadline (10 s)" wait "$slow"
check "a client that stops in the middle of HTTP/2's preface is closed after 10 s" wait "$pre"
check "gRPC still served on the same port" eval 'ctl get during --print-value-only | grep -qx slow'
check "netd still runs (the same process)" eval '[ "$(child_pid netd)" = "$NETD_PID" ]'

# --listen-metrics-urls: /metrics and /health only, over HTTP/1.1.
stop_all
MP=$(free_port)
start_cairn "$B/cairn" --data-dir "$T/metrics" --listen-metrics-urls "http://127.0.0.1:$MP"
PORT=$MP
mup() { [ "$(get /health)" = "$(printf "200 text/plain; charset=utf-8\n{\"health\":\"true\"}")" ]; }
check "--listen-metrics-urls: /health" wait_for 20 mup
check "... /metrics" eval 'get /metrics | grep -qx "etcd_server_has_leader 1"'
check "... and nothing else (/version: 404, as etcd's metrics listener)" eval \
	'get /version | head -1 | grep -qx "404 text/plain; charset=utf-8"'
check "the client port still serves gRPC" eval 'PORT=${CLIENT_URL##*:} ctl put m v | grep -qx OK'
stop_all
"$B/cairn" --data-dir "$T/metrics-tls" --listen-metrics-urls "https://127.0.0.1:$MP" \
	--listen-client-urls "http://127.0.0.1:$(free_port)" \
	--listen-peer-urls "http://127.0.0.1:$(free_port)" >"$T/mtls.out" 2>&1
echo "exit $?" >>"$T/mtls.out"
check "an https metrics URL is refused at start (not served yet), exit 1" eval \
	'grep -q "over http only" "$T/mtls.out" && tail -1 "$T/mtls.out" | grep -qx "exit 1"'

finish_side_by_side
