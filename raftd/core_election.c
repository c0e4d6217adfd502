/*
 * raftd: leader election (thesis §3.4, figure 3.1). A follower whose
 * randomized timeout expires becomes a candidate for the next term, votes
 * for itself and asks the others; a majority of votes makes it leader.
 */
#include "raftd/core_impl.h"
#include "shared/assert.h"

/* Asks every other member for its (pre-)vote for 'term'. */
static void
rcore_request_votes(struct rcore *c, uint8_t type, uint64_t term)
{
	struct rmsg m = {.type = type, .term = term};

	for (size_t i = 0; i < c->nprs; i++) {
		c->prs[i].vote_granted = c->prs[i].id == c->cfg.id;
		c->prs[i].vote_answered = c->prs[i].vote_granted;
	}
	m.index = rlog_last_index(&c->log);
	m.log_term = rlog_last_term(&c->log);
	for (size_t i = 0; i < c->nprs; i++) {
		if (c->prs[i].id == c->cfg.id || c->prs[i].learner)
			continue;
		m.to = c->prs[i].id;
		rcore_send(c, &m);
	}
}

void
rcore_campaign(struct rcore *c)
{
	CAIRN_ASSERT(c->role != RCORE_LEADER && rcore_promotable(c));
	rcore_become_follower(c, c->hs.term + 1, 0);
	c->role = RCORE_CANDIDATE;
	c->hs.vote = c->cfg.id;
	if (rcore_quorum(c) == 1) {
		rcore_become_leader(c);
		return;
	}
	rcore_request_votes(c, RMSG_VOTE, c->hs.term);
}

/* Thesis §9.6: first ask whether we could win, without raising any term,
 * so that a member cut off for a while cannot disrupt a healthy leader. */
void
rcore_pre_campaign(struct rcore *c)
{
	CAIRN_ASSERT(c->role != RCORE_LEADER && rcore_promotable(c));
	if (rcore_quorum(c) == 1) {
		rcore_campaign(c);
		return;
	}
	rcore_become_follower(c, c->hs.term, 0);
	c->role = RCORE_PRECANDIDATE;
	rcore_request_votes(c, RMSG_PREVOTE, c->hs.term + 1);
}

/* Thesis §3.6.1: grant only to a candidate whose log is at least as
 * up to date as ours (last term, then last index). */
static bool
rcore_log_ok(const struct rcore *c, uint64_t last_index, uint64_t last_term)
{
	uint64_t my_term = rlog_last_term(&c->log);

	return last_term > my_term ||
	    (last_term == my_term && last_index >= rlog_last_index(&c->log));
}

/* Every answer to a (pre-)vote says what we know is committed, and the
 * term of our entry there (see rcore_learn_commit). */
static void
rcore_vote_answer(struct rcore *c, struct rmsg *r)
{
	r->commit = c->hs.commit;
	(void)rlog_term(&c->log, c->hs.commit, &r->log_term);
	(void)rcore_send(c, r);
}

/* Log Matching: if our entry at a member's commit index has the term its
 * entry there has, our logs agree up to it, so it is committed here too.
 * A candidate learns this way of a committed membership change that it
 * did not know of and that decides its election; without it a member
 * whose removal we have not yet seen committed, with a longer log, could
 * refuse us for good while never campaigning itself. */
static void
rcore_learn_commit(struct rcore *c, const struct rmsg *m)
{
	uint64_t t;

	if (m->commit > c->hs.commit && rlog_term(&c->log, m->commit, &t) && t == m->log_term)
		rcore_commit_to(c, m->commit);
}

void
rcore_step_vote(struct rcore *c, const struct rmsg *m)
{
	struct rmsg r = {.type = RMSG_VOTE_RESP, .to = m->from, .reject = true};
	bool free_vote = c->hs.vote == 0 || c->hs.vote == m->from;

	/* rcore_step already moved us to m->term if it was higher. */
	if (m->term == c->hs.term && free_vote && rcore_log_ok(c, m->index, m->log_term)) {
		c->hs.vote = m->from;
		/* Granting a vote resets our timer (thesis §3.4). */
		c->elapsed = 0;
		r.reject = false;
	}
	rcore_vote_answer(c, &r);
}

/* A pre-vote is granted for a later term to an up-to-date log, unless we
 * heard from a leader within an election timeout (it is alive). Nothing of
 * ours changes: no term, no vote. */
void
rcore_step_prevote(struct rcore *c, const struct rmsg *m)
{
	struct rmsg r = {.type = RMSG_PREVOTE_RESP, .to = m->from, .reject = true};
	bool leader_alive = rcore_leader_alive(c);

	/* A grant answers in the term asked about; a refusal in ours. */
	if (m->term > c->hs.term && !leader_alive && c->role != RCORE_LEADER &&
	    rcore_log_ok(c, m->index, m->log_term)) {
		r.reject = false;
		r.term = m->term;
	}
	rcore_vote_answer(c, &r);
}

void
rcore_step_vote_resp(struct rcore *c, const struct rmsg *m)
{
	struct rcore_progress *p;
	bool pre = m->type == RMSG_PREVOTE_RESP;
	size_t granted = 0, rejected = 0;

	rcore_learn_commit(c, m);
	/* What we learned may have removed us, or the one answering. */
	if (c->role != RCORE_LEADER && c->role != RCORE_FOLLOWER && !rcore_promotable(c)) {
		rcore_become_follower(c, c->hs.term, 0);
		return;
	}
	p = rcore_progress(c, m->from);
	if (p == NULL || c->role != (pre ? RCORE_PRECANDIDATE : RCORE_CANDIDATE) ||
	    p->vote_answered)
		return;
	if (m->term != (pre && !m->reject ? c->hs.term + 1 : c->hs.term))
		return;
	p->vote_answered = true;
	p->vote_granted = !m->reject;
	for (size_t i = 0; i < c->nprs; i++) {
		if (c->prs[i].learner)
			continue;
		granted += c->prs[i].vote_granted;
		rejected += c->prs[i].vote_answered && !c->prs[i].vote_granted;
	}
	if (granted >= rcore_quorum(c)) {
		if (pre)
			rcore_campaign(c);
		else
			rcore_become_leader(c);
	} else if (rejected >= rcore_quorum(c))
		rcore_become_follower(c, c->hs.term, 0);
}

/* Check-quorum (thesis §6.2): a leader that has not heard from a majority
 * within an election timeout may be cut off; it steps down, so that it
 * stops claiming leadership (and, with ReadIndex, serving reads). */
void
rcore_check_quorum(struct rcore *c)
{
	size_t active = 0;

	CAIRN_ASSERT(c->role == RCORE_LEADER);
	for (size_t i = 0; i < c->nprs; i++) {
		active += c->prs[i].recent_active && !c->prs[i].learner;
		c->prs[i].recent_active = c->prs[i].id == c->cfg.id;
	}
	if (active < rcore_quorum(c))
		rcore_become_follower(c, c->hs.term, 0);
}
