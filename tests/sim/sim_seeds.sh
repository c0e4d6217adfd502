#!/bin/bash
# Tests: raftsim over many seeds, mixing every fault, with 3, 5 and 7
# members (2,100 seeds in all). A failure prints the seed and its trace;
# rerun it with the command in the report.
. "$(dirname "$0")/../integration/lib.sh"

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
done
finish
