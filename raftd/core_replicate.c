/*
 * raftd: log replication and commitment (thesis §3.5, §3.6.2). The leader
 * sends each follower the entries from its 'next' index, as flow control
 * allows (core_progress.c); a follower accepts them only when its entry
 * at the previous index has the previous term, truncating whatever
 * conflicts; the leader commits an entry of its own term once a majority
 * of voters holds it.
 */
#include "raftd/core_impl.h"
#include "shared/assert.h"

/* How many entries from 'from' fit in one append: at most
 * RCORE_APPEND_ENTRIES_MAX and max_msg_bytes of data, but at least one. */
static size_t
rcore_append_count(const struct rcore *c, uint64_t from)
{
	uint64_t last = rlog_last_index(&c->log), bytes = 0;
	size_t n = 0;

	for (uint64_t i = from; i <= last && n < RCORE_APPEND_ENTRIES_MAX; i++, n++) {
		bytes += rlog_at(&c->log, i)->len;
		if (n > 0 && bytes > c->cfg.max_msg_bytes)
			break;
	}
	return n;
}

/* Sends p what it lacks, if flow control allows; an empty append (to
 * carry the commit index, or to probe) only when send_empty. Returns
 * whether a message was queued. */
bool
rcore_send_append(struct rcore *c, struct rcore_progress *p, bool send_empty)
{
	struct rmsg m = {.type = RMSG_APPEND, .to = p->id};

	CAIRN_ASSERT(c->role == RCORE_LEADER);
	if (pr_paused(p, c->cfg.max_inflight) || rcore_outbox_full(c))
		return false;
	m.index = p->next - 1;
	if (!rlog_term(&c->log, m.index, &m.log_term)) {
		rcore_send_snapshot(c, p); /* compacted away: thesis §5.1 */
		return true;
	}
	/* Entries are named by range here (index + 1, n) and pointed to only
	 * in rcore_update: appends until then may move the log's array. */
	m.n = rcore_append_count(c, p->next);
	if (m.n == 0 && !send_empty)
		return false;
	/* Never tell a follower of a commit beyond what we send it. */
	m.commit = c->hs.commit < m.index + m.n ? c->hs.commit : m.index + m.n;
	(void)rcore_send(c, &m);
	if (p->state == RCORE_PR_PROBE)
		p->probe_sent = true;
	else if (m.n > 0) {
		p->next = m.index + m.n + 1;
		pr_inflight_add(p, p->next - 1);
	}
	return true;
}

void
rcore_broadcast_append(struct rcore *c)
{
	for (size_t i = 0; i < c->nprs; i++)
		if (c->prs[i].id != c->cfg.id)
			(void)rcore_send_append(c, &c->prs[i], true);
}

/* Appends m's entries after its prev index, truncating any conflict. */
static void
rcore_accept_entries(struct rcore *c, const struct rmsg *m)
{
	size_t i = 0;

	/* Skip what we already hold with the same term (duplicates, reorders). */
	for (; i < m->n; i++) {
		uint64_t t;

		if (!rlog_term(&c->log, m->entries[i].index, &t) || t != m->entries[i].term)
			break;
	}
	if (i == m->n)
		return;
	if (m->entries[i].index <= rlog_last_index(&c->log)) {
		/* Thesis §3.5: a conflict removes the entry and all after it.
		 * Committed entries never conflict (Log Matching). */
		CAIRN_ASSERT(m->entries[i].index > c->hs.commit);
		rlog_truncate_after(&c->log, m->entries[i].index - 1);
		if (c->stable > m->entries[i].index - 1)
			c->stable = m->entries[i].index - 1;
	}
	(void)rlog_append(&c->log, &m->entries[i], m->n - i);
}

/* A rejection tells the leader where to retry: the last index at or
 * before the rejected one whose term is not above the leader's there
 * (entries of later terms cannot match), and that index's term. */
static void
rcore_reject_append(struct rcore *c, const struct rmsg *m)
{
	struct rmsg r = {.type = RMSG_APPEND_RESP, .to = m->from, .reject = true,
	    .index = m->index};
	uint64_t h = rlog_last_index(&c->log), t = 0;

	if (h > m->index)
		h = m->index;
	while (rlog_term(&c->log, h, &t) && t > m->log_term && h >= c->log.first)
		h--;
	(void)rlog_term(&c->log, h, &t);
	r.hint = h;
	r.hint_term = t;
	(void)rcore_send(c, &r);
}

void
rcore_step_append(struct rcore *c, const struct rmsg *m)
{
	struct rmsg r = {.type = RMSG_APPEND_RESP, .to = m->from};
	uint64_t t, last_new;

	if (!rcore_hear_leader(c, m, &r))
		return;
	if (m->index < c->hs.commit) {
		/* Behind our commit (a snapshot, or an old message): those
		 * entries match; say how far we are. */
		r.index = c->hs.commit;
		(void)rcore_send(c, &r);
		return;
	}
	/* A member that joins takes a snapshot first: without one it knows
	 * no membership to apply the log to (cairn's bootstrap membership
	 * is not in the log). Rejected at index 0, the leader sends one. */
	if (c->nprs == 0 || !rlog_term(&c->log, m->index, &t) || t != m->log_term) {
		rcore_reject_append(c, m);
		return;
	}
	rcore_accept_entries(c, m);
	/* Acknowledge only what the log holds: a full log appends nothing. */
	last_new = m->index + m->n;
	if (last_new > rlog_last_index(&c->log))
		last_new = rlog_last_index(&c->log);
	rcore_commit_to(c, m->commit < last_new ? m->commit : last_new);
	r.index = last_new;
	(void)rcore_send(c, &r);
}

/* Where to retry after a rejection: skip back over our entries whose
 * term is above the follower's at its hint; never at or below match. */
static uint64_t
rcore_retry_next(const struct rcore *c, const struct rcore_progress *p, const struct rmsg *m)
{
	uint64_t n = m->hint, t;

	if (n > m->index)
		n = m->index;
	while (n > p->match && rlog_term(&c->log, n, &t) && t > m->hint_term)
		n--;
	return n + 1 > p->match + 1 ? n + 1 : p->match + 1;
}

static void
rcore_append_rejected(struct rcore *c, struct rcore_progress *p, const struct rmsg *m)
{
	uint64_t next;

	/* A rejection for an append we no longer wait for changes nothing. */
	if (p->state == RCORE_PR_REPLICATE ? m->index <= p->match : m->index != p->next - 1)
		return;
	if (p->state == RCORE_PR_SNAPSHOT)
		return;
	/* Refused even at index 0: a member that joins, with no state. */
	if (m->index == 0 && m->hint == 0) {
		pr_become_probe(p);
		p->next = 1;
		if (c->snap.meta.index > 0)
			rcore_send_snapshot(c, p);
		else
			c->snap_wanted = true; /* probed again at the next heartbeat */
		return;
	}
	next = rcore_retry_next(c, p, m);
	pr_become_probe(p);
	p->next = next;
	(void)rcore_send_append(c, p, true);
}

void
rcore_step_append_resp(struct rcore *c, const struct rmsg *m)
{
	struct rcore_progress *p = rcore_progress(c, m->from);
	uint64_t id = m->from;

	/* A response about entries we never had is not believed. */
	if (c->role != RCORE_LEADER || m->term != c->hs.term ||
	    m->index > rlog_last_index(&c->log))
		return;
	if (m->reject) {
		rcore_append_rejected(c, p, m);
		return;
	}
	p->probe_sent = false;
	if (m->index > p->match) {
		p->match = m->index;
		if (p->state == RCORE_PR_SNAPSHOT && p->match >= p->pending_snapshot)
			pr_become_probe(p);
		if (p->state == RCORE_PR_PROBE)
			pr_become_replicate(p);
		else
			pr_inflight_free_to(p, p->match);
	}
	if (p->next < p->match + 1)
		p->next = p->match + 1;
	if (rcore_maybe_commit(c)) {
		/* Followers learn the new commit index at once. */
		if (c->role == RCORE_LEADER)
			rcore_broadcast_append(c);
	}
	/* A committed membership change may have removed p, or us. */
	if (c->role != RCORE_LEADER || (p = rcore_progress(c, id)) == NULL)
		return;
	while (rcore_send_append(c, p, false))
		;
	rcore_transfer_check(c, p);
}

static uint64_t
pr_match(const struct rcore_progress *p)
{
	return p->match;
}

bool
rcore_maybe_commit(struct rcore *c)
{
	uint64_t n = pr_quorum_value(c, pr_match), t;

	CAIRN_ASSERT(c->role == RCORE_LEADER);
	if (n <= c->hs.commit)
		return false;
	CAIRN_ASSERT(rlog_term(&c->log, n, &t));
	/* Thesis §3.6.2: only an entry of the current term commits by counting
	 * replicas (earlier ones commit with it). Terms never decrease along
	 * the log, so if n is of an earlier term, no lower index qualifies. */
	if (t != c->hs.term)
		return false;
	rcore_commit_to(c, n);
	if (c->role == RCORE_LEADER)
		rcore_reads_on_commit(c);
	return true;
}

void
rcore_commit_to(struct rcore *c, uint64_t index)
{
	CAIRN_ASSERT(index <= rlog_last_index(&c->log));
	for (uint64_t i = c->hs.commit + 1; i <= index; i++) {
		/* Set first: applying a change may step us down, which reads it. */
		c->hs.commit = i;
		if (rlog_at(&c->log, i)->type == RAFT_ENTRY_CONF)
			rcore_conf_apply(c, rlog_at(&c->log, i));
	}
}
