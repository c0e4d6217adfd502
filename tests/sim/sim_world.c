/*
 * Tests: the simulator's world: disks that keep what a node persisted,
 * a network of deep-copied messages, and nodes that crash (losing the
 * update they had not persisted yet) and restart from their disk.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/sim/sim.h"

uint64_t
sim_rand(struct sim *s)
{
	uint64_t z = (s->rng += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

void
sim_tracef(struct sim *s, const char *fmt, ...)
{
	va_list ap;
	char *line = s->trace[s->ntrace++ % SIM_TRACE_MAX];
	int n = snprintf(line, SIM_TRACE_BYTES, "step %llu t=%llu: ",
	    (unsigned long long)s->step, (unsigned long long)s->now);

	va_start(ap, fmt);
	vsnprintf(line + n, SIM_TRACE_BYTES - (size_t)n, fmt, ap);
	va_end(ap);
}

int
sim_fail(struct sim *s, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(s->failure, sizeof(s->failure), fmt, ap);
	va_end(ap);
	return -1;
}

uint64_t
sim_hash(const uint8_t *p, size_t n)
{
	uint64_t h = 0xcbf29ce484222325ULL;

	for (size_t i = 0; i < n; i++)
		h = (h ^ p[i]) * 0x100000001b3ULL;
	return h;
}

static void *
sim_alloc(void *ctx, size_t n)
{
	(void)ctx;
	return malloc(n);
}

static void
sim_free(void *ctx, void *p, size_t n)
{
	(void)ctx;
	(void)n;
	free(p);
}

/* Copies entries and their data; the copies are freed by sim_free_ents. */
static struct raft_entry *
sim_copy_ents(const struct raft_entry *e, size_t n)
{
	struct raft_entry *c = n ? malloc(n * sizeof(*c)) : NULL;

	for (size_t i = 0; i < n; i++) {
		c[i] = e[i];
		if (e[i].len > 0) {
			uint8_t *d = malloc(e[i].len);

			memcpy(d, e[i].data, e[i].len);
			c[i].data = d;
		}
	}
	return c;
}

static void
sim_free_ents(struct raft_entry *e, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free((void *)(uintptr_t)e[i].data);
	free(e);
}

/* The disk takes the update's hard state and entries, as a WAL would. */
void
sim_disk_persist(struct sim_disk *d, const struct rcore_update *u)
{
	if (u->hs_changed)
		d->hs = u->hs;
	if (u->n == 0)
		return;
	/* Entries from index i replace i and everything after it. */
	while (d->n > 0 && d->ents[d->n - 1].index >= u->entries[0].index) {
		d->n--;
		free((void *)(uintptr_t)d->ents[d->n].data);
	}
	if (d->n + u->n > d->cap) {
		d->cap = (d->n + u->n) * 2;
		d->ents = realloc(d->ents, d->cap * sizeof(*d->ents));
	}
	struct raft_entry *c = sim_copy_ents(u->entries, u->n);
	memcpy(d->ents + d->n, c, u->n * sizeof(*c));
	free(c);
	d->n += u->n;
}

void
sim_disk_free(struct sim_disk *d)
{
	sim_free_ents(d->ents, d->n);
	memset(d, 0, sizeof(*d));
}

/* Starts (or restarts) a node from its disk. The state machine starts
 * empty and re-applies from index 1, as stored would replay. */
void
sim_node_start(struct sim *s, struct sim_node *node)
{
	uint64_t ids[SIM_NODES_MAX];
	struct rcore_config cfg = {
		.id = node->id, .election_ticks = 10, .heartbeat_ticks = 2,
		.seed = s->seed ^ s->step,
		.alloc = {.alloc = sim_alloc, .free = sim_free},
	};

	for (unsigned i = 0; i < s->n; i++)
		ids[i] = s->nodes[i].id;
	if (rcore_init(&node->core, &cfg, &node->disk.hs, node->disk.ents, node->disk.n,
	    0, ids, s->n) != 0) {
		fprintf(stderr, "raftsim: rcore_init refused node %llu's disk\n",
		    (unsigned long long)node->id);
		abort();
	}
	node->up = true;
	node->applied = 0;
}

void
sim_node_crash(struct sim *s, struct sim_node *node)
{
	rcore_close(&node->core);
	node->up = false;
	sim_tracef(s, "node %llu crashes", (unsigned long long)node->id);
}

/* Puts a message on the network: dropped, duplicated, delayed by chance. */
void
sim_net_send(struct sim *s, const struct rmsg *m)
{
	unsigned copies = 1;

	if ((s->faults & SIM_F_DROP) && sim_rand(s) % 100 < 5)
		return;
	if ((s->faults & SIM_F_DUP) && sim_rand(s) % 100 < 3)
		copies = 2;
	for (unsigned c = 0; c < copies && s->nnet < SIM_NET_MAX; c++) {
		struct sim_msg *sm = &s->net[s->nnet++];

		sm->m = *m;
		sm->ents = sim_copy_ents(m->entries, m->n);
		sm->m.entries = sm->ents;
		sm->deliver_at = s->now + ((s->faults & SIM_F_DELAY) ? sim_rand(s) % 4 : 0);
	}
}

struct sim_node *
sim_node_by_id(struct sim *s, uint64_t id)
{
	for (unsigned i = 0; i < s->n; i++)
		if (s->nodes[i].id == id)
			return &s->nodes[i];
	return NULL;
}

/* Takes message i off the network into *out (its entries now the caller's). */
void
sim_net_take(struct sim *s, unsigned i, struct sim_msg *out)
{
	*out = s->net[i];
	memmove(&s->net[i], &s->net[i + 1], (s->nnet - i - 1) * sizeof(s->net[0]));
	s->nnet--;
}

void
sim_msg_free(struct sim_msg *m)
{
	sim_free_ents(m->ents, m->m.n);
}

void
sim_free_all(struct sim *s)
{
	for (unsigned i = 0; i < s->n; i++) {
		if (s->nodes[i].up)
			rcore_close(&s->nodes[i].core);
		sim_disk_free(&s->nodes[i].disk);
	}
	for (unsigned i = 0; i < s->nnet; i++)
		sim_msg_free(&s->net[i]);
	free(s->h.slots);
	free(s->h.leader_of_term);
}
