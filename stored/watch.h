/*
 * stored: etcd's watchers on the store side (mvcc/watchable_store.go's
 * semantics). A watcher asks for the events of a key or a range from a
 * revision on; it is "synced" when it has had every event up to the
 * store's revision, "unsynced" while it catches up from the key table.
 * Both are fed by one routine: a walk of the key table over a span of
 * revisions, matched against a group of watchers. After each batch the
 * synced group gets the new revisions; between batches the unsynced ones
 * catch up a bounded number of events at a time. A watcher whose sink
 * cannot take its events (netd's ring is full) becomes unsynced and
 * catches up later: a slow watcher never blocks applying, and nothing is
 * lost or repeated. A watcher asking for compacted revisions is told the
 * compaction and cancelled, as etcd does.
 */
#ifndef CAIRN_STORED_WATCH_H
#define CAIRN_STORED_WATCH_H

#include <stdbool.h>
#include <stdint.h>

#include "stored/mvcc.h"

/* Watchers per store, as etcd has no bound but cairn must. */
#define WATCH_WATCHERS_MAX 100000
/* Events one catch-up step gathers for all unsynced watchers. */
#define WATCH_SYNC_EVENTS_MAX 1000

enum watch_event_type { WATCH_PUT = 0, WATCH_DELETE = 1 };

/* One event (mvccpb.Event): a DELETE's kv is the key with the deletion's
 * revision as mod_revision, as etcd reports it. Bytes valid in the sink
 * call only. */
struct watch_event {
	enum watch_event_type type;
	struct mvcc_kv kv;
	bool has_prev;
	struct mvcc_kv prev;         /* the key at the revision before, if asked */
};

/* What the hub hands netd for one watcher: events (n may be 0 for a
 * progress notification), the store's revision for the header, and for a
 * watcher cancelled by a compaction the compaction's revision. Returns 0
 * (all taken), or CAIRN_EAGAIN with *taken events taken (the rest is
 * tried again later: a revision taken in part goes on from the first
 * event not taken, never again from its start). */
typedef int watch_sink_fn(void *arg, uint64_t id, int64_t rev, const struct watch_event *ev,
    size_t n, int64_t compact_rev, size_t *taken);

struct watch_req {
	uint64_t id;                 /* netd's; unique among live watchers */
	const uint8_t *key;
	uint32_t key_len;
	const uint8_t *end;          /* keyrange.h conventions */
	uint32_t end_len;
	int64_t start_rev;           /* <= 0: from the next revision */
	bool noput, nodelete;        /* etcd's filters */
	bool prev_kv;
	bool progress_notify;        /* wants watch_progress() notifications */
};

struct watch_hub;

struct watch_hub *watch_hub_new(struct mvcc *s, watch_sink_fn *sink, void *arg);
void watch_hub_free(struct watch_hub *h);

/* Registers a watcher (its key and end copied). Errors: CAIRN_EINVAL (a
 * duplicate id), CAIRN_EAGAIN (WATCH_WATCHERS_MAX reached). */
int watch_create(struct watch_hub *h, const struct watch_req *r);
/* Forgets watcher id; CAIRN_ENOENT when there is none. */
int watch_cancel(struct watch_hub *h, uint64_t id);
/* Holds watcher id's events back (its client is not reading: they would
 * only pile up in netd) or releases them: a held watcher falls behind as
 * one whose sink is full, keeps its place, and is left out of catch-up
 * steps until released. CAIRN_ENOENT when there is none. */
int watch_hold(struct watch_hub *h, uint64_t id, bool hold);
/* After a batch: the synced watchers get the revisions it made. */
int watch_notify(struct watch_hub *h);
/* Between batches: unsynced watchers catch up (at most
 * WATCH_SYNC_EVENTS_MAX events); *pending says whether some still lag. */
int watch_sync_step(struct watch_hub *h, bool *pending);
/* Whether watcher id has had every event up to the store's revision. */
bool watch_synced(const struct watch_hub *h, uint64_t id);
/* A progress notification (no events, the store's revision) to each
 * synced watcher that asked for them (progress_notify), or to watcher
 * id alone (any != 0; nothing when it is not synced). */
int watch_progress(struct watch_hub *h, uint64_t id);
/* The store was replaced by a newer copy of the same history (a
 * leader's snapshot installed): every watcher catches up from the first
 * revision it has not had, compacted ones are told. */
void watch_restore(struct watch_hub *h);
/* Forgets every watcher (their netd is gone). */
void watch_cancel_all(struct watch_hub *h);

#endif
