#!/bin/bash
# Tests: a cluster moves from the real etcd 3.4 to cairn with its data.
# An etcd is loaded (puts in transactions of many sub revisions,
# overwrites, deletes, keys that are prefixes of others, a value on
# overflow pages, a physical compaction, new generations after it,
# leases with keys attached, moved and detached, a lease revoked, a user
# and a role, auth enabled) and saved with etcdctl snapshot save. Then:
# cairnctl snapshot status prints what etcdctl prints in every format,
# for bad files too; cairnctl snapshot restore logs and fails as etcdctl
# does; cairn started on the restored data dir answers as the source
# etcd: every key at every revision from the compaction on, reads below
# it compacted, Watch from an old revision, HashKV at each revision,
# leases with their TTLs and keys, users and roles with their
# permissions, and the same revisions for the same writes after. Also
# an etcd with a NOSPACE alarm, and a db copied from a data dir (no
# hash: --skip-hash-check).
. "$(dirname "$0")/lib.sh"
CTLX=$B/cairnctl
export ETCDCTL_API=3
ETCD_BIN=$(command -v etcd)
if [ -z "$ETCD_BIN" ] || ! command -v etcdctl >/dev/null; then
	not_ok "etcd and etcdctl are installed (scripts/deps.sh test installs them)"
	finish
	exit 1
fi

ETCD_PID=
stop_etcd() { [ -z "$ETCD_PID" ] || { kill -9 "$ETCD_PID"; wait "$ETCD_PID"; } 2>/dev/null; ETCD_PID=; }
trap 'stop_all; stop_etcd; rm -rf "$T"' EXIT

# start_etcd DIR FLAGS...: an etcd with its client port in $EP.
start_etcd() {
	local dir=$1
	shift
	EP=$(free_port)
	"$ETCD_BIN" --data-dir "$dir" --listen-client-urls "http://127.0.0.1:$EP" \
		--advertise-client-urls "http://127.0.0.1:$EP" \
		--listen-peer-urls "http://127.0.0.1:$(free_port)" "$@" >"$dir.log" 2>&1 &
	ETCD_PID=$!
}
AUTH=
# The real etcdctl on the source etcd (e) and on cairn (c); TMO=N cuts a
# command short after N seconds (watch).
e() { timeout "${TMO:-30}" etcdctl --endpoints "127.0.0.1:$EP" --command-timeout 10s $AUTH "$@"; }
c() { timeout "${TMO:-30}" etcdctl --endpoints "127.0.0.1:$CP" --command-timeout 10s $AUTH "$@"; }
rev_of() { sed -n 's/.*"revision":\([0-9]*\).*/\1/p' | head -n 1; }
# What differs between two members' answers whatever their data: times,
# client ids, ports, the header (cluster and member IDs, Raft term).
normalise() {
	sed -E 's/"ts":"[^"]*"/"ts":"TS"/g; s/"ts":[0-9.e+-]+/"ts":"TS"/g;
		s/client-[0-9a-f-]+/client-ID/g; s/127\.0\.0\.1:[0-9]+/ENDPOINT/g;
		s/"header":\{[^}]*\},?//g'
}
# both NAME ARGS...: etcdctl ARGS on the source etcd and on cairn gives
# the same stdout, stderr and exit status, normalised; stdin from the
# file $STDIN if set.
both() {
	local name=$1 f
	shift
	for f in e c; do
		"$f" "$@" <"${STDIN:-/dev/null}" >"$T/$f.out" 2>"$T/$f.err"
		echo "exit $?" >>"$T/$f.out"
		normalise <"$T/$f.out" >"$T/$f.out.n"
		normalise <"$T/$f.err" >"$T/$f.err.n"
	done
	if cmp -s "$T/e.out.n" "$T/c.out.n" && cmp -s "$T/e.err.n" "$T/c.err.n"; then
		ok "$name"
	else
		not_ok "$name"
		diff "$T/e.out.n" "$T/c.out.n" | head -n 10 | sed 's/^/# out: /'
		diff "$T/e.err.n" "$T/c.err.n" | head -n 10 | sed 's/^/# err: /'
	fi
}
# txn_puts FROM TO VALUE: one transaction putting key/FROM..key/TO.
txn_puts() {
	{
		echo
		for i in $(seq "$1" "$2"); do printf 'put key/%04d %s-%04d\n' "$i" "$3" "$i"; done
		printf '\n\n'
	} | e txn >/dev/null
}

# ---- the source etcd -------------------------------------------------
start_etcd "$T/etcd"
check "the real etcd serves" wait_for 20 eval 'e put a v1 >/dev/null 2>&1'
e put $'a\x01' w1 >/dev/null
e put a/b x1 >/dev/null
for t in $(seq 0 9); do txn_puts $((t * 100)) $((t * 100 + 99)) v1; done
C=$(e get a -w json | rev_of)
check "a physical compaction at revision $C" eval 'e compaction --physical "$C" | grep -qx "compacted revision $C"'
for t in $(seq 10 19); do txn_puts $((t * 100)) $((t * 100 + 99)) v1; done
txn_puts 0 99 v2
e del key/01 --prefix >/dev/null
L1=$(e lease grant 3600 | awk '{print $2}')
L2=$(e lease grant 7200 | awk '{print $2}')
L3=$(e lease grant 9000 | awk '{print $2}')
L4=$(e lease grant 3000 | awk '{print $2}')
e put lk1 v --lease "$L1" >/dev/null
e put lk2 v --lease "$L1" >/dev/null
e put lk3 v --lease "$L2" >/dev/null
e put lk4 v --lease "$L4" >/dev/null
e put lk2 v2 --lease "$L2" >/dev/null
e put lk1 v3 >/dev/null
e lease revoke "$L4" >/dev/null
e put big "$(head -c 20000 /dev/zero | tr '\0' z)" >/dev/null
e put a v2 >/dev/null
e del a >/dev/null
e put a v3 >/dev/null
e put key/0150 again >/dev/null
e put lk5 v --lease "$L1" >/dev/null
printf '\nput t1 x\ndel key/0001\nput t2 y\ndel a/b\n\n\n' | e txn >/dev/null
e user add root --new-user-password rootpw >/dev/null
e role add r1 >/dev/null
e role grant-permission r1 readwrite key/ --prefix >/dev/null
e user add u1 --new-user-password u1pw >/dev/null
e user grant-role u1 r1 >/dev/null
# (etcdctl adds the root role on its first try, logging that try's error.)
check "auth enabled" eval 'e auth enable 2>/dev/null | grep -qx "Authentication Enabled"'
AUTH="--user root:rootpw"
R=$(e get a -w json | rev_of)
diag "compacted at $C, saved at $R"
e snapshot save "$T/e.db" >/dev/null 2>"$T/save.err"
check "etcdctl snapshot save" test -s "$T/e.db"

# ---- status ------------------------------------------------------------
# st NAME FILE ARGS...: cairnctl snapshot status prints what etcdctl does.
st() {
	local name=$1
	shift
	etcdctl snapshot status "$@" >"$T/se.out" 2>"$T/se.err"
	echo "exit $?" >>"$T/se.out"
	"$CTLX" snapshot status "$@" >"$T/sc.out" 2>"$T/sc.err"
	echo "exit $?" >>"$T/sc.out"
	if cmp -s "$T/se.out" "$T/sc.out" && cmp -s "$T/se.err" "$T/sc.err"; then
		ok "snapshot status: $name"
	else
		not_ok "snapshot status: $name"
		diff "$T/se.out" "$T/sc.out" | sed 's/^/# out: /'
		diff "$T/se.err" "$T/sc.err" | sed 's/^/# err: /'
	fi
}
for w in simple json fields table protobuf; do st "-w $w" "$T/e.db" -w "$w"; done
st "--write-out=json after the file" "$T/e.db" --write-out=json
st "a file that is not there" "$T/nothing.db"
head -c 3000 /dev/urandom >"$T/tiny.db"
st "a file shorter than 4 KiB" "$T/tiny.db"
head -c 5000 /dev/zero >"$T/zero5k.db"
st "5000 zero bytes (too small for two pages)" "$T/zero5k.db"
head -c 10000 /dev/zero >"$T/zero10k.db"
st "10000 zero bytes (no meta page)" "$T/zero10k.db"
cp "$T/e.db" "$T/meta0.db"
printf '\x55' | dd of="$T/meta0.db" bs=1 seek=$((16 + 40)) conv=notrunc 2>/dev/null
st "meta page 0 broken: bolt reads meta page 1" "$T/meta0.db" -w json
cp "$T/e.db" "$T/version.db"
printf '\x03' | dd of="$T/version.db" bs=1 seek=20 conv=notrunc 2>/dev/null
printf '\x03' | dd of="$T/version.db" bs=1 seek=$((4096 + 20)) conv=notrunc 2>/dev/null
st "both meta pages of another version" "$T/version.db"
st "usage: two files" "$T/e.db" "$T/e.db"

# ---- restore -----------------------------------------------------------
RP=$(free_port)
# rs NAME FILE ARGS...: restore FILE with etcdctl (in $T/re) and cairnctl
# (in $T/rc), the same relative data dir: the same output, logs alike.
rs() {
	local name=$1 file=$2
	shift 2
	mkdir -p "$T/re" "$T/rc"
	(cd "$T/re" && etcdctl snapshot restore "$file" "$@" >../rse.out 2>../rse.err
		echo "exit $?" >>../rse.out)
	(cd "$T/rc" && "$CTLX" snapshot restore "$file" "$@" >../rsc.out 2>../rsc.err
		echo "exit $?" >>../rsc.out)
	normalise <"$T/rse.err" >"$T/rse.err.n"
	normalise <"$T/rsc.err" >"$T/rsc.err.n"
	if cmp -s "$T/rse.out" "$T/rsc.out" && cmp -s "$T/rse.err.n" "$T/rsc.err.n"; then
		ok "snapshot restore: $name"
	else
		not_ok "snapshot restore: $name"
		diff "$T/rse.out" "$T/rsc.out" | sed 's/^/# out: /'
		diff "$T/rse.err.n" "$T/rsc.err.n" | sed 's/^/# err: /'
	fi
}
cp "$T/e.db" "$T/flip.db"
printf '\x55' | dd of="$T/flip.db" bs=1 seek=20000 conv=notrunc 2>/dev/null
rs "a changed byte: etcd's sha256 error" ../flip.db --data-dir bad1
check "... and cairnctl leaves no data dir" test ! -e "$T/rc/bad1"
head -c 20001 "$T/e.db" >"$T/cut.db"
rs "a cut file: no hash" ../cut.db --data-dir bad2
RESTORE_FLAGS=(--name n1 --initial-cluster "n1=http://127.0.0.1:$RP"
	--initial-advertise-peer-urls "http://127.0.0.1:$RP" --initial-cluster-token moved)
rs "the snapshot, a new one-member cluster" ../e.db --data-dir new "${RESTORE_FLAGS[@]}"
check "the restored data dir has cairn's store and WAL" eval \
	'[ -f "$T/rc/new/member/db/cairn.db" ] && [ -d "$T/rc/new/member/wal" ]'
rs "an existing data dir" ../e.db --data-dir new "${RESTORE_FLAGS[@]}"

# ---- cairn on the restored data dir ------------------------------------
CP=$(free_port)
start_cairn "$B/cairn" --name n1 --data-dir "$T/rc/new" --listen-client-urls "http://127.0.0.1:$CP" \
	--advertise-client-urls "http://127.0.0.1:$CP" --listen-peer-urls "http://127.0.0.1:$RP" \
	--initial-cluster "n1=http://127.0.0.1:$RP" --initial-advertise-peer-urls "http://127.0.0.1:$RP" \
	--initial-cluster-token moved
check "cairn serves the restored data (auth enabled: as root)" wait_for 30 eval 'c get a >/dev/null 2>&1'
check "cairn is at the snapshot's revision $R" eval '[ "$(c get a -w json | rev_of)" = "$R" ]'
both "every key at the current revision" get "" --prefix -w json
both "keys-only, count and sort as etcd" get key/00 --prefix --keys-only --sort-by=MODIFY --order=DESCEND --limit 7
both "a key that is a prefix of another" get a --prefix -w json
both "the value on overflow pages" get big -w json
bad=
for r in $(seq "$C" "$R"); do
	e get "" --prefix --rev "$r" -w json 2>&1 | normalise >"$T/ge"
	c get "" --prefix --rev "$r" -w json 2>&1 | normalise >"$T/gc"
	cmp -s "$T/ge" "$T/gc" || bad="$bad $r"
done
check "every key at every revision from the compaction ($C) to $R" eval '[ -z "$bad" ]'
[ -z "$bad" ] || diag "revisions that differ:$bad"
both "a read below the compaction is compacted" get a --rev $((C - 1))
both "a read past the current revision" get a --rev $((R + 5))
bad=
for r in $(seq "$C" "$R"); do
	he=$(e endpoint hashkv --rev "$r" -w json 2>&1 | normalise)
	hc=$(c endpoint hashkv --rev "$r" -w json 2>&1 | normalise)
	[ "$he" = "$hc" ] || bad="$bad $r"
done
check "HashKV at every revision from $C to $R" eval '[ -z "$bad" ]'
[ -z "$bad" ] || diag "revisions that differ:$bad"
both "HashKV at the current revision" endpoint hashkv -w json
both "HashKV below the compaction" endpoint hashkv --rev $((C - 1)) -w json
TMO=3 both "Watch from the revision after the compaction" watch "" --prefix --rev $((C + 1))
TMO=3 both "Watch from a compacted revision" watch a --rev $((C - 1))

# Leases: the same IDs, granted TTLs and keys; cairn counts the TTL from
# its start, as an etcd restored from the snapshot would.
lease_ids() { "$1" lease list | sed 1d | sort; }
check "the same leases" eval '[ "$(lease_ids e)" = "$(lease_ids c)" ] && [ -n "$(lease_ids c)" ]'
# etcd lists a lease's keys in no fixed order (a Go map's): sorted here.
granted() {
	local out keys
	out=$("$1" lease timetolive "$2" --keys)
	keys=$(printf '%s\n' "$out" | sed -n 's/.*attached keys(\[\(.*\)\])$/\1/p' | tr ' ' '\n' | sort |
		tr '\n' ' ')
	printf '%s keys %s\n' "$(printf '%s\n' "$out" | sed 's/remaining([0-9]*s).*//')" "$keys"
}
for L in $L1 $L2 $L3; do
	check "lease $L: granted TTL and keys as etcd's" eval \
		'[ "$(granted e "$L")" = "$(granted c "$L")" ] && [ -n "$(granted c "$L")" ]'
done
ttl_left() { c lease timetolive "$1" | sed -n 's/.*remaining(\([0-9]*\)s).*/\1/p'; }
check "lease TTLs run from cairn's start" eval \
	'[ "$(ttl_left "$L1")" -gt 3500 ] && [ "$(ttl_left "$L1")" -le 3600 ] &&
	[ "$(ttl_left "$L3")" -gt 8900 ] && [ "$(ttl_left "$L3")" -le 9000 ]'
both "a revoked lease is gone" lease timetolive "$L4"

# Auth: users, roles, their permissions.
both "user list" user list
both "role list" role list
both "user get u1" user get u1
both "role get r1" role get r1
AUTH="--user u1:u1pw" both "u1 reads what r1 grants" get key/0002
AUTH="--user u1:u1pw" both "u1 is denied the rest" get a
AUTH="--user u1:wrong" both "a wrong password" get key/0002
AUTH= both "no user at all" get key/0002

# The same writes give the same revisions and the same store.
both "a put after the move" put after 1 -w json
both "revoking a lease deletes the keys attached to it" lease revoke "$L1"
both "... they are gone" get lk --prefix -w json
printf '\nput t1 w\ndel t2\n\n\n' >"$T/txn.in"
STDIN=$T/txn.in both "a txn" txn -w json
both "every key now" get "" --prefix -w json
both "HashKV now" endpoint hashkv -w json
both "a compaction" compaction $((R + 1))
both "below it compacted" get a --rev "$R"
both "HashKV after it" endpoint hashkv -w json
HASH_AT_STOP=$(e endpoint hashkv -w json | normalise)
stop_all
check "no cairn process died or tripped a sanitizer" eval \
	'! grep -q "runtime error:\|Sanitizer\|exited with status\|killed by signal" "$LOG"'

# ---- a db copied from the data dir: no hash ---------------------------
# Stopped cleanly, etcd commits its backend: the db holds every write.
kill "$ETCD_PID"
wait "$ETCD_PID"
ETCD_PID=
cp "$T/etcd/member/snap/db" "$T/dd.db"
st "a data dir's db (no hash)" "$T/dd.db" -w json
st "a data dir's db, table" "$T/dd.db" -w table
rs "a data dir's db without --skip-hash-check" ../dd.db --data-dir dd1
rs "a data dir's db with --skip-hash-check" ../dd.db --data-dir dd2 --skip-hash-check \
	"${RESTORE_FLAGS[@]}"
start_cairn "$B/cairn" --name n1 --data-dir "$T/rc/dd2" --listen-client-urls "http://127.0.0.1:$CP" \
	--advertise-client-urls "http://127.0.0.1:$CP" --listen-peer-urls "http://127.0.0.1:$RP" \
	--initial-cluster "n1=http://127.0.0.1:$RP" --initial-advertise-peer-urls "http://127.0.0.1:$RP" \
	--initial-cluster-token moved
check "cairn serves the data dir's db" wait_for 30 eval 'c get a >/dev/null 2>&1'
check "with the source's last HashKV" eval '[ "$(c endpoint hashkv -w json | normalise)" = "$HASH_AT_STOP" ]'
stop_all

# ---- an etcd with a NOSPACE alarm ----------------------------------------
AUTH=
start_etcd "$T/etcd2" --quota-backend-bytes $((13 * 4096))
check "a second etcd, a quota of 13 pages" wait_for 20 eval 'e put small x >/dev/null 2>&1'
big=$(head -c 4096 /dev/zero | tr '\0' b)
for i in $(seq 1 40); do e put big "$big" >/dev/null 2>&1 || break; done
check "its NOSPACE alarm is raised" eval 'e alarm list | grep -q "alarm:NOSPACE"'
e snapshot save "$T/a.db" >/dev/null 2>&1
st "the snapshot with an alarm" "$T/a.db" -w json
rs "the snapshot with an alarm" ../a.db --data-dir alarm "${RESTORE_FLAGS[@]}"
start_cairn "$B/cairn" --name n1 --data-dir "$T/rc/alarm" --listen-client-urls "http://127.0.0.1:$CP" \
	--advertise-client-urls "http://127.0.0.1:$CP" --listen-peer-urls "http://127.0.0.1:$RP" \
	--initial-cluster "n1=http://127.0.0.1:$RP" --initial-advertise-peer-urls "http://127.0.0.1:$RP" \
	--initial-cluster-token moved
check "cairn serves the data with the alarm" wait_for 30 eval 'c get small >/dev/null 2>&1'
both "the alarm, its member ID the source's" alarm list
both "a put is refused" put small y
both "a get is served" get small -w json
stop_all
check "no cairn process died or tripped a sanitizer" eval \
	'! grep -q "runtime error:\|Sanitizer\|exited with status\|killed by signal" "$T"/cairn.*.log'
stop_etcd
finish
