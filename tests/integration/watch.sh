#!/bin/bash
# Tests: watchers through the real cairn-stored (relay_netd stands in for
# netd: spool files SEQ.watch become watchers, their events lines of
# NAME.out). A range watched from a past revision gets the history then
# the live events, in order, once; prev_kv, noput; a watcher from a
# compacted revision is told the compaction. A lease that expires is
# revoked by the leader: its key is deleted, and watchers see it. A range
# stored serves itself comes back in parts when larger than a frame.
. "$(dirname "$0")/lib.sh"
STORED_BIN=$B/cairn-stored
NAMES=m1
. "$(dirname "$0")/cluster_lib.sh"
out_line() { grep -qxF -- "$2" "$R/$1.out" 2>/dev/null; }
events_of() { grep "^event $2 " "$R/$1.out" 2>/dev/null; }

start_member m1
check "a lone member leads" wait_for 10 one_leader
fast_put m1 k1 v1
check "a put is applied (revision 2)" wait_for 10 result_ok m1 "$SEQ"
watch m1 k l 1 ""; w1=$SEQ
check "a watcher from revision 1 is created at revision 2" wait_for 10 out_line m1 "watch $w1 created 2"
check "and gets the history: the put at revision 2" wait_for 10 out_line m1 "event $w1 PUT k1 v1 2"
watch m1 k2 "" 0 p; w2=$SEQ
watch m1 k "\\0" 0 P; w3=$SEQ
wait_for 10 out_line m1 "watch $w3 created 2"
fast_put m1 k2 v2
request m1 'delete_range { key: "k1" }'
fast_put m1 k2 v3
fast_put m1 z9 outside
check "live events follow: put k2, delete k1, put k2" wait_for 10 out_line m1 "event $w1 PUT k2 v3 5"
check "all in order, each once, none outside the range" \
	eval '[ "$(events_of m1 $w1)" = "$(printf "event %s PUT k1 v1 2\nevent %s PUT k2 v2 3\nevent %s DELETE k1  4\nevent %s PUT k2 v3 5" $w1 $w1 $w1 $w1)" ]'
check "prev_kv: the key before each event" \
	eval '[ "$(events_of m1 $w2)" = "$(printf "event %s PUT k2 v2 3\nevent %s PUT k2 v3 5 prev=v2" $w2 $w2)" ]'
check "noput: the delete alone (an end of \"\\0\": every key from k)" \
	eval '[ "$(events_of m1 $w3)" = "event $w3 DELETE k1  4" ]'
request m1 'compaction { revision: 5 }'
check "a compaction is applied" wait_for 10 result_ok m1 "$SEQ"
watch m1 k l 3 ""; w4=$SEQ
check "a watcher from a compacted revision is told the compaction" \
	wait_for 10 out_line m1 "watch $w4 compacted 5"
check "and gets no event" eval '[ -z "$(events_of m1 $w4)" ]'
# Leases expire on the leader, which proposes their revoke: the key goes.
request m1 'lease_grant { TTL: 1 ID: 5 }'
check "a lease of 1 s is granted" wait_for 10 result_ok m1 "$SEQ"
request m1 'lease_grant { TTL: 3600 ID: 6 }'
wait_for 10 result_ok m1 "$SEQ"
request m1 'put { key: "lk" value: "v" lease: 5 }'
wait_for 10 result_ok m1 "$SEQ"
request m1 'put { key: "lk2" value: "v" lease: 6 }'
wait_for 10 result_ok m1 "$SEQ"
watch m1 lk lk3 0 ""; w5=$SEQ
wait_for 10 out_line m1 "watch $w5 created 8"
check "when it expires, the leader revokes it: its key is deleted" \
	wait_for 10 eval 'events_of m1 $w5 | grep -q "DELETE lk "'
check "a key of a lease still alive stays" eval '! events_of m1 $w5 | grep -q "lk2"'
# Reads stored serves itself, answered in parts when larger than a frame.
big=$(head -c 200000 /dev/zero | tr '\0' 'x')
for k in $(seq 10 21); do request m1 "put { key: \"big/$k\" value: \"$big\" }"; done
wait_for 20 result_ok m1 "$SEQ"
get m1 'range { key: "big/" range_end: "big0" }'; rseq=$SEQ
check "a serializable read of 2.4 MB is served" wait_for 10 result_ok m1 "$SEQ"
check "whole, from parts: 12 keys of 200,000 bytes" eval \
	'[ "$(decode m1 $SEQ RangeResponse | grep -c "^  value: ")" -eq 12 ] && [ "$(stat -c %s "$R/m1.res/$SEQ")" -gt 2400000 ]'
get m1 'put { key: "x" value: "y" }'
check "a read that is not a range is refused" wait_for 10 grep -q "^result $SEQ CAIRN_EINVAL$" "$R/m1.out"
store_rev() { awk '{print $2}' "$R/m1.store" 2>/dev/null; }
rev_now=$(decode m1 "$rseq" RangeResponse | awk '/revision:/ {print $2; exit}')
check "netd hears the store's revision and size" wait_for 5 eval \
	'[ "$(store_rev)" = "$rev_now" ] && [ "$(awk "{print \$6}" "$R/m1.store")" -gt 2400000 ]'
# A revision whose events outgrow a frame (12 puts of 100 kB, each with
# its 100 kB prev_kv: 2.4 MB) reaches the watcher in fragments, whole.
watch m1 f/ f0 0 p; wf=$SEQ
wait_for 10 grep -q "^watch $wf created" "$R/m1.out"
for v in a b; do
	val=$(head -c 100000 /dev/zero | tr '\0' "$v")
	ops=$(for k in $(seq 10 21); do printf 'success { request_put { key: "f/%s" value: "%s" } } ' "$k" "$val"; done)
	request m1 "txn { $ops}"
	wait_for 20 result_ok m1 "$SEQ"
done
wait_for 20 eval '[ "$(events_of m1 $wf | wc -l)" -ge 24 ]'
check "a revision of 2.4 MB of events reaches its watcher, each event once" wait_for 20 eval \
	'[ "$(events_of m1 $wf | grep -c " prev=a")" -eq 12 ] && [ "$(events_of m1 $wf | wc -l)" -eq 24 ]'
check "no process crashed or tripped a sanitizer" no_crashes
stop_members
finish
