/*
 * stored: etcd's range at a revision. At the current revision it walks
 * the live index: the count comes from record numbers, O(log n), and
 * only the key-values returned are read. At an older revision it walks
 * the history, one seek per key to its newest revision at or below the
 * one asked (a tombstone there: the key did not exist then).
 */
#include <stdlib.h>
#include <string.h>

#include "stored/hist_order.h"
#include "stored/keyrange.h"
#include "stored/mvcc_impl.h"
#include "stored/rev_codec.h"
#include "shared/be.h"
#include "shared/err.h"

/* The record number of the first live key >= key; past the last key, the
 * number of keys plus one. key NULL: past the last key. */
static int
range_recno(DBC *c, const uint8_t *key, uint32_t key_len, db_recno_t *out)
{
	DBT k = {.data = bdb_mut(key), .size = key_len}, v = {0};
	DBT rn = {.data = out, .ulen = sizeof(*out), .flags = DB_DBT_USERMEM};
	int rc = key != NULL ? c->get(c, &k, &v, DB_SET_RANGE) : DB_NOTFOUND;
	bool past = rc == DB_NOTFOUND;

	if (past)
		rc = c->get(c, &k, &v, DB_LAST);
	if (rc == DB_NOTFOUND) {
		*out = 1; /* empty */
		return 0;
	}
	if (rc == 0)
		rc = c->get(c, &k, &rn, DB_GET_RECNO);
	if (rc != 0)
		return bdb_fail(rc, "live recno");
	*out += past;
	return 0;
}

static int
range_live_count(DBC *c, const struct mvcc_range_req *r, int64_t *count)
{
	db_recno_t from, to;
	int rc;

	if (r->end_len == 0) {
		DBT k = {.data = bdb_mut(r->key), .size = r->key_len}, v = {0};

		rc = c->get(c, &k, &v, DB_SET);
		*count = rc == 0;
		return rc == 0 || rc == DB_NOTFOUND ? 0 : bdb_fail(rc, "live get");
	}
	if ((rc = range_recno(c, r->key, r->key_len, &from)) != 0)
		return rc;
	rc = keyrange_open_end(r->end, r->end_len) ? range_recno(c, NULL, 0, &to) :
	    range_recno(c, r->end, r->end_len, &to);
	*count = rc == 0 && to > from ? (int64_t)(to - from) : 0;
	return rc;
}

/* Up to 'want' live key-values from r->key on, to fn. */
static int
range_live_walk(struct mvcc *s, DB_TXN *txn, DBC *c, const struct mvcc_range_req *r,
    int64_t want, mvcc_kv_fn *fn, void *arg)
{
	DBT k = {.data = bdb_mut(r->key), .size = r->key_len}, v = {0};
	int64_t n = 0;
	int rc;

	for (rc = c->get(c, &k, &v, DB_SET_RANGE); rc == 0 && n < want;
	    rc = c->get(c, &k, &v, DB_NEXT)) {
		struct mvcc_rev rev;
		struct mvcc_kv kv;

		if (!keyrange_has(r->key, r->key_len, r->end, r->end_len, k.data, k.size))
			return 0;
		if (v.size != LIVE_REV_BYTES)
			return CAIRN_ECORRUPT;
		rev.main = (int64_t)be_get64(v.data);
		rev.sub = (int64_t)be_get64((uint8_t *)v.data + 8);
		if ((rc = mvcc_kv_at(s, txn, rev, &s->val, &kv)) != 0 || (rc = fn(arg, &kv)) != 0)
			return rc;
		n++;
	}
	return rc == 0 || rc == DB_NOTFOUND ? 0 : bdb_fail(rc, "live walk");
}

/* One key: two lookups, no cursor (the common read). */
static int
range_point(struct mvcc *s, DB_TXN *txn, const struct mvcc_range_req *r, mvcc_kv_fn *fn,
    void *arg, struct mvcc_range_res *res)
{
	struct mvcc_rev rev;
	struct mvcc_kv kv;
	int rc = mvcc_live_get(s, txn, r->key, r->key_len, &rev);

	if (rc == CAIRN_ENOENT)
		return 0;
	if (rc != 0)
		return rc;
	res->count = 1;
	if (r->count_only)
		return 0;
	if ((rc = mvcc_kv_at(s, txn, rev, &s->val, &kv)) != 0)
		return rc;
	return fn(arg, &kv);
}

static int
range_current(struct mvcc *s, DB_TXN *txn, const struct mvcc_range_req *r, mvcc_kv_fn *fn,
    void *arg, struct mvcc_range_res *res)
{
	DBC *c;
	int64_t want;
	int rc = s->db.live->cursor(s->db.live, txn, &c, 0);

	if (rc != 0)
		return bdb_fail(rc, "live cursor");
	rc = range_live_count(c, r, &res->count);
	want = r->count_only ? 0 : r->limit > 0 && r->limit < res->count ? r->limit : res->count;
	if (rc == 0 && want > 0)
		rc = range_live_walk(s, txn, c, r, want, fn, arg);
	(void)c->close(c);
	res->more = r->limit > 0 && res->count > r->limit;
	return rc;
}

/* Positions c on the newest history record of key at or below rev.
 * Returns 0 (found: *tomb says whether it is a tombstone), CAIRN_ENOENT
 * (the key has no revision at or below rev), or an error. */
static int
range_hist_at(struct mvcc *s, DBC *c, const uint8_t *key, uint32_t key_len, int64_t rev,
    struct mvcc_rev *found, bool *tomb)
{
	uint8_t *seek = mvcc_scratch(s, (size_t)key_len + HIST_REV_BYTES);
	DBT k = {.data = seek, .size = key_len + HIST_REV_BYTES}, v = {0};
	const uint8_t *fk;
	uint32_t fk_len;
	int rc;

	hist_key_put(seek, key, key_len, (struct mvcc_rev){.main = rev + 1, .sub = 0});
	rc = c->get(c, &k, &v, DB_SET_RANGE);
	rc = rc == 0 ? c->get(c, &k, &v, DB_PREV) : rc == DB_NOTFOUND ?
	    c->get(c, &k, &v, DB_LAST) : rc;
	if (rc == DB_NOTFOUND)
		return CAIRN_ENOENT;
	if (rc != 0)
		return bdb_fail(rc, "hist seek");
	if (!hist_key_get(k.data, k.size, &fk, &fk_len, found) || v.size != 1)
		return CAIRN_ECORRUPT;
	if (keyrange_cmp(fk, fk_len, key, key_len) != 0)
		return CAIRN_ENOENT;
	*tomb = ((uint8_t *)v.data)[0] == MVCC_REV_TOMB_MARK;
	return 0;
}

/* The first key of the history at or after key (after = true: strictly
 * after), copied to *next (owned by the caller's buffer nb). */
static int
range_hist_next(struct mvcc *s, DBC *c, const uint8_t *key, uint32_t key_len, bool after,
    DBT *nb)
{
	uint8_t *seek = mvcc_scratch(s, (size_t)key_len + HIST_REV_BYTES);
	DBT k = {.data = seek, .size = key_len + HIST_REV_BYTES}, v = {0};
	const uint8_t *fk;
	uint32_t fk_len;
	struct mvcc_rev rev;
	int rc;

	/* All 0xff: after every revision of key (revisions are < 2^63). */
	memcpy(seek, key, key_len);
	memset(seek + key_len, after ? 0xff : 0, HIST_REV_BYTES);
	rc = c->get(c, &k, &v, DB_SET_RANGE);
	if (rc == DB_NOTFOUND)
		return CAIRN_ENOENT;
	if (rc != 0)
		return bdb_fail(rc, "hist next");
	if (!hist_key_get(k.data, k.size, &fk, &fk_len, &rev))
		return CAIRN_ECORRUPT;
	if (fk_len > nb->ulen) {
		nb->data = realloc(nb->data, fk_len);
		nb->ulen = fk_len;
	}
	memcpy(nb->data, fk, fk_len);
	nb->size = fk_len;
	return 0;
}

static int
range_past(struct mvcc *s, DB_TXN *txn, const struct mvcc_range_req *r, mvcc_kv_fn *fn,
    void *arg, struct mvcc_range_res *res)
{
	DBC *c;
	DBT cur = {0};
	bool after = false;
	int rc = s->db.hist->cursor(s->db.hist, txn, &c, 0);

	if (rc != 0)
		return bdb_fail(rc, "hist cursor");
	cur.data = malloc(r->key_len + 1);
	cur.ulen = r->key_len + 1;
	memcpy(cur.data, r->key, r->key_len);
	cur.size = r->key_len;
	while ((rc = range_hist_next(s, c, cur.data, cur.size, after, &cur)) == 0) {
		struct mvcc_rev rev;
		struct mvcc_kv kv;
		bool tomb = false;

		after = true;
		if (!keyrange_has(r->key, r->key_len, r->end, r->end_len, cur.data, cur.size))
			break;
		rc = range_hist_at(s, c, cur.data, cur.size, r->rev, &rev, &tomb);
		if (rc == CAIRN_ENOENT || (rc == 0 && tomb))
			continue;
		if (rc != 0)
			break;
		res->count++;
		if (r->count_only || (r->limit > 0 && res->count > r->limit))
			continue;
		if ((rc = mvcc_kv_at(s, txn, rev, &s->val, &kv)) != 0 || (rc = fn(arg, &kv)) != 0)
			break;
		if (r->end_len == 0)
			break;
	}
	(void)c->close(c);
	free(cur.data);
	res->more = r->limit > 0 && res->count > r->limit;
	return rc == CAIRN_ENOENT ? 0 : rc;
}

int
mvcc_range(struct mvcc *s, struct mvcc_wtxn *w, const struct mvcc_range_req *r,
    mvcc_kv_fn *fn, void *arg, struct mvcc_range_res *res)
{
	int64_t cur = w != NULL && w->sub > 0 ? w->main : s->rev;
	DB_TXN *txn = w != NULL ? w->txn : s->batch;

	*res = (struct mvcc_range_res){.rev = cur};
	if (r->rev > cur)
		return CAIRN_EFUTUREREV;
	if (r->rev > 0 && r->rev < s->compact_rev)
		return CAIRN_ECOMPACTED;
	if ((r->rev <= 0 || r->rev == cur) && r->end_len == 0)
		return range_point(s, txn, r, fn, arg, res);
	if (r->rev <= 0 || r->rev == cur)
		return range_current(s, txn, r, fn, arg, res);
	/* etcd's header revision is the current one even for a past read. */
	return range_past(s, txn, r, fn, arg, res);
}
