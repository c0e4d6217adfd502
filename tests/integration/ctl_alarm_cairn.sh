#!/bin/bash
# Tests: cairnctl's alarm list and disarm and endpoint status around the
# NOSPACE alarm against cairn print what the real etcdctl prints against
# the real etcd: the commands of alarm_etcdctl.sh, stdout, stderr and
# exit status compared.
B=${CAIRN_BUILDDIR:-$(cd "$(dirname "$0")/../.." && pwd)}
SIDE_B_CTL=$B/cairnctl exec bash "$(dirname "$0")/alarm_etcdctl.sh"
