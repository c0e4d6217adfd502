#!/bin/bash
# Tests: the operator's workflow of a kubeadm control plane with the real
# etcdctl 3.4, over TLS with client certificates (--client-cert-auth, the
# apiserver's client certificate), against the real etcd and cairn side by
# side: endpoint health and status, member list as a table, puts and a
# keys-only list of /registry, snapshot save, compaction, defrag, alarm
# list, a lease granted, kept alive and revoked, a watch, txn -i, elect
# (a campaign, observed with -l), lock with a command, users, roles and
# auth. Outputs compared after masking what differs by nature (times,
# sizes, lease IDs).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/pki_lib.sh"
signed server localhost "subjectAltName=IP:127.0.0.1,DNS:localhost
extendedKeyUsage=serverAuth,clientAuth"
signed apiserver kube-apiserver-etcd-client "extendedKeyUsage=clientAuth"
SIDE_SCHEME=https
SIDE_FLAGS="--cert-file $P/server.crt --key-file $P/server.key --trusted-ca-file $P/ca.crt --client-cert-auth"
SIDE_CTL="--cacert $P/ca.crt --cert $P/apiserver.crt --key $P/apiserver.key"
. "$(dirname "$0")/etcd_lib.sh"

# Times, sizes and lease IDs (the time of their grant) differ by nature.
mask() {
	sed -E 's/took = [0-9.]+[a-zµ]+/took = T/; s/"(took|size|ts)":"[^"]*"/"\1":"X"/g;
		s/lease [0-9a-f]{16}/lease ID/g; s/\/[0-9a-f]{16}$/\/LEASE/;
		s/\| [0-9.]+ [kM]B \|/| SIZE |/'
}
masked() { "$@" 2>&1 | mask; }
# stop PID: a background job of ctl (a subshell) and the etcdctl it runs.
stop() { kill $(pgrep -P "$1") "$1" 2>/dev/null; wait "$1" 2>/dev/null; }

same masked ctl endpoint health
same ctl member list --write-table
same ctl put /registry/pods/default/p1 v1
same ctl put /registry/services/specs/default/kubernetes v2
same ctl get /registry --prefix --keys-only
same masked ctl endpoint status --write-table
for PORT in "$EP" "$CP"; do
	ctl snapshot save "$T/snap.$PORT.db" >"$T/snap.$PORT.out" 2>&1
done
check "snapshot save: saved on both" eval \
	'grep -qx "Snapshot saved at $T/snap.$EP.db" "$T/snap.$EP.out" && grep -qx "Snapshot saved at $T/snap.$CP.db" "$T/snap.$CP.out"'
same ctl compaction 2
same ctl defrag
same ctl alarm list

lease_flow() {
	local id
	id=$(ctl lease grant 60 | awk '{print $2}')
	echo "granted: ${#id} hex digits"
	ctl put --lease="$id" /registry/events/e1 x
	ctl lease keep-alive --once "$id" | sed "s/$id/ID/"
	ctl lease timetolive --keys "$id" | sed -E "s/$id/ID/; s/remaining\([0-9]+s\)/remaining(R)/"
	ctl lease revoke "$id" | sed "s/$id/ID/"
	ctl get /registry/events --prefix --keys-only
}
same lease_flow
check "... kept alive on cairn" eval 'PORT=$CP; lease_flow | grep -qx "lease ID keepalived with TTL(60)"'

watch_flow() {
	ctl watch /registry/pods --prefix >"$T/watch.$PORT" 2>&1 &
	local pid=$!
	sleep 1
	ctl put /registry/pods/default/p2 v3 >/dev/null
	ctl del /registry/pods/default/p2 >/dev/null
	sleep 1
	stop "$pid"
	cat "$T/watch.$PORT"
}
same watch_flow
check "... the watch saw the put and the delete" eval \
	'[ "$(grep -c "^PUT\|^DELETE" "$T/watch.$CP")" = 2 ]'

stdin 'value("/registry/pods/default/p1") = "v1"\n\nput /registry/pods/default/p1 v9\n\nget /registry/pods/default/p1\n'
same ctl txn -i
stdin ''

elect_flow() {
	ctl elect e1 leader-one >"$T/elect.$PORT" 2>&1 &
	local camp=$! obs
	sleep 1
	ctl elect -l e1 >"$T/observe.$PORT" 2>&1 &
	obs=$!
	sleep 1
	stop "$camp"
	stop "$obs"
	# Stopped, etcdctl may or may not log its cancelled call: not compared.
	grep -v '^{"level"' "$T/elect.$PORT" | mask
	grep -v '^{"level"' "$T/observe.$PORT" | mask
	ctl get e1 --prefix --keys-only | mask
}
same elect_flow
check "... the campaign led, and the observer saw its value" eval \
	'grep -qx leader-one "$T/elect.$CP" && grep -qx leader-one "$T/observe.$CP"'
same ctl lock mylock echo locked

same ctl user add root:pw
same ctl role add app
same ctl role grant-permission app readwrite /registry/ --prefix
same ctl user add app:pw2
same ctl user grant-role app app
same ctl user grant-role root root
same ctl auth enable
same ctl --user app:pw2 get /registry/pods --prefix --keys-only
same ctl --user app:pw2 put /other x
same ctl --user root:pw role get app
same ctl --user root:pw auth disable
finish_side_by_side
