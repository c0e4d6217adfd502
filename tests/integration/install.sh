#!/bin/bash
# Tests: make install honours DESTDIR and puts cairn in bindir and the three
# children in pkglibexecdir; the installed supervisor runs, and without
# its children says where it looked.
. "$(dirname "$0")/lib.sh"

: "${CAIRN_BINDIR:?}" "${CAIRN_PKGLIBEXECDIR:?}"
D=$T/destdir
make -C "$B" -s install DESTDIR="$D" >"$T/install.log" 2>&1
check "make install DESTDIR=... succeeds" [ $? -eq 0 ]
check "cairn installed in bindir" [ -x "$D$CAIRN_BINDIR/cairn" ]
for c in netd raftd stored; do
	check "cairn-$c installed in libexec" [ -x "$D$CAIRN_PKGLIBEXECDIR/cairn-$c" ]
	check "cairn-$c not in bindir" [ ! -e "$D$CAIRN_BINDIR/cairn-$c" ]
done
check "nothing installed outside DESTDIR" eval '[ ! -e "$CAIRN_BINDIR/cairn" ] || [ "$CAIRN_BINDIR/cairn" -ot "$T" ]'
out=$("$D$CAIRN_BINDIR/cairn" --version); status=$?
check "the installed cairn runs" eval '[ $status -eq 0 ] && printf "%s" "$out" | grep -q "^cairn Version"'
# Under DESTDIR the children are not at their final place: a clear error
# naming both places looked at, and nothing written.
cd "$T" || exit 1
out=$("$D$CAIRN_BINDIR/cairn" --listen-client-urls "http://127.0.0.1:$(free_port)" 2>&1); status=$?
check "children not found: exit 1, both places named, nothing written" \
	eval '[ $status -eq 1 ] && printf "%s" "$out" | grep -qF "cannot find cairn-netd next to cairn ($D$CAIRN_BINDIR) or in $CAIRN_PKGLIBEXECDIR" && [ ! -e "$T/default.cairn" ]'
# Copied beside them, it finds them.
cp "$D$CAIRN_BINDIR/cairn" "$D$CAIRN_PKGLIBEXECDIR/"
start_cairn "$D$CAIRN_PKGLIBEXECDIR/cairn" --data-dir "$T/data"
check "cairn finds its children next to itself" wait_for 5 all_heartbeats 1
finish
