#!/bin/bash
# Tests: the maintenance calls the real cairn-stored serves for netd
# (relay_netd stands in for netd: spool files SEQ.maint): Hash, HashKV at
# a revision (etcd's errors for a compacted or future one), Defragment,
# answered with etcd's responses, and Snapshot, sent in parts: restored,
# it is the same store. The hashes are those of the store as store_hash
# reads it once the member is stopped; defragmentation changes neither.
. "$(dirname "$0")/lib.sh"
STORED_BIN=$B/cairn-stored
NAMES=m1
. "$(dirname "$0")/cluster_lib.sh"
code_is() { grep -q "^result $2 $3$" "$R/$1.out" 2>/dev/null; }
field_of() { decode m1 "$1" "$2" | awk -v f="$3:" '$1 == f {print $2; exit}'; }

start_member m1
check "a lone member leads" wait_for 10 one_leader
for i in $(seq 1 300); do fast_put m1 "k$i" "value-$i"; done
for i in $(seq 1 200); do request m1 "delete_range { key: \"k$i\" }"; done
check "300 puts and 200 deletes are applied" wait_for 30 result_ok m1 "$SEQ"
request m1 'compaction { revision: 400 }'
check "a compaction at 400 is applied" wait_for 10 result_ok m1 "$SEQ"
maint m1 "hashkv 0"; kv=$SEQ
check "HashKV at the current revision is answered" wait_for 10 result_ok m1 "$kv"
check "with the current revision (501) and the compaction (400)" eval \
	'[ "$(field_of $kv HashKVResponse revision)" = 501 ] &&
	[ "$(field_of $kv HashKVResponse compact_revision)" = 400 ]'
maint m1 "hash"; h=$SEQ
check "Hash is answered" wait_for 10 result_ok m1 "$h"
maint m1 "hashkv 502"
check "HashKV at a future revision: etcd's error" wait_for 10 code_is m1 "$SEQ" CAIRN_EFUTUREREV
maint m1 "hashkv 300"
check "HashKV at a compacted one: etcd's error" wait_for 10 code_is m1 "$SEQ" CAIRN_ECOMPACTED
maint m1 "defrag"; d=$SEQ
maint m1 "defrag"; d2=$SEQ
check "two Defragment calls are answered, once done" eval \
	'wait_for 30 result_ok m1 $d && wait_for 5 result_ok m1 $d2'
check "with etcd's DefragmentResponse" eval \
	'[ "$(field_of $d DefragmentResponse revision)" = 501 ]'
maint m1 "hash"; h2=$SEQ
maint m1 "hashkv 0"; kv2=$SEQ
wait_for 10 result_ok m1 "$kv2"
check "defragmentation changes neither hash" eval \
	'[ "$(field_of $h HashResponse hash)" = "$(field_of $h2 HashResponse hash)" ] &&
	[ "$(field_of $kv HashKVResponse hash)" = "$(field_of $kv2 HashKVResponse hash)" ]'
# A snapshot larger than one frame (1 MiB), sent in parts as netd reads.
big=$(head -c 100000 /dev/zero | tr '\0' 'x')
for i in $(seq 1 30); do request m1 "put { key: \"big$i\" value: \"$big\" }"; done
check "3 MB more are put" wait_for 20 result_ok m1 "$SEQ"
maint m1 "hashkv 0"; kv3=$SEQ
maint m1 "hash"; h3=$SEQ
maint m1 "snapshot"; s=$SEQ
maint m1 "snapshot"; s2=$SEQ
check "a snapshot is sent" wait_for 30 result_ok m1 "$s"
grep "^part $s " "$R/m1.out" >"$T/parts"; diag "parts: $(head -2 "$T/parts" | tr "\n" ";") ... $(tail -1 "$T/parts"); file $(stat -c %s "$R/m1.res/$s")"
check "in parts of 1 MiB, each saying what is left after it" eval \
	'[ "$(grep -c "^part $s " "$R/m1.out")" -ge 3 ] &&
	[ "$(grep "^part $s " "$R/m1.out" | tail -1 | awk "{print \$5}")" -le 1048576 ] &&
	[ "$(grep "^part $s " "$R/m1.out" | head -1 | awk "{print \$3 + \$5}")" = "$(stat -c %s "$R/m1.res/$s")" ]'
check "a second call meanwhile: \"too many requests\", or a second snapshot" eval \
	'wait_for 30 eval "code_is m1 $s2 CAIRN_ETOOMANYREQ || result_ok m1 $s2"'
"$B/tests/integration/store_hash" --restore "$R/m1.res/$s" "$T/restored" >"$T/restored.hash" 2>&1
diag "restored: $(cat "$T/restored.hash")"
check "restored, it holds the same store (HashKV and Hash)" eval \
	'[ "$(cut -d" " -f8 "$T/restored.hash")" = "$(field_of $kv3 HashKVResponse hash)" ] &&
	[ "$(cut -d" " -f10 "$T/restored.hash")" = "$(field_of $h3 HashResponse hash)" ]'
check "no process crashed or tripped a sanitizer" no_crashes
stop_members
"$B/tests/integration/store_hash" "$T/m1" >"$T/m1.hash" 2>&1
diag "$(cat "$T/m1.hash")"
check "the hashes are the stopped store's" eval \
	'[ "$(cut -d" " -f8 "$T/m1.hash")" = "$(field_of $kv3 HashKVResponse hash)" ] &&
	[ "$(cut -d" " -f10 "$T/m1.hash")" = "$(field_of $h3 HashResponse hash)" ]'
finish
