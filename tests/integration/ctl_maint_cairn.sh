#!/bin/bash
# Tests: cairnctl's maintenance commands (endpoint hashkv, status and
# health, alarm, defrag, snapshot save) and lease commands against cairn
# print what the real etcdctl prints against the real etcd: the commands
# of maint_etcdctl.sh, stdout, stderr and exit status compared.
B=${CAIRN_BUILDDIR:-$(cd "$(dirname "$0")/../.." && pwd)}
SIDE_B_CTL=$B/cairnctl exec bash "$(dirname "$0")/maint_etcdctl.sh"
