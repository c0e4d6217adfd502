#!/bin/bash
# Tests: raftd takes Raft peer messages from netd only after checking them
# in full (raftd/peer_codec.c). A hostile netd (tests/integration/rogue_netd)
# sends one: a message not for this member is refused and netd restarted,
# never raftd; a valid heartbeat from a leader of a later term is taken.
. "$(dirname "$0")/lib.sh"

mkdir -p "$T/bin"
cp "$B/cairn" "$B/cairn-raftd" "$B/cairn-stored" "$T/bin/"
cp "$B/tests/integration/rogue_netd" "$T/bin/cairn-netd"

ROGUE_MODE=peer-bad start_cairn "$T/bin/cairn" --data-dir "$T/bad"
check "raftd refuses a peer message that is not for it" \
	wait_for 10 log_has '"msg":"refusing a peer message from netd: Raft message for another member"'
check "and reports netd, which is restarted" \
	wait_for 5 log_has '"msg":"raftd reports a protocol failure of netd; restarting netd"'
check "raftd itself goes on" eval '[ "$(log_count "raftd was killed")" -eq 0 ] && [ "$(log_count "raftd exited")" -eq 0 ]'
stop_all

ROGUE_MODE=peer-heartbeat start_cairn "$T/bin/cairn" --data-dir "$T/good"
check "raftd takes a heartbeat from a leader of term 100" \
	wait_for 10 eval "grep -F '\"msg\":\"leader changed\"' \"\$LOG\" | grep -qF '\"term\":100,\"leader\":\"2\"'"
check "and, hearing nothing more, leads term 101" \
	wait_for 10 eval "grep -F '\"msg\":\"became leader\"' \"\$LOG\" | grep -qF '\"term\":101'"
check "no protocol failure was reported" eval '[ "$(log_count "protocol failure")" -eq 0 ]'
finish
