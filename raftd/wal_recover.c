/*
 * raftd: rebuilds the log from the records wal_open reads, in file order:
 * identity, last hard state, last snapshot marker, and the entries after
 * it, where a later entry at index i replaces i and everything after it
 * (a leader overwrote a conflicting suffix, thesis §3.5), and a snapshot
 * installed from a leader replaces the whole log.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "raftd/wal_recover.h"
#include "shared/assert.h"
#include "shared/err.h"
#include "shared/xmalloc.h"

/* Recovered entries' data is ours, though raft_entry says const. */
static void
recover_free_data(const uint8_t *p)
{
	free((void *)(uintptr_t)p);
}

static void
recover_drop_from(struct wal_recovered *rec, uint64_t index)
{
	while (rec->entries_n > 0 &&
	    rec->entries[rec->entries_n - 1].index >= index)
		recover_free_data(rec->entries[--rec->entries_n].data);
}

/* Drops entries at or below a snapshot's index: they are compacted. */
static void
recover_drop_through(struct wal_recovered *rec, uint64_t index)
{
	size_t k = 0;

	while (k < rec->entries_n && rec->entries[k].index <= index)
		recover_free_data(rec->entries[k++].data);
	if (k > 0)
		memmove(rec->entries, rec->entries + k,
		    (rec->entries_n - k) * sizeof(*rec->entries));
	rec->entries_n -= k;
}

/* Whether the log recovered so far holds (index, term): the current
 * snapshot's own, or an entry's. Entries below the first recovered one
 * were released behind an earlier snapshot: a marker there is a
 * compaction (an installed snapshot is always above our commit index,
 * and nothing above the commit index is ever released). */
static bool
recover_holds(const struct wal_recovered *rec, uint64_t index, uint64_t term)
{
	if (index == rec->snap.index)
		return term == rec->snap.term;
	if (rec->entries_n > 0 && index < rec->entries[0].index)
		return true;
	for (size_t i = 0; i < rec->entries_n; i++)
		if (rec->entries[i].index == index)
			return rec->entries[i].term == term;
	return false;
}

/* A marker for a point our log holds is a compaction: entries after it
 * stay. Any other marker is a snapshot installed from a leader, which
 * replaced our whole log (entries after it written before it belonged
 * to a log that diverged). */
static void
recover_snapshot(struct wal_recovered *rec, const struct raft_snapshot_marker *m)
{
	if (recover_holds(rec, m->index, m->term))
		recover_drop_through(rec, m->index);
	else
		recover_drop_from(rec, 0);
	rec->snap = *m;
}

static int
recover_entry(struct wal_recovered *rec, const struct raft_entry *e,
    const char **why)
{
	struct raft_entry *dst;

	*why = "entry index 0";
	if (e->index == 0)
		return CAIRN_ECORRUPT;
	*why = "entry index leaves a gap";
	if (rec->entries_n > 0 &&
	    e->index > rec->entries[rec->entries_n - 1].index + 1)
		return CAIRN_ECORRUPT;
	recover_drop_from(rec, e->index);
	if (rec->entries_n == rec->entries_cap) {
		rec->entries_cap = rec->entries_cap ? 2 * rec->entries_cap : 64;
		rec->entries = xrealloc(rec->entries,
		    rec->entries_cap * sizeof(*rec->entries));
	}
	dst = &rec->entries[rec->entries_n++];
	*dst = *e;
	dst->data = NULL;
	if (e->len > 0) {
		uint8_t *copy = xmalloc(e->len);

		memcpy(copy, e->data, e->len);
		dst->data = copy;
	}
	return 0;
}

static int
recover_metadata(struct wal_recover *rc, const struct raft_identity *id,
    const char **why)
{
	*why = "metadata record inside a segment";
	if (rc->seg_records != 1)
		return CAIRN_ECORRUPT;
	*why = "segment belongs to another member or cluster";
	if (rc->have_id && (rc->rec->id.cluster_id != id->cluster_id ||
	    rc->rec->id.member_id != id->member_id))
		return CAIRN_ECORRUPT;
	rc->rec->id = *id;
	rc->have_id = true;
	return 0;
}

int
wal_recover_record(void *arg, const struct wal_record *r, size_t off,
    const char **why)
{
	struct wal_recover *rc = arg;

	rc->seg_records++;
	*why = "segment does not start with a metadata record";
	if (rc->seg_records == 1 && r->type != WAL_RECORD_METADATA)
		return CAIRN_ECORRUPT;
	switch (r->type) {
	case WAL_RECORD_METADATA:
		return recover_metadata(rc, &r->u.id, why);
	case WAL_RECORD_ENTRY:
		return recover_entry(rc->rec, &r->u.entry, why);
	case WAL_RECORD_HARDSTATE:
		rc->rec->hs = r->u.hs;
		return 0;
	case WAL_RECORD_SNAPSHOT:
		recover_snapshot(rc->rec, &r->u.snap);
		return 0;
	}
	CAIRN_ASSERT(!"decoded an unknown record type");
	return CAIRN_ECORRUPT;
}

int
wal_recover_finish(struct wal_recover *rc, const char **why)
{
	struct wal_recovered *rec = rc->rec;

	recover_drop_through(rec, rec->snap.index);
	*why = "entries after the snapshot are missing";
	if (rec->entries_n > 0 && rec->entries[0].index != rec->snap.index + 1)
		return CAIRN_ECORRUPT;
	return 0;
}

void
wal_recovered_free(struct wal_recovered *rec)
{
	if (rec == NULL)
		return;
	recover_drop_from(rec, 0);
	free(rec->entries);
	memset(rec, 0, sizeof(*rec));
}
