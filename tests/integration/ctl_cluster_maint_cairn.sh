#!/bin/bash
# Tests: cairnctl's member, endpoint, alarm, defrag and move-leader
# commands against cairn print what the real etcdctl prints against the
# real etcd, in every output format and on every error of
# cluster_maint_etcdctl.sh: stdout, stderr and exit status compared.
B=${CAIRN_BUILDDIR:-$(cd "$(dirname "$0")/../.." && pwd)}
SIDE_B_CTL=$B/cairnctl exec bash "$(dirname "$0")/cluster_maint_etcdctl.sh"
