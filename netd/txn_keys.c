/*
 * netd: a txn's keys written twice (see txn_keys.h), following etcd's
 * checkIntervals step by step, with arrays in place of its interval tree.
 * A delete covers [key, range_end) compared as bytes, or key alone; as in
 * etcd, a range_end that sorts before its key covers nothing.
 */
#include <stdlib.h>
#include <string.h>

#include "netd/txn_keys.h"
#include "shared/err.h"
#include "shared/xmalloc.h"

struct keyset {
	struct req_bytes *puts;
	size_t nputs, capputs;
	struct req_delete *dels;     /* key and end only */
	size_t ndels, capdels;
};

static int
bytes_cmp(struct req_bytes a, struct req_bytes b)
{
	size_t n = a.n < b.n ? a.n : b.n;
	int c = n > 0 ? memcmp(a.p, b.p, n) : 0;

	return c != 0 ? c : (a.n > b.n) - (a.n < b.n);
}

static bool
has_put(const struct keyset *s, struct req_bytes k)
{
	for (size_t i = 0; i < s->nputs; i++)
		if (bytes_cmp(s->puts[i], k) == 0)
			return true;
	return false;
}

static bool
deleted(const struct keyset *s, struct req_bytes k)
{
	for (size_t i = 0; i < s->ndels; i++) {
		const struct req_delete *d = &s->dels[i];

		if (d->end.n == 0 ? bytes_cmp(d->key, k) == 0 :
		    bytes_cmp(d->key, k) <= 0 && bytes_cmp(k, d->end) < 0)
			return true;
	}
	return false;
}

static void
add_put(struct keyset *s, struct req_bytes k)
{
	if (s->nputs == s->capputs)
		s->puts = xrealloc(s->puts, (s->capputs = s->capputs ? 2 * s->capputs : 16) *
		    sizeof(*s->puts));
	s->puts[s->nputs++] = k;
}

static void
add_del(struct keyset *s, const struct req_delete *d)
{
	if (s->ndels == s->capdels)
		s->dels = xrealloc(s->dels, (s->capdels = s->capdels ? 2 * s->capdels : 16) *
		    sizeof(*s->dels));
	s->dels[s->ndels++] = *d;
}

static void
keyset_free(struct keyset *s)
{
	free(s->puts);
	free(s->dels);
	memset(s, 0, sizeof(*s));
}

/* A put of k at this level, or from a nested txn: refused when already
 * put (unless 'safe' says the other branch put it) or deleted. */
static int
put_once(struct keyset *s, struct req_bytes k, const struct keyset *safe)
{
	if (has_put(s, k) && (safe == NULL || !has_put(safe, k)))
		return CAIRN_EDUPKEY;
	if (deleted(s, k))
		return CAIRN_EDUPKEY;
	add_put(s, k);
	return 0;
}

static int
check_ops(const struct req_op *ops, size_t n, struct keyset *out)
{
	int rc = 0;

	for (size_t i = 0; i < n; i++)
		if (ops[i].type == REQ_OP_DELETE)
			add_del(out, &ops[i].u.del);
	for (size_t i = 0; i < n && rc == 0; i++) {
		struct keyset then = {0}, other = {0};
		const struct req_txn *t = ops[i].u.txn;

		if (ops[i].type != REQ_OP_TXN)
			continue;
		if ((rc = check_ops(t->success, t->nsuccess, &then)) == 0)
			rc = check_ops(t->failure, t->nfailure, &other);
		for (size_t j = 0; j < then.nputs && rc == 0; j++)
			rc = put_once(out, then.puts[j], NULL);
		for (size_t j = 0; j < other.nputs && rc == 0; j++)
			rc = put_once(out, other.puts[j], &then);
		for (size_t j = 0; j < then.ndels && rc == 0; j++)
			add_del(out, &then.dels[j]);
		for (size_t j = 0; j < other.ndels && rc == 0; j++)
			add_del(out, &other.dels[j]);
		keyset_free(&then);
		keyset_free(&other);
	}
	for (size_t i = 0; i < n && rc == 0; i++)
		if (ops[i].type == REQ_OP_PUT)
			rc = put_once(out, ops[i].u.put.key, NULL);
	return rc;
}

int
txn_keys_check(const struct req_txn *t)
{
	struct keyset s = {0};
	int rc = check_ops(t->success, t->nsuccess, &s);

	keyset_free(&s);
	if (rc == 0)
		rc = check_ops(t->failure, t->nfailure, &s);
	keyset_free(&s);
	return rc;
}
