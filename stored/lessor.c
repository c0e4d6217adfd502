/*
 * stored: lease expiry (see lessor.h). The leases sit in an array with an
 * open-addressing index by ID; expiry is found by a walk of the array,
 * which the caller makes twice a second (etcd's revoke rate bounds what
 * it may propose anyway).
 */
#include <stdlib.h>
#include <string.h>

#include "stored/lease.h"
#include "stored/lessor.h"
#include "shared/err.h"
#include "shared/log.h"
#include "shared/xmalloc.h"

#define NEVER INT64_MAX

struct lessor_lease {
	int64_t id;
	int64_t ttl;                 /* seconds */
	int64_t remaining;           /* a checkpointed TTL (etcd's), else 0 */
	int64_t expiry;              /* ms; NEVER on a follower */
	int64_t retry;               /* ms: not proposed again before */
};

struct lessor {
	struct lessor_lease *v;
	size_t n, cap;
	size_t *slot;                /* open addressing: index + 1; 0 empty */
	size_t nslots;
	bool primary;
};

static size_t
slot_of(const struct lessor *l, int64_t id)
{
	uint64_t h = (uint64_t)id * 0x9e3779b97f4a7c15ull;

	return (size_t)(h >> 7) & (l->nslots - 1);
}

static void
index_rebuild(struct lessor *l)
{
	size_t want = 16;

	while (want < l->cap * 2)
		want *= 2;
	free(l->slot);
	l->nslots = want;
	l->slot = xcalloc(want, sizeof(*l->slot));
	for (size_t i = 0; i < l->n; i++) {
		size_t s = slot_of(l, l->v[i].id);

		while (l->slot[s] != 0)
			s = (s + 1) & (l->nslots - 1);
		l->slot[s] = i + 1;
	}
}

static struct lessor_lease *
find(const struct lessor *l, int64_t id)
{
	if (l->nslots == 0)
		return NULL;
	for (size_t s = slot_of(l, id); l->slot[s] != 0; s = (s + 1) & (l->nslots - 1))
		if (l->v[l->slot[s] - 1].id == id)
			return &l->v[l->slot[s] - 1];
	return NULL;
}

static void
add(struct lessor *l, int64_t id, int64_t ttl, int64_t remaining, int64_t expiry)
{
	size_t s;

	if (find(l, id) != NULL || l->n == LESSOR_LEASES_MAX)
		return;
	l->v = l->n == l->cap ? xrealloc(l->v, (l->cap = l->cap ? l->cap * 2 : 64) *
	    sizeof(*l->v)) : l->v;
	l->v[l->n++] = (struct lessor_lease){.id = id, .ttl = ttl, .remaining = remaining,
	    .expiry = expiry};
	/* The index stays at most half full. */
	if (l->nslots < l->cap * 2) {
		index_rebuild(l);
		return;
	}
	for (s = slot_of(l, id); l->slot[s] != 0; s = (s + 1) & (l->nslots - 1))
		;
	l->slot[s] = l->n;
}

static int
load_one(void *arg, const struct lease_rec *r)
{
	add(arg, r->id, r->ttl, r->remaining, NEVER);
	return 0;
}

struct lessor *
lessor_new(struct mvcc *s)
{
	struct lessor *l = xcalloc(1, sizeof(*l));

	if (lease_list(s, NULL, load_one, l) != 0) {
		log_warnx("cannot read the leases");
		lessor_free(l);
		return NULL;
	}
	return l;
}

void
lessor_free(struct lessor *l)
{
	if (l == NULL)
		return;
	free(l->v);
	free(l->slot);
	free(l);
}

/* etcd's refresh: a lease lives its remaining TTL (its TTL unless
 * checkpointed) plus 'extend' from now. */
static void
refresh(struct lessor_lease *x, int64_t now, int64_t extend)
{
	int64_t secs = x->remaining > 0 ? x->remaining : x->ttl;

	x->expiry = now + extend + secs * 1000;
	x->retry = 0;
}

void
lessor_promote(struct lessor *l, int64_t now, int64_t extend)
{
	l->primary = true;
	for (size_t i = 0; i < l->n; i++)
		refresh(&l->v[i], now, extend);
}

void
lessor_demote(struct lessor *l)
{
	l->primary = false;
	for (size_t i = 0; i < l->n; i++)
		l->v[i].expiry = NEVER;
}

bool
lessor_is_primary(const struct lessor *l)
{
	return l->primary;
}

void
lessor_granted(struct lessor *l, int64_t id, int64_t ttl, int64_t now)
{
	add(l, id, ttl, 0, l->primary ? now + ttl * 1000 : NEVER);
}

/* Removal rebuilds the index (O(leases)): revokes are rare next to
 * keep-alives. */
void
lessor_revoked(struct lessor *l, int64_t id)
{
	struct lessor_lease *x = find(l, id);

	if (x == NULL)
		return;
	*x = l->v[--l->n];
	index_rebuild(l);
}

int
lessor_renew(struct lessor *l, int64_t id, int64_t now, int64_t *ttl)
{
	struct lessor_lease *x = find(l, id);

	if (!l->primary)
		return CAIRN_ENOTLEADER;
	if (x == NULL || x->expiry <= now)
		return CAIRN_ELEASENOTFOUND;
	x->remaining = 0;
	refresh(x, now, 0);
	*ttl = x->ttl;
	return 0;
}

int
lessor_remaining(const struct lessor *l, int64_t id, int64_t now, int64_t *left,
    int64_t *granted)
{
	const struct lessor_lease *x = find(l, id);

	if (x == NULL)
		return CAIRN_ELEASENOTFOUND;
	*granted = x->ttl;
	if (x->expiry == NEVER)
		*left = x->remaining > 0 ? x->remaining : x->ttl;
	else
		*left = x->expiry > now ? (x->expiry - now) / 1000 : -1;
	return 0;
}

size_t
lessor_expired(struct lessor *l, int64_t now, int64_t *ids, size_t max)
{
	size_t k = 0;

	for (size_t i = 0; l->primary && i < l->n && k < max; i++) {
		struct lessor_lease *x = &l->v[i];

		if (x->expiry > now || x->retry > now)
			continue;
		ids[k++] = x->id;
		x->retry = now + LESSOR_RETRY_MS;
	}
	return k;
}

size_t
lessor_count(const struct lessor *l)
{
	return l->n;
}

static int
by_expiry(const void *a, const void *b)
{
	const struct lessor_lease *x = a, *y = b;

	if (x->expiry != y->expiry)
		return x->expiry < y->expiry ? -1 : 1;
	return x->id < y->id ? -1 : x->id > y->id;
}

size_t
lessor_by_expiry(const struct lessor *l, int64_t *ids)
{
	struct lessor_lease *v;

	if (l->n == 0)
		return 0;
	v = xmalloc(l->n * sizeof(*v));
	memcpy(v, l->v, l->n * sizeof(*v));
	qsort(v, l->n, sizeof(*v), by_expiry);
	for (size_t i = 0; i < l->n; i++)
		ids[i] = v[i].id;
	free(v);
	return l->n;
}
