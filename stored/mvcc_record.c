/*
 * stored: reading and recording one change of one key: the key table,
 * the history and the live index move together, in one transaction.
 */
#include <string.h>

#include "stored/hist_order.h"
#include "stored/kv_codec.h"
#include "stored/mvcc_impl.h"
#include "stored/rev_codec.h"
#include "shared/be.h"
#include "shared/err.h"

int
mvcc_kv_at(struct mvcc *s, DB_TXN *txn, struct mvcc_rev rev, DBT *into, struct mvcc_kv *kv)
{
	uint8_t rb[MVCC_REV_TOMB_BYTES];
	DBT k = {.data = rb, .size = (uint32_t)rev_put(rb, rev, false)};
	int rc = s->db.key->get(s->db.key, txn, &k, into, 0);

	if (rc == DB_NOTFOUND)
		return CAIRN_ECORRUPT;
	if (rc != 0)
		return bdb_fail(rc, "key get");
	return kv_decode(into->data, into->size, kv);
}

int
mvcc_live_get(struct mvcc *s, DB_TXN *txn, const uint8_t *key, uint32_t key_len,
    struct mvcc_rev *rev)
{
	uint8_t b[LIVE_REV_BYTES];
	DBT k = {.data = bdb_mut(key), .size = key_len};
	DBT v = {.data = b, .ulen = sizeof(b), .flags = DB_DBT_USERMEM};
	int rc = s->db.live->get(s->db.live, txn, &k, &v, 0);

	if (rc == DB_NOTFOUND)
		return CAIRN_ENOENT;
	if (rc == DB_BUFFER_SMALL || (rc == 0 && v.size != LIVE_REV_BYTES))
		return CAIRN_ECORRUPT;
	if (rc != 0)
		return bdb_fail(rc, "live get");
	rev->main = (int64_t)be_get64(b);
	rev->sub = (int64_t)be_get64(b + 8);
	return 0;
}

static int
mvcc_record_key(struct mvcc *s, DB_TXN *txn, struct mvcc_rev rev, const struct mvcc_kv *kv,
    bool tomb)
{
	uint8_t rb[MVCC_REV_TOMB_BYTES];
	size_t n = kv_encoded_len(kv);
	DBT k = {.data = rb, .size = (uint32_t)rev_put(rb, rev, tomb)};
	DBT v = {.data = mvcc_scratch(s, n), .size = (uint32_t)n};
	int rc;

	kv_encode(kv, v.data);
	rc = s->db.key->put(s->db.key, txn, &k, &v, 0);
	return rc == 0 ? 0 : bdb_fail(rc, "key put");
}

int
mvcc_record_index(struct mvcc *s, DB_TXN *txn, struct mvcc_rev rev, const uint8_t *key,
    uint32_t key_len, bool tomb)
{
	uint8_t mark = tomb ? MVCC_REV_TOMB_MARK : 0;
	uint8_t rb[LIVE_REV_BYTES];
	DBT hk = {.data = mvcc_scratch(s, (size_t)key_len + HIST_REV_BYTES),
	    .size = key_len + HIST_REV_BYTES};
	DBT hv = {.data = &mark, .size = 1};
	DBT lk = {.data = bdb_mut(key), .size = key_len};
	DBT lv = {.data = rb, .size = sizeof(rb)};
	int rc;

	hist_key_put(hk.data, key, key_len, rev);
	if ((rc = s->db.hist->put(s->db.hist, txn, &hk, &hv, 0)) != 0)
		return bdb_fail(rc, "hist put");
	if (tomb) {
		rc = s->db.live->del(s->db.live, txn, &lk, 0);
		return rc == 0 || rc == DB_NOTFOUND ? 0 : bdb_fail(rc, "live del");
	}
	be_put64(rb, (uint64_t)rev.main);
	be_put64(rb + 8, (uint64_t)rev.sub);
	rc = s->db.live->put(s->db.live, txn, &lk, &lv, 0);
	return rc == 0 ? 0 : bdb_fail(rc, "live put");
}

int
mvcc_record(struct mvcc *s, DB_TXN *txn, struct mvcc_rev rev, const struct mvcc_kv *kv,
    bool tomb)
{
	int rc = mvcc_record_key(s, txn, rev, kv, tomb);

	return rc != 0 ? rc : mvcc_record_index(s, txn, rev, kv->key, kv->key_len, tomb);
}
