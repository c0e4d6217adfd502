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
		s/"(dbSize|dbSizeInUse|raftIndex|raftAppliedIndex)":[0-9]+/"\1":N/g;
		s/"ts":[0-9.]+/"ts":TS/; s/"size":"[^"]*"/"size":S/; s/"took":[0-9.e-]+/"took":T/'
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

# Snapshots: etcdctl saves cairn's as it saves etcd's (it checks that the
# file ends with a SHA-256); cairn's is 3 MB (more than one part of stored's)
# and restores to the store it was taken from.
PORT=$CP
big=$(head -c 100000 /dev/zero | tr '\0' x)
for i in $(seq 1 30); do ctl put "big$i" "$big" >/dev/null; done
same sorted masked ctl snapshot save "$T/snap.db" --command-timeout 60s
ctl snapshot save "$T/cairn.snap" >"$T/snap.out" 2>&1
check "etcdctl snapshot save takes cairn's snapshot" grep -qx "Snapshot saved at $T/cairn.snap" "$T/snap.out"
check "... a file of 3 MB or more that ends with the SHA-256 of the rest" python3 -c '
import hashlib, sys
d = open(sys.argv[1], "rb").read()
sys.exit(0 if len(d) > 3000000 and len(d) % 512 == 32 and hashlib.sha256(d[:-32]).digest() == d[-32:] else 1)' "$T/cairn.snap"
if [ "$SIDE_B_SERVER" = cairn ]; then
	"$B/tests/integration/store_hash" --restore "$T/cairn.snap" "$T/restored" >"$T/restored.hash" 2>&1
	diag "restored: $(cat "$T/restored.hash")"
	check "... which restores to the store that was saved (HashKV)" eval \
		'[ "$(cut -d" " -f8 "$T/restored.hash")" = "$(ctl endpoint hashkv -w json | sed -E "s/.*\"hash\":([0-9]+).*/\1/")" ]'
fi
# The stream as etcd frames it, read by a client slower than the disk
# (netd asks stored for each next part only as the client reads).
printf '\0\0\0\0\0' >"$T/snap_req.bin"
snapshot_call() {
	curl -s --http2-prior-knowledge -H 'content-type: application/grpc' \
		--data-binary @"$T/snap_req.bin" "$@" "http://127.0.0.1:$CP/etcdserverpb.Maintenance/Snapshot"
}
snapshot_call --limit-rate 8M -m 60 -D "$T/slow.h" -o "$T/slow.out"
check "a slow client gets the whole snapshot, status OK" grep -q '^grpc-status: 0' "$T/slow.h"
check "... as etcd's SnapshotResponses: blobs of 32 KiB with the bytes left after each, then the SHA-256 alone" python3 - "$T/slow.out" <<'PY'
import hashlib, sys
d = open(sys.argv[1], "rb").read()
def varint(b, i):
    v = s = 0
    while True:
        v |= (b[i] & 127) << s
        s += 7
        i += 1
        if b[i - 1] < 128:
            return v, i
i, msgs = 0, []
while i < len(d):
    n = int.from_bytes(d[i + 1:i + 5], "big")
    m, j, left, blob = d[i + 5:i + 5 + n], 0, 0, b""
    while j < len(m):
        tag, j = varint(m, j)
        if tag == 0x10:
            left, j = varint(m, j)
        elif tag == 0x1a:
            k, j = varint(m, j)
            blob, j = m[j:j + k], j + k
        else:
            sys.exit("unexpected field %d" % tag)
    msgs.append((left, blob))
    i += 5 + n
data = b"".join(b for _, b in msgs[:-1])
ok = len(msgs) > 90 and msgs[-1][0] == 0 and msgs[-1][1] == hashlib.sha256(data).digest()
sent = 0
for left, blob in msgs[:-1]:
    sent += len(blob)
    ok = ok and 0 < len(blob) <= 32768 and left == len(data) - sent
sys.exit(0 if ok else 1)
PY
snapshot_call --limit-rate 1M -m 1 -o /dev/null
check "after a client that went away in mid-snapshot, the next snapshot is served" eval \
	'ctl snapshot save "$T/again.snap" 2>&1 | grep -qx "Snapshot saved at $T/again.snap"'
[ "$SIDE_B_SERVER" != cairn ] ||
	check "netd still runs (the same process)" eval '[ "$(child_pid netd)" = "$NETD_PID" ]'

finish_side_by_side
