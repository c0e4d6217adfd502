#!/bin/bash
# Tests: cairnctl's alarm list and disarm and endpoint status around the
# NOSPACE alarm against a real etcd print what the real etcdctl prints
# against its twin: the commands of alarm_etcdctl.sh compared.
B=${CAIRN_BUILDDIR:-$(cd "$(dirname "$0")/../.." && pwd)}
SIDE_B_CTL=$B/cairnctl SIDE_B_SERVER=etcd exec bash "$(dirname "$0")/alarm_etcdctl.sh"
