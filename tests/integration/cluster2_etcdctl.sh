#!/bin/bash
# Tests: etcdctl's commands on a cluster of two members, against cairn and
# the real etcd 3.4 side by side (tests/integration/etcd_lib.sh): each
# side's member gets a learner that joins (a second etcd, or a second
# cairn), which member promote makes a voter, in each output format
# (etcdctl 3.4 prints the simple one and ends the others in a nil
# dereference, after the promotion); then move-leader to it and back
# (from an endpoint that does not lead: etcdctl's "no leader endpoint"),
# endpoint status, health and hashkv and defrag over --cluster, member
# list. Run with cairnctl too (ctl_cluster2_cairn.sh, ctl_cluster2_etcd.sh).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/etcd_lib.sh"

BOOT=8e9e05c52164694d
NORM=$S/tests/integration/ctl_norm.py
declare -A PEER_OF=([$EP]=$EPP [$CP]=$CPP) KIND=([$EP]=etcd [$CP]=$SIDE_B_SERVER)
declare -A JOINED JOINED_CLIENT
JOINER_PIDS=
trap 'for p in $JOINER_PIDS; do { kill -9 $(pgrep -P "$p") "$p"; wait "$p"; } 2>/dev/null; done
	stop_all; stop_etcd; [ -z "$ETCD2_PID" ] || { kill -9 "$ETCD2_PID"; wait "$ETCD2_PID"; } 2>/dev/null
	rm -rf "$T"' EXIT

mask() {
	sed -E 's/"(dbSize|dbSizeInUse|raftIndex|raftAppliedIndex|revision)":[0-9]+/"\1":N/g;
		s/"(DBSize|RaftIndex|RaftAppliedIndex|Revision)" : [0-9]+/"\1" : N/;
		s/took = .*/took = T/; s/"took":"[^"]*"/"took":"T"/g; s/127\.0\.0\.1:[0-9]+/ENDPOINT/g'
}
# status CMD...: endpoint status's simple lines, the store's size and the
# Raft term and indexes masked; tab COLS CMD...: a table, columns masked.
status() {
	"$@" | awk -F', ' -v OFS=', ' '{ $4 = "N"; $7 = "N"; $8 = "N"; $9 = "N"; print }'
	return "${PIPESTATUS[0]}"
}
tab() {
	local cols=$1
	shift
	"$@" | python3 "$NORM" table $cols
	return "${PIPESTATUS[0]}"
}
# Added members get IDs of their own on each server: masked as NEW1...
ids() { "$CTL_BIN" --endpoints "127.0.0.1:$PORT" member list 2>/dev/null |
	awk -F', ' -v boot=$BOOT '$1 != boot { print $1 }'; }
# mx CMD...: CMD's output with the added members' IDs masked, sorted
# (the order of members, and of answers from two endpoints, is not the
# same on both sides), and the leader's and the Raft's numbers masked.
mx() {
	local rc
	"$@" >"$T/x.out" 2>"$T/x.err"
	rc=$?
	ids >>"$T/ids.$PORT"
	awk '!seen[$0]++' "$T/ids.$PORT" >"$T/ids.$PORT.u"
	python3 "$NORM" ids $(cat "$T/ids.$PORT.u") <"$T/x.out" | mask | sort
	python3 "$NORM" ids $(cat "$T/ids.$PORT.u") <"$T/x.err" | mask | sort >&2
	return $rc
}
panicky() {
	local rc
	"$@" 2>"$T/p.err"
	rc=$?
	sed '/^\[signal /,$d' "$T/p.err" >&2
	return $rc
}
# byname NAME: the ID of member NAME on this side.
byname() { "$CTL_BIN" --endpoints "127.0.0.1:$PORT" member list 2>/dev/null |
	awk -F', ' -v n="$1" '$3 == n { print $1 }'; }
applied() { "$CTL_BIN" --endpoints "127.0.0.1:$1" endpoint status -w json 2>/dev/null |
	sed -nE 's/.*"raftAppliedIndex":([0-9]+).*/\1/p'; }
# join NAME: on both sides, member add NAME as a learner and start it
# (etcd's flags for a member that joins), then wait until it has applied
# what its leader has.
join() {
	local n=$1 out cluster pp cp pid
	for PORT in "$EP" "$CP"; do
		read -r pp cp < <(free_port 2 | paste -sd' ')
		out=$("$CTL_BIN" --endpoints "127.0.0.1:$PORT" member add "$n" \
			--peer-urls "http://127.0.0.1:$pp" --learner 2>&1)
		cluster=$(printf '%s\n' "$out" | sed -nE 's/^ETCD_INITIAL_CLUSTER="(.*)"$/\1/p')
		[ -n "$cluster" ] || { printf '%s\n' "$out" | sed 's/^/# /'; return 1; }
		set -- --name "$n" --data-dir "$T/$n.$PORT" --initial-cluster "$cluster" \
			--initial-cluster-state existing --initial-advertise-peer-urls "http://127.0.0.1:$pp" \
			--listen-peer-urls "http://127.0.0.1:$pp" --listen-client-urls "http://127.0.0.1:$cp" \
			--advertise-client-urls "http://127.0.0.1:$cp"
		if [ "${KIND[$PORT]}" = etcd ]; then
			"$ETCD_BIN" "$@" >"$T/$n.$PORT.log" 2>&1 &
		else
			"$B/cairn" "$@" 2>"$T/$n.$PORT.log" &
		fi
		pid=$!
		JOINER_PIDS="$JOINER_PIDS $pid"
		JOINED[$n.$PORT]=$pid
		JOINED_CLIENT[$n.$PORT]=$cp
	done
	for PORT in "$EP" "$CP"; do
		cp=${JOINED_CLIENT[$n.$PORT]}
		wait_for 30 eval '[ -n "$(applied "$cp")" ] && [ "$(applied "$cp")" = "$(applied "$PORT")" ]' ||
			return 1
	done
}
# leave NAME: remove the member on both sides, stop its process. etcd
# refuses to remove a voter until the others have been connected for 5 s
# ("unhealthy cluster"): tried again until then.
removed() { "$CTL_BIN" --endpoints "127.0.0.1:$PORT" member remove "$(byname "$1")" >/dev/null 2>&1; }
leave() {
	local n=$1 pid
	for PORT in "$EP" "$CP"; do
		wait_for 15 removed "$n" || return 1
		pid=${JOINED[$n.$PORT]}
		kill -9 $(pgrep -P "$pid") "$pid" 2>/dev/null
		wait "$pid" 2>/dev/null
	done
	return 0
}

# The members' peer URLs as they listen (etcd's default advertises
# localhost:2380, which a joining member would dial).
for PORT in "$EP" "$CP"; do
	check "the first member's peer URL ($PORT)" eval '"$CTL_BIN" --endpoints "127.0.0.1:$PORT" \
		member update $BOOT --peer-urls "http://127.0.0.1:${PEER_OF[$PORT]}" >/dev/null'
done

for f in json fields protobuf table simple; do
	check "a learner joins both ($f)" join "l$f"
	same mx ctl member list
	same eval 'mx panicky ctl member promote "$(byname l'$f')" -w '$f
	same mx ctl member list
	[ "$f" = simple ] || check "... and leaves" leave "l$f"
done

# Two voters: the leader moved to the other and back.
PORT=$EP
same mx status ctl endpoint status --cluster
same mx tab "2 4 7 8 9" ctl endpoint status --cluster -w table
same mx ctl endpoint hashkv --cluster
same mx ctl endpoint health --cluster
same mx ctl defrag --cluster
same eval 'mx ctl move-leader "$(byname lsimple)"'
same mx ctl move-leader "$BOOT"
same mx ctl endpoint status --cluster -w fields
both() {
	local bin=$CTL_BIN
	[ "$PORT" != "$CP" ] || bin=$SIDE_B_CTL
	"$bin" --endpoints "127.0.0.1:$PORT,127.0.0.1:${JOINED_CLIENT[lsimple.$PORT]}" \
		--command-timeout 5s "$@"
}
same mx both move-leader "$BOOT"
same mx both move-leader "$BOOT" -w json
same mx tab 1 ctl member list -w table

finish_side_by_side
