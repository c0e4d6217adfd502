#!/bin/bash
# Tests: etcdctl's member, endpoint, alarm, defrag and move-leader
# commands against cairn and the real etcd 3.4 side by side
# (tests/integration/etcd_lib.sh), what cluster_etcdctl.sh and
# maint_etcdctl.sh leave out: every output format (simple, fields, json,
# protobuf, table), --cluster, hashkv --rev, an endpoint that does not
# answer, auth, usage and argument errors, each command's help. Run with
# cairnctl too (ctl_cluster_maint_cairn.sh, ctl_cluster_maint_etcd.sh).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/etcd_lib.sh"

BOOT=8e9e05c52164694d
DEAD=$(free_port)
# What differs between two members that are both right, and is masked:
# the size of the store and the Raft indexes (each store's own; etcd's
# log starts with its bootstrap entries), the time a health check took,
# grpc's words for an endpoint that does not answer (cairnctl's client
# says "context deadline exceeded" where grpc-go names its balancer).
mask() {
	sed -E 's/"(dbSize|dbSizeInUse|raftIndex|raftAppliedIndex)":[0-9]+/"\1":N/g;
		s/"(DBSize|RaftIndex|RaftAppliedIndex)" : [0-9]+/"\1" : N/;
		s/"took":"[^"]*"/"took":"T"/g; s/"Took" : .*/"Took" : T/; s/took = .*/took = T/;
		s/"error":"rpc error: code = DeadlineExceeded desc = [^}]*"\}/"error":"DEADLINE"}/'
}
. "$(dirname "$0")/masks_lib.sh"
# Added members get IDs of their own on each server: mx CMD... runs CMD
# and masks the IDs of every member added so far (NEW1, NEW2... in the
# order first seen, in hex and decimal), lists sorted.
ids() { "$CTL_BIN" --endpoints "${SIDE_EP}127.0.0.1:$PORT" $SIDE_CTL member list 2>/dev/null |
	awk -F', ' -v boot=$BOOT '$1 != boot { print $1 }'; }
mx() {
	local rc
	"$@" >"$T/x.out" 2>"$T/x.err"
	rc=$?
	ids >>"$T/ids.$PORT"
	awk '!seen[$0]++' "$T/ids.$PORT" >"$T/ids.$PORT.u"
	python3 "$NORM" ids $(cat "$T/ids.$PORT.u") <"$T/x.out" | python3 "$NORM" members
	python3 "$NORM" ids $(cat "$T/ids.$PORT.u") <"$T/x.err" >&2
	return $rc
}
# newest: the ID of the member last added on this server.
newest() { ids | tail -n 1; }

same ctl put a 1
same ctl put b 2

# ---- usage and argument errors, help --------------------------------------
same ctl member
same ctl member bogus
same ctl member add
same ctl member add a b http://x HTTP://y ftp://z
same ctl member add a
same ctl member add a --peer-urls=
same ctl member add a --peer-urls http://127.0.0.1:9 --learner=maybe
same ctl member add --bogus a
same ctl member add a --peer-urls http://127.0.0.1:9 -w yaml
same ctl member remove
same ctl member remove zz
same ctl member remove 1 2
same ctl member remove 10000000000000000
same ctl member remove ''
same ctl member update
same ctl member update zz --peer-urls http://127.0.0.1:9
same ctl member update 1
same ctl member promote
same ctl member promote -- -1
same ctl member promote 0x12
same ctl member list --learner
same ctl member list -w yaml
same ctl endpoint
same ctl endpoint bogus
same ctl endpoint status --cluster=maybe
same ctl endpoint hashkv --rev x
same ctl endpoint health -w yaml
same ctl endpoint status -w yaml
same ctl alarm
same ctl alarm list x
same ctl alarm disarm x
same ctl alarm list -w yaml
same ctl defrag -w yaml
same ctl defrag --cluster=x
same ctl move-leader
same ctl move-leader zz
same ctl move-leader 1 2
same ctl move-leader 1ffffffffffffffff
same ctl move-leader "$BOOT" -w yaml
for c in "member" "member add" "member list" "member promote" "member remove" "member update" \
	"endpoint" "endpoint health" "endpoint status" "endpoint hashkv" "alarm" "alarm list" \
	"alarm disarm" "defrag" "move-leader"; do
	same ctl $c --help
done
same ctl member remove -h
same ctl endpoint --cluster health --help

# ---- member -----------------------------------------------------------------
same mx ctl member add l1 --peer-urls http://127.0.0.1:11 --learner -w json
same mx ctl member list -w fields
same mx ctl member list -w json
same mx pb MemberListResponse ctl member list -w protobuf
same mx tab 1 ctl member list -w table
same eval 'mx ctl member promote "$(newest)" -w json'
same eval 'mx ctl member promote "$(newest)" -w table'
same eval 'mx ctl member remove "$(newest)" -w json'
same mx pb MemberAddResponse ctl member add l2 --peer-urls http://127.0.0.1:21 --learner -w protobuf
same eval 'mx pb MemberRemoveResponse ctl member remove "$(newest)" -w protobuf'
same mx ctl member add l3 --peer-urls http://127.0.0.1:31 --learner -w fields
same eval 'mx ctl member remove "$(newest)" -w fields'
same mx ctl member add l4 --peer-urls http://127.0.0.1:41 --learner -w table
same eval 'mx ctl member remove "$(newest)" -w table'
# Updates of the bootstrap member (etcd 3.4 would drop a learner's flag
# from its answer, cairn not: see cluster_etcdctl.sh); a single member
# does not use its peer URLs.
same mx ctl member update "$BOOT" --peer-urls http://127.0.0.1:12,http://127.0.0.1:13 -w json
same mx pb MemberUpdateResponse ctl member update "$BOOT" --peer-urls http://127.0.0.1:14 -w protobuf
same mx ctl member update "$BOOT" --peer-urls http://127.0.0.1:15 -w fields
same mx ctl member update "$BOOT" --peer-urls http://127.0.0.1:16 -w table
same mx ctl member update "$BOOT" --peer-urls http://localhost:2380
# Names and URLs as Go's %q writes them; every peer URL of every member.
same mx ctl member add 'n"a\mé	x' --peer-urls http://127.0.0.1:51,http://127.0.0.1:52 --learner
same mx ctl member list
same eval 'mx ctl member remove "$(newest)"'
# Peer URLs etcd takes or refuses (a learner: a second voting member
# that never starts would cost the quorum).
for u in http://127.0.0.1:61,,http://127.0.0.1:62 'http://127.0.0.1:61 ' unix://127.0.0.1:63 \
	127.0.0.1:64 https://[::1]:65; do
	same mx ctl member add v --peer-urls "$u" --learner
	same eval 'mx ctl member remove "$(newest)"'
done
same mx ctl member list

# ---- endpoint -----------------------------------------------------------------
same status ctl endpoint status
same status ctl endpoint status --cluster
same m ctl endpoint status -w json
same m ctl endpoint --cluster status -w json
same m ctl endpoint status -w fields
same tab "4 7 8 9" ctl endpoint status -w table
same tab "4 7 8 9" ctl endpoint status -w table --cluster
same ctl endpoint status -w protobuf
same m ctl endpoint health
same m ctl endpoint health --cluster
same m ctl endpoint health -w json
same m ctl endpoint health -w fields
same tab 3 ctl endpoint health -w table
same tab 3 ctl endpoint health -w table --cluster
same m ctl endpoint health -w protobuf
same ctl endpoint hashkv
same ctl endpoint hashkv --cluster
same ctl endpoint hashkv -w fields
same ctl endpoint hashkv -w json --rev 2
same ctl endpoint hashkv -w table
same ctl endpoint hashkv -w protobuf
same ctl endpoint hashkv --rev 99
same ctl compaction 2
same ctl endpoint hashkv --rev 1
same ctl endpoint hashkv --rev 3 -w table
# An endpoint that does not answer, beside one that does.
same status ctl --command-timeout 1s --endpoints "127.0.0.1:$DEAD" endpoint status
same m ctl --command-timeout 1s --endpoints "127.0.0.1:$DEAD" endpoint status -w json
same m ctl --command-timeout 1s --endpoints "127.0.0.1:$DEAD" endpoint hashkv -w table
same m ctl --command-timeout 1s --endpoints "127.0.0.1:$DEAD" endpoint health
same tab 3 ctl --command-timeout 1s --endpoints "127.0.0.1:$DEAD" endpoint health -w table
same m ctl --command-timeout 1s --endpoints "127.0.0.1:$DEAD" endpoint health -w json
same m ctl --command-timeout 1s --endpoints "127.0.0.1:$DEAD" defrag
same m ctl --command-timeout 1s --endpoints "127.0.0.1:$DEAD" move-leader "$BOOT"
dead_first() {
	local bin=$CTL_BIN
	[ "$PORT" != "$CP" ] || bin=$SIDE_B_CTL
	"$bin" --endpoints "127.0.0.1:$DEAD,127.0.0.1:$PORT" --command-timeout 1s "$@"
}
same m dead_first move-leader "$BOOT"
same m dead_first endpoint status --cluster -w json
same m dead_first member list

# ---- alarm, defrag, move-leader -------------------------------------------------
same ctl alarm list
same ctl alarm list -w json
same panicky ctl alarm list -w fields
same pb AlarmResponse ctl alarm list -w protobuf
same ctl alarm list -w table
same ctl alarm disarm
same ctl alarm disarm -w json
same panicky ctl alarm disarm -w fields
same ctl alarm disarm -w table
same ctl defrag
same ctl defrag -w json
same ctl defrag --cluster
same ctl move-leader "$BOOT"
same ctl move-leader "$BOOT" -w json
same pb MoveLeaderResponse ctl move-leader "$BOOT" -w protobuf
same ctl move-leader "$BOOT" -w fields
same ctl move-leader "$BOOT" -w table
same ctl move-leader 1
same ctl move-leader 0
if [ "$(basename "$SIDE_B_CTL")" = cairnctl ]; then
	# etcdctl defragments a stopped etcd's bbolt file; cairn's store is
	# Berkeley DB: cairnctl says so with etcdctl's words for a failure.
	PORT=$CP
	check "defrag --data-dir: cairnctl cannot, and says so" eval \
		'ctl defrag --data-dir "$T/nodir" 2>&1 | grep -qF "Failed to defragment etcd data[$T/nodir] (cairnctl cannot defragment a data directory offline"'
	check "... exit status 1" eval '! ctl defrag --data-dir "$T/nodir" 2>/dev/null'
fi

# ---- with auth ----------------------------------------------------------------
for PORT in "$EP" "$CP"; do
	"$CTL_BIN" --endpoints "127.0.0.1:$PORT" user add root:root >/dev/null 2>&1
	"$CTL_BIN" --endpoints "127.0.0.1:$PORT" auth enable >/dev/null 2>&1
done
same m ctl --user root:wrong endpoint health
same tab 3 ctl --user root:wrong endpoint health -w table
same m ctl --user root:wrong endpoint health -w json
same m ctl --user root:root endpoint health -w json
same m ctl --user root:wrong endpoint status
same m ctl --user root:root endpoint status --cluster -w json
same m ctl endpoint status -w json
same ctl --user root:root endpoint hashkv --cluster
same ctl --user root:root defrag --cluster
same ctl --user root:root move-leader "$BOOT"
same ctl --user root:wrong move-leader "$BOOT"
same ctl --user root:root alarm list
same ctl member list
same ctl --user root:root member list
for PORT in "$EP" "$CP"; do
	"$CTL_BIN" --endpoints "127.0.0.1:$PORT" --user root:root auth disable >/dev/null 2>&1
done

finish_side_by_side
