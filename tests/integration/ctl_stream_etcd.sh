#!/bin/bash
# Tests: cairnctl's watch, lock and elect against a real etcd print what the
# real etcdctl prints against its twin (same flags, so the same IDs): the commands of stream_etcdctl.sh, stdout, stderr and exit
# status compared.
B=${CAIRN_BUILDDIR:-$(cd "$(dirname "$0")/../.." && pwd)}
SIDE_B_CTL=$B/cairnctl SIDE_B_SERVER=etcd exec bash "$(dirname "$0")/stream_etcdctl.sh"
