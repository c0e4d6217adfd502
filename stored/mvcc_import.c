/*
 * stored (linked into cairnctl): a new store filled from etcd's buckets
 * (see mvcc_import.h), in batches of MVCC_IMPORT_BATCH_RECORDS records
 * per transaction: nobody else uses the store meanwhile, and a failure
 * throws it away.
 */
#include <stdlib.h>
#include <string.h>

#include "shared/assert.h"
#include "shared/be.h"
#include "shared/err.h"
#include "shared/xmalloc.h"
#include "stored/alarm.h"
#include "stored/auth.h"
#include "stored/kv_codec.h"
#include "stored/lease.h"
#include "stored/meta.h"
#include "stored/mvcc_impl.h"
#include "stored/mvcc_import.h"
#include "stored/rev_codec.h"

#define LEASE_ID_BYTES 8

/* etcd's buckets the store takes, and where their records go. */
enum import_bucket { IB_KEY, IB_META, IB_LEASE, IB_ALARM, IB_AUTH, IB_AUTH_USERS, IB_AUTH_ROLES };

static const struct {
	const char *name;
	enum import_bucket b;
} import_buckets[] = {
	{ "key", IB_KEY },
	{ "meta", IB_META },
	{ "lease", IB_LEASE },
	{ "alarm", IB_ALARM },
	{ "auth", IB_AUTH },
	{ "authUsers", IB_AUTH_USERS },
	{ "authRoles", IB_AUTH_ROLES },
};

#define IMPORT_BUCKETS (sizeof(import_buckets) / sizeof(import_buckets[0]))

static bool
import_bucket_of(const uint8_t *name, size_t len, enum import_bucket *b)
{
	for (size_t i = 0; i < IMPORT_BUCKETS; i++)
		if (strlen(import_buckets[i].name) == len &&
		    memcmp(import_buckets[i].name, name, len) == 0) {
			*b = import_buckets[i].b;
			return true;
		}
	return false;
}

bool
mvcc_import_takes(const uint8_t *name, size_t name_len)
{
	enum import_bucket b;

	return import_bucket_of(name, name_len, &b);
}

void
mvcc_import_begin(struct mvcc_import *im, struct mvcc *s)
{
	CAIRN_ASSERT(s->batch == NULL);
	*im = (struct mvcc_import){ .s = s, .scheduled = -1, .finished = -1 };
}

/* The open batch, begun when needed. */
static int
import_txn(struct mvcc_import *im, DB_TXN **txn)
{
	int rc;

	if (im->txn == NULL && (rc = bdb_begin(&im->s->db, &im->txn)) != 0)
		return rc;
	*txn = im->txn;
	return 0;
}

/* Counts a record; a full batch is committed. */
static int
import_count(struct mvcc_import *im)
{
	int rc;

	if (++im->batched < MVCC_IMPORT_BATCH_RECORDS)
		return 0;
	rc = bdb_commit(im->txn);
	im->txn = NULL;
	im->batched = 0;
	return rc;
}

static int
import_put(DB *db, DB_TXN *txn, const uint8_t *k, size_t kn, const uint8_t *v, size_t vn)
{
	DBT key = { .data = bdb_mut(k), .size = (uint32_t)kn };
	DBT val = { .data = bdb_mut(v), .size = (uint32_t)vn };
	int rc = db->put(db, txn, &key, &val, 0);

	return rc == 0 ? 0 : bdb_fail(rc, "import put");
}

/* A key table record: written as etcd wrote it, then indexed. */
static int
import_kv(struct mvcc_import *im, DB_TXN *txn, const uint8_t *k, size_t kn, const uint8_t *v,
    size_t vn)
{
	struct mvcc_rev rev;
	struct mvcc_kv kv;
	bool tomb;
	int rc;

	if (rev_get(k, kn, &rev, &tomb) != 0 || kv_decode(v, vn, &kv) != 0 || kv.key_len == 0)
		return CAIRN_ECORRUPT;
	/* Ascending, as bolt keeps them; revision 1 is the empty store's. */
	if (rev.main < 1 || rev.sub < 0 || (im->any && (rev.main < im->last.main ||
	    (rev.main == im->last.main && rev.sub <= im->last.sub))))
		return CAIRN_ECORRUPT;
	if ((rc = import_put(im->s->db.key, txn, k, kn, v, vn)) != 0 ||
	    (rc = mvcc_record_index(im->s, txn, rev, kv.key, kv.key_len, tomb)) != 0)
		return rc;
	im->last = rev;
	im->any = true;
	return 0;
}

static int
import_meta(struct mvcc_import *im, DB_TXN *txn, const uint8_t *k, size_t kn,
    const uint8_t *v, size_t vn)
{
	struct mvcc_rev rev;
	bool finished, tomb;

	if (!meta_compact_key(k, (uint32_t)kn, &finished))
		return 0;
	/* etcd writes a revision of main alone (mvcc/kvstore.go). */
	if (vn != MVCC_REV_BYTES || rev_get(v, vn, &rev, &tomb) != 0 || rev.main < 1)
		return CAIRN_ECORRUPT;
	if (finished)
		im->finished = rev.main;
	else
		im->scheduled = rev.main;
	return meta_save_compact(im->s, txn, finished, rev.main);
}

static int
import_lease(struct mvcc_import *im, DB_TXN *txn, const uint8_t *k, size_t kn,
    const uint8_t *v, size_t vn)
{
	struct lease_rec l;

	if (kn != LEASE_ID_BYTES || lease_decode(v, vn, &l) != 0 || l.id != (int64_t)be_get64(k))
		return CAIRN_ECORRUPT;
	return import_put(im->s->db.lease, txn, k, kn, v, vn);
}

static int
import_auth(struct mvcc_import *im, DB_TXN *txn, const uint8_t *k, size_t kn,
    const uint8_t *v, size_t vn)
{
	bool on = kn == strlen(AUTH_KEY_ENABLED) && memcmp(k, AUTH_KEY_ENABLED, kn) == 0;
	bool rev = kn == strlen(AUTH_KEY_REVISION) && memcmp(k, AUTH_KEY_REVISION, kn) == 0;

	if (!on && !rev)
		return 0;
	if ((on && vn != 1) || (rev && vn != AUTH_REVISION_BYTES))
		return CAIRN_ECORRUPT;
	return import_put(im->s->db.auth, txn, k, kn, v, vn);
}

int
mvcc_import_record(struct mvcc_import *im, const uint8_t *bucket, size_t bucket_len,
    const uint8_t *k, size_t kn, const uint8_t *v, size_t vn)
{
	struct alarm_member am;
	enum import_bucket b = IB_KEY;
	bool known = import_bucket_of(bucket, bucket_len, &b);
	DB_TXN *txn;
	int rc;

	CAIRN_ASSERT(known);
	if (kn > UINT32_MAX || vn > UINT32_MAX)
		return CAIRN_ECORRUPT;
	if ((rc = import_txn(im, &txn)) != 0)
		return rc;
	switch (b) {
	case IB_KEY:
		rc = import_kv(im, txn, k, kn, v, vn);
		break;
	case IB_META:
		rc = import_meta(im, txn, k, kn, v, vn);
		break;
	case IB_LEASE:
		rc = import_lease(im, txn, k, kn, v, vn);
		break;
	case IB_ALARM:
		rc = alarm_decode(k, kn, &am) != 0 ? CAIRN_ECORRUPT :
		    import_put(im->s->db.alarm, txn, k, kn, NULL, 0);
		break;
	case IB_AUTH:
		rc = import_auth(im, txn, k, kn, v, vn);
		break;
	case IB_AUTH_USERS:
	case IB_AUTH_ROLES:
		rc = kn == 0 ? CAIRN_ECORRUPT : import_put(b == IB_AUTH_USERS ?
		    im->s->db.auth_users : im->s->db.auth_roles, txn, k, kn, v, vn);
		break;
	}
	return rc != 0 ? rc : import_count(im);
}

/* Attaches one live key to its lease, if it has one that exists. */
static int
import_attach(struct mvcc_import *im, DB_TXN *txn, const DBT *key, const DBT *live)
{
	struct mvcc *s = im->s;
	struct mvcc_rev rev;
	struct mvcc_kv kv;
	struct lease_rec l;
	int rc;

	if (live->size != LIVE_REV_BYTES)
		return CAIRN_ECORRUPT;
	rev.main = (int64_t)be_get64(live->data);
	rev.sub = (int64_t)be_get64((const uint8_t *)live->data + 8);
	if ((rc = mvcc_kv_at(s, txn, rev, &s->val, &kv)) != 0 || kv.lease == 0)
		return rc;
	rc = lease_get(s, txn, kv.lease, &l);
	if (rc == CAIRN_ELEASENOTFOUND) {
		/* etcd warns "failed to attach a lease" and goes on. */
		im->leases_missing++;
		return 0;
	}
	if (rc != 0)
		return rc;
	return lease_move_key(s, txn, key->data, key->size, 0, kv.lease);
}

/*
 * One batch of the live keys from *from (the last key of the batch
 * before, copied; len 0: the first), attached to their leases. *done at
 * the end.
 */
static int
import_attach_batch(struct mvcc_import *im, uint8_t **from, uint32_t *from_len,
    bool *done)
{
	DB *live = im->s->db.live;
	DB_TXN *txn;
	DBC *c;
	DBT k = { .data = *from, .size = *from_len }, v = { 0 };
	unsigned n = 0;
	int rc;

	if ((rc = import_txn(im, &txn)) != 0)
		return rc;
	if ((rc = live->cursor(live, txn, &c, 0)) != 0)
		return bdb_fail(rc, "live cursor");
	rc = *from_len > 0 ? c->get(c, &k, &v, DB_SET_RANGE) : c->get(c, &k, &v, DB_FIRST);
	/* The batch before ended with that key, attached. */
	if (rc == 0 && *from_len > 0 && k.size == *from_len && memcmp(k.data, *from, k.size) == 0)
		rc = c->get(c, &k, &v, DB_NEXT);
	for (; rc == 0 && n < MVCC_IMPORT_BATCH_RECORDS; n++) {
		if ((rc = import_attach(im, txn, &k, &v)) != 0)
			break;
		*from = xrealloc(*from, k.size > 0 ? k.size : 1);
		memcpy(*from, k.data, k.size);
		*from_len = k.size;
		if (n + 1 < MVCC_IMPORT_BATCH_RECORDS)
			rc = c->get(c, &k, &v, DB_NEXT);
	}
	(void)c->close(c);
	*done = rc == DB_NOTFOUND;
	if (rc != 0 && rc != DB_NOTFOUND)
		return rc > 0 ? rc : bdb_fail(rc, "live walk");
	rc = bdb_commit(im->txn);
	im->txn = NULL;
	im->batched = 0;
	return rc;
}

int
mvcc_import_end(struct mvcc_import *im)
{
	struct mvcc *s = im->s;
	uint8_t *from = NULL;
	uint32_t from_len = 0;
	bool done = false;
	int64_t rev = 1;
	DB_TXN *txn;
	int rc = 0;

	/* The records first, so that the leases are there to attach to. */
	if (im->txn != NULL) {
		rc = bdb_commit(im->txn);
		im->txn = NULL;
		im->batched = 0;
	}
	while (rc == 0 && !done)
		rc = import_attach_batch(im, &from, &from_len, &done);
	free(from);
	if (rc != 0)
		return rc;
	/* etcd: the last revision seen, or the compaction's when every
	 * revision up to it was compacted away. */
	if (im->any)
		rev = im->last.main;
	if (im->finished > rev)
		rev = im->finished;
	if (im->scheduled > rev)
		rev = im->scheduled;
	if ((rc = import_txn(im, &txn)) != 0)
		return rc;
	if ((rc = meta_save_apply(s, txn, 0, 0, rev)) != 0)
		return rc;
	rc = bdb_commit(txn);
	im->txn = NULL;
	if (rc == 0)
		rc = meta_load(s);
	return rc;
}

void
mvcc_import_abort(struct mvcc_import *im)
{
	if (im->txn != NULL)
		bdb_abort(im->txn);
	im->txn = NULL;
	im->batched = 0;
}
