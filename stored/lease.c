/*
 * stored: leases (see lease.h). A lease record is etcd's leasepb.Lease
 * {ID = 1, TTL = 2, RemainingTTL = 3}, all int64, encoded by hand.
 */
#include <stdlib.h>
#include <string.h>

#include "stored/lease.h"
#include "stored/mvcc_impl.h"
#include "shared/be.h"
#include "shared/err.h"
#include "shared/pbwire.h"

#define LEASE_ID_BYTES 8
#define LEASE_REC_BYTES_MAX (3 * (1 + PBW_VARINT_BYTES_MAX))

static size_t
lease_encode(const struct lease_rec *l, uint8_t *buf)
{
	const uint64_t v[3] = {(uint64_t)l->id, (uint64_t)l->ttl, (uint64_t)l->remaining};

	return pbw_put_varints(buf, v, 3);
}

int
lease_decode(const uint8_t *buf, size_t len, struct lease_rec *l)
{
	uint64_t v[3];
	int rc = pbw_get_varints(buf, len, v, 3);

	*l = (struct lease_rec){.id = (int64_t)v[0], .ttl = (int64_t)v[1],
	    .remaining = (int64_t)v[2]};
	return rc;
}

int
lease_get(struct mvcc *s, DB_TXN *txn, int64_t id, struct lease_rec *out)
{
	uint8_t kb[LEASE_ID_BYTES], vb[64];
	DBT k = {.data = kb, .size = sizeof(kb)};
	DBT v = {.data = vb, .ulen = sizeof(vb), .flags = DB_DBT_USERMEM};
	int rc;

	be_put64(kb, (uint64_t)id);
	rc = s->db.lease->get(s->db.lease, txn != NULL ? txn : s->batch, &k, &v, 0);
	if (rc == DB_NOTFOUND)
		return CAIRN_ELEASENOTFOUND;
	if (rc == DB_BUFFER_SMALL)
		return CAIRN_ECORRUPT;
	if (rc != 0)
		return bdb_fail(rc, "lease get");
	return lease_decode(vb, v.size, out);
}

static int
lease_put(struct mvcc *s, DB_TXN *txn, const struct lease_rec *l)
{
	uint8_t kb[LEASE_ID_BYTES], vb[LEASE_REC_BYTES_MAX];
	DBT k = {.data = kb, .size = sizeof(kb)};
	DBT v = {.data = vb, .size = (uint32_t)lease_encode(l, vb)};
	int rc;

	be_put64(kb, (uint64_t)l->id);
	rc = s->db.lease->put(s->db.lease, txn, &k, &v, 0);
	return rc == 0 ? 0 : bdb_fail(rc, "lease put");
}

int
lease_grant(struct mvcc_wtxn *w, int64_t id, int64_t ttl, int64_t min_ttl)
{
	struct lease_rec l;
	int rc;

	/* etcd's lessor: ID 0 is "no lease" (the server picks an ID for
	 * a grant without one before proposing it). */
	if (id == 0)
		return CAIRN_ELEASENOTFOUND;
	if (ttl > LEASE_TTL_MAX)
		return CAIRN_ELEASETTLTOOLARGE;
	rc = lease_get(w->s, w->txn, id, &l);
	if (rc == 0)
		return CAIRN_ELEASEEXIST;
	if (rc != CAIRN_ELEASENOTFOUND)
		return rc;
	l = (struct lease_rec){.id = id, .ttl = ttl < min_ttl ? min_ttl : ttl};
	return lease_put(w->s, w->txn, &l);
}

/* The leasekeys record of (id, key), in s's scratch buffer. */
static DBT
leasekey(struct mvcc *s, int64_t id, const uint8_t *key, uint32_t key_len)
{
	uint8_t *b = mvcc_scratch(s, LEASE_ID_BYTES + (size_t)key_len);
	DBT k = {.data = b, .size = LEASE_ID_BYTES + key_len};

	be_put64(b, (uint64_t)id);
	if (key_len > 0)
		memcpy(b + LEASE_ID_BYTES, key, key_len);
	return k;
}

int
lease_move_key(struct mvcc *s, DB_TXN *txn, const uint8_t *key, uint32_t key_len,
    int64_t from, int64_t to)
{
	DBT k, v = {0};
	int rc;

	if (from == to)
		return 0;
	if (from != 0) {
		k = leasekey(s, from, key, key_len);
		rc = s->db.leasekeys->del(s->db.leasekeys, txn, &k, 0);
		if (rc != 0 && rc != DB_NOTFOUND)
			return bdb_fail(rc, "leasekeys del");
	}
	if (to == 0)
		return 0;
	k = leasekey(s, to, key, key_len);
	rc = s->db.leasekeys->put(s->db.leasekeys, txn, &k, &v, 0);
	return rc == 0 ? 0 : bdb_fail(rc, "leasekeys put");
}

int
lease_keys(struct mvcc *s, DB_TXN *txn, int64_t id, lease_key_fn *fn, void *arg)
{
	uint8_t prefix[LEASE_ID_BYTES];
	DBT k = {.data = prefix, .size = sizeof(prefix)}, v = {0};
	DBC *c;
	int rc = s->db.leasekeys->cursor(s->db.leasekeys, txn != NULL ? txn : s->batch, &c, 0);

	if (rc != 0)
		return bdb_fail(rc, "leasekeys cursor");
	be_put64(prefix, (uint64_t)id);
	for (rc = c->get(c, &k, &v, DB_SET_RANGE); rc == 0; rc = c->get(c, &k, &v, DB_NEXT)) {
		if (k.size < LEASE_ID_BYTES || memcmp(k.data, prefix, LEASE_ID_BYTES) != 0)
			break;
		if ((rc = fn(arg, (uint8_t *)k.data + LEASE_ID_BYTES, k.size - LEASE_ID_BYTES)) != 0)
			break;
	}
	(void)c->close(c);
	if (rc == DB_NOTFOUND || rc == 0)
		return 0;
	return rc > 0 ? rc : bdb_fail(rc, "leasekeys walk");
}

/* The keys of a lease, copied out before they are deleted. */
struct lease_keybuf {
	uint8_t *buf;
	size_t len, cap;
};

static int
lease_keep_key(void *arg, const uint8_t *key, uint32_t key_len)
{
	struct lease_keybuf *kb = arg;

	if (kb->len + 4 + key_len > kb->cap) {
		kb->cap = (kb->len + 4 + key_len) * 2;
		kb->buf = realloc(kb->buf, kb->cap);
		if (kb->buf == NULL)
			abort();
	}
	memcpy(kb->buf + kb->len, &key_len, 4);
	memcpy(kb->buf + kb->len + 4, key, key_len);
	kb->len += 4 + (size_t)key_len;
	return 0;
}

int
lease_revoke(struct mvcc_wtxn *w, int64_t id, int64_t *deleted)
{
	struct mvcc *s = w->s;
	struct lease_keybuf kb = {0};
	struct lease_rec l;
	uint8_t idb[LEASE_ID_BYTES];
	DBT k = {.data = idb, .size = sizeof(idb)};
	size_t off = 0;
	int rc = lease_get(s, w->txn, id, &l);

	*deleted = 0;
	if (rc != 0)
		return rc;
	rc = lease_keys(s, w->txn, id, lease_keep_key, &kb);
	/* Deleting a key detaches it (mvcc_delete_range). */
	while (rc == 0 && off < kb.len) {
		uint32_t klen;
		int64_t n;

		memcpy(&klen, kb.buf + off, 4);
		rc = mvcc_delete_range(w, kb.buf + off + 4, klen, NULL, 0, &n, NULL, NULL);
		*deleted += n;
		off += 4 + (size_t)klen;
	}
	free(kb.buf);
	if (rc != 0)
		return rc;
	be_put64(idb, (uint64_t)id);
	rc = s->db.lease->del(s->db.lease, w->txn, &k, 0);
	return rc == 0 ? 0 : bdb_fail(rc, "lease del");
}

int
lease_list(struct mvcc *s, DB_TXN *txn, lease_fn *fn, void *arg)
{
	DBT k = {0}, v = {0};
	DBC *c;
	int rc = s->db.lease->cursor(s->db.lease, txn != NULL ? txn : s->batch, &c, 0);

	if (rc != 0)
		return bdb_fail(rc, "lease cursor");
	while ((rc = c->get(c, &k, &v, DB_NEXT)) == 0) {
		struct lease_rec l;

		if ((rc = lease_decode(v.data, v.size, &l)) != 0 || (rc = fn(arg, &l)) != 0)
			break;
	}
	(void)c->close(c);
	if (rc == DB_NOTFOUND)
		return 0;
	return rc > 0 ? rc : bdb_fail(rc, "lease walk");
}
