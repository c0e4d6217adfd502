#!/bin/bash
# Tests: simple tokens' lifetime (--auth-token-ttl): a token lives its TTL
# from its last use; once unused for longer, netd no longer knows it and
# answers etcd's "invalid auth token"; a token in use stays alive.
. "$(dirname "$0")/lib.sh"
export ETCDCTL_API=3

start_cairn "$B/cairn" --data-dir "$T/data" --auth-token-ttl 3
PORT=${CLIENT_URL##*:}
ctl() { timeout 20 etcdctl --endpoints "127.0.0.1:$PORT" --command-timeout 5s "$@"; }
up() { ctl put k v >/dev/null 2>&1; }
check "cairn serves" wait_for 20 up
ctl user add root:pw >/dev/null && ctl user grant-role root root >/dev/null
check "auth enabled" eval 'ctl auth enable | grep -qx "Authentication Enabled"'
# call PATH BODY-HEX [TOKEN]: a unary gRPC call; prints grpc-status and
# grpc-message, and the answer's message in $T/answer.
call() {
	python3 -c 'import sys; m = bytes.fromhex(sys.argv[1]); sys.stdout.buffer.write(b"\0" + len(m).to_bytes(4, "big") + m)' "$2" >"$T/req.bin"
	curl -s -D - -o "$T/answer" --http2-prior-knowledge -H 'content-type: application/grpc' \
		${3:+-H "token: $3"} --data-binary @"$T/req.bin" "http://127.0.0.1:$PORT$1" |
		tr -d '\r' | grep '^grpc-'
}
# AuthenticateRequest{name: "root", password: "pw"}; the token is field 2.
token() {
	call /etcdserverpb.Auth/Authenticate 0a04726f6f7412027077 >/dev/null
	python3 -c '
import sys
d = open(sys.argv[1], "rb").read()[5:]
i = 0
while i < len(d):
    tag = d[i]; i += 1
    n = d[i]; i += 1
    if tag == 0x12:
        print(d[i:i + n].decode())
    i += n' "$T/answer"
}
RANGE=0a016b   # RangeRequest{key: "k"}
TOK=$(token)
check "Authenticate gives a simple token" eval '[[ $TOK =~ ^[a-zA-Z]{16}\.[0-9]+$ ]]'
check "a call with it is served" eval 'call /etcdserverpb.KV/Range $RANGE "$TOK" | grep -qx "grpc-status: 0"'
for i in 1 2 3 4; do sleep 1; call /etcdserverpb.KV/Range $RANGE "$TOK" >"$T/kept.$i"; done
check "used every second for 4 s (TTL 3 s), it stays alive" eval \
	'cat "$T"/kept.* | grep -c "^grpc-status: 0$" | grep -qx 4'
sleep 5
call /etcdserverpb.KV/Range $RANGE "$TOK" >"$T/expired"
check "unused for 5 s, it is gone: etcd's invalid auth token" eval \
	'grep -qx "grpc-status: 16" "$T/expired" && grep -qx "grpc-message: etcdserver: invalid auth token" "$T/expired"'
check "a new one is given" eval 'TOK2=$(token); [ -n "$TOK2" ] && [ "$TOK2" != "$TOK" ]'
finish
