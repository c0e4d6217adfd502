#!/bin/bash
# Tests: the supervisor's lifecycle with the real binaries: start, every
# channel up, kill -9 of each child (restart within 1 s, heartbeats
# resume), SIGTERM, kill -9 of the supervisor, crash loop, bad flags.
. "$(dirname "$0")/lib.sh"

CAIRN=$B/cairn

# --- start: all three children up, heartbeats on every channel -----------
start_cairn "$CAIRN" --data-dir "$T/d1/data"
check "all three children start" wait_for 5 children_up
check "heartbeats flow on all six directed channels" wait_for 5 all_heartbeats 1
check "data dir created with mode 0700" [ "$(stat -c %a "$T/d1/data")" = 700 ]
check "member/ created inside it" [ -d "$T/d1/data/member" ]
check "supervisor logs JSON lines with level, ts, caller, msg" \
	grep -qE '^\{"level":"info","ts":"[0-9T:.-]+Z","caller":"supervisor/[a-z_]+\.c:[0-9]+","msg":"starting cairn"' "$LOG"

# --- kill -9 each child in turn -------------------------------------------
round=1
for victim in netd raftd stored; do
	old=$(child_pid $victim)
	kill -9 "$old"
	restarted() { local p; p=$(child_pid $victim); [ -n "$p" ] && [ "$p" != "$old" ]; }
	check "kill -9 $victim: restarted within 1 s" wait_for 1 restarted
	check "kill -9 $victim: the death is logged with pid and signal" \
		wait_for 1 log_has "\"msg\":\"$victim was killed by signal 9\",\"proc\":\"supervisor\",\"pid\":$SUP_PID,\"child\":\"$victim\",\"child-pid\":$old"
	round=$((round + 1))
	# Each restart makes every heartbeat line involving the victim appear
	# once more: the new child hears both peers, both peers hear it again.
	resumed() {
		local p
		for p in netd raftd stored; do
			[ $p = $victim ] && continue
			[ "$(grep -F "\"heartbeats from $victim resumed\"" "$LOG" | grep -cF "\"proc\":\"$p\"")" -ge 2 ] || return 1
			[ "$(grep -F "\"heartbeats from $p resumed\"" "$LOG" | grep -cF "\"proc\":\"$victim\"")" -ge 2 ] || return 1
		done
	}
	check "kill -9 $victim: heartbeats resume with both peers" wait_for 3 resumed
done
others_kept() { [ "$(grep -cF '"msg":"started cairn-' "$LOG")" -eq 6 ]; }
check "only the killed children were restarted" others_kept

# --- SIGTERM: everything stops within 5 s, exit status 0 ------------------
kids=$(pgrep -P "$SUP_PID")
kill -TERM "$SUP_PID"
check "SIGTERM: supervisor exits within 5 s" wait_for 5 dead "$SUP_PID"
wait "$SUP_PID"; status=$?
check "SIGTERM: exit status 0" [ "$status" -eq 0 ]
none_left() { local p; for p in $kids; do alive "$p" && return 1; done; return 0; }
check "SIGTERM: no child left" none_left
# Children stop by returning from main: under ASan that is where a leak
# would show up, as a non-zero exit status.
check "SIGTERM: every child exits with status 0" eval '! grep -q "exited with status" "$LOG"'
SUP_PID=

# --- kill -9 of the supervisor: no child left within 1 s ------------------
start_cairn "$CAIRN" --data-dir "$T/d2/data"
wait_for 5 all_heartbeats 1
kids=$(pgrep -P "$SUP_PID")
check "three children before killing the supervisor" [ "$(echo $kids | wc -w)" -eq 3 ]
kill -9 "$SUP_PID"
wait "$SUP_PID" 2>/dev/null
check "kill -9 of the supervisor: every child exits within 1 s" wait_for 1 none_left
SUP_PID=

# --- crash loop: 5 deaths of one child within 30 s stop the member --------
start_cairn "$CAIRN" --data-dir "$T/d3/data"
wait_for 5 children_up
crash() {
	local p
	for _ in 1 2 3 4 5; do
		wait_for 6 eval '[ -n "$(child_pid stored)" ]' || return 1
		p=$(child_pid stored)
		kill -9 "$p"
		wait_for 2 dead "$p" || return 1
	done
}
check "crash loop: stored killed 5 times" crash
check "crash loop: member stops" wait_for 5 dead "$SUP_PID"
wait "$SUP_PID"; status=$?
check "crash loop: exit status 1" [ "$status" -eq 1 ]
check "crash loop: a clear error names the child" \
	log_has '"msg":"stored died 5 times within 30 s; stopping the member"'
SUP_PID=

# --- defaults: ./default.cairn in the working directory ------------------
mkdir -p "$T/cwd" && cd "$T/cwd" || exit 1
start_cairn "$CAIRN"
check "no --data-dir: ./default.cairn is created" wait_for 5 eval '[ -d "$T/cwd/default.cairn/member" ]'
check "./default.cairn has mode 0700" [ "$(stat -c %a "$T/cwd/default.cairn")" = 700 ]
kill -TERM "$SUP_PID"; wait "$SUP_PID"; SUP_PID=

# --- --log-level is honoured by the supervisor and every child ------------
start_cairn "$CAIRN" --data-dir "$T/d4/data" --log-level warn
wait_for 5 children_up
sleep 0.5
kill -9 "$(child_pid raftd)"
check "--log-level warn: warnings still logged" wait_for 2 log_has '"msg":"raftd was killed by signal 9"'
check "--log-level warn: no info line from any process" eval '! grep -q "\"level\":\"info\"" "$LOG"'
kill -TERM "$SUP_PID"; wait "$SUP_PID"; SUP_PID=
start_cairn "$CAIRN" --data-dir "$T/d5/data" --log-level debug
debug_from_all() { local p; for p in netd raftd stored; do grep -F '"level":"debug"' "$LOG" | grep -qF "\"proc\":\"$p\"" || return 1; done; }
check "--log-level debug: debug lines from every child" wait_for 5 debug_from_all
kill -TERM "$SUP_PID"; wait "$SUP_PID"; SUP_PID=

# --- bad flags: one line naming it, exit 1, nothing written ---------------
cd "$T" || exit 1
out=$("$CAIRN" --bogus-flag 2>&1); status=$?
check "bad flag: exit status 1" [ "$status" -eq 1 ]
check "bad flag: one line naming it" [ "$(printf '%s\n' "$out" | wc -l)" -eq 1 ] 
check "bad flag: message names the flag" eval 'printf "%s" "$out" | grep -q -- "-bogus-flag"'
out=$("$CAIRN" --data-dir "$T/bad" --snapshot-count=abc 2>&1); status=$?
check "bad value: exit status 1 and the flag named" \
	eval '[ $status -eq 1 ] && printf "%s" "$out" | grep -q "snapshot-count"'
check "bad value: nothing written" [ ! -e "$T/bad" ] 
out=$(ETCD_SNAPSHOT_COUNT=abc "$CAIRN" --data-dir "$T/bad" 2>&1); status=$?
check "bad environment variable: exit 1, variable named, nothing written" \
	eval '[ $status -eq 1 ] && printf "%s" "$out" | grep -q ETCD_SNAPSHOT_COUNT && [ ! -e "$T/bad" ]'
printf 'name: x\nno-such-key: 1\n' > "$T/bad.yaml"
out=$("$CAIRN" --config-file "$T/bad.yaml" 2>&1); status=$?
check "bad config key: exit 1, key named, nothing written" \
	eval '[ $status -eq 1 ] && printf "%s" "$out" | grep -q no-such-key && [ ! -e "$T/x.cairn" ]'
check "default data dir is not created on a bad flag" [ ! -e "$T/default.cairn" ]
out=$("$CAIRN" --version); status=$?
check "--version names cairn's version and the etcd API version" \
	eval '[ $status -eq 0 ] && printf "%s" "$out" | grep -q "^cairn Version: " && printf "%s" "$out" | grep -q "^etcd API Version: 3.4$"'

finish
