#!/bin/bash
# Tests: members that join a running cluster, as etcd's operators add one:
# `etcdctl member add`, then the new member started with
# --initial-cluster-state existing and the --initial-cluster member add
# printed. It asks the others' peer URLs for the cluster's IDs, starts
# with no membership and gets the leader's snapshot: it serves every key
# already written, its name and client URL are published, its HashKV
# agrees, a write through it reaches the others. A learner joins the
# same way and is promoted once in sync. A joined member restarted from
# its data dir keeps its identity. With one of the first three down, the
# five serve. etcd's errors, exit status 1: no peer URL answers ("cannot
# fetch cluster info from peer urls"), --initial-cluster not matching
# the cluster ("member count is unequal").
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/members_lib.sh"

S=${CAIRN_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}
extra=($(free_port 11))
PEER[d]=${extra[0]}; CLIENT[d]=${extra[1]}
PEER[e]=${extra[2]}; CLIENT[e]=${extra[3]}
PEER[f]=${extra[4]}; CLIENT[f]=${extra[5]}
PEER[g]=${extra[6]}; CLIENT[g]=${extra[7]}
PEER[h]=${extra[8]}; CLIENT[h]=${extra[9]}
ROGUE=${extra[10]}
purl() { echo "http://127.0.0.1:${PEER[$1]}"; }

# start_joiner NAME CLUSTER: starts NAME with --initial-cluster-state
# existing (etcd's flags for a member that joins).
start_joiner() {
	local n=$1
	"$B/cairn" --name "$n" --data-dir "$T/$n" --initial-cluster "$2" \
		--initial-cluster-state existing \
		--initial-advertise-peer-urls "$(purl "$n")" \
		--listen-peer-urls "$(purl "$n")" \
		--listen-client-urls "http://127.0.0.1:${CLIENT[$n]}" \
		--advertise-client-urls "http://127.0.0.1:${CLIENT[$n]}" \
		--heartbeat-interval 50 --election-timeout 500 2>>"$T/$n.log" &
	SUP[$n]=$!
}
# added MEMBER ARGS...: etcdctl member add; ADDED_CLUSTER is the
# ETCD_INITIAL_CLUSTER it prints, NEW the member's ID.
added() {
	local out
	out=$(timeout 20 etcdctl --endpoints "127.0.0.1:${CLIENT[$1]}" --command-timeout 5s \
		"${@:2}" 2>&1)
	NEW=$(printf '%s\n' "$out" | sed -nE 's/^Member +([0-9a-f]+) added to cluster.*/\1/p')
	ADDED_CLUSTER=$(printf '%s\n' "$out" | sed -nE 's/^ETCD_INITIAL_CLUSTER="(.*)"$/\1/p')
	[ -n "$NEW" ] && [ -n "$ADDED_CLUSTER" ] || { printf '%s\n' "$out" | sed 's/^/# /'; return 1; }
}
# listed LINE: member a lists LINE (member list's simple format).
listed() { ctl a member list | grep -qxF -- "$1"; }
hexid() { printf '%x' "$(ctl "$1" endpoint status -w json | sed 's/.*"member_id":\([0-9]*\).*/\1/')"; }
stopped() { ! kill -0 "${SUP[$1]}" 2>/dev/null; }
all_keys() { for i in $(seq 1 30); do got "$1" "k$i" "v$i" || return 1; done; }

for n in $NAMES; do start_member "$n"; done
check "three members elect one leader" wait_for 20 one_leader
check "the leader is known" pick_leader
for i in $(seq 1 30); do ctl "$L" put "k$i" "v$i" >/dev/null; done
check "thirty keys written" got "$L" k30 v30

# A voter joins.
check "member d added" added "$F" member add d --peer-urls "$(purl d)"
D=$NEW
start_joiner d "$ADDED_CLUSTER"
check "d joins and serves every key written before it" wait_for 30 all_keys d
check "d said it joined the running cluster" grep -q '"msg":"joining the running cluster"' "$T/d.log"
check "d has the ID member add gave it" eval '[ "$(hexid d)" = "$D" ]'
check "d's name and client URL are published" wait_for 10 listed \
	"$D, started, d, $(purl d), http://127.0.0.1:${CLIENT[d]}, false"
check "a write through d" eval '[ "$(ctl d put kd vd)" = OK ]'
NAMES="a b c d"
check "... reaches every member" wait_for 10 everywhere kd vd
check "the four members' HashKV agree" wait_for 10 eval '[ "$(hashes | wc -l)" = 1 ]'

# A learner joins, then is promoted.
check "learner e added" added "$L" member add e --peer-urls "$(purl e)" --learner
E=$NEW
start_joiner e "$ADDED_CLUSTER"
check "e joins as a learner and has the keys" wait_for 30 eval 'all_keys e && got e kd vd'
promoted() { ctl "$L" member promote "$E" | grep -q "promoted in cluster"; }
check "e is promoted once in sync" wait_for 20 promoted
check "... listed as a voter" wait_for 10 listed \
	"$E, started, e, $(purl e), http://127.0.0.1:${CLIENT[e]}, false"
NAMES="a b c d e"

# A joined member restarted from its data dir keeps its identity.
stop_member d
start_joiner d "$ADDED_CLUSTER"
check "d restarted serves" wait_for 30 eval '[ "$(ctl d put kd2 vd2)" = OK ]'
check "... with the same ID" eval '[ "$(hexid d)" = "$D" ]'
check "... not asking the cluster again" eval \
	'[ "$(grep -c "\"msg\":\"joining the running cluster\"" "$T/d.log")" = 1 ]'

# Five members: one of the first three down, the others serve.
stop_member a
NAMES="b c d e"
check "with a down, a write through e" wait_for 20 eval '[ "$(ctl e put k5 v5)" = OK ]'
check "... reaches b, c, d, e" wait_for 10 everywhere k5 v5
check "their HashKV agree" wait_for 10 eval '[ "$(hashes | wc -l)" = 1 ]'

# The question's ends, hostile or not. A running member answers with the
# cluster's ID and members, and closes on a question of another version.
CID=$(ctl b endpoint status -w json | sed 's/.*"cluster_id":\([0-9]*\).*/\1/')
join_ask() { python3 "$S/tests/integration/join_peer.py" ask "${PEER[b]}" "$@"; }
check "a join question to b: the cluster and its five members" \
	eval '[ "$(join_ask)" = "cluster $CID members 5" ]'
check "a join question of another version: closed" eval '[ "$(join_ask 9)" = closed ]'
# A member asking a rogue one: each bad answer refused, the member stops.
for kind in garbage nomembers zeroid oversized; do
	python3 "$S/tests/integration/join_peer.py" serve "$ROGUE" "$kind" 15 >"$T/rogue.out" &
	rogue=$!
	wait_for 5 grep -q listening "$T/rogue.out"
	start_joiner h "h=$(purl h),r=http://127.0.0.1:$ROGUE"
	check "a rogue's $kind answer: the member that asked stops" wait_for 20 stopped h
	wait "${SUP[h]}"
	st=$?
	check "... with status 1, having logged the refusal" eval \
		'[ $st = 1 ] && grep -q "\"msg\":\"failed to get cluster response\"" "$T/h.log"'
	SUP[h]=
	kill "$rogue" 2>/dev/null
	wait "$rogue" 2>/dev/null
	rm -rf "$T/h" "$T/h.log"
done

# etcd's errors. No peer URL answers: after its 10 s, exit 1.
start_joiner f "f=$(purl f),z=http://127.0.0.1:${extra[7]}"
check "a member whose peers do not answer stops" wait_for 20 stopped f
wait "${SUP[f]}"
check "... with status 1" test $? = 1
SUP[f]=
check "... and etcd's error" grep -q \
	'"msg":"discovery failed".*"error":"cannot fetch cluster info from peer urls: could not retrieve cluster information from the given URLs"' \
	"$T/f.log"
check "... having written no WAL" test ! -e "$T/f/member/wal"
# A member never added: the cluster lists one member fewer.
start_joiner g "$(for n in b c g; do printf '%s=%s,' "$n" "$(purl "$n")"; done | sed 's/,$//')"
check "a member not added stops" wait_for 20 stopped g
wait "${SUP[g]}"
check "... with status 1" test $? = 1
SUP[g]=
check "... and etcd's error" grep -q \
	'"error":"error validating peerURLs {ClusterID:[0-9a-f]*}: member count is unequal"' "$T/g.log"

finish_members
