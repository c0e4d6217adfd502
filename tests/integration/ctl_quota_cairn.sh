#!/bin/bash
# Tests: cairnctl's alarm list and disarm, endpoint status, compaction and
# defrag around a full quota on cairn, as quota_etcdctl.sh checks them
# with the real etcdctl.
B=${CAIRN_BUILDDIR:-$(cd "$(dirname "$0")/../.." && pwd)}
SIDE_B_CTL=$B/cairnctl exec bash "$(dirname "$0")/quota_etcdctl.sh"
