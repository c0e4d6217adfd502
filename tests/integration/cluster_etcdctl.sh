#!/bin/bash
# Tests: the Cluster service's MemberList against cairn and the real etcd
# 3.4 side by side (tests/integration/etcd_lib.sh): the bootstrap member
# (its ID, --name and peer URLs, written by stored into a new store) and
# the client URLs netd publishes through Raft, in every output format of
# etcdctl and through the JSON gateway; published again by a restarted
# netd, kept across a restart of the whole member; several
# --advertise-client-urls listed sorted, as etcd holds them. MemberAdd
# (learners), MemberPromote, MemberUpdate and MemberRemove with etcd's
# answers and refusals, by etcdctl and the gateway; the changed members
# kept across restarts.
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

# Members added here get IDs from the time they were added (etcd's
# NewMember), so each server's differ: the K-th added on a server is
# masked as NEWK, in hex and in decimal, and lists are sorted by name
# and peer URLs rather than by ID.
record_id() {
	local out id
	out=$(cat)
	id=$(printf '%s\n' "$out" | sed -nE 's/^Member +([0-9a-f]+) added.*/\1/p')
	[ -n "$id" ] || id=$(printf '%s\n' "$out" |
		sed -nE 's/.*"member":\{"ID":"([0-9]+)".*/\1/p' | xargs -r printf '%x')
	[ -z "$id" ] || echo "$id" >>"$T/ids.$PORT"
}
masked() {
	local k=0 id script=
	while read -r id; do
		k=$((k + 1))
		script="$script; s/\b$id\b/NEW$k/g; s/\b$(printf '%u' "0x$id")\b/NEW$k/g"
	done < <(cat "$T/ids.$PORT" 2>/dev/null)
	sed -E "s/^//$script"
}
# etcdctl lists ETCD_INITIAL_CLUSTER in the answer's order (by ID):
# sorted here.
sort_cluster() {
	local line v
	while IFS= read -r line; do
		case $line in
		ETCD_INITIAL_CLUSTER=*)
			v=${line#*=\"}
			v=${v%\"}
			printf 'ETCD_INITIAL_CLUSTER="%s"\n' "$(printf '%s\n' "${v//,/$'\n'}" | sort | paste -sd,)"
			;;
		*) printf '%s\n' "$line" ;;
		esac
	done
}
madd() {
	local out rc
	out=$(ctl member add "$@" 2>&1)
	rc=$?
	printf '%s\n' "$out" | record_id
	printf '%s\n' "$out" | masked | sort_cluster
	return $rc
}
# nth K: the K-th member added on this server.
nth() { sed -n "${1}p" "$T/ids.$PORT"; }
# by_url URL: the ID of the member with that peer URL.
by_url() { ctl member list | awk -F', ' -v u="$1" '$4 == u { print $1 }'; }
mdo() {
	local verb=$1 id=$2 out rc
	shift 2
	out=$(ctl member "$verb" "$id" "$@" 2>&1)
	rc=$?
	printf '%s\n' "$out" | masked
	return $rc
}
mlist() { ctl member list | masked | sort; }
# by_name: JSON with its "members" sorted by name and peer URLs (not by
# ID); anything else as it is.
by_name() {
	python3 -c 'import json, sys
text = sys.stdin.read()
try:
    d = json.loads(text)
except ValueError:
    sys.stdout.write(text)
    sys.exit(0)
if isinstance(d, dict) and isinstance(d.get("members"), list):
    d["members"].sort(key=lambda m: (m.get("name", ""), m.get("peerURLs", [])))
print(json.dumps(d, separators=(",", ":")))'
}
mjson() { ctl member list -w json | by_name | masked; }
gwm() {
	local out
	out=$(curl -s -d "$2" "http://127.0.0.1:$PORT/v3/cluster/member/$1" |
		sed -E 's/"raft_term":"[0-9]+"/"raft_term":"TERM"/')
	printf '%s\n' "$out" | record_id
	printf '%s\n' "$out" | by_name | masked
}
BOOT=8e9e05c52164694d
same madd l1 --peer-urls http://127.0.0.1:1 --learner
same mlist
same mjson
same eval 'ctl member list -w table | masked | sort'
same madd l2 --peer-urls http://127.0.0.1:2 --learner
same madd v --peer-urls http://localhost:2380
same madd v --peer-urls http://127.0.0.1:9,http://127.0.0.1:1
same gwm add '{"peerURLs":["foo"]}'
same gwm add '{"peerURLs":[]}'
same eval 'mdo promote "$(nth 1)"'
same mdo promote $BOOT
same eval 'mdo update "$(nth 1)" --peer-urls http://127.0.0.1:4,http://127.0.0.1:5'
# etcd 3.4's MemberUpdate also clears the learner flag in its members
# table, while Raft keeps the member a learner (promoting it is then
# refused); cairn keeps the flag: the lists are compared without it.
same eval 'mlist | cut -d, -f1-5'
PORT=$CP
[ "$SIDE_B_SERVER" != cairn ] ||
	check "the updated learner is still a learner" eval 'mlist | grep -q "^NEW1, .*, true$"'
same mdo update $BOOT --peer-urls http://127.0.0.1:4
same eval 'mdo remove "$(by_url http://127.0.0.1:4)"'
same eval 'mdo remove "$(nth 1)"'
same eval 'mdo update "$(nth 1)" --peer-urls http://127.0.0.1:6'
same eval 'mdo promote "$(nth 1)"'
same mdo remove 1234
same mlist
same gwm add '{"peerURLs":["http://127.0.0.1:7"],"isLearner":true}'
same gwm list '{}'
same gwm remove '{"ID":"1"}'
# What follows looks into cairn's log and processes.
if [ "$SIDE_B_SERVER" != cairn ]; then
	finish_side_by_side
	exit
fi
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
republished() { [ "$(grep -c 'published local member to cluster through raft' "$LOG")" = 2 ]; }
check "... published by the new netd" wait_for 10 republished

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
