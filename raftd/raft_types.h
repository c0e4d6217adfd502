/*
 * raftd: the values the Raft core, the WAL and the simulator share:
 * log entries, hard state, snapshot markers and member identity.
 * Thesis = Ongaro, "Consensus: Bridging Theory and Practice" (2014).
 */
#ifndef CAIRN_RAFT_TYPES_H
#define CAIRN_RAFT_TYPES_H

#include <stdbool.h>
#include <stdint.h>

/* The largest entry payload: --max-request-bytes (1.5 MiB by default)
 * plus room for the request's envelope. */
#define RAFT_ENTRY_BYTES_MAX ((2u << 20))
/* Room around a client request in its entry (request id, type): an
 * entry holds at most --max-request-bytes plus this. */
#define RAFT_ENTRY_ENVELOPE_BYTES 4096u

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

/* Voters and learners together; etcd's default cluster sizes are far
 * below this, and every per-member table in the core is this long. */
#define RAFT_MEMBERS_MAX 16

struct raft_member {
	uint64_t id;            /* non-zero */
	bool learner;           /* receives the log, never votes */
};

/* A membership: distinct ids, in no particular order. */
struct raft_conf {
	uint32_t n;
	struct raft_member m[RAFT_MEMBERS_MAX];
};

/* The log up to 'index' is compacted into a snapshot; 'conf' is the
 * membership as of that index. */
struct raft_snapshot_marker {
	uint64_t index;
	uint64_t term;
	struct raft_conf conf;
};

/* A membership change, the payload of a RAFT_ENTRY_CONF entry. Encoded as
 * u8 op, u64 id (little-endian), then the application's context (peer
 * URLs), which raftd does not read. Applied when committed. */
enum raft_conf_op {
	RAFT_CONF_ADD = 1,          /* a voter */
	RAFT_CONF_ADD_LEARNER,
	RAFT_CONF_REMOVE,
	RAFT_CONF_UPDATE,           /* context only (peer URLs) */
	RAFT_CONF_PROMOTE,          /* learner to voter */
};
#define RAFT_CONF_FIXED_BYTES 9

/* Who this log belongs to; written once, when the WAL is created. */
struct raft_identity {
	uint64_t cluster_id;
	uint64_t member_id;
};

#endif
