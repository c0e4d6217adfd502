#!/bin/bash
# Tests: a follower too far behind gets the leader's snapshot, then the
# log after it. One member of three is stopped while 5,300 entries commit
# (the leader keeps 5,000 behind each compaction, --snapshot-count 100),
# then started again: its raftd must install the snapshot (its stored is
# told so: a "snapshot" line in the ledger) and apply every entry after
# it exactly as the others did.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/cluster_lib.sh"
EXTRA="--snapshot-count 100"
N=5300

for n in $NAMES; do start_member "$n"; done
check "three members elect one leader" wait_for 10 one_leader
roles
stop_member "$F"
NAMES_UP=$(echo $NAMES | tr ' ' '\n' | grep -vx "$F" | tr '\n' ' ')
for k in $(seq 1 $N); do
	SEQ=$((SEQ + 1))
	printf 'k%s' "$k" >"$R/$L.in/tmp.$SEQ"
	mv "$R/$L.in/tmp.$SEQ" "$R/$L.in/$SEQ.put"
done
check "$N puts commit on the two members up" wait_for 60 applied_everywhere "k$N"
check "the leader compacted its log" grep -q '"msg":"compacted the log"' "$T/$L.log"
NAMES_UP=
start_member "$F"
# One more put after the restart: the snapshot may cover every entry so
# far (the leader compacts at stored's durable index, which can be the
# last), never this one.
SEQ=$((SEQ + 1))
printf 'after' >"$R/$L.in/tmp.$SEQ"
mv "$R/$L.in/tmp.$SEQ" "$R/$L.in/$SEQ.put"
check "the restarted member catches up" wait_for 60 applied_everywhere after
check "by installing the leader's snapshot" grep -q ' snapshot ' "$R/$F.applied"
at=$(awk '$3 == "snapshot" {i = $1} END {print i}' "$R/$F.applied")
after() { awk -v at="$at" '$1 > at' "$R/$1.applied"; }
check "every entry after the snapshot (at $at) as the leader applied it" \
	wait_for 10 eval 'cmp -s <(after $L) <(after $F)'
before=$(awk -v at="$at" '$1 < at' "$R/$F.applied" | wc -l)
check "what it applied before the snapshot ($before entries) agrees with the leader" \
	eval 'cmp -s <(head -n "$before" "$R/$F.applied") <(head -n "$before" "$R/$L.applied")'
check "no process crashed or tripped a sanitizer" no_crashes
stop_members
finish
