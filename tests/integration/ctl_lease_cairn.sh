#!/bin/bash
# Tests: cairnctl's lease commands (grant, revoke, timetolive, list,
# keep-alive) against cairn print what the real etcdctl prints against the
# real etcd: the commands of lease_etcdctl.sh, stdout, stderr and exit
# status compared.
B=${CAIRN_BUILDDIR:-$(cd "$(dirname "$0")/../.." && pwd)}
SIDE_B_CTL=$B/cairnctl exec bash "$(dirname "$0")/lease_etcdctl.sh"
