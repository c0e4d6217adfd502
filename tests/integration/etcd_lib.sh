# Tests: helpers to run the same client commands against the real etcd
# 3.4 (Debian's etcd-server and etcd-client) and against cairn, side by
# side in one run. Sourced after lib.sh. Both members start with etcd's
# default cluster flags, so their cluster and member IDs are equal too.
# Known difference, masked by normalise: the Raft term (etcd's log starts
# at term 1 with its bootstrap entries, cairn's at 0). SIDE_SCHEME=https
# serves clients over TLS, SIDE_FLAGS adds server flags to both (the
# certificates) and SIDE_CTL adds etcdctl's flags to every command.
# cairnctl's goldens: SIDE_B_CTL runs that client (cairnctl) on the second
# member instead of etcdctl, and SIDE_B_SERVER=etcd makes the second member
# a second real etcd (same flags, so the same IDs) instead of cairn.

ETCD_BIN=$(command -v etcd)
CTL_BIN=$(command -v etcdctl)
if [ -z "$ETCD_BIN" ] || [ -z "$CTL_BIN" ]; then
	not_ok "etcd and etcdctl are installed (scripts/deps.sh test installs them)"
	finish
	exit 1
fi

ETCD_PID=
stop_etcd() { [ -z "$ETCD_PID" ] || { kill -9 "$ETCD_PID"; wait "$ETCD_PID"; } 2>/dev/null; ETCD_PID=; }
trap 'stop_all; stop_etcd; rm -rf "$T"' EXIT

SIDE_SCHEME=${SIDE_SCHEME:-http}
SIDE_FLAGS=${SIDE_FLAGS:-}
SIDE_CTL=${SIDE_CTL:-}
# etcdctl's endpoints: as before for http, https:// for TLS.
SIDE_EP=
[ "$SIDE_SCHEME" = http ] || SIDE_EP=$SIDE_SCHEME://
EP=$(free_port)
EPP=$(free_port)
"$ETCD_BIN" --data-dir "$T/etcd" --listen-client-urls "$SIDE_SCHEME://127.0.0.1:$EP" \
	--advertise-client-urls "$SIDE_SCHEME://127.0.0.1:$EP" \
	--listen-peer-urls "http://127.0.0.1:$EPP" $SIDE_FLAGS >"$T/etcd.log" 2>&1 &
ETCD_PID=$!
CP=$(free_port)
# The second member's peer port (CPP), as EPP is the first's.
CPP=$(free_port)
SIDE_B_SERVER=${SIDE_B_SERVER:-cairn}
SIDE_B_CTL=${SIDE_B_CTL:-$CTL_BIN}
ETCD2_PID=
if [ "$SIDE_B_SERVER" = etcd ]; then
	"$ETCD_BIN" --data-dir "$T/etcd2" --listen-client-urls "$SIDE_SCHEME://127.0.0.1:$CP" \
		--advertise-client-urls "$SIDE_SCHEME://127.0.0.1:$CP" \
		--listen-peer-urls "http://127.0.0.1:$CPP" $SIDE_FLAGS >"$T/etcd2.log" 2>&1 &
	ETCD2_PID=$!
	trap 'stop_all; stop_etcd; [ -z "$ETCD2_PID" ] || { kill -9 "$ETCD2_PID"; wait "$ETCD2_PID"; } 2>/dev/null
		rm -rf "$T"' EXIT
else
	start_cairn "$B/cairn" --data-dir "$T/cairn" --listen-client-urls "$SIDE_SCHEME://127.0.0.1:$CP" \
		--advertise-client-urls "$SIDE_SCHEME://127.0.0.1:$CP" \
		--listen-peer-urls "http://127.0.0.1:$CPP" $SIDE_FLAGS
fi

export ETCDCTL_API=3
up() { "$CTL_BIN" --endpoints "${SIDE_EP}127.0.0.1:$1" $SIDE_CTL --command-timeout 2s get up >/dev/null 2>&1; }
check "the real etcd serves" wait_for 20 up "$EP"
check "the second member ($SIDE_B_SERVER) serves the real etcdctl" wait_for 20 up "$CP"
NETD_PID=$(child_pid netd)

# What may differ between two runs of the same command: times, the
# client's random id, the port, the Raft term.
normalise() {
	sed -E 's/"ts":"[^"]*"/"ts":"TS"/g; s/"ts":[0-9.]+/"ts":"TS"/g; s/client-[0-9a-f-]+/client-ID/g;
		s/127\.0\.0\.1:[0-9]+/ENDPOINT/g; s/"raft_term":[0-9]+/"raft_term":TERM/g;
		s/"RaftTerm" : [0-9]+/"RaftTerm" : TERM/g; s/raft_term: [0-9]+/raft_term: TERM/g;
		s/"raftTerm":[0-9]+/"raftTerm":TERM/g'
}
S=${CAIRN_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}
# -w protobuf writes the response's bytes: compared as protobuf text.
as_text() {
	protoc --decode=etcdserverpb.$1 -I "$S/shared/proto" \
		"$S/shared/proto/etcdserverpb/rpc.proto" <"$2" >"$2.txt" 2>&1 && mv "$2.txt" "$2"
}
# sorted CMD...: CMD's stdout and stderr joined, lines sorted, its status
# kept: for etcdctl commands whose goroutines log in no fixed order
# (snapshot save).
sorted() {
	local out rc
	out=$("$@" 2>&1)
	rc=$?
	printf '%s\n' "$out" | sort
	return $rc
}
# Clients for 'same', given the member's client port in $PORT.
ctl() {
	local bin=$CTL_BIN
	[ "$PORT" != "$CP" ] || bin=$SIDE_B_CTL
	"$bin" --endpoints "${SIDE_EP}127.0.0.1:$PORT" $SIDE_CTL --command-timeout 5s "$@"
}
# grpc_call PATH FILE [HEADER...]: POSTs FILE (a gRPC request body) over
# HTTP/2 and prints the status line and the grpc-* headers of the answer.
# A content-type given replaces application/grpc. The real etcd (grpc-go)
# at times resets a stream it refuses before curl has printed its status
# (1 call in 13 on an idle machine, more under load): on etcd's side only,
# an answer without a status is asked again, up to 40 times.
grpc_call() {
	local path=$1 file=$2 h=(-H 'content-type: application/grpc') x tries=1 out
	shift 2
	for x in "$@"; do
		case $x in content-type:*) h[1]=$x ;; *) h+=(-H "$x") ;; esac
	done
	[ "$PORT" = "$EP" ] && tries=40
	while :; do
		out=$(curl -s -D - -o /dev/null --http2-prior-knowledge "${h[@]}" \
			--data-binary @"$file" "http://127.0.0.1:$PORT$path" | tr -d '\r')
		tries=$((tries - 1))
		case $out in *grpc-status*) break ;; esac
		[ "$tries" -gt 0 ] || break
	done
	printf '%s\n' "$out" | grep -i '^HTTP\|^grpc-status\|^grpc-message: .'
}
# run PORT NAME COMMAND...: its stdout, stderr and status, normalised.
run() {
	local name=$2
	PORT=$1; shift 2
	"$@" <"$T/stdin" >"$T/$name.out" 2>"$T/$name.err"
	echo "exit $?" >"$T/$name.status"
	[ -z "$PB" ] || as_text "$PB" "$T/$name.out"
	cat "$T/$name.status" >>"$T/$name.out"
	normalise <"$T/$name.out" >"$T/$name.out.n"
	normalise <"$T/$name.err" >"$T/$name.err.n"
}
# same COMMAND ARGS...: the command gives the same on both members.
N=0
same() {
	N=$((N + 1))
	run "$EP" "etcd.$N" "$@"
	run "$CP" "cairn.$N" "$@"
	if cmp -s "$T/etcd.$N.out.n" "$T/cairn.$N.out.n" &&
		cmp -s "$T/etcd.$N.err.n" "$T/cairn.$N.err.n"; then
		ok "$* (as etcd)"
	else
		not_ok "$* (as etcd)"
		diff "$T/etcd.$N.out.n" "$T/cairn.$N.out.n" | sed 's/^/# out: /'
		diff "$T/etcd.$N.err.n" "$T/cairn.$N.err.n" | sed 's/^/# err: /'
	fi
}
: >"$T/stdin"
PB=
# stdin TEXT: what the next commands read (txn).
stdin() { printf '%b' "$1" >"$T/stdin"; }

# Ends the test: first, cairn's log shows no child that died or tripped a
# sanitizer (a netd restart would hide behind equal outputs).
finish_side_by_side() {
	if [ "$SIDE_B_SERVER" = cairn ]; then
		check "no cairn process died or tripped a sanitizer" \
			eval '! grep -q "runtime error:\|Sanitizer\|exited with status\|killed by signal" "$LOG"'
	fi
	finish
}
