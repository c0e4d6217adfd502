#!/bin/bash
# Tests: etcdctl's lease commands (grant, revoke, timetolive, list,
# keep-alive) in every output format, their usage and argument errors,
# against cairn and the real etcd 3.4 side by side
# (tests/integration/etcd_lib.sh), and the LeaseKeepAlive stream itself:
# many requests in one stream, each answered in order, and a lease kept
# alive past its TTL. ctl_lease_cairn.sh and ctl_lease_etcd.sh run it with
# cairnctl as the second member's client.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/etcd_lib.sh"

# mask: lease IDs are picked from the clock, and a second may pass between
# a grant and the TTL read back. The header's Raft term differs (see
# etcd_lib.sh) also where revoke -w protobuf prints it as proto text.
mask() {
	sed -E 's/\b[0-9a-f]{16}\b/LEASE/g; s/"(id|ID)":[0-9]{6,}/"\1":LEASE/g;
		s/"ID" : [0-9]{6,}/"ID" : LEASE/; s/raft_term:[0-9]+/raft_term:TERM/;
		s/remaining\((59|60)s\)/remaining(~60s)/; s/"ttl":(59|60),/"ttl":~60,/;
		s/"TTL" : (59|60)$/"TTL" : ~60/'
}
# leased CMD...: grants a lease of 60 s on $PORT, puts k1 with it, runs
# CMD with LID replaced by its ID, and revokes it; CMD's status. (One key:
# etcd lists a lease's keys in no set order.)
leased() {
	local lid a args=() rc
	lid=$(ctl lease grant 60 | awk '{print $2}')
	ctl put k1 v1 --lease="$lid" >/dev/null
	for a in "$@"; do args+=("${a//LID/$lid}"); done
	"${args[@]}" 2>&1 | mask
	rc=${PIPESTATUS[0]}
	ctl lease revoke "$lid" >/dev/null 2>&1
	return "$rc"
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

# granted CMD...: CMD (a grant) with its lease's ID masked, then every
# lease on $PORT revoked (-w protobuf and table do not print the ID).
granted() {
	local rc id
	"$@" 2>&1 | mask
	rc=${PIPESTATUS[0]}
	for id in $(ctl lease list 2>/dev/null | tail -n +2); do
		ctl lease revoke "$id" >/dev/null 2>&1
	done
	return "$rc"
}
# kept ARGS...: keep-alive (with ARGS) of a lease of 9 s on $PORT in the
# background; once its first answer is out the lease is revoked, and the
# next renewal, a third of the TTL later, finds it gone: the client's
# output and status once it ends by itself.
kept() {
	local lid pid rc
	lid=$(ctl lease grant 9 | awk '{print $2}')
	ctl lease keep-alive "$lid" "$@" >"$T/kept.$PORT" 2>&1 &
	pid=$!
	wait_for 10 test -s "$T/kept.$PORT"
	ctl lease revoke "$lid" >/dev/null 2>&1
	wait "$pid"
	rc=$?
	mask <"$T/kept.$PORT"
	return "$rc"
}
# stopped SIG: keep-alive of a live lease on $PORT, sent SIG once its
# first answer is out (a background job ignores SIGINT unless told not
# to): etcdctl ends as Go's runtime ends it, nothing more printed.
stopped() {
	local bin=$CTL_BIN lid pid rc
	[ "$PORT" != "$CP" ] || bin=$SIDE_B_CTL
	lid=$(ctl lease grant 60 | awk '{print $2}')
	env --default-signal=INT "$bin" --endpoints "${SIDE_EP}127.0.0.1:$PORT" $SIDE_CTL \
		lease keep-alive "$lid" >"$T/stopped.$PORT" 2>&1 &
	pid=$!
	wait_for 10 test -s "$T/stopped.$PORT"
	kill -"$1" "$pid"
	wait "$pid"
	rc=$?
	mask <"$T/stopped.$PORT"
	ctl lease revoke "$lid" >/dev/null 2>&1
	return "$rc"
}

# The group and each command's usage, and flag errors.
same ctl lease
same ctl lease --help
same ctl lease nosuch
for c in grant revoke timetolive list keep-alive; do same ctl lease "$c" --help; done
same ctl lease list --bogus
same ctl lease grant -5
same ctl lease timetolive --keys=maybe 1234
same ctl lease timetolive 1234 -w xml

# grant: every format (protobuf: the header alone; table: granted, then
# refused), bad TTLs, and etcd's minimum and maximum TTL.
for w in simple fields json table; do same granted ctl lease grant 60 -w "$w"; done
PB=ResponseHeader same granted ctl lease grant 60 -w protobuf
same granted ctl lease grant 0
same granted ctl lease grant -- -1
same ctl lease grant
same ctl lease grant 60 60
same ctl lease grant x
same ctl lease grant ' 5'
same ctl lease grant 99999999999999999999
same ctl lease grant 10000000000

# revoke: every format (protobuf: etcdctl cannot marshal clientv3's type),
# a lease that is not there, bad IDs (hex, int64).
for w in simple fields json protobuf table; do same leased ctl lease revoke LID -w "$w"; done
same ctl lease revoke 1234
same ctl lease revoke 1234 -w json
same ctl lease revoke
same ctl lease revoke 1 2
same ctl lease revoke zz
same ctl lease revoke 0x12
same ctl lease revoke ''
same ctl lease revoke 8000000000000000
same ctl lease revoke 10000000000000000x
same ctl lease revoke -- -8000000000000001

# timetolive: every format, with and without --keys, of a lease and of
# none (zero and negative IDs too).
for w in fields table; do
	same leased ctl lease timetolive LID -w "$w"
	same leased ctl lease timetolive LID --keys -w "$w"
	same ctl lease timetolive 1234 -w "$w"
done
PB=ResponseHeader same leased ctl lease timetolive LID --keys -w protobuf
PB=ResponseHeader same ctl lease timetolive 1234 -w protobuf
same leased ctl lease timetolive LID -w json
same ctl lease timetolive 1234 --keys
same ctl lease timetolive 0
same ctl lease timetolive -- -1
same ctl lease timetolive
same ctl lease timetolive g

# list: every format, with leases and with none.
same ctl lease list -w json
same ctl lease list -w fields
for w in fields table; do same leased ctl lease list -w "$w"; done
PB=ResponseHeader same leased ctl lease list -w protobuf

# keep-alive --once: every format, a lease that is not there, bad usage.
for w in fields table; do same leased ctl lease keep-alive --once LID -w "$w"; done
PB=ResponseHeader same leased ctl lease keep-alive --once LID -w protobuf
same ctl lease keep-alive --once 1234 -w json
same ctl lease keep-alive --once 0
same ctl lease keep-alive --once
same ctl lease keep-alive --once g

# keep-alive: a lease that is not there ends it at the first answer (the
# simple format alone says so); a revoked one at the next renewal; table
# fails at the first answer; SIGTERM and SIGINT end it as Go's runtime.
for w in simple fields json protobuf table; do same ctl lease keep-alive 1234 -w "$w"; done
same kept
same kept -w json
same kept -w table
same stopped TERM
same stopped INT
same ctl lease keep-alive
same ctl lease keep-alive 1 2
same ctl lease keep-alive g

PORT=$CP
L=$(ctl lease grant 60 | awk '{print $2}')
for k in kc ka kb; do ctl put "$k" v --lease="$L" >/dev/null; done
# (cairn's order; etcd's twin lists them in no set order.)
if [ "$SIDE_B_SERVER" = cairn ]; then
	check "timetolive --keys lists every key of the lease, in key order" \
		eval 'ctl lease timetolive "$L" --keys | grep -q "attached keys(\[ka kb kc\])$"'
else
	skip "timetolive --keys lists every key of the lease, in key order" "etcd's order"
fi
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
timeout 5 "$SIDE_B_CTL" --endpoints "127.0.0.1:$CP" lease keep-alive "$L" >"$T/kept.out" 2>&1
check "etcdctl's keep-alive renewed the lease more than once" \
	eval '[ "$(grep -c "keepalived with TTL(2)" "$T/kept.out")" -ge 2 ]'
check "the key outlived its lease's TTL while kept alive" eval '[ "$(ctl get kept --print-value-only)" = v ]'
gone() { [ -z "$(ctl get kept)" ]; }
check "without keep-alives the lease expires and its key goes" wait_for 10 gone
check "and timetolive calls it expired" eval 'ctl lease timetolive "$L" | grep -q "already expired"'

finish_side_by_side
