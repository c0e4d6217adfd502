#!/bin/bash
# Tests: the gRPC client library (shared/gclient.h) against the real etcd
# 3.4 and against cairn, side by side (tests/integration/gclient_probe):
# unary calls (Put, Range), 1,000 concurrent calls over several
# connections, a Watch stream with calls beside it on the same client,
# grpc-go's status for an unknown method, failover from a dead endpoint
# to a live one, a deadline that passes with no endpoint up, and calls
# beyond a server's --max-concurrent-streams waiting for a stream slot;
# keepalive pings finding out a server that stopped answering;
# over TLS with client certificates required (etcd and cairn): served
# with the CA's client certificate, refused without one, with another
# CA's, or with a CA that did not sign the server's (the calls' deadline
# passes, as etcdctl's "context deadline exceeded"), served again with
# the server's verification skipped.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/etcd_lib.sh"
. "$(dirname "$0")/pki_lib.sh"
signed server server 'subjectAltName=IP:127.0.0.1,DNS:localhost'
signed client client
ec -x509 -keyout "$P/stranger.key" -out "$P/stranger.crt" -days 2 -subj /CN=stranger

PROBE="$B/tests/integration/gclient_probe"
probe() { PORT=$1; shift; "$PROBE" "127.0.0.1:$PORT" "$@"; }
# mask: revisions differ between the two servers' histories.
mask() { sed -E 's/^OK [0-9]+$/OK REV/'; }
both() {
	local e c
	e=$(probe "$EP" "$@" 2>&1 | mask)
	c=$(probe "$CP" "$@" 2>&1 | mask)
	if [ "$e" = "$c" ]; then
		ok "probe $* (as etcd)"
	else
		not_ok "probe $* (as etcd)"
		diag "etcd: $e"
		diag "cairn: $c"
	fi
}

both 1 put gc/a 1
both 1 get gc/a
both 10 many 1000
both 3 watch gw/ 20
both 1 call /etcdserverpb.Foo/Bar
both 1 call /etcdserverpb.KV/Bar
check "a Put through cairn's client answers with a revision" eval \
	'probe "$CP" 1 put gc/b 2 | grep -qE "^OK [0-9]+$"'
DEAD=$(free_port)
check "failover: a dead endpoint first, the call goes to the live one" eval \
	'[ "$("$PROBE" "127.0.0.1:$DEAD,127.0.0.1:$CP" 1 put gc/f x | mask)" = "OK REV" ]'
check "... on etcd too" eval \
	'[ "$("$PROBE" "127.0.0.1:$DEAD,127.0.0.1:$EP" 1 put gc/f x | mask)" = "OK REV" ]'
# A call that found no connection because every dial failed ends with
# grpc-go's balancer words, as etcdctl's warning lines show them.
BALANCER="status 4 latest balancer error: all SubConns are in TransientFailure"
check "no endpoint up: the call's deadline passes" eval \
	'[ "$("$PROBE" "127.0.0.1:$DEAD" 1 deadline)" = "$BALANCER" ]'

# A member that takes 4 streams at once: 200 calls on one connection wait
# for slots, and all go through.
stop_all
CP=$(free_port)
start_cairn "$B/cairn" --data-dir "$T/cairn" --listen-client-urls "http://127.0.0.1:$CP" \
	--advertise-client-urls "http://127.0.0.1:$CP" --max-concurrent-streams 4
check "cairn restarted with --max-concurrent-streams 4" wait_for 20 up "$CP"
check "200 calls over one connection of 4 streams: all go through" eval \
	'[ "$(probe "$CP" 1 many 200 | head -1)" = "200 ok, 0 failed" ]'
# Keepalive: a server that stops answering (netd stopped: its socket
# stays open) is found out by the pings within the timeout, and the watch
# on it ends UNAVAILABLE with grpc-go's words.
hold() { GC_KEEPALIVE=300 GC_KEEPALIVE_TIMEOUT=1000 "$PROBE" "127.0.0.1:$CP" 1 hold ka/ \
	>"$T/hold.out" 2>&1; }
hold &
HOLD=$!
check "a watch held open with keepalive pings" wait_for 10 grep -qx ready "$T/hold.out"
sleep 1 # pings answered meanwhile: still open
NETD_STOPPED=$(child_pid netd)
kill -STOP "$NETD_STOPPED"
t0=$SECONDS
wait "$HOLD"
t1=$SECONDS
kill -CONT "$NETD_STOPPED"
check "keepalive: a server that stopped answering is found out within the timeout" eval \
	'grep -qx "watch ended: status 14 transport: keepalive ping failed to receive ACK within timeout" "$T/hold.out" &&
	[ $((t1 - t0)) -le 5 ]'
stop_all

# TLS, client certificates required: etcd and cairn alike.
stop_etcd
EP=$(free_port)
CP=$(free_port)
TLSF=(--cert-file "$P/server.crt" --key-file "$P/server.key" --client-cert-auth
	--trusted-ca-file "$P/ca.crt")
"$ETCD_BIN" --data-dir "$T/etcd-tls" --listen-client-urls "https://127.0.0.1:$EP" \
	--advertise-client-urls "https://127.0.0.1:$EP" --listen-peer-urls "http://127.0.0.1:$(free_port)" \
	"${TLSF[@]}" >"$T/etcd-tls.log" 2>&1 &
ETCD_PID=$!
start_cairn "$B/cairn" --data-dir "$T/cairn-tls" --listen-client-urls "https://127.0.0.1:$CP" \
	--advertise-client-urls "https://127.0.0.1:$CP" "${TLSF[@]}"
tprobe() { local port=$1; shift; GC_CA=$P/ca.crt GC_CERT=$P/client.crt GC_KEY=$P/client.key \
	"$PROBE" "https://127.0.0.1:$port" "$@"; }
tup() { [ "$(tprobe "$1" 1 put t v | mask)" = "OK REV" ]; }
for side in etcd:$EP cairn:$CP; do
	name=${side%%:*} port=${side#*:}
	check "TLS with a client certificate: a Put to $name" wait_for 20 tup "$port"
	check "... a Watch with Puts beside it on $name" eval \
		'[ "$(tprobe "$port" 2 watch tw/ 5 | tail -2 | head -1)" = "5 events" ]'
	check "... no client certificate: refused by $name" eval \
		'[ "$(GC_CA=$P/ca.crt "$PROBE" "https://127.0.0.1:$port" 1 put t v)" = "$BALANCER" ]'
	check "... another CA's certificate: refused by $name" eval \
		'[ "$(GC_CA=$P/ca.crt GC_CERT=$P/stranger.crt GC_KEY=$P/stranger.key "$PROBE" "https://127.0.0.1:$port" 1 put t v)" = "$BALANCER" ]'
	check "... a CA that did not sign $name's certificate: not trusted" eval \
		'[ "$(GC_CA=$P/other.crt GC_CERT=$P/client.crt GC_KEY=$P/client.key "$PROBE" "https://127.0.0.1:$port" 1 put t v)" = "$BALANCER" ]'
	check "... the server not verified (insecure-skip-tls-verify): served by $name" eval \
		'[ "$(GC_INSECURE=1 GC_CERT=$P/client.crt GC_KEY=$P/client.key "$PROBE" "127.0.0.1:$port" 1 put t v | mask)" = "OK REV" ]'
done
# A TLS endpoint that accepts and never answers the handshake: the call's
# deadline passes, and the client goes away with the handshake under way
# (abandoned cleanly: under the sanitizers, a handshake left behind is a
# leak, and the probe's exit status says so).
MUTE=$(free_port)
python3 -c 'import socket, sys, time
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", int(sys.argv[1]))); s.listen(8); c = s.accept(); time.sleep(8)' "$MUTE" &
MUTE_PID=$!
sleep 0.3
mute() { local out; out=$(GC_INSECURE=1 "$PROBE" "https://127.0.0.1:$MUTE" 1 deadline) &&
	[ "$out" = "status 4 context deadline exceeded" ]; }
check "a TLS endpoint that never answers: the deadline passes, the client exits cleanly" mute
kill "$MUTE_PID" 2>/dev/null
wait "$MUTE_PID" 2>/dev/null
stop_all
finish
