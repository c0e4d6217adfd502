#!/bin/bash
# Tests: etcdctl's watch asks for a leader (clientv3.WithRequireLeader:
# the metadata hasleader): watching a member of three that then loses
# both others, etcdctl and cairnctl both see the event before, then their
# watch ended by the member ("etcdserver: no leader"), with the same
# output and exit status (the member ends such streams after three
# election timeouts without a leader, netd/no_leader.c).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/members_lib.sh"
if ! command -v etcdctl >/dev/null; then
	not_ok "etcdctl is installed (scripts/deps.sh test installs them)"
	echo "1..$TAP_N"
	exit 1
fi

for n in $NAMES; do start_member "$n"; done
check "3 members elect one leader" pick_leader
check "a write" wait_for 10 eval '[ "$(ctl "$F" put k v1)" = OK ]'
W=127.0.0.1:${CLIENT[$F]}
etcdctl --endpoints "$W" watch k --rev 2 >"$T/e.out" 2>"$T/e.err" </dev/null &
EPID=$!
"$B/cairnctl" --endpoints "$W" watch k --rev 2 >"$T/c.out" 2>"$T/c.err" </dev/null &
CPID=$!
seen() { [ "$(sed -n 3p "$T/e.out")" = v1 ] && [ "$(sed -n 3p "$T/c.out")" = v1 ]; }
check "both watches see the write" wait_for 10 seen
for n in $NAMES; do [ "$n" = "$F" ] || stop_member "$n"; done
check "the others down: both watches end within 30 s" wait_for 30 eval '! alive $EPID && ! alive $CPID'
alive $EPID && diag "etcdctl's watch goes on" && kill $EPID
alive $CPID && diag "cairnctl's watch goes on" && kill $CPID
wait "$EPID"
echo "exit $?" >>"$T/e.out"
wait "$CPID"
echo "exit $?" >>"$T/c.out"
check "... with the same output and status as etcdctl's" cmp "$T/e.out" "$T/c.out"
diff "$T/e.out" "$T/c.out" | sed 's/^/# out: /'
check "... and the same errors" cmp "$T/e.err" "$T/c.err"
diff "$T/e.err" "$T/c.err" | sed 's/^/# err: /'
check "... the member's \"no leader\"" grep -q "etcdserver: no leader" "$T/c.err"
finish_members
