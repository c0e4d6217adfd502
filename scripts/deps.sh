#!/bin/sh
# Installs cairn's Debian 12 packages: "build" for building and running,
# "test" for the whole test suite as well. Uses sudo when not root.
set -eu
BUILD="build-essential autoconf automake libtool pkg-config
libevent-dev libmbedtls-dev libnghttp2-dev nanopb libnanopb-dev
protobuf-compiler python3-protobuf libdb-dev libcunit1-dev libyaml-dev libcrypt-dev
libhttp-parser-dev libjansson-dev"
# The real etcd 3.4 and etcdctl: tests compare cairn with them side by side.
TEST="procps curl etcd-server etcd-client openssl"
# etcd's own e2e suite (tests/compat), built from Debian's etcd source.
TEST="$TEST golang-go golang-etcd-server-dev"
# make bench: h2load drives the gRPC benchmarks; make compare draws its
# chart with gnuplot.
BENCH="nghttp2-client gnuplot-nox"
case "${1:-build}" in
build) PKGS=$BUILD ;;
test) PKGS="$BUILD $TEST" ;;
bench) PKGS="$BUILD $TEST $BENCH" ;;
*) echo "usage: $0 build|test|bench" >&2; exit 1 ;;
esac
SUDO=
[ "$(id -u)" -eq 0 ] || SUDO=sudo
missing=
for p in $PKGS; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q </dev/null
# shellcheck disable=SC2086
$SUDO apt-get install -y -q --no-install-recommends $missing </dev/null
