#!/bin/sh
# Quick start, command 1: installs the build dependencies, builds, and
# starts a one-member cairn with etcd's defaults (client on
# 127.0.0.1:2379, data in ./default.cairn). Ctrl-C stops it.
set -eu
cd "$(dirname "$0")/.."
./scripts/deps.sh build
[ -x configure ] || ./autogen.sh
# Built out of tree, in the same place scripts/test.sh builds its plain variant.
mkdir -p build-plain
[ -f build-plain/Makefile ] || (cd build-plain && ../configure -q)
make -C build-plain -j"$(nproc)" -s
exec ./build-plain/cairn "$@"
