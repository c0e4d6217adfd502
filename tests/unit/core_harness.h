/*
 * Tests: a harness that drives several Raft cores message by message, in
 * one thread: a queue of deep-copied messages, delivery filtered by
 * member and type, and a record of what each member's updates carried.
 * Shared by test_core.c and test_core_scenarios.c.
 */
#ifndef CAIRN_TESTS_CORE_HARNESS_H
#define CAIRN_TESTS_CORE_HARNESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "raftd/core.h"

#define HARNESS_MEMBERS_MAX 7     /* member ids 1..7 */
#define QUEUE_MAX 8192            /* messages in flight */
#define SEEN_REFUSED_MAX 16
#define SEEN_READS_MAX 64         /* read states recorded per member */
#define SEEN_APPLIED_MAX 4096     /* indexes whose applied term is recorded */

#define ALL_TYPES ((1u << (RMSG_TYPE_LAST + 1)) - 1)
#define VOTES (1u << RMSG_VOTE | 1u << RMSG_VOTE_RESP | 1u << RMSG_PREVOTE | 1u << RMSG_PREVOTE_RESP)
#define M(id) (1u << (id))        /* a group: one bit per member id */
#define T(type) (1u << (type))    /* a set of message types */

/* One queued message; its entries and snapshot are the queue's copies. */
struct queued {
	struct rmsg m;
	struct raft_entry *ents;
	struct rcore_snapshot *snap;
};

/* What flush() saw in one member's updates. */
struct member_seen {
	uint64_t applied;                /* last index applied or installed */
	uint64_t applied_term[SEEN_APPLIED_MAX]; /* 0: not applied one by one */
	struct rcore_read reads[SEEN_READS_MAX];
	size_t nreads;
	int refused[SEEN_REFUSED_MAX];   /* codes of the leader's refusals */
	size_t nrefused;
	unsigned snapshots;              /* snapshots installed */
	struct raft_snapshot_marker snapshot; /* ... the last of them */
};

/* How start_with() builds the members 1..n: each one's config and what
 * it had persisted. setup_init() fills in test_core's defaults. */
struct setup {
	size_t n;
	struct rcore_config cfg[HARNESS_MEMBERS_MAX + 1];
	struct rcore_start start[HARNESS_MEMBERS_MAX + 1];
};

extern struct rcore cores[HARNESS_MEMBERS_MAX + 1]; /* by member id */
extern struct member_seen seen[HARNESS_MEMBERS_MAX + 1];
extern struct queued queue[QUEUE_MAX];
extern unsigned nqueue;
extern unsigned sent[RMSG_TYPE_LAST + 1]; /* messages queued, by type */

/* Voters 1..n, nothing persisted; election 10 ticks, heartbeat 1,
 * check-quorum on, pre-vote off, the run's seed. */
void setup_init(struct setup *s, size_t n);
/* Member 'id' is a learner in every member's starting membership. */
void setup_learner(struct setup *s, uint64_t id);
/* Starts members 1..s->n (closing any left by a failed test). */
void start_with(const struct setup *s);
/* start_with(setup_init(n)). */
void start(size_t n);
/* Drops the queue and closes every member. */
void stop(void);

/* Queues a deep copy of m (its entries and snapshot are the sender's). */
void enqueue(const struct rmsg *m);
void drop_at(unsigned i);
/* Persists (nothing to do here), sends and applies one member's
 * updates, recording in seen[id] what it applied and read. */
void flush(uint64_t id);
/* Delivers queued messages whose sender and receiver are both in 'group'
 * and whose type is in 'types'; drops the others. 'max' bounds the
 * deliveries (0: until quiet). */
void deliver(unsigned group, unsigned types, unsigned max);
/* Ticks member id until it campaigns, then runs the election in 'group'
 * with only vote messages passing (others are dropped); fatal unless it
 * wins within a few tries. */
void elect(uint64_t id, unsigned group);
/* Crash and restart from what member id made durable (here, everything
 * it handed out), with a new seed. */
void restart(uint64_t id);
/* One tick of member id, and its update sent. */
void beat(uint64_t id);
/* One tick of every member of 'group', then delivery in it until quiet. */
void tick_all(unsigned group);
/* Whether every pair of members applied the same term at each index both
 * applied one by one (State Machine Safety, thesis figure 3.2). */
bool applied_agree(void);
/* The read state member id saw for ctx, or NULL. */
const struct rcore_read *seen_read(uint64_t id, uint64_t ctx);

#endif
