#!/bin/bash
# Tests: cairnctl's auth, user and role commands, and its --user and
# --password, against a real etcd print what the real etcdctl prints
# against its twin (same flags, so the same IDs): the commands of
# auth_etcdctl.sh, stdout, stderr and exit status compared.
B=${CAIRN_BUILDDIR:-$(cd "$(dirname "$0")/../.." && pwd)}
SIDE_B_CTL=$B/cairnctl SIDE_B_SERVER=etcd exec bash "$(dirname "$0")/auth_etcdctl.sh"
