#!/bin/bash
# Tests: cairnctl on two-member etcd clusters prints what the real etcdctl
# prints on their twins: the commands of cluster2_etcdctl.sh compared.
B=${CAIRN_BUILDDIR:-$(cd "$(dirname "$0")/../.." && pwd)}
SIDE_B_CTL=$B/cairnctl SIDE_B_SERVER=etcd exec bash "$(dirname "$0")/cluster2_etcdctl.sh"
