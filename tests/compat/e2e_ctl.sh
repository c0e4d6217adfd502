#!/bin/bash
# Conformance: etcd 3.4's own end-to-end suite with cairnctl as `etcdctl`
# and cairn as `etcd`: every test of e2e-server.txt, and those of
# e2e-ctl-extra.txt (snapshot files read with the CLI, watch -i, lock,
# elect, make-mirror; tests/compat/e2e.sh does the work).
B=${CAIRN_BUILDDIR:-$(cd "$(dirname "$0")/../.." && pwd)}
E2E_ETCDCTL=$B/cairnctl E2E_LISTS="e2e-server.txt e2e-ctl-extra.txt" \
	exec bash "$(dirname "$0")/e2e.sh"
