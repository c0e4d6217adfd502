#!/bin/sh
# make fuzz: builds each fuzz target with clang's libFuzzer, ASan and
# UBSan, and runs it for FUZZ_SECONDS (default 60) from its kept inputs;
# prints the executions reached. A crash input is left in
# tests/fuzz/corpus/TARGET/ (libFuzzer's crash-* file, moved there) to be
# kept as a regression test. Run from the build directory.
set -eu
S=${1:?source dir}
B=${2:?build dir}
SECONDS_EACH=${FUZZ_SECONDS:-60}
CC=${FUZZ_CC:-clang}
FLAGS="-g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined -D_GNU_SOURCE -DPACKAGE_VERSION=\"fuzz\" -DCAIRN_ETCD_API_VERSION=\"3.4\" -I$S -I$B -I/usr/include/nanopb"
LIBS="-lprotobuf-nanopb -levent_core -ljansson"
SHARED="$S/shared/err.c $S/shared/log.c $S/shared/xmalloc.c $S/shared/pbwire.c $S/shared/proc.c"
PROTO=$(ls "$B"/shared/proto/*.pb.c "$B"/shared/proto/*/*.pb.c)
mkdir -p "$B/tests/fuzz/out"
build() {
	name=$1; shift
	$CC $FLAGS -o "$B/tests/fuzz/out/fuzz_$name" "$S/tests/fuzz/fuzz_$name.c" "$@" $SHARED $PROTO $LIBS
}
build req_decode "$S/shared/req_decode.c"
build ipc_payload "$S/shared/ipc_route.c"
build pbwire
build gw_json "$S/netd/gw_json_in.c" "$S/netd/gw_json_out.c" "$S/shared/pbschema.c" \
	"$B/netd/gw_schema.c"
build peer_frame "$S/netd/peer_frame.c"
build bbolt "$S/ctl/bbolt.c"
# h2: the whole of netd but its main, and every shared module it uses.
NETD=$(ls "$S"/netd/*.c | grep -v '/netd_main\.c$')
ALL_SHARED=$(ls "$S"/shared/*.c | grep -v '/pbschema_gen\.c$')
(SHARED= LIBS="$LIBS -lnghttp2 -lhttp_parser -lmbedtls -lmbedx509 -lmbedcrypto -lcrypt"
	build h2 $NETD $ALL_SHARED "$B/netd/gw_schema.c")
for t in req_decode ipc_payload pbwire gw_json peer_frame h2 bbolt; do
	work="$B/tests/fuzz/out/corpus_$t"
	mkdir -p "$work"
	cd "$B/tests/fuzz/out"
	if ! "./fuzz_$t" -max_total_time="$SECONDS_EACH" -print_final_stats=1 "$work" \
		"$S/tests/fuzz/corpus/$t" >"log_$t" 2>&1; then
		for c in crash-* leak-* timeout-*; do
			[ -f "$c" ] && mv "$c" "$S/tests/fuzz/corpus/$t/" && echo "$t: kept $c"
		done
		echo "$t: FAILED (see $B/tests/fuzz/out/log_$t)"
		exit 1
	fi
	echo "$t: $(sed -n 's/^stat::number_of_executed_units: *//p' "log_$t") executions in ${SECONDS_EACH} s, no crash"
done
