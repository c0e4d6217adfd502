/*
 * stored: compaction, as etcd 3.4 does it. Scheduling it is one
 * transaction (with the Raft entry); the physical pass then walks the
 * history a step at a time, each step its own transaction, so that
 * applying and reading go on between steps. A step touches only
 * revisions at or below the compaction, which no write adds, and
 * removing them twice is harmless: a pass cut short starts again.
 */
#include <stdlib.h>
#include <string.h>

#include "stored/hist_order.h"
#include "stored/meta.h"
#include "stored/mvcc_impl.h"
#include "stored/rev_codec.h"
#include "shared/be.h"
#include "shared/assert.h"
#include "shared/err.h"
#include "shared/log.h"
#include "shared/xmalloc.h"

int
mvcc_compact(struct mvcc *s, int64_t rev, uint64_t index, uint64_t term)
{
	DB_TXN *txn;
	int rc;

	if (rev <= s->compact_rev)
		return CAIRN_ECOMPACTED;
	if (rev > s->rev)
		return CAIRN_EFUTUREREV;
	if (s->batch != NULL) {
		if ((rc = meta_save_compact(s, s->batch, false, rev)) != 0)
			return rc;
		s->batch_dirty = true;
		goto scheduled;
	}
	if ((rc = bdb_begin(&s->db, &txn)) != 0)
		return rc;
	if ((rc = meta_save_compact(s, txn, false, rev)) != 0 ||
	    (rc = meta_save_apply(s, txn, index, term, s->rev)) != 0) {
		bdb_abort(txn);
		return rc;
	}
	if ((rc = bdb_commit(txn)) != 0)
		return rc;
scheduled:
	s->compact_rev = rev;
	s->ci = index;
	s->term = term;
	s->pass.active = true;
	s->pass.len = 0;
	return 0;
}

/* Removes one revision of key: its history record and its key-value. */
static int
compact_remove(struct mvcc *s, DB_TXN *txn, const uint8_t *hk, uint32_t hk_len,
    struct mvcc_rev rev, bool tomb)
{
	uint8_t rb[MVCC_REV_TOMB_BYTES];
	DBT h = {.data = bdb_mut(hk), .size = hk_len};
	DBT k = {.data = rb, .size = (uint32_t)rev_put(rb, rev, tomb)};
	int rc = s->db.hist->del(s->db.hist, txn, &h, 0);

	if (rc == 0)
		rc = s->db.key->del(s->db.key, txn, &k, 0);
	return rc == 0 || rc == DB_NOTFOUND ? 0 : bdb_fail(rc, "compaction del");
}

/* The record a step keeps in hand: the newest revision at or below the
 * compaction seen so far for the current key. */
struct compact_pending {
	uint8_t *hk;                 /* its history key (owned) */
	uint32_t len, cap;
	struct mvcc_rev rev;
	bool tomb;
	bool set;
};

static void
pending_take(struct compact_pending *p, const DBT *k, struct mvcc_rev rev, bool tomb)
{
	if (k->size > p->cap) {
		p->hk = xrealloc(p->hk, k->size);
		p->cap = k->size;
	}
	memcpy(p->hk, k->data, k->size);
	p->len = k->size;
	p->rev = rev;
	p->tomb = tomb;
	p->set = true;
}

/* The pending record turned out to be its key's newest at or below the
 * compaction: kept, unless it is a tombstone (the generation is over). */
static int
pending_settle(struct mvcc *s, DB_TXN *txn, struct compact_pending *p)
{
	int rc = 0;

	if (p->set && p->tomb)
		rc = compact_remove(s, txn, p->hk, p->len, p->rev, true);
	p->set = false;
	return rc;
}

static bool
same_key(const struct compact_pending *p, const uint8_t *k, uint32_t k_len)
{
	return p->set && p->len == k_len && memcmp(p->hk, k, k_len - HIST_REV_BYTES) == 0;
}

static void
compact_save_position(struct mvcc *s, const void *hk, uint32_t len)
{
	if (len > s->pass.cap) {
		s->pass.key = xrealloc(s->pass.key, len);
		s->pass.cap = len;
	}
	memcpy(s->pass.key, hk, len);
	s->pass.len = len;
}

/* Walks up to 'records' history records from the pass's position. */
static int
compact_walk(struct mvcc *s, DB_TXN *txn, unsigned records, struct compact_pending *p,
    bool *end)
{
	DBC *c;
	DBT k = {.data = s->pass.key, .size = s->pass.len}, v = {0};
	int rc = s->db.hist->cursor(s->db.hist, txn, &c, 0);

	if (rc != 0)
		return bdb_fail(rc, "hist cursor");
	rc = s->pass.len > 0 ? c->get(c, &k, &v, DB_SET_RANGE) : c->get(c, &k, &v, DB_FIRST);
	for (unsigned n = 0; rc == 0 && n < records; n++, rc = c->get(c, &k, &v, DB_NEXT)) {
		const uint8_t *key;
		uint32_t key_len;
		struct mvcc_rev rev;
		bool tomb;

		if (!hist_key_get(k.data, k.size, &key, &key_len, &rev) || v.size != 1) {
			rc = CAIRN_ECORRUPT;
			break;
		}
		tomb = ((uint8_t *)v.data)[0] == MVCC_REV_TOMB_MARK;
		if (p->set && !same_key(p, k.data, k.size)) {
			if ((rc = pending_settle(s, txn, p)) != 0)
				break;
		}
		if (rev.main > s->compact_rev) {
			if ((rc = pending_settle(s, txn, p)) != 0)
				break;
			continue;
		}
		/* A newer revision at or below the compaction: the pending one
		 * is not needed by any read from the compaction on. */
		if (p->set && (rc = compact_remove(s, txn, p->hk, p->len, p->rev, p->tomb)) != 0)
			break;
		pending_take(p, &k, rev, tomb);
	}
	*end = rc == DB_NOTFOUND;
	/* Cut short: the next step starts at the pending record (read and
	 * decided again) or at the first record not walked. */
	if (rc == 0)
		compact_save_position(s, p->set ? p->hk : k.data, p->set ? p->len : k.size);
	(void)c->close(c);
	return rc == 0 || rc == DB_NOTFOUND ? 0 : rc == CAIRN_ECORRUPT ? rc :
	    bdb_fail(rc, "hist walk");
}


int
mvcc_compact_step(struct mvcc *s, unsigned records, bool *done)
{
	struct compact_pending p = {0};
	DB_TXN *txn;
	bool end = false;
	int rc;

	CAIRN_ASSERT(s->batch == NULL);
	/* A step that stops on a pending record starts there again: it must
	 * walk at least one record past it to make progress. */
	if (records < 2)
		records = 2;
	*done = !s->pass.active;
	if (*done)
		return 0;
	if ((rc = bdb_begin(&s->db, &txn)) != 0)
		return rc;
	rc = compact_walk(s, txn, records, &p, &end);
	if (rc == 0 && end)
		rc = pending_settle(s, txn, &p);
	if (rc == 0 && end)
		rc = meta_save_compact(s, txn, true, s->compact_rev);
	if (rc != 0) {
		bdb_abort(txn);
		free(p.hk);
		return rc;
	}
	if ((rc = bdb_commit(txn)) == 0 && end) {
		s->pass.active = false;
		s->pass.len = 0;
		s->compact_done_rev = s->compact_rev;
	}
	free(p.hk);
	*done = end && rc == 0;
	return rc;
}
