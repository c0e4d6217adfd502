/*
 * Tests: the deterministic Raft simulator (raftsim). N real cores, a
 * simulated network and disk, faults by seeded chance, and Raft's safety
 * invariants checked after every step. Same seed, same run.
 */
#ifndef CAIRN_SIM_H
#define CAIRN_SIM_H

#include <stdbool.h>
#include <stdint.h>

#include "raftd/core.h"
#include "raftd/wal.h"
#include "raftd/wal_fs.h"
#include "tests/lib/sim_fs.h"

/* Small WAL segments, so that runs roll over segments often. */
#define SIM_WAL_SEGMENT_BYTES (16u << 10)
/* Per mille: a crash between a WAL append and its fdatasync. */
#define SIM_CRASH_MID_SYNC_PERMILLE 3

#define SIM_NODES_MAX 7
#define SIM_NET_MAX 8192          /* messages in flight */
#define SIM_TRACE_MAX 48          /* events kept for a failure report */
#define SIM_TRACE_BYTES 160

#define SIM_F_DROP 0x01u
#define SIM_F_DUP 0x02u
#define SIM_F_REORDER 0x04u
#define SIM_F_DELAY 0x08u
#define SIM_F_PARTITION 0x10u
#define SIM_F_CRASH 0x20u
#define SIM_F_RESTART 0x40u       /* clean stop and start: nothing lost */
#define SIM_F_CONFCHANGE 0x80u    /* add and remove voters */
#define SIM_F_LEARNER 0x100u      /* add learners, promote them */
#define SIM_F_TRANSFER 0x200u     /* leadership transfer */
#define SIM_F_SNAPSHOT 0x400u     /* compaction, InstallSnapshot */
#define SIM_F_ALL 0x7ffu

/* Members snapshot every this many applied entries (plus jitter), and
 * keep this many entries behind for followers a little behind. */
#define SIM_SNAPSHOT_EVERY 40
#define SIM_CATCHUP_ENTRIES 8
#define SIM_DISK_SNAPS 4          /* state machine snapshots kept per node */

/* The state machine's state: a hash chained over the applied entries. */
struct sim_state {
	uint64_t index;
	uint64_t chain;
};

struct sim_node {
	uint64_t id;
	bool up;
	unsigned group;           /* partition group; equal groups talk */
	struct rcore core;
	struct sim_fs *fs;        /* the node's disk; survives crashes */
	struct wal_fs wfs;
	struct wal *wal;          /* NULL while down */
	uint64_t commit_persisted; /* hard state commit last made durable */
	uint64_t applied;         /* last index applied since (re)start */
	uint64_t chain;           /* state after 'applied' */
	/* The state machine's durable snapshots (stored's database): the
	 * newest SIM_DISK_SNAPS, by index; a restart loads the WAL's. */
	struct sim_state disk[SIM_DISK_SNAPS];
	uint64_t next_snapshot;   /* applied index of the next compaction */
	uint64_t down_until;      /* step at which a crashed node restarts */
};

struct sim_msg {
	struct rmsg m;            /* entries point into 'ents' (owned), */
	struct raft_entry *ents;
	struct rcore_snapshot snap; /* ... snap to 'snap' */
	uint64_t deliver_at;
};

/* One read index asked of a member. */
struct sim_read {
	uint64_t floor;           /* committed_max when asked */
	bool ok;                  /* answered, and not refused */
};

/* What the cluster as a whole has committed and applied, to check
 * every member against. */
struct sim_slot {
	uint64_t term;            /* term of the entry applied here; 0: none yet */
	uint64_t hash;            /* hash of its data */
	uint64_t commit_term;     /* leader's term when it committed; 0: not yet */
	uint64_t chain;           /* state machine state after applying it */
};

struct sim_history {
	struct sim_slot *slots;   /* by log index */
	uint64_t cap;
	uint64_t *leader_of_term; /* by term: the one leader, or 0 */
	uint64_t terms_cap;
	uint64_t committed_max;   /* highest index any leader committed */
	struct sim_read *reads;   /* by read ctx */
	uint64_t reads_cap;
	uint64_t nreads;
	struct sim_state *snaps;  /* by snapshot ref: the state it holds */
	uint64_t snaps_cap;
	uint64_t nsnaps;
};

/* How often each feature was exercised, summed over seeds: a run that
 * never reached one proves nothing about it. */
struct sim_stats {
	uint64_t compactions;
	uint64_t installs;
	uint64_t conf_changes;      /* proposed and accepted */
	uint64_t transfers;         /* TimeoutNow delivered */
	uint64_t forwarded;         /* proposals delivered from a follower */
	uint64_t reads_ok;
	uint64_t reads_refused;
};

struct sim {
	uint64_t seed;
	struct sim_stats *stats;  /* survives the per-seed reset */
	uint64_t rng;
	unsigned faults;
	unsigned n;
	struct sim_node nodes[SIM_NODES_MAX];
	struct sim_msg net[SIM_NET_MAX];
	unsigned nnet;
	uint64_t now;             /* ticks */
	uint64_t step;
	uint64_t proposals;
	struct sim_history h;
	char trace[SIM_TRACE_MAX][SIM_TRACE_BYTES];
	unsigned ntrace;
	char failure[256];
};

uint64_t sim_rand(struct sim *s);
void sim_tracef(struct sim *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Records a violation; returns -1 for the caller to return. */
int sim_fail(struct sim *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
uint64_t sim_hash(const uint8_t *p, size_t n);
/* The state after applying e to 'chain'. */
uint64_t sim_chain(uint64_t chain, const struct raft_entry *e);

/* invariants.c: each returns 0 or sim_fail(). */
int inv_on_leader(struct sim *s, const struct sim_node *node, uint64_t term);
int inv_on_commit(struct sim *s, const struct sim_node *node, uint64_t from, uint64_t to);
int inv_on_apply(struct sim *s, const struct sim_node *node, const struct raft_entry *e);
/* A snapshot's state, wherever it lands, is the history's at its index. */
int inv_on_state(struct sim *s, const struct sim_node *node, const struct sim_state *st);
/* Read index: ask, then the answer must cover every earlier commit. */
uint64_t inv_read_begin(struct sim *s);
int inv_on_read(struct sim *s, const struct sim_node *node, const struct rcore_read *r);
/* Grows an array of 'size'-byte items (*cap of them) to hold index i. */
void *sim_grow(void *a, size_t size, uint64_t *cap, uint64_t i);
int inv_check_all(struct sim *s);



/* sim_world.c */
int sim_node_persist(struct sim *s, struct sim_node *node, const struct rcore_update *u);
/* Compacts when the node has applied enough since its last snapshot. */
int sim_node_maybe_compact(struct sim *s, struct sim_node *node);
int sim_node_start(struct sim *s, struct sim_node *node);
void sim_node_crash(struct sim *s, struct sim_node *node, bool torn);
void sim_net_send(struct sim *s, const struct rmsg *m);
void sim_net_take(struct sim *s, unsigned i, struct sim_msg *out);
void sim_msg_free(struct sim_msg *m);
struct sim_node *sim_node_by_id(struct sim *s, uint64_t id);
void sim_free_all(struct sim *s);
#endif
