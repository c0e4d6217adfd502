#!/bin/bash
# Tests: snapshot_install.sh's InstallSnapshot checks with the members
# speaking TLS to each other (client certificates required), so that the
# snapshot's parts go through TLS's filter and its write watermarks.
SNAP_TLS=1
. "$(dirname "$0")/snapshot_install.sh"
