/*
 * stored: watchers (see watch.h).
 */
#include <stdlib.h>
#include <string.h>

#include "stored/keyrange.h"
#include "stored/kv_codec.h"
#include "stored/rev_codec.h"
#include "stored/watch.h"
#include "shared/err.h"
#include "shared/xmalloc.h"

struct watcher {
	uint64_t id;
	uint8_t *key;                /* owned, with end after it */
	uint32_t key_len;
	const uint8_t *end;
	uint32_t end_len;
	int64_t next;                /* first revision not delivered yet */
	uint32_t skip;               /* ... of whose events this many were */
	uint32_t skipped;            /* ... and this walk passed so far */
	bool noput, nodelete, prev_kv, progress_notify;
	bool synced;
	bool held;                   /* netd holds its events back */
	uint32_t *evs;               /* this walk's events: indexes */
	size_t nevs, evs_cap;
	struct watcher *hnext;       /* a single key's watcher: its hash chain */
	size_t range_at;             /* a range's watcher: its place in h->range */
};

/* An event read by a walk: a key-value copied out of the key table. */
struct walk_event {
	enum watch_event_type type;
	struct mvcc_kv kv;           /* key and value point into 'bytes' */
	size_t key_off, value_off;
};

struct watch_hub {
	struct mvcc *s;
	watch_sink_fn *sink;
	void *arg;
	struct watcher **w;          /* all watchers, in creation order */
	size_t n, cap;
	int64_t synced_rev;          /* the synced group has had up to here */
	struct walk_event *ev;       /* the current walk's events */
	size_t nev, ev_cap;
	uint8_t *bytes;
	size_t len, bytes_cap;
	struct watch_event *out;     /* one watcher's events for its sink */
	size_t out_cap;
	uint8_t *prev;               /* prev key-values' bytes */
	size_t prev_len, prev_cap;
	/* Which watchers an event's key concerns, without looking at them
	 * all: watchers of a single key by a hash of it, watchers of a range
	 * in a list of their own (Kubernetes watches a prefix per resource:
	 * tens of ranges, and any number of single keys). */
	struct watcher **bucket;     /* chains of single keys' watchers */
	size_t nbucket, npoint;      /* nbucket: 0 or a power of 2 */
	struct watcher **range;
	size_t nrange, range_cap;
	/* The watchers the current walk gave events, so that delivering to
	 * the synced group costs what it delivers, not every watcher. */
	struct watcher **touched;
	size_t ntouched, touched_cap;
};

struct watch_hub *
watch_hub_new(struct mvcc *s, watch_sink_fn *sink, void *arg)
{
	struct watch_hub *h = xcalloc(1, sizeof(*h));

	h->s = s;
	h->sink = sink;
	h->arg = arg;
	h->synced_rev = s->rev;
	return h;
}

static void
watcher_free(struct watcher *w)
{
	free(w->key);
	free(w->evs);
	free(w);
}

void
watch_hub_free(struct watch_hub *h)
{
	if (h == NULL)
		return;
	for (size_t i = 0; i < h->n; i++)
		watcher_free(h->w[i]);
	free(h->w);
	free(h->ev);
	free(h->bytes);
	free(h->out);
	free(h->prev);
	free(h->bucket);
	free(h->range);
	free(h->touched);
	free(h);
}

/* ---- the index of watchers by key ------------------------------------ */

/* FNV-1a: keys are short, and chains are checked byte for byte. */
static size_t
key_hash(const uint8_t *p, uint32_t n)
{
	uint64_t x = 14695981039346656037ull;

	for (uint32_t i = 0; i < n; i++)
		x = (x ^ p[i]) * 1099511628211ull;
	return (size_t)(x ^ (x >> 32));
}

static bool
watcher_single(const struct watcher *w)
{
	return w->end_len == 0;
}

static void
index_rehash(struct watch_hub *h, size_t nbucket)
{
	struct watcher **b = xcalloc(nbucket, sizeof(*b));

	for (size_t i = 0; i < h->nbucket; i++)
		while (h->bucket[i] != NULL) {
			struct watcher *w = h->bucket[i];
			size_t at = key_hash(w->key, w->key_len) & (nbucket - 1);

			h->bucket[i] = w->hnext;
			w->hnext = b[at];
			b[at] = w;
		}
	free(h->bucket);
	h->bucket = b;
	h->nbucket = nbucket;
}

static void
index_add(struct watch_hub *h, struct watcher *w)
{
	size_t at;

	if (!watcher_single(w)) {
		if (h->nrange == h->range_cap) {
			h->range_cap = h->range_cap ? h->range_cap * 2 : 16;
			h->range = xrealloc(h->range, h->range_cap * sizeof(*h->range));
		}
		w->range_at = h->nrange;
		h->range[h->nrange++] = w;
		return;
	}
	if (h->npoint + 1 > h->nbucket)
		index_rehash(h, h->nbucket ? h->nbucket * 2 : 64);
	at = key_hash(w->key, w->key_len) & (h->nbucket - 1);
	w->hnext = h->bucket[at];
	h->bucket[at] = w;
	h->npoint++;
}

static void
index_remove(struct watch_hub *h, struct watcher *w)
{
	struct watcher **pp;

	if (!watcher_single(w)) {
		h->range[w->range_at] = h->range[--h->nrange];
		h->range[w->range_at]->range_at = w->range_at;
		return;
	}
	pp = &h->bucket[key_hash(w->key, w->key_len) & (h->nbucket - 1)];
	while (*pp != w)
		pp = &(*pp)->hnext;
	*pp = w->hnext;
	h->npoint--;
}

/* Forgets watcher h->w[at]: out of the index, freed, its place taken
 * by the last one. */
static void
watcher_drop(struct watch_hub *h, size_t at)
{
	index_remove(h, h->w[at]);
	watcher_free(h->w[at]);
	h->w[at] = h->w[--h->n];
}

static struct watcher *
watch_find(const struct watch_hub *h, uint64_t id, size_t *at)
{
	for (size_t i = 0; i < h->n; i++)
		if (h->w[i]->id == id) {
			if (at != NULL)
				*at = i;
			return h->w[i];
		}
	return NULL;
}

int
watch_create(struct watch_hub *h, const struct watch_req *r)
{
	struct watcher *w;

	if (watch_find(h, r->id, NULL) != NULL)
		return CAIRN_EINVAL;
	if (h->n == WATCH_WATCHERS_MAX)
		return CAIRN_EAGAIN;
	w = xcalloc(1, sizeof(*w));
	w->id = r->id;
	w->key = xmalloc((size_t)r->key_len + r->end_len + 1);
	if (r->key_len > 0)
		memcpy(w->key, r->key, r->key_len);
	w->key_len = r->key_len;
	w->end = w->key + r->key_len;
	if (r->end_len > 0)
		memcpy(w->key + r->key_len, r->end, r->end_len);
	w->end_len = r->end_len;
	w->noput = r->noput;
	w->nodelete = r->nodelete;
	w->prev_kv = r->prev_kv;
	w->progress_notify = r->progress_notify;
	/* From the next revision on, or from one not reached yet: synced.
	 * From one the store has: it catches up first. */
	w->next = r->start_rev > 0 ? r->start_rev : h->s->rev + 1;
	w->synced = w->next > h->s->rev;
	if (h->n == h->cap) {
		h->cap = h->cap ? h->cap * 2 : 16;
		h->w = xrealloc(h->w, h->cap * sizeof(*h->w));
	}
	h->w[h->n++] = w;
	index_add(h, w);
	return 0;
}

int
watch_cancel(struct watch_hub *h, uint64_t id)
{
	size_t at;
	struct watcher *w = watch_find(h, id, &at);

	if (w == NULL)
		return CAIRN_ENOENT;
	watcher_drop(h, at);
	return 0;
}

int
watch_hold(struct watch_hub *h, uint64_t id, bool hold)
{
	struct watcher *w = watch_find(h, id, NULL);

	if (w == NULL)
		return CAIRN_ENOENT;
	w->held = hold;
	return 0;
}

bool
watch_synced(const struct watch_hub *h, uint64_t id)
{
	const struct watcher *w = watch_find(h, id, NULL);

	return w != NULL && w->synced;
}

/* ---- the walk ------------------------------------------------------- */

static bool
watcher_wants(const struct watcher *w, const struct walk_event *e)
{
	if ((e->type == WATCH_PUT && w->noput) || (e->type == WATCH_DELETE && w->nodelete))
		return false;
	if (e->kv.mod_rev < w->next)
		return false;
	return keyrange_has(w->key, w->key_len, w->end, w->end_len, e->kv.key, e->kv.key_len);
}

static void
walk_keep(struct watch_hub *h, const struct mvcc_kv *kv, bool tomb, int64_t rev)
{
	struct walk_event *e;

	if (h->nev == h->ev_cap) {
		h->ev_cap = h->ev_cap ? h->ev_cap * 2 : 64;
		h->ev = xrealloc(h->ev, h->ev_cap * sizeof(*h->ev));
	}
	if (h->len + kv->key_len + kv->value_len > h->bytes_cap) {
		h->bytes_cap = (h->len + kv->key_len + kv->value_len) * 2 + 256;
		h->bytes = xrealloc(h->bytes, h->bytes_cap);
	}
	e = &h->ev[h->nev++];
	e->type = tomb ? WATCH_DELETE : WATCH_PUT;
	e->kv = *kv;
	/* A tombstone holds the key alone: etcd reports the deletion's
	 * revision as its mod_revision. */
	if (tomb)
		e->kv.mod_rev = rev;
	e->key_off = h->len;
	memcpy(h->bytes + h->len, kv->key, kv->key_len);
	h->len += kv->key_len;
	e->value_off = h->len;
	if (kv->value_len > 0)
		memcpy(h->bytes + h->len, kv->value, kv->value_len);
	h->len += kv->value_len;
}

/* Records event h->nev for w if it is of the group and wants it. */
static bool
match_one(struct watch_hub *h, struct watcher *w, bool synced, const struct walk_event *e)
{
	if (w->synced != synced || !watcher_wants(w, e))
		return false;
	/* A revision delivered in part: the events netd has are passed. */
	if (e->kv.mod_rev == w->next && w->skipped < w->skip) {
		w->skipped++;
		return false;
	}
	if (w->nevs == 0) {
		if (h->ntouched == h->touched_cap) {
			h->touched_cap = h->touched_cap ? h->touched_cap * 2 : 16;
			h->touched = xrealloc(h->touched, h->touched_cap * sizeof(*h->touched));
		}
		h->touched[h->ntouched++] = w;
	}
	if (w->nevs == w->evs_cap) {
		w->evs_cap = w->evs_cap ? w->evs_cap * 2 : 16;
		w->evs = xrealloc(w->evs, w->evs_cap * sizeof(*w->evs));
	}
	w->evs[w->nevs++] = (uint32_t)h->nev;
	return true;
}

/* Records the next event (index h->nev) for each watcher of the group
 * that wants it: the watchers of its very key, and of every range; true
 * when one does. */
static bool
walk_match(struct watch_hub *h, bool synced, const struct mvcc_kv *kv, bool tomb, int64_t rev)
{
	struct walk_event probe = {.type = tomb ? WATCH_DELETE : WATCH_PUT, .kv = *kv};
	bool wanted = false;

	if (tomb)
		probe.kv.mod_rev = rev;
	if (h->npoint > 0)
		for (struct watcher *w = h->bucket[key_hash(kv->key, kv->key_len) &
		    (h->nbucket - 1)]; w != NULL; w = w->hnext)
			wanted |= match_one(h, w, synced, &probe);
	for (size_t i = 0; i < h->nrange; i++)
		wanted |= match_one(h, h->range[i], synced, &probe);
	return wanted;
}

/* Reads the key table from revision 'from' on, up to 'to', keeping every
 * event some watcher of the group wants; stops after 'budget' events at
 * the end of a revision. *last is the last revision read whole. */
static int
walk(struct watch_hub *h, bool synced, int64_t from, int64_t to, size_t budget, int64_t *last)
{
	struct mvcc *s = h->s;
	uint8_t rb[MVCC_REV_TOMB_BYTES];
	DBT k = {.data = rb, .size = (uint32_t)rev_put(rb, (struct mvcc_rev){.main = from}, false)};
	DBT v = {0};
	DBC *c;
	int64_t cur = from - 1;
	int rc = s->db.key->cursor(s->db.key, s->batch, &c, 0);

	h->nev = h->len = 0;
	h->ntouched = 0;
	*last = to;
	/* Every watcher's nevs is 0 (deliver() clears what it handled);
	 * a catch-up walk also counts each watcher's skipped events. */
	for (size_t i = 0; !synced && i < h->n; i++)
		h->w[i]->skipped = 0;
	if (rc != 0)
		return bdb_fail(rc, "key cursor");
	for (rc = c->get(c, &k, &v, DB_SET_RANGE); rc == 0; rc = c->get(c, &k, &v, DB_NEXT)) {
		struct mvcc_rev rev;
		struct mvcc_kv kv;
		bool tomb;

		if (rev_get(k.data, k.size, &rev, &tomb) != 0 || kv_decode(v.data, v.size, &kv) != 0) {
			rc = CAIRN_ECORRUPT;
			break;
		}
		if (rev.main > to)
			break;
		if (h->nev >= budget && rev.main != cur) {
			/* Budget spent at the end of a whole revision. */
			*last = cur;
			break;
		}
		cur = rev.main;
		if (walk_match(h, synced, &kv, tomb, rev.main))
			walk_keep(h, &kv, tomb, rev.main);
	}
	(void)c->close(c);
	if (rc == DB_NOTFOUND)
		rc = 0;
	if (rc == 0) {
		for (size_t i = 0; i < h->nev; i++) {
			h->ev[i].kv.key = h->bytes + h->ev[i].key_off;
			h->ev[i].kv.value = h->bytes + h->ev[i].value_off;
		}
	}
	return rc < 0 ? bdb_fail(rc, "key walk") : rc;
}

/* The key at the revision before an event, for prev_kv (etcd reads it
 * the same way: a range at mod_revision - 1; none when compacted). */
struct prev_find {
	struct watch_hub *h;
	bool found;
	struct mvcc_kv kv;
	size_t key_off, value_off;
};

static int
prev_found(void *arg, const struct mvcc_kv *kv)
{
	struct prev_find *p = arg;
	struct watch_hub *h = p->h;

	if (h->prev_len + kv->key_len + kv->value_len > h->prev_cap) {
		h->prev_cap = (h->prev_len + kv->key_len + kv->value_len) * 2 + 256;
		h->prev = xrealloc(h->prev, h->prev_cap);
	}
	p->kv = *kv;
	p->key_off = h->prev_len;
	memcpy(h->prev + h->prev_len, kv->key, kv->key_len);
	h->prev_len += kv->key_len;
	p->value_off = h->prev_len;
	if (kv->value_len > 0)
		memcpy(h->prev + h->prev_len, kv->value, kv->value_len);
	h->prev_len += kv->value_len;
	p->found = true;
	return 0;
}

/* Fills h->out with w's events of this walk, their prev_kv if asked. */
static int
deliver_prepare(struct watch_hub *h, struct watcher *w, struct prev_find **pf, size_t *pf_cap)
{
	if (w->nevs > h->out_cap) {
		h->out_cap = w->nevs * 2;
		h->out = xrealloc(h->out, h->out_cap * sizeof(*h->out));
	}
	if (w->prev_kv && w->nevs > *pf_cap) {
		*pf_cap = w->nevs * 2;
		*pf = xrealloc(*pf, *pf_cap * sizeof(**pf));
	}
	h->prev_len = 0;
	for (size_t i = 0; i < w->nevs; i++) {
		const struct walk_event *e = &h->ev[w->evs[i]];

		h->out[i] = (struct watch_event){.type = e->type, .kv = e->kv};
		if (w->prev_kv) {
			struct mvcc_range_req r = {.key = e->kv.key, .key_len = e->kv.key_len,
			    .rev = e->kv.mod_rev - 1};
			struct mvcc_range_res res;
			int rc;

			(*pf)[i] = (struct prev_find){.h = h};
			rc = r.rev > 0 ? mvcc_range(h->s, NULL, &r, prev_found, &(*pf)[i], &res) : 0;
			if (rc != 0 && rc != CAIRN_ECOMPACTED)
				return rc;
		}
	}
	for (size_t i = 0; w->prev_kv && i < w->nevs; i++) {
		if (!(*pf)[i].found)
			continue;
		h->out[i].has_prev = true;
		h->out[i].prev = (*pf)[i].kv;
		h->out[i].prev.key = h->prev + (*pf)[i].key_off;
		h->out[i].prev.value = h->prev + (*pf)[i].value_off;
	}
	return 0;
}

/* Hands each watcher of the group its events of the walk (walk_match
 * listed them) up to 'last'.
 * One whose sink is full falls behind: unsynced, from its first event
 * not taken. */
static int
deliver(struct watch_hub *h, bool synced, int64_t last)
{
	struct prev_find *pf = NULL;
	size_t pf_cap = 0;
	/* The synced group: the watchers with events alone (the others'
	 * next revision is behind the store's, harmlessly). The unsynced:
	 * all of them, each moving on to 'last'. */
	size_t n = synced ? h->ntouched : h->n;
	int rc = 0;

	for (size_t i = 0; i < n && rc == 0; i++) {
		struct watcher *w = synced ? h->touched[i] : h->w[i];
		size_t taken;
		int sent;

		if (w->synced != synced || w->next > last)
			continue;
		/* Held and behind: left where it was (the catch-up walk may
		 * have begun past it, from another watcher's place). */
		if (w->held && !synced)
			continue;
		if (w->nevs == 0) {
			w->next = last + 1;
			w->skip = 0;
			continue;
		}
		if (w->held) {
			/* Synced and held: behind from its first event, as a
			 * full sink that took nothing. */
			w->next = h->ev[w->evs[0]].kv.mod_rev;
			w->skip = 0;
			w->synced = false;
			continue;
		}
		if ((rc = deliver_prepare(h, w, &pf, &pf_cap)) != 0)
			break;
		taken = 0;
		sent = h->sink(h->arg, w->id, h->s->rev, h->out, w->nevs, 0, &taken);
		if (sent == CAIRN_EAGAIN && taken < w->nevs) {
			int64_t next = h->out[taken].kv.mod_rev;
			uint32_t part = 0;

			/* Events of 'next' taken now come after those of it
			 * taken before, if this delivery began there too. */
			for (size_t j = taken; j > 0 && h->out[j - 1].kv.mod_rev == next; j--)
				part++;
			w->skip = (next == w->next ? w->skip : 0) + part;
			w->synced = false;
			w->next = next;
			continue;
		}
		w->next = last + 1;
		w->skip = 0;
	}
	for (size_t i = 0; i < h->ntouched; i++)
		h->touched[i]->nevs = 0;
	h->ntouched = 0;
	free(pf);
	return rc;
}

int
watch_notify(struct watch_hub *h)
{
	int64_t last;
	int rc;

	if (h->s->rev <= h->synced_rev)
		return 0;
	if ((rc = walk(h, true, h->synced_rev + 1, h->s->rev, SIZE_MAX, &last)) != 0)
		return rc;
	rc = deliver(h, true, last);
	h->synced_rev = h->s->rev;
	return rc;
}

/* Unsynced watchers that asked for compacted revisions are told and
 * dropped (etcd: minRev below the compaction). etcd's answer carries no
 * revision (its mvcc WatchResponse has only the compact revision), so
 * its header says revision 0. */
static void
sync_compacted(struct watch_hub *h)
{
	for (size_t i = 0; i < h->n; i++) {
		struct watcher *w = h->w[i];

		if (w->synced || w->next >= h->s->compact_rev || h->s->compact_rev <= 0)
			continue;
		size_t taken;

		if (h->sink(h->arg, w->id, 0, NULL, 0, h->s->compact_rev, &taken) ==
		    CAIRN_EAGAIN)
			continue;
		watcher_drop(h, i--);
	}
}

int
watch_sync_step(struct watch_hub *h, bool *pending)
{
	int64_t from = INT64_MAX, last;
	int rc;

	*pending = false;
	sync_compacted(h);
	for (size_t i = 0; i < h->n; i++)
		if (!h->w[i]->synced && !h->w[i]->held && h->w[i]->next < from)
			from = h->w[i]->next;
	if (from == INT64_MAX)
		return 0;
	if ((rc = walk(h, false, from, h->s->rev, WATCH_SYNC_EVENTS_MAX, &last)) != 0 ||
	    (rc = deliver(h, false, last)) != 0)
		return rc;
	/* Caught up to the store: synced (the synced group's next walk
	 * starts after the store's revision, or skips what it had). */
	for (size_t i = 0; i < h->n; i++) {
		struct watcher *w = h->w[i];

		if (!w->synced && w->next > h->s->rev)
			w->synced = true;
		*pending |= !w->synced && !w->held;
	}
	return 0;
}

int
watch_progress(struct watch_hub *h, uint64_t id)
{
	for (size_t i = 0; i < h->n; i++) {
		struct watcher *w = h->w[i];
		size_t taken;

		if (w->synced && (id != 0 ? w->id == id : w->progress_notify))
			(void)h->sink(h->arg, w->id, h->s->rev, NULL, 0, 0, &taken);
	}
	return 0;
}

void
watch_restore(struct watch_hub *h)
{
	for (size_t i = 0; i < h->n; i++) {
		struct watcher *w = h->w[i];

		/* A synced watcher has had all up to synced_rev, whatever its
		 * next says (deliver leaves it behind when it has no events). */
		if (w->synced && w->next <= h->synced_rev) {
			w->next = h->synced_rev + 1;
			w->skip = 0;
		}
		w->synced = false;
	}
	h->synced_rev = h->s->rev;
}

void
watch_cancel_all(struct watch_hub *h)
{
	for (size_t i = 0; i < h->n; i++)
		watcher_free(h->w[i]);
	h->n = 0;
	if (h->nbucket > 0)
		memset(h->bucket, 0, h->nbucket * sizeof(*h->bucket));
	h->npoint = 0;
	h->nrange = 0;
}
