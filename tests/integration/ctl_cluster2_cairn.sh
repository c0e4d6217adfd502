#!/bin/bash
# Tests: cairnctl on two-member clusters (a learner joined, promoted in
# each output format; move-leader; endpoint and defrag over --cluster)
# against cairn prints what the real etcdctl prints against the real
# etcd: the commands of cluster2_etcdctl.sh compared.
B=${CAIRN_BUILDDIR:-$(cd "$(dirname "$0")/../.." && pwd)}
SIDE_B_CTL=$B/cairnctl exec bash "$(dirname "$0")/cluster2_etcdctl.sh"
