/*
 * raftd: the pure Raft core (DESIGN.md section 4). No I/O, no clock, no
 * globals: ticks, messages and proposals go in; an update comes out saying
 * what to persist, what to send and what to apply. The caller persists,
 * then sends, then applies, then calls rcore_advance() (STYLE.md 5 and 6).
 * Memory comes only from the allocator the caller provides, within the
 * bounds below. Thesis = Ongaro, "Consensus: Bridging Theory and Practice".
 */
#ifndef CAIRN_RAFT_CORE_H
#define CAIRN_RAFT_CORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "raftd/entries.h"
#include "raftd/raft_types.h"

#define RCORE_MEMBERS_MAX 16      /* voters and learners */
#define RCORE_MSGS_MAX 256        /* messages in one update */
#define RCORE_APPEND_ENTRIES_MAX 64 /* entries in one append message */

enum rcore_role {
	RCORE_FOLLOWER = 0,
	RCORE_PRECANDIDATE,  /* asking for pre-votes (thesis §9.6) */
	RCORE_CANDIDATE,
	RCORE_LEADER,
};

enum rmsg_type {
	RMSG_VOTE = 1,     /* RequestVote (thesis figure 3.1) */
	RMSG_VOTE_RESP,
	RMSG_APPEND,       /* AppendEntries; also the heartbeat */
	RMSG_APPEND_RESP,
	RMSG_PREVOTE,      /* "would you vote for me in term + 1?" (§9.6) */
	RMSG_PREVOTE_RESP,
};

/* One Raft message. In an update, entries are borrowed from the sender's
 * log and stay valid until its rcore_advance(): send (or copy) them
 * before. An append's entries are those from index + 1, n of them. */
struct rmsg {
	uint8_t type;            /* enum rmsg_type */
	uint64_t from;
	uint64_t to;
	uint64_t term;
	uint64_t index;          /* VOTE: last index; APPEND: prev index;
	                          * APPEND_RESP: new match, or the rejected index */
	uint64_t log_term;       /* VOTE: last term; APPEND: prev term */
	uint64_t commit;         /* APPEND: leader's commit */
	bool reject;
	uint64_t hint;           /* APPEND_RESP reject: follower's last index */
	const struct raft_entry *entries;
	size_t n;
};

struct rcore_config {
	uint64_t id;                 /* this member, non-zero */
	unsigned election_ticks;     /* >= 2 * heartbeat_ticks */
	unsigned heartbeat_ticks;    /* >= 1 */
	uint64_t seed;               /* election jitter; no other randomness */
	bool check_quorum;           /* leader steps down without a quorum */
	bool pre_vote;               /* elections start with a pre-vote round */
	struct rlog_alloc alloc;     /* all memory of the core */
};

struct rcore_progress {
	uint64_t id;
	uint64_t match;              /* highest index known replicated */
	uint64_t next;               /* next index to send */
	bool vote_granted;
	bool vote_answered;
	bool recent_active;          /* heard from since the last quorum check */
};

/* What the caller must do, in this order: persist hs (if hs_changed) and
 * entries, send msgs, apply committed; then rcore_advance(). Everything
 * here is borrowed from the core until then. */
struct rcore_update {
	bool hs_changed;
	struct raft_hardstate hs;
	const struct raft_entry *entries; /* new or rewritten log entries */
	size_t n;
	const struct rmsg *msgs;
	size_t nmsgs;
	const struct raft_entry *committed; /* durable and committed: apply */
	size_t ncommitted;
	enum rcore_role role;          /* soft state, for metrics and logs */
	uint64_t leader;               /* 0: none known */
};

struct rcore {
	struct rcore_config cfg;
	uint64_t rng;
	struct raft_hardstate hs;
	struct rlog log;
	uint64_t applied;            /* last index handed out to apply */
	uint64_t stable;             /* last index the caller made durable */
	enum rcore_role role;
	uint64_t leader;
	unsigned elapsed;            /* ticks since the last reset */
	unsigned timeout;            /* randomized election timeout in ticks */
	unsigned quorum_elapsed;     /* leader: ticks since the last quorum check */
	struct rcore_progress prs[RCORE_MEMBERS_MAX];
	size_t nprs;
	struct rmsg msgs[RCORE_MSGS_MAX];
	size_t nmsgs;
	bool in_update;              /* between rcore_update and rcore_advance */
	struct raft_hardstate hs_sent; /* last hard state handed out */
};

/*
 * Starts the core from what was persisted: hard state 'hs' and log 'ents'
 * (indexes 1..n, copied), with 'applied' entries already applied by the
 * state machine, and the voters 'ids' (this member among them).
 * Returns 0 or CAIRN_EINVAL. Release with rcore_close().
 */
int rcore_init(struct rcore *c, const struct rcore_config *cfg,
    const struct raft_hardstate *hs, const struct raft_entry *ents, size_t n,
    uint64_t applied, const uint64_t *ids, size_t nids);
void rcore_close(struct rcore *c);

/* One tick of logical time (--heartbeat-interval's unit). */
void rcore_tick(struct rcore *c);
/* One message from a peer; messages not for us or malformed are ignored
 * (the transport checked their bytes). */
void rcore_step(struct rcore *c, const struct rmsg *m);
/* A client request (copied). Returns 0, CAIRN_ENOLEADER when this member
 * is not the leader, CAIRN_ETOOBIG beyond RAFT_ENTRY_BYTES_MAX, or
 * CAIRN_EAGAIN when the in-memory log is full. */
int rcore_propose(struct rcore *c, const uint8_t *data, uint32_t len);

bool rcore_has_update(const struct rcore *c);
/* Fills *u. Until rcore_advance(c, u), no tick, step or propose. */
void rcore_update(struct rcore *c, struct rcore_update *u);
/* The caller persisted, sent and applied all of *u. */
void rcore_advance(struct rcore *c, const struct rcore_update *u);

/* Internal, shared by core*.c. */
void rcore_send(struct rcore *c, const struct rmsg *m);
void rcore_become_follower(struct rcore *c, uint64_t term, uint64_t leader);
void rcore_become_leader(struct rcore *c);
void rcore_campaign(struct rcore *c);
void rcore_pre_campaign(struct rcore *c);
void rcore_step_prevote(struct rcore *c, const struct rmsg *m);
void rcore_step_vote(struct rcore *c, const struct rmsg *m);
void rcore_step_vote_resp(struct rcore *c, const struct rmsg *m);
void rcore_step_append(struct rcore *c, const struct rmsg *m);
void rcore_step_append_resp(struct rcore *c, const struct rmsg *m);
void rcore_send_append(struct rcore *c, struct rcore_progress *p);
void rcore_broadcast_append(struct rcore *c);
bool rcore_maybe_commit(struct rcore *c);
void rcore_check_quorum(struct rcore *c);
struct rcore_progress *rcore_progress(struct rcore *c, uint64_t id);
size_t rcore_quorum(const struct rcore *c);

#endif
