# Tests: helpers for side-by-side scripts (sourced after etcd_lib.sh and
# after the script defines mask, the sed of what may differ): commands
# whose output is masked, tables redrawn with columns masked
# (ctl_norm.py), etcdctl's panics cut to their first line, protobuf
# output as text.
NORM=$S/tests/integration/ctl_norm.py
# m CMD...: CMD's stdout and stderr masked, its status kept.
m() {
	local rc
	"$@" >"$T/m.out" 2>"$T/m.err"
	rc=$?
	mask <"$T/m.out"
	mask <"$T/m.err" >&2
	return $rc
}
# tab COLS CMD...: a table with columns COLS masked (drawn again).
tab() {
	local cols=$1 rc
	shift
	"$@" >"$T/t.out" 2>"$T/t.err"
	rc=$?
	python3 "$NORM" table $cols <"$T/t.out"
	mask <"$T/t.err" >&2
	return $rc
}
# status CMD...: endpoint status's simple lines with the store's size
# and the Raft term and indexes masked.
status() {
	local rc
	"$@" >"$T/s.out" 2>"$T/s.err"
	rc=$?
	awk -F', ' -v OFS=', ' '{ $4 = "N"; $7 = "N"; $8 = "N"; $9 = "N"; print }' "$T/s.out"
	mask <"$T/s.err" >&2
	return $rc
}
# panicky CMD...: etcdctl 3.4 ends some printers in a nil dereference:
# Go's trace (addresses, goroutines) is left out, its first line kept.
panicky() {
	local rc
	"$@" 2>"$T/p.err"
	rc=$?
	sed '/^\[signal /,$d' "$T/p.err" >&2
	return $rc
}
# pb MSG CMD...: -w protobuf's bytes as protobuf text.
pb() {
	local msg=$1 rc
	shift
	"$@" >"$T/pb.out"
	rc=$?
	protoc --decode="etcdserverpb.$msg" -I "$S/shared/proto" \
		"$S/shared/proto/etcdserverpb/rpc.proto" <"$T/pb.out"
	return $rc
}
