/*
 * netd: main. The child skeleton (shared/child.c) reads the
 * configuration, runs netd_ops.prepare, drops privileges, then
 * netd_ops.start and the loop.
 */
#include "netd/netd.h"

int
main(int argc, char **argv)
{
	return child_main(PROC_NETD, &netd_ops, argc, argv);
}
