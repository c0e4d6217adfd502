# Tests: a PKI made by openssl for the TLS tests (tls.sh, peer_tls.sh),
# in $P: a CA (ca.crt, ca.key) and another CA (other.crt) no member
# trusts. Sourced after lib.sh.

P=$T/pki
mkdir -p "$P"
ec() { openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes "$@" 2>/dev/null; }
ec -x509 -keyout "$P/ca.key" -out "$P/ca.crt" -days 2 -subj /CN=test-ca
ec -x509 -keyout "$P/other.key" -out "$P/other.crt" -days 2 -subj /CN=other
# signed NAME CN [EXTENSIONS]: a key and certificate signed by the CA.
signed() {
	ec -keyout "$P/$1.key" -out "$P/$1.csr" -subj "/CN=$2"
	printf '%s\n' "${3:-basicConstraints=CA:FALSE}" >"$P/$1.ext"
	openssl x509 -req -in "$P/$1.csr" -CA "$P/ca.crt" -CAkey "$P/ca.key" -CAcreateserial \
		-out "$P/$1.crt" -days 2 -extfile "$P/$1.ext" 2>/dev/null
}
