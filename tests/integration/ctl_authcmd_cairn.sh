#!/bin/bash
# Tests: cairnctl's auth, user and role commands against cairn print what
# the real etcdctl prints against the real etcd: every command, flag and
# format of auth_cmds_etcdctl.sh, stdout, stderr and exit status compared.
B=${CAIRN_BUILDDIR:-$(cd "$(dirname "$0")/../.." && pwd)}
SIDE_B_CTL=$B/cairnctl exec bash "$(dirname "$0")/auth_cmds_etcdctl.sh"
