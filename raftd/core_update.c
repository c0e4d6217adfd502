/*
 * raftd: handing work to the caller. An update lists the snapshot to
 * install, the hard state and entries to persist, the messages to send
 * once they are durable, the committed entries that are durable here, to
 * apply, and the read states (STYLE.md 6: persist before anyone is
 * told). rcore_advance() takes back what was done.
 */
#include "raftd/core_impl.h"
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
	return c->snap_install || c->append_due || rcore_hs_changed(c) ||
	    c->stable < rlog_last_index(&c->log) || c->nmsgs > 0 ||
	    c->applied < rcore_apply_limit(c) || c->nreads_out > 0 || c->nrefused > 0;
}

/* Whether a queued message still holds. Appends and snapshots queued in
 * a term or a leadership we no longer hold are dropped: what they name
 * may have changed since; so are appends whose entries were compacted. */
static bool
rcore_msg_valid(const struct rcore *c, const struct rmsg *m)
{
	bool leader_only = m->type == RMSG_APPEND || m->type == RMSG_SNAPSHOT ||
	    m->type == RMSG_HEARTBEAT || m->type == RMSG_TIMEOUT_NOW;

	if (leader_only && (c->role != RCORE_LEADER || m->term != c->hs.term))
		return false;
	return m->type != RMSG_APPEND || m->n == 0 || m->index + 1 >= c->log.first;
}

/* Points each queued message at what it carries, now that the log will
 * not change until rcore_advance. */
static void
rcore_resolve_msgs(struct rcore *c)
{
	size_t kept = 0;

	for (size_t i = 0; i < c->nmsgs; i++) {
		struct rmsg *m = &c->msgs[i];

		if (!rcore_msg_valid(c, m))
			continue;
		if (m->type == RMSG_APPEND && m->n > 0)
			m->entries = rlog_at(&c->log, m->index + 1);
		if (m->type == RMSG_SNAPSHOT) {
			m->snap = &c->snap;
			m->index = c->snap.meta.index;
			m->log_term = c->snap.meta.term;
		}
		c->msgs[kept++] = *m;
	}
	c->nmsgs = kept;
}

/* Proposals since the last update go out together: one append per
 * follower carries up to RCORE_APPEND_ENTRIES_MAX of them. */
static void
rcore_send_new_entries(struct rcore *c)
{
	if (c->append_due && c->role == RCORE_LEADER)
		for (size_t i = 0; i < c->nprs; i++)
			while (c->prs[i].id != c->cfg.id && rcore_send_append(c, &c->prs[i], false))
				;
	c->append_due = false;
}

void
rcore_update(struct rcore *c, struct rcore_update *u)
{
	uint64_t last = rlog_last_index(&c->log), limit = rcore_apply_limit(c);

	CAIRN_ASSERT(!c->in_update);
	rcore_send_new_entries(c);
	c->in_update = true;
	rcore_resolve_msgs(c);
	u->snapshot = c->snap_install ? &c->snap : NULL;
	u->hs = c->hs;
	u->hs_changed = rcore_hs_changed(c);
	u->n = (size_t)(last - c->stable);
	u->entries = u->n > 0 ? rlog_at(&c->log, c->stable + 1) : NULL;
	u->msgs = c->msgs;
	u->nmsgs = c->nmsgs;
	u->ncommitted = (size_t)(limit > c->applied ? limit - c->applied : 0);
	u->committed = u->ncommitted > 0 ? rlog_at(&c->log, c->applied + 1) : NULL;
	u->reads = c->reads_out;
	u->nreads = c->nreads_out;
	u->refused = c->refused;
	u->nrefused = c->nrefused;
	u->role = c->role;
	u->leader = c->leader;
}

static void
rcore_msgs_release(struct rcore *c)
{
	for (size_t i = 0; i < c->nmsgs; i++)
		if (c->msgs[i].type == RMSG_PROPOSE || c->msgs[i].type == RMSG_PROPOSE_RESP)
			rcore_forward_free(c, &c->msgs[i]);
	c->nmsgs = 0;
}

void
rcore_advance(struct rcore *c, const struct rcore_update *u)
{
	struct rcore_progress *self = rcore_progress(c, c->cfg.id);

	CAIRN_ASSERT(c->in_update);
	c->in_update = false;
	c->snap_install = false;
	c->hs_sent = u->hs;
	if (u->n > 0)
		c->stable = u->entries[u->n - 1].index;
	if (u->ncommitted > 0)
		c->applied = u->committed[u->ncommitted - 1].index;
	rcore_msgs_release(c);
	rcore_refused_release(c);
	c->nreads_out = 0;
	c->read_round_due = false;
	/* The leader counts itself only for what is durable on its disk
	 * (and not at all once it removed itself). */
	if (c->role == RCORE_LEADER) {
		if (self != NULL) {
			self->match = c->stable;
			self->next = c->stable + 1;
		}
		if (rcore_maybe_commit(c) && c->role == RCORE_LEADER)
			rcore_broadcast_append(c);
	}
}

void
rcore_close(struct rcore *c)
{
	rcore_msgs_release(c);
	rcore_refused_release(c);
	rlog_close(&c->log);
}
