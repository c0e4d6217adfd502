/*
 * raftd: heartbeats and linearizable reads (thesis §6.4, ReadIndex). The
 * leader records its commit index for a read, then confirms it is still
 * the leader by a heartbeat round a majority of voters answers; only
 * then is the read released. Rounds are numbered: one round serves every
 * read that arrived since the last update. A leader that has not yet
 * committed an entry of its term does not know the latest commit index,
 * so its reads wait for that first. Followers ask their leader.
 */
#include "raftd/core_impl.h"
#include "shared/assert.h"
#include "shared/err.h"

void
rcore_broadcast_heartbeat(struct rcore *c)
{
	for (size_t i = 0; i < c->nprs; i++) {
		const struct rcore_progress *p = &c->prs[i];
		/* Only what the follower is known to hold may commit there. */
		struct rmsg m = {.type = RMSG_HEARTBEAT, .to = p->id, .ctx = c->read_round,
		    .commit = p->match < c->hs.commit ? p->match : c->hs.commit};

		if (p->id != c->cfg.id)
			(void)rcore_send(c, &m);
	}
}

void
rcore_step_heartbeat(struct rcore *c, const struct rmsg *m)
{
	struct rmsg r = {.type = RMSG_HEARTBEAT_RESP, .to = m->from, .ctx = m->ctx};

	if (!rcore_hear_leader(c, m, &r))
		return;
	if (m->commit <= rlog_last_index(&c->log))
		rcore_commit_to(c, m->commit);
	(void)rcore_send(c, &r);
}

void
rcore_reads_out(struct rcore *c, uint64_t ctx, uint64_t index, bool ok)
{
	/* Full only if the caller never advances; the read then times out. */
	if (c->nreads_out == RCORE_READS_MAX)
		return;
	c->reads_out[c->nreads_out++] = (struct rcore_read){ctx, index, ok};
}

/* Answers one pending read, here or at the follower that asked. */
static void
rcore_read_answer(struct rcore *c, const struct rcore_read_pending *r, bool ok)
{
	struct rmsg m = {.type = RMSG_READ_INDEX_RESP, .to = r->from, .ctx = r->ctx,
	    .index = r->index, .reject = !ok};

	if (r->from == c->cfg.id)
		rcore_reads_out(c, r->ctx, r->index, ok);
	else
		(void)rcore_send(c, &m);
}

static uint64_t
pr_read_ack(const struct rcore_progress *p)
{
	return p->read_ack;
}

/* Releases every read whose round a majority of voters confirmed. */
static void
rcore_reads_release(struct rcore *c)
{
	uint64_t confirmed = pr_quorum_value(c, pr_read_ack);
	size_t kept = 0;

	for (size_t i = 0; i < c->nreads; i++) {
		if (c->reads[i].round != 0 && c->reads[i].round <= confirmed)
			rcore_read_answer(c, &c->reads[i], true);
		else
			c->reads[kept++] = c->reads[i];
	}
	c->nreads = kept;
}

static bool
rcore_term_committed(const struct rcore *c)
{
	uint64_t t;

	return rlog_term(&c->log, c->hs.commit, &t) && t == c->hs.term;
}

/* Records the commit index for r and puts it in this update's round. */
static void
rcore_read_start(struct rcore *c, struct rcore_read_pending *r)
{
	struct rcore_progress *self = rcore_progress(c, c->cfg.id);

	r->index = c->hs.commit;
	if (!c->read_round_due) {
		c->read_round++;
		if (self != NULL) /* a leader that removed itself has no say */
			self->read_ack = c->read_round;
		rcore_broadcast_heartbeat(c);
		c->read_round_due = true;
	}
	r->round = c->read_round;
}

static int
rcore_read_request(struct rcore *c, uint64_t from, uint64_t ctx)
{
	struct rcore_read_pending *r;

	CAIRN_ASSERT(c->role == RCORE_LEADER);
	/* A leader that removed itself is handing over: no new reads. */
	if (c->nreads == RCORE_READS_MAX || !rcore_promotable(c))
		return CAIRN_EAGAIN;
	r = &c->reads[c->nreads++];
	*r = (struct rcore_read_pending){.ctx = ctx, .from = from};
	if (rcore_term_committed(c)) {
		rcore_read_start(c, r);
		rcore_reads_release(c); /* a single voter confirms alone */
	}
	return 0;
}

int
rcore_read_index(struct rcore *c, uint64_t ctx)
{
	struct rmsg m = {.type = RMSG_READ_INDEX, .to = c->leader, .ctx = ctx};

	CAIRN_ASSERT(!c->in_update);
	if (c->role == RCORE_LEADER)
		return rcore_read_request(c, c->cfg.id, ctx);
	if (c->leader == 0)
		return CAIRN_ENOLEADER;
	return rcore_send(c, &m) ? 0 : CAIRN_EAGAIN;
}

void
rcore_reads_on_commit(struct rcore *c)
{
	if (!rcore_term_committed(c))
		return;
	for (size_t i = 0; i < c->nreads; i++)
		if (c->reads[i].round == 0)
			rcore_read_start(c, &c->reads[i]);
	rcore_reads_release(c);
}

void
rcore_reads_abandon(struct rcore *c)
{
	for (size_t i = 0; i < c->nreads; i++)
		rcore_read_answer(c, &c->reads[i], false);
	c->nreads = 0;
}

void
rcore_step_heartbeat_resp(struct rcore *c, const struct rmsg *m)
{
	struct rcore_progress *p = rcore_progress(c, m->from);

	if (c->role != RCORE_LEADER || m->term != c->hs.term || m->reject)
		return;
	p->probe_sent = false;
	if (p->state == RCORE_PR_REPLICATE && pr_inflight_full(p, c->cfg.max_inflight))
		pr_inflight_free_first(p);
	if (m->ctx > p->read_ack && m->ctx <= c->read_round) {
		p->read_ack = m->ctx;
		rcore_reads_release(c);
	}
	/* A follower still behind gets an append; an empty one makes a
	 * follower that lost appends reject, and so be probed again. */
	if (p->match < rlog_last_index(&c->log))
		(void)rcore_send_append(c, p, true);
}

void
rcore_step_read_index(struct rcore *c, const struct rmsg *m)
{
	struct rmsg r = {.type = RMSG_READ_INDEX_RESP, .to = m->from, .ctx = m->ctx,
	    .reject = true};

	if (c->role != RCORE_LEADER || rcore_read_request(c, m->from, m->ctx) != 0)
		(void)rcore_send(c, &r);
}

void
rcore_step_read_index_resp(struct rcore *c, const struct rmsg *m)
{
	rcore_reads_out(c, m->ctx, m->index, !m->reject);
}
