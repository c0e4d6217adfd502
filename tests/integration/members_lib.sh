# Tests: helpers for clusters of three real cairn members on loopback
# (peer.sh, peer_tls.sh). Sourced after lib.sh. SCHEME (http or https)
# names the peer URLs; PEER_FLAGS adds flags to every member;
# HEARTBEAT_MS and ELECTION_MS set the Raft timings.

NAMES="a b c"
declare -A SUP PEER CLIENT
ports=($(free_port 6))
i=0
for n in $NAMES; do PEER[$n]=${ports[i]}; CLIENT[$n]=${ports[i + 1]}; i=$((i + 2)); done
SCHEME=${SCHEME:-http}
PEER_FLAGS=${PEER_FLAGS:-}
CLUSTER=$(for n in $NAMES; do printf '%s=%s://127.0.0.1:%s,' "$n" "$SCHEME" "${PEER[$n]}"; done)
CLUSTER=${CLUSTER%,}

# start_member NAME [bare]: starts a member; "bare" restarts it from its
# data dir alone, without --initial-cluster (etcd allows it: the WAL and
# the store say who the members are).
start_member() {
	local n=$1 boot=
	[ "${2:-}" = bare ] ||
		boot="--initial-cluster $CLUSTER --initial-advertise-peer-urls $SCHEME://127.0.0.1:${PEER[$n]}"
	"$B/cairn" --name "$n" --data-dir "$T/$n" $boot \
		--listen-peer-urls "$SCHEME://127.0.0.1:${PEER[$n]}" \
		--listen-client-urls "http://127.0.0.1:${CLIENT[$n]}" \
		--advertise-client-urls "http://127.0.0.1:${CLIENT[$n]}" \
		--heartbeat-interval "${HEARTBEAT_MS:-50}" --election-timeout "${ELECTION_MS:-500}" \
		$PEER_FLAGS 2>>"$T/$n.log" &
	SUP[$n]=$!
}
# stop_member NAME: kills it, and waits until its children are gone too
# (they hold its ports until they are).
stop_member() {
	local kids p
	kids=$(pgrep -P "${SUP[$1]}" 2>/dev/null)
	kill -9 "${SUP[$1]}" $kids 2>/dev/null
	wait "${SUP[$1]}" 2>/dev/null
	for p in $kids; do wait_for 5 dead "$p"; done
	SUP[$1]=
}
stop_members() { for n in $NAMES; do [ -z "${SUP[$n]}" ] || stop_member "$n"; done; }
trap 'stop_members; rm -rf "$T"' EXIT

export ETCDCTL_API=3
ctl() {
	local n=$1; shift
	timeout 20 etcdctl --endpoints "127.0.0.1:${CLIENT[$n]}" --command-timeout 3s \
		--dial-timeout 2s "$@" 2>/dev/null
}
is_leader() {
	local st
	st=$(ctl "$1" endpoint status -w json) || return 1
	[ "$(printf '%s' "$st" | sed 's/.*"member_id":\([0-9]*\).*/\1/')" = \
		"$(printf '%s' "$st" | sed 's/.*"leader":\([0-9]*\).*/\1/')" ]
}
leaders() { local k=0; for n in "$@"; do is_leader "$n" && k=$((k + 1)); done; echo $k; }
one_leader() { [ "$(leaders $NAMES)" = 1 ]; }
leader() { for n in $NAMES; do is_leader "$n" && echo "$n" && return; done; }
# Sets L to the leader and F to a follower, waiting up to 20 s for them
# (a slow machine, or sanitizers, may hold an election meanwhile).
pick_leader() {
	local end=$((SECONDS + 20))
	while [ $SECONDS -lt $end ]; do
		L=$(leader)
		[ -n "$L" ] && break
		sleep 0.2
	done
	F=$(for n in $NAMES; do [ "$n" != "$L" ] && echo "$n" && break; done)
	[ -n "$L" ]
}
# got MEMBER KEY VALUE: a serializable read on MEMBER finds it.
got() { [ "$(ctl "$1" get "$2" --consistency=s --print-value-only)" = "$3" ]; }
everywhere() { for n in $NAMES; do got "$n" "$1" "$2" || return 1; done; }
hashes() { for n in $NAMES; do ctl "$n" endpoint hashkv -w json | sed 's/.*"hash":\([0-9]*\).*/\1/'; done | sort -u; }

# The last checks and TAP's plan: no process died of a bug, all stopped.
finish_members() {
	check "no cairn process died or tripped a sanitizer" eval \
		'! grep -q "runtime error:\|Sanitizer\|killed by signal 6\|killed by signal 11" "$T"/*.log'
	stop_members
	echo "1..$TAP_N"
	rm -rf "$T"
	[ "$TAP_FAILED" -eq 0 ]
}
