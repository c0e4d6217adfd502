/*
 * raftd: log replication and commitment (thesis §3.5, §3.6.2). The leader
 * sends each follower the entries from its 'next' index; a follower
 * accepts them only when its entry at the previous index has the
 * previous term, truncating whatever conflicts; the leader commits an
 * entry of its own term once a majority holds it.
 */
#include "raftd/core.h"
#include "shared/assert.h"

void
rcore_send_append(struct rcore *c, struct rcore_progress *p)
{
	uint64_t last = rlog_last_index(&c->log);
	struct rmsg m = {.type = RMSG_APPEND, .to = p->id, .commit = c->hs.commit};

	CAIRN_ASSERT(c->role == RCORE_LEADER);
	if (p->next < c->log.first)
		p->next = c->log.first; /* snapshots come later: never below the window */
	m.index = p->next - 1;
	CAIRN_ASSERT(rlog_term(&c->log, m.index, &m.log_term));
	/* Entries are named by range here (index + 1, n) and pointed to only
	 * in rcore_update: appends until then may move the log's array. */
	if (p->next <= last) {
		m.n = (size_t)(last - p->next + 1);
		if (m.n > RCORE_APPEND_ENTRIES_MAX)
			m.n = RCORE_APPEND_ENTRIES_MAX;
	}
	/* Never tell a follower of a commit beyond what we send it. */
	if (m.commit > m.index + m.n)
		m.commit = m.index + m.n;
	rcore_send(c, &m);
}

void
rcore_broadcast_append(struct rcore *c)
{
	for (size_t i = 0; i < c->nprs; i++)
		if (c->prs[i].id != c->cfg.id)
			rcore_send_append(c, &c->prs[i]);
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

void
rcore_step_append(struct rcore *c, const struct rmsg *m)
{
	struct rmsg r = {.type = RMSG_APPEND_RESP, .to = m->from};
	uint64_t t, last_new;

	if (m->term < c->hs.term) {
		/* A stale leader learns our term from the reply and steps down. */
		r.reject = true;
		rcore_send(c, &r);
		return;
	}
	if (c->role != RCORE_FOLLOWER || c->leader != m->from)
		rcore_become_follower(c, m->term, m->from);
	c->elapsed = 0;
	if (!rlog_term(&c->log, m->index, &t) || t != m->log_term) {
		r.reject = true;
		r.index = m->index;
		r.hint = rlog_last_index(&c->log);
		rcore_send(c, &r);
		return;
	}
	rcore_accept_entries(c, m);
	/* Acknowledge only what the log holds: a full log appends nothing. */
	last_new = m->index + m->n;
	if (last_new > rlog_last_index(&c->log))
		last_new = rlog_last_index(&c->log);
	if (m->commit > c->hs.commit) {
		uint64_t commit = m->commit < last_new ? m->commit : last_new;

		if (commit > c->hs.commit)
			c->hs.commit = commit;
	}
	r.index = last_new;
	rcore_send(c, &r);
}

void
rcore_step_append_resp(struct rcore *c, const struct rmsg *m)
{
	struct rcore_progress *p = rcore_progress(c, m->from);

	/* A response about entries we never had is not believed. */
	if (c->role != RCORE_LEADER || m->term != c->hs.term ||
	    m->index > rlog_last_index(&c->log))
		return;
	if (m->reject) {
		/* Back off to just after the follower's last entry, or by one;
		 * a stale rejection (for an old next) changes nothing. */
		if (m->index != p->next - 1)
			return;
		p->next = m->hint + 1 < p->next ? m->hint + 1 : p->next - 1;
		if (p->next <= p->match)
			p->next = p->match + 1;
		rcore_send_append(c, p);
		return;
	}
	if (m->index > p->match)
		p->match = m->index;
	if (p->next < p->match + 1)
		p->next = p->match + 1;
	/* Followers learn a new commit index with their next append. */
	(void)rcore_maybe_commit(c);
	if (p->next <= rlog_last_index(&c->log))
		rcore_send_append(c, p);
}

/* The quorum-th largest match is the highest index a majority holds. */
static uint64_t
rcore_quorum_match(const struct rcore *c)
{
	uint64_t m[RCORE_MEMBERS_MAX];

	for (size_t i = 0; i < c->nprs; i++) {
		size_t j = i;

		/* Insertion sort, descending: at most RCORE_MEMBERS_MAX values. */
		for (; j > 0 && m[j - 1] < c->prs[i].match; j--)
			m[j] = m[j - 1];
		m[j] = c->prs[i].match;
	}
	return m[rcore_quorum(c) - 1];
}

bool
rcore_maybe_commit(struct rcore *c)
{
	uint64_t n = rcore_quorum_match(c), t;

	CAIRN_ASSERT(c->role == RCORE_LEADER);
	if (n <= c->hs.commit)
		return false;
	CAIRN_ASSERT(rlog_term(&c->log, n, &t));
	/* Thesis §3.6.2: only an entry of the current term commits by counting
	 * replicas (earlier ones commit with it). Terms never decrease along
	 * the log, so if n is of an earlier term, no lower index qualifies. */
	if (t != c->hs.term)
		return false;
	c->hs.commit = n;
	return true;
}
