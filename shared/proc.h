/*
 * All processes: the four cairn processes and their names. Used by the IPC
 * route table (who may send what to whom) and in logs.
 */
#ifndef CAIRN_PROC_H
#define CAIRN_PROC_H

enum cairn_proc {
	PROC_SUPERVISOR = 0,
	PROC_NETD,
	PROC_RAFTD,
	PROC_STORED,
	PROC_COUNT,
};

/* Bit masks for route tables. */
#define PROC_BIT(p) (1u << (p))
#define PROC_CHILDREN (PROC_BIT(PROC_NETD) | PROC_BIT(PROC_RAFTD) | PROC_BIT(PROC_STORED))

/* "supervisor", "netd", "raftd", "stored"; NULL when out of range. */
const char *proc_name(int p);
/* The executable of a child: "cairn-netd" ...; NULL for the supervisor. */
const char *proc_exe(int p);

#endif
