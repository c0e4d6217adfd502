# Tests: helpers for integration tests of real cairn processes. Sourced by
# tests/integration/*.sh. Output is TAP. Every server runs with a data dir
# under a fresh temporary directory and is stopped by PID at exit.

set -u
B=${CAIRN_BUILDDIR:-$(cd "$(dirname "$0")/../.." && pwd)}
T=$(mktemp -d "${TMPDIR:-/tmp}/cairn-it.XXXXXX")
TAP_N=0
TAP_FAILED=0
SUP_PID=
LOG=
CLIENT_URL=

ok() { TAP_N=$((TAP_N + 1)); echo "ok $TAP_N - $*"; }
not_ok() { TAP_N=$((TAP_N + 1)); TAP_FAILED=$((TAP_FAILED + 1)); echo "not ok $TAP_N - $*"; }
skip() { TAP_N=$((TAP_N + 1)); echo "ok $TAP_N - $1 # SKIP $2"; }
diag() { echo "# $*"; }
# check NAME COMMAND...: one TAP line from the command's status.
check() {
	local name=$1; shift
	if "$@"; then ok "$name"; else not_ok "$name"; fi
}

# Polls COMMAND every 20 ms until it succeeds or SECONDS pass.
wait_for() {
	local secs=$1; shift
	local end=$(( $(date +%s%N) + secs * 1000000000 ))
	while [ "$(date +%s%N)" -lt "$end" ]; do
		"$@" && return 0
		sleep 0.02
	done
	"$@"
}

# Prints N (default 1) distinct free TCP ports of 127.0.0.1, one a line.
# All are bound at once, so they differ; each is free again on return.
free_port() {
	python3 -c '
import socket, sys
socks = [socket.socket() for _ in range(int(sys.argv[1]))]
for s in socks:
    s.bind(("127.0.0.1", 0))
print("\n".join(str(s.getsockname()[1]) for s in socks))
' "${1:-1}"
}

# Starts the supervisor in the background: start_cairn BIN ARGS... Unless
# ARGS give --listen-client-urls (--listen-peer-urls), the member listens
# for clients (peers) on a free port of 127.0.0.1 (never etcd's 2379 and
# 2380: parallel tests or a developer's etcd would collide). CLIENT_URL
# holds the client URLs either way. With --config-file the
# flag would be ignored: the file must name the URLs.
start_cairn() {
	local bin=$1 a next=; shift
	LOG=$T/cairn.$TAP_N.log
	CLIENT_URL=
	for a in "$@"; do
		[ -z "$next" ] || CLIENT_URL=$a
		next=
		case $a in
		--listen-client-urls|-listen-client-urls) next=1 ;;
		--listen-client-urls=*|-listen-client-urls=*) CLIENT_URL=${a#*=} ;;
		esac
	done
	if [ -z "$CLIENT_URL" ]; then
		CLIENT_URL=http://127.0.0.1:$(free_port)
		set -- "$@" --listen-client-urls "$CLIENT_URL"
	fi
	# etcd's default peer URL (localhost:2380) would collide too.
	case " $* " in
	*" --listen-peer-urls "*|*" --listen-peer-urls="*|*" --config-file"*) ;;
	*) set -- "$@" --listen-peer-urls "http://127.0.0.1:$(free_port)" ;;
	esac
	"$bin" "$@" 2>"$LOG" &
	SUP_PID=$!
}

child_pid() { pgrep -P "$SUP_PID" -x "cairn-$1" 2>/dev/null | head -n 1; }
children_up() { [ -n "$(child_pid netd)" ] && [ -n "$(child_pid raftd)" ] && [ -n "$(child_pid stored)" ]; }
alive() { kill -0 "$1" 2>/dev/null && ! grep -q '^State:.*Z' "/proc/$1/status" 2>/dev/null; }
dead() { ! alive "$1"; }
# Lines of the log matching a fixed string.
log_count() { grep -cF -- "$1" "$LOG" 2>/dev/null || true; }
log_has() { [ "$(log_count "$1")" -ge "${2:-1}" ]; }

# Heartbeats flowing on all six directed channels (N times each so far).
all_heartbeats() {
	local n=${1:-1} a b
	for a in netd raftd stored; do
		for b in netd raftd stored; do
			[ "$a" = "$b" ] && continue
			[ "$(grep -F "\"heartbeats from $a resumed\"" "$LOG" | grep -cF "\"proc\":\"$b\"")" -ge "$n" ] || return 1
		done
	done
}

# Kills a supervisor and its children by PID, whatever state they are in.
stop_all() {
	local p kids
	[ -n "$SUP_PID" ] || return 0
	kids=$(pgrep -P "$SUP_PID" 2>/dev/null)
	kill -9 "$SUP_PID" $kids 2>/dev/null
	wait "$SUP_PID" 2>/dev/null
	for p in $kids; do wait_for 2 dead "$p"; done
	SUP_PID=
}

finish() {
	stop_all
	rm -rf "$T"
	echo "1..$TAP_N"
	[ "$TAP_FAILED" -eq 0 ]
}
trap 'stop_all; rm -rf "$T"' EXIT
