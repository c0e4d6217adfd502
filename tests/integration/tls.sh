#!/bin/bash
# Tests: TLS on an https client URL (mbedTLS in netd), with a PKI made by
# openssl in the test: the real etcdctl 3.4 over TLS (ALPN h2), curl over
# HTTP/1.1 on TLS, client certificates required (--client-cert-auth,
# --trusted-ca-file): one from the CA served, none or another CA's
# refused, a revoked one refused (--client-crl-file); an https URL
# without a certificate refused at start with etcd's message.
. "$(dirname "$0")/lib.sh"
export ETCDCTL_API=3

. "$(dirname "$0")/pki_lib.sh"
signed server server 'subjectAltName=IP:127.0.0.1,DNS:localhost'
signed client root
signed revoked revoked
signed alice alice
: >"$P/index.txt"
echo 01 >"$P/crlnumber"
printf '[ca]\ndefault_ca = d\n[d]\ndatabase = %s\ncrlnumber = %s\ndefault_md = sha256\ndefault_crl_days = 2\n' \
	"$P/index.txt" "$P/crlnumber" >"$P/ca.cnf"
openssl ca -config "$P/ca.cnf" -keyfile "$P/ca.key" -cert "$P/ca.crt" -revoke "$P/revoked.crt" >/dev/null 2>&1
openssl ca -config "$P/ca.cnf" -keyfile "$P/ca.key" -cert "$P/ca.crt" -gencrl -out "$P/crl.pem" >/dev/null 2>&1
check "the test's PKI is made (CA, server, clients, a CRL)" test -s "$P/crl.pem" -a -s "$P/server.crt"

# An https URL and no certificate: etcd's refusal, before anything starts.
CP=$(free_port)
"$B/cairn" --data-dir "$T/nocert" --listen-client-urls "https://127.0.0.1:$CP" \
	--advertise-client-urls "https://127.0.0.1:$CP" \
	--listen-peer-urls "http://127.0.0.1:$(free_port)" >"$T/nocert.out" 2>&1
echo "exit $?" >>"$T/nocert.out"
check "an https URL without --cert-file and --key-file: etcd's error, exit 1" eval \
	'grep -q "TLS key/cert (--cert-file, --key-file) must be provided for client url https://127.0.0.1:$CP with HTTPS scheme" "$T/nocert.out" &&
	tail -1 "$T/nocert.out" | grep -qx "exit 1" && [ ! -d "$T/nocert" ]'

# A cipher suite etcd does not know: its message, exit 1.
"$B/cairn" --data-dir "$T/badsuite" --cipher-suites TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,TLS_NOPE \
	--listen-client-urls "http://127.0.0.1:$(free_port)" \
	--listen-peer-urls "http://127.0.0.1:$(free_port)" >"$T/badsuite.out" 2>&1
echo "exit $?" >>"$T/badsuite.out"
check "--cipher-suites with an unknown name: etcd's error, exit 1" eval \
	'grep -qF "unexpected TLS cipher suite \\\"TLS_NOPE\\\"" "$T/badsuite.out" &&
	tail -1 "$T/badsuite.out" | grep -qx "exit 1"'

URL=https://127.0.0.1:$CP
start_cairn "$B/cairn" --data-dir "$T/d1" --listen-client-urls "$URL" --advertise-client-urls "$URL" \
	--cert-file "$P/server.crt" --key-file "$P/server.key" \
	--cipher-suites TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305
tctl() { timeout 20 etcdctl --endpoints "$URL" --command-timeout 3s --dial-timeout 3s "$@"; }
up() { tctl --cacert "$P/ca.crt" put tls v >/dev/null 2>&1; }
check "etcdctl over TLS (ALPN h2): put" wait_for 20 up
check "... and get" eval '[ "$(tctl --cacert "$P/ca.crt" get tls --print-value-only)" = v ]'
check "HTTP/2 over TLS (curl's default) that is not gRPC: /health, as etcd's TLS listener" eval \
	'[ "$(curl -s --http2 --cacert "$P/ca.crt" "$URL/health")" = "{\"health\":\"true\"}" ] &&
	curl -s -o /dev/null -w "%{http_version} %{http_code}" --cacert "$P/ca.crt" "$URL/nope" | grep -qx "2 404"'
# The JSON gateway over HTTP/2 and HTTP/1.1 on TLS: the same answers.
tpost() { curl -s --cacert "$P/ca.crt" -w ' %{http_version} %{http_code}' "$@"; }
for v in 1.1 2; do
	tpost --http$v -d '{"key":"dGxz"}' "$URL/v3/kv/range" | sed 's/ [12].*//' >"$T/gw.$v"
	tpost --http$v -m 1 -d '{"create_request":{"key":"dGxz"}}' "$URL/v3/watch" >"$T/gww.$v"
done
check "the JSON gateway over HTTP/2 on TLS: a range" \
	grep -q '^{"header":.*"kvs":\[{"key":"dGxz",.*"value":"dg=="}\],"count":"1"}$' "$T/gw.2"
check "... as over HTTP/1.1" cmp "$T/gw.1.1" "$T/gw.2"
check "... and a watch's stream" grep -q '^{"result":{"header":.*"created":true}}$' "$T/gww.2"
check "a client that does not trust the server's CA is not served" eval \
	'! tctl get tls >/dev/null 2>&1'
# s_client CIPHERS: the suite a TLS 1.2 client offering CIPHERS gets.
s_client() {
	openssl s_client -connect "127.0.0.1:$CP" -tls1_2 -cipher "$1" </dev/null 2>/dev/null |
		sed -n 's/.*Cipher is \([^ ]*\).*/\1/p' | head -1
}
check "--cipher-suites: the server's first choice is taken" eval \
	'[ "$(s_client ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-ECDSA-CHACHA20-POLY1305)" = ECDHE-ECDSA-AES128-GCM-SHA256 ]'
check "... the ChaCha20 one (etcd's short name) too" eval \
	'[ "$(s_client ECDHE-ECDSA-CHACHA20-POLY1305)" = ECDHE-ECDSA-CHACHA20-POLY1305 ]'
check "... and a client that offers none of them gets no session" eval \
	'case "$(s_client ECDHE-ECDSA-AES256-GCM-SHA384)" in ""|"(NONE)"*) true ;; *) false ;; esac'
check "HTTP/1.1 over TLS: /health" eval \
	'[ "$(curl -s --http1.1 --cacert "$P/ca.crt" "$URL/health")" = "{\"health\":\"true\"}" ]'
garbage() {
	python3 -c '
import os, socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=15)
s.sendall(b"\x16\x03\x01" + os.urandom(3000))
try:
    while s.recv(4096):
        pass
except ConnectionResetError:
    pass' "$CP"
}
check "a client that sends garbage instead of a handshake is closed" garbage
check "... and others are still served" up
stop_all

# --auto-tls: a self-signed certificate made at start, as etcd's.
start_cairn "$B/cairn" --data-dir "$T/auto" --listen-client-urls "$URL" --advertise-client-urls "$URL" \
	--auto-tls
insecure() { tctl --insecure-skip-tls-verify --insecure-transport=false "$@"; }
upa() { insecure put auto v >/dev/null 2>&1; }
check "--auto-tls: a client that skips verification is served" wait_for 20 upa
check "... one that verifies is not (the certificate is self-signed)" eval \
	'! tctl --insecure-transport=false get auto >/dev/null 2>&1'
echo | openssl s_client -connect "127.0.0.1:$CP" 2>/dev/null |
	openssl x509 -noout -subject -ext extendedKeyUsage >"$T/auto.crt.txt" 2>&1
check "... the certificate is etcd's kind: O=etcd, for server authentication" eval \
	'grep -q "^subject=O = etcd$" "$T/auto.crt.txt" && grep -q "TLS Web Server Authentication" "$T/auto.crt.txt"'
stop_all

# http and https on the same address, as etcd serves them: netd tells a
# TLS handshake from plain HTTP/2 or HTTP/1.1 by the first byte.
start_cairn "$B/cairn" --data-dir "$T/both" --listen-client-urls "http://127.0.0.1:$CP,$URL" \
	--advertise-client-urls "$URL" --cert-file "$P/server.crt" --key-file "$P/server.key"
plain() { timeout 20 etcdctl --endpoints "127.0.0.1:$CP" --command-timeout 3s "$@"; }
upb() { plain put both v >/dev/null 2>&1; }
check "http and https on one port: etcdctl over plain HTTP/2" wait_for 20 upb
check "... over TLS" eval '[ "$(tctl --cacert "$P/ca.crt" get both --print-value-only)" = v ]'
check "... curl over plain HTTP/1.1 and over TLS" eval \
	'[ "$(curl -s "http://127.0.0.1:$CP/health")" = "{\"health\":\"true\"}" ] &&
	[ "$(curl -s --http1.1 --cacert "$P/ca.crt" "$URL/health")" = "{\"health\":\"true\"}" ]'
check "one socket serves both (one listening line for the port, and a line saying so)" eval \
	'[ "$(grep -c "\"msg\":\"listening for client requests on 127.0.0.1:$CP\"" "$LOG")" -eq 1 ] &&
	grep -q "\"msg\":\"serving http and https on 127.0.0.1:$CP\"" "$LOG"'
stop_all

# Client certificates required, with a CRL.
start_cairn "$B/cairn" --data-dir "$T/d2" --listen-client-urls "$URL" --advertise-client-urls "$URL" \
	--cert-file "$P/server.crt" --key-file "$P/server.key" --client-cert-auth \
	--trusted-ca-file "$P/ca.crt" --client-crl-file "$P/crl.pem"
as() { local who=$1; shift; tctl --cacert "$P/ca.crt" --cert "$P/$who.crt" --key "$P/$who.key" "$@"; }
upc() { as client put mtls v >/dev/null 2>&1; }
check "--client-cert-auth: a client certificate from the CA is served" wait_for 20 upc
check "... none is refused" eval '! tctl --cacert "$P/ca.crt" get mtls >/dev/null 2>&1'
check "... another CA's is refused" eval '! as other get mtls >/dev/null 2>&1'
check "... a revoked one (--client-crl-file) is refused" eval '! as revoked get mtls >/dev/null 2>&1'
check "... the good one still is served" eval '[ "$(as client get mtls --print-value-only)" = v ]'
# Auth on: a call without a token is made by the certificate's CN, as
# etcd's AuthInfoFromTLS makes it.
as client user add root:pw >/dev/null 2>&1
as client user grant-role root root >/dev/null 2>&1
check "auth enabled over a client certificate" eval 'as client auth enable | grep -qx "Authentication Enabled"'
check "the certificate's CN (root) is the user: it may list users" eval \
	'[ "$(as client user list)" = root ]'
check "another CN (alice, no such user) is refused" eval \
	'as alice get mtls 2>&1 | grep -qx "Error: etcdserver: permission denied"'
check "a token still wins over the CN (a wrong password is refused)" eval \
	'as client --user root:bad get mtls 2>&1 | grep -q "authentication failed"'
check "no cairn process died or tripped a sanitizer" \
	eval '! grep -q "runtime error:\|Sanitizer\|exited with status\|killed by signal" "$LOG"'

finish
