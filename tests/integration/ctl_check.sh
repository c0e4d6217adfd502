#!/bin/bash
# Tests: cairnctl check perf and check datascale against etcdctl's. Their
# usage and errors (bad --load, bad flags, a prefix that has keys) are
# compared as they are. The runs themselves differ in their numbers and
# in how many times the progress bar is drawn: their output is compared
# with the bar's drawings taken out (each must draw some, in cheggaaa/pb's
# shape) and numbers masked, their exit status as it is. check perf --load
# s runs with each against a cairn of its own, at the same time (with
# --auto-compact and --auto-defrag); check datascale against the real
# etcd and against cairn, one after the other.
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
S=${CAIRN_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}

. "$(dirname "$0")/servers_lib.sh"
RUNS=
trap 'for p in $RUNS; do kill -9 "$p" 2>/dev/null; done; stop_servers; rm -rf "$T"' EXIT

ep() { echo "127.0.0.1:${PORTS[$1]}"; }
serves() { "$CTL" --endpoints "$(ep "$1")" --command-timeout 2s get up >/dev/null 2>&1; }
server cairn cairn_a
server cairn cairn_b
server etcd etcd
for n in cairn_a cairn_b etcd; do check "$n serves" wait_for 20 serves "$n"; done

# both ARGS...: the same stdout, stderr and exit status.
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
A=$(ep cairn_a)
both check
both check --help
both check x
both check perf --help
both check datascale --help
both check perf --load x
both check perf --load xLarge --bogus
both check perf --load
both --endpoints "$A" check datascale --load big
both --endpoints "$A" check perf --load MEDIUM
both --endpoints "$A" -w xml check perf --load x
both --endpoints "$A" -w xml check perf
"$CTL" --endpoints "$A" put /etcdctl-check-perf/k v >/dev/null
"$CTL" --endpoints "$A" put "/my\"prefix/k" v >/dev/null
both --endpoints "$A" check perf
both --endpoints "$A" check perf --prefix /my\"prefix/
both --endpoints "$A" check datascale --prefix /etcdctl-check-perf
both --endpoints "$A" check datascale --prefix /my
"$CTL" --endpoints "$A" del "" --from-key >/dev/null

# The output of a run: split where the bar draws again ("\r") and at
# newlines, each drawing of the bar taken out (the text glued to the last
# one kept), numbers (signed: the memory used may come out below 0) masked; "frames N" at the end says how
# many drawings there were (at least 'min'), "bad frames" any that do
# not have pb's shape.
shape() {
	python3 -c '
import re, sys
data = open(sys.argv[1], encoding="utf-8", errors="replace").read()
frame = re.compile(r" \d+ / \d+ (B[om ]*! )? *\d+\.\d\d%( \d[\dmhd.]*s)? *")
lines, frames = [], 0
for tok in re.split(r"[\r\n]", data):
    m = frame.match(tok)
    if m:
        frames += 1
        tok = tok[m.end():]
    elif tok.lstrip().startswith(("0 /", "1 /")):
        lines.append("bad frame: " + tok)
    if tok:
        lines.append(re.sub(r"-?\d+(\.\d+)?", "N", tok))
for l in lines:
    print(l)
print("frames", "enough" if frames >= int(sys.argv[2]) else frames)
' "$1" "$2"
}
# run_bg NAME CLIENT ARGS...: in the background, its exit status kept.
run_bg() {
	local name=$1
	shift
	("$@" >"$T/$name.out" 2>"$T/$name.err" </dev/null; echo "exit $?" >"$T/$name.status") &
	RUNS="$RUNS $!"
}
# same_shape NAME MIN: etcdctl's run e.NAME and cairnctl's c.NAME.
same_shape() {
	local name=$1 min=$2
	{ shape "$T/e.$name.out" "$min"; cat "$T/e.$name.status"; } >"$T/e.$name.n"
	{ shape "$T/c.$name.out" "$min"; cat "$T/c.$name.status"; } >"$T/c.$name.n"
	sed -E 's/[0-9]+(\.[0-9]+)?/N/g' "$T/e.$name.err" >"$T/e.$name.err.n"
	sed -E 's/[0-9]+(\.[0-9]+)?/N/g' "$T/c.$name.err" >"$T/c.$name.err.n"
	if cmp -s "$T/e.$name.n" "$T/c.$name.n" && cmp -s "$T/e.$name.err.n" "$T/c.$name.err.n"; then
		ok "$name: the same output (numbers masked, bar drawings out) and status as etcdctl"
	else
		not_ok "$name: the same output (numbers masked, bar drawings out) and status as etcdctl"
		diff "$T/e.$name.n" "$T/c.$name.n" | sed 's/^/# out: /'
		diff "$T/e.$name.err.n" "$T/c.$name.err.n" | sed 's/^/# err: /'
	fi
	diag "etcdctl: $(shape "$T/e.$name.out" 0 | tr '\n' '|')"
}

# datascale: against etcd (PASS, compacted and defragmented), then against
# cairn (its process_resident_memory_bytes is the member's, as etcd's).
E=$(ep etcd)
for who in e c; do
	client=$CTL
	[ "$who" = e ] || client=$CTLX
	run_bg "$who.scale" "$client" --endpoints "$E" check datascale --auto-compact --auto-defrag
	wait $RUNS
	RUNS=
	run_bg "$who.scale_cairn" "$client" --endpoints "$A" check datascale
	wait $RUNS
	RUNS=
done
same_shape scale 3
same_shape scale_cairn 3
check "datascale against etcd passes" grep -q '^exit 0' "$T/c.scale.status"
check "datascale against cairn passes, with etcdctl and with cairnctl" \
	eval 'grep -q "^exit 0" "$T/e.scale_cairn.status" && grep -q "^exit 0" "$T/c.scale_cairn.status"'
check "the keys are gone" test -z "$("$CTL" --endpoints "$E" get /etcdctl-check --prefix --keys-only)"

# perf, the two at once, each against its cairn.
run_bg e.perf "$CTL" --endpoints "$(ep cairn_a)" check perf --load s --auto-compact --auto-defrag
run_bg c.perf "$CTLX" --endpoints "$(ep cairn_b)" check perf --load s --auto-compact --auto-defrag
wait $RUNS
RUNS=
same_shape perf 50
check "check perf passes against cairn" grep -q '^exit 0' "$T/c.perf.status"
check "the keys are gone" \
	test -z "$("$CTL" --endpoints "$(ep cairn_b)" get /etcdctl-check-perf/ --prefix --keys-only)"
for n in cairn_a cairn_b; do
	check "$n: no cairn process died or tripped a sanitizer" \
		eval '! grep -q "runtime error:\|Sanitizer\|exited with status\|killed by signal" "$T/$n.log"'
done
stop_servers
finish
