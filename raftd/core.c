/*
 * raftd: the pure Raft core's entry points: start, tick, step dispatch,
 * propose, and the update/advance hand-over with the caller. Elections
 * are in core_election.c, replication and commit in core_replicate.c.
 */
#include <string.h>

#include "raftd/core.h"
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

int
rcore_init(struct rcore *c, const struct rcore_config *cfg,
    const struct raft_hardstate *hs, const struct raft_entry *ents, size_t n,
    uint64_t applied, const uint64_t *ids, size_t nids)
{
	bool self = false;

	if (cfg->id == 0 || cfg->heartbeat_ticks == 0 ||
	    cfg->election_ticks < 2 * cfg->heartbeat_ticks || nids == 0 ||
	    nids > RCORE_MEMBERS_MAX || hs->commit > n || applied > hs->commit)
		return CAIRN_EINVAL;
	memset(c, 0, sizeof(*c));
	c->cfg = *cfg;
	c->rng = cfg->seed ^ (cfg->id * 0x2545f4914f6cdd1dULL);
	c->hs = *hs;
	c->hs_sent = *hs;
	c->applied = applied;
	rlog_init(&c->log, &cfg->alloc);
	if (rlog_append(&c->log, ents, n) != 0) {
		rlog_close(&c->log);
		return CAIRN_EINVAL;
	}
	c->stable = rlog_last_index(&c->log);
	for (size_t i = 0; i < nids; i++) {
		bool dup = ids[i] == 0;

		for (size_t j = 0; j < i; j++)
			dup |= ids[j] == ids[i];
		c->prs[i].id = dup ? 0 : ids[i];
		self |= ids[i] == cfg->id;
	}
	c->nprs = nids;
	if (!self || rcore_progress(c, 0) != NULL) {
		rlog_close(&c->log);
		return CAIRN_EINVAL;
	}
	rcore_become_follower(c, hs->term, 0);
	return 0;
}

void
rcore_close(struct rcore *c)
{
	rlog_close(&c->log);
}

struct rcore_progress *
rcore_progress(struct rcore *c, uint64_t id)
{
	for (size_t i = 0; i < c->nprs; i++)
		if (c->prs[i].id == id)
			return &c->prs[i];
	return NULL;
}

size_t
rcore_quorum(const struct rcore *c)
{
	return c->nprs / 2 + 1;
}

void
rcore_send(struct rcore *c, const struct rmsg *m)
{
	/* A full outbox drops the message: Raft tolerates loss, and the
	 * next heartbeat or timeout sends what matters again. */
	if (c->nmsgs == RCORE_MSGS_MAX)
		return;
	c->msgs[c->nmsgs] = *m;
	c->msgs[c->nmsgs].from = c->cfg.id;
	/* Our term, unless the message names another (pre-votes do). */
	if (m->term == 0)
		c->msgs[c->nmsgs].term = c->hs.term;
	c->nmsgs++;
}

void
rcore_become_follower(struct rcore *c, uint64_t term, uint64_t leader)
{
	CAIRN_ASSERT(term >= c->hs.term);
	if (term > c->hs.term) {
		c->hs.term = term;
		c->hs.vote = 0;
	}
	c->role = RCORE_FOLLOWER;
	c->leader = leader;
	rcore_reset_timer(c);
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
	for (size_t i = 0; i < c->nprs; i++) {
		c->prs[i].match = 0;
		c->prs[i].next = rlog_last_index(&c->log) + 1;
		c->prs[i].recent_active = c->prs[i].id == c->cfg.id;
	}
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
		if (c->elapsed >= c->cfg.heartbeat_ticks) {
			c->elapsed = 0;
			rcore_broadcast_append(c);
		}
		return;
	}
	if (c->elapsed >= c->timeout) {
		if (c->cfg.pre_vote)
			rcore_pre_campaign(c);
		else
			rcore_campaign(c);
	}
}

void
rcore_step(struct rcore *c, const struct rmsg *m)
{
	CAIRN_ASSERT(!c->in_update);
	if (m->to != c->cfg.id || m->from == c->cfg.id || rcore_progress(c, m->from) == NULL)
		return;
	/* Check-quorum counts any member we hear from in our term. */
	if (m->term == c->hs.term)
		rcore_progress(c, m->from)->recent_active = true;
	/* Thesis figure 3.1: a higher term makes anyone a follower. Not a
	 * pre-vote, nor a pre-vote granted: they name a term nobody holds yet. */
	if (m->term > c->hs.term && m->type != RMSG_PREVOTE &&
	    !(m->type == RMSG_PREVOTE_RESP && !m->reject))
		rcore_become_follower(c, m->term, m->type == RMSG_APPEND ? m->from : 0);
	switch (m->type) {
	case RMSG_VOTE:
		rcore_step_vote(c, m);
		break;
	case RMSG_VOTE_RESP:
		rcore_step_vote_resp(c, m);
		break;
	case RMSG_APPEND:
		rcore_step_append(c, m);
		break;
	case RMSG_APPEND_RESP:
		rcore_step_append_resp(c, m);
		break;
	case RMSG_PREVOTE:
		rcore_step_prevote(c, m);
		break;
	case RMSG_PREVOTE_RESP:
		rcore_step_vote_resp(c, m);
		break;
	default:
		/* raftd's peer decoder passes only the types above. */
		CAIRN_ASSERT(m->type >= RMSG_VOTE && m->type <= RMSG_PREVOTE_RESP);
	}
}

int
rcore_propose(struct rcore *c, const uint8_t *data, uint32_t len)
{
	struct raft_entry e = {
		.term = c->hs.term,
		.index = rlog_last_index(&c->log) + 1,
		.type = RAFT_ENTRY_NORMAL,
		.len = len,
		.data = data,
	};

	CAIRN_ASSERT(!c->in_update);
	if (c->role != RCORE_LEADER)
		return CAIRN_ENOLEADER;
	if (len > RAFT_ENTRY_BYTES_MAX)
		return CAIRN_ETOOBIG;
	if (rlog_append(&c->log, &e, 1) != 0)
		return CAIRN_EAGAIN;
	/* Only followers with nothing unacknowledged get it now; the others
	 * get it when they answer, or at the next heartbeat. Until flow
	 * control lands this keeps one append in flight per follower. */
	for (size_t i = 0; i < c->nprs; i++)
		if (c->prs[i].id != c->cfg.id && c->prs[i].next == e.index)
			rcore_send_append(c, &c->prs[i]);
	return 0;
}
