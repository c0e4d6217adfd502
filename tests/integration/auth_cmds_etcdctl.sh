#!/bin/bash
# Tests: every auth, user and role command of etcdctl 3.4 with each of its
# flags and output formats, its usage and argument errors, its password
# prompts and --interactive=false reads, and the global --user and
# --password (the "Password: " prompt, wrong passwords, several
# endpoints, auth off, a token the server dropped mid-command), against
# cairn and the real etcd side by side (tests/integration/etcd_lib.sh).
# With SIDE_B_CTL=cairnctl (ctl_authcmd_cairn.sh, ctl_authcmd_etcd.sh)
# the second side runs cairnctl: the same lines are its goldens.
. "$(dirname "$0")/lib.sh"
# Tokens live 2 s unused, so that one can expire under a running command.
SIDE_FLAGS="${SIDE_FLAGS:-} --auth-token-ttl 2"
. "$(dirname "$0")/etcd_lib.sh"

# protobuf answers are compared as text (as_text): PB names the message.
pb() { PB=$1; shift; same "$@"; PB=; }
# untimed CMD...: CMD with the time stamp of capnslog's lines on stderr
# (pkg/flags' fatal conflict) masked.
untimed() {
	local rc
	"$@" 2>"$T/untimed.err"
	rc=$?
	sed -E 's/^[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9:.]+ /TIME /' "$T/untimed.err" >&2
	return $rc
}
# envctl VAR=VALUE... ARGS...: ctl with ETCDCTL_* variables set.
envctl() {
	local vars=()
	while [[ $1 == *=* ]]; do vars+=("$1"); shift; done
	(export "${vars[@]}"; ctl "$@")
}
# Two endpoints: clientv3 authenticates once for each in turn (each try
# over all of them, logged under that endpoint's name). ctl2: both the
# member's; ctl_dead: a port nobody listens on, then the member;
# ctl_dead_last: the other way round.
DEAD=$(free_port)
ctl_eps() {
	local bin=$CTL_BIN eps=$1
	shift
	[ "$PORT" != "$CP" ] || bin=$SIDE_B_CTL
	"$bin" --endpoints "$eps" --command-timeout 5s "$@"
}
ctl2() { ctl_eps "127.0.0.1:$PORT,127.0.0.1:$PORT" "$@"; }
ctl_dead() { ctl_eps "127.0.0.1:$DEAD,127.0.0.1:$PORT" "$@"; }
ctl_dead_last() { ctl_eps "127.0.0.1:$PORT,127.0.0.1:$DEAD" "$@"; }

# ---- usage: groups, each command's help, unknown subcommands, bad flags.
for c in auth user role; do
	same ctl $c
	same ctl $c --help
	same ctl $c bogus
done
for c in "auth enable" "auth disable" "user add" "user delete" "user get" "user list" \
	"user passwd" "user grant-role" "user revoke-role" "role add" "role delete" "role get" \
	"role list" "role grant-permission" "role revoke-permission"; do
	same ctl $c --help
done
same ctl user add --bogus x
same ctl user get --detail=maybe x
same ctl user add --interactive=maybe x
same ctl user passwd --interactive x y
same ctl role grant-permission --bogus r read k
same ctl role revoke-permission --prefix=2 r k
same ctl user gr

# ---- argument errors (before any connection: as etcdctl, no server asked).
same ctl auth enable x
same ctl auth disable x y
same ctl user add
same ctl user add a b
same ctl user add :pw
same ctl user delete
same ctl user delete a b
same ctl user get
same ctl user get a b --detail
same ctl user list x
same ctl user passwd
same ctl user passwd a b
same ctl user grant-role a
same ctl user grant-role a b c
same ctl user revoke-role a
same ctl role add
same ctl role add a b
same ctl role delete
same ctl role get a b
same ctl role list x
same ctl role grant-permission r read
same ctl role grant-permission r bad k
same ctl role grant-permission r "" k
same ctl role grant-permission r read k --prefix --from-key
same ctl role grant-permission r read "" --prefix --from-key
same ctl role grant-permission r read k e --prefix
same ctl role grant-permission r read k e --from-key
same ctl role revoke-permission r
same ctl role revoke-permission r k --prefix --from-key
same ctl role revoke-permission r "" --prefix --from-key
same ctl role revoke-permission r k e --prefix
same ctl role revoke-permission r k e --from-key
same ctl -w bogus user list
same ctl -w bogus role add x
same ctl user add u0:p --new-user-password=x -w bogus

# ---- users, auth off: each way to give a password, each format.
same ctl user add u1:p1
same ctl user add u1:again
same ctl user add u2:p2 -w json
same ctl user add u3:p3 -w fields
pb AuthUserAddResponse ctl user add u4:p4 -w protobuf
same ctl user add u5:p5 -w table
same ctl user list
same ctl user add "u6:p6:with:colons"
same ctl user add u7 --new-user-password np7
same ctl user add u8:p8 --new-user-password np8
same ctl user add u9 --no-password
same ctl user add u10:p10 --no-password -w json
same ctl user add --no-password
stdin 'pw11\npw11\n'
same ctl user add u11
stdin '  pw 12 \r\n  pw 12\n'
same ctl user add u12
stdin 'a\nb\n'
same ctl user add u13
stdin '\npw\n'
same ctl user add u13
stdin ''
same ctl user add u13
stdin 'pw14'
same ctl user add u14
stdin 'pw15 rest\n'
same ctl user add u15 --interactive=false
stdin '  \tpw16\n'
same ctl user add u16 --interactive=false
stdin '\npw17\n'
same ctl user add u17 --interactive=false
stdin ''
same ctl user add u18 --interactive=false
stdin 'p\xff\xe2\x82x\n'
same ctl user add u19 --interactive=false
stdin ''
same ctl user list -w json
same ctl user list -w fields
pb AuthUserListResponse ctl user list -w protobuf
same ctl user list -w table
same ctl user get u1
same ctl user get u1 -w json
same ctl user get u1 -w fields
pb AuthUserGetResponse ctl user get u1 -w protobuf
same ctl user get u1 -w table
same ctl user get nobody
same ctl user get u1 --detail
same ctl user delete u2
same ctl user delete u3 -w json
same ctl user delete u4 -w fields
pb AuthUserDeleteResponse ctl user delete u5 -w protobuf
same ctl user delete u6:p6:with:colons -w table
same ctl user delete u2
stdin 'np1\nnp1\n'
same ctl user passwd u1
stdin 'x\ny\n'
same ctl user passwd u1
stdin '\n'
same ctl user passwd u1
stdin 'np7 more\n'
same ctl user passwd u7 --interactive=false -w json
stdin ''
same ctl user passwd u8 --interactive=false -w fields
pb AuthUserChangePasswordResponse ctl user passwd u9 --interactive=false -w protobuf
same ctl user passwd u9 --interactive=false -w table
same ctl user passwd nobody --interactive=false

# ---- roles and permissions, auth off: every range form, each format.
same ctl role add r1
same ctl role add r1
same ctl role add r2 -w json
same ctl role add r3 -w fields
pb AuthRoleAddResponse ctl role add r4 -w protobuf
same ctl role add r5 -w table
same ctl role add ""
same ctl role grant-permission r1 read /single
same ctl role grant-permission r1 write /range /rangz
same ctl role grant-permission r1 readwrite /pre --prefix
same ctl role grant-permission r1 READ /from --from-key
same ctl role grant-permission r1 rEaDwRiTe "" --prefix
same ctl role grant-permission r1 write "" --from-key
same ctl role grant-permission r1 read "" ignored-end
same ctl role grant-permission r1 write /x /y extra args
same ctl role grant-permission r1 readwrıte /dotless
same ctl role grant-permission r1 read $'\xff\xff' --prefix
same ctl role grant-permission r2 read /j -w json
same ctl role grant-permission r2 write /f /g -w fields
pb AuthRoleGrantPermissionResponse ctl role grant-permission r2 readwrite /p --prefix -w protobuf
same ctl role grant-permission r2 read /t -w table
same ctl role grant-permission nope read /k
same ctl role get r1
same ctl role get r1 -w json
same ctl role get r1 -w fields
pb AuthRoleGetResponse ctl role get r1 -w protobuf
same ctl role get r1 -w table
same ctl role get r5
same ctl role get r5 -w fields
same ctl role get nope
same ctl role list
same ctl role list -w json
same ctl role list -w fields
pb AuthRoleListResponse ctl role list -w protobuf
same ctl role list -w table
same ctl user grant-role u1 r1
same ctl user grant-role u1 r2 -w json
same ctl user grant-role u1 r3 -w fields
pb AuthUserGrantRoleResponse ctl user grant-role u1 r4 -w protobuf
same ctl user grant-role u1 r5 -w table
same ctl user grant-role u1 r1
same ctl user grant-role u1 nope
same ctl user grant-role nobody r1
same ctl user get u1
same ctl user get u1 --detail
same ctl user get u1 --detail -w json
same ctl user get u1 --detail -w fields
same ctl user get u1 --detail -w table
same ctl user get u9 --detail
same ctl user revoke-role u1 r5
same ctl user revoke-role u1 r4 -w json
same ctl user revoke-role u1 r3 -w fields
pb AuthUserRevokeRoleResponse ctl user revoke-role u1 r2 -w protobuf
same ctl user revoke-role u1 r2 -w table
same ctl user revoke-role u1 nope
same ctl user revoke-role nobody r1
same ctl role revoke-permission r1 /single
same ctl role revoke-permission r1 /range /rangz
same ctl role revoke-permission r1 /pre --prefix
same ctl role revoke-permission r1 /from --from-key
same ctl role revoke-permission r1 "" --prefix
same ctl role revoke-permission r1 /single
same ctl role revoke-permission r1 "" x
same ctl role revoke-permission r2 /j -w json
same ctl role revoke-permission r2 /f /g -w fields
pb AuthRoleRevokePermissionResponse ctl role revoke-permission r2 /p --prefix -w protobuf
same ctl role revoke-permission r2 /t -w table
same ctl role revoke-permission nope /k
same ctl role get r1
same ctl role delete r5
same ctl role delete r4 -w json
same ctl role delete r3 -w fields
pb AuthRoleDeleteResponse ctl role delete r2 -w protobuf
same ctl role delete r1 -w table
same ctl role delete nope
same ctl role list

# ---- --user and --password while auth is off: the token is refused
# ("authentication is not enabled", logged) and calls go without one.
same ctl --user u7:np7 user list
same ctl --user u7 --password np7 role list
stdin 'np7\n'
same ctl --user u7 user list
stdin ''
same ctl --user u7: user list
same ctl --user u7:wrong user list
same ctl2 --user u7:np7 user list
same ctl_dead --user u7:np7 user list

# ---- auth enable: without root, with a root role not granted (etcdctl
# makes the role itself only when none exists), then with one.
same ctl auth enable
same ctl user add root:rootpw
same ctl role add root
same ctl auth enable
same ctl role delete root
same ctl auth enable -w json
same ctl user get root --detail
same ctl auth enable
same ctl --user root:rootpw auth enable -w table

# ---- auth on: passwords, prompts, wrong passwords, several endpoints.
same ctl user list
same ctl --user root:rootpw user list
same ctl --user root:wrong user list
same ctl --user nobody:x user list
same ctl --user root --password rootpw user list
same ctl --user root --password wrong user list
same ctl --user root: user list
same ctl --password rootpw user list
stdin 'rootpw\n'
same ctl --user root user list
stdin ' rootpw \r\n'
same ctl --user root role list
stdin 'wrong\n'
same ctl --user root user list
stdin ''
same ctl --user root user list
same ctl --user root --password "" user list
stdin 'pw20\npw20\nrootpw\n'
same ctl --user root user add u20
stdin 'pw21 x\nrootpw\n'
same ctl --user root user add u21 --interactive=false
stdin 'np21\nnp21\nrootpw\n'
same ctl --user root user passwd u21
stdin ''
same ctl --user u21:np21 get k
same ctl2 --user root:wrong user list
same ctl2 --user root:rootpw user list
same ctl_dead --user root:rootpw user list
same ctl_dead --user root:wrong user list
same ctl_dead_last --user root:rootpw role list
same ctl_dead_last --user root:wrong role list
same envctl ETCDCTL_USER=root:rootpw user list
same envctl ETCDCTL_USER=root:wrong user list
same envctl ETCDCTL_USER=root ETCDCTL_PASSWORD=rootpw role list
same untimed envctl ETCDCTL_PASSWORD=wrong user list --user root:rootpw
same untimed envctl ETCDCTL_USER=nobody:x user list --user root:rootpw
same ctl -w bogus --user root:rootpw user list
stdin 'rootpw\n'
same ctl -w bogus --user root user list
stdin ''
same ctl --user u21:pw21 get k
same ctl --user u21:x get k
same ctl --user u20:pw20 get k

# ---- permission denied: a user with a read-only role.
same ctl --user root:rootpw role add ro
same ctl --user root:rootpw role grant-permission ro read /ro --prefix
same ctl --user root:rootpw user add reader:rpw
same ctl --user root:rootpw user grant-role reader ro
same ctl --user root:rootpw put /ro/k v
same ctl --user reader:rpw get /ro/k
same ctl --user reader:rpw put /ro/k w
same ctl --user reader:rpw user list
same ctl --user reader:rpw user get reader
same ctl --user reader:rpw user get reader --detail
same ctl --user reader:rpw role get ro
same ctl --user reader:rpw role add r9
same ctl --user reader:rpw user add u9x:p
same ctl --user reader:rpw user passwd reader --interactive=false
same ctl --user reader:rpw auth disable
same ctl --user reader:rpw auth enable

# ---- a token that expires while the command runs (--auth-token-ttl 2:
# txn waits 5 s for its input): the call is refused ("invalid auth
# token", logged), clientv3 asks for a new token and tries again. When
# the password changed meanwhile, asking fails: logged, and that error
# ends the command.
late_txn() {
	local newpw=$1 out rc
	(sleep 5; printf '\nget /ro/k\n\n\n') | ctl --user reader:rpw txn &
	out=$!
	if [ -n "$newpw" ]; then
		sleep 1
		printf '%s\n' "$newpw" | ctl --user root:rootpw user passwd reader \
			--interactive=false >/dev/null 2>&1
	fi
	wait "$out"
	rc=$?
	printf 'rpw\n' | ctl --user root:rootpw user passwd reader --interactive=false \
		>/dev/null 2>&1
	return $rc
}
same late_txn ""
same late_txn changed

# ---- auth disable, and what needs auth on.
same ctl auth disable
same ctl --user root:rootpw auth disable -w json
same ctl auth disable
same ctl --user root:rootpw auth disable
same ctl user list

finish_side_by_side
