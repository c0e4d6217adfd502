#!/bin/bash
# Tests: --auth-token jwt,... side by side with the real etcd 3.4 (same
# keys, made here with openssl): Authenticate answers a JSON Web Token with
# etcd's header and claims (alg, typ; exp, revision, username), signed as
# the method says (openssl verifies cairn's RS256 and ES256 signatures);
# the token authorizes calls, survives a restart of netd (nothing is kept
# per token), and is refused, as etcd refuses it, once tampered with or
# expired. Bad options stop cairn at start with etcd's error, exit 1.
. "$(dirname "$0")/lib.sh"

ETCD_BIN=$(command -v etcd)
CTL_BIN=$(command -v etcdctl)
if [ -z "$ETCD_BIN" ] || [ -z "$CTL_BIN" ] || ! command -v openssl >/dev/null; then
	not_ok "etcd, etcdctl and openssl are installed (scripts/deps.sh test installs them)"
	finish
	exit 1
fi
ETCD_PID=
trap 'stop_all; [ -z "$ETCD_PID" ] || kill -9 "$ETCD_PID" 2>/dev/null; rm -rf "$T"' EXIT
export ETCDCTL_API=3

openssl genrsa -out "$T/rsa.key" 2048 2>/dev/null
openssl rsa -in "$T/rsa.key" -pubout -out "$T/rsa.pub" 2>/dev/null
openssl ecparam -name prime256v1 -genkey -noout -out "$T/ec.key" 2>/dev/null
openssl ec -in "$T/ec.key" -pubout -out "$T/ec.pub" 2>/dev/null
RS="jwt,pub-key=$T/rsa.pub,priv-key=$T/rsa.key,sign-method=RS256,ttl=3s"
ES="jwt,pub-key=$T/ec.pub,priv-key=$T/ec.key,sign-method=ES256,ttl=1h"

EP=$(free_port)
"$ETCD_BIN" --data-dir "$T/etcd" --listen-client-urls "http://127.0.0.1:$EP" \
	--advertise-client-urls "http://127.0.0.1:$EP" \
	--listen-peer-urls "http://127.0.0.1:$(free_port)" --auth-token "$RS" >"$T/etcd.log" 2>&1 &
ETCD_PID=$!
CP=$(free_port)
start_cairn "$B/cairn" --data-dir "$T/cairn" --listen-client-urls "http://127.0.0.1:$CP" \
	--auth-token "$RS"
up() { "$CTL_BIN" --endpoints "127.0.0.1:$1" --command-timeout 2s get up >/dev/null 2>&1; }
check "etcd serves" wait_for 20 up "$EP"
check "cairn serves" wait_for 20 up "$CP"
for p in "$EP" "$CP"; do
	"$CTL_BIN" --endpoints "127.0.0.1:$p" user add root:pw >/dev/null
	"$CTL_BIN" --endpoints "127.0.0.1:$p" auth enable >/dev/null 2>&1
done

# token PORT: Authenticate through the JSON gateway.
token() {
	curl -s -X POST "127.0.0.1:$1/v3/auth/authenticate" -d '{"name":"root","password":"pw"}' |
		sed -n 's/.*"token":"\([^"]*\)".*/\1/p'
}
# part TOKEN N: the Nth dot-separated part, base64url-decoded.
part() {
	python3 -c 'import base64, sys
p = sys.argv[1].split(".")[int(sys.argv[2])]
sys.stdout.buffer.write(base64.urlsafe_b64decode(p + "=" * (-len(p) % 4)))' "$1" "$2"
}
range() {
	curl -s -X POST "127.0.0.1:$1/v3/kv/range" -H "Authorization: $2" -d '{"key":"aw=="}' |
		sed 's/"header":{[^}]*},//'
}
ET=$(token "$EP")
CT=$(token "$CP")
check "cairn answers Authenticate with a JWT" eval '[ "$(echo "$CT" | tr -cd . | wc -c)" = 2 ]'
check "... with etcd's header" eval '[ "$(part "$CT" 0)" = "$(part "$ET" 0)" ]'
check "... and etcd's claims (the expiry aside)" eval \
	'[ "$(part "$CT" 1 | sed "s/\"exp\":[0-9]*/E/")" = "$(part "$ET" 1 | sed "s/\"exp\":[0-9]*/E/")" ]'
check "... expiring in its ttl (3 s)" eval \
	'[ $(( $(part "$CT" 1 | sed "s/.*\"exp\":\([0-9]*\).*/\1/") - $(date +%s) )) -le 3 ]'
printf '%s' "${CT%.*}" >"$T/signed"
part "$CT" 2 >"$T/sig"
check "its RS256 signature verifies (openssl)" \
	eval 'openssl dgst -sha256 -verify "$T/rsa.pub" -signature "$T/sig" "$T/signed" >/dev/null'
"$CTL_BIN" --endpoints "127.0.0.1:$CP" --user root:pw put k v >/dev/null
"$CTL_BIN" --endpoints "127.0.0.1:$EP" --user root:pw put k v >/dev/null
CT=$(token "$CP")
ET=$(token "$EP")
check "the token authorizes a call" eval 'range "$CP" "$CT" | grep -q "\"kvs\""'
kill -9 "$(child_pid netd)"
check "... and again after netd restarted (nothing kept per token)" wait_for 10 eval \
	'range "$CP" "$CT" | grep -q "\"kvs\""'
# tamper TOKEN: the same signature over claims that expire a day later.
tamper() {
	python3 -c 'import base64, json, sys
h, p, s = sys.argv[1].split(".")
c = json.loads(base64.urlsafe_b64decode(p + "=" * (-len(p) % 4)))
c["exp"] += 86400
p = base64.urlsafe_b64encode(json.dumps(c, separators=(",", ":")).encode()).decode().rstrip("=")
print(h + "." + p + "." + s)' "$1"
}
check "a tampered token: refused as etcd refuses it" eval \
	'[ "$(range "$CP" "$(tamper "$CT")")" = "$(range "$EP" "$(tamper "$ET")")" ] &&
	range "$CP" "$(tamper "$CT")" | grep -q "invalid auth token"'
sleep 4
check "an expired token: refused as etcd refuses it" eval \
	'[ "$(range "$CP" "$CT")" = "$(range "$EP" "$ET")" ] && range "$CP" "$CT" | grep -q "invalid auth token"'
stop_all

# ES256: r and s, 32 bytes each; openssl takes them as DER.
start_cairn "$B/cairn" --data-dir "$T/cairn-es" --auth-token "$ES"
CP=${CLIENT_URL##*:}
check "cairn with ES256 serves" wait_for 20 up "$CP"
"$CTL_BIN" --endpoints "127.0.0.1:$CP" user add root:pw >/dev/null
"$CTL_BIN" --endpoints "127.0.0.1:$CP" auth enable >/dev/null 2>&1
CT=$(token "$CP")
check "an ES256 token: its header" eval '[ "$(part "$CT" 0)" = "{\"alg\":\"ES256\",\"typ\":\"JWT\"}" ]'
printf '%s' "${CT%.*}" >"$T/signed"
part "$CT" 2 | python3 -c 'import sys
raw = sys.stdin.buffer.read()
def der_int(b):
    b = b.lstrip(b"\0") or b"\0"
    if b[0] & 0x80:
        b = b"\0" + b
    return b"\x02" + bytes([len(b)]) + b
body = der_int(raw[:32]) + der_int(raw[32:])
sys.stdout.buffer.write(b"\x30" + bytes([len(body)]) + body)' >"$T/sig"
check "... its signature (64 bytes, r and s) verifies (openssl)" eval \
	'[ "$(part "$CT" 2 | wc -c)" = 64 ] && openssl dgst -sha256 -verify "$T/ec.pub" -signature "$T/sig" "$T/signed" >/dev/null'
"$CTL_BIN" --endpoints "127.0.0.1:$CP" --user root:pw put k v >/dev/null
check "... and authorizes a call" eval 'range "$CP" "$CT" | grep -q "\"kvs\""'
stop_all

# Bad options: etcd's errors at start, exit 1, nothing started.
bad_start() {
	local out
	out=$("$B/cairn" --data-dir "$T/bad" --listen-client-urls "http://127.0.0.1:$(free_port)" \
		--listen-peer-urls "http://127.0.0.1:$(free_port)" --auth-token "$1" 2>&1)
	[ $? = 1 ] && printf '%s' "$out" | grep -qF "$2" && [ ! -e "$T/bad/member" ]
}
check "--auth-token of an unknown type: exit 1" bad_start bogus "auth: invalid auth options"
check "an unknown sign-method: exit 1" bad_start "jwt,pub-key=$T/rsa.pub,sign-method=XX256" \
	"auth: invalid auth signature method"
check "a public key that cannot be read: exit 1" bad_start \
	"jwt,pub-key=$T/none.pub,sign-method=RS256" "cannot read the JWT public key"
check "an RSA key for ES256: exit 1" bad_start "jwt,pub-key=$T/rsa.pub,sign-method=ES256" \
	"is not for ES256"
check "no cairn process died or tripped a sanitizer" eval \
	'! grep -q "runtime error:\|Sanitizer\|killed by signal 6\|killed by signal 11" "$T"/cairn.*.log'
finish
