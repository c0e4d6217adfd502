#!/bin/bash
# Tests: Raft's InstallSnapshot between real members (netd/peer_snap.h,
# stored/snap_stage.h). With --snapshot-count 10 and
# --experimental-snapshot-catchup-entries 3, a member that misses more
# than a few entries can only catch up from the leader's snapshot:
# - its raftd stopped while 41 keys are written (800 KiB: more than the
#   ring from its netd holds): once it runs again, it installs the
#   leader's snapshot, holds every key, hashes as the others, and a watch
#   its netd and stored served throughout gets each event, once, in order;
# - the member killed while keys are written, deleted, compacted and a
#   lease granted: restarted (with a smaller ring than the leader's), it
#   installs a snapshot again and ends with
#   the leader's revision, compaction, hash and lease;
# - hostile peers: a snapshot message without its data, a part out of
#   order, a junk snapshot are each refused with the connection closed,
#   nothing staged, and the cluster serves on.
# With SNAP_TLS set (snapshot_install_tls.sh), the members speak TLS to
# each other (the snapshot's parts through TLS's filter) and the hostile
# peers, which speak plain TCP, are left out.
. "$(dirname "$0")/lib.sh"
FLAGS="--snapshot-count 10 --experimental-snapshot-catchup-entries 3 --max-request-bytes 65536"
if [ -n "${SNAP_TLS:-}" ]; then
	. "$(dirname "$0")/pki_lib.sh"
	signed member member 'subjectAltName=IP:127.0.0.1,DNS:localhost'
	SCHEME=https
	HEARTBEAT_MS=100
	ELECTION_MS=1000
	FLAGS="$FLAGS --peer-cert-file $P/member.crt --peer-key-file $P/member.key
		--peer-trusted-ca-file $P/ca.crt --peer-client-cert-auth"
fi
PEER_FLAGS="$FLAGS --ipc-ring-bytes 262144"
. "$(dirname "$0")/members_lib.sh"

for n in $NAMES; do start_member "$n"; done
check "three members elect one leader" wait_for 20 one_leader
check "the leader is known" pick_leader
O=$(for n in $NAMES; do [ "$n" != "$L" ] && [ "$n" != "$F" ] && echo "$n"; done)
check "a first key" eval '[ "$(ctl "$L" put k/0 v0)" = OK ]'

# A watch on O, served by O's netd before, during and after the install.
etcdctl --endpoints "127.0.0.1:${CLIENT[$O]}" watch --prefix k/ >"$T/watch.out" 2>&1 &
WATCH=$!
watching() { ctl "$L" put k/w w >/dev/null; grep -qx k/w "$T/watch.out"; }
check "a watch on the member to fall behind sees a put" wait_for 10 watching

# Its raftd stopped, the leader's appends fill the ring from its netd
# (256 KiB): those after are lost, and the log holds them no more.
RAFTD=$(pgrep -P "${SUP[$O]}" -f cairn-raftd)
kill -STOP "$RAFTD"
head -c 20480 /dev/zero | tr '\0' x >"$T/value"
for i in $(seq 1 40); do ctl "$L" put "k/$i" <"$T/value" >/dev/null; done
ctl "$L" put k/41 v41 >/dev/null
check "40 keys of 20 KiB written while the member's raftd was stopped" got "$L" k/41 v41
kill -CONT "$RAFTD"
installs() { grep -c "installed the leader's snapshot" "$T/$O.log"; }
check "the member catches up" wait_for 20 got "$O" k/41 v41
check "... by installing the leader's snapshot" eval '[ "$(installs)" -ge 1 ]'
check "... which the leader sent" eval 'grep -q "sent member [0-9a-f]* a snapshot of" "$T/$L.log"'
check "... and every member hashes the same" wait_for 10 eval '[ "$(hashes | wc -l)" = 1 ]'
events() { grep -x 'k/[0-9]*' "$T/watch.out" | tr '\n' ' '; }
want=$(for i in $(seq 1 41); do printf 'k/%s ' "$i"; done)
check "the watch on it had the 41 events once each, in order" wait_for 10 eval \
	'[ "$(events)" = "$want" ]'
kill "$WATCH" 2>/dev/null
wait "$WATCH" 2>/dev/null

# Killed, then restarted after writes, deletes, a compaction, a lease.
stop_member "$O"
ID=$(ctl "$L" lease grant 600 | awk '{ print $2 }')
check "a lease granted while the member is down" test -n "$ID"
ctl "$L" put --lease="$ID" k/lease l >/dev/null
for i in $(seq 41 60); do ctl "$L" put "k/$i" "v$i" >/dev/null; done
check "keys deleted while it is down" eval '[ "$(ctl "$L" del k/1)" = 1 ]'
REV=$(ctl "$L" endpoint status -w json | sed 's/.*"revision":\([0-9]*\).*/\1/')
check "a compaction while it is down" eval 'ctl "$L" compaction "$REV" | grep -q compacted'
for i in $(seq 61 70); do ctl "$L" put "k/$i" "v$i" >/dev/null; done
before=$(installs)
# Restarted with a smaller ring: the leader's parts (half its ring) go to
# its stored in pieces of half its own.
PEER_FLAGS="$FLAGS --ipc-ring-bytes 131072" start_member "$O"
check "restarted, the member catches up" wait_for 20 got "$O" k/70 v70
check "... by installing a snapshot again" eval '[ "$(installs)" -gt "$before" ]'
check "... the deleted key is gone there" eval '[ -z "$(ctl "$O" get k/1 --consistency=s)" ]'
rev_of() { ctl "$1" endpoint status -w json | sed 's/.*"revision":\([0-9]*\).*/\1/'; }
check "... at the leader's revision" wait_for 10 eval '[ "$(rev_of "$O")" = "$(rev_of "$L")" ]'
check "... with its compaction" eval \
	'timeout 10 etcdctl --endpoints "127.0.0.1:${CLIENT[$O]}" get k/0 --rev 2 --consistency=s 2>&1 | grep -q "required revision has been compacted"'
check "... the same hash everywhere" wait_for 10 eval '[ "$(hashes | wc -l)" = 1 ]'
check "... and the lease, with its key" eval \
	'ctl "$O" lease list | grep -q "$ID" && ctl "$O" get k/lease -w json --consistency=s | grep -q "\"lease\":"'
check "it serves writes as a member" eval '[ "$(ctl "$O" put k/after a)" = OK ]'
check "... seen everywhere" wait_for 10 everywhere k/after a

if [ -n "${SNAP_TLS:-}" ]; then
	check "the snapshots went over TLS" eval 'grep -q "connected to member .* (TLS)" "$T/$L.log"'
	finish_members
	exit
fi
# Hostile peers on a follower's peer port, claiming to be the leader.
pick_leader
mid() { ctl "$1" endpoint status -w json | sed 's/.*"member_id":\([0-9]*\).*/\1/'; }
CID=$(ctl "$L" endpoint status -w json | sed 's/.*"cluster_id":\([0-9]*\).*/\1/')
S=${CAIRN_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}
hostile() { python3 "$S/tests/integration/peer_hostile.py" "${PEER[$F]}" "$1" "$CID" "$(mid "$L")" "$(mid "$F")"; }
check "a snapshot message without its data: disconnected" eval '[ "$(hostile snap-bare)" = closed ]'
check "a snapshot's part not starting at 0: disconnected" eval '[ "$(hostile snap-order)" = closed ]'
check "a junk snapshot: disconnected" eval '[ "$(hostile snap-corrupt)" = closed ]'
check "the follower said why" eval \
	'grep -q "a snapshot message without its data" "$T/$F.log" && grep -q "a snapshot part out of order" "$T/$F.log" && grep -q "its snapshot was refused" "$T/$F.log"'
check "... and staged nothing" eval '[ ! -e "$T/$F/member/db/snap.recv" ]'
check "the cluster still serves" eval '[ "$(ctl "$F" put k/end e)" = OK ]'
check "... and every member hashes the same" wait_for 10 eval '[ "$(hashes | wc -l)" = 1 ]'
finish_members
