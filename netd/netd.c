/*
 * cairn-netd: the network process: every socket, TLS, HTTP/2 and gRPC (to come).
 * For now it runs the shared child skeleton: hello and heartbeats with
 * the other children, restart and rewiring under the supervisor.
 */
#include "shared/child.h"

int
main(int argc, char **argv)
{
	static const struct child_ops ops = {.frame = child_frame_status_only};

	return child_main(PROC_NETD, &ops, argc, argv);
}
