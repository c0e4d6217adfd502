#!/bin/bash
# Tests: quorum as etcd keeps it, on 3, 5 and 7 real members: with a
# minority down (the leader among them) writes and linearizable reads go
# on; one more down, a write waits for a leader and fails with etcd's
# "context deadline exceeded" (UNKNOWN) after the request timeout
# (5 s + 2 election timeouts), a linearizable read with "etcdserver:
# request timed out" (UNAVAILABLE), while serializable reads answer; a
# write made while there is no leader goes through once one is back;
# the members restarted, every member has every acknowledged write.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/members_lib.sh"

# cluster_of N PREFIX: names, ports and --initial-cluster for N fresh
# members (their data dirs new: a prefix of their own).
cluster_of() {
	local i k=0 ports
	NAMES=$(for i in $(seq 1 "$1"); do printf '%s%s_%s ' "$2" "$1" "$i"; done)
	ports=($(free_port $((2 * $1))))
	for n in $NAMES; do PEER[$n]=${ports[k]}; CLIENT[$n]=${ports[k + 1]}; k=$((k + 2)); done
	CLUSTER=$(for n in $NAMES; do printf '%s=http://127.0.0.1:%s,' "$n" "${PEER[$n]}"; done)
	CLUSTER=${CLUSTER%,}
}
# gw MEMBER PATH BODY: a JSON gateway call (no client retries), its body.
gw() { curl -s -m 30 --data-binary "$3" "http://127.0.0.1:${CLIENT[$1]}$2"; }
no_leader() { curl -s "http://127.0.0.1:${CLIENT[$1]}/metrics" | grep -qx 'etcd_server_has_leader 0'; }
elapsed_under() { [ $(( $(date +%s) - $1 )) -lt "$2" ]; }

for N in 3 5 7; do
	cluster_of "$N" q
	for n in $NAMES; do start_member "$n"; done
	check "$N members elect one leader" pick_leader
	check "$N members: a write" wait_for 10 eval '[ "$(ctl "$F" put k1 v1)" = OK ]'
	# A minority down, the leader among them.
	down=$L
	for n in $NAMES; do
		[ "$(echo $down | wc -w)" -lt $(((N - 1) / 2)) ] || break
		[ "$n" = "$L" ] || down="$down $n"
	done
	for n in $down; do stop_member "$n"; done
	up=$(for n in $NAMES; do case " $down " in *" $n "*) ;; *) echo "$n" ;; esac; done)
	S=$(echo $up | awk '{print $1}')
	check "$N members, $(echo $down | wc -w) down (the leader too): writes go on" \
		wait_for 20 eval '[ "$(ctl "$S" put k2 v2)" = OK ]'
	check "... and linearizable reads" eval '[ "$(ctl "$S" get k2 --print-value-only)" = v2 ]'
	# One more down: no quorum.
	last=$(echo $up | awk '{print $NF}')
	stop_member "$last"
	down="$down $last"
	# Once S knows no leader, requests wait for one.
	check "... one more down: no leader" wait_for 10 no_leader "$S"
	start=$(date +%s)
	gw "$S" /v3/kv/put '{"key":"azM=","value":"djM="}' >"$T/put.$N" &
	putp=$!
	gw "$S" /v3/kv/range '{"key":"azI="}' >"$T/range.$N"
	wait "$putp"
	check "... one more down: a write fails with etcd's \"context deadline exceeded\" (UNKNOWN)" \
		grep -q '"error":"context deadline exceeded",.*"code":2' "$T/put.$N"
	check "... a linearizable read with \"etcdserver: request timed out\" (UNAVAILABLE)" \
		grep -q '"error":"etcdserver: request timed out",.*"code":14' "$T/range.$N"
	check "... both after the request timeout, not the client's 30 s" elapsed_under "$start" 20
	check "... a serializable read answers" \
		eval '[ "$(ctl "$S" get k2 --consistency=s --print-value-only)" = v2 ]'
	# A write waiting for a leader goes through once one is back.
	start=$(date +%s%N)
	gw "$S" /v3/kv/put '{"key":"azQ=","value":"djQ="}' >"$T/put4.$N" &
	putp=$!
	sleep 0.5
	first=$(echo $down | awk '{print $1}')
	start_member "$first"
	wait "$putp"
	diag "the write waiting for a leader answered in $((($(date +%s%N) - start) / 1000000)) ms:" \
		"$(head -c 300 "$T/put4.$N")"
	for n in $down; do [ "$n" = "$first" ] || start_member "$n"; done
	check "... a write made meanwhile succeeds once the members are back" \
		grep -q '"header"' "$T/put4.$N"
	all() { for n in $NAMES; do got "$n" k4 v4 && got "$n" k2 v2 || return 1; done; }
	check "... every member has every acknowledged write" wait_for 20 all
	stop_members
done

# A leader that loses its quorum keeps leading for an election timeout
# (3 s here): a write it takes meanwhile is never committed, and fails
# after the request timeout (5 s + 2 x 3 s) with etcd's "etcdserver:
# request timed out" (UNAVAILABLE).
ELECTION_MS=3000 HEARTBEAT_MS=100
cluster_of 3 slow
for n in $NAMES; do start_member "$n"; done
check "3 members (3 s election timeout) elect one leader" pick_leader
check "... a write" wait_for 10 eval '[ "$(ctl "$L" put k1 v1)" = OK ]'
for n in $NAMES; do [ "$n" = "$L" ] || stop_member "$n"; done
start=$(date +%s)
gw "$L" /v3/kv/put '{"key":"azU=","value":"djU="}' >"$T/put5"
check "both followers down: a write the leader took times out with etcd's error" \
	grep -q '"error":"etcdserver: request timed out",.*"code":14' "$T/put5"
check "... after the request timeout (11 s), not the client's 30 s" elapsed_under "$start" 20
check "... not before" eval '! elapsed_under "$start" 10'
finish_members
