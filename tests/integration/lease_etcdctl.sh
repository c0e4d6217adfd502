#!/bin/bash
# Tests: etcdctl's lease commands that stored's lessor answers (timetolive,
# keep-alive, list), against cairn and the real etcd 3.4 side by side
# (tests/integration/etcd_lib.sh), and the LeaseKeepAlive stream itself:
# many requests in one stream, each answered in order, and a lease kept
# alive past its TTL.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/etcd_lib.sh"

# mask: lease IDs are picked from the clock, and a second may pass between
# a grant and the TTL read back.
mask() {
	sed -E 's/\b[0-9a-f]{16}\b/LEASE/g; s/"(id|ID)":[0-9]{6,}/"\1":LEASE/g;
		s/remaining\((59|60)s\)/remaining(~60s)/; s/"ttl":(59|60),/"ttl":~60,/'
}
# leased CMD...: grants a lease of 60 s on $PORT, puts k1 with it, runs
# CMD with LID replaced by its ID, and revokes it. (One key: etcd lists a
# lease's keys in no set order.)
leased() {
	local lid a args=()
	lid=$(ctl lease grant 60 | awk '{print $2}')
	ctl put k1 v1 --lease="$lid" >/dev/null
	for a in "$@"; do args+=("${a//LID/$lid}"); done
	"${args[@]}" 2>&1 | mask
	ctl lease revoke "$lid" >/dev/null
}

same leased ctl lease timetolive LID
same leased ctl lease timetolive LID --keys
same leased ctl lease timetolive LID --keys -w json
same ctl lease timetolive 1234
same ctl lease timetolive 1234 -w json
same leased ctl lease keep-alive --once LID
same leased ctl lease keep-alive --once LID -w json
same ctl lease keep-alive --once 1234
same ctl lease list
same leased ctl lease list
same leased ctl lease list -w json

PORT=$CP
L=$(ctl lease grant 60 | awk '{print $2}')
for k in kc ka kb; do ctl put "$k" v --lease="$L" >/dev/null; done
check "timetolive --keys lists every key of the lease, in key order" \
	eval 'ctl lease timetolive "$L" --keys | grep -q "attached keys(\[ka kb kc\])$"'
ctl lease revoke "$L" >/dev/null

# One stream of 2,000 keep-alives of a lease that does not exist: netd
# takes one at a time (the rest wait in the stream's window), and every
# one is answered, in order, with TTL 0.
python3 -c 'import sys; sys.stdout.buffer.write(b"\0\0\0\0\x03\x08\xd2\x09" * 2000)' >"$T/ka.bin"
curl -s -m 60 -D "$T/ka.h" -o "$T/ka.out" --http2-prior-knowledge -H 'content-type: application/grpc' \
	--data-binary @"$T/ka.bin" "http://127.0.0.1:$CP/etcdserverpb.Lease/LeaseKeepAlive"
check "a stream of 2,000 keep-alives ends with status OK" grep -q '^grpc-status: 0' "$T/ka.h"
check "... and gets 2,000 answers, each for lease 1234 with no TTL" python3 - "$T/ka.out" <<'PY'
import sys
d = open(sys.argv[1], 'rb').read()
i = n = 0
while i < len(d):
    size = int.from_bytes(d[i + 1:i + 5], 'big')
    msg = d[i + 5:i + 5 + size]
    # the header (field 1) first, then ID 1234 (field 2) and no TTL (field 3)
    assert msg[0] == 0x0a and msg.endswith(b'\x10\xd2\x09'), msg
    i += 5 + size
    n += 1
sys.exit(0 if n == 2000 and i == len(d) else 1)
PY

# A lease of 2 s kept alive by etcdctl for 5 s still holds its key; once
# the keep-alives stop, it expires and the key goes.
L=$(ctl lease grant 2 | awk '{print $2}')
ctl put kept v --lease="$L" >/dev/null
timeout 5 "$CTL_BIN" --endpoints "127.0.0.1:$CP" lease keep-alive "$L" >"$T/kept.out" 2>&1
check "etcdctl's keep-alive renewed the lease more than once" \
	eval '[ "$(grep -c "keepalived with TTL(2)" "$T/kept.out")" -ge 2 ]'
check "the key outlived its lease's TTL while kept alive" eval '[ "$(ctl get kept --print-value-only)" = v ]'
gone() { [ -z "$(ctl get kept)" ]; }
check "without keep-alives the lease expires and its key goes" wait_for 10 gone
check "and timetolive calls it expired" eval 'ctl lease timetolive "$L" | grep -q "already expired"'

finish_side_by_side
