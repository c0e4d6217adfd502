/*
 * cairn-raftd: the consensus process: Raft and its WAL (to come).
 * For now it runs the shared child skeleton: hello and heartbeats with
 * the other children, restart and rewiring under the supervisor.
 */
#include "shared/child.h"

int
main(int argc, char **argv)
{
	return child_main(PROC_RAFTD, argc, argv);
}
