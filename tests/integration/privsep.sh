#!/bin/bash
# Tests: started as root with --netd-user/--raftd-user/--stored-user, each
# child runs under its own uid/gid with no_new_privs, netd chrooted to an
# empty directory. Without root, everything runs as the invoking user.
. "$(dirname "$0")/lib.sh"

CAIRN=$B/cairn
uids() { awk '/^Uid:/ {print $2, $3, $4, $5}' "/proc/$1/status"; }
gids() { awk '/^Gid:/ {print $2, $3, $4, $5}' "/proc/$1/status"; }
nnp() { awk '/^NoNewPrivs:/ {print $2}' "/proc/$1/status"; }

if [ "$(id -u)" -ne 0 ]; then
	start_cairn "$CAIRN" --data-dir "$T/data"
	wait_for 5 all_heartbeats 1
	me="$(id -u) $(id -u) $(id -u) $(id -u)"
	for c in netd raftd stored; do
		check "$c runs as the invoking user" [ "$(uids "$(child_pid $c)")" = "$me" ]
		check "$c has no_new_privs" [ "$(nnp "$(child_pid $c)")" = 1 ]
	done
	out=$("$CAIRN" --data-dir "$T/x" --netd-user 65534 2>&1); status=$?
	check "--netd-user without root: exit 1 with a clear error" \
		eval '[ $status -eq 1 ] && printf "%s" "$out" | grep -q "needs cairn to be started as root"'
	skip "children under their own uid/gid" "not root"
	finish
	exit $?
fi

mkdir -p "$T/empty"
chmod 0755 "$T" "$T/empty"
start_cairn "$CAIRN" --data-dir "$T/data" --netd-user 65534:65534 \
	--raftd-user 1:1 --stored-user 2:2 --netd-chroot "$T/empty"
check "children start and talk after dropping privileges" wait_for 5 all_heartbeats 1
check "netd runs as 65534:65534" eval '[ "$(uids "$(child_pid netd)")" = "65534 65534 65534 65534" ] && [ "$(gids "$(child_pid netd)")" = "65534 65534 65534 65534" ]'
check "raftd runs as 1:1" eval '[ "$(uids "$(child_pid raftd)")" = "1 1 1 1" ] && [ "$(gids "$(child_pid raftd)")" = "1 1 1 1" ]'
check "stored runs as 2:2" eval '[ "$(uids "$(child_pid stored)")" = "2 2 2 2" ] && [ "$(gids "$(child_pid stored)")" = "2 2 2 2" ]'
for c in netd raftd stored; do
	check "$c has no_new_privs" [ "$(nnp "$(child_pid $c)")" = 1 ]
done
check "netd is chrooted to the empty directory" [ "$(readlink "/proc/$(child_pid netd)/root")" = "$T/empty" ]
check "raftd is not chrooted" [ "$(readlink "/proc/$(child_pid raftd)/root")" = / ]
check "the supervisor stays root" [ "$(uids "$SUP_PID")" = "0 0 0 0" ]
# The data dir stays root's and 0700; raftd opened member/wal before the drop.
check "raftd, as its own user, elects itself on its WAL" wait_for 10 log_has '"msg":"became leader"'
check "member/wal and its segments belong to raftd's user" \
	eval '[ "$(stat -c %u:%g "$T/data/member/wal" "$T"/data/member/wal/*.wal | sort -u)" = "1:1" ]'
check "member/db and the store's files belong to stored's user" \
	wait_for 5 eval '[ -e "$T/data/member/db/cairn.db" ] && [ "$(stat -c %u:%g "$T/data/member/db" "$T"/data/member/db/* | sort -u)" = "2:2" ]'
check "the data dir stays 0700, the supervisor's" [ "$(stat -c %a:%u "$T/data")" = "700:0" ]
old=$(child_pid netd)
kill -9 "$old"
check "a restarted netd drops privileges again" \
	eval 'wait_for 2 eval "[ -n \"\$(child_pid netd)\" ] && [ \"\$(child_pid netd)\" != $old ]" && wait_for 2 eval "[ \"\$(uids \$(child_pid netd))\" = \"65534 65534 65534 65534\" ]"'
finish
