/*
 * raftd: the values the Raft core, the WAL and the simulator share:
 * log entries, hard state, snapshot markers and member identity.
 * Thesis = Ongaro, "Consensus: Bridging Theory and Practice" (2014).
 */
#ifndef CAIRN_RAFT_TYPES_H
#define CAIRN_RAFT_TYPES_H

#include <stdint.h>

/* The largest entry payload: --max-request-bytes (1.5 MiB by default)
 * plus room for the request's envelope. */
#define RAFT_ENTRY_BYTES_MAX ((2u << 20))

enum raft_entry_type {
	RAFT_ENTRY_NORMAL = 1,  /* a client request (opaque to raftd) */
	RAFT_ENTRY_CONF = 2,    /* a membership change */
	RAFT_ENTRY_EMPTY = 3,   /* a new leader's no-op (thesis §6.4) */
};

/* One log entry. 'data' is borrowed by whoever holds the struct unless a
 * function says it takes or copies it. */
struct raft_entry {
	uint64_t term;
	uint64_t index;
	uint8_t type;           /* enum raft_entry_type */
	uint32_t len;
	const uint8_t *data;
};

/* What must be durable before any message that depends on it is sent
 * (thesis figure 3.1, "persistent state on all servers"). */
struct raft_hardstate {
	uint64_t term;
	uint64_t vote;          /* member id voted for in 'term'; 0: none */
	uint64_t commit;
};

/* The log before this point is compacted into a snapshot. */
struct raft_snapshot_marker {
	uint64_t index;
	uint64_t term;
};

/* Who this log belongs to; written once, when the WAL is created. */
struct raft_identity {
	uint64_t cluster_id;
	uint64_t member_id;
};

#endif
