/*
 * raftd: the pure Raft core's entry points: start, tick, step dispatch,
 * and the changes of role. Elections are in core_election.c, replication
 * in core_replicate.c, flow control in core_progress.c, heartbeats and
 * reads in core_read.c, snapshots in core_snapshot.c, membership in
 * core_conf.c, proposals and transfer in core_propose.c, the hand-over
 * with the caller in core_update.c.
 */
#include <string.h>

#include "raftd/core_impl.h"
#include "shared/assert.h"
#include "shared/err.h"

/* splitmix64: the core's only randomness, from the configured seed. */
static uint64_t
rcore_rand(struct rcore *c)
{
	uint64_t z = (c->rng += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/* Thesis §3.4: a timeout randomized in [election, 2 * election) ticks. */
static void
rcore_reset_timer(struct rcore *c)
{
	c->elapsed = 0;
	c->timeout = c->cfg.election_ticks + (unsigned)(rcore_rand(c) % c->cfg.election_ticks);
}

static bool
rcore_config_ok(const struct rcore_config *cfg)
{
	return cfg->id != 0 && cfg->heartbeat_ticks > 0 &&
	    cfg->election_ticks >= 2 * cfg->heartbeat_ticks &&
	    cfg->max_inflight <= RCORE_INFLIGHT_MAX;
}

static bool
rcore_start_ok(const struct rcore_start *s)
{
	uint64_t last = s->snap.meta.index + s->n;

	/* No membership: a member that joins an existing cluster, which
	 * holds nothing until the leader's snapshot. */
	if ((s->snap.meta.conf.n == 0 && (s->snap.meta.index != 0 || s->n != 0)) ||
	    s->snap.meta.conf.n > RCORE_MEMBERS_MAX ||
	    s->hs.commit > last || s->applied < s->snap.meta.index ||
	    s->applied > (s->hs.commit > s->snap.meta.index ? s->hs.commit : s->snap.meta.index))
		return false;
	for (size_t i = 0; i < s->n; i++)
		if (s->ents[i].index != s->snap.meta.index + 1 + i)
			return false;
	return true;
}

int
rcore_init(struct rcore *c, const struct rcore_config *cfg, const struct rcore_start *s)
{
	if (!rcore_config_ok(cfg) || !rcore_start_ok(s))
		return CAIRN_EINVAL;
	memset(c, 0, sizeof(*c));
	c->cfg = *cfg;
	if (c->cfg.max_inflight == 0)
		c->cfg.max_inflight = RCORE_INFLIGHT_DEFAULT;
	if (c->cfg.max_msg_bytes == 0)
		c->cfg.max_msg_bytes = RCORE_MSG_BYTES_DEFAULT;
	if (c->cfg.catchup_entries == 0)
		c->cfg.catchup_entries = RCORE_CATCHUP_ENTRIES_DEFAULT;
	if (c->cfg.max_entry_bytes == 0 || c->cfg.max_entry_bytes > RAFT_ENTRY_BYTES_MAX)
		c->cfg.max_entry_bytes = RAFT_ENTRY_BYTES_MAX;
	c->rng = cfg->seed ^ (cfg->id * 0x2545f4914f6cdd1dULL);
	c->hs = s->hs;
	/* A snapshot is committed: its marker may be durable while the hard
	 * state written after it was not (power lost between the two). */
	if (c->hs.commit < s->snap.meta.index)
		c->hs.commit = s->snap.meta.index;
	c->hs_sent = s->hs;
	c->snap = s->snap;
	c->applied = s->applied;
	rlog_init(&c->log, &cfg->alloc);
	rlog_reset(&c->log, s->snap.meta.index, s->snap.meta.term);
	if (rlog_append(&c->log, s->ents, s->n) != 0) {
		rlog_close(&c->log);
		return CAIRN_EINVAL;
	}
	c->stable = rlog_last_index(&c->log);
	rcore_conf_set(c, &s->snap.meta.conf);
	if (c->nprs != s->snap.meta.conf.n) {
		rlog_close(&c->log);
		return CAIRN_EINVAL; /* a zero or duplicate id */
	}
	/* Membership changes take effect when committed (as in etcd). */
	for (uint64_t i = s->snap.meta.index + 1; i <= s->hs.commit; i++)
		if (rlog_at(&c->log, i)->type == RAFT_ENTRY_CONF)
			rcore_conf_apply(c, rlog_at(&c->log, i));
	rcore_become_follower(c, s->hs.term, 0);
	return 0;
}

struct rcore_progress *
rcore_progress(struct rcore *c, uint64_t id)
{
	for (size_t i = 0; i < c->nprs; i++)
		if (c->prs[i].id == id)
			return &c->prs[i];
	return NULL;
}

/* Only a voter of the current membership may campaign or lead. */
bool
rcore_promotable(const struct rcore *c)
{
	for (size_t i = 0; i < c->nprs; i++)
		if (c->prs[i].id == c->cfg.id)
			return !c->prs[i].learner;
	return false;
}

size_t
rcore_quorum(const struct rcore *c)
{
	size_t voters = 0;

	for (size_t i = 0; i < c->nprs; i++)
		voters += !c->prs[i].learner;
	return voters / 2 + 1;
}

bool
rcore_outbox_full(const struct rcore *c)
{
	return c->nmsgs == RCORE_MSGS_MAX;
}

/* Queues m; false when the outbox is full. Raft tolerates the loss: the
 * next heartbeat or timeout sends what matters again. */
bool
rcore_send(struct rcore *c, const struct rmsg *m)
{
	if (rcore_outbox_full(c))
		return false;
	c->msgs[c->nmsgs] = *m;
	c->msgs[c->nmsgs].from = c->cfg.id;
	/* Our term, unless the message names another (pre-votes do). */
	if (m->term == 0)
		c->msgs[c->nmsgs].term = c->hs.term;
	c->nmsgs++;
	return true;
}

void
rcore_become_follower(struct rcore *c, uint64_t term, uint64_t leader)
{
	CAIRN_ASSERT(term >= c->hs.term);
	if (c->role == RCORE_LEADER)
		rcore_reads_abandon(c);
	if (term > c->hs.term) {
		c->hs.term = term;
		c->hs.vote = 0;
	}
	c->role = RCORE_FOLLOWER;
	c->leader = leader;
	c->transferee = 0;
	rcore_reset_timer(c);
}

/* A leader heard from within an election timeout is taken as alive. */
bool
rcore_leader_alive(const struct rcore *c)
{
	return c->leader != 0 && c->elapsed < c->cfg.election_ticks;
}

bool
rcore_hear_leader(struct rcore *c, const struct rmsg *m, struct rmsg *r)
{
	if (m->term < c->hs.term) {
		/* A stale leader learns our term from the reply and steps down. */
		r->reject = true;
		(void)rcore_send(c, r);
		return false;
	}
	if (c->role != RCORE_FOLLOWER || c->leader != m->from)
		rcore_become_follower(c, m->term, m->from);
	c->elapsed = 0;
	return true;
}

void
rcore_become_leader(struct rcore *c)
{
	struct raft_entry noop = {
		.term = c->hs.term,
		.index = rlog_last_index(&c->log) + 1,
		.type = RAFT_ENTRY_EMPTY,
	};

	CAIRN_ASSERT(c->role == RCORE_CANDIDATE);
	c->role = RCORE_LEADER;
	c->leader = c->cfg.id;
	c->elapsed = 0;
	c->quorum_elapsed = 0;
	c->transferee = 0;
	for (size_t i = 0; i < c->nprs; i++) {
		struct rcore_progress *p = &c->prs[i];

		p->match = 0;
		p->read_ack = 0;
		pr_become_probe(p);
		/* Thesis figure 3.1: nextIndex starts after our last entry
		 * (from match + 1, every follower would get the whole log). */
		p->next = rlog_last_index(&c->log) + 1;
		p->recent_active = p->id == c->cfg.id;
	}
	/* No membership change until everything before our term commits
	 * (the single-server change fix, Ongaro's raft-dev post of 2015). */
	c->pending_conf = noop.index;
	/* Thesis §6.4: a no-op of the new term lets earlier entries commit. */
	if (rlog_append(&c->log, &noop, 1) == 0)
		rcore_broadcast_append(c);
}

void
rcore_tick(struct rcore *c)
{
	CAIRN_ASSERT(!c->in_update);
	c->elapsed++;
	if (c->role == RCORE_LEADER) {
		if (c->cfg.check_quorum && ++c->quorum_elapsed >= c->cfg.election_ticks) {
			c->quorum_elapsed = 0;
			rcore_check_quorum(c);
			if (c->role != RCORE_LEADER)
				return;
		}
		rcore_transfer_tick(c);
		if (c->elapsed >= c->cfg.heartbeat_ticks) {
			c->elapsed = 0;
			rcore_broadcast_heartbeat(c);
		}
		return;
	}
	if (c->elapsed >= c->timeout) {
		if (!rcore_promotable(c))
			/* Learners and removed members never campaign; the time
			 * stays past the timeout, so that they no longer count
			 * a silent leader as alive when asked for a pre-vote. */
			c->elapsed = c->timeout;
		else if (c->cfg.pre_vote)
			rcore_pre_campaign(c);
		else
			rcore_campaign(c);
	}
}

/* Thesis figure 3.1: a higher term makes anyone a follower. Not a
 * pre-vote, nor a pre-vote granted: they name a term nobody holds yet. */
static void
rcore_step_term(struct rcore *c, const struct rmsg *m)
{
	bool from_leader = m->type == RMSG_APPEND || m->type == RMSG_HEARTBEAT ||
	    m->type == RMSG_SNAPSHOT;

	if (m->term <= c->hs.term || m->type == RMSG_PREVOTE ||
	    (m->type == RMSG_PREVOTE_RESP && !m->reject))
		return;
	rcore_become_follower(c, m->term, from_leader ? m->from : 0);
}

typedef void (*rcore_step_fn)(struct rcore *, const struct rmsg *);

static const rcore_step_fn rcore_steps[RMSG_TYPE_LAST + 1] = {
	[RMSG_VOTE] = rcore_step_vote,
	[RMSG_VOTE_RESP] = rcore_step_vote_resp,
	[RMSG_APPEND] = rcore_step_append,
	[RMSG_APPEND_RESP] = rcore_step_append_resp,
	[RMSG_PREVOTE] = rcore_step_prevote,
	[RMSG_PREVOTE_RESP] = rcore_step_vote_resp,
	[RMSG_HEARTBEAT] = rcore_step_heartbeat,
	[RMSG_HEARTBEAT_RESP] = rcore_step_heartbeat_resp,
	[RMSG_SNAPSHOT] = rcore_step_snapshot,
	[RMSG_PROPOSE] = rcore_step_propose,
	[RMSG_READ_INDEX] = rcore_step_read_index,
	[RMSG_READ_INDEX_RESP] = rcore_step_read_index_resp,
	[RMSG_TIMEOUT_NOW] = rcore_step_timeout_now,
	[RMSG_PROPOSE_RESP] = rcore_step_propose_resp,
};

/* Whether to take m from a sender not in our membership. A leader's
 * messages, yes: we may not know yet that it joined (or that we did).
 * A candidate's, when we hear no leader: our membership may be the stale
 * one, and a candidate needs the votes its own membership names (votes
 * are safe to give anyone: one per term, counted by the candidate); while
 * a leader is alive, no: a removed member must not disrupt (thesis
 * §4.2.3). Answers need a member: they speak for a seat. */
static bool
rcore_from_stranger(const struct rcore *c, uint8_t type)
{
	if (type == RMSG_VOTE || type == RMSG_PREVOTE)
		return !rcore_leader_alive(c) && c->role != RCORE_LEADER;
	return type == RMSG_APPEND || type == RMSG_HEARTBEAT || type == RMSG_SNAPSHOT ||
	    type == RMSG_TIMEOUT_NOW;
}

void
rcore_step(struct rcore *c, const struct rmsg *m)
{
	struct rcore_progress *p = rcore_progress(c, m->from);

	CAIRN_ASSERT(!c->in_update);
	/* raftd's peer decoder passes only known types. */
	CAIRN_ASSERT(m->type >= RMSG_VOTE && m->type <= RMSG_TYPE_LAST);
	if (m->to != c->cfg.id || m->from == c->cfg.id ||
	    (p == NULL && !rcore_from_stranger(c, m->type)))
		return;
	/* Check-quorum counts any member we hear from in our term. */
	if (p != NULL && m->term == c->hs.term)
		p->recent_active = true;
	rcore_step_term(c, m);
	rcore_steps[m->type](c, m);
}
