/*
 * stored: a user's merged key permissions and etcd's check against them
 * (see auth_perm.h).
 */
#include <stdlib.h>
#include <string.h>

#include "shared/assert.h"
#include "shared/xmalloc.h"
#include "stored/auth_perm.h"

/* An endpoint: bytes, or infinity (etcd's empty BytesAffineComparable,
 * which sorts after every key). */
struct ep {
	const uint8_t *p;
	uint32_t n;
	bool inf;
};

static int
ep_cmp(struct ep a, struct ep b)
{
	int c;

	if (a.inf || b.inf)
		return (int)a.inf - (int)b.inf;
	c = memcmp(a.p, b.p, a.n < b.n ? a.n : b.n);
	if (c != 0)
		return c;
	return (a.n > b.n) - (a.n < b.n);
}

static struct ep
ivl_begin(const struct auth_perms *p, const struct auth_ivl *v)
{
	return (struct ep){.p = p->bytes + v->begin, .n = v->begin_len, .inf = false};
}

static struct ep
ivl_end(const struct auth_perms *p, const struct auth_ivl *v)
{
	return (struct ep){.p = p->bytes + v->end, .n = v->end_len, .inf = v->end_inf};
}

void
auth_perms_init(struct auth_perms *p)
{
	memset(p, 0, sizeof(*p));
}

void
auth_perms_free(struct auth_perms *p)
{
	free(p->read.v);
	free(p->write.v);
	free(p->bytes);
	memset(p, 0, sizeof(*p));
}

void
auth_perms_reset(struct auth_perms *p)
{
	p->read.n = 0;
	p->write.n = 0;
	p->len = 0;
}

/* Copies n bytes (and a 0 byte after them when 'nul'); returns their
 * offset. */
static uint32_t
perms_copy(struct auth_perms *p, const uint8_t *b, uint32_t n, bool nul)
{
	size_t need = p->len + n + (nul ? 1 : 0);
	uint32_t off = (uint32_t)p->len;

	CAIRN_ASSERT(need < UINT32_MAX);
	if (need > p->cap) {
		p->cap = need > 2 * p->cap ? need : 2 * p->cap;
		p->bytes = xrealloc(p->bytes, p->cap);
	}
	if (n > 0)
		memcpy(p->bytes + p->len, b, n);
	if (nul)
		p->bytes[p->len + n] = 0;
	p->len = need;
	return off;
}

static void
ivls_push(struct auth_ivls *l, struct auth_ivl v)
{
	if (l->n == l->cap) {
		l->cap = l->cap == 0 ? 8 : 2 * l->cap;
		l->v = xrealloc(l->v, l->cap * sizeof(*l->v));
	}
	l->v[l->n++] = v;
}

void
auth_perms_add(struct auth_perms *p, uint32_t type, const uint8_t *key, uint32_t key_len,
    const uint8_t *end, uint32_t end_len)
{
	struct auth_ivl v = {0};

	if (type > AUTH_PERM_READWRITE)
		return;
	v.begin = perms_copy(p, key, key_len, false);
	v.begin_len = key_len;
	if (end_len == 0) {
		/* etcd's NewBytesAffinePoint: [key, key + "\0"). */
		v.end = perms_copy(p, key, key_len, true);
		v.end_len = key_len + 1;
	} else if (end_len == 1 && end[0] == 0) {
		v.end_inf = true;
	} else {
		v.end = perms_copy(p, end, end_len, false);
		v.end_len = end_len;
	}
	if (type != AUTH_PERM_WRITE)
		ivls_push(&p->read, v);
	if (type != AUTH_PERM_READ)
		ivls_push(&p->write, v);
}

static int
ivl_order(const void *x, const void *y, void *arg)
{
	const struct auth_perms *p = arg;

	return ep_cmp(ivl_begin(p, x), ivl_begin(p, y));
}

void
auth_perms_seal(struct auth_perms *p)
{
	if (p->read.n > 1)
		qsort_r(p->read.v, p->read.n, sizeof(*p->read.v), ivl_order, p);
	if (p->write.n > 1)
		qsort_r(p->write.v, p->write.n, sizeof(*p->write.v), ivl_order, p);
}

/* pkg/adt Interval.Compare(q, v) == 0: etcd visits v for the query q
 * unless q lies wholly left of v (q.begin < v.begin and q.end <= v.begin)
 * or right of it (q.begin >= v.end). For an inverted q (end before
 * begin) this is not "the two overlap", and etcd's answer follows it. */
static bool
ivl_visited(struct ep qb, struct ep qe, struct ep vb, struct ep ve)
{
	if (ep_cmp(qb, vb) < 0 && ep_cmp(qe, vb) <= 0)
		return false;
	return ep_cmp(qb, ve) < 0;
}

bool
auth_perms_allow(const struct auth_perms *p, uint32_t type, const uint8_t *key,
    uint32_t key_len, const uint8_t *end, uint32_t end_len)
{
	const struct auth_ivls *l = type == AUTH_PERM_READ ? &p->read : &p->write;
	struct ep qb = {.p = key, .n = key_len}, qe = {.p = end, .n = end_len};
	struct ep min_begin = {0}, max_end = {0};
	bool seen = false;

	CAIRN_ASSERT(type == AUTH_PERM_READ || type == AUTH_PERM_WRITE);
	if (end_len == 0) {
		/* A single key: some interval holds it (etcd's checkKeyPoint). */
		for (size_t i = 0; i < l->n; i++)
			if (ep_cmp(ivl_begin(p, &l->v[i]), qb) <= 0 &&
			    ep_cmp(qb, ivl_end(p, &l->v[i])) < 0)
				return true;
		return false;
	}
	if (end_len == 1 && end[0] == 0)
		qe = (struct ep){.inf = true};
	/* etcd's IntervalTree.Contains: the intervals visited, in order of
	 * their begin keys, must leave no gap and reach both ends. */
	for (size_t i = 0; i < l->n; i++) {
		struct ep vb = ivl_begin(p, &l->v[i]), ve = ivl_end(p, &l->v[i]);

		if (!ivl_visited(qb, qe, vb, ve))
			continue;
		if (!seen) {
			min_begin = vb;
			max_end = ve;
			seen = true;
			continue;
		}
		if (ep_cmp(max_end, vb) < 0)
			return false;
		if (ep_cmp(ve, max_end) > 0)
			max_end = ve;
	}
	return seen && ep_cmp(max_end, qe) >= 0 && ep_cmp(min_begin, qb) <= 0;
}
