/*
 * cairn-stored: the storage process: MVCC on Berkeley DB (to come).
 * For now it runs the shared child skeleton: hello and heartbeats with
 * the other children, restart and rewiring under the supervisor.
 */
#include "shared/child.h"

int
main(int argc, char **argv)
{
	static const struct child_ops ops = {.frame = child_frame_status_only};

	return child_main(PROC_STORED, &ops, argc, argv);
}
