#!/bin/sh
# Quick start, command 1: installs the build dependencies, builds, and
# starts a one-member cairn with etcd's defaults (client on
# 127.0.0.1:2379, data in ./default.cairn). Ctrl-C stops it.
set -eu
cd "$(dirname "$0")/.."
./scripts/deps.sh build
[ -x configure ] || ./autogen.sh
[ -f Makefile ] || ./configure
make -j"$(nproc)"
exec ./cairn "$@"
