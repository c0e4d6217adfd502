#!/bin/bash
# Tests: membership changes on three real cairn members (MemberAdd,
# MemberUpdate, MemberPromote, MemberRemove through Raft): a learner added
# through a follower (the change forwarded to the leader) is listed by
# every member, its URLs updated, its promotion refused while it is not
# in sync (through a follower too: the leader's refusal comes back), its
# removal seen everywhere; etcd's refusals (too many
# learners, member not found, Peer URLs already exists); the strict
# reconfiguration check of etcd (unstarted voters may not outnumber what
# quorum needs) and --strict-reconfig-check=false lifting it; admin
# rights asked when auth is on; the changes kept across a restart; a
# removed member told so, stopping for good as etcd's does.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/members_lib.sh"

spare=($(free_port 8))
url() { echo "http://127.0.0.1:${spare[$1]}"; }
# ctle MEMBER ARGS...: etcdctl's stdout and stderr, for its errors.
ctle() {
	local n=$1; shift
	timeout 20 etcdctl --endpoints "127.0.0.1:${CLIENT[$n]}" --command-timeout 3s \
		--dial-timeout 2s "$@" 2>&1
}
# says MEMBER TEXT ARGS...: etcdctl's output holds TEXT.
says() {
	local n=$1 text=$2 out
	shift 2
	out=$(ctle "$n" "$@")
	printf '%s\n' "$out" | grep -qF -- "$text" || { printf '%s\n' "$out" | sed 's/^/# /'; return 1; }
}
# added MEMBER ARGS...: adds a member, sets NEW to its ID.
added() {
	local out
	out=$(ctle "$@")
	NEW=$(printf '%s\n' "$out" | sed -nE 's/^Member +([0-9a-f]+) added to cluster.*/\1/p')
	[ -n "$NEW" ] || { printf '%s\n' "$out" | sed 's/^/# /'; return 1; }
}
# listed_all LINE: every running member lists LINE (member list's simple
# format).
listed_all() {
	for n in $NAMES; do
		[ -z "${SUP[$n]}" ] && continue
		ctl "$n" member list | grep -qxF -- "$1" || return 1
	done
}
# unlisted_all ID: no running member lists ID.
unlisted_all() {
	for n in $NAMES; do
		[ -z "${SUP[$n]}" ] && continue
		ctl "$n" member list >"$T/list" || return 1
		! grep -q "^$1, " "$T/list" || return 1
	done
}
hexid() { printf '%x' "$(ctl "$1" endpoint status -w json | sed 's/.*"member_id":\([0-9]*\).*/\1/')"; }

for n in $NAMES; do start_member "$n"; done
check "three members elect one leader" wait_for 20 one_leader
check "the leader is known" pick_leader
O=$(for n in $NAMES; do [ "$n" != "$L" ] && [ "$n" != "$F" ] && echo "$n"; done)

# A learner, added through a follower.
check "a learner added through a follower ($F)" added "$F" member add l1 \
	--peer-urls "$(url 0)" --learner
L1=$NEW
check "... is listed by every member, unstarted" wait_for 10 listed_all \
	"$L1, unstarted, , $(url 0), , true"
check "a second learner is refused" says "$L" \
	"Error: etcdserver: too many learner members in cluster" member add l2 --peer-urls "$(url 1)" --learner
check "a member with a URL already used is refused" says "$F" \
	"Error: etcdserver: Peer URLs already exists" member add l2 --peer-urls "$(url 7),$(url 0)"
check "the learner's URLs updated through a follower" says "$O" \
	"$L1 updated in cluster" member update "$L1" --peer-urls "$(url 1),$(url 2)"
check "... seen by every member" wait_for 10 listed_all \
	"$L1, unstarted, , $(url 1),$(url 2), , true"
check "its promotion is refused while it is not in sync" says "$L" \
	"Error: etcdserver: can only promote a learner member which is in sync with leader" \
	member promote "$L1"
check "... and through a follower (the leader's refusal comes back)" says "$F" \
	"Error: etcdserver: can only promote a learner member which is in sync with leader" \
	member promote "$L1"
check "a voter's promotion is refused" says "$L" \
	"Error: etcdserver: can only promote a learner member" member promote "$(hexid "$F")"
check "the learner removed through a follower" says "$F" \
	"$L1 removed from cluster" member remove "$L1"
check "... listed by no member" wait_for 10 unlisted_all "$L1"
check "removing it again: member not found" says "$O" \
	"Error: etcdserver: member not found" member remove "$L1"
check "updating it: member not found" says "$L" \
	"Error: etcdserver: member not found" member update "$L1" --peer-urls "$(url 3)"

# etcd's strict reconfiguration check: with 3 started voters, two more
# that never start may join (5 voters, quorum 3), a third may not
# (quorum 4), nor may a started one leave (4 voters, 2 started).
check "an unstarted voter added" added "$L" member add v1 --peer-urls "$(url 3)"
V1=$NEW
check "a second unstarted voter added" added "$F" member add v2 --peer-urls "$(url 4)"
V2=$NEW
check "a third is refused: not enough started members" says "$L" \
	"Error: etcdserver: re-configuration failed due to not enough started members" \
	member add v3 --peer-urls "$(url 5)"
check "removing a started voter is refused" says "$F" \
	"Error: etcdserver: re-configuration failed due to not enough started members" \
	member remove "$(hexid "$O")"
check "the cluster still writes" eval '[ "$(ctl "$F" put k1 v1)" = OK ]'
check "the unstarted voters removed" eval \
	'says "$L" "removed from cluster" member remove "$V1" && says "$O" "removed from cluster" member remove "$V2"'
check "... listed by no member" wait_for 10 eval 'unlisted_all "$V1" && unlisted_all "$V2"'

# Changes kept: a member restarted lists the same members.
ctl "$L" member list >"$T/before"
stop_member "$O"
start_member "$O"
relisted() { ctl "$O" member list >"$T/after" && cmp -s "$T/before" "$T/after"; }
check "a restarted member lists the same members" wait_for 20 relisted

# Auth on: membership changes need the root role.
ctl "$L" user add root:rootpw >/dev/null
ctl "$L" user add u:upw >/dev/null
ctl "$L" auth enable >/dev/null
check "with auth on, no user: user name is empty" says "$F" \
	"Error: etcdserver: user name is empty" member add l3 --peer-urls "$(url 6)" --learner
check "a user without the root role: permission denied" says "$F" \
	"Error: etcdserver: permission denied" --user u:upw member add l3 --peer-urls "$(url 6)" --learner
check "root adds a learner" added "$F" --user root:rootpw member add l3 --peer-urls "$(url 6)" --learner
check "root removes it" says "$L" "removed from cluster" --user root:rootpw member remove "$NEW"
ctl "$L" --user root:rootpw auth disable >/dev/null

# A started voter removed: told so by the others, it stops for good
# (status 0) with etcd's words, as etcd does; restarted from its data
# dir, it stops again; the two left serve.
OID=$(hexid "$O")
check "a started voter ($O) removed" says "$L" "$OID removed from cluster" member remove "$OID"
stopped() { ! kill -0 "${SUP[$O]}" 2>/dev/null; }
check "... stops" wait_for 15 stopped
wait "${SUP[$O]}"
check "... with status 0" test $? = 0
SUP[$O]=
check "... saying why, as etcd" eval \
	'grep -q "\"msg\":\"server error\".*\"error\":\"the member has been permanently removed from the cluster\"" "$T/$O.log" &&
	grep -q "\"msg\":\"data-dir used by this member must be removed\"" "$T/$O.log"'
check "the two left serve" eval '[ "$(ctl "$F" put k3 v3)" = OK ]'
start_member "$O"
check "restarted, the removed member stops again" wait_for 15 stopped
wait "${SUP[$O]}"
SUP[$O]=
NAMES=$(for n in $NAMES; do [ "$n" != "$O" ] && echo "$n"; done)

# --strict-reconfig-check=false lifts the check (last: the cluster may
# then lose quorum, as etcd's would). With two started voters, one that
# never starts may join (3 voters, quorum 2), a second may not.
stop_member "$F"
PEER_FLAGS="--strict-reconfig-check=false" start_member "$F"
check "the restarted member ($F) serves" wait_for 20 eval '[ "$(ctl "$F" put k2 v2)" = OK ]'
check "an unstarted voter added" added "$L" member add v1 --peer-urls "$(url 3)"
check "a second is refused by the check" says "$L" \
	"Error: etcdserver: re-configuration failed due to not enough started members" \
	member add v2 --peer-urls "$(url 4)"
check "with --strict-reconfig-check=false, it is accepted" added "$F" member add v2 \
	--peer-urls "$(url 4)"

finish_members
