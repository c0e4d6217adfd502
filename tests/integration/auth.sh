#!/bin/bash
# Tests: the auth store in the real cairn-stored (relay_netd stands in
# for netd and sends requests as a user, as netd will after checking the
# user's token). Users, roles and permissions are set up through Raft;
# once auth is enabled, each request is checked at apply: a user gets
# what its roles allow and etcd's errors for the rest, a request at an
# older auth revision is refused, and a lease that expires is still
# revoked (the leader proposes the revoke as root) with its keys deleted.
. "$(dirname "$0")/lib.sh"
STORED_BIN=$B/cairn-stored
NAMES=m1
. "$(dirname "$0")/cluster_lib.sh"
code_is() { grep -q "^result $2 $3$" "$R/$1.out" 2>/dev/null; }
as() { printf 'header { username: "%s" auth_revision: %s } %s' "$1" "$2" "$3"; }

start_member m1
check "a lone member leads" wait_for 10 one_leader
# Auth revision: 1 for a new store, then one more per change below.
request m1 'auth_user_add { name: "root" hashedPassword: "$2b$04$x" }'       # 2
request m1 'auth_user_grant_role { user: "root" role: "root" }'             # 3
request m1 'auth_role_add { name: "r" }'                                     # 4
request m1 'auth_role_grant_permission { name: "r" perm { permType: READWRITE key: "a/" range_end: "a0" } }' # 5
request m1 'auth_user_add { name: "u" hashedPassword: "$2b$04$y" }'          # 6
request m1 'auth_user_grant_role { user: "u" role: "r" }'                   # 7
request m1 'auth_enable { }'                                                  # 7
check "users, roles and a permission are set up, auth enabled" wait_for 10 result_ok m1 "$SEQ"
check "netd hears that auth is on, at auth revision 7" \
	wait_for 5 grep -q "auth 1 auth-rev 7$" "$R/m1.store"
fast_put m1 k v
check "a request without a user: \"user name is empty\"" \
	wait_for 10 code_is m1 "$SEQ" CAIRN_EUSEREMPTY
request m1 "$(as u 7 'put { key: "a/1" value: "v" }')"
check "u may write under its prefix" wait_for 10 result_ok m1 "$SEQ"
request m1 "$(as u 7 'put { key: "b" value: "v" }')"
check "and nowhere else: \"permission denied\"" wait_for 10 code_is m1 "$SEQ" CAIRN_EPERMDENIED
request m1 "$(as u 6 'put { key: "a/2" value: "v" }')"
check "a token of an older auth revision is refused" \
	wait_for 10 code_is m1 "$SEQ" CAIRN_EAUTHOLDREV
get m1 "$(as u 7 'range { key: "a/" range_end: "a0" }')"
check "a read u may make is served" wait_for 10 result_ok m1 "$SEQ"
get m1 "$(as u 7 'range { key: "a" range_end: "b" }')"
check "a wider one is refused" wait_for 10 code_is m1 "$SEQ" CAIRN_EPERMDENIED
request m1 "$(as u 7 'auth_user_list { }')"
check "u is no admin" wait_for 10 code_is m1 "$SEQ" CAIRN_EPERMDENIED
request m1 "$(as root 7 'auth_user_list { }')"
check "root is" wait_for 10 result_ok m1 "$SEQ"
check "and gets etcd's answer" eval \
	'[ "$(decode m1 $SEQ AuthUserListResponse | grep -c "^users: ")" -eq 2 ]'
# A lease that expires while auth is enabled: revoked as root.
request m1 "$(as root 7 'lease_grant { TTL: 1 ID: 5 }')"
wait_for 10 result_ok m1 "$SEQ"
request m1 "$(as root 7 'put { key: "lk" value: "v" lease: 5 }')"
check "a key is put with a lease of 1 s" wait_for 10 result_ok m1 "$SEQ"
watch m1 lk "" 0 "" u 7; w=$SEQ
check "a watcher u may not read is refused, as etcd refuses it" wait_for 10 grep -q "^watch $w refused rpc error: code = PermissionDenied desc = etcdserver: permission denied$" "$R/m1.out"
watch m1 lk "" 0 "" root 7; w=$SEQ
check "when the lease expires its key is deleted" \
	wait_for 15 grep -q "^event $w DELETE lk " "$R/m1.out"
# The state outlasts a restart of stored.
kill -9 "$(member_child m1 stored)"
check "stored restarts" wait_for 15 eval '[ "$(grep -c "\"msg\":\"opened the store\"" "$T/m1.log")" -ge 2 ]'
request m1 "$(as u 7 'put { key: "c" value: "v" }')"
check "after a restart the checks hold" wait_for 15 code_is m1 "$SEQ" CAIRN_EPERMDENIED
check "no process crashed or tripped a sanitizer" no_crashes
stop_members
finish
