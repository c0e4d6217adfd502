#!/bin/bash
# Tests: cairnctl snapshot save, status and restore on a loaded 3-member
# cluster: the file saved is the one etcdctl saves; restored into three
# new data dirs (a new cluster token) it starts a new cluster whose
# HashKV at the snapshot's revision is the source's, with its revisions
# and the flags' membership; a corrupt file, an existing data dir and bad
# usage are refused as etcdctl refuses them, leaving nothing behind.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/members_lib.sh"
CTLX=$B/cairnctl
x() { local n=$1; shift; timeout 60 "$CTLX" --endpoints "127.0.0.1:${CLIENT[$n]}" "$@"; }

for n in $NAMES; do start_member "$n"; done
check "the source cluster elects a leader" wait_for 30 one_leader
for i in $(seq 1 60); do ctl a put "k$i" "v$i" >/dev/null; done
for i in $(seq 1 10); do ctl b del "k$i" >/dev/null; done
ctl c compaction 40 >/dev/null
for i in $(seq 61 80); do ctl c put "k$i" "w$i" >/dev/null; done
REV=$(ctl a get k1 -w json | sed 's/.*"revision":\([0-9]*\).*/\1/')
check "the source is at revision 91 (80 puts, 10 deletes)" test "$REV" = 91

# save: stdout as etcdctl's, the same bytes on disk.
x a snapshot save "$T/s.db" >"$T/save.out" 2>"$T/save.err"
rc=$?
check "snapshot save exits 0 and says where" eval \
	'[ $rc = 0 ] && [ "$(cat "$T/save.out")" = "Snapshot saved at $T/s.db" ]'
check "no .part file is left" test ! -e "$T/s.db.part"
check "it logs etcdctl's six lines" eval '[ "$(grep -c "\"level\":\"info\"" "$T/save.err")" = 6 ]'
ctl a snapshot save "$T/e.db" >/dev/null
check "the file is byte for byte what etcdctl saves" cmp "$T/s.db" "$T/e.db"
check "the file ends with its SHA-256" eval \
	'[ $(( $(stat -c %s "$T/s.db") % 512 )) = 32 ]'

# status, without any server.
x a snapshot status "$T/s.db" -w json >"$T/st.json"
check "snapshot status -w json: etcdctl's fields, the revision" \
	grep -Eq '^\{"hash":[0-9]+,"revision":91,"totalKey":[0-9]+,"totalSize":[0-9]+\}$' "$T/st.json"
hash=$(sed 's/.*"hash":\([0-9]*\).*/\1/' "$T/st.json")
check "simple format: hex hash, revision, keys, size" eval \
	"\"$CTLX\" snapshot status \"$T/s.db\" | grep -Eq \"^$(printf %x "$hash"), 91, [0-9]+, [0-9.]+ [kM]B\$\""
check "fields format" eval "\"$CTLX\" snapshot status \"$T/s.db\" -w fields | grep -qx '\"Revision\" : 91'"

SRC_HASH=$(ctl a endpoint hashkv --rev "$REV" -w json | sed 's/.*"hash":\([0-9]*\).*/\1/')
SRC_CLUSTER=$(ctl a member list -w json | sed 's/.*"cluster_id":\([0-9]*\).*/\1/')
stop_members
for n in $NAMES; do mv "$T/$n" "$T/$n.src"; done

# refusals first: nothing may be left behind.
head -c 100000 "$T/s.db" >"$T/short.db"
x a snapshot restore "$T/short.db" --data-dir "$T/bad1" >/dev/null 2>"$T/err.bad1"
rc=$?
check "a truncated file is refused as etcdctl refuses it" eval \
	'[ $rc = 1 ] && grep -qx "Error: snapshot missing hash but --skip-hash-check=false" "$T/err.bad1"'
check "... leaving no data dir" eval '[ -z "$(ls -d "$T"/bad1* 2>/dev/null)" ]'
cp "$T/s.db" "$T/flip.db"
printf '\x55' | dd of="$T/flip.db" bs=1 seek=5000 conv=notrunc 2>/dev/null
x a snapshot restore "$T/flip.db" --data-dir "$T/bad2" >/dev/null 2>"$T/err.bad2"
rc=$?
check "a file with a changed byte is refused" eval '[ $rc = 1 ] && grep -q "^Error: " "$T/err.bad2"'
check "... leaving no data dir" eval '[ -z "$(ls -d "$T"/bad2* 2>/dev/null)" ]'
mkdir "$T/taken"
x a snapshot restore "$T/s.db" --data-dir "$T/taken" >/dev/null 2>"$T/taken.err"
rc=$?
check "an existing data dir is refused with etcdctl's words" eval \
	"[ \$rc = 1 ] && grep -qx 'Error: data-dir \"$T/taken\" exists' \"$T/taken.err\""

# restore the three members of a new cluster, and start them bare.
for n in $NAMES; do
	x a snapshot restore "$T/s.db" --name "$n" --data-dir "$T/$n" --initial-cluster "$CLUSTER" \
		--initial-cluster-token restored \
		--initial-advertise-peer-urls "http://127.0.0.1:${PEER[$n]}" >/dev/null 2>"$T/r.$n.err"
	rc=$?
	check "restore of member $n exits 0" test $rc = 0
done
for n in $NAMES; do start_member "$n" bare; done
check "the restored cluster elects a leader" wait_for 30 one_leader
for n in $NAMES; do
	h=$(ctl "$n" endpoint hashkv --rev "$REV" -w json | sed 's/.*"hash":\([0-9]*\).*/\1/')
	check "member $n: HashKV at revision $REV is the source's" test "$h" = "$SRC_HASH"
done
check "the history stays: k1 was created at revision 2" eval \
	'ctl b get k1 --rev 41 -w json | grep -q "\"create_revision\":2"'
check "the compaction stays: below 40 is compacted" eval \
	'timeout 20 etcdctl --endpoints "127.0.0.1:${CLIENT[b]}" get k1 --rev 39 2>&1 | grep -q "required revision has been compacted"'
NEW_CLUSTER=$(ctl a member list -w json | sed 's/.*"cluster_id":\([0-9]*\).*/\1/')
check "a new cluster ID (the new token)" eval '[ -n "$NEW_CLUSTER" ] && [ "$NEW_CLUSTER" != "$SRC_CLUSTER" ]'
check "the flags' three members" eval \
	'[ "$(ctl c member list | grep -c ", started, ")" = 3 ]'
check "writes go on from the snapshot's revision" eval \
	'ctl a put after 1 -w json | grep -q "\"revision\":92"'
check "and reach every member" wait_for 10 eval \
	'for n in $NAMES; do ctl $n get after --consistency s | grep -qx 1 || exit 1; done'
stop_members

# usage as etcdctl's
export ETCDCTL_API=3
for args in "snapshot save" "snapshot status" "snapshot restore" "snapshot status $T/nothing" \
	"snapshot save $T/x.db --endpoints 127.0.0.1:1,127.0.0.1:2"; do
	etcdctl $args >"$T/e.out" 2>"$T/e.err"; echo "exit $?" >>"$T/e.out"
	"$CTLX" $args >"$T/c.out" 2>"$T/c.err"; echo "exit $?" >>"$T/c.out"
	check "'$args' as etcdctl" eval 'cmp -s "$T/e.out" "$T/c.out" && cmp -s "$T/e.err" "$T/c.err"'
done
check "no member process died or tripped a sanitizer" eval \
	'! grep -q "runtime error:\|Sanitizer\|exited with status\|killed by signal" "$T"/*.log'
finish
