#!/bin/bash
# Tests: a hostile netd (tests/integration/rogue_netd) puts a frame of an
# unknown type in its ring to raftd. raftd must close that channel and
# report it; the supervisor restarts netd (never raftd, whatever netd says).
. "$(dirname "$0")/lib.sh"

# cairn finds its children next to its own executable (/proc/self/exe), so
# a copy of cairn beside a rogue cairn-netd runs the rogue.
mkdir -p "$T/bin"
cp "$B/cairn" "$B/cairn-raftd" "$B/cairn-stored" "$T/bin/"
cp "$B/tests/integration/rogue_netd" "$T/bin/cairn-netd"

start_cairn "$T/bin/cairn" --data-dir "$T/data"
trusted_up() { [ -n "$(child_pid raftd)" ] && [ -n "$(child_pid stored)" ]; }
check "raftd and stored start beside the rogue netd" wait_for 5 trusted_up
raftd=$(child_pid raftd)
check "raftd refuses the unknown frame type" \
	wait_for 5 log_has '"msg":"channel to netd broke the protocol","proc":"raftd"'
check "the reason names what was wrong" \
	log_has '"reason":"unknown frame type"'
check "the supervisor restarts netd on raftd's report" \
	wait_for 5 log_has '"msg":"raftd reports a protocol failure of netd; restarting netd"'
check "netd is killed and restarted" wait_for 5 log_has '"msg":"netd was killed by signal 9"'
check "raftd itself is never restarted" eval '[ "$(child_pid raftd)" = "$raftd" ] && [ "$(log_count "raftd was killed")" -eq 0 ]'
# The rogue is restarted as a rogue: after 5 deaths in 30 s the member stops.
check "a netd that keeps misbehaving stops the member" wait_for 15 dead "$SUP_PID"
check "with a clear error" log_has '"msg":"netd died 5 times within 30 s; stopping the member"'
SUP_PID=
finish
