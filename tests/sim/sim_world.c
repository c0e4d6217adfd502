/*
 * Tests: the simulator's world: disks that keep what a node persisted,
 * a network of deep-copied messages, and nodes that crash (losing the
 * update they had not persisted yet) and restart from their disk.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "raftd/alloc_heap.h"
#include "shared/err.h"
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

uint64_t
sim_chain(uint64_t chain, const struct raft_entry *e)
{
	uint64_t x = chain ^ sim_hash(e->data, e->len) ^ (e->term * 0x9e3779b97f4a7c15ULL) ^ e->index;

	x = (x ^ (x >> 31)) * 0xbf58476d1ce4e5b9ULL;
	return x ^ (x >> 29);
}

/* Keeps a state machine snapshot on the node's disk, newest last. */
static void
sim_disk_put(struct sim_node *node, const struct sim_state *st)
{
	memmove(&node->disk[0], &node->disk[1], (SIM_DISK_SNAPS - 1) * sizeof(node->disk[0]));
	node->disk[SIM_DISK_SNAPS - 1] = *st;
}

static const struct sim_state *
sim_disk_get(const struct sim_node *node, uint64_t index)
{
	for (int i = SIM_DISK_SNAPS - 1; i >= 0; i--)
		if (node->disk[i].index == index)
			return &node->disk[i];
	return NULL;
}

/* Installs a snapshot from the leader: its state (by ref) goes to the
 * state machine's disk first, as stored would, then raft's marker. */
static int
sim_node_install(struct sim *s, struct sim_node *node, const struct rcore_snapshot *snap)
{
	const struct sim_state *st;

	if (snap->ref >= s->h.nsnaps || s->h.snaps[snap->ref].index != snap->meta.index)
		return sim_fail(s, "node %llu: snapshot ref %llu does not name a snapshot at %llu",
		    (unsigned long long)node->id, (unsigned long long)snap->ref,
		    (unsigned long long)snap->meta.index);
	st = &s->h.snaps[snap->ref];
	if (inv_on_state(s, node, st) != 0)
		return -1;
	sim_disk_put(node, st);
	s->stats->installs++;
	node->applied = st->index;
	node->chain = st->chain;
	sim_tracef(s, "node %llu installs a snapshot at %llu", (unsigned long long)node->id,
	    (unsigned long long)st->index);
	return wal_append_snapshot(node->wal, &snap->meta) == 0 ? 0 :
	    sim_fail(s, "node %llu: wal snapshot refused", (unsigned long long)node->id);
}

/* Records a state as a snapshot others may install; returns its ref. */
static uint64_t
sim_snap_add(struct sim *s, const struct sim_state *st)
{
	s->h.snaps = sim_grow(s->h.snaps, sizeof(*st), &s->h.snaps_cap, s->h.nsnaps);
	s->h.snaps[s->h.nsnaps] = *st;
	return s->h.nsnaps++;
}

int
sim_node_maybe_compact(struct sim *s, struct sim_node *node)
{
	struct sim_state st = {node->applied, node->chain};
	struct raft_snapshot_marker m;
	int rc;

	if (!(s->faults & SIM_F_SNAPSHOT) || node->applied < node->next_snapshot)
		return 0;
	node->next_snapshot = node->applied + SIM_SNAPSHOT_EVERY + sim_rand(s) % SIM_SNAPSHOT_EVERY;
	if (node->applied <= node->core.snap.meta.index)
		return 0;
	rc = rcore_compact(&node->core, st.index, sim_snap_add(s, &st), &m);
	if (rc != 0)
		return sim_fail(s, "node %llu: compaction at %llu refused: %s",
		    (unsigned long long)node->id, (unsigned long long)st.index, err_str(rc));
	/* Durable state first, then the marker; old segments go after. */
	sim_disk_put(node, &st);
	if (wal_append_snapshot(node->wal, &m) != 0 || wal_sync(node->wal) != 0 ||
	    wal_release_before(node->wal, m.index) != 0)
		return sim_fail(s, "node %llu: WAL snapshot at %llu failed",
		    (unsigned long long)node->id, (unsigned long long)m.index);
	s->stats->compactions++;
	sim_tracef(s, "node %llu compacts at %llu", (unsigned long long)node->id,
	    (unsigned long long)m.index);
	return 0;
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

/* Makes an update durable through the real WAL on the node's sim disk:
 * appends, then one fdatasync. Sometimes the power fails inside the sync
 * (at one of its next disk operations: a write, the fdatasync, a segment
 * rollover): the node is then down with torn, unsynced bytes on its disk,
 * nothing of the update was sent or applied, and 1 is returned. */
int
sim_node_persist(struct sim *s, struct sim_node *node, const struct rcore_update *u)
{
	bool fail = (s->faults & SIM_F_CRASH) &&
	    sim_rand(s) % 1000 < SIM_CRASH_MID_SYNC_PERMILLE;
	int rc = 0;

	if (u->n == 0 && !u->hs_changed && u->snapshot == NULL)
		return 0;
	if (u->snapshot != NULL && sim_node_install(s, node, u->snapshot) != 0)
		return -1;
	if (u->n > 0)
		rc = wal_append_entries(node->wal, u->entries, u->n);
	if (rc == 0 && u->hs_changed)
		rc = wal_append_hardstate(node->wal, &u->hs);
	if (rc != 0)
		return sim_fail(s, "node %llu: wal append: %s", (unsigned long long)node->id,
		    err_str(rc));
	if (fail)
		sim_fs_fail_after(node->fs, 1 + sim_rand(s) % 4);
	rc = wal_sync(node->wal);
	sim_fs_fail_after(node->fs, 0);
	if (rc != 0 && fail) {
		sim_node_crash(s, node, true);
		node->down_until = s->step + 1 + sim_rand(s) % 50;
		return 1;
	}
	if (rc != 0)
		return sim_fail(s, "node %llu: wal sync: %s", (unsigned long long)node->id,
		    err_str(rc));
	if (u->hs_changed)
		node->commit_persisted = u->hs.commit;
	return 0;
}

/* Starts a node: a new WAL on a new disk the first time; afterwards
 * whatever the WAL recovers from the disk. The state machine starts from
 * its snapshot at the WAL's marker (or empty) and re-applies from there,
 * as stored would replay. */
int
sim_node_start(struct sim *s, struct sim_node *node)
{
	struct rcore_start start;
	struct raft_identity ident = {.cluster_id = 1, .member_id = node->id};
	struct wal_options opt = {.segment_bytes = SIM_WAL_SEGMENT_BYTES};
	struct wal_recovered rec;
	struct rcore_config cfg = {
		.id = node->id, .election_ticks = 10, .heartbeat_ticks = 2,
		.seed = s->seed ^ s->step,
		/* A third of the seeds without check-quorum: a cut-off leader
		 * then stays leader, which read index must survive. */
		.check_quorum = s->seed % 3 != 0,
		.pre_vote = (s->seed & 1) != 0, /* half the seeds elect with pre-vote */
		/* Small bounds, so that runs reach them. */
		.max_inflight = 1 + (unsigned)(s->seed >> 1) % 8,
		.max_msg_bytes = 64 + (uint32_t)(s->seed >> 4) % 256,
		.catchup_entries = SIM_CATCHUP_ENTRIES,
		.alloc = alloc_heap,
	};
	const struct sim_state *st;
	uint64_t first;
	char err[256];
	int rc;

	memset(&rec, 0, sizeof(rec));
	if (node->fs == NULL) {
		node->fs = sim_fs_new(s->seed ^ (node->id << 32));
		sim_fs_wal_fs(node->fs, &node->wfs);
		rc = wal_create(&node->wfs, &ident, &opt, &node->wal);
	} else
		rc = wal_open(&node->wfs, &opt, &node->wal, &rec, err, sizeof(err));
	if (rc != 0) {
		wal_recovered_free(&rec);
		return sim_fail(s, "node %llu: the WAL does not open: %s", (unsigned long long)node->id,
		    rc == CAIRN_ECORRUPT ? err : err_str(rc));
	}
	start = (struct rcore_start){.hs = rec.hs, .snap.meta = rec.snap, .ents = rec.entries,
	    .n = rec.entries_n, .applied = rec.snap.index};
	if (rec.snap.index == 0) {
		start.snap.meta.conf.n = s->n;
		for (unsigned i = 0; i < s->n; i++)
			start.snap.meta.conf.m[i].id = s->nodes[i].id;
	}
	node->applied = 0;
	node->chain = 0;
	if (start.applied > 0) {
		if ((st = sim_disk_get(node, start.applied)) == NULL) {
			wal_recovered_free(&rec);
			return sim_fail(s, "node %llu: no state machine snapshot for the WAL's at %llu",
			    (unsigned long long)node->id, (unsigned long long)start.applied);
		}
		node->applied = st->index;
		node->chain = st->chain;
		/* The core's handle on the data: a snapshot of this state. */
		start.snap.ref = sim_snap_add(s, st);
	}
	node->next_snapshot = node->applied + SIM_SNAPSHOT_EVERY;
	rc = rcore_init(&node->core, &cfg, &start);
	node->commit_persisted = rec.hs.commit;
	first = start.n > 0 ? start.ents[0].index : 0; /* for the report: freed below */
	wal_recovered_free(&rec);
	if (rc != 0)
		return sim_fail(s, "node %llu: the core refuses what the WAL recovered: term %llu "
		    "commit %llu, snapshot %llu/%llu of %u members, %zu entries from %llu",
		    (unsigned long long)node->id, (unsigned long long)start.hs.term,
		    (unsigned long long)start.hs.commit, (unsigned long long)start.snap.meta.index,
		    (unsigned long long)start.snap.meta.term, start.snap.meta.conf.n, start.n,
		    (unsigned long long)first);
	node->up = true;
	return 0;
}

/* Power loss: the core and its unsynced writes are gone. */
void
sim_node_crash(struct sim *s, struct sim_node *node, bool torn)
{
	rcore_close(&node->core);
	sim_fs_crash(node->fs, torn);
	wal_close(node->wal);
	node->wal = NULL;
	node->up = false;
	sim_tracef(s, "node %llu crashes%s", (unsigned long long)node->id,
	    torn ? " between a WAL write and its sync" : "");
}

/* Puts a message on the network: dropped, duplicated, delayed by chance. */
void
sim_net_send(struct sim *s, const struct rmsg *m)
{
	unsigned copies = 1;

	/* A snapshot is a stream whose sender hears of its failure (at
	 * delivery: partitioned or down receiver), never a silent loss. */
	if ((s->faults & SIM_F_DROP) && m->type != RMSG_SNAPSHOT && sim_rand(s) % 100 < 5)
		return;
	if ((s->faults & SIM_F_DUP) && sim_rand(s) % 100 < 3)
		copies = 2;
	for (unsigned c = 0; c < copies && s->nnet < SIM_NET_MAX; c++) {
		struct sim_msg *sm = &s->net[s->nnet++];

		sm->m = *m;
		sm->ents = sim_copy_ents(m->entries, m->n);
		sm->m.entries = sm->ents;
		if (m->snap != NULL) {
			sm->snap = *m->snap;
			sm->m.snap = &sm->snap;
		}
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
	if (out->m.snap != NULL)
		out->m.snap = &out->snap;
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
		wal_close(s->nodes[i].wal);
		if (s->nodes[i].fs != NULL)
			sim_fs_free(s->nodes[i].fs);
	}
	for (unsigned i = 0; i < s->nnet; i++)
		sim_msg_free(&s->net[i]);
	free(s->h.slots);
	free(s->h.leader_of_term);
	free(s->h.reads);
	free(s->h.snaps);
}
