#!/bin/bash
# Tests: raftsim over many seeds, mixing every fault, with 3, 5 and 7
# members (2,100 seeds in all). A failure prints the seed and its trace;
# rerun it with the command in the report. Each run must also have
# exercised every feature the faults reach (compaction, snapshot install,
# membership changes, transfer, forwarding, reads): zero proves nothing.
. "$(dirname "$0")/../integration/lib.sh"

# True when each counter in raftsim's "exercised:" line is above zero
# (refused reads excepted: a run may well have none).
all_exercised() {
	local line=${1#*exercised: } word
	[ "$line" != "$1" ] || return 1
	for word in compactions "snapshot installs" "conf changes" transfers \
		"forwarded proposals" reads; do
		[[ $line =~ (^|[ ,])([0-9]+)\ $word ]] || return 1
		[ "${BASH_REMATCH[2]}" -gt 0 ] || return 1
	done
}

SEEDS=${CAIRN_SIM_SEEDS:-700}
STEPS=${CAIRN_SIM_STEPS:-2000}
for n in 3 5 7; do
	base=$((n * 100000 + 1))
	out=$("$B/tests/sim/raftsim" --seed $base --seeds "$SEEDS" --nodes $n --steps "$STEPS" --faults all)
	status=$?
	if [ $status -eq 0 ]; then
		ok "raftsim: $SEEDS seeds from $base, $n members, all faults, $STEPS steps"
	else
		not_ok "raftsim: $SEEDS seeds from $base, $n members, all faults, $STEPS steps"
		printf '%s\n' "$out" | grep -v '^raftsim: [0-9]' | head -80 | sed 's/^/# /'
	fi
	exercised=$(printf '%s\n' "$out" | grep '^raftsim: exercised:')
	printf '# %s\n' "$exercised"
	check "raftsim: $n members: every feature exercised" all_exercised "$exercised"
done
finish
