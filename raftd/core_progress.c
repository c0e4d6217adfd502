/*
 * raftd: flow control towards each follower (etcd's progress states).
 * PROBE sends one append and waits for its answer, to find where the
 * follower's log matches ours; REPLICATE streams appends, at most
 * max_inflight unacknowledged; SNAPSHOT sends nothing while a snapshot
 * is on its way. The in-flight window is a ring of each append's last
 * index, freed as acknowledgements arrive.
 */
#include "raftd/core_impl.h"
#include "shared/assert.h"

static void
pr_inflight_reset(struct rcore_progress *p)
{
	p->inflight.start = 0;
	p->inflight.count = 0;
}

void
pr_become_probe(struct rcore_progress *p)
{
	p->next = p->match + 1;
	/* After a snapshot, probe from just past it. */
	if (p->state == RCORE_PR_SNAPSHOT && p->pending_snapshot >= p->next)
		p->next = p->pending_snapshot + 1;
	p->state = RCORE_PR_PROBE;
	p->probe_sent = false;
	p->pending_snapshot = 0;
	pr_inflight_reset(p);
}

void
pr_become_replicate(struct rcore_progress *p)
{
	p->state = RCORE_PR_REPLICATE;
	p->next = p->match + 1;
	p->probe_sent = false;
	pr_inflight_reset(p);
}

void
pr_become_snapshot(struct rcore_progress *p, uint64_t index)
{
	p->state = RCORE_PR_SNAPSHOT;
	p->pending_snapshot = index;
	p->probe_sent = false;
	pr_inflight_reset(p);
}

bool
pr_inflight_full(const struct rcore_progress *p, unsigned max_inflight)
{
	return p->inflight.count >= max_inflight;
}

bool
pr_paused(const struct rcore_progress *p, unsigned max_inflight)
{
	switch (p->state) {
	case RCORE_PR_PROBE:
		return p->probe_sent;
	case RCORE_PR_REPLICATE:
		return pr_inflight_full(p, max_inflight);
	case RCORE_PR_SNAPSHOT:
		return true;
	}
	return true;
}

void
pr_inflight_add(struct rcore_progress *p, uint64_t last)
{
	CAIRN_ASSERT(p->inflight.count < RCORE_INFLIGHT_MAX);
	p->inflight.last[(p->inflight.start + p->inflight.count) % RCORE_INFLIGHT_MAX] = last;
	p->inflight.count++;
}

/* Frees every append whose last index is at or below 'index'. */
void
pr_inflight_free_to(struct rcore_progress *p, uint64_t index)
{
	while (p->inflight.count > 0 && p->inflight.last[p->inflight.start] <= index) {
		p->inflight.start = (p->inflight.start + 1) % RCORE_INFLIGHT_MAX;
		p->inflight.count--;
	}
}

/* A heartbeat answered while the window is full: let one more append go,
 * so that a lost append cannot stall the follower for good. */
void
pr_inflight_free_first(struct rcore_progress *p)
{
	if (p->inflight.count > 0)
		pr_inflight_free_to(p, p->inflight.last[p->inflight.start]);
}

uint64_t
pr_quorum_value(const struct rcore *c, uint64_t (*get)(const struct rcore_progress *))
{
	uint64_t v[RCORE_MEMBERS_MAX];
	size_t n = 0;

	for (size_t i = 0; i < c->nprs; i++) {
		uint64_t x = get(&c->prs[i]);
		size_t j;

		if (c->prs[i].learner)
			continue;
		/* Insertion sort, descending: at most RCORE_MEMBERS_MAX values. */
		for (j = n++; j > 0 && v[j - 1] < x; j--)
			v[j] = v[j - 1];
		v[j] = x;
	}
	CAIRN_ASSERT(n >= rcore_quorum(c));
	return v[rcore_quorum(c) - 1];
}
