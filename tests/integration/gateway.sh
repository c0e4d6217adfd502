#!/bin/bash
# Tests: the JSON gateway under /v3/ (netd/gateway.c), side by side with
# the real etcd 3.4's grpc-gateway: the same POSTs give the same status,
# content type and body (JSON with bytes as base64 and 64-bit integers as
# strings), for unary calls, their errors, streams (watch, keepalive),
# bad JSON and bad paths; and a token in the Authorization field.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/etcd_lib.sh"

# post PATH BODY [CURL ARGS...]: status, content type and body.
post() {
	local path=$1 body=$2
	shift 2
	curl -s -o "$T/body" -w '%{http_code} %{content_type}\n' "$@" --data-binary "$body" \
		"http://127.0.0.1:$PORT$path"
	cat "$T/body"
	echo
}
# The gateway writes the term and the raft index as strings.
gw_normalise() { sed -E 's/"(raft_term|raftTerm)":"[0-9]+"/"\1":"TERM"/g'; }
gw() { post "$@" | gw_normalise; }

# KV.
same gw /v3/kv/put '{"key":"Zm9v","value":"YmFy"}'
same gw /v3/kv/put '{"key":"Zm9vMg==","value":"PGI+Jg==","prev_kv":true}'
same gw /v3/kv/put '{"key":"Zm9vMg==","value":"eA==","prevKv":true}'
same gw /v3/kv/range '{"key":"Zm9v"}'
same gw /v3/kv/range '{"key":"Zm9v","range_end":"Zm9w","sort_order":"DESCEND","sortTarget":"KEY"}'
same gw /v3/kv/range '{"key":"Zm9v","range_end":"Zm9w","limit":"1","keys_only":true}'
same gw /v3/kv/range '{"key":"Zm9v","range_end":"Zm9w","count_only":true,"revision":2}'
same gw /v3beta/kv/range '{"key":"Zm9v"}'
same gw /v3/kv/txn '{"compare":[{"key":"Zm9v","result":"EQUAL","target":"VALUE","value":"YmFy"}],
	"success":[{"request_put":{"key":"Zm9v","value":"PD4m"}},{"requestRange":{"key":"Zm9v"}}],
	"failure":[{"request_delete_range":{"key":"Zm9v"}}]}'
same gw /v3/kv/txn '{"compare":[{"key":"Zm9v","target":"VERSION","result":"GREATER","version":"9"}],
	"failure":[{"request_range":{"key":"Zm9v","count_only":true}}]}'
same gw /v3/kv/deleterange '{"key":"Zm9vMg==","prev_kv":true}'
same gw /v3/kv/deleterange '{"key":"bm9uZQ=="}'
# Errors: the service's (status and etcd's text), and the JSON's.
same gw /v3/kv/range '{}'
same gw /v3/kv/range ''
same gw /v3/kv/range '{"key":"Zm9v","revision":"100"}'
same gw /v3/kv/put '{"key":"Zm9v","lease":"12345"}'
same gw /v3/kv/range 'garbage'
same gw /v3/kv/range '[1]'
same gw /v3/kv/range '{"key":"Zm9v!"}'
same gw /v3/kv/range '{"key":"Zm9"}'
same gw /v3/kv/range '{"key":"Zm9v","limit":1.5}'
same gw /v3/kv/range '{"key":"Zm9v","serializable":"true"}'
same gw /v3/kv/range '{"key":"Zm9v","sort_order":"NOPE"}'
same gw /v3/kv/range '{"key":"Zm9v","unknown":1,"key":"YQ=="}'
# Go's own words for bad JSON, bad numbers and bad base64.
for body in '{"key" "a"}' '{"key":"YQ==" "a":1}' '{1:2}' '{"key":}' '{"key":"YQ==",}' \
	'{"key":"YQ=="' '{"limit":"99999999999999999999"}' '{"limit":99999999999999999999}' \
	'{"limit":"1e2"}' '{"limit":"01"}' '{"limit":" 7 "}' '{"limit":"abc"}' '{"limit":""}' \
	'{"limit":"-"}' '{"limit":"1."}' '{"key":5}' '{"key":"YQ==\n"}' '{"key":"YQ="}' \
	'{"key":"YQ"}' '{"key":"YQ=x"}' '{"limit":true}' '{"limit":"true"}' '{"limit":"null"}' \
	'{"key":"YQ==","sort_order":1}' '{"key":"YQ==","sort_order":true}' \
	'{"key":"YQ==","sort_order":"1"}' '{"key":"YQ==","min_mod_revision":-5}' '"x"' null \
	'{"key":null}' '{"key":"YQ==","range_end":[]}' '{"key":[97,null]}' '{"key":[256]}' \
	'{"key":[1.5]}' '{"key":["a"]}'; do
	same gw /v3/kv/range "$body"
done
same gw /v3/watch '{"create_request":{"key":"YQ==","filters":[1 2]}}'
same gw /v3/watch '{"create_request":{"key":"YQ==","filters":"NOPUT"}}'
same gw /v3/kv/compaction '{"revision":"100"}'
# Paths and methods.
same gw /v3/kv/nope '{}'
same gw /v3/kv/range '{}' -X PUT
same gw /v3/kv/range '' -X GET
same gw /v3/kv/range '' -X OPTIONS
check "an answer carries grpc-gateway's metadata field" eval \
	'PORT=$CP; curl -s -D - -o /dev/null -d "{\"key\":\"YQ==\"}" "http://127.0.0.1:$CP/v3/kv/range" |
	tr -d "\r" | grep -qx "Grpc-Metadata-Content-Type: application/grpc"'
# HTTP/2 on a plain port is gRPC's alone: etcd's (grpc-go's) stream reset
# for anything else (HTTP/2 over TLS: tests/integration/tls.sh).
h2c() { curl -s --http2-prior-knowledge -d '{}' "http://127.0.0.1:$PORT/v3/kv/range"; echo "curl $?"; }
same h2c

# Lease, with a keep-alive stream of one request.
same gw /v3/lease/grant '{"TTL":"60","ID":"4660"}'
same gw /v3/lease/grant '{"TTL":"60","ID":"4660"}'
same gw /v3/kv/put '{"key":"bA==","value":"dg==","lease":"4660"}'
same gw /v3/lease/keepalive '{"ID":"4660"}'
same gw /v3/lease/keepalive '{"ID":"999"}'
same gw /v3/lease/timetolive '{"ID":"4660","keys":true}'
same gw /v3/kv/lease/leases '{}'
same gw /v3/lease/revoke '{"ID":"4660"}'
same gw /v3/lease/revoke '{"ID":"4660"}'

# Watch: a stream of {"result": ...} lines; two requests in one body. The
# two watchers' events of one revision come in no fixed order in etcd (nor
# in cairn): the lines are compared sorted.
watch() {
	curl -s -N -m 3 --data-binary '{"create_request":{"key":"dw==","start_revision":"1"}}
		{"create_request":{"key":"dw==","prev_kv":true}}' \
		"http://127.0.0.1:$PORT/v3/watch" >"$T/watch.$PORT" &
	local pid=$!
	sleep 1
	post /v3/kv/put '{"key":"dw==","value":"MQ=="}' >/dev/null
	post /v3/kv/deleterange '{"key":"dw=="}' >/dev/null
	wait "$pid"
	gw_normalise <"$T/watch.$PORT" | sort
}
same watch
check "... both watchers saw the put and the delete" \
	test "$(grep -c '"events"' "$T/watch.$CP")" = 4
same gw /v3/watch '{"create_request":{"key":"dw==","start_revision":"x"}}'

# Lock and Election (etcd runs them over its concurrency recipes): leases
# of fixed IDs, so that the keys (name/LEASE in hex) agree. "lk", "el".
same gw /v3/lease/grant '{"TTL":"60","ID":"4096"}'
same gw /v3/lease/grant '{"TTL":"60","ID":"4097"}'
same gw /v3/lock/lock '{"name":"bGs=","lease":"4096"}'
same gw /v3/lock/lock '{"name":"bGs=","lease":"4096"}'
same gw /v3/kv/range '{"key":"bGsv","range_end":"bGsw"}'
same gw /v3/lock/unlock '{"key":"bGsvMTAwMA=="}'
same gw /v3/lock/unlock '{}'
same gw /v3/lock/lock '{"name":"bGs=","lease":"1"}'
same gw /v3/lock/lock '{"name":5}'
# An election: an observer from the start, a second candidate waiting
# while the first proclaims, then resigns.
leader_key() { printf '{"name":"ZWw=","key":"ZWwvMTAwMA==","rev":"%s","lease":"4096"}' "$1"; }
elect() {
	local rev obs camp
	gw /v3/election/leader '{"name":"ZWw="}'
	curl -s -N -m 4 --data-binary '{"name":"ZWw="}' \
		"http://127.0.0.1:$PORT/v3/election/observe" >"$T/observe.$PORT" &
	obs=$!
	sleep 0.5
	post /v3/election/campaign '{"name":"ZWw=","lease":"4096","value":"YQ=="}' >"$T/camp.$PORT"
	gw_normalise <"$T/camp.$PORT"
	rev=$(sed -n 's/.*"rev":"\([0-9]*\)".*/\1/p' "$T/camp.$PORT")
	curl -s -m 4 --data-binary '{"name":"ZWw=","lease":"4097","value":"Yw=="}' \
		"http://127.0.0.1:$PORT/v3/election/campaign" >"$T/camp2.$PORT" &
	camp=$!
	sleep 0.5
	gw /v3/election/proclaim "{\"leader\":$(leader_key "$rev"),\"value\":\"Yg==\"}"
	gw /v3/election/proclaim "{\"leader\":$(leader_key 1),\"value\":\"Yg==\"}"
	gw /v3/election/proclaim '{"value":"Yg=="}'
	gw /v3/election/leader '{"name":"ZWw="}'
	gw /v3/election/resign "{\"leader\":$(leader_key "$rev")}"
	wait "$camp"
	gw_normalise <"$T/camp2.$PORT"
	echo
	wait "$obs"
	gw_normalise <"$T/observe.$PORT"
}
same elect
check "... the observer saw three leaders' values" \
	test "$(grep -o '"value":"[^"]*"' "$T/observe.$CP" | tr '\n' ' ')" = '"value":"YQ==" "value":"Yg==" "value":"Yw==" '

# Maintenance and auth.
check "maintenance/status: etcd's fields" eval \
	'PORT=$CP; gw /v3/maintenance/status "{}" | grep -q "^{\"header\":.*\"version\":\"3.4.23\",\"dbSize\":\"[0-9]*\",\"leader\":\"10276657743932975437\""'
same gw /v3/maintenance/alarm '{"action":"GET"}'
same gw /v3/auth/user/add '{"name":"root","password":"pw"}'
same gw /v3/auth/user/add '{"name":"a<b>","password":"pw"}'
same gw /v3/auth/user/list '{}'
same gw /v3/auth/user/grant '{"user":"root","role":"root"}'
same gw /v3/auth/role/add '{"name":"r"}'
same gw /v3/auth/role/grant '{"name":"r","perm":{"key":"YQ==","range_end":"Yg==","permType":"READWRITE"}}'
same gw /v3/auth/role/get '{"role":"r"}'
same gw /v3/auth/enable '{}'
same gw /v3/kv/range '{"key":"Zm9v"}'
same gw /v3/kv/range '{"key":"Zm9v"}' -H 'Authorization: nope'
same gw /v3/auth/authenticate '{"name":"root","password":"bad"}'
token() {
	post /v3/auth/authenticate '{"name":"root","password":"pw"}' |
		sed -n 's/.*"token":"\([^"]*\)".*/\1/p'
}
for PORT in "$EP" "$CP"; do
	tok=$(token)
	post /v3/kv/range '{"key":"Zm9v"}' -H "Authorization: $tok" | gw_normalise >"$T/auth.$PORT"
	post /v3/auth/disable '{}' -H "Authorization: $tok" >/dev/null
done
check "a token in Authorization: the call is the user's (as etcd)" \
	cmp "$T/auth.$EP" "$T/auth.$CP"
check "... and it was served" grep -q '"kvs":\[' "$T/auth.$CP"

finish_side_by_side
