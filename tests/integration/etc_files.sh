#!/bin/bash
# Tests: etc/cairn-pod.yaml, the kubeadm-style static pod, starts a member
# with exactly its flags (the node's IP as 127.0.0.2, its ports free ones,
# /etc/kubernetes/pki/etcd and /var/lib/etcd under a temporary dir, the
# certificates made by openssl): it serves etcdctl over TLS with a client
# certificate as the kube-apiserver connects, refuses one without, and
# its metrics URL answers the probes' /health. etc/cairn.service names a
# config file test_config reads (tests/unit/test_config.c).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/pki_lib.sh"

S=${CAIRN_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}
POD=$S/etc/cairn-pod.yaml
san="subjectAltName=IP:127.0.0.1,IP:127.0.0.2
extendedKeyUsage=serverAuth,clientAuth"
signed server node1 "$san"
signed peer node1 "$san"
signed apiserver kube-apiserver-etcd-client "extendedKeyUsage=clientAuth"
mkdir -p "$T/pki/etcd"
cp "$P/server.crt" "$P/server.key" "$P/peer.crt" "$P/peer.key" "$P/ca.crt" "$T/pki/etcd/"

ports=($(free_port 3))
# The manifest's command, one argument a line, as the node would run it.
sed -n '/^  - command:/,/^    image:/p' "$POD" | sed -n 's/^    - //p' |
	sed -e "s|10\.0\.0\.10|127.0.0.2|g" -e "s|:2379|:${ports[0]}|g" -e "s|:2380|:${ports[1]}|g" \
		-e "s|:2381|:${ports[2]}|g" -e "s|/etc/kubernetes/pki|$T/pki|g" \
		-e "s|/var/lib/etcd|$T/data|g" -e "s|NODE_NAME|node1|g" >"$T/args"
check "the manifest runs cairn with kubeadm's etcd flags" eval \
	'[ "$(head -n 1 "$T/args")" = cairn ] && [ "$(wc -l <"$T/args")" = 18 ] &&
	grep -qx -- "--peer-client-cert-auth=true" "$T/args"'
mapfile -t args < <(tail -n +2 "$T/args")
LOG=$T/cairn.log
"$B/cairn" "${args[@]}" 2>"$LOG" &
SUP_PID=$!

export ETCDCTL_API=3
tctl() {
	timeout 20 etcdctl --endpoints "https://127.0.0.1:${ports[0]}" --cacert "$P/ca.crt" \
		--cert "$P/apiserver.crt" --key "$P/apiserver.key" --command-timeout 3s "$@"
}
health() { curl -sf "http://127.0.0.1:${ports[2]}/health?exclude=NOSPACE&serializable=true" | grep -q '"health":"true"'; }
check "the probes' /health on the metrics URL answers true" wait_for 20 health
check "etcdctl over TLS with the apiserver's client certificate: healthy" eval \
	'tctl endpoint health 2>&1 | grep -q "is healthy"'
check "... writes and reads /registry" eval \
	'tctl put /registry/pods/default/p1 x >/dev/null && [ "$(tctl get /registry --prefix --keys-only | head -n 1)" = /registry/pods/default/p1 ]'
check "a client without a certificate is refused" eval \
	'! timeout 20 etcdctl --endpoints "https://127.0.0.1:${ports[0]}" --cacert "$P/ca.crt" \
		--command-timeout 2s --dial-timeout 2s get x >/dev/null 2>&1'
check "the data dir is the manifest's" test -d "$T/data/member"
check "no cairn process died or tripped a sanitizer" eval \
	'! grep -q "runtime error:\|Sanitizer\|killed by signal" "$LOG"'
[ "$TAP_FAILED" = 0 ] || tail -5 "$LOG" | cut -c1-300 | sed "s|^|# |"
finish
