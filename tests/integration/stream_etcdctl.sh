#!/bin/bash
# Tests: etcdctl's streaming commands against cairn and the real etcd 3.4
# side by side (tests/integration/etcd_lib.sh), beyond watch_etcdctl.sh:
# watch in every format and with --hex, --rev, --prefix, --prev-kv, a
# range end, ETCDCTL_WATCH_KEY/ETCDCTL_WATCH_RANGE_END, an exec-command
# for each event (its ETCD_WATCH_* variables, its failures), -i with watch
# and progress lines, compacted watches in every format, a watch stopped
# by a signal; lock (held, waiting, released by SIGTERM/SIGINT, with a
# command and its ETCD_LOCK_* variables, a session that expires, --ttl)
# and elect (a campaign, a waiting candidate, an observer from before the
# first leader to the last, -l in every format). Background clients are
# stopped by PID and their output compared after the stop. Lease IDs (in
# lock and election keys) differ by nature and are masked; so are
# etcdctl's own log lines of a call it cancels as it stops, which it
# writes or not depending on when the signal comes.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/etcd_lib.sh"

# tested: the client under test on $PORT (SIDE_B_CTL on the second member).
tested() { if [ "$PORT" = "$CP" ]; then echo "$SIDE_B_CTL"; else echo "$CTL_BIN"; fi; }
# ectl ARGS...: the real etcdctl on $PORT, for set-up and checks.
ectl() { "$CTL_BIN" --endpoints "127.0.0.1:$PORT" --command-timeout 5s "$@"; }
# tctl ARGS...: the tested client, ended after 2 s (watches never end).
tctl() { timeout 2 "$(tested)" --endpoints "127.0.0.1:$PORT" --command-timeout 5s "$@"; }
# bg NAME ARGS...: the tested client in the background (its PID kept).
bg() {
	local name=$1
	shift
	"$(tested)" --endpoints "127.0.0.1:$PORT" "$@" >"$T/bg.$name.$PORT" 2>"$T/bg.$name.$PORT.err" &
	eval "pid_$name=$!"
}
# stop NAME [SIG]: signals it (SIGTERM), waits, prints its status and
# output (etcdctl's own log lines left out).
stop() {
	local name=$1 pid
	eval "pid=\$pid_$name"
	kill -s "${2:-TERM}" "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null # bash's note of a killed job names its PID
	echo "$name: exit $?"
	cat "$T/bg.$name.$PORT"
	grep -v '^{"level"' "$T/bg.$name.$PORT.err"
}
# waited NAME: waits for it to end by itself, as stop prints it.
waited() {
	local name=$1 pid
	eval "pid=\$pid_$name"
	wait "$pid"
	echo "$name: exit $?"
	cat "$T/bg.$name.$PORT"
	grep -v '^{"level"' "$T/bg.$name.$PORT.err"
}
# Lease IDs differ by nature: in keys of locks (lk*) and elections (el*),
# base64 in json, and as numbers.
cat >"$T/mask.py" <<'EOF'
import base64, re, sys
def key(m):
    try:
        k = base64.b64decode(m.group(2)).decode('latin-1')
    except Exception:
        return m.group(0)
    return '"%s":"%s"' % (m.group(1), re.sub(r'^((?:lk|el)\w*)/[0-9a-f]+$', r'\1/LEASE', k))
for line in sys.stdin:
    line = re.sub(r'"(key)":"([A-Za-z0-9+/=]*)"', key, line)
    line = re.sub(r'\b((?:lk|el)\w*)/[0-9a-f]+', r'\1/LEASE', line)
    line = re.sub(r'("lease":|"Lease" : |lease: )[1-9][0-9]*', r'\1LEASE', line)
    line = re.sub(r'\blease [0-9a-f]+ ', 'lease LEASE ', line)
    sys.stdout.write(line)
EOF
masked() { "$@" 2>&1 | python3 "$T/mask.py"; }
# envrun NAME=VALUE CMD...: CMD with NAME set in its environment.
envrun() { (export "$1"; shift; "$@"); }
# pbtext TYPE: protobuf answers on stdin as protobuf text.
pbtext() {
	protoc --decode="etcdserverpb.$1" -I "$S/shared/proto" "$S/shared/proto/etcdserverpb/rpc.proto"
}
# feed LINE...: each line written to a watch -i, half a second apart,
# then the end of its input.
feed() {
	local l
	for l in "$@"; do
		printf '%s\n' "$l"
		sleep 0.5
	done
}
# iwatch ARGS... -- LINE...: watch -i fed with the lines.
iwatch() {
	local args=()
	while [ "$1" != "--" ]; do args+=("$1"); shift; done
	shift
	feed "$@" | "$(tested)" --endpoints "127.0.0.1:$PORT" watch -i "${args[@]}"
}

# ---- usage and arguments ------------------------------------------------
same ctl watch --help
same ctl lock --help
same ctl elect -h
same ctl watch --bogus
same ctl watch foo --rev x
same ctl lock --ttl x l
same ctl elect -x e
same ctl watch
same ctl watch --rev 1
same ctl watch a b --prefix
same ctl watch a --
same ctl watch -- echo hi
same tctl watch a b c d -- echo hi -w json
same envrun ETCDCTL_WATCH_RANGE_END=z ctl watch a
same envrun ETCDCTL_WATCH_RANGE_END='a"b' ctl watch -i
same ctl lock
same ctl elect
same ctl elect a b c
same ctl elect e1
same ctl elect -l e1 p
same ctl watch foo -w yaml

# ---- watch: history in every format ----------------------------------------
same ctl put foo 1
same ctl put foo 2
same ctl put foo/a x
# A value with quotes and a newline, as Go's %q shows it.
put_quoted() { ctl put fop "$(printf 'quoted "value"\nwith a newline')"; }
same put_quoted
same ctl del foo
same ctl put foz 3
same tctl watch foo --rev 2
same tctl watch foo --rev 2 --prev-kv -w fields
same tctl watch foo --prefix --rev 2 --prev-kv -w json
same tctl watch foo --rev 2 --hex
same tctl watch foo --rev 2 --prev-kv --hex -w fields
same tctl watch foo fozz --rev 2
same tctl watch foo fop --rev 2 --prev-kv
same tctl watch "" --prefix --rev 3
same tctl watch foo/ fozz --rev 1 --prefix -w json
same tctl watch foo --rev 2 -w table
same tctl watch foo --rev 100
same tctl watch foo --rev -1
pbwatch() { tctl "$@" -w protobuf | pbtext WatchResponse; }
same pbwatch watch foo --prefix --rev 2 --prev-kv
same envrun ETCDCTL_WATCH_KEY=foo tctl watch --rev 2
same envrun ETCDCTL_WATCH_KEY=foo envrun ETCDCTL_WATCH_RANGE_END=fozz tctl watch --rev 2
same envrun ETCDCTL_WATCH_KEY=foo ctl watch foo --rev 2
same envrun ETCDCTL_WATCH_KEY=foo ctl watch foo --rev 2 -- echo hi
same envrun ETCDCTL_WATCH_KEY=foo tctl watch --prefix --rev 2 -- echo hi

# ---- watch: a command for each event -------------------------------------
show='echo "rev=$ETCD_WATCH_REVISION type=$ETCD_WATCH_EVENT_TYPE key=$ETCD_WATCH_KEY value=$ETCD_WATCH_VALUE"'
same tctl watch foo --prefix --rev 2 -- sh -c "$show"
same tctl watch --rev 2 fop -- sh -c "$show; echo args: \$0" arg0
same envrun ETCDCTL_WATCH_KEY=fop tctl watch --rev 2 -- sh -c "$show"
same envrun ETCD_WATCH_KEY=old tctl watch fop --rev 2 -- sh -c "$show"
same tctl watch foo --rev 2 -- sh -c 'exit 3'
same tctl watch foo --rev 2 -- sh -c 'kill -9 $$'
same tctl watch foo --rev 2 -- nosuchcommand-cairn a b
same tctl watch foo --rev 2 -- /nonexistent/cmd
same tctl watch foo --rev 2 -- cat
same tctl watch foo --rev 2 -w json -- sh -c 'echo "$ETCD_WATCH_EVENT_TYPE" >&2'

# ---- watch: live events, stopped by a signal --------------------------------
live() {
	bg w1 watch live --prefix --prev-kv
	bg w2 watch live/a -w json -- sh -c 'echo "cmd: $ETCD_WATCH_KEY=$ETCD_WATCH_VALUE"'
	bg w3 watch live/a live/c -w fields
	sleep 1
	ectl put live/a 1 >/dev/null
	ectl put live/b 2 >/dev/null
	ectl put live/a 11 >/dev/null
	ectl del live --prefix >/dev/null
	sleep 1
	stop w1
	stop w2
	stop w3 KILL
}
same live

# ---- watch -i --------------------------------------------------------------
same iwatch -- 'watch foo --rev 2' 'progress' 'watch fop --rev 2 --prev-kv' 'progress'
same iwatch -- '' 'foo' 'watch' 'watch a b --prefix' '  watch  foo  --rev  2 ' 'watch --rev 2'
same iwatch -w json -- 'watch foo --prefix --rev 2' 'progress'
same iwatch -w fields -- 'watch foo --rev 2 --prev-kv -i' 'progress'
same iwatch -- 'watch "fo" --prefix --rev 2' "watch 'x' y" 'watch -- echo x'
same iwatch -- 'watch foo --rev 2 -- sh -c "echo exec: $ETCD_WATCH_KEY"' 'watch fop --rev 2'
same iwatch -- 'watch foo --rev 2' 'watch foo --'
same iwatch -- 'watch foo --rev=x'
same iwatch -- 'watch foo -w json'
same iwatch -- 'watch --help'
same iwatch --rev 2 --prefix -- 'watch foo'
same envrun ETCDCTL_WATCH_KEY=foo iwatch -- 'watch --rev 2' 'watch foo' 'watch'
same iwatch -- 'progress' 'watch foo --rev 2 -- sh -c "exit 4"' 'watch fop --rev 2'
stdin 'foo\nwatch\n'
same ctl watch -i
stdin 'watch foo --rev 2'
same ctl watch -i
stdin ''

# ---- compacted and canceled ------------------------------------------------
same ctl compaction 4
same tctl watch foo --rev 2
same tctl watch foo --rev 3 -w json
same tctl watch foo --rev 3 -w fields
same pbwatch watch foo --rev 3
same tctl watch foo --rev 3 -- echo never
same iwatch -- 'watch foo --rev 2' 'watch foo --rev 5' 'progress'
same tctl watch foo --rev 4

# ---- lock --------------------------------------------------------------------
same masked ctl lock lk1 -- sh -c 'echo "key=$ETCD_LOCK_KEY rev=$ETCD_LOCK_REV"'
same masked ctl lock lk1 echo locked
same masked ctl lock --ttl 5 lk1 -- sh -c 'exit 3'
same masked ctl lock lk1 nosuchcommand-cairn
same masked ctl lock lk1 -- sh -c 'kill -TERM $$'
same masked envrun ETCD_LOCK_KEY=mine ctl lock lk1 -- sh -c 'echo "key=$ETCD_LOCK_KEY"'
same masked ctl get lk1 --prefix
# held, printed in a format; a second waits; the first released by
# SIGTERM, the second then holds it until SIGINT.
lock_flow() {
	bg a lock lk2 "$@"
	sleep 1
	bg b lock --ttl 20 lk2 "$@"
	sleep 1
	ectl get lk2 --prefix --keys-only
	stop a
	sleep 1
	ectl get lk2 --prefix --keys-only
	stop b INT
	ectl get lk2 --prefix --keys-only
}
same masked lock_flow
same masked lock_flow -w json
same masked lock_flow -w fields
# pbstop NAME TYPE: stop, its answers as protobuf text.
pbstop() {
	local pid
	eval "pid=\$pid_$1"
	kill "$pid"
	wait "$pid"
	echo "$1: exit $?"
	pbtext "$2" <"$T/bg.$1.$PORT"
	grep -v '^{"level"' "$T/bg.$1.$PORT.err"
}
pblock() {
	bg a lock lk3 -w protobuf
	sleep 1
	pbstop a RangeResponse
}
same masked pblock
same masked ctl lock lk4 -w table
# a waiter stopped while it waits: its key goes, the holder keeps its own.
lock_give_up() {
	bg a lock lk5
	sleep 1
	bg b lock lk5 -- echo never
	sleep 1
	stop b
	ectl get lk5 --prefix --keys-only
	ectl lock lk5 -- echo "not mine yet" >"$T/waiter" 2>&1 &
	local waiter=$!
	sleep 0.5
	stop a
	wait "$waiter"
	echo "waiter: exit $?"
	cat "$T/waiter"
}
same masked lock_give_up
# a command runs while the lock is held, the waiter after it.
lock_exec() {
	bg a lock lk6 -- sh -c 'echo first; sleep 1; echo first done'
	sleep 0.3
	bg b lock lk6 -- sh -c 'echo second'
	waited a
	waited b
}
same masked lock_exec
# the session's lease revoked: etcdctl notices at the next keep-alive.
lock_expire() {
	bg a lock --ttl 3 lk7
	sleep 1
	ectl lease revoke "$(ectl get lk7 --prefix -w json | python3 -c '
import json, sys; print("%x" % json.load(sys.stdin)["kvs"][0]["lease"])')" | sed 's/lease [0-9a-f]* /lease ID /'
	sleep 2
	waited a
}
same masked lock_expire
# etcdctl leaves its session's lease to expire: it is still there.
lock_lease() {
	local key
	key=$(ctl lock lk8 -- sh -c 'echo "$ETCD_LOCK_KEY"')
	ectl lease timetolive "${key#lk8/}" | sed -E 's/remaining\([0-9]+s\)/remaining(R)/'
}
same masked lock_lease

# ---- elect ---------------------------------------------------------------------
# leader NAME: the key of the election's leader.
leader() { ectl get "$1/" --prefix --sort-by=CREATE --order=ASCEND --limit 1 --keys-only | head -n 1; }
# keys PREFIX N: waits (up to 20 s: a loaded machine starts etcdctl and
# its session slowly) until the election has N candidates' keys, so that
# what follows does not race the campaign it depends on.
keys() { wait_for 20 eval "[ \"\$(ectl get '$1/' --prefix --keys-only | grep -c .)\" = $2 ]"; }
# An observer from before the first leader; two candidates, the leader's
# value changed by hand, the leader stopped, the next one elected.
elect_flow() {
	bg o elect -l el1 "$@"
	sleep 1
	bg c1 elect el1 one "$@"
	keys el1 1
	sleep 1
	bg c2 elect el1 two "$@"
	keys el1 2
	sleep 1
	ectl put "$(leader el1)" "one again" >/dev/null
	sleep 1
	stop c1
	keys el1 1
	sleep 1
	ectl put "$(leader el1)" "two again" >/dev/null
	sleep 1
	stop c2 INT
	keys el1 0
	sleep 1
	stop o
	ectl get el1 --prefix --keys-only
}
same masked elect_flow
same masked elect_flow -w json
same masked elect_flow -w fields
# -l with a leader already; a candidate stopped while it waits.
elect_wait() {
	bg c1 elect el2 first
	keys el2 1
	sleep 1
	bg o elect -l el2 -w json
	sleep 1
	bg c2 elect el2 second
	keys el2 2
	sleep 1
	stop c2
	keys el2 1
	ectl get el2 --prefix --keys-only
	stop c1
	keys el2 0
	sleep 1
	stop o
}
same masked elect_wait
pbelect() {
	bg c elect el3 v -w protobuf
	keys el3 1
	sleep 1
	pbstop c RangeResponse
}
same masked pbelect
same masked ctl elect el4 v -w table

# ---- auth: a watch the user may not read is refused (etcd's created and
# canceled answer), a lock or a campaign it may not write fails.
same ectl user add root:pw
same ectl role add r
same ectl role grant-permission r read foo
same ectl user add ro:pw
same ectl user grant-role ro r
same ectl auth enable
same tctl --user ro:pw watch bar
same tctl --user ro:pw watch bar -w json
same pbwatch --user ro:pw watch bar
same tctl --user ro:pw watch foo --rev 5
same iwatch --user ro:pw -- 'watch bar' 'watch foo --rev 5'
same masked ctl --user ro:pw lock lk9
same masked ctl --user ro:pw elect el9 v
same masked ctl --user ro:pw elect -l foo
same ectl --user root:pw auth disable

finish_side_by_side
