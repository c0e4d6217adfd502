#!/bin/bash
# Tests: cairnctl's member, endpoint, alarm, defrag and move-leader
# commands against a real etcd print what the real etcdctl prints against
# its twin: the commands of cluster_maint_etcdctl.sh, stdout, stderr and
# exit status compared.
B=${CAIRN_BUILDDIR:-$(cd "$(dirname "$0")/../.." && pwd)}
SIDE_B_CTL=$B/cairnctl SIDE_B_SERVER=etcd exec bash "$(dirname "$0")/cluster_maint_etcdctl.sh"
