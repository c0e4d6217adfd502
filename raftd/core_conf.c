/*
 * raftd: membership (thesis §4.1, single-server changes, as in etcd).
 * One change at a time, proposed by the leader only once its previous one
 * (or, for a new leader, everything before its term) has committed, and
 * applied by every member when it sees the entry committed. Learners
 * receive the log but neither vote nor count for a quorum; one is
 * promoted only when its log is close to the leader's.
 */
#include <string.h>

#include "raftd/conf_change.h"
#include "raftd/core_impl.h"
#include "shared/assert.h"
#include "shared/err.h"

static void
conf_member_init(struct rcore *c, struct rcore_progress *p, uint64_t id, bool learner)
{
	memset(p, 0, sizeof(*p));
	p->id = id;
	p->learner = learner;
	p->next = rlog_last_index(&c->log) + 1;
	p->recent_active = true; /* a new member gets an election timeout */
}

void
rcore_conf_set(struct rcore *c, const struct raft_conf *conf)
{
	struct rcore_progress old[RCORE_MEMBERS_MAX];
	size_t nold = c->nprs;

	memcpy(old, c->prs, nold * sizeof(old[0]));
	c->nprs = 0;
	for (size_t i = 0; i < conf->n && i < RCORE_MEMBERS_MAX; i++) {
		const struct raft_member *m = &conf->m[i];
		struct rcore_progress *p = &c->prs[c->nprs];
		bool known = false;

		if (m->id == 0 || rcore_progress(c, m->id) != NULL)
			continue;
		for (size_t j = 0; j < nold && !known; j++)
			if ((known = old[j].id == m->id))
				*p = old[j];
		if (!known)
			conf_member_init(c, p, m->id, m->learner);
		p->learner = m->learner;
		c->nprs++;
	}
}

void
rcore_conf_get(const struct rcore *c, struct raft_conf *conf)
{
	memset(conf, 0, sizeof(*conf));
	for (size_t i = 0; i < c->nprs; i++)
		conf->m[conf->n++] = (struct raft_member){c->prs[i].id, c->prs[i].learner};
}

/* Applies one change to 'conf'; false when it does not apply. */
static bool
conf_change(struct raft_conf *conf, uint8_t op, uint64_t id)
{
	uint32_t i = 0;

	while (i < conf->n && conf->m[i].id != id)
		i++;
	switch (op) {
	case RAFT_CONF_ADD:
	case RAFT_CONF_ADD_LEARNER:
		if (i < conf->n || conf->n == RAFT_MEMBERS_MAX)
			return false;
		conf->m[conf->n++] = (struct raft_member){id, op == RAFT_CONF_ADD_LEARNER};
		return true;
	case RAFT_CONF_REMOVE:
		if (i == conf->n)
			return false;
		conf->m[i] = conf->m[--conf->n];
		return true;
	case RAFT_CONF_PROMOTE:
		if (i == conf->n || !conf->m[i].learner)
			return false;
		conf->m[i].learner = false;
		return true;
	}
	return false; /* RAFT_CONF_UPDATE: the application's business */
}

void
rcore_conf_apply(struct rcore *c, const struct raft_entry *e)
{
	struct raft_conf conf;
	uint8_t op;
	uint64_t id;

	rcore_conf_get(c, &conf);
	if (!conf_change_decode(e, &op, &id) || !conf_change(&conf, op, id))
		return;
	rcore_conf_set(c, &conf);
	if (c->transferee != 0 && rcore_progress(c, c->transferee) == NULL)
		c->transferee = 0;
	/* etcd's rule: a leader that removed itself steps down (handing
	 * over first); without a vote it never campaigns again. */
	if (c->role == RCORE_LEADER && !rcore_promotable(c) && c->transferee == 0)
		rcore_transfer_away(c);
}

void
rcore_conf_at(const struct rcore *c, uint64_t index, struct raft_conf *conf)
{
	uint8_t op;
	uint64_t id;

	CAIRN_ASSERT(index <= c->hs.commit);
	*conf = c->snap.meta.conf;
	for (uint64_t i = c->snap.meta.index + 1; i <= index; i++)
		if (conf_change_decode(rlog_at(&c->log, i), &op, &id))
			(void)conf_change(conf, op, id);
}

/* etcd's rules for a change against the current membership. */
static int
conf_check(struct rcore *c, uint8_t op, uint64_t id)
{
	struct rcore_progress *p = rcore_progress(c, id), *self;

	switch (op) {
	case RAFT_CONF_ADD:
	case RAFT_CONF_ADD_LEARNER:
		if (p != NULL)
			return CAIRN_EMEMBEREXIST;
		return c->nprs == RCORE_MEMBERS_MAX ? CAIRN_EINVAL : 0;
	case RAFT_CONF_REMOVE:
		if (p == NULL)
			return CAIRN_EMEMBERNOTFOUND;
		return !p->learner && rcore_quorum(c) == 1 && id == c->cfg.id ? CAIRN_EINVAL : 0;
	case RAFT_CONF_UPDATE:
		return p == NULL ? CAIRN_EMEMBERNOTFOUND : 0;
	case RAFT_CONF_PROMOTE:
		if (p == NULL)
			return CAIRN_EMEMBERNOTFOUND;
		if (!p->learner)
			return CAIRN_ENOTLEARNER;
		self = rcore_progress(c, c->cfg.id);
		if (self == NULL || p->match * 100 < self->match * RCORE_LEARNER_READY_PERCENT)
			return CAIRN_ELEARNERNOTREADY;
		return 0;
	}
	return CAIRN_EINVAL;
}

int
rcore_conf_append(struct rcore *c, uint8_t op, uint64_t id, const uint8_t *ctx, uint32_t len)
{
	struct raft_entry e = {.term = c->hs.term, .index = rlog_last_index(&c->log) + 1,
	    .type = RAFT_ENTRY_CONF, .len = RAFT_CONF_FIXED_BYTES + len};
	uint8_t *buf;
	int rc;

	if (c->transferee != 0)
		return CAIRN_EPROPDROPPED;
	if (c->pending_conf > c->hs.commit)
		return CAIRN_ECONFPENDING;
	if ((rc = conf_check(c, op, id)) != 0)
		return rc;
	if ((buf = c->cfg.alloc.alloc(c->cfg.alloc.ctx, e.len)) == NULL)
		return CAIRN_EAGAIN;
	conf_change_encode(buf, op, id);
	if (len > 0)
		memcpy(buf + RAFT_CONF_FIXED_BYTES, ctx, len);
	e.data = buf;
	rc = rlog_append(&c->log, &e, 1) == 0 ? 0 : CAIRN_EAGAIN;
	c->cfg.alloc.free(c->cfg.alloc.ctx, buf, e.len);
	if (rc != 0)
		return rc;
	c->pending_conf = e.index;
	c->append_due = true;
	return 0;
}

int
rcore_propose_conf(struct rcore *c, enum raft_conf_op op, uint64_t id,
    const uint8_t *ctx, uint32_t len)
{
	uint8_t head[RAFT_CONF_FIXED_BYTES];

	CAIRN_ASSERT(!c->in_update);
	if (id == 0 || op < RAFT_CONF_ADD || op > RAFT_CONF_PROMOTE)
		return CAIRN_EINVAL;
	if (len > RAFT_ENTRY_BYTES_MAX - RAFT_CONF_FIXED_BYTES)
		return CAIRN_ETOOBIG;
	if (c->role == RCORE_LEADER)
		return rcore_conf_append(c, (uint8_t)op, id, ctx, len);
	if (c->leader == 0)
		return CAIRN_ENOLEADER;
	conf_change_encode(head, (uint8_t)op, id);
	return rcore_forward(c, RAFT_ENTRY_CONF, head, sizeof(head), ctx, len);
}
