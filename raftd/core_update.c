/*
 * raftd: handing work to the caller. An update lists the hard state and
 * entries to persist, the messages to send once they are durable, and the
 * committed entries that are durable here, to apply (STYLE.md 6: persist
 * before anyone is told). rcore_advance() takes back what was done.
 */
#include "raftd/core.h"
#include "shared/assert.h"

static bool
rcore_hs_changed(const struct rcore *c)
{
	return c->hs.term != c->hs_sent.term || c->hs.vote != c->hs_sent.vote ||
	    c->hs.commit != c->hs_sent.commit;
}

/* Last index that may be applied: committed, and durable on this member. */
static uint64_t
rcore_apply_limit(const struct rcore *c)
{
	return c->hs.commit < c->stable ? c->hs.commit : c->stable;
}

bool
rcore_has_update(const struct rcore *c)
{
	return rcore_hs_changed(c) || c->stable < rlog_last_index(&c->log) ||
	    c->nmsgs > 0 || c->applied < rcore_apply_limit(c);
}

/* Points each queued append at its entries, now that the log will not
 * change until rcore_advance. Appends queued in a term or a leadership we
 * no longer hold are dropped: their range may have been rewritten since. */
static void
rcore_resolve_msgs(struct rcore *c)
{
	size_t kept = 0;

	for (size_t i = 0; i < c->nmsgs; i++) {
		struct rmsg *m = &c->msgs[i];

		if (m->type == RMSG_APPEND && (c->role != RCORE_LEADER || m->term != c->hs.term))
			continue;
		if (m->type == RMSG_APPEND && m->n > 0)
			m->entries = rlog_at(&c->log, m->index + 1);
		c->msgs[kept++] = *m;
	}
	c->nmsgs = kept;
}

void
rcore_update(struct rcore *c, struct rcore_update *u)
{
	uint64_t last = rlog_last_index(&c->log), limit = rcore_apply_limit(c);

	CAIRN_ASSERT(!c->in_update);
	c->in_update = true;
	rcore_resolve_msgs(c);
	u->hs = c->hs;
	u->hs_changed = rcore_hs_changed(c);
	u->n = (size_t)(last - c->stable);
	u->entries = u->n > 0 ? rlog_at(&c->log, c->stable + 1) : NULL;
	u->msgs = c->msgs;
	u->nmsgs = c->nmsgs;
	u->ncommitted = (size_t)(limit > c->applied ? limit - c->applied : 0);
	u->committed = u->ncommitted > 0 ? rlog_at(&c->log, c->applied + 1) : NULL;
	u->role = c->role;
	u->leader = c->leader;
}

void
rcore_advance(struct rcore *c, const struct rcore_update *u)
{
	struct rcore_progress *self = rcore_progress(c, c->cfg.id);

	CAIRN_ASSERT(c->in_update);
	c->in_update = false;
	c->hs_sent = u->hs;
	if (u->n > 0)
		c->stable = u->entries[u->n - 1].index;
	if (u->ncommitted > 0)
		c->applied = u->committed[u->ncommitted - 1].index;
	c->nmsgs = 0;
	/* The leader counts itself only for what is durable on its disk. */
	if (c->role == RCORE_LEADER) {
		self->match = c->stable;
		self->next = c->stable + 1;
		rcore_maybe_commit(c);
	}
}
