#!/bin/bash
# Tests: the Cluster service's MemberList against cairn and the real etcd
# 3.4 side by side (tests/integration/etcd_lib.sh): the bootstrap member
# (its ID, --name and peer URLs, written by stored into a new store) and
# the client URLs netd publishes through Raft, in every output format of
# etcdctl and through the JSON gateway; published again by a restarted
# netd, kept across a restart of the whole member; several
# --advertise-client-urls listed sorted, as etcd holds them.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/etcd_lib.sh"

published() { "$CTL_BIN" --endpoints "127.0.0.1:$CP" member list | grep -q "127.0.0.1:$CP"; }
check "netd publishes the member's client URLs" wait_for 10 published
same ctl member list
same ctl member list -w json
same ctl member list -w table
same ctl member list -w fields
PB=MemberListResponse same ctl member list -w protobuf
gw() {
	curl -s -d '{}' "http://127.0.0.1:$PORT/v3/cluster/member/list" |
		sed -E 's/"raft_term":"[0-9]+"/"raft_term":"TERM"/'
	echo
}
same gw
check "etcd's start-up phrases, once the member is published" eval \
	'grep -q "\"msg\":\"enabled capabilities for version\".*\"cluster-version\":\"3.4\"" "$LOG" &&
	grep -q "\"msg\":\"ready to serve client requests\".*\"address\":\"http://127.0.0.1:$CP\"" "$LOG"'
check "the store wrote the bootstrap member once" \
	test "$(grep -c 'wrote the 1 bootstrap members' "$LOG")" = 1

# A restarted netd publishes again; the list stays as it was.
ctl_list() { "$CTL_BIN" --endpoints "127.0.0.1:$CP" member list -w json | normalise; }
ctl_list >"$T/before"
kill -9 "$NETD_PID"
relisted() { ctl_list >"$T/after" 2>/dev/null && cmp -s "$T/before" "$T/after"; }
check "after netd is killed: the same member list" wait_for 20 relisted
check "... published by the new netd" \
	test "$(grep -c 'published local member to cluster through raft' "$LOG")" = 2

# The whole member restarted: the members come from the store.
stop_all
start_cairn "$B/cairn" --data-dir "$T/cairn" --listen-client-urls "http://127.0.0.1:$CP" \
	--advertise-client-urls "http://127.0.0.1:$CP"
check "after a restart of the member: the same member list" wait_for 20 relisted
check "... and no bootstrap members written again (a new log)" \
	test "$(grep -c 'wrote the 1 bootstrap members' "$LOG")" = 0

# Several advertised client URLs: sorted, as etcd's types.NewURLs sorts.
stop_all
P2=$(free_port)
start_cairn "$B/cairn" --data-dir "$T/two" --listen-client-urls "http://127.0.0.1:$P2" \
	--advertise-client-urls "http://127.0.0.1:$P2,http://127.0.0.0:1,HTTP://localhost:3"
two() { "$CTL_BIN" --endpoints "127.0.0.1:$P2" member list -w json 2>/dev/null; }
check "several client URLs, published sorted" wait_for 20 eval \
	'two | grep -qF "\"clientURLs\":[\"http://127.0.0.0:1\",\"http://127.0.0.1:$P2\",\"http://localhost:3\"]"'

finish_side_by_side
