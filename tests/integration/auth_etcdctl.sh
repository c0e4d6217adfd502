#!/bin/bash
# Tests: etcd's Auth service through the real etcdctl 3.4, against cairn
# and the real etcd 3.4 side by side (tests/integration/etcd_lib.sh):
# users, roles and permissions, enabling auth, authenticating with a
# password (simple tokens), permission checks, a wrong password, a token
# netd does not know, disabling auth.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/etcd_lib.sh"
printf '\x00\x00\x00\x00\x04\x0a\x02/a' >"$T/range_a.bin"

same ctl user add root:rootpw
same ctl user add root:again
same ctl role add r1
same ctl user add alice:apw
same ctl role grant-permission r1 readwrite /a --prefix
same ctl role grant-permission r1 read /r
same ctl user grant-role alice r1
same ctl user grant-role alice nope
same ctl user list
same ctl role list
same ctl role get r1
same ctl user get alice
same ctl user get nobody
same ctl auth enable
same ctl user grant-role root root
same ctl auth enable
same ctl put /a/1 x
same ctl get /a/1
same ctl --user alice:apw put /a/1 x
same ctl --user alice:apw get /a/1
same ctl --user alice:apw put /b x
same ctl --user alice:apw get /r
same ctl --user alice:apw put /r x
same ctl --user alice:bad get /a/1
same ctl --user nobody:x get /a/1
same ctl --user alice:apw user list
same ctl --user root:rootpw user list
same ctl --user root:rootpw role revoke-permission r1 /r
same ctl --user alice:apw get /r
stdin 'newpw\n'
same ctl --user root:rootpw user passwd alice --interactive=false
stdin ''
same ctl --user alice:apw get /a/1
same ctl --user alice:newpw get /a/1
# A token netd never gave out, and a call without any, while auth is on.
same grpc_call /etcdserverpb.KV/Range "$T/range_a.bin" 'token: bogus.1'
same grpc_call /etcdserverpb.KV/Range "$T/range_a.bin"
# Watches need read permission on their range; Hash, HashKV, Defragment
# and Snapshot need the root role.
tctl() { timeout 3 "$CTL_BIN" --endpoints "127.0.0.1:$PORT" "$@"; }
same tctl --user alice:newpw watch /a/1 --rev 1
same tctl --user alice:newpw watch /b --rev 1
same tctl watch /a/1 --rev 1
same ctl --user alice:newpw endpoint hashkv
same ctl --user root:rootpw endpoint hashkv
same ctl --user alice:newpw defrag
same ctl --user root:rootpw defrag
same sorted ctl --user alice:newpw snapshot save "$T/no.db"
same ctl --user root:rootpw user delete alice
same ctl --user root:rootpw auth disable
same ctl get /a/1
same ctl user delete root

finish_side_by_side
