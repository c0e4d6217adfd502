#!/bin/bash
# Tests: gRPC requests that etcdctl never sends, made with curl over
# HTTP/2, against cairn and the real etcd 3.4 side by side
# (tests/integration/etcd_lib.sh): unknown services and methods, broken
# length prefixes and payloads, compression, a message beyond the limit,
# a wrong content type. Each gets etcd's status and message, and cairn
# keeps serving.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/etcd_lib.sh"

# body NAME BYTES: a request body in $T/NAME.bin (printf escapes).
body() { printf "$2" >"$T/$1.bin"; }
body empty '\x00\x00\x00\x00\x00'
body range_a '\x00\x00\x00\x00\x03\x0a\x01a'
body truncated '\x00\x00\x00\x00\x10\x0a\x01'
body prefix_only '\x00\x00'
body nothing ''
body compressed '\x01\x00\x00\x00\x02\x0a\x00'
body format7 '\x07\x00\x00\x00\x00'
body two '\x00\x00\x00\x00\x03\x0a\x01a\x00\x00\x00\x00\x00'
body huge '\x00\x10\x00\x00\x00'
body just_over '\x00\x00\x20\x00\x01'
body watch_a '\x00\x00\x00\x00\x05\x0a\x03\x0a\x01a'
body range_a_serializable '\x00\x00\x00\x00\x05\x0a\x01a\x38\x01'

same grpc_call /foo.Bar/Baz "$T/empty.bin"
same grpc_call /etcdserverpb.KV/Nope "$T/empty.bin"
same grpc_call /etcdserverpb.KV/Range "$T/empty.bin"
same grpc_call /etcdserverpb.KV/Range "$T/range_a.bin"
same grpc_call /etcdserverpb.KV/Range "$T/truncated.bin"
same grpc_call /etcdserverpb.KV/Range "$T/prefix_only.bin"
same grpc_call /etcdserverpb.KV/Range "$T/nothing.bin"
same grpc_call /etcdserverpb.KV/Range "$T/compressed.bin"
same grpc_call /etcdserverpb.KV/Range "$T/format7.bin"
same grpc_call /etcdserverpb.KV/Range "$T/two.bin"
same grpc_call /etcdserverpb.KV/Range "$T/huge.bin"
same grpc_call /etcdserverpb.KV/Put "$T/just_over.bin"
same grpc_call /etcdserverpb.KV/Range "$T/empty.bin" 'grpc-encoding: gzip'
same grpc_call /etcdserverpb.KV/Range "$T/empty.bin" 'content-type: text/plain'
# grpc-timeout: a watch outlives it (its client's side ended, the stream
# stays, as etcd's does) and ends with the context's error; a malformed
# one resets the stream; hasleader is answered while there is a leader.
same grpc_call /etcdserverpb.Watch/Watch "$T/watch_a.bin" 'grpc-timeout: 1S'
same grpc_call /etcdserverpb.KV/Range "$T/range_a.bin" 'grpc-timeout: 1x'
same grpc_call /etcdserverpb.KV/Range "$T/range_a.bin" 'grpc-timeout: 2000m'
same grpc_call /etcdserverpb.KV/Range "$T/range_a.bin" 'hasleader: true'
# A header list over netd's bound (64 KiB, announced in SETTINGS and kept
# by nghttp2): the stream is refused, where etcd (16 MiB) would take it.
A30=$(head -c 30000 /dev/zero | tr '\0' a)
PORT=$CP grpc_call /etcdserverpb.KV/Range "$T/range_a.bin" "x-a: $A30" "x-b: $A30" \
	"x-c: $A30" >"$T/big.out"
check "a header list over 64 KiB (3 fields of 30 KB) gets no answer (stream reset)" \
	eval '! grep -q "grpc-status" "$T/big.out"'
PORT=$CP grpc_call /etcdserverpb.KV/Range "$T/range_a.bin" "x-small: $(head -c 1000 /dev/zero | tr '\0' a)" >"$T/small.out"
check "a header list under it is served" grep -q "^grpc-status: 0" "$T/small.out"
same ctl put after ok
check "netd still runs (the same process)" eval '[ "$(child_pid netd)" = "$NETD_PID" ]'

# A member that cannot elect a leader (its two peers never start): a
# client that requires one is refused with etcd's error; one that does
# not gets a serializable read.
stop_all
P1=$(free_port)
start_cairn "$B/cairn" --data-dir "$T/leaderless" --name a --initial-advertise-peer-urls \
	"http://127.0.0.1:$P1" --listen-peer-urls "http://127.0.0.1:$P1" --initial-cluster \
	"a=http://127.0.0.1:$P1,b=http://127.0.0.1:$(free_port),c=http://127.0.0.1:$(free_port)"
PORT=${CLIENT_URL##*:}
served() { grpc_call /etcdserverpb.KV/Range "$T/range_a_serializable.bin" | grep -q '^grpc-status: 0'; }
check "a member without a leader serves a serializable read" wait_for 20 served
grpc_call /etcdserverpb.KV/Range "$T/range_a_serializable.bin" "hasleader: true" >"$T/hasleader.out"
check "... but refuses a client that requires a leader (hasleader), as etcd" eval \
	'grep -qx "grpc-status: 14" "$T/hasleader.out" &&
	grep -qx "grpc-message: etcdserver: no leader" "$T/hasleader.out"'

finish_side_by_side
