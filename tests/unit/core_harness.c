/*
 * Tests: the harness of the core tests (core_harness.h). Every message a
 * member sends is deep-copied into one queue, so that the sender may
 * advance (and its log move) before the message is delivered.
 */
#include <CUnit/CUnit.h>
#include <stdlib.h>
#include <string.h>

#include "raftd/alloc_heap.h"
#include "tests/lib/runner.h"
#include "tests/unit/core_harness.h"

struct rcore cores[HARNESS_MEMBERS_MAX + 1];
struct member_seen seen[HARNESS_MEMBERS_MAX + 1];
struct queued queue[QUEUE_MAX];
unsigned nqueue;
unsigned sent[RMSG_TYPE_LAST + 1];
static size_t nstarted; /* members 1..nstarted are open */

static struct raft_entry *
entries_copy(const struct raft_entry *src, size_t n)
{
	struct raft_entry *e = n ? malloc(n * sizeof(*e)) : NULL;

	CU_ASSERT_FATAL(n == 0 || e != NULL);
	for (size_t i = 0; i < n; i++) {
		uint8_t *data = src[i].len ? malloc(src[i].len) : NULL;

		CU_ASSERT_FATAL(src[i].len == 0 || data != NULL);
		e[i] = src[i];
		if (src[i].len)
			memcpy(data, src[i].data, src[i].len);
		e[i].data = data;
	}
	return e;
}

void
enqueue(const struct rmsg *m)
{
	struct queued *q = &queue[nqueue];

	CU_ASSERT_FATAL(nqueue < QUEUE_MAX);
	q->m = *m;
	q->ents = entries_copy(m->entries, m->n);
	q->m.entries = q->ents;
	q->snap = NULL;
	/* A snapshot points into the sender's core, valid until its advance. */
	if (m->snap != NULL) {
		q->snap = malloc(sizeof(*q->snap));
		CU_ASSERT_FATAL(q->snap != NULL);
		*q->snap = *m->snap;
	}
	q->m.snap = q->snap;
	sent[m->type]++;
	nqueue++;
}

void
drop_at(unsigned i)
{
	CU_ASSERT_FATAL(i < nqueue);
	for (size_t k = 0; k < queue[i].m.n; k++)
		free((void *)(uintptr_t)queue[i].ents[k].data);
	free(queue[i].ents);
	free(queue[i].snap);
	memmove(&queue[i], &queue[i + 1], (nqueue - i - 1) * sizeof(queue[0]));
	nqueue--;
}

/* Applies what u hands out: a snapshot first, then committed entries,
 * which must follow what was applied without a gap. */
static void
record_update(uint64_t id, const struct rcore_update *u)
{
	struct member_seen *s = &seen[id];

	if (u->snapshot != NULL) {
		s->snapshots++;
		s->snapshot = u->snapshot->meta;
		s->applied = u->snapshot->meta.index;
	}
	for (size_t i = 0; i < u->ncommitted; i++) {
		const struct raft_entry *e = &u->committed[i];

		CU_ASSERT_EQUAL(e->index, s->applied + 1);
		s->applied = e->index;
		if (e->index < SEEN_APPLIED_MAX)
			s->applied_term[e->index] = e->term;
	}
	for (size_t i = 0; i < u->nreads && s->nreads < SEEN_READS_MAX; i++)
		s->reads[s->nreads++] = u->reads[i];
	for (size_t i = 0; i < u->nrefused && s->nrefused < SEEN_REFUSED_MAX; i++)
		s->refused[s->nrefused++] = u->refused[i].code;
}

void
flush(uint64_t id)
{
	while (rcore_has_update(&cores[id])) {
		struct rcore_update u;

		rcore_update(&cores[id], &u);
		for (size_t i = 0; i < u.nmsgs; i++)
			enqueue(&u.msgs[i]);
		record_update(id, &u);
		rcore_advance(&cores[id], &u);
	}
}

void
setup_init(struct setup *s, size_t n)
{
	CU_ASSERT_FATAL(n >= 1 && n <= HARNESS_MEMBERS_MAX);
	memset(s, 0, sizeof(*s));
	s->n = n;
	for (uint64_t id = 1; id <= n; id++) {
		struct raft_conf *conf = &s->start[id].snap.meta.conf;

		s->cfg[id] = (struct rcore_config){.id = id, .election_ticks = 10,
		    .heartbeat_ticks = 1, .seed = runner_seed(), .check_quorum = true,
		    .alloc = alloc_heap};
		conf->n = (uint32_t)n;
		for (size_t i = 0; i < n; i++)
			conf->m[i].id = i + 1;
	}
}

void
setup_learner(struct setup *s, uint64_t id)
{
	for (uint64_t k = 1; k <= s->n; k++) {
		struct raft_conf *conf = &s->start[k].snap.meta.conf;

		for (uint32_t i = 0; i < conf->n; i++)
			if (conf->m[i].id == id)
				conf->m[i].learner = true;
	}
}

void
start_with(const struct setup *s)
{
	stop();
	memset(seen, 0, sizeof(seen));
	memset(sent, 0, sizeof(sent));
	for (uint64_t id = 1; id <= s->n; id++) {
		CU_ASSERT_EQUAL_FATAL(rcore_init(&cores[id], &s->cfg[id], &s->start[id]), 0);
		seen[id].applied = s->start[id].applied;
		nstarted = id;
	}
}

void
start(size_t n)
{
	struct setup s;

	setup_init(&s, n);
	start_with(&s);
}

void
stop(void)
{
	while (nqueue > 0)
		drop_at(nqueue - 1);
	for (uint64_t id = 1; id <= nstarted; id++)
		rcore_close(&cores[id]);
	nstarted = 0;
}

void
deliver(unsigned group, unsigned types, unsigned max)
{
	unsigned done = 0;

	while (nqueue > 0 && (max == 0 || done < max)) {
		struct rmsg m = queue[0].m;
		bool ok = (group >> m.from & 1) && (group >> m.to & 1) && (types >> m.type & 1);

		if (ok) {
			rcore_step(&cores[m.to], &m);
			flush(m.to);
			done++;
		}
		drop_at(0);
	}
}

void
elect(uint64_t id, unsigned group)
{
	/* A lost election (a term where others already voted) is tried
	 * again, as the timeout would. */
	for (int tries = 0; tries < 5 && cores[id].role != RCORE_LEADER; tries++) {
		uint64_t term = cores[id].hs.term;

		for (int i = 0; i < 100 && cores[id].hs.term == term &&
		    cores[id].role != RCORE_PRECANDIDATE; i++) {
			rcore_tick(&cores[id]);
			flush(id);
		}
		deliver(group, VOTES, 0);
	}
	CU_ASSERT_EQUAL_FATAL(cores[id].role, RCORE_LEADER);
}

void
restart(uint64_t id)
{
	struct rcore fresh;
	const struct rcore *old = &cores[id];
	struct rcore_config cfg = old->cfg;
	struct rcore_start s = {.hs = old->hs, .snap = old->snap,
	    .applied = old->snap.meta.index};
	uint64_t last = rlog_last_index(&old->log);

	cfg.seed++;
	/* The log after the snapshot; entries kept behind it are not needed. */
	if (last > s.snap.meta.index) {
		s.ents = rlog_at(&old->log, s.snap.meta.index + 1);
		s.n = (size_t)(last - s.snap.meta.index);
	}
	CU_ASSERT_EQUAL_FATAL(rcore_init(&fresh, &cfg, &s), 0);
	rcore_close(&cores[id]);
	cores[id] = fresh;
	seen[id].applied = s.applied;
}

void
beat(uint64_t id)
{
	rcore_tick(&cores[id]);
	flush(id);
}

void
tick_all(unsigned group)
{
	for (uint64_t id = 1; id <= nstarted; id++)
		if (group >> id & 1)
			beat(id);
	deliver(group, ALL_TYPES, 0);
}

bool
applied_agree(void)
{
	for (uint64_t a = 1; a <= nstarted; a++)
		for (uint64_t b = a + 1; b <= nstarted; b++)
			for (size_t i = 1; i < SEEN_APPLIED_MAX; i++) {
				uint64_t ta = seen[a].applied_term[i], tb = seen[b].applied_term[i];

				if (ta != 0 && tb != 0 && ta != tb)
					return false;
			}
	return true;
}

const struct rcore_read *
seen_read(uint64_t id, uint64_t ctx)
{
	for (size_t i = 0; i < seen[id].nreads; i++)
		if (seen[id].reads[i].ctx == ctx)
			return &seen[id].reads[i];
	return NULL;
}
