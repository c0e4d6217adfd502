#!/bin/bash
# Tests: cairnctl's --debug (and ETCDCTL_DEBUG) prints every global flag
# as ETCDCTL_NAME=value before it makes a client, as etcdctl does (values
# as pflag prints them: durations, booleans, the endpoints' CSV; watch's
# two extra names among them; nothing for a command without a client);
# grpc-go's own debug lines, which etcdctl adds, are not reproduced and
# are taken out of its stderr. And snapshot save to an endpoint that never
# answers: clientv3's "streamer failed to create ClientStream" line and
# etcdctl's error. No server: the endpoint is a free port.
. "$(dirname "$0")/lib.sh"
export ETCDCTL_API=3
if ! command -v etcdctl >/dev/null; then
	not_ok "etcdctl is installed (scripts/deps.sh test installs them)"
	finish
	exit 1
fi
P=$(free_port 1)
EP=127.0.0.1:$P

# Timestamps and clientv3's random client ID masked; grpc's log lines out.
masked() {
	sed -E -e '/^(INFO|WARNING): [0-9]{4}\//d' -e 's/^[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9:.]+ /TIME /' \
		-e 's/"ts":"[^"]*"/"ts":T/' -e 's/"ts":[0-9.e+]+/"ts":T/' \
		-e 's/client-[0-9a-f-]{36}/client-ID/' "$1"
}
# both ARGS...: the same stdout, stderr (masked) and exit status, each
# stopped after 4 s (watch waits for ever).
both() {
	timeout 4 etcdctl "$@" >"$T/e.out" 2>"$T/e.err" </dev/null
	echo "exit $?" >>"$T/e.out"
	timeout 4 "$B/cairnctl" "$@" >"$T/c.out" 2>"$T/c.err" </dev/null
	echo "exit $?" >>"$T/c.out"
	masked "$T/e.err" >"$T/e.err.n"
	masked "$T/c.err" >"$T/c.err.n"
	if cmp -s "$T/e.out" "$T/c.out" && cmp -s "$T/e.err.n" "$T/c.err.n"; then
		ok "$* (as etcdctl)"
	else
		not_ok "$* (as etcdctl)"
		diff "$T/e.out" "$T/c.out" | sed 's/^/# out: /'
		diff "$T/e.err.n" "$T/c.err.n" | sed 's/^/# err: /'
	fi
}

both --debug --endpoints "$EP" --dial-timeout 1s --command-timeout 1s get foo
check "... the dump is there" grep -qx "ETCDCTL_ENDPOINTS=\[$EP\]" "$T/c.err"
both --debug --endpoints "$EP, $EP" --command-timeout 1500ms --hex -w json put a b
check "... a value with a leading blank quoted as CSV" \
	grep -qx "ETCDCTL_ENDPOINTS=\[$EP,\" $EP\"\]" "$T/c.err"
ETCDCTL_DEBUG=true ETCDCTL_KEEPALIVE_TIME=3s both --endpoints "$EP" --command-timeout 1s del k
check "... ETCDCTL_DEBUG and the other variables count" \
	eval 'grep -qx "ETCDCTL_DEBUG=true" "$T/c.err" && grep -qx "ETCDCTL_KEEPALIVE_TIME=3s" "$T/c.err"'
ETCDCTL_DEBUG=true both --debug --endpoints "$EP" get foo
both --debug --endpoints "$EP" --command-timeout 1s watch foo
check "... watch's own names in order" \
	eval '[ "$(grep -A2 "^ETCDCTL_USER=" "$T/c.err" | tr "\n" " ")" = "ETCDCTL_USER= ETCDCTL_WATCH_KEY= ETCDCTL_WATCH_RANGE_END= " ]'
both --debug --endpoints "$EP" --command-timeout 1s snapshot save "$T/s.db"
both --debug snapshot status "$T/none.db"
both --debug version
both --endpoints "$EP" --command-timeout 1s snapshot save "$T/s.db"
check "... no file left behind" eval '[ -z "$(ls "$T" | grep "^s\.db")" ]'
finish
