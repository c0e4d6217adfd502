#!/bin/bash
# Tests: etcdctl watch against cairn and the real etcd 3.4 side by side
# (tests/integration/etcd_lib.sh): history from a past revision with each
# option, a compacted start, and events that arrive while watching. A
# watch runs until a timeout ends it (status 124 on both, checked). A
# watch client that stops reading while 6.4 MB of events are written
# (tests/integration/watch_slow.py: HTTP/2's flow control holds them) gets
# every event, once, in order, once it reads again, its stream open: etcd
# and cairn alike (cairn holds the watcher in stored meanwhile).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/etcd_lib.sh"

# side_ctl: the client of the member on $PORT (SIDE_B_CTL on the second).
side_ctl() { if [ "$PORT" = "$CP" ]; then echo "$SIDE_B_CTL"; else echo "$CTL_BIN"; fi; }
# tctl ARGS...: etcdctl (as ctl) ended after 2 s.
tctl() { timeout 2 "$(side_ctl)" --endpoints "127.0.0.1:$PORT" --command-timeout 5s "$@"; }

same ctl put foo 1
same ctl put foo2 2
same ctl put bar 3
same ctl del foo
stdin 'value("foo2") = "2"\n\nput foo2 22\nput foo3 3\ndel bar\n\n'
same ctl txn
same tctl watch foo --rev 1
same tctl watch foo --prefix --rev 1 --prev-kv
same tctl watch foo --prefix --rev 3 -w json
same tctl watch "" --from-key --rev 1 -w fields
same tctl watch bar zzz --rev 1
same tctl watch foo2 --rev 6
same ctl compaction 4
same tctl watch foo --prefix --rev 2
same tctl watch foo --prefix --rev 4 --prev-kv

# live: a watcher started first, then writes; its output once stopped.
live() {
	timeout 3 "$(side_ctl)" --endpoints "127.0.0.1:$PORT" watch live --prefix --prev-kv \
		>"$T/live.$PORT" 2>&1 &
	local w=$!
	sleep 0.5
	ctl put live/a 1 >/dev/null && ctl put live/b 2 >/dev/null &&
		ctl put live/a 11 >/dev/null && ctl del live --prefix >/dev/null
	wait "$w"
	cat "$T/live.$PORT"
}
same live
check "a watch ran until its timeout (status 124), on both" \
	eval 'grep -qx "exit 124" "$T/etcd.6.out" && grep -qx "exit 124" "$T/cairn.6.out" &&
	[ "$(grep -c . "$T/cairn.6.out")" -gt 3 ]'

# slow PORT: the slow reader's keys and end, 100 values of 64 KiB written
# while it does not read.
S=${CAIRN_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}
head -c 65536 /dev/zero | tr '\0' s >"$T/big"
slow() {
	local port=$1 fifo=$T/go.$1
	rm -f "$fifo"
	mkfifo "$fifo"
	python3 "$S/tests/integration/watch_slow.py" "$port" slow/ 100 <"$fifo" >"$T/slow.$port" 2>&1 &
	local py=$!
	exec 7>"$fifo"
	wait_for 10 grep -qx ready "$T/slow.$port"
	for i in $(seq 1 100); do
		"$CTL_BIN" --endpoints "127.0.0.1:$port" put "slow/$i" <"$T/big" >/dev/null
	done
	echo go >&7
	exec 7>&-
	wait "$py"
	grep -v '^ready$' "$T/slow.$port"
}
want=$( (for i in $(seq 1 100); do echo "slow/$i"; done; echo open) )
check "a watch client that stopped reading while 6.4 MB were written: every event, in order, on etcd" \
	eval '[ "$(slow "$EP")" = "$want" ]'
check "... and on cairn" eval '[ "$(slow "$CP")" = "$want" ]'

finish_side_by_side
