#!/bin/bash
# Tests: hostile HTTP/2 clients against netd (raw frames from
# tests/integration/h2_hostile.py): a bad preface, a frame over the size
# netd allows, HPACK that cannot decode, a flood of streams, rapid reset
# (HEADERS then RST_STREAM, 20,000 times), a PING flood that never reads,
# a gRPC length prefix beyond the data. Each gets a connection error, a
# refused stream or grpc-go's answer; netd keeps running (the same
# process), keeps serving other clients, and its memory stays bounded.
. "$(dirname "$0")/lib.sh"
S=${CAIRN_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}
export ETCDCTL_API=3

# Under ASan, freed memory is held in a quarantine (256 MB by default),
# which would hide netd's own bound: keep it small here.
export ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}quarantine_size_mb=4
start_cairn "$B/cairn" --data-dir "$T/data"
PORT=${CLIENT_URL##*:}
ctl() { timeout 20 etcdctl --endpoints "127.0.0.1:$PORT" --command-timeout 5s "$@"; }
up() { ctl put k v >/dev/null 2>&1; }
check "cairn serves" wait_for 20 up
NETD=$(child_pid netd)
rss() { awk '$1 == "VmRSS:" {print $2}' "/proc/$NETD/status"; }
before=$(rss)
h2() { python3 "$S/tests/integration/h2_hostile.py" "$PORT" "$1"; }
check "a bad connection preface: closed" h2 preface
check "a DATA frame of 70,000 bytes (over 16,384): a connection error" h2 frame_size
check "HPACK that cannot decode: GOAWAY COMPRESSION_ERROR" h2 hpack
check "3,000 streams opened at once: those over the bound refused" h2 flood
check "rapid reset (20,000 HEADERS + RST_STREAM): netd survives" h2 rapid_reset
check "a PING flood from a client that never reads: netd survives" h2 ping_flood
check "a gRPC length prefix beyond the data: grpc-go's trailers" h2 truncated_prefix
check "an :authority that is a URL (grpc-go's, for an endpoint given so): served" h2 url_authority
check "a field value with a line feed: RST_STREAM PROTOCOL_ERROR, as Go's" h2 bad_value
check "a field name in upper case: RST_STREAM PROTOCOL_ERROR" h2 upper_name
head -c 1000000 /dev/zero | tr '\0' x | ctl put big >/dev/null
check "200 reads of a 1 MB value by a client that never reads: netd goes on" h2 never_reads
check "netd is the same process after all of them" eval '[ "$(child_pid netd)" = "$NETD" ]'
check "and serves other clients" eval '[ "$(ctl get k --print-value-only)" = v ]'
after=$(rss)
diag "netd resident memory: $before KiB before, $after KiB after"
check "netd's resident memory grew by less than 64 MiB" eval '[ $((after - before)) -lt 65536 ]'
check "no cairn process died or tripped a sanitizer" \
	eval '! grep -q "runtime error:\|Sanitizer\|exited with status\|killed by signal" "$LOG"'
finish
