#!/bin/bash
# Tests: cairnctl's KV commands (get, put, del, txn, compaction) against
# cairn print what the real etcdctl prints against the real etcd: the
# commands of kv_etcdctl.sh, stdout, stderr and exit status compared.
B=${CAIRN_BUILDDIR:-$(cd "$(dirname "$0")/../.." && pwd)}
SIDE_B_CTL=$B/cairnctl exec bash "$(dirname "$0")/kv_etcdctl.sh"
