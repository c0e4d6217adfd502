#!/bin/bash
# Tests: three real cairn members on loopback talk over netd's peer
# transport (netd/peer.c): one leader; the real etcdctl sees every member
# with its published client URLs; a put through any member is read on
# every member (serializable reads); the leader killed with its whole
# member, the others go on and the restarted one catches up, HashKV equal
# on all three, send failures in /metrics meanwhile; a follower's netd
# killed, it reconnects; leadership moved
# with etcdctl move-leader; hostile peers
# (garbage, an oversized frame, a wrong cluster or member in the hello)
# are disconnected while the cluster keeps serving.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/members_lib.sh"

hexid() { printf '%x' "$(ctl "$1" endpoint status -w json | sed 's/.*"member_id":\([0-9]*\).*/\1/')"; }
metrics() { curl -s "http://127.0.0.1:${CLIENT[$1]}/metrics"; }

published() {
	local out
	out=$(ctl "$1" member list) || return 1
	for m in $NAMES; do
		printf '%s\n' "$out" | grep -q ", started, $m, $SCHEME://127.0.0.1:${PEER[$m]}, http://127.0.0.1:${CLIENT[$m]}, false$" ||
			return 1
	done
}

for n in $NAMES; do start_member "$n"; done
check "three members elect one leader over the peer transport" wait_for 20 one_leader
check "every member lists all three, each with its published client URLs" \
	wait_for 10 eval 'published a && published b && published c'
check "the leader is known" pick_leader
check "a put through a follower ($F)" eval '[ "$(ctl "$F" put k1 v1)" = OK ]'
check "... is read on every member" wait_for 10 everywhere k1 v1
check "a linearizable read on another follower" eval \
	'[ "$(ctl "$(for n in $NAMES; do [ "$n" != "$L" ] && [ "$n" != "$F" ] && echo "$n"; done)" get k1 --print-value-only)" = v1 ]'

# The leader's whole member killed: the two others elect one and serve.
LID=$(hexid "$L")
stop_member "$L"
others=$(for n in $NAMES; do [ "$n" != "$L" ] && echo "$n"; done)
check "the leader's member killed: a new leader among the others" \
	wait_for 20 eval '[ "$(leaders $others)" = 1 ]'
check "... which takes writes" wait_for 10 eval '[ "$(ctl "$F" put k2 v2)" = OK ]'
failures() {
	for n in $others; do
		metrics "$n" | grep -q "^etcd_network_peer_sent_failures_total{To=\"$LID\"} [1-9]" &&
			return 0
	done
	return 1
}
check "/metrics: messages to the stopped member counted as send failures (the new leader's)" \
	wait_for 10 failures
check "... and bytes sent to and received from each member" eval \
	'metrics "$F" | grep -q "^etcd_network_peer_sent_bytes_total{To=\"[0-9a-f]*\"} [1-9]" &&
	metrics "$F" | grep -q "^etcd_network_peer_received_bytes_total{From=\"[0-9a-f]*\"} [1-9]"'
# The leader's heartbeats to each follower and their answers: etcd's
# round-trip histogram, a series per member.
rtts() {
	local lead=$(leader) n c=0
	for n in $NAMES; do
		[ -n "${SUP[$n]}" ] && [ "$n" != "$lead" ] || continue
		metrics "$lead" | grep -q "^etcd_network_peer_round_trip_time_seconds_count{To=\"$(hexid "$n")\"} [1-9]" &&
			c=$((c + 1))
	done
	[ "$c" = 1 ] && metrics "$lead" | grep -qx \
		'# HELP etcd_network_peer_round_trip_time_seconds Round-Trip-Time histogram between peers'
}
check "/metrics: the leader's round trips to the follower up" wait_for 10 rtts
start_member "$L"
check "the restarted member catches up" wait_for 20 got "$L" k2 v2
check "HashKV equal on all three" wait_for 10 eval '[ "$(hashes | wc -l)" = 1 ]'

# A follower restarted without --initial-cluster: its netd learns whom to
# dial from its store's members table.
check "the leader is known before the bare restart" pick_leader
stop_member "$F"
start_member "$F" bare
check "a member restarted without --initial-cluster dials the others (from its store)" \
	wait_for 20 eval 'ctl "$L" put k2b v2b >/dev/null && got "$F" k2b v2b'
check "... the store's list it was" eval 'grep -q "dialling member .*, listed by the store" "$T/$F.log"'

# A follower's netd killed: the supervisor restarts it, it dials again.
check "the leader is known again" pick_leader
kill -9 "$(pgrep -P "${SUP[$F]}" -x cairn-netd)"
check "a follower's netd killed: it reconnects and gets new writes" \
	wait_for 20 eval 'ctl "$L" put k3 v3 >/dev/null && got "$F" k3 v3'

# etcd's MoveLeader, through etcdctl given every member.
all_eps=$(for n in $NAMES; do printf '127.0.0.1:%s,' "${CLIENT[$n]}"; done)
move() { timeout 20 etcdctl --endpoints "${all_eps%,}" --command-timeout 10s move-leader "$1" 2>&1; }
check "the leader is known before moving it" pick_leader
FROM=$(hexid "$L") TO=$(hexid "$F")
check "move-leader to a follower: etcdctl's words" eval \
	'[ "$(move "$TO")" = "Leadership transferred from $FROM to $TO" ]'
check "... and the follower leads" wait_for 10 is_leader "$F"
check "move-leader to no member: etcd's error" eval \
	'move 1234 | grep -qx "Error: etcdserver: bad leader transferee"'

# Hostile peers on the leader's peer port.
S=${CAIRN_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}
# hostile KIND CLUSTER TO: a peer claiming to be member 1.
hostile() { python3 "$S/tests/integration/peer_hostile.py" "${PEER[$L]}" "$1" "$2" 1 "$3"; }
CID=$(ctl "$L" endpoint status -w json | sed 's/.*"cluster_id":\([0-9]*\).*/\1/')
MID=$(ctl "$L" endpoint status -w json | sed 's/.*"member_id":\([0-9]*\).*/\1/')
check "a peer that sends garbage is disconnected" eval '[ "$(hostile garbage 0 0)" = closed ]'
check "... and one that announces a frame over the bound" eval '[ "$(hostile oversized 0 0)" = closed ]'
check "... and a hello of another cluster" eval '[ "$(hostile hello 12345 "$MID")" = closed ]'
check "... and a hello from a member that is not one (ID 1)" eval '[ "$(hostile hello "$CID" "$MID")" = closed ]'
check "the leader said why" eval 'grep -q "cluster ID mismatch" "$T/$L.log" && grep -q "not a member" "$T/$L.log" && grep -q "a frame over the bound" "$T/$L.log"'
check "the cluster still serves" eval '[ "$(ctl "$F" put k4 v4)" = OK ]'
check "... on every member" wait_for 10 everywhere k4 v4
finish_members
