/*
 * stored: write transactions: put and delete range as etcd 3.4 does them
 * (mvcc/kvstore_txn.go's semantics): one main revision per transaction,
 * a sub revision per change, versions counted within a generation.
 */
#include <stdlib.h>
#include <string.h>

#include "stored/keyrange.h"
#include "stored/lease.h"
#include "stored/meta.h"
#include "stored/mvcc_impl.h"
#include "stored/rev_codec.h"
#include "shared/be.h"
#include "shared/assert.h"
#include "shared/err.h"
#include "shared/log.h"
#include "shared/xmalloc.h"

int
mvcc_batch_begin(struct mvcc *s)
{
	CAIRN_ASSERT(s->batch == NULL);
	s->batch_dirty = false;
	return bdb_begin(&s->db, &s->batch);
}

int
mvcc_batch_commit(struct mvcc *s)
{
	int rc = 0;

	if (s->batch_dirty)
		rc = meta_save_apply(s, s->batch, s->ci, s->term, s->rev);
	if (rc != 0) {
		mvcc_batch_abort(s);
		return rc;
	}
	rc = bdb_commit(s->batch);
	s->batch = NULL;
	return rc;
}

/* The in-memory revision, index and term went ahead of the disk: they
 * come back from the meta records, as after a crash. */
void
mvcc_batch_abort(struct mvcc *s)
{
	if (s->batch != NULL)
		bdb_abort(s->batch);
	s->batch = NULL;
	if (meta_load(s) != 0)
		fatalx("cannot read the store's meta records again");
}

int
mvcc_write_begin(struct mvcc *s, struct mvcc_wtxn *w)
{
	*w = (struct mvcc_wtxn){.s = s, .main = s->rev + 1, .txn = s->batch};
	return s->batch != NULL ? 0 : bdb_begin(&s->db, &w->txn);
}

void
mvcc_write_abort(struct mvcc_wtxn *w)
{
	if (w->s->batch != NULL)
		mvcc_batch_abort(w->s);
	else if (w->txn != NULL)
		bdb_abort(w->txn);
	w->txn = NULL;
}

int
mvcc_write_end(struct mvcc_wtxn *w, uint64_t index, uint64_t term)
{
	struct mvcc *s = w->s;
	int64_t rev = w->sub > 0 ? w->main : s->rev;
	int rc;

	if (s->batch != NULL) {
		s->rev = rev;
		s->ci = index;
		s->term = term;
		s->batch_dirty = true;
		w->txn = NULL;
		return 0;
	}
	rc = meta_save_apply(s, w->txn, index, term, rev);

	if (rc != 0) {
		mvcc_write_abort(w);
		return rc;
	}
	rc = bdb_commit(w->txn);
	w->txn = NULL;
	if (rc == 0) {
		s->rev = rev;
		s->ci = index;
		s->term = term;
	}
	return rc;
}

int
mvcc_put(struct mvcc_wtxn *w, const struct mvcc_put_req *r, mvcc_kv_fn *prev, void *arg)
{
	struct mvcc *s = w->s;
	struct mvcc_rev rev = {.main = w->main, .sub = w->sub}, old;
	struct mvcc_kv kv = {.key = r->key, .key_len = r->key_len, .value = r->value,
	    .value_len = r->value_len, .create_rev = w->main, .mod_rev = w->main,
	    .version = 1, .lease = r->lease};
	struct mvcc_kv was = {0};
	struct lease_rec l;
	bool exists;
	int rc = mvcc_live_get(s, w->txn, r->key, r->key_len, &old);

	if (rc != 0 && rc != CAIRN_ENOENT)
		return rc;
	exists = rc == 0;
	if (!exists && (r->ignore_value || r->ignore_lease))
		return CAIRN_EKEYNOTFOUND;
	if (exists) {
		if ((rc = mvcc_kv_at(s, w->txn, old, &s->val2, &was)) != 0)
			return rc;
		kv.create_rev = was.create_rev;
		kv.version = was.version + 1;
		if (r->ignore_value) {
			kv.value = was.value;
			kv.value_len = was.value_len;
		}
		if (r->ignore_lease)
			kv.lease = was.lease;
	}
	if (kv.lease != 0 && (rc = lease_get(s, w->txn, kv.lease, &l)) != 0)
		return rc;
	if (exists && prev != NULL && (rc = prev(arg, &was)) != 0)
		return rc;
	/* was's bytes live in s->val2, which recording does not touch. */
	if ((rc = mvcc_record(s, w->txn, rev, &kv, false)) != 0 ||
	    (rc = lease_move_key(s, w->txn, r->key, r->key_len, was.lease, kv.lease)) != 0)
		return rc;
	w->sub++;
	return 0;
}

/* One key of a delete: its tombstone, after 'prev' saw its last value. */
static int
mvcc_delete_one(struct mvcc_wtxn *w, const uint8_t *key, uint32_t key_len,
    struct mvcc_rev old, mvcc_kv_fn *prev, void *arg)
{
	struct mvcc *s = w->s;
	struct mvcc_kv was, tomb = {.key = key, .key_len = key_len};
	int rc = mvcc_kv_at(s, w->txn, old, &s->val2, &was);

	if (rc != 0 || (prev != NULL && (rc = prev(arg, &was)) != 0))
		return rc;
	rc = mvcc_record(s, w->txn, (struct mvcc_rev){.main = w->main, .sub = w->sub},
	    &tomb, true);
	if (rc == 0)
		rc = lease_move_key(s, w->txn, key, key_len, was.lease, 0);
	if (rc == 0)
		w->sub++;
	return rc;
}

/* The live keys of [key, end), copied out first: deleting changes the
 * index under a cursor. Returns them as one buffer of {u32 len, bytes,
 * 16 rev bytes} records (freed by the caller). */
static int
mvcc_delete_collect(struct mvcc_wtxn *w, const uint8_t *key, uint32_t key_len,
    const uint8_t *end, uint32_t end_len, uint8_t **out, size_t *out_len, int64_t *n)
{
	DB *live = w->s->db.live;
	DBC *c;
	DBT k = {.data = bdb_mut(key), .size = key_len}, v = {0};
	size_t cap = 0, len = 0;
	int rc = live->cursor(live, w->txn, &c, 0);

	*out = NULL;
	*n = 0;
	if (rc != 0)
		return bdb_fail(rc, "live cursor");
	for (rc = c->get(c, &k, &v, DB_SET_RANGE); rc == 0; rc = c->get(c, &k, &v, DB_NEXT)) {
		if (!keyrange_has(key, key_len, end, end_len, k.data, k.size))
			break;
		if (v.size != LIVE_REV_BYTES) {
			rc = CAIRN_ECORRUPT;
			break;
		}
		if (len + 4 + k.size + v.size > cap) {
			cap = (len + 4 + k.size + v.size) * 2;
			*out = xrealloc(*out, cap);
		}
		memcpy(*out + len, &k.size, 4);
		memcpy(*out + len + 4, k.data, k.size);
		memcpy(*out + len + 4 + k.size, v.data, v.size);
		len += 4 + (size_t)k.size + v.size;
		(*n)++;
		if (end_len == 0)
			break;
	}
	(void)c->close(c);
	*out_len = len;
	if (rc == CAIRN_ECORRUPT)
		return rc;
	return rc == 0 || rc == DB_NOTFOUND ? 0 : bdb_fail(rc, "live cursor get");
}

int
mvcc_delete_range(struct mvcc_wtxn *w, const uint8_t *key, uint32_t key_len,
    const uint8_t *end, uint32_t end_len, int64_t *deleted, mvcc_kv_fn *prev, void *arg)
{
	uint8_t *keys;
	size_t len = 0, off = 0;
	int rc = mvcc_delete_collect(w, key, key_len, end, end_len, &keys, &len, deleted);

	while (rc == 0 && off < len) {
		uint32_t klen;
		struct mvcc_rev old;

		memcpy(&klen, keys + off, 4);
		old.main = (int64_t)be_get64(keys + off + 4 + klen);
		old.sub = (int64_t)be_get64(keys + off + 4 + klen + 8);
		rc = mvcc_delete_one(w, keys + off + 4, klen, old, prev, arg);
		off += 4 + (size_t)klen + LIVE_REV_BYTES;
	}
	free(keys);
	return rc;
}
