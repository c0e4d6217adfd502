#!/bin/bash
# Tests: the supervisor binds --listen-client-urls before any child starts
# and passes the sockets to netd. A busy port, an unresolvable host or a
# bad port stop the member with etcd's error, exit 1, nothing started or
# written; the sockets listen while netd is killed and restarted, and the
# new netd gets the same ones; only netd gets them.
. "$(dirname "$0")/lib.sh"

CAIRN=$B/cairn
HOLDER=
trap '[ -z "$HOLDER" ] || kill "$HOLDER" 2>/dev/null; stop_all; rm -rf "$T"' EXIT

# The inode of the socket listening on 127.0.0.1 (or any address) PORT,
# from /proc/net/tcp{,6} (state 0A is LISTEN); nothing if none listens.
listen_inode() {
	awk -v p="$(printf ':%04X' "$1")" \
		'$4 == "0A" && substr($2, length($2) - 4) == p {print $10; exit}' \
		/proc/net/tcp /proc/net/tcp6
}
listening() { [ -n "$(listen_inode "$1")" ]; }
# Whether process PID has socket INODE open.
holds() { ls -l "/proc/$1/fd" 2>/dev/null | grep -qF "socket:[$2]"; }
# Whether a TCP connection to 127.0.0.1:PORT completes (the kernel
# completes it from the listen queue, whoever accepts later).
connects() {
	python3 -c 'import socket, sys; socket.create_connection(("127.0.0.1", int(sys.argv[1])), 2).close()' "$1" 2>/dev/null
}
# run_cairn NAME ARGS...: runs cairn in the foreground for at most 30 s;
# its stderr in $T/NAME.err, its status in $status.
run_cairn() {
	local name=$1; shift
	timeout 30 "$CAIRN" "$@" 2>"$T/$name.err"; status=$?
}
no_child_started() { ! grep -qF '"msg":"started cairn-' "$T/$1.err"; }

# --- a busy port: etcd's error, exit 1, nothing started or written -------
P=$(free_port)
python3 -c 'import socket, sys, time
s = socket.socket(); s.bind(("127.0.0.1", int(sys.argv[1]))); s.listen()
print("ready", flush=True); time.sleep(60)' "$P" >"$T/holder.out" &
HOLDER=$!
check "another process holds port $P" wait_for 5 eval 'grep -q ready "$T/holder.out" && listening $P'
start=$(date +%s%N)
run_cairn busy --listen-client-urls "http://127.0.0.1:$P" --data-dir "$T/busy"
ms=$(( ($(date +%s%N) - start) / 1000000 ))
check "busy port: exit status 1 ($status)" [ "$status" -eq 1 ]
check "busy port: quickly (${ms} ms)" [ "$ms" -lt 5000 ]
check "busy port: etcd's error" grep -qF "\"msg\":\"listen tcp 127.0.0.1:$P: bind: address already in use\"" "$T/busy.err"
check "busy port: logged at level error" grep -qF '"level":"error"' "$T/busy.err"
check "busy port: no child started" no_child_started busy
check "busy port: no data dir written" [ ! -e "$T/busy" ]
kill "$HOLDER"; wait "$HOLDER" 2>/dev/null; HOLDER=

# --- the same port twice in one list: the second bind fails ---------------
P=$(free_port)
run_cairn twice --listen-client-urls "http://127.0.0.1:$P,http://127.0.0.1:$P" --data-dir "$T/twice"
check "a port given twice: exit 1 and the busy error" \
	eval '[ $status -eq 1 ] && grep -qF "listen tcp 127.0.0.1:$P: bind: address already in use" "$T/twice.err"'
check "a port given twice: no child started" no_child_started twice

# --- bad URLs: a clear error, exit 1, nothing started or written ----------
# bad TAG WHAT URLS TEXT: cairn --listen-client-urls URLS says TEXT.
bad() {
	local tag=$1 what=$2 urls=$3 want=$4
	run_cairn "$tag" --listen-client-urls "$urls" --data-dir "$T/$tag"
	check "$what: exit 1" [ "$status" -eq 1 ]
	check "$what: says \"$want\"" grep -qF -- "$want" "$T/$tag.err"
	check "$what: no child started, no data dir" \
		eval "[ -s \"\$T/$tag.err\" ] && no_child_started $tag && [ ! -e \"\$T/$tag\" ]"
}
bad unresolvable "an unresolvable host" http://nosuch-cairn-host.invalid:2379 \
	"listen tcp: lookup nosuch-cairn-host.invalid: "
bad bigport "port 70000" http://127.0.0.1:70000 '"msg":"listen tcp: address 70000: invalid port"'
bad noport "no port" http://127.0.0.1: '"msg":"listen tcp: address 127.0.0.1:: missing port in address"'
bad unix "a unix socket" unix://localhost:2379 \
	"cannot listen on unix://localhost:2379: cairn listens on http and https URLs only"
many=$(for i in $(seq 1 17); do printf 'http://127.0.0.1:%d,' $((30000 + i)); done)
bad many "17 URLs" "${many%,}" "--listen-client-urls: 17 URLs; cairn listens on at most 16 addresses in all"
# A flag error is the parser's, before any socket: the same exit status.
run_cairn badflag --listen-client-urls "ftp://127.0.0.1:2379" --data-dir "$T/badflag"
check "a URL the flag refuses: exit 1, one line" eval '[ $status -eq 1 ] && [ "$(wc -l <"$T/badflag.err")" -eq 1 ]'

# --- free ports: listening, held by the supervisor and netd only ---------
set -- $(free_port 2)
P1=$1 P2=$2
start_cairn "$CAIRN" --data-dir "$T/data" --listen-client-urls "http://127.0.0.1:$P1,http://localhost:$P2"
check "the member starts" wait_for 5 all_heartbeats 1
check "the supervisor logs each address" \
	eval 'log_has "\"msg\":\"listening for client requests on 127.0.0.1:$P1\"" && log_has "\"msg\":\"listening for client requests on 127.0.0.1:$P2\""'
check "both ports are in LISTEN state" eval 'listening $P1 && listening $P2'
I1=$(listen_inode "$P1") I2=$(listen_inode "$P2")
check "the supervisor holds both sockets" eval 'holds $SUP_PID $I1 && holds $SUP_PID $I2'
netd=$(child_pid netd)
check "netd was passed both sockets" wait_for 5 eval 'holds $netd $I1 && holds $netd $I2'
check "raftd and stored were not" \
	eval '! holds $(child_pid raftd) $I1 && ! holds $(child_pid stored) $I1 && ! holds $(child_pid stored) $I2'
check "a client connects" connects "$P1"

# --- kill -9 of netd: the sockets listen throughout; the new netd gets them
kill -9 "$netd"
check "kill -9 netd: the port still listens right away" listening "$P1"
check "kill -9 netd: the same socket, in the supervisor" eval '[ "$(listen_inode $P1)" = "$I1" ] && holds $SUP_PID $I1'
check "kill -9 netd: a client still connects while netd is down" connects "$P1"
renewed() { local p; p=$(child_pid netd); [ -n "$p" ] && [ "$p" != "$netd" ]; }
check "kill -9 netd: netd is restarted" wait_for 5 renewed
check "kill -9 netd: both ports still listen" eval 'listening $P1 && listening $P2'
check "kill -9 netd: the new netd was passed the same sockets" \
	wait_for 5 eval 'holds $(child_pid netd) $I1 && holds $(child_pid netd) $I2'
check "kill -9 netd: heartbeats resume" wait_for 5 eval '[ "$(grep -F "\"heartbeats from netd resumed\"" "$LOG" | grep -cF "\"proc\":\"raftd\"")" -ge 2 ]'

# --- SIGTERM: the member stops and the ports are free again ---------------
kill -TERM "$SUP_PID"
check "SIGTERM: the member stops" wait_for 10 dead "$SUP_PID"
wait "$SUP_PID"; status=$?
check "SIGTERM: exit status 0" [ "$status" -eq 0 ]
SUP_PID=
check "SIGTERM: nothing listens on the ports any more" eval '! listening $P1 && ! listening $P2'

# --- the default URL list needs no flag: start_cairn picks a free port ----
start_cairn "$CAIRN" --data-dir "$T/data2"
port=${CLIENT_URL##*:}
check "start_cairn gives a free port ($CLIENT_URL)" wait_for 5 listening "$port"
finish
