/*
 * raftd: snapshots (thesis chapter 5). The application snapshots its
 * state at an applied index and the log is compacted behind it, keeping
 * some entries for followers only a little behind. A follower that needs
 * compacted entries gets the snapshot instead (InstallSnapshot; its data
 * travels by reference, outside the core), then the log after it.
 */
#include "raftd/core_impl.h"
#include "shared/assert.h"
#include "shared/err.h"

int
rcore_compact(struct rcore *c, uint64_t index, uint64_t ref, struct raft_snapshot_marker *out)
{
	uint64_t term;

	CAIRN_ASSERT(!c->in_update);
	if (index <= c->snap.meta.index || index > c->applied)
		return CAIRN_EINVAL;
	CAIRN_ASSERT(rlog_term(&c->log, index, &term));
	/* The membership as of index: the old snapshot's, plus the changes
	 * committed since, which the log still holds. */
	rcore_conf_at(c, index, &c->snap.meta.conf);
	c->snap.meta.index = index;
	c->snap.meta.term = term;
	c->snap.ref = ref;
	if (index > c->cfg.catchup_entries && index - c->cfg.catchup_entries >= c->log.first)
		rlog_compact(&c->log, index - c->cfg.catchup_entries);
	*out = c->snap.meta;
	return 0;
}

/* The message is completed in rcore_update, with the snapshot then. */
void
rcore_send_snapshot(struct rcore *c, struct rcore_progress *p)
{
	struct rmsg m = {.type = RMSG_SNAPSHOT, .to = p->id};

	CAIRN_ASSERT(c->snap.meta.index + 1 >= c->log.first);
	if (rcore_send(c, &m))
		pr_become_snapshot(p, c->snap.meta.index);
}

void
rcore_snapshot_status(struct rcore *c, uint64_t to, bool ok)
{
	struct rcore_progress *p = rcore_progress(c, to);

	CAIRN_ASSERT(!c->in_update);
	if (c->role != RCORE_LEADER || p == NULL || p->state != RCORE_PR_SNAPSHOT)
		return;
	if (!ok)
		p->pending_snapshot = 0;
	pr_become_probe(p);
	/* Wait for a heartbeat's answer before probing (etcd does too). */
	p->probe_sent = true;
}

bool
rcore_snapshot_wanted(struct rcore *c)
{
	bool w = c->snap_wanted;

	c->snap_wanted = false;
	return w;
}

/* Replaces our log by the snapshot: everything we held is either in it
 * or conflicts with it. */
static void
rcore_restore(struct rcore *c, const struct rcore_snapshot *s)
{
	rlog_reset(&c->log, s->meta.index, s->meta.term);
	c->stable = s->meta.index;
	c->hs.commit = s->meta.index;
	c->applied = s->meta.index;
	c->snap = *s;
	c->snap_install = true;
	rcore_conf_set(c, &s->meta.conf);
}

void
rcore_step_snapshot(struct rcore *c, const struct rmsg *m)
{
	struct rmsg r = {.type = RMSG_APPEND_RESP, .to = m->from};
	const struct raft_snapshot_marker *s = &m->snap->meta;
	uint64_t t;

	if (!rcore_hear_leader(c, m, &r))
		return;
	if (s->index <= c->hs.commit) {
		r.index = c->hs.commit; /* nothing new in it */
	} else if (rlog_term(&c->log, s->index, &t) && t == s->term) {
		/* We hold its last entry, so all before it (Log Matching). */
		rcore_commit_to(c, s->index);
		r.index = s->index;
	} else {
		rcore_restore(c, m->snap);
		r.index = s->index;
	}
	(void)rcore_send(c, &r);
}
