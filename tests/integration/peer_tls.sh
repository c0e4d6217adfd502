#!/bin/bash
# Tests: TLS between members (https peer URLs; netd/peer.c over
# netd/tls.c) with a PKI made by openssl: three members with
# --peer-cert-file, --peer-key-file, --peer-trusted-ca-file,
# --peer-client-cert-auth and --peer-cert-allowed-cn elect a leader and
# replicate writes; a plain-text peer, a client without a certificate, one
# of another CA and one of the right CA with another CN are refused; three
# members with --peer-auto-tls form a cluster too.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/pki_lib.sh"
signed member member 'subjectAltName=IP:127.0.0.1,DNS:localhost'
signed intruder intruder 'subjectAltName=IP:127.0.0.1'
ec -keyout "$P/stranger.key" -out "$P/stranger.csr" -subj /CN=member
openssl x509 -req -in "$P/stranger.csr" -CA "$P/other.crt" -CAkey "$P/other.key" \
	-CAcreateserial -out "$P/stranger.crt" -days 2 2>/dev/null
check "the test's PKI is made" test -s "$P/member.crt" -a -s "$P/stranger.crt"

SCHEME=https
# TLS handshakes are slow under the sanitizers: timings that leave room.
HEARTBEAT_MS=100
ELECTION_MS=1000
PEER_FLAGS="--peer-cert-file $P/member.crt --peer-key-file $P/member.key
	--peer-trusted-ca-file $P/ca.crt --peer-client-cert-auth --peer-cert-allowed-cn member"
. "$(dirname "$0")/members_lib.sh"

for n in $NAMES; do start_member "$n"; done
check "three members over TLS elect one leader" wait_for 20 one_leader
check "... each connected to the others with TLS" \
	wait_for 20 eval '[ "$(cat "$T"/?.log | grep -c "connected to member .* (TLS)")" -ge 6 ]'
check "the leader is known" pick_leader
check "a put through a follower" eval '[ "$(ctl "$F" put k1 v1)" = OK ]'
check "... is read on every member" wait_for 10 everywhere k1 v1

# session CERT-ARGS: whether a TLS client keeps a session on the leader's
# peer port: a refused certificate ends it at once (an alert or EOF).
session() {
	local out
	out=$(printf '' | timeout 10 openssl s_client -connect "127.0.0.1:${PEER[$L]}" -tls1_2 \
		-CAfile "$P/ca.crt" "$@" 2>&1)
	printf '%s\n' "$out" | grep -q "Cipher is ECDHE" &&
		! printf '%s\n' "$out" | grep -qi "unexpected eof\|alert"
}
refused_plain() {
	python3 - "${PEER[$L]}" <<'PY'
import socket, struct, sys
s = socket.create_connection(('127.0.0.1', int(sys.argv[1])))
s.sendall(struct.pack('<I', 10) + b'\x0a\x08\x08\x01\x10\x01\x18\x01\x20\x01')
s.settimeout(15)
try:
    data = s.recv(100)
    print('closed' if data == b'' or data[:1] == b'\x15' else 'open')
except ConnectionResetError:
    print('closed')
except socket.timeout:
    print('open')
PY
}
check "a plain-text hello on the TLS peer port: the connection ends" \
	eval '[ "$(refused_plain)" = closed ]'
check "a client certificate of the CA is served" session -cert "$P/member.crt" -key "$P/member.key"
check "no client certificate: refused (--peer-client-cert-auth)" eval '! session'
check "a certificate of another CA: refused" eval \
	'! session -cert "$P/stranger.crt" -key "$P/stranger.key"'
check "the CA's certificate with another CN: the alert Go's dialler reports as \"bad certificate\" (--peer-cert-allowed-cn)" \
	eval 'printf "" | timeout 10 openssl s_client -connect "127.0.0.1:${PEER[$L]}" -tls1_2 \
	-cert "$P/intruder.crt" -key "$P/intruder.key" 2>&1 | grep -q "alert bad certificate"'
check "... while the allowed CN is served" session -cert "$P/member.crt" -key "$P/member.key"
check "the cluster still serves" eval '[ "$(ctl "$F" put k2 v2)" = OK ]'
check "... on every member" wait_for 10 everywhere k2 v2
stop_members

# --peer-auto-tls: self-signed certificates, none verified (as etcd).
rm -rf "$T/a" "$T/b" "$T/c"
PEER_FLAGS=--peer-auto-tls
for n in $NAMES; do start_member "$n"; done
check "--peer-auto-tls: three members elect one leader" wait_for 20 one_leader
check "... and replicate" eval 'pick_leader && ctl "$L" put k3 v3 >/dev/null && wait_for 10 everywhere k3 v3'
finish_members
