#!/bin/bash
# Tests: cairnctl's watch against cairn prints what the real etcdctl
# prints against the real etcd: the commands of watch_etcdctl.sh, stdout,
# stderr and exit status compared.
B=${CAIRN_BUILDDIR:-$(cd "$(dirname "$0")/../.." && pwd)}
SIDE_B_CTL=$B/cairnctl exec bash "$(dirname "$0")/watch_etcdctl.sh"
