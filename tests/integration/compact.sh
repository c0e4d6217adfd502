#!/bin/bash
# Tests: raftd compacts its log every --snapshot-count entries, but never
# beyond what stored says is on disk. The stand-in stored reports its
# durable index LEDGER_DURABLE_LAG entries behind what it applied; the
# member is then killed and its ledger cut back by that many entries, as
# a machine crash would take stored back. raftd must still hold every
# entry stored lost and hand them over again from its WAL: were the log
# compacted past the durable index, stored would be told to install a
# snapshot instead (a "snapshot" line) or see a gap.
. "$(dirname "$0")/lib.sh"
NAMES=m1
. "$(dirname "$0")/cluster_lib.sh"
export LEDGER_DURABLE_LAG=15
EXTRA="--snapshot-count 20"

start_member m1
check "a lone member leads" wait_for 10 one_leader
# Five rounds of 20, each applied before the next: a compaction point
# every round, however the member batches them (all 100 at once may
# reach stored in two batches, and be compacted twice only).
for r in 0 1 2 3 4; do
	for k in $(seq $((r * 20 + 1)) $((r * 20 + 20))); do put m1 "v$k"; done
	wait_for 20 applied_everywhere "v$((r * 20 + 20))"
done
check "100 puts applied" wait_for 20 applied_everywhere v100
compactions() { grep -c '"msg":"compacted the log"' "$T/m1.log"; }
# stored's durable index trails its reports: the last compaction may
# come just after the last put is applied.
check "the log was compacted every 20 entries, 3 times at least" \
	wait_for 10 eval '[ "$(compactions)" -ge 3 ]'
last=$(tail -n 1 "$R/m1.applied" | awk '{print $1}')
snap=$(grep '"msg":"compacted the log"' "$T/m1.log" | tail -n 1 | sed 's/.*"snapshot-index":\([0-9]*\).*/\1/')
check "never beyond the durable index (compacted at $snap, applied $last, lag 15)" \
	eval '[ "$snap" -le $((last - 15)) ]'

stop_member m1
head -n -15 "$R/m1.applied" >"$R/tmp" && mv "$R/tmp" "$R/m1.applied"
start_member m1
check "restarted after losing stored's last 15 entries: they are applied again" \
	wait_for 10 applied_everywhere v100
check "the WAL was recovered from a compaction marker" \
	eval '[ "$(grep "\"msg\":\"recovered the WAL\"" "$T/m1.log" | tail -n 1 | sed "s/.*\"snapshot-index\":\([0-9]*\).*/\1/")" -gt 0 ]'
check "from the WAL, not by a snapshot" eval '! grep -q " snapshot " "$R/m1.applied"'
check "every entry once, in order" eval '[ "$(wc -l <"$R/m1.applied")" -eq "$last" ] && ledgers_agree'
check "no process crashed or tripped a sanitizer" no_crashes
stop_members
finish
