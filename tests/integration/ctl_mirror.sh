#!/bin/bash
# Tests: cairnctl make-mirror does what the real etcdctl's does. Two
# mirrors of the same source run side by side, etcdctl's into one fresh
# cairn and cairnctl's into another: from the real etcd (the whole key
# space: more keys than one Range page, binary keys, empty values; then
# puts, overwrites, deletes, a delete of a range and transactions while
# they run) and from cairn (--prefix alone, with --dest-prefix and with
# --no-dest-prefix). The two destinations must hold the same keys, values
# and versions (at the same revisions where one mirror wrote alone), the
# source's keys and values; both print the same count at 30 s, nothing
# on stderr, and die the same way on SIGTERM. Usage errors and the flag
# conflict are compared as they are.
. "$(dirname "$0")/lib.sh"
export ETCDCTL_API=3
ETCD_BIN=$(command -v etcd)
CTL=$(command -v etcdctl)
if [ -z "$ETCD_BIN" ] || [ -z "$CTL" ]; then
	not_ok "etcd and etcdctl are installed (scripts/deps.sh test installs them)"
	finish
	exit 1
fi
CTLX=$B/cairnctl

. "$(dirname "$0")/servers_lib.sh"
MIRRORS=
stop_mirrors() { for p in $MIRRORS; do kill -9 "$p" 2>/dev/null; wait "$p" 2>/dev/null; done; MIRRORS=; }
trap 'stop_mirrors; stop_servers; rm -rf "$T"' EXIT

# at NAME ARGS...: the real etcdctl against server NAME.
at() { local n=$1; shift; "$CTL" --endpoints "127.0.0.1:${PORTS[$n]}" "$@"; }
serves() { at "$1" --command-timeout 2s get up >/dev/null 2>&1; }

server etcd src_etcd
server cairn src_cairn
for n in e1 c1 e2 c2; do server cairn "dst_$n"; done
for n in src_etcd src_cairn dst_e1 dst_c1 dst_e2 dst_c2; do
	check "$n serves" wait_for 20 serves "$n"
done

# both ARGS...: etcdctl and cairnctl (same arguments) give the same
# stdout, stderr and exit status, ports masked.
N=0
both() {
	N=$((N + 1))
	"$CTL" "$@" >"$T/e.$N.out" 2>"$T/e.$N.err" </dev/null
	echo "exit $?" >>"$T/e.$N.out"
	"$CTLX" "$@" >"$T/c.$N.out" 2>"$T/c.$N.err" </dev/null
	echo "exit $?" >>"$T/c.$N.out"
	if cmp -s "$T/e.$N.out" "$T/c.$N.out" && cmp -s "$T/e.$N.err" "$T/c.$N.err"; then
		ok "$* (as etcdctl)"
	else
		not_ok "$* (as etcdctl)"
		diff "$T/e.$N.out" "$T/c.$N.out" | sed 's/^/# out: /'
		diff "$T/e.$N.err" "$T/c.$N.err" | sed 's/^/# err: /'
	fi
}
SRC=127.0.0.1:${PORTS[src_etcd]}
both make-mirror --help
both --endpoints "$SRC" make-mirror
both --endpoints "$SRC" make-mirror a b
both --endpoints "$SRC" make-mirror --bogus "$SRC"
both --endpoints "$SRC" make-mirror --dest-insecure-transport=maybe "$SRC"
both --endpoints "$SRC" make-mirror --dest-prefix x --no-dest-prefix "$SRC"
both --endpoints "$SRC" make-mirror --prefix p --dest-prefix x --no-dest-prefix=true "$SRC"
both --endpoints "$SRC" -w xml make-mirror --dest-prefix x --no-dest-prefix "$SRC"

# The base: 1200 keys in batches (more than a Range page of 1000), a
# binary key, an empty value, the prefixes of the cairn source.
for b in 0 1 2 3 4 5 6 7 8 9; do
	for i in $(seq 1 120); do printf 'put k%02d%03d v%d\n' "$b" "$i" "$i"; done |
		(echo; cat; echo; echo) | at src_etcd txn >/dev/null
done
at src_etcd put "$(printf 'bin\xff\x01')" "$(printf 'val\xfe')" >/dev/null
at src_etcd put empty "" >/dev/null
at src_etcd put over before >/dev/null
for k in p/a p/b q/old r/a r/b n/zz1 n/zz2 other; do at src_cairn put "$k" "v-$k" >/dev/null; done

# mirror OUT CLIENT SRC DST ARGS...: CLIENT's make-mirror from server SRC
# to server DST, in the background, its output in $T/OUT.
mirror() {
	local out=$1 client=$2 src=$3 dst=$4
	shift 4
	"$client" --endpoints "127.0.0.1:${PORTS[$src]}" make-mirror "$@" \
		"127.0.0.1:${PORTS[$dst]}" >"$T/$out.out" 2>"$T/$out.err" </dev/null &
	MIRRORS="$MIRRORS $!"
	eval "PID_$out=$!"
}
T0=$(date +%s)
mirror me "$CTL" src_etcd dst_e1
mirror mc "$CTLX" src_etcd dst_c1
mirror pe "$CTL" src_cairn dst_e2 --prefix p/ --dest-prefix q/
mirror pc "$CTLX" src_cairn dst_c2 --prefix p/ --dest-prefix q/
mirror re "$CTL" src_cairn dst_e2 --prefix r/
mirror rc "$CTLX" src_cairn dst_c2 --prefix r/
mirror ne "$CTL" src_cairn dst_e2 --prefix n/ --no-dest-prefix
mirror nc "$CTLX" src_cairn dst_c2 --prefix n/ --no-dest-prefix
count() { at "$1" get "" --prefix --limit 1 -w json | sed -E 's/.*"count":([0-9]+).*/\1/; s/^\{.*/0/'; }
copied() { [ "$(count "$1")" = "$2" ]; }
check "etcdctl copied the base (1203 keys)" wait_for 20 copied dst_e1 1203
check "cairnctl copied the base (1203 keys)" wait_for 20 copied dst_c1 1203
check "both copied the prefixes (6 keys each)" wait_for 20 eval 'copied dst_e2 6 && copied dst_c2 6'

# The changes, while they run: one revision each, but the delete of a
# range and the transactions, several keys at one revision.
at src_etcd put new1 n1 >/dev/null
at src_etcd put over after >/dev/null
at src_etcd put new2 "" >/dev/null
at src_etcd del k00001 >/dev/null
at src_etcd del k01 --prefix >/dev/null
printf '\nput t1 a\nput t2 b\ndel k02001\n\n\n' | at src_etcd txn >/dev/null
printf '\nput new1 again\n\n\n' | at src_etcd txn >/dev/null
at src_etcd put "$(printf 'bin\xff\x01')" "" >/dev/null
L=$(at src_etcd lease grant 100 | awk '{print $2}')
at src_etcd put leased x --lease="$L" >/dev/null
at src_etcd put noise y >/dev/null
at src_etcd del noise >/dev/null
at src_cairn put p/a changed >/dev/null
at src_cairn put p/c new >/dev/null
at src_cairn del p/b >/dev/null
at src_cairn put q/x not-mirrored >/dev/null
at src_cairn put r/c rc >/dev/null
at src_cairn del r --prefix >/dev/null
printf '\nput n/zz3 three\nput n/zz1 one\ndel n/zz2\n\n\n' | at src_cairn txn >/dev/null
at src_cairn put n/zz4 "" >/dev/null

# Keys and values, as the simple format prints them.
kvs() { at "$1" get "$2" ${3:+"$3"} --prefix; }
same_kvs() { cmp -s <(kvs "$1" "") <(kvs "$2" ""); }
check "etcdctl's copy holds the source's keys and values" wait_for 20 same_kvs src_etcd dst_e1
check "cairnctl's copy holds the source's keys and values" wait_for 20 same_kvs src_etcd dst_c1
# What the cairn source's mirrors should have made of its prefixes.
expect() {
	printf 'q/a\nchanged\nq/c\nnew\n'
	printf 'zz1\none\nzz3\nthree\nzz4\n\n'
}
got() { { kvs "$1" q/; kvs "$1" zz; kvs "$1" r/; } }
holds() { cmp -s <(expect) <(got "$1"); }
check "etcdctl's prefix mirrors hold what they should" wait_for 20 holds dst_e2
check "cairnctl's prefix mirrors hold what they should" wait_for 20 holds dst_c2
if ! holds dst_c2; then diff <(expect) <(got dst_c2) | sed 's/^/# /'; fi

# The same keys, values, versions and revisions: each destination had
# one mirror alone (the cluster and member IDs differ).
js() { at "$1" get "" --prefix -w json | sed -E 's/"cluster_id":[0-9]+,"member_id":[0-9]+,//'; }
check "the two copies of the etcd source are equal, revisions too" \
	cmp -s <(js dst_e1) <(js dst_c1)
if ! cmp -s <(js dst_e1) <(js dst_c1); then
	diff <(js dst_e1 | tr '{' '\n') <(js dst_c1 | tr '{' '\n') | head -20 | sed 's/^/# /'
fi
# Three mirrors wrote to each of the other two: revisions interleave.
jsv() {
	at "$1" get "$2" --prefix -w json | sed -E 's/"header":\{[^}]*\},?//;
		s/"(create|mod)_revision":[0-9]+,//g'
}
for p in q/ zz r/; do
	check "the copies of the prefix mirrors are equal under $p, versions too" \
		cmp -s <(jsv dst_e2 "$p") <(jsv dst_c2 "$p")
	cmp -s <(jsv dst_e2 "$p") <(jsv dst_c2 "$p") ||
		diff <(jsv dst_e2 "$p") <(jsv dst_c2 "$p") | sed 's/^/# /'
done

# At 30 s each prints its count; then SIGTERM ends it as Go's default
# handler does.
left=$((T0 + 33 - $(date +%s)))
[ "$left" -le 0 ] || sleep "$left"
for m in me mc pe pc re rc ne nc; do
	eval "p=\$PID_$m"
	kill -TERM "$p"
	wait "$p"
	echo "exit $?" >>"$T/$m.out"
done
MIRRORS=
for m in m p r n; do
	if cmp -s "$T/${m}e.out" "$T/${m}c.out" && cmp -s "$T/${m}e.err" "$T/${m}c.err"; then
		ok "mirror $m: the same count at 30 s, stderr and end (as etcdctl)"
	else
		not_ok "mirror $m: the same count at 30 s, stderr and end (as etcdctl)"
		diff "$T/${m}e.out" "$T/${m}c.out" | sed 's/^/# out: /'
		diff "$T/${m}e.err" "$T/${m}c.err" | sed 's/^/# err: /'
	fi
done
# 1203 keys, then 132 events (120 of them the delete of k01*).
check "etcdctl's count is the keys synced (1203 + 132 events)" \
	test "$(head -n 1 "$T/me.out")" = 1335 || diag "etcdctl printed $(head -n 1 "$T/me.out")"
for n in dst_e1 dst_c1 dst_e2 dst_c2 src_cairn; do
	check "$n: no cairn process died or tripped a sanitizer" \
		eval '! grep -q "runtime error:\|Sanitizer\|exited with status\|killed by signal" "$T/$n.log"'
done
stop_servers
finish
