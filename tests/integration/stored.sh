#!/bin/bash
# Tests: the real cairn-stored applies what raftd commits. Three members
# (real supervisor, raftd and stored; relay_netd stands in for netd and
# takes etcd InternalRaftRequests from spool files). A put through a
# follower gets its PutResponse from that member's stored; a txn and a
# range through Raft answer as etcd would. Then crash safety: one member's
# stored is killed at random moments while 300 puts stream in; restarted,
# it replays from its consistent index, and at the end every member's
# HashKV (etcd's, at the same revision) is the same.
. "$(dirname "$0")/lib.sh"
STORED_BIN=$B/cairn-stored
. "$(dirname "$0")/cluster_lib.sh"

for n in $NAMES; do start_member "$n"; done
check "three members elect one leader" wait_for 10 one_leader
roles
request "$F" 'put { key: "k1" value: "v1" }'
check "a put through a follower: its stored answers" wait_for 10 result_ok "$F" "$SEQ"
# The response names the member that answered (IDs print unsigned).
put_response_ok() {
	local r
	r=$(decode "$1" "$2" PutResponse | tr -d '\n')
	[[ "$r" == *"member_id: $(printf %u "0x$(field "$1" member)") "* ]] &&
		[[ "$r" =~ revision:\ 2\ +raft_term:\ [1-9] ]]
}
check "with etcd's PutResponse (revision 2, this member's IDs)" put_response_ok "$F" "$SEQ"
request "$L" 'txn { compare { result: EQUAL target: VALUE key: "k1" value: "v1" } success { request_put { key: "k2" value: "v2" prev_kv: true } } success { request_range { key: "k" range_end: "l" } } failure { request_delete_range { key: "k1" } } }'
check "a txn through the leader succeeds" wait_for 10 result_ok "$L" "$SEQ"
txn=$(decode "$L" "$SEQ" TxnResponse | tr -d ' \n')
check "its responses: the put, then a range of k1 and k2 at revision 3" eval \
	'[[ "$txn" == *"succeeded:true"* && "$txn" == *"response_put{header{revision:3}}"* && "$txn" == *"key:\"k1\""*"key:\"k2\""*"count:2"* ]]'
request "$F" 'put { key: "k3" value: "v3" lease: 12345 }'
check "a put naming a missing lease: etcd's error" wait_for 10 grep -q "^result $SEQ CAIRN_ELEASENOTFOUND$" "$R/$F.out"

# Crash safety: 300 puts in waves; the victim's stored killed 4 times.
victim=$F
kills=0
opens() { grep -c '"msg":"opened the store"' "$T/$victim.log"; }
for wave in $(seq 1 6); do
	for k in $(seq 1 50); do fast_put "$L" "w$wave-$k" "value-$wave-$k"; done
	sleep 0.$((RANDOM % 4 + 1))
	# Each kill hits a stored that opened its store and is applying.
	if [ $kills -lt 4 ] && wait_for 5 eval '[ "$(opens)" -gt $kills ]'; then
		kill -9 "$(member_child "$victim" stored)" 2>/dev/null && kills=$((kills + 1))
	fi
done
request "$L" 'put { key: "done" value: "1" }'
check "after 300 puts and 4 kills of a stored, the last put is answered" wait_for 30 result_ok "$L" "$SEQ"
rev=$(decode "$L" "$SEQ" PutResponse | awk '/revision:/ {print $2}')
check "the killed stored was restarted and resumed ($kills kills)" wait_for 5 \
	eval '[ $kills -eq 4 ] && [ "$(opens)" -ge $((kills + 1)) ]'
sleep 1
for n in $NAMES; do kill -TERM "${PID[$n]}"; done
for n in $NAMES; do wait_for 10 dead "${PID[$n]}"; PID[$n]=; done
for n in $NAMES; do "$B/tests/integration/store_hash" "$T/$n" --rev "$rev" >"$T/$n.hash" 2>&1; done
diag "$(for n in $NAMES; do echo "$n: $(cat "$T/$n.hash")"; done | tr '\n' ';')"
check "every member's HashKV at revision $rev is the same" \
	eval '[ "$(cut -d" " -f6-8 "$T"/m?.hash | sort -u | wc -l)" -eq 1 ] && grep -q "^rev $rev " "$T/m1.hash"'
# Members that applied the same entries (the same index) hold the same
# store: etcd's Hash of the whole of it agrees.
last=$(cut -d" " -f4 "$T"/m?.hash | sort -n | tail -1)
check "members at the same applied index have the same Hash (index $last)" \
	eval '[ "$(grep -l "index $last " "$T"/m?.hash | wc -l)" -ge 2 ] &&
	[ "$(grep "index $last " "$T"/m?.hash | cut -d" " -f10 | sort -u | wc -l)" -eq 1 ]'
check "no process crashed or tripped a sanitizer" no_crashes
finish
