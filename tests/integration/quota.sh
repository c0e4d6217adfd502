#!/bin/bash
# Tests: --quota-backend-bytes in the real cairn-stored, as etcd: the put
# that takes the store past the quota is applied and answered "database
# space exceeded", and stored raises the NOSPACE alarm through Raft; from
# then on puts are refused (and not applied) while reads, deletes and
# compaction work; after compaction, defragmentation and disarming the
# alarm, puts work again. The alarm outlasts a restart of stored.
. "$(dirname "$0")/lib.sh"
STORED_BIN=$B/cairn-stored
NAMES=m1
. "$(dirname "$0")/cluster_lib.sh"
code_is() { grep -q "^result $2 $3$" "$R/$1.out" 2>/dev/null; }
result_of() { awk -v s="$2" '$1 == "result" && $2 == s {print $3}' "$R/$1.out" 2>/dev/null; }
nospace() { awk '{print $12}' "$R/m1.store" 2>/dev/null; }
count_of() { decode m1 "$1" RangeResponse | awk '/^count:/ {print $2}'; }

EXTRA="--quota-backend-bytes 3000000" start_member m1
check "a lone member leads" wait_for 10 one_leader
big=$(head -c 100000 /dev/zero | tr '\0' 'x')
past=
for i in $(seq 1 60); do
	request m1 "put { key: \"big$i\" value: \"$big\" }"
	wait_for 10 eval '[ -n "$(result_of m1 $SEQ)" ]'
	[ "$(result_of m1 "$SEQ")" = OK ] && continue
	past=$i; pseq=$SEQ; break
done
diag "the put of big$past went past the quota: $(result_of m1 "${pseq:-0}")"
check "a put past the quota is answered \"database space exceeded\"" \
	eval '[ -n "$past" ] && code_is m1 $pseq CAIRN_ENOSPACE'
get m1 "range { key: \"big$past\" count_only: true }"
check "yet applied, as etcd applies it" eval 'wait_for 10 result_ok m1 $SEQ && [ "$(count_of $SEQ)" = 1 ]'
check "stored raises the NOSPACE alarm through Raft" wait_for 10 eval '[ "$(nospace)" = 1 ]'
request m1 'put { key: "after" value: "v" }'
check "from then on a put is refused" wait_for 10 code_is m1 "$SEQ" CAIRN_ENOSPACE
get m1 'range { key: "after" count_only: true }'
check "and not applied" eval 'wait_for 10 result_ok m1 $SEQ && [ -z "$(count_of $SEQ)" ]'
kill -9 "$(member_child m1 stored)"
check "stored restarts" wait_for 15 eval '[ "$(grep -c "\"msg\":\"opened the store\"" "$T/m1.log")" -ge 2 ]'
request m1 'put { key: "after" value: "v" }'
check "the alarm outlasts the restart" wait_for 15 code_is m1 "$SEQ" CAIRN_ENOSPACE
request m1 'delete_range { key: "big" range_end: "bih" }'
check "a delete works" wait_for 10 result_ok m1 "$SEQ"
rev=$(decode m1 "$SEQ" DeleteRangeResponse | awk '/revision:/ {print $2; exit}')
request m1 "compaction { revision: $rev }"
check "a compaction works" wait_for 10 result_ok m1 "$SEQ"
maint m1 defrag
check "so does defragmentation" wait_for 30 result_ok m1 "$SEQ"
check "the store is back under the quota" wait_for 5 eval '[ "$(awk "{print \$6}" "$R/m1.store")" -lt 3000000 ]'
member=$(printf '%u' "0x$(field m1 member)")
request m1 "alarm { action: DEACTIVATE memberID: $member alarm: NOSPACE }"
check "the alarm is disarmed" eval 'wait_for 10 result_ok m1 $SEQ && wait_for 5 eval "[ \"\$(nospace)\" = 0 ]"'
request m1 'put { key: "after" value: "v" }'
check "and puts work again" wait_for 10 result_ok m1 "$SEQ"
check "no process crashed or tripped a sanitizer" no_crashes
stop_members
finish
