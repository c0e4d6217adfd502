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

#define RCORE_MEMBERS_MAX RAFT_MEMBERS_MAX /* voters and learners */
#define RCORE_MSGS_MAX 1024       /* messages in one update */
#define RCORE_APPEND_ENTRIES_MAX 64 /* entries in one append message */
#define RCORE_INFLIGHT_MAX 512    /* bound of cfg.max_inflight */
#define RCORE_READS_MAX 1024      /* read-index requests pending, and out */
#define RCORE_REFUSED_MAX 16      /* refusals of our changes in one update */
/* Defaults as in etcd 3.4's server: 4096 / 8 appends in flight per
 * follower, 1 MiB of entries per append, 5000 entries kept behind a
 * snapshot for followers that are only a little behind. */
#define RCORE_INFLIGHT_DEFAULT 512
#define RCORE_MSG_BYTES_DEFAULT (1u << 20)
#define RCORE_CATCHUP_ENTRIES_DEFAULT 5000
/* etcd's learner readiness: its match within 90% of the leader's. */
#define RCORE_LEARNER_READY_PERCENT 90

enum rcore_role {
	RCORE_FOLLOWER = 0,
	RCORE_PRECANDIDATE,  /* asking for pre-votes (thesis §9.6) */
	RCORE_CANDIDATE,
	RCORE_LEADER,
};

enum rmsg_type {
	RMSG_VOTE = 1,     /* RequestVote (thesis figure 3.1) */
	RMSG_VOTE_RESP,
	RMSG_APPEND,       /* AppendEntries */
	RMSG_APPEND_RESP,
	RMSG_PREVOTE,      /* "would you vote for me in term + 1?" (§9.6) */
	RMSG_PREVOTE_RESP,
	RMSG_HEARTBEAT,    /* leader alive: commit, and a read-index round */
	RMSG_HEARTBEAT_RESP,
	RMSG_SNAPSHOT,     /* InstallSnapshot: its data already sent by ref */
	RMSG_PROPOSE,      /* proposals a follower forwards to its leader */
	RMSG_READ_INDEX,   /* a follower asks its leader for a read index */
	RMSG_READ_INDEX_RESP,
	RMSG_TIMEOUT_NOW,  /* leadership transfer: campaign now (§3.10) */
	RMSG_PROPOSE_RESP, /* the leader refused a forwarded membership change:
	                    * reject, hint = why (enum cairn_err), the entry back */
};
#define RMSG_TYPE_LAST RMSG_PROPOSE_RESP

/* A snapshot the application took: the marker (index, term, membership)
 * and the application's handle on the data, which raftd never reads. */
struct rcore_snapshot {
	struct raft_snapshot_marker meta;
	uint64_t ref;
};

/* One Raft message. In an update, entries and snap are borrowed from the
 * sender's core and stay valid until its rcore_advance(): send (or copy)
 * them before. An append's entries are those from index + 1, n of them. */
struct rmsg {
	uint8_t type;            /* enum rmsg_type */
	uint64_t from;
	uint64_t to;
	uint64_t term;
	uint64_t index;          /* VOTE: last index; APPEND: prev index;
	                          * APPEND_RESP: new match, or the rejected
	                          * index; READ_INDEX_RESP: the read index */
	uint64_t log_term;       /* VOTE: last term; APPEND: prev term;
	                          * VOTE_RESP: our term at 'commit' */
	uint64_t commit;         /* APPEND, HEARTBEAT: leader's commit;
	                          * (PRE)VOTE_RESP: the answerer's commit */
	bool reject;
	uint64_t hint;           /* APPEND_RESP reject: where to retry from */
	uint64_t hint_term;      /* ... and the follower's term there */
	uint64_t ctx;            /* HEARTBEAT(_RESP): read round;
	                          * READ_INDEX(_RESP): the request's id */
	const struct raft_entry *entries; /* APPEND, PROPOSE */
	size_t n;
	const struct rcore_snapshot *snap; /* SNAPSHOT */
};

struct rcore_config {
	uint64_t id;                 /* this member, non-zero */
	unsigned election_ticks;     /* >= 2 * heartbeat_ticks */
	unsigned heartbeat_ticks;    /* >= 1 */
	uint64_t seed;               /* election jitter; no other randomness */
	bool check_quorum;           /* leader steps down without a quorum */
	bool pre_vote;               /* elections start with a pre-vote round */
	/* 0 in any of these three: the default above. */
	unsigned max_inflight;       /* appends in flight per follower */
	uint32_t max_msg_bytes;      /* entry bytes per append (>= 1 entry) */
	uint64_t catchup_entries;    /* entries kept behind a snapshot */
	uint32_t max_entry_bytes;    /* proposals above: CAIRN_ETOOBIG; 0:
	                              * RAFT_ENTRY_BYTES_MAX */
	struct rlog_alloc alloc;     /* all memory of the core */
};

/* How the leader sends to one follower (etcd's progress states). */
enum rcore_pr_state {
	RCORE_PR_PROBE = 0,    /* one append at a time until one matches */
	RCORE_PR_REPLICATE,    /* appends pipelined, up to max_inflight */
	RCORE_PR_SNAPSHOT,     /* a snapshot is on its way; nothing else */
};

/* Appends in flight to one follower: the last index of each, in order. */
struct rcore_inflight {
	uint64_t last[RCORE_INFLIGHT_MAX];
	unsigned start;
	unsigned count;
};

struct rcore_progress {
	uint64_t id;
	bool learner;
	uint64_t match;              /* highest index known replicated */
	uint64_t next;               /* next index to send */
	enum rcore_pr_state state;
	bool probe_sent;             /* PROBE: paused until an answer */
	uint64_t pending_snapshot;   /* SNAPSHOT: the index sent */
	struct rcore_inflight inflight;
	uint64_t read_ack;           /* highest read round acknowledged */
	bool vote_granted;
	bool vote_answered;
	bool recent_active;          /* heard from since the last quorum check */
};

/* A read-index result: once this member has applied 'index', a read
 * sees every write acknowledged before the request. !ok: refused (no
 * leader, or leadership lost); retry or fail the read. */
struct rcore_read {
	uint64_t ctx;
	uint64_t index;
	bool ok;
};

/* A membership change this member forwarded, which the leader refused:
 * the entry as it was forwarded (its data owned by the core until
 * rcore_advance) and why (an enum cairn_err). */
struct rcore_refusal {
	int code;
	struct raft_entry e;
};

/* A read-index request the leader holds until its round is confirmed. */
struct rcore_read_pending {
	uint64_t ctx;
	uint64_t from;               /* who asked: this member or a follower */
	uint64_t index;
	uint64_t round;              /* 0: waiting for a commit in our term */
};

/* What the caller must do, in this order: install 'snapshot' (if any)
 * and persist its marker, persist hs (if hs_changed) and entries, send
 * msgs, apply committed, serve reads whose index is applied; then
 * rcore_advance(). Everything here is borrowed from the core until then. */
struct rcore_update {
	const struct rcore_snapshot *snapshot; /* from the leader: install */
	bool hs_changed;
	struct raft_hardstate hs;
	const struct raft_entry *entries; /* new or rewritten log entries */
	size_t n;
	const struct rmsg *msgs;
	size_t nmsgs;
	const struct raft_entry *committed; /* durable and committed: apply */
	size_t ncommitted;
	const struct rcore_read *reads;
	size_t nreads;
	const struct rcore_refusal *refused; /* tell their proposers */
	size_t nrefused;
	enum rcore_role role;          /* soft state, for metrics and logs */
	uint64_t leader;               /* 0: none known */
};

struct rcore {
	struct rcore_config cfg;
	uint64_t rng;
	struct raft_hardstate hs;
	struct rlog log;
	struct rcore_snapshot snap;  /* the latest snapshot (index 0: none) */
	bool snap_install;           /* snap came from the leader: install it */
	bool snap_wanted;            /* leader: a follower holds no state and
	                              * there is no snapshot to send it yet */
	uint64_t applied;            /* last index handed out to apply */
	uint64_t stable;             /* last index the caller made durable */
	enum rcore_role role;
	uint64_t leader;
	unsigned elapsed;            /* ticks since the last reset */
	unsigned timeout;            /* randomized election timeout in ticks */
	unsigned quorum_elapsed;     /* leader: ticks since the last quorum check */
	uint64_t pending_conf;       /* leader: last conf entry (or term start) */
	bool append_due;             /* leader: new entries not sent yet */
	uint64_t transferee;         /* leader: transfer target; 0: none */
	unsigned transfer_elapsed;
	struct rcore_progress prs[RCORE_MEMBERS_MAX];
	size_t nprs;
	struct rcore_read_pending reads[RCORE_READS_MAX];
	size_t nreads;
	uint64_t read_round;         /* leader: last round started */
	bool read_round_due;         /* ... and not sent yet */
	struct rcore_read reads_out[RCORE_READS_MAX];
	size_t nreads_out;
	struct rcore_refusal refused[RCORE_REFUSED_MAX];
	size_t nrefused;
	struct rmsg msgs[RCORE_MSGS_MAX];
	size_t nmsgs;
	bool in_update;              /* between rcore_update and rcore_advance */
	struct raft_hardstate hs_sent; /* last hard state handed out */
};

/* What was persisted: hard state, the latest snapshot (index 0 when
 * none: then snap.meta.conf is the bootstrap membership), the log
 * entries after it, and how far the state machine has applied. */
struct rcore_start {
	struct raft_hardstate hs;
	struct rcore_snapshot snap;
	const struct raft_entry *ents;
	size_t n;
	uint64_t applied;
};

/*
 * Starts the core from 's' (entries copied). This member must be in the
 * membership, as a voter or a learner, unless it was removed. Committed
 * membership changes in the log are applied again. Returns 0 or
 * CAIRN_EINVAL. Release with rcore_close().
 */
int rcore_init(struct rcore *c, const struct rcore_config *cfg,
    const struct rcore_start *s);
void rcore_close(struct rcore *c);

/* One tick of logical time (--heartbeat-interval's unit). */
void rcore_tick(struct rcore *c);
/* One message from a peer; messages not for us or malformed are ignored
 * (the transport checked their bytes), and so are those from a
 * non-member, except a leader's, and a candidate's while no leader is
 * heard from. */
void rcore_step(struct rcore *c, const struct rmsg *m);
/* A client request (copied). On a follower it is forwarded to the leader.
 * Returns 0, CAIRN_ENOLEADER when no leader is known, CAIRN_ETOOBIG
 * beyond cfg.max_entry_bytes, CAIRN_EPROPDROPPED during a leadership
 * transfer, or CAIRN_EAGAIN when the log or the outbox is full. */
int rcore_propose(struct rcore *c, const uint8_t *data, uint32_t len);
/* A membership change (etcd's MemberAdd, MemberRemove, MemberUpdate,
 * MemberPromote), one at a time, applied when committed. A follower
 * forwards it to the leader, whose checks' refusal comes back in an
 * update's 'refused' (etcd's followers ask the leader too). A leader that removes
 * itself then hands leadership to the voter furthest along and steps
 * down. Errors (the leader's checks): CAIRN_ECONFPENDING while an earlier
 * one is uncommitted, CAIRN_EMEMBEREXIST, CAIRN_EMEMBERNOTFOUND,
 * CAIRN_ENOTLEARNER, CAIRN_ELEARNERNOTREADY, CAIRN_EPROPDROPPED during a
 * transfer, CAIRN_EINVAL (the last voter, no room, a bad op or id); any
 * member: CAIRN_ENOLEADER, CAIRN_ETOOBIG, CAIRN_EAGAIN. */
int rcore_propose_conf(struct rcore *c, enum raft_conf_op op, uint64_t id,
    const uint8_t *ctx, uint32_t len);
/* A linearizable read (thesis §6.4): the answer comes as a read state
 * with this ctx. Returns 0, CAIRN_ENOLEADER or CAIRN_EAGAIN (too many
 * pending). */
int rcore_read_index(struct rcore *c, uint64_t ctx);
/* Leadership transfer (etcd's MoveLeader): returns 0, CAIRN_ENOTLEADER or
 * CAIRN_EBADTRANSFEREE. Abandoned after an election timeout. */
int rcore_transfer(struct rcore *c, uint64_t to);
/* The application took a snapshot of its state at 'index' (applied);
 * the log is compacted behind it, keeping catchup_entries. Fills *out
 * with the marker to persist. Returns 0 or CAIRN_EINVAL. */
int rcore_compact(struct rcore *c, uint64_t index, uint64_t ref,
    struct raft_snapshot_marker *out);
/* The transport's word on a snapshot sent to 'to': on failure the
 * leader probes again (and may send another). */
void rcore_snapshot_status(struct rcore *c, uint64_t to, bool ok);
/* Whether a member that joins (started with no membership and no state,
 * it takes nothing but a snapshot) waits for one that does not exist yet:
 * the caller should rcore_compact at what it holds on disk. Clears it. */
bool rcore_snapshot_wanted(struct rcore *c);

bool rcore_has_update(const struct rcore *c);
/* Fills *u. Until rcore_advance(c, u), no tick, step or propose. */
void rcore_update(struct rcore *c, struct rcore_update *u);
/* The caller persisted, sent and applied all of *u. */
void rcore_advance(struct rcore *c, const struct rcore_update *u);

#endif
