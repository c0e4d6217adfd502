#!/bin/bash
# Tests: the real etcdctl 3.4 against cairn and against the real etcd 3.4,
# side by side: each KV command gives the same stdout, stderr and exit
# status on both (tests/integration/etcd_lib.sh).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/etcd_lib.sh"

same ctl put foo bar
same ctl put foo bar2 --prev-kv
same ctl get foo
same ctl get foo -w json
same ctl get foo -w fields
same ctl put a 1
same ctl put b 2
same ctl put c 3 -w json
same ctl get a c
same ctl get a --from-key --keys-only
same ctl get a --prefix --limit 1 -w json
same ctl get "" --from-key --limit 2 --sort-by=MODIFY --order=DESCEND
same ctl get a --from-key --sort-by=VALUE --order=ASCEND --print-value-only
same ctl get "" --prefix --count-only -w json
same ctl get a --rev 3
same ctl get a --consistency s
same ctl get foo --rev 2 -w json
same ctl del nothing
same ctl del b --prev-kv
same ctl del a --from-key -w json
stdin 'value("foo") = "bar2"\n\nput t1 yes\nget foo\n\nput t2 no\n\n'
same ctl txn
same ctl get t --prefix
stdin 'mod("foo") > "100"\n\nput t1 yes\n\nput t2 no\ndel t1\n\n'
same ctl txn -w json
stdin 'version("zz") = "0"\n\n\n\n'
same ctl txn
same ctl compaction 4
same ctl get foo --rev 3
same ctl get foo --rev 1000
same ctl put "" empty
same ctl get ""
same ctl del ""
same ctl put foo v --lease=1234
same ctl put foo --ignore-value
same ctl put foo v --ignore-lease
stdin "\n$(for i in $(seq 1 129); do printf 'put k%d v\\n' "$i"; done)\n\n"
same ctl txn
stdin "\n$(for i in $(seq 1 128); do printf 'put k%d v\\n' "$i"; done)\n\n"
same ctl txn
same ctl get k --prefix --count-only -w json
# etcd's duplicate-key check (checkIntervals): a key put twice in a
# branch, a put inside a delete's range, the same put in both branches.
stdin '\nput d1 a\nput d1 b\n\n\n'
same ctl txn
stdin '\ndel d a\nput d5 x\n\n\n'
same ctl txn
stdin '\ndel d2\nput d2 x\n\n\n'
same ctl txn
stdin '\nput d1 a\n\nput d1 b\n\n'
same ctl txn
stdin '\ndel d1\nput d3 y\n\n\n'
same ctl txn
stdin ''
PB=RangeResponse same ctl get foo -w protobuf
PB=PutResponse same ctl put foo pb -w protobuf --prev-kv
PB=TxnResponse same ctl txn -w protobuf

finish_side_by_side
