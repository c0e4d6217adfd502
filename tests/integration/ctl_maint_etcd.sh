#!/bin/bash
# Tests: cairnctl's maintenance and lease commands against a real etcd
# print what the real etcdctl prints against its twin: the commands of
# maint_etcdctl.sh (its checks of cairn's store and processes left out),
# stdout, stderr and exit status compared.
B=${CAIRN_BUILDDIR:-$(cd "$(dirname "$0")/../.." && pwd)}
SIDE_B_CTL=$B/cairnctl SIDE_B_SERVER=etcd exec bash "$(dirname "$0")/maint_etcdctl.sh"
