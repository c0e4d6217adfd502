#!/bin/bash
# Tests: raftd runs this member's Raft node on its WAL in member/wal. A
# lone member elects itself, its term survives a restart of the whole
# member and a kill -9 of raftd alone (the supervisor restarts it and it
# recovers from the WAL), and each term is higher than the last.
. "$(dirname "$0")/lib.sh"

# Lines from raftd with message MSG and the fixed string FIELD.
raftd_log() { grep -F "\"msg\":\"$1\"" "$LOG" | grep -F '"proc":"raftd"' | grep -cF -- "$2"; }
raftd_said() { [ "$(raftd_log "$1" "$2")" -ge 1 ]; }

# etcd's defaults: member 8e9e05c52164694d of cluster cdf818194e3a8c32.
ID='"member-id":"8e9e05c52164694d"'
start_cairn "$B/cairn" --data-dir "$T/data"
check "a lone member elects itself leader of term 1" \
	wait_for 10 raftd_said "became leader" "$ID,\"term\":1"
check "its WAL is in member/wal" eval 'ls "$T/data/member/wal/"*.wal >/dev/null 2>&1'
check "a new member creates its WAL" raftd_said "creating a new WAL" ""
kill -TERM "$SUP_PID"
check "the member stops on SIGTERM" wait_for 10 dead "$SUP_PID"
SUP_PID=

start_cairn "$B/cairn" --data-dir "$T/data"
check "a restarted member recovers its WAL" \
	wait_for 10 raftd_said "recovered the WAL" '"term":1,'
check "and leads a later term" wait_for 10 raftd_said "became leader" "$ID,\"term\":2"
raftd=$(child_pid raftd)
kill -9 "$raftd"
check "raftd killed alone is restarted" \
	wait_for 10 eval '[ -n "$(child_pid raftd)" ] && [ "$(child_pid raftd)" != "$raftd" ]'
check "and recovers the term it had" wait_for 10 raftd_said "recovered the WAL" '"term":2,'
check "then leads term 3" wait_for 10 raftd_said "became leader" "$ID,\"term\":3"
# Over both runs' logs: terms 1, 2 and 3, each led once.
led=$(cat "$T"/cairn.*.log | grep -F '"msg":"became leader"' | grep -o '"term":[0-9]*' | tr '\n' ' ')
check "terms 1, 2 and 3 were each led once ($led)" [ "$led" = '"term":1 "term":2 "term":3 ' ]
finish
