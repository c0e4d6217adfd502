#!/bin/bash
# Tests: the v3 Lock and Election services on three members, through the
# JSON gateway (curl): a lock held through the leader makes a waiter on a
# follower wait; the waiter's client gone, its key goes; another waiter on
# a follower gets the lock once it is unlocked on the other follower; an
# observer on a follower follows a campaign made on the leader; with auth
# on, a user who may only read gets etcd's "permission denied" and leaves
# no key, and one who may write locks.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/members_lib.sh"

b64() { printf %s "$1" | base64 -w0; }
# post MEMBER PATH BODY [CURL ARGS...]: the answer's body.
post() {
	local n=$1 path=$2 body=$3
	shift 3
	curl -s -m 10 "$@" --data-binary "$body" "http://127.0.0.1:${CLIENT[$n]}$path"
}
lease() { post "$1" /v3/lease/grant "{\"TTL\":\"60\",\"ID\":\"$2\"}" | grep -q '"ID"'; }
keys_of() { ctl "$1" get "$2" --prefix --keys-only | sed '/^$/d' | tr '\n' ' '; }

for n in $NAMES; do start_member "$n"; done
check "three members elect one leader" pick_leader
O=$(for n in $NAMES; do [ "$n" != "$L" ] && [ "$n" != "$F" ] && echo "$n"; done)
# A new leader may refuse proposals for a moment (slower under sanitizers).
check "leases granted" eval 'wait_for 10 lease "$L" 256 && lease "$L" 257 && lease "$L" 258'

check "a lock taken through the leader" eval \
	'post "$L" /v3/lock/lock "{\"name\":\"$(b64 lk)\",\"lease\":\"256\"}" | grep -q "\"key\":\"$(b64 lk/100)\""'
# curl itself in the background, so that killing it closes its connection.
curl -s -m 10 --data-binary "{\"name\":\"$(b64 lk)\",\"lease\":\"257\"}" \
	"http://127.0.0.1:${CLIENT[$F]}/v3/lock/lock" >"$T/w1" &
W1=$!
check "a waiter on a follower: its key is put, and it waits" eval \
	'wait_for 5 eval "[ \"\$(keys_of \$L lk/)\" = \"lk/100 lk/101 \" ]" && sleep 0.5 && alive $W1'
kill "$W1"
check "... its client gone, the waiter's key goes" \
	wait_for 5 eval '[ "$(keys_of "$L" lk/)" = "lk/100 " ]'
curl -s -m 10 --data-binary "{\"name\":\"$(b64 lk)\",\"lease\":\"258\"}" \
	"http://127.0.0.1:${CLIENT[$O]}/v3/lock/lock" >"$T/w2" &
W2=$!
sleep 0.5
check "a waiter on the other follower waits" alive "$W2"
check "an unlock through a follower" eval \
	'post "$F" /v3/lock/unlock "{\"key\":\"$(b64 lk/100)\"}" | grep -q "\"header\""'
check "... hands the lock to the waiter" eval \
	'wait_for 5 dead "$W2" && grep -q "\"key\":\"$(b64 lk/102)\"" "$T/w2"'

curl -s -N -m 4 --data-binary "{\"name\":\"$(b64 el)\"}" \
	"http://127.0.0.1:${CLIENT[$F]}/v3/election/observe" >"$T/observe" &
OBS=$!
sleep 0.5
check "a campaign on the leader" eval \
	'post "$L" /v3/election/campaign "{\"name\":\"$(b64 el)\",\"lease\":\"256\",\"value\":\"$(b64 v1)\"}" | grep -q "\"leader\""'
check "... the election's leader, asked of a follower" eval \
	'post "$O" /v3/election/leader "{\"name\":\"$(b64 el)\"}" | grep -q "\"value\":\"$(b64 v1)\""'
wait "$OBS"
check "... seen by an observer on another follower" grep -q "\"value\":\"$(b64 v1)\"" "$T/observe"

# Auth: "reader" may read lk2/, "writer" may write it.
ctl "$L" user add root:pw >/dev/null
ctl "$L" user grant-role root root >/dev/null
ctl "$L" role add ro >/dev/null
ctl "$L" role add rw >/dev/null
ctl "$L" role grant-permission ro read lk2/ --prefix >/dev/null
ctl "$L" role grant-permission rw readwrite lk2/ --prefix >/dev/null
ctl "$L" user add reader:pw >/dev/null
ctl "$L" user add writer:pw >/dev/null
ctl "$L" user grant-role reader ro >/dev/null
ctl "$L" user grant-role writer rw >/dev/null
check "auth enabled" eval 'ctl "$L" auth enable | grep -q "Authentication Enabled"'
token() { post "$F" /v3/auth/authenticate "{\"name\":\"$1\",\"password\":\"pw\"}" | sed -n 's/.*"token":"\([^"]*\)".*/\1/p'; }
check "a reader's lock: UNKNOWN with etcd's \"permission denied\"" eval \
	'post "$F" /v3/lock/lock "{\"name\":\"$(b64 lk2)\",\"lease\":\"257\"}" -H "Authorization: $(token reader)" |
	grep -q "\"error\":\"etcdserver: permission denied\",.*\"code\":2"'
check "a writer's lock" eval \
	'post "$F" /v3/lock/lock "{\"name\":\"$(b64 lk2)\",\"lease\":\"257\"}" -H "Authorization: $(token writer)" |
	grep -q "\"key\":\"$(b64 lk2/101)\""'
check "... and no key but the writer's" eval \
	'[ "$(ctl "$L" --user root:pw get lk2/ --prefix --keys-only | sed "/^$/d")" = lk2/101 ]'
finish_members
