# Tests: helpers for clusters of raftd processes with the stand-ins
# relay_netd (peer messages over Unix sockets in $R; proposals and reads
# from spool files NAME.in/SEQ.put|read; answers in NAME.out; status in
# NAME.status) and ledger_stored (what each member applied, one line per
# entry, in NAME.applied; STORED_BIN may name another stored). Sourced
# after lib.sh; NAMES lists the members.

mkdir -p "$T/bin" "$T/relay"
cp "$B/cairn" "$B/cairn-raftd" "$T/bin/"
cp "$B/tests/integration/relay_netd" "$T/bin/cairn-netd"
cp "${STORED_BIN:-$B/tests/integration/ledger_stored}" "$T/bin/cairn-stored"
R=$T/relay
export RELAY_DIR=$R
NAMES=${NAMES:-m1 m2 m3}
declare -A PID PORT CLIENT_PORT
# Each member's peer and client ports: distinct, free now, and kept across
# its restarts.
ports=($(free_port $((2 * $(echo $NAMES | wc -w)))))
i=0
for n in $NAMES; do PORT[$n]=${ports[i]}; CLIENT_PORT[$n]=${ports[i + 1]}; i=$((i + 2)); done
CLUSTER=$(for n in $NAMES; do printf '%s=http://127.0.0.1:%s,' "$n" "${PORT[$n]}"; done)
CLUSTER=${CLUSTER%,}

start_member() {
	local n=$1
	"$T/bin/cairn" --name "$n" --data-dir "$T/$n" \
		--initial-cluster "$CLUSTER" \
		--initial-advertise-peer-urls "http://127.0.0.1:${PORT[$n]}" \
		--listen-peer-urls "http://127.0.0.1:${PORT[$n]}" \
		--listen-client-urls "http://127.0.0.1:${CLIENT_PORT[$n]}" \
		--heartbeat-interval 20 --election-timeout 200 ${EXTRA:-} \
		2>>"$T/$n.log" &
	PID[$n]=$!
}
stop_member() {
	local n=$1 kids p
	[ -n "${PID[$n]:-}" ] || return 0
	kids=$(pgrep -P "${PID[$n]}" 2>/dev/null)
	kill -9 "${PID[$n]}" $kids 2>/dev/null
	wait "${PID[$n]}" 2>/dev/null
	for p in $kids; do wait_for 2 dead "$p"; done
	PID[$n]=
}
stop_members() { for n in $NAMES; do stop_member "$n"; done; }
trap 'stop_members; rm -rf "$T"' EXIT
member_child() { pgrep -P "${PID[$1]}" -x "cairn-$2" 2>/dev/null | head -n 1; }

# The status relay_netd writes: "term T leader L role R member M cluster C".
status_of() { cat "$R/$1.status" 2>/dev/null; }
field() { status_of "$1" | awk -v k="$2" '{for (i = 1; i < NF; i++) if ($i == k) print $(i + 1)}'; }
# The member that leads, when all running members (or those given) agree on one.
leader_of() {
	local n l= t= ml mt
	for n in ${*:-$NAMES}; do
		ml=$(field "$n" leader); mt=$(field "$n" term)
		[ -n "$ml" ] && [ "$ml" != 0 ] || return 1
		[ -z "$l" ] || { [ "$l" = "$ml" ] && [ "$t" = "$mt" ]; } || return 1
		l=$ml; t=$mt
	done
	for n in ${*:-$NAMES}; do [ "$(field "$n" member)" = "$l" ] && { echo "$n"; return 0; }; done
	return 1
}
one_leader() { leader_of "$@" >/dev/null; }

SEQ=0
# put NAME TEXT: a proposal through NAME's netd; its seq in $SEQ.
put() {
	SEQ=$((SEQ + 1))
	printf '%s' "$2" >"$R/$1.in/tmp.$SEQ" && mv "$R/$1.in/tmp.$SEQ" "$R/$1.in/$SEQ.put"
}
read_index() {
	SEQ=$((SEQ + 1))
	: >"$R/$1.in/tmp.$SEQ" && mv "$R/$1.in/tmp.$SEQ" "$R/$1.in/$SEQ.read"
}
out_has() { grep -q -- "$2" "$R/$1.out" 2>/dev/null; }
# applied NAME TEXT: the index at which NAME applied the put of TEXT.
applied() { awk -v t="$2" '$3 == "put" && $6 == t {print $1}' "$R/$1.applied" 2>/dev/null; }
applied_everywhere() { local n; for n in ${NAMES_UP:-$NAMES}; do [ -n "$(applied "$n" "$1")" ] || return 1; done; }
# Ledgers agree line for line up to the shortest (the puts, no-ops and
# terms of every index), and each applied each put once.
ledgers_agree() {
	local n first= len min=
	for n in ${NAMES_UP:-$NAMES}; do
		len=$(wc -l <"$R/$n.applied")
		[ -z "$min" ] || [ "$len" -ge "$min" ] || min=$len
		[ -n "$min" ] || min=$len
	done
	for n in ${NAMES_UP:-$NAMES}; do
		if [ -z "$first" ]; then first=$n; continue; fi
		cmp -s <(head -n "$min" "$R/$first.applied") <(head -n "$min" "$R/$n.applied") || return 1
	done
	for n in ${NAMES_UP:-$NAMES}; do
		[ -z "$(awk '$3 == "put" {print $4, $5}' "$R/$n.applied" | sort | uniq -d)" ] || return 1
	done
}
ledgers_equal() {
	local n sums
	sums=$(for n in ${NAMES_UP:-$NAMES}; do md5sum <"$R/$n.applied"; done | sort -u | wc -l)
	[ "$sums" -eq 1 ]
}

# Sets L to the leader and F to a follower.
roles() {
	L=$(leader_of); F=
	for n in $NAMES; do [ "$n" = "$L" ] || { F=$n; break; }; done
	diag "leader $L, follower $F"
}
# No member's log shows a crash, a fatal error or a sanitizer report.
no_crashes() {
	local n
	for n in $NAMES; do
		! grep -q 'Sanitizer\|runtime error:\|"level":"fatal"\|killed by signal 6\|killed by signal 11' \
			"$T/$n.log" || return 1
	done
}

# Requests for a real stored: etcd InternalRaftRequests, in protobuf text.
S=${CAIRN_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}
PROTO="-I $S/shared/proto $S/shared/proto/etcdserverpb/raft_internal.proto"
# request NAME TEXT: an InternalRaftRequest in protobuf text format,
# proposed through NAME's netd; its seq in $SEQ.
request() {
	SEQ=$((SEQ + 1))
	printf '%s' "$2" | protoc --encode=etcdserverpb.InternalRaftRequest $PROTO \
		>"$R/$1.in/tmp.$SEQ" && mv "$R/$1.in/tmp.$SEQ" "$R/$1.in/$SEQ.put"
}
# fast_put NAME KEY VALUE: the same for a put, without protoc (short keys).
fast_put() {
	local k=$2 v=$3
	SEQ=$((SEQ + 1))
	printf '%b' "$(printf '\\x22\\x%02x\\x0a\\x%02x%s\\x12\\x%02x%s' \
		$((4 + ${#k} + ${#v})) ${#k} "$k" ${#v} "$v")" >"$R/$1.in/tmp.$SEQ"
	mv "$R/$1.in/tmp.$SEQ" "$R/$1.in/$SEQ.put"
}
result_ok() { grep -q "^result $2 OK$" "$R/$1.out" 2>/dev/null; }
# decode NAME SEQ TYPE: the response of request SEQ as protobuf text.
decode() { protoc --decode=etcdserverpb.$3 $PROTO <"$R/$1.res/$2"; }

# watch NAME KEY END START FLAGS [USER AUTH-REV]: a watcher through NAME's
# netd, made by USER while auth is enabled (see
# tests/integration/relay_watch.h); its id in $SEQ.
watch() {
	SEQ=$((SEQ + 1))
	printf '%s\n%s\n%s\n%s\n' "$2" "$3" "$4" "$5" >"$R/$1.in/tmp.$SEQ"
	[ $# -lt 7 ] || printf '%s\n%s\n' "$6" "$7" >>"$R/$1.in/tmp.$SEQ"
	mv "$R/$1.in/tmp.$SEQ" "$R/$1.in/$SEQ.watch"
}
# get NAME TEXT: a serializable read (an InternalRaftRequest holding a
# range) served by NAME's stored; its seq in $SEQ.
get() {
	SEQ=$((SEQ + 1))
	printf '%s' "$2" | protoc --encode=etcdserverpb.InternalRaftRequest $PROTO \
		>"$R/$1.in/tmp.$SEQ" && mv "$R/$1.in/tmp.$SEQ" "$R/$1.in/$SEQ.get"
}
# maint NAME CALL: a maintenance call to NAME's stored ("hash", "hashkv
# REV", "defrag"); its seq in $SEQ, its answer as any result.
maint() {
	SEQ=$((SEQ + 1))
	printf '%s\n' "$2" >"$R/$1.in/tmp.$SEQ" && mv "$R/$1.in/tmp.$SEQ" "$R/$1.in/$SEQ.maint"
}
