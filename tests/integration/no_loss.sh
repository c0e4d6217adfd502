#!/bin/bash
# Tests: no acknowledged write is lost, whatever process is killed. Four
# writers put unique keys through the real etcdctl (each sequentially,
# together concurrently, every member as an endpoint) and record each
# put acknowledged with its revision, while the test kills with SIGKILL,
# in turn: a follower's netd, the leader's raftd, a member's stored (each
# restarted by its supervisor), then a whole follower member, the whole
# leader member and a follower again (supervisor and children, restarted
# by the test). Once the writers stop and the cluster settles: every
# acknowledged put is on every member (serializable reads), with its
# value; the members' HashKV agree; and each writer's revisions only went
# up (no client saw the revision go backwards).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/members_lib.sh"

ENDPOINTS=$(for n in $NAMES; do printf '127.0.0.1:%s,' "${CLIENT[$n]}"; done | sed 's/,$//')
WRITERS="w1 w2 w3 w4"

# writer NAME: puts NAME/000001, 000002, ... until $T/stop exists; each
# acknowledged put is a line "key revision" in $T/NAME.acked.
writer() {
	local w=$1 i=0 key out rev
	: >"$T/$w.acked"
	while [ ! -e "$T/stop" ]; do
		i=$((i + 1))
		key=$(printf '%s/%06d' "$w" "$i")
		out=$(timeout 10 etcdctl --endpoints "$ENDPOINTS" --command-timeout 3s --dial-timeout 2s \
			put "$key" "v$i" -w json 2>/dev/null) || continue
		rev=$(printf '%s' "$out" | sed -n 's/.*"revision":\([0-9]*\).*/\1/p')
		[ -n "$rev" ] && echo "$key $rev" >>"$T/$w.acked"
	done
}
child() { pgrep -P "${SUP[$1]}" -x "cairn-$2" 2>/dev/null | head -n 1; }
acked() { cat "$T"/w*.acked 2>/dev/null | wc -l; }
# progress: at least N more puts acknowledged than when it was called.
progress() { [ "$(acked)" -ge $((BASE + ${1:-20})) ]; }
# restarted MEMBER PROC OLDPID: another process runs in its place.
restarted() { local now; now=$(child "$1" "$2"); [ -n "$now" ] && [ "$now" != "$3" ]; }
# kill_child MEMBER PROC: SIGKILL to one child, which its supervisor restarts.
kill_child() {
	local pid
	pid=$(child "$1" "$2")
	[ -n "$pid" ] && kill -9 "$pid" && wait_for 10 restarted "$1" "$2" "$pid"
}
# step TEXT COMMAND...: kills, then waits for writes to flow again.
step() {
	local what=$1
	shift
	BASE=$(acked)
	check "$what" "$@"
	check "... and the writers go on" wait_for 40 progress 25
}

for n in $NAMES; do start_member "$n"; done
check "three members elect one leader" wait_for 20 one_leader
WPIDS=
for w in $WRITERS; do
	writer "$w" &
	WPIDS="$WPIDS $!"
done
BASE=0
check "the writers write" wait_for 30 progress 40

pick_leader
step "a follower's netd ($F) killed and restarted" kill_child "$F" netd
pick_leader
step "the leader's raftd ($L) killed and restarted" kill_child "$L" raftd
pick_leader
step "a member's stored ($F) killed and restarted" kill_child "$F" stored
pick_leader
step "a whole follower member ($F) killed and restarted" eval 'stop_member "$F"; start_member "$F"'
pick_leader
step "the whole leader member ($L) killed and restarted" eval 'stop_member "$L"; start_member "$L"'
pick_leader
step "a follower ($F) killed and restarted again" eval 'stop_member "$F"; start_member "$F"'

touch "$T/stop"
for p in $WPIDS; do wait "$p"; done
check "$(acked) puts acknowledged" [ "$(acked)" -ge 100 ]
check "the cluster settles with one leader" wait_for 30 one_leader

# Every acknowledged put, on every member, with its value.
all_there() {
	local n
	sort "$T"/w*.acked | awk '{print $1}' >"$T/want"
	for n in $NAMES; do
		ctl "$n" get w --prefix --consistency=s >"$T/$n.got" || return 1
		# etcdctl prints key, then value: "key v<seq>" pairs.
		paste - - <"$T/$n.got" >"$T/$n.pairs"
		awk '{k = $1; sub(/.*\//, "", $1); if ($2 != "v" $1 + 0) bad = 1; print k} END {exit bad}' \
			"$T/$n.pairs" >"$T/$n.unsorted" || return 1
		sort "$T/$n.unsorted" >"$T/$n.keys"
		[ -z "$(comm -23 "$T/want" "$T/$n.keys")" ] || return 1
	done
}
check "every acknowledged put is on every member (serializable reads)" wait_for 30 all_there
for n in $NAMES; do
	missing=$(comm -23 "$T/want" "$T/$n.keys" | wc -l)
	[ "$missing" = 0 ] || diag "$n misses $missing acknowledged puts, e.g. $(comm -23 "$T/want" "$T/$n.keys" | head -3 | tr '\n' ' ')"
done
check "the members' HashKV agree" wait_for 20 eval '[ "$(hashes | wc -l)" = 1 ]'
rising() {
	local w
	for w in $WRITERS; do
		awk '$2 <= last {exit 1} {last = $2}' "$T/$w.acked" || return 1
	done
}
check "each writer's revisions only went up" rising

finish_members
