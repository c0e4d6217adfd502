/*
 * raftd: client proposals and leadership transfer. The leader appends a
 * proposal and sends it on; a follower forwards it to the leader it
 * knows, and with none fails at once ("etcdserver: no leader"). A
 * transfer (thesis §3.10) brings the target's log up to date, then tells
 * it to campaign at once; proposals are refused meanwhile.
 */
#include <string.h>

#include "raftd/conf_change.h"
#include "raftd/core_impl.h"
#include "shared/assert.h"
#include "shared/err.h"

static int
rcore_append_proposal(struct rcore *c, const uint8_t *data, uint32_t len)
{
	struct raft_entry e = {.term = c->hs.term, .index = rlog_last_index(&c->log) + 1,
	    .type = RAFT_ENTRY_NORMAL, .len = len, .data = data};

	if (c->transferee != 0)
		return CAIRN_EPROPDROPPED;
	if (rlog_append(&c->log, &e, 1) != 0)
		return CAIRN_EAGAIN;
	c->append_due = true;
	return 0;
}

/* A forwarded proposal's entry and data live in one allocation, owned by
 * the message until rcore_advance (or rcore_close). */
static size_t
rcore_forward_bytes(const struct raft_entry *e)
{
	return sizeof(*e) + e->len;
}

void
rcore_forward_free(struct rcore *c, const struct rmsg *m)
{
	void *p = (void *)(uintptr_t)m->entries;

	c->cfg.alloc.free(c->cfg.alloc.ctx, p, rcore_forward_bytes(m->entries));
}

/* Queues m carrying one entry of 'type': head[hlen] then data[len]. */
static int
rcore_send_entry(struct rcore *c, struct rmsg *m, uint8_t type, const uint8_t *head,
    uint32_t hlen, const uint8_t *data, uint32_t len)
{
	struct raft_entry *e;

	if (rcore_outbox_full(c))
		return CAIRN_EAGAIN;
	e = c->cfg.alloc.alloc(c->cfg.alloc.ctx, sizeof(*e) + hlen + len);
	if (e == NULL)
		return CAIRN_EAGAIN;
	*e = (struct raft_entry){.type = type, .len = hlen + len,
	    .data = (const uint8_t *)(e + 1)};
	if (hlen > 0)
		memcpy(e + 1, head, hlen);
	if (len > 0)
		memcpy((uint8_t *)(e + 1) + hlen, data, len);
	m->entries = e;
	m->n = 1;
	(void)rcore_send(c, m);
	return 0;
}

int
rcore_forward(struct rcore *c, uint8_t type, const uint8_t *head, uint32_t hlen,
    const uint8_t *data, uint32_t len)
{
	struct rmsg m = {.type = RMSG_PROPOSE, .to = c->leader};

	return rcore_send_entry(c, &m, type, head, hlen, data, len);
}

int
rcore_propose(struct rcore *c, const uint8_t *data, uint32_t len)
{
	CAIRN_ASSERT(!c->in_update);
	if (len > c->cfg.max_entry_bytes)
		return CAIRN_ETOOBIG;
	if (c->role == RCORE_LEADER)
		return rcore_append_proposal(c, data, len);
	if (c->leader == 0)
		return CAIRN_ENOLEADER;
	return rcore_forward(c, RAFT_ENTRY_NORMAL, NULL, 0, data, len);
}

/* Forwarded proposals: a leader takes them as its own, membership
 * changes through its checks, whose refusal goes back to the follower
 * with the entry (it names the client's request); anyone else drops
 * them, and the follower's client times out as with etcd. */
void
rcore_step_propose(struct rcore *c, const struct rmsg *m)
{
	if (c->role != RCORE_LEADER)
		return;
	for (size_t i = 0; i < m->n; i++) {
		const struct raft_entry *e = &m->entries[i];
		struct rmsg no = {.type = RMSG_PROPOSE_RESP, .to = m->from, .reject = true};
		uint8_t op;
		uint64_t id;
		int rc;

		if (e->len > RAFT_ENTRY_BYTES_MAX)
			continue;
		if (e->type == RAFT_ENTRY_NORMAL) {
			(void)rcore_append_proposal(c, e->data, e->len);
		} else if (conf_change_decode(e, &op, &id) &&
		    (rc = rcore_conf_append(c, op, id, e->data + RAFT_CONF_FIXED_BYTES,
		    e->len - RAFT_CONF_FIXED_BYTES)) != 0) {
			no.hint = (uint64_t)rc;
			(void)rcore_send_entry(c, &no, e->type, NULL, 0, e->data, e->len);
		}
	}
}

/* The leader refused our change: kept for the update, while there is
 * room (else the client times out). */
void
rcore_step_propose_resp(struct rcore *c, const struct rmsg *m)
{
	struct rcore_refusal *r;
	uint8_t *data;

	if (m->from != c->leader || m->n != 1 || !m->reject || c->nrefused == RCORE_REFUSED_MAX)
		return;
	if ((data = c->cfg.alloc.alloc(c->cfg.alloc.ctx, m->entries[0].len)) == NULL)
		return;
	memcpy(data, m->entries[0].data, m->entries[0].len);
	r = &c->refused[c->nrefused++];
	r->code = (int)m->hint;
	r->e = (struct raft_entry){.type = m->entries[0].type, .len = m->entries[0].len,
	    .data = data};
}

void
rcore_refused_release(struct rcore *c)
{
	for (size_t i = 0; i < c->nrefused; i++)
		c->cfg.alloc.free(c->cfg.alloc.ctx, (void *)(uintptr_t)c->refused[i].e.data,
		    c->refused[i].e.len);
	c->nrefused = 0;
}

void
rcore_transfer_check(struct rcore *c, struct rcore_progress *p)
{
	struct rmsg m = {.type = RMSG_TIMEOUT_NOW, .to = p->id};

	if (c->transferee == p->id && p->match == rlog_last_index(&c->log))
		(void)rcore_send(c, &m);
}

int
rcore_transfer(struct rcore *c, uint64_t to)
{
	struct rcore_progress *p = rcore_progress(c, to);

	CAIRN_ASSERT(!c->in_update);
	if (c->role != RCORE_LEADER)
		return CAIRN_ENOTLEADER;
	if (p == NULL || p->learner || to == c->cfg.id)
		return CAIRN_EBADTRANSFEREE;
	c->transferee = to;
	c->transfer_elapsed = 0;
	rcore_transfer_check(c, p);
	(void)rcore_send_append(c, p, false);
	return 0;
}

/* A leader that removed itself steps down by handing over to the voter
 * furthest along. Stepping down at once could strand the others: they
 * apply the removal only once they learn it committed, and until then
 * they may need the old leader's vote, which its longer log can refuse.
 * (etcd's raft leaves this as a TODO and keeps the leader leading.) */
void
rcore_transfer_away(struct rcore *c)
{
	struct rcore_progress *best = NULL;

	for (size_t i = 0; i < c->nprs; i++) {
		struct rcore_progress *p = &c->prs[i];

		if (!p->learner && p->id != c->cfg.id && (best == NULL || p->match > best->match))
			best = p;
	}
	if (best == NULL) {
		rcore_become_follower(c, c->hs.term, 0);
		return;
	}
	c->transferee = best->id;
	c->transfer_elapsed = 0;
	rcore_transfer_check(c, best);
	(void)rcore_send_append(c, best, false);
}

/* A transfer not done within an election timeout is abandoned (the
 * target is likely down); proposals flow again, unless we were removed:
 * then we try again, perhaps with another. */
void
rcore_transfer_tick(struct rcore *c)
{
	if (c->transferee == 0 || ++c->transfer_elapsed < c->cfg.election_ticks)
		return;
	c->transferee = 0;
	if (!rcore_promotable(c))
		rcore_transfer_away(c);
}

void
rcore_step_timeout_now(struct rcore *c, const struct rmsg *m)
{
	/* Only from our leader, in its term; no pre-vote: the leader agreed. */
	if (c->role == RCORE_FOLLOWER && m->term == c->hs.term && m->from == c->leader &&
	    rcore_promotable(c))
		rcore_campaign(c);
}
