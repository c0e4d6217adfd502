#!/bin/bash
# Tests: a user's simple tokens go when the user is deleted or given a new
# password (etcd's invalidateUser), on every member: side by side with the
# real etcd 3.4, a token taken through the JSON gateway stops working with
# etcd's answer ("etcdserver: invalid auth token") on the member that made
# the change at once, and on another member once it applied it; a new
# token works; another user's token is untouched.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/members_lib.sh"
ETCD_BIN=$(command -v etcd)
if [ -z "$ETCD_BIN" ] || ! command -v etcdctl >/dev/null; then
	not_ok "etcd and etcdctl are installed (scripts/deps.sh test installs them)"
	echo "1..$TAP_N"
	exit 1
fi
ETCD_PID=
trap 'stop_members; [ -z "$ETCD_PID" ] || kill -9 "$ETCD_PID" 2>/dev/null; rm -rf "$T"' EXIT
EP=$(free_port)
"$ETCD_BIN" --data-dir "$T/etcd" --listen-client-urls "http://127.0.0.1:$EP" \
	--advertise-client-urls "http://127.0.0.1:$EP" \
	--listen-peer-urls "http://127.0.0.1:$(free_port)" >"$T/etcd.log" 2>&1 &
ETCD_PID=$!
for n in $NAMES; do start_member "$n"; done
check "3 cairn members elect one leader" pick_leader
up() { etcdctl --endpoints "127.0.0.1:$1" --command-timeout 2s get up >/dev/null 2>&1; }
check "etcd serves" wait_for 20 up "$EP"
A=${CLIENT[a]}
OTHER=${CLIENT[b]}
as_root() { etcdctl --endpoints "127.0.0.1:$1" --user root:pw "${@:2}" >/dev/null 2>&1; }
for p in "$EP" "$A"; do
	etcdctl --endpoints "127.0.0.1:$p" user add root:pw >/dev/null
	etcdctl --endpoints "127.0.0.1:$p" user add alice:pa >/dev/null
	etcdctl --endpoints "127.0.0.1:$p" role add r >/dev/null
	etcdctl --endpoints "127.0.0.1:$p" role grant-permission r read k >/dev/null
	etcdctl --endpoints "127.0.0.1:$p" user grant-role alice r >/dev/null
	etcdctl --endpoints "127.0.0.1:$p" auth enable >/dev/null 2>&1
done
# token PORT USER PASSWORD: Authenticate through the JSON gateway.
token() {
	curl -s -X POST "127.0.0.1:$1/v3/auth/authenticate" -d "{\"name\":\"$2\",\"password\":\"$3\"}" |
		sed -n 's/.*"token":"\([^"]*\)".*/\1/p'
}
# range PORT TOKEN: the answer to a Range of k with it, headers out.
range() {
	curl -s -X POST "127.0.0.1:$1/v3/kv/range" -H "Authorization: $2" -d '{"key":"aw=="}' |
		sed -E 's/"header":\{[^}]*\},?//'
}
refused() { range "$1" "$2" | grep -q '"error":"etcdserver: invalid auth token"'; }
served() { [ "$(range "$1" "$2")" = "{}" ]; }
declare -A TOK
for p in "$EP" "$A" "$OTHER"; do
	TOK[$p]=$(token "$p" alice pa)
	TOK[root$p]=$(token "$p" root pw)
done
check "tokens for alice and root from etcd and two cairn members" \
	eval '[ -n "${TOK[$EP]}" ] && [ -n "${TOK[$A]}" ] && [ -n "${TOK[$OTHER]}" ] && [ -n "${TOK[root$A]}" ]'
check "alice's tokens serve a Range" eval 'served "$EP" "${TOK[$EP]}" && served "$A" "${TOK[$A]}" && served "$OTHER" "${TOK[$OTHER]}"'

# A new password.
for p in "$EP" "$A"; do echo pb | as_root "$p" user passwd alice --interactive=false; done
check "a new password: alice's old token refused by etcd" refused "$EP" "${TOK[$EP]}"
check "... by the cairn member that made the change, at once" refused "$A" "${TOK[$A]}"
check "... with etcd's answer" eval '[ "$(range "$A" "${TOK[$A]}")" = "$(range "$EP" "${TOK[$EP]}")" ]'
check "... by another member once it applied it" wait_for 5 refused "$OTHER" "${TOK[$OTHER]}"
check "root's tokens still serve" eval 'served "$A" "${TOK[root$A]}" && served "$OTHER" "${TOK[root$OTHER]}"'
for p in "$EP" "$A" "$OTHER"; do TOK[$p]=$(token "$p" alice pb); done
check "the new password's tokens serve" \
	eval 'served "$EP" "${TOK[$EP]}" && served "$A" "${TOK[$A]}" && served "$OTHER" "${TOK[$OTHER]}"'

# The user deleted.
for p in "$EP" "$A"; do as_root "$p" user delete alice </dev/null; done
check "alice deleted: her token refused by etcd" refused "$EP" "${TOK[$EP]}"
check "... by the cairn member that deleted her, at once" refused "$A" "${TOK[$A]}"
check "... by another member once it applied it" wait_for 5 refused "$OTHER" "${TOK[$OTHER]}"
check "root's tokens still serve" eval 'served "$A" "${TOK[root$A]}" && served "$OTHER" "${TOK[root$OTHER]}"'
finish_members
