#!/bin/bash
# Tests: cairnctl's auth, user and role commands, and its --user and
# --password, against cairn print what the real etcdctl prints against
# the real etcd: the commands of auth_etcdctl.sh, stdout, stderr and exit
# status compared.
B=${CAIRN_BUILDDIR:-$(cd "$(dirname "$0")/../.." && pwd)}
SIDE_B_CTL=$B/cairnctl exec bash "$(dirname "$0")/auth_etcdctl.sh"
