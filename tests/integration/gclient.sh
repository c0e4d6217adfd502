#!/bin/bash
# Tests: the gRPC client library (shared/gclient.h) against the real etcd
# 3.4 and against cairn, side by side (tests/integration/gclient_probe):
# unary calls (Put, Range), 1,000 concurrent calls over several
# connections, a Watch stream with calls beside it on the same client,
# grpc-go's status for an unknown method, failover from a dead endpoint
# to a live one, a deadline that passes with no endpoint up, and calls
# beyond a server's --max-concurrent-streams waiting for a stream slot.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/etcd_lib.sh"

P="$B/tests/integration/gclient_probe"
probe() { PORT=$1; shift; "$P" "127.0.0.1:$PORT" "$@"; }
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
	'[ "$("$P" "127.0.0.1:$DEAD,127.0.0.1:$CP" 1 put gc/f x | mask)" = "OK REV" ]'
check "... on etcd too" eval \
	'[ "$("$P" "127.0.0.1:$DEAD,127.0.0.1:$EP" 1 put gc/f x | mask)" = "OK REV" ]'
check "no endpoint up: the call's deadline passes" eval \
	'[ "$("$P" "127.0.0.1:$DEAD" 1 deadline)" = "status 4 context deadline exceeded" ]'

# A member that takes 4 streams at once: 200 calls on one connection wait
# for slots, and all go through.
stop_all
CP=$(free_port)
start_cairn "$B/cairn" --data-dir "$T/cairn" --listen-client-urls "http://127.0.0.1:$CP" \
	--advertise-client-urls "http://127.0.0.1:$CP" --max-concurrent-streams 4
check "cairn restarted with --max-concurrent-streams 4" wait_for 20 up "$CP"
check "200 calls over one connection of 4 streams: all go through" eval \
	'[ "$(probe "$CP" 1 many 200 | head -1)" = "200 ok, 0 failed" ]'
stop_all
finish
