/*
 * All processes: names of the cairn processes.
 */
#include "shared/proc.h"

static const char *const proc_names[PROC_COUNT] = {
	[PROC_SUPERVISOR] = "supervisor",
	[PROC_NETD] = "netd",
	[PROC_RAFTD] = "raftd",
	[PROC_STORED] = "stored",
};

static const char *const proc_exes[PROC_COUNT] = {
	[PROC_NETD] = "cairn-netd",
	[PROC_RAFTD] = "cairn-raftd",
	[PROC_STORED] = "cairn-stored",
};

const char *
proc_name(int p)
{
	return (p >= 0 && p < PROC_COUNT) ? proc_names[p] : 0;
}

const char *
proc_exe(int p)
{
	return (p >= 0 && p < PROC_COUNT) ? proc_exes[p] : 0;
}
