#!/bin/bash
# Tests: etcdctl's maintenance and lease commands against cairn and the
# real etcd 3.4 side by side (tests/integration/etcd_lib.sh): the same
# output once what must differ is masked (lease IDs are picked from the
# clock; sizes and Raft indexes belong to each store).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/etcd_lib.sh"

# mask: what differs between two members that are both right (stderr
# joined to stdout).
mask() {
	sed -E 's/\b[0-9a-f]{16}\b/LEASE/g; s/"ID":[0-9]+/"ID":LEASE/g;
		s/took = [0-9.]+[µm]?s/took = T/;
		s/"(dbSize|dbSizeInUse|raftIndex|raftAppliedIndex)":[0-9]+/"\1":N/g'
}
masked() { "$@" 2>&1 | mask; }

same ctl put a 1
same ctl put b 2
same ctl del a
same ctl endpoint hashkv
same ctl endpoint hashkv -w json
same ctl compaction 3
same ctl endpoint hashkv
same ctl put c 3
same ctl endpoint hashkv --rev 3
same masked ctl endpoint status -w json
same masked ctl endpoint health
same ctl alarm list
same ctl alarm disarm
same ctl defrag
same masked ctl lease grant 60
same masked ctl lease grant 0 -w json
same ctl lease grant 10000000000
same ctl lease revoke 1234
same ctl put k v --lease=1234
L=$(PORT=$CP ctl lease grant 60 | awk '{print $2}')
check "a lease ID from cairn is etcd's shape (16 hex digits, member bits first)" \
	eval '[[ $L =~ ^[0-9a-f]{16}$ ]] && [ "${L:0:4}" = "$(printf %016x 10276657743932975437 | tail -c 4)" ]'
check "a key put with the lease" eval 'PORT=$CP ctl put lk v --lease="$L" | grep -qx OK'
check "revoking the lease deletes its key" eval 'PORT=$CP ctl lease revoke "$L" >/dev/null &&
	[ -z "$(PORT=$CP ctl get lk)" ]'

finish_side_by_side
