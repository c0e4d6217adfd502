/*
 * stored: Range, Put and DeleteRange as etcd 3.4's applier does them
 * (etcdserver/apply.go's semantics): the range options applied after the
 * store's walk (filters, sort, limit), prev_kv, and the responses.
 */
#include <stdlib.h>
#include <string.h>

#include "stored/apply_impl.h"
#include "stored/lease.h"
#include "stored/mvcc_impl.h"
#include "shared/err.h"
#include "shared/xmalloc.h"

/* Response fields (etcdserverpb). */
#define RANGE_KVS 2
#define RANGE_MORE 3
#define RANGE_COUNT 4
#define PUT_PREV_KV 2
#define DELETE_DELETED 2
#define DELETE_PREV_KVS 3

int64_t
apply_rev(const struct apply *a, const struct mvcc_wtxn *w)
{
	return w != NULL && w->sub > 0 ? w->main : a->s->rev;
}

void
apply_header(const struct apply *a, struct spb *out, int64_t rev, bool top)
{
	uint8_t buf[64];
	struct spb h = {.buf = buf, .cap = sizeof(buf)};

	if (top) {
		spb_varint(&h, 1, a->cluster_id);
		spb_varint(&h, 2, a->member_id);
	}
	spb_varint(&h, 3, (uint64_t)rev);
	if (top)
		spb_varint(&h, 4, a->term);
	spb_bytes(out, 1, h.buf, h.len, true);
}

/* ---- range ---------------------------------------------------------- */

/* The key-values of a range kept for filtering and sorting: copies, with
 * their order of arrival (key order) to break ties: a stable sort. */
struct apply_kv {
	struct mvcc_kv kv;
	size_t key_off, value_off;
	size_t seq;
};

struct apply_kvs {
	struct apply_kv *v;
	size_t n, cap;
	uint8_t *bytes;
	size_t len, bcap;
};

static int
kvs_keep(void *arg, const struct mvcc_kv *kv)
{
	struct apply_kvs *k = arg;
	struct apply_kv *e;

	if (k->n == k->cap) {
		k->cap = k->cap ? k->cap * 2 : 64;
		k->v = xrealloc(k->v, k->cap * sizeof(*k->v));
	}
	if (k->len + kv->key_len + kv->value_len > k->bcap) {
		k->bcap = (k->len + kv->key_len + kv->value_len) * 2;
		k->bytes = xrealloc(k->bytes, k->bcap);
	}
	e = &k->v[k->n];
	e->kv = *kv;
	e->seq = k->n++;
	e->key_off = k->len;
	memcpy(k->bytes + k->len, kv->key, kv->key_len);
	k->len += kv->key_len;
	e->value_off = k->len;
	if (kv->value_len > 0)
		memcpy(k->bytes + k->len, kv->value, kv->value_len);
	k->len += kv->value_len;
	return 0;
}

static bool
range_filtered(const struct req_range *r)
{
	return r->min_mod != 0 || r->max_mod != 0 || r->min_create != 0 || r->max_create != 0;
}

static bool
range_drops(const struct req_range *r, const struct mvcc_kv *kv)
{
	return (r->max_mod != 0 && kv->mod_rev > r->max_mod) ||
	    (r->min_mod != 0 && kv->mod_rev < r->min_mod) ||
	    (r->max_create != 0 && kv->create_rev > r->max_create) ||
	    (r->min_create != 0 && kv->create_rev < r->min_create);
}

/* How a range's key-values are sorted. */
struct sort_by {
	uint32_t target;
	bool descend;
};

static int
cmp_i64(int64_t x, int64_t y)
{
	return x < y ? -1 : x > y;
}

static int
kv_order(const void *pa, const void *pb, void *arg)
{
	const struct apply_kv *x = pa, *y = pb;
	const struct sort_by *by = arg;
	int c = 0;

	switch (by->target) {
	case REQ_TARGET_VERSION: c = cmp_i64(x->kv.version, y->kv.version); break;
	case REQ_TARGET_CREATE: c = cmp_i64(x->kv.create_rev, y->kv.create_rev); break;
	case REQ_TARGET_MOD: c = cmp_i64(x->kv.mod_rev, y->kv.mod_rev); break;
	case REQ_TARGET_VALUE:
		c = memcmp(x->kv.value, y->kv.value, x->kv.value_len < y->kv.value_len ?
		    x->kv.value_len : y->kv.value_len);
		if (c == 0)
			c = cmp_i64(x->kv.value_len, y->kv.value_len);
		break;
	default: break; /* key: the walk's order */
	}
	if (by->descend)
		c = -c;
	/* Ties keep key order, reversed for a descending sort by key. */
	return c != 0 ? c : by->descend && by->target == REQ_TARGET_KEY ?
	    cmp_i64((int64_t)y->seq, (int64_t)x->seq) : cmp_i64((int64_t)x->seq, (int64_t)y->seq);
}

/* etcd sorts ascending when a target other than the key is named
 * without an order. */
static uint32_t
range_order(const struct req_range *r)
{
	if (r->sort_target != REQ_TARGET_KEY && r->sort_order == REQ_SORT_NONE)
		return REQ_SORT_ASCEND;
	return r->sort_order;
}

/* Sorting or filtering: every key-value first, then the options. */
static int
range_collected(struct apply *a, struct apply_at at, const struct req_range *r,
    struct mvcc_range_req *mr, struct spb *out)
{
	struct apply_kvs *k = a->kvs;
	struct mvcc_range_res res;
	size_t kept = 0;
	uint32_t order = range_order(r);
	int rc;

	k->n = k->len = 0;
	mr->limit = 0;
	if ((rc = mvcc_range(a->s, at.w, mr, kvs_keep, k, &res)) != 0)
		return rc;
	for (size_t i = 0; i < k->n; i++) {
		k->v[i].kv.key = k->bytes + k->v[i].key_off;
		k->v[i].kv.value = k->bytes + k->v[i].value_off;
		if (!range_drops(r, &k->v[i].kv))
			k->v[kept++] = k->v[i];
	}
	if (order != REQ_SORT_NONE) {
		struct sort_by by = {.target = r->sort_target, .descend = order == REQ_SORT_DESCEND};

		qsort_r(k->v, kept, sizeof(*k->v), kv_order, &by);
	}
	apply_header(a, out, res.rev, at.depth == 0);
	for (size_t i = 0; i < kept && (r->limit <= 0 || (int64_t)i < r->limit); i++)
		spb_kv(out, RANGE_KVS, &k->v[i].kv, r->keys_only);
	spb_varint(out, RANGE_MORE, r->limit > 0 && (int64_t)kept > r->limit);
	spb_varint(out, RANGE_COUNT, (uint64_t)res.count);
	return 0;
}

struct range_stream {
	struct spb *out;
	bool keys_only;
};

static int
range_emit(void *arg, const struct mvcc_kv *kv)
{
	struct range_stream *rs = arg;

	spb_kv(rs->out, RANGE_KVS, kv, rs->keys_only);
	return 0;
}

int
apply_range(struct apply *a, struct apply_at at, const struct req_range *r, struct spb *out)
{
	struct mvcc_range_req mr = {.key = r->key.p, .key_len = r->key.n, .end = r->end.p,
	    .end_len = r->end.n, .rev = r->rev, .limit = r->limit, .count_only = r->count_only};
	struct range_stream rs = {.out = out, .keys_only = r->keys_only};
	struct mvcc_range_res res;
	size_t mark = out->len;
	int rc;

	if ((rc = apply_check_range(a, at.w, r)) != 0)
		return rc;
	if (!r->count_only && (range_order(r) != REQ_SORT_NONE || range_filtered(r)))
		return range_collected(a, at, r, &mr, out);
	/* The header's revision is known before the walk. */
	apply_header(a, out, apply_rev(a, at.w), at.depth == 0);
	if ((rc = mvcc_range(a->s, at.w, &mr, range_emit, &rs, &res)) != 0) {
		out->len = mark;
		return rc;
	}
	spb_varint(out, RANGE_MORE, res.more);
	spb_varint(out, RANGE_COUNT, (uint64_t)res.count);
	return 0;
}

int
apply_check_range(struct apply *a, struct mvcc_wtxn *w, const struct req_range *r)
{
	if (r->rev > apply_rev(a, w))
		return CAIRN_EFUTUREREV;
	if (r->rev > 0 && r->rev < a->s->compact_rev)
		return CAIRN_ECOMPACTED;
	return 0;
}

/* ---- put and delete ------------------------------------------------- */

int
apply_check_put(struct apply *a, struct mvcc_wtxn *w, const struct req_put *r)
{
	struct lease_rec l;
	struct mvcc_rev rev;
	int rc;

	if (r->ignore_value || r->ignore_lease) {
		rc = mvcc_live_get(a->s, w->txn, r->key.p, r->key.n, &rev);
		if (rc != 0)
			return rc == CAIRN_ENOENT ? CAIRN_EKEYNOTFOUND : rc;
	}
	if (r->lease != 0 && (rc = lease_get(a->s, w->txn, r->lease, &l)) != 0)
		return rc;
	return 0;
}

static int
put_prev(void *arg, const struct mvcc_kv *kv)
{
	spb_kv(arg, PUT_PREV_KV, kv, false);
	return 0;
}

int
apply_put(struct apply *a, struct apply_at at, const struct req_put *r, struct spb *out)
{
	struct mvcc_put_req pr = {.key = r->key.p, .key_len = r->key.n, .value = r->value.p,
	    .value_len = r->value.n, .lease = r->lease, .ignore_value = r->ignore_value,
	    .ignore_lease = r->ignore_lease};

	/* A put always makes a change: its revision is the write's. */
	apply_header(a, out, at.w->main, at.depth == 0);
	return mvcc_put(at.w, &pr, r->prev_kv ? put_prev : NULL, out);
}

static int
delete_prev(void *arg, const struct mvcc_kv *kv)
{
	spb_kv(arg, DELETE_PREV_KVS, kv, false);
	return 0;
}

int
apply_delete(struct apply *a, struct apply_at at, const struct req_delete *r,
    struct spb *out)
{
	int64_t deleted;
	int rc;

	spb_reset(&a->prev);
	rc = mvcc_delete_range(at.w, r->key.p, r->key.n, r->end.p, r->end.n, &deleted,
	    r->prev_kv ? delete_prev : NULL, &a->prev);
	if (rc != 0)
		return rc;
	apply_header(a, out, apply_rev(a, at.w), at.depth == 0);
	spb_varint(out, DELETE_DELETED, (uint64_t)deleted);
	if (a->prev.len > 0) {
		memcpy(spb_room(out, a->prev.len), a->prev.buf, a->prev.len);
		out->len += a->prev.len;
	}
	return 0;
}

void
apply_kvs_free(struct apply_kvs *k)
{
	if (k == NULL)
		return;
	free(k->v);
	free(k->bytes);
	free(k);
}

struct apply_kvs *
apply_kvs_new(void)
{
	return xcalloc(1, sizeof(struct apply_kvs));
}
