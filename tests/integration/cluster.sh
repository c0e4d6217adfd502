#!/bin/bash
# Tests: raftd processes form a cluster. Three members, each the real
# supervisor and raftd beside two stand-ins: relay_netd (peer messages over
# Unix sockets in $R, proposals and reads from spool files) and
# ledger_stored (each applied entry as a line of $R/NAME.applied). Checks:
# one leader, proposals from any member applied everywhere in the same
# order exactly once, reads by read index, and all of it again after a
# raftd, a stored or a whole member is killed, and after a partition.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/cluster_lib.sh"

for n in $NAMES; do start_member "$n"; done
check "three members elect one leader" wait_for 10 one_leader
roles

put "$F" alpha
check "a put through a follower is applied on every member" wait_for 10 applied_everywhere alpha
check "at the same index everywhere" eval '[ "$(for n in $NAMES; do applied $n alpha; done | sort -u | wc -l)" -eq 1 ]'
check "with the follower's ID and the request's seq in its envelope" \
	eval "awk -v m=\$(field $F member) -v s=$SEQ '\$3 == \"put\" && \$4 == m && \$5 == s && \$6 == \"alpha\"' $R/$L.applied | grep -q ."
read_index "$F"; rseq=$SEQ
check "a read index through a follower is answered" wait_for 10 out_has "$F" "^read $rseq [0-9]"
ri=$(awk -v s=$rseq '$1 == "read" && $2 == s {print $3}' "$R/$F.out")
check "and covers the write acknowledged before it ($ri >= $(applied "$F" alpha))" \
	eval '[ "$ri" -ge "$(applied "$F" alpha)" ]'

for k in $(seq 1 40); do put "m$((k % 3 + 1))" "burst$k"; done
check "40 puts spread over all members are all applied" wait_for 20 applied_everywhere burst40
check "... each once, in the same order on every member" wait_for 10 eval 'applied_everywhere burst1 && ledgers_agree && ledgers_equal'

# raftd of the leader killed: a new leader; the old raftd comes back as a
# follower from its WAL and stored goes on from where it stood.
old=$L; oldterm=$(field "$L" term)
kill -9 "$(member_child "$L" raftd)"
newer_leader() { local l; l=$(leader_of) || return 1; [ "$(field "$l" term)" -gt "$oldterm" ]; }
check "killing the leader's raftd: a leader in a later term" wait_for 10 newer_leader
roles
put "$old" gamma
check "the restarted raftd takes proposals again; all members apply them" wait_for 10 applied_everywhere gamma
check "no entry lost or repeated across the restart" wait_for 10 eval 'ledgers_agree && ledgers_equal'

# stored killed while entries flow: it resumes from its ledger.
for k in $(seq 1 30); do put "$L" "flow$k"; [ "$k" -eq 10 ] && kill -9 "$(member_child "$F" stored)"; done
check "killing a stored mid-stream: every entry still applied on every member" wait_for 15 applied_everywhere flow30
check "... once each, in order" wait_for 10 eval 'ledgers_agree && ledgers_equal'
check "raftd was told where the new stored stands" grep -q '"msg":"stored resumes applying"' "$T/$F.log"

# A whole member killed and started again with the same flags.
roles
stop_member "$F"
put "$L" delta
NAMES_UP=$(echo $NAMES | tr ' ' '\n' | grep -vx "$F" | tr '\n' ' ')
check "two of three members still commit" wait_for 10 applied_everywhere delta
NAMES_UP=
start_member "$F"
check "the restarted member catches up" wait_for 15 applied_everywhere delta
check "... and agrees with the others" wait_for 10 eval 'ledgers_agree && ledgers_equal'

# The leader cut off: the others elect a new one; the old one steps down
# (check quorum) and serves no reads nor takes writes: they wait for a
# leader, and fail after etcd's request timeout.
L=$(leader_of); oldterm=$(field "$L" term)
touch "$R/cut-$L"
others=$(echo $NAMES | tr ' ' '\n' | grep -vx "$L" | tr '\n' ' ')
others_lead() { local l; l=$(leader_of $others) || return 1; [ "$(field "$l" term)" -gt "$oldterm" ]; }
check "a cut-off leader: the other two elect a new one" wait_for 10 others_lead
stepped_down() { [ "$(field "$L" role)" != 3 ]; }
check "the cut-off leader steps down" wait_for 10 stepped_down
read_index "$L"; rseq=$SEQ
check "and answers no read index" wait_for 20 out_has "$L" "^read $rseq fail"
put "$L" lost; pseq=$SEQ
check "and takes no write (held for a leader, then etcd's context error)" \
	wait_for 15 out_has "$L" "^fail $pseq CAIRN_EDEADLINE"
rm -f "$R/cut-$L"
check "healed, it follows the new leader" wait_for 10 one_leader
put "$L" epsilon
check "and its proposals commit again" wait_for 10 applied_everywhere epsilon
check "the write refused during the cut never appears" eval '[ -z "$(applied "$L" lost)" ]'
check "every ledger agrees at the end" wait_for 10 eval 'ledgers_agree && ledgers_equal'
check "no member logged a gap or an unknown entry" \
	eval '! grep -h " GAP \| bad " $R/*.applied'
check "no process crashed or tripped a sanitizer" no_crashes
stop_members
finish
