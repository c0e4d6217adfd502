/*
 * Tests: Raft's safety properties (thesis figure 3.2), checked by the
 * simulator after every step: election safety, log matching, leader
 * completeness and state machine safety (entry by entry, and for whole
 * states moved by snapshots), that members with the same commit index
 * agree on the membership, and that read indexes are linearizable.
 */
#include <stdlib.h>
#include <string.h>

#include "tests/sim/sim.h"

void *
sim_grow(void *a, size_t size, uint64_t *cap, uint64_t i)
{
	uint64_t ncap = *cap ? *cap : 256;

	if (i < *cap)
		return a;
	while (ncap <= i)
		ncap *= 2;
	a = realloc(a, ncap * size);
	memset((char *)a + *cap * size, 0, (ncap - *cap) * size);
	*cap = ncap;
	return a;
}

static struct sim_slot *
slot(struct sim_history *h, uint64_t i)
{
	h->slots = sim_grow(h->slots, sizeof(*h->slots), &h->cap, i);
	return &h->slots[i];
}

/* Election safety: at most one leader per term. */
int
inv_on_leader(struct sim *s, const struct sim_node *node, uint64_t term)
{
	struct sim_history *h = &s->h;

	h->leader_of_term = sim_grow(h->leader_of_term, sizeof(uint64_t), &h->terms_cap, term);
	if (h->leader_of_term[term] != 0 && h->leader_of_term[term] != node->id)
		return sim_fail(s, "election safety: %llu and %llu both lead term %llu",
		    (unsigned long long)h->leader_of_term[term],
		    (unsigned long long)node->id, (unsigned long long)term);
	h->leader_of_term[term] = node->id;
	return 0;
}

/* Records the leader's commit of (from, to] in its term. */
int
inv_on_commit(struct sim *s, const struct sim_node *node, uint64_t from, uint64_t to)
{
	for (uint64_t i = from + 1; i <= to; i++)
		if (slot(&s->h, i)->commit_term == 0)
			slot(&s->h, i)->commit_term = node->core.hs.term;
	if (to > s->h.committed_max)
		s->h.committed_max = to;
	return 0;
}

/* State machine safety: no two members apply different entries at one index. */
int
inv_on_apply(struct sim *s, const struct sim_node *node, const struct raft_entry *e)
{
	struct sim_slot *sl = slot(&s->h, e->index);
	uint64_t hash = sim_hash(e->data, e->len);

	if (sl->term == 0) {
		sl->term = e->term;
		sl->hash = hash;
		sl->chain = node->chain;
		return 0;
	}
	if (sl->term != e->term || sl->hash != hash)
		return sim_fail(s, "state machine safety: node %llu applied term %llu at index %llu, "
		    "another applied term %llu", (unsigned long long)node->id,
		    (unsigned long long)e->term, (unsigned long long)e->index,
		    (unsigned long long)sl->term);
	if (sl->chain != node->chain)
		return sim_fail(s, "state machine safety: node %llu's state after index %llu "
		    "differs from another's", (unsigned long long)node->id,
		    (unsigned long long)e->index);
	return 0;
}

int
inv_on_state(struct sim *s, const struct sim_node *node, const struct sim_state *st)
{
	if (st->index == 0)
		return st->chain == 0 ? 0 : sim_fail(s, "node %llu: a state at index 0",
		    (unsigned long long)node->id);
	if (st->index >= s->h.cap || s->h.slots[st->index].term == 0)
		return sim_fail(s, "node %llu: a snapshot at index %llu nobody applied",
		    (unsigned long long)node->id, (unsigned long long)st->index);
	if (s->h.slots[st->index].chain != st->chain)
		return sim_fail(s, "state machine safety: node %llu holds a snapshot at index %llu "
		    "that differs from the applied history", (unsigned long long)node->id,
		    (unsigned long long)st->index);
	return 0;
}

uint64_t
inv_read_begin(struct sim *s)
{
	struct sim_history *h = &s->h;
	uint64_t ctx = ++h->nreads;

	h->reads = sim_grow(h->reads, sizeof(*h->reads), &h->reads_cap, ctx);
	h->reads[ctx] = (struct sim_read){.floor = h->committed_max};
	return ctx;
}

/* Linearizable: the index covers every write committed before the read
 * was asked, and is itself committed. Refusals are always allowed. */
int
inv_on_read(struct sim *s, const struct sim_node *node, const struct rcore_read *r)
{
	struct sim_history *h = &s->h;

	if (r->ctx == 0 || r->ctx > h->nreads)
		return sim_fail(s, "node %llu: a read state for unknown read %llu",
		    (unsigned long long)node->id, (unsigned long long)r->ctx);
	if (!r->ok) {
		s->stats->reads_refused++;
		return 0;
	}
	s->stats->reads_ok++;
	if (r->index < h->reads[r->ctx].floor)
		return sim_fail(s, "read index: node %llu read %llu at index %llu, below %llu "
		    "committed before it was asked", (unsigned long long)node->id,
		    (unsigned long long)r->ctx, (unsigned long long)r->index,
		    (unsigned long long)h->reads[r->ctx].floor);
	if (r->index > h->committed_max)
		return sim_fail(s, "read index: node %llu read %llu at index %llu, never committed",
		    (unsigned long long)node->id, (unsigned long long)r->ctx,
		    (unsigned long long)r->index);
	h->reads[r->ctx].ok = true;
	return 0;
}

/* Log matching: same index and term means identical logs up to there. */
static int
inv_log_matching(struct sim *s, const struct rlog *a, const struct rlog *b,
    uint64_t ida, uint64_t idb)
{
	uint64_t last = rlog_last_index(a) < rlog_last_index(b) ? rlog_last_index(a) : rlog_last_index(b);
	uint64_t lo = a->first > b->first ? a->first : b->first;
	bool matched = false;

	for (uint64_t i = last; i >= lo && i > 0; i--) {
		const struct raft_entry *x = rlog_at(a, i), *y = rlog_at(b, i);

		if (!matched && x->term == y->term)
			matched = true;
		if (matched && (x->term != y->term || x->len != y->len ||
		    (x->len > 0 && memcmp(x->data, y->data, x->len) != 0)))
			return sim_fail(s, "log matching: nodes %llu and %llu differ at index %llu "
			    "below a common entry", (unsigned long long)ida,
			    (unsigned long long)idb, (unsigned long long)i);
	}
	return 0;
}

/* Leader completeness: a leader holds every entry committed in an earlier term. */
static int
inv_leader_complete(struct sim *s, const struct sim_node *node)
{
	const struct rcore *c = &node->core;
	const struct sim_history *h = &s->h;

	for (uint64_t i = c->log.first; i < h->cap && h->slots[i].commit_term != 0; i++) {
		const struct sim_slot *sl = &h->slots[i];
		uint64_t t;

		if (sl->commit_term >= c->hs.term || sl->term == 0)
			continue;
		if (!rlog_term(&c->log, i, &t) || t != sl->term)
			return sim_fail(s, "leader completeness: leader %llu of term %llu lacks "
			    "index %llu committed in term %llu", (unsigned long long)node->id,
			    (unsigned long long)c->hs.term, (unsigned long long)i,
			    (unsigned long long)sl->commit_term);
	}
	return 0;
}

/* Whether member (id, learner) is in c's membership. */
static bool
inv_has_member(const struct rcore *c, const struct rcore_progress *p)
{
	for (size_t i = 0; i < c->nprs; i++)
		if (c->prs[i].id == p->id)
			return c->prs[i].learner == p->learner;
	return false;
}

/* Membership is a function of the committed log (changes apply when
 * committed, snapshots carry it): two members that committed the same
 * index must agree on it. */
static int
inv_same_membership(struct sim *s, const struct sim_node *a, const struct sim_node *b)
{
	const struct rcore *x = &a->core, *y = &b->core;
	bool same = x->nprs == y->nprs;

	if (x->hs.commit != y->hs.commit)
		return 0;
	for (size_t i = 0; same && i < x->nprs; i++)
		same = inv_has_member(y, &x->prs[i]);
	if (!same)
		return sim_fail(s, "membership: nodes %llu and %llu committed index %llu but "
		    "differ on the members", (unsigned long long)a->id, (unsigned long long)b->id,
		    (unsigned long long)x->hs.commit);
	return 0;
}

int
inv_check_all(struct sim *s)
{
	for (unsigned i = 0; i < s->n; i++) {
		const struct sim_node *a = &s->nodes[i];

		if (!a->up)
			continue;
		if (a->core.role == RCORE_LEADER && inv_leader_complete(s, a) != 0)
			return -1;
		for (unsigned j = i + 1; j < s->n; j++)
			if (s->nodes[j].up && (inv_log_matching(s, &a->core.log,
			    &s->nodes[j].core.log, a->id, s->nodes[j].id) != 0 ||
			    inv_same_membership(s, a, &s->nodes[j]) != 0))
				return -1;
	}
	return 0;
}
