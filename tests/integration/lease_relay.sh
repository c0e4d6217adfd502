#!/bin/bash
# Tests: lease keep-alives and TimeToLive sent to a follower are relayed
# to the leader, whose lessor alone keeps the expiries (netd/
# lease_relay.c), as etcd's followers forward them: answered through a
# follower as through the leader, with the follower's header; a lease kept alive only through a
# follower outlives its TTL several times, then expires once the
# keep-alives stop; the leader's stored stopped, a relayed call times
# out; the leader's whole member killed, a follower's relay
# fails within etcd's request timeout and, once a new leader is elected,
# serves again; a peer that sends a malformed relay is disconnected.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/members_lib.sh"

ctle() {
	local n=$1; shift
	timeout 20 etcdctl --endpoints "127.0.0.1:${CLIENT[$n]}" --command-timeout 8s \
		--dial-timeout 2s "$@" 2>&1
}
# ttl MEMBER: the lease's TTL left, asked of MEMBER.
ttl() { ctle "$1" lease timetolive "$ID" -w json | sed -n 's/.*"ttl":\(-*[0-9]*\).*/\1/p'; }
renew() { ctle "$1" lease keep-alive --once "$ID"; }

for n in $NAMES; do start_member "$n"; done
check "three members elect one leader" wait_for 20 one_leader
check "the leader is known" pick_leader
O=$(for n in $NAMES; do [ "$n" != "$L" ] && [ "$n" != "$F" ] && echo "$n"; done)

ID=$(ctl "$L" lease grant 4 | awk '{ print $2 }')
check "a lease granted on the leader" test -n "$ID"
check "a key attached to it through a follower" eval '[ "$(ctl "$F" put --lease="$ID" k1 v1)" = OK ]'
check "a keep-alive through a follower" eval \
	'[ "$(renew "$F")" = "lease $ID keepalived with TTL(4)" ]'
check "TimeToLive through a follower: granted TTL and keys" eval \
	'ctle "$F" lease timetolive --keys "$ID" | grep -qE "^lease $ID granted with TTL\(4s\), remaining\([34]s\), attached keys\(\[k1\]\)$"'
mid() { ctl "$1" endpoint status -w json | sed 's/.*"member_id":\([0-9]*\).*/\1/'; }
check "... answered with the follower's header, as etcd's" eval \
	'ctle "$F" lease timetolive "$ID" -w json | grep -q "\"member_id\":$(mid "$F"),"'
check "TimeToLive of no lease through a follower: already expired" eval \
	'[ "$(ctle "$O" lease timetolive 1234)" = "lease 0000000000001234 already expired" ]'
check "a keep-alive of no lease through a follower: not found" eval \
	'ctle "$O" lease keep-alive --once 1234 | grep -qx "Error: etcdserver: requested lease not found"'

# Kept alive through followers only, for three times its TTL.
end=$((SECONDS + 12))
alive=ok
while [ $SECONDS -lt $end ]; do
	renew "$F" | grep -q "keepalived with TTL(4)" || alive=
	renew "$O" | grep -q "keepalived with TTL(4)" || alive=
	sleep 1
done
check "kept alive through the followers for 12 s (TTL 4 s): every keep-alive answered" test -n "$alive"
check "... its key is still on every member" everywhere k1 v1
check "... and the leader counts it as live" eval '[ "$(ttl "$L")" -ge 2 ]'
gone() { for n in $NAMES; do [ -z "$(ctl "$n" get k1 --consistency=s --print-value-only)" ] || return 1; done; }
check "the keep-alives stopped, the lease expires and its key goes" wait_for 15 gone

# The leader's stored stopped (its Raft goes on): a relayed keep-alive
# times out as etcd's request does; once it runs again, relays serve.
ID=$(ctl "$L" lease grant 30 | awk '{ print $2 }')
STORED=$(pgrep -P "${SUP[$L]}" -f cairn-stored)
kill -STOP "$STORED"
check "with the leader's stored stopped, a relayed keep-alive times out" eval \
	'renew "$F" | grep -qx "Error: etcdserver: request timed out"'
kill -CONT "$STORED"
check "... and, stored running again, is answered" wait_for 10 eval \
	'renew "$F" | grep -q "keepalived with TTL(30)"'

# The leader's member killed: a relay fails, then serves the new leader.
ID=$(ctl "$L" lease grant 30 | awk '{ print $2 }')
stop_member "$L"
check "with the leader killed, a keep-alive through a follower fails" eval \
	'! renew "$F" | grep -q keepalived'
NAMES=$(for n in $NAMES; do [ "$n" != "$L" ] && echo "$n"; done)
check "a new leader is elected" wait_for 20 one_leader
check "the follower relays to the new leader" wait_for 15 eval \
	'renew "$(for n in $NAMES; do is_leader "$n" || echo "$n"; done | head -1)" | grep -q "keepalived with TTL(30)"'
NAMES="a b c"
start_member "$L"
has_leader() { ctl "$1" endpoint status -w json | grep -q '"leader":[1-9]'; }
check "the killed member, restarted, follows the new leader" wait_for 20 has_leader "$L"

# A peer (claiming to be a member: plain http peers are not
# authenticated) that sends a malformed relay is disconnected.
pick_leader
MID=$(ctl "$L" endpoint status -w json | sed 's/.*"member_id":\([0-9]*\).*/\1/')
CID=$(ctl "$L" endpoint status -w json | sed 's/.*"cluster_id":\([0-9]*\).*/\1/')
FID=$(ctl "$F" endpoint status -w json | sed 's/.*"member_id":\([0-9]*\).*/\1/')
S=${CAIRN_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}
bad_relay() { python3 "$S/tests/integration/peer_hostile.py" "${PEER[$L]}" "relay-$1" "$CID" "$FID" "$MID"; }
check "a relay neither a call nor an answer: disconnected" eval '[ "$(bad_relay empty)" = closed ]'
check "a relayed call other than a keep-alive or TimeToLive: disconnected" eval \
	'[ "$(bad_relay op)" = closed ]'
check "the leader said why" eval \
	'grep -q "a lease relay neither a call nor an answer" "$T/$L.log" && grep -q "a lease relay of an unknown call" "$T/$L.log"'
check "the cluster still serves" eval '[ "$(ctl "$F" put k2 v2)" = OK ]'
finish_members
