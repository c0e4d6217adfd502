/*
 * stored: applying one request (see apply.h): the write transaction
 * around it, etcd's checks first, and the responses of the requests that
 * are not key-value operations (compaction, leases).
 */
#include <string.h>

#include "stored/apply_impl.h"
#include "stored/lease.h"
#include "shared/err.h"

#define GRANT_ID 2
#define GRANT_TTL 3

void
apply_init(struct apply *a, struct mvcc *s)
{
	memset(a, 0, sizeof(*a));
	a->s = s;
	a->kvs = apply_kvs_new();
	for (size_t i = 0; i <= REQ_TXN_DEPTH_MAX; i++) {
		pbout_init(&a->ops[i]);
		pbout_init(&a->op[i]);
	}
	pbout_init(&a->prev);
}

void
apply_free(struct apply *a)
{
	for (size_t i = 0; i <= REQ_TXN_DEPTH_MAX; i++) {
		pbout_free(&a->ops[i]);
		pbout_free(&a->op[i]);
	}
	pbout_free(&a->prev);
	apply_kvs_free(a->kvs);
	a->kvs = NULL;
}

/* The store failed, as opposed to refusing the request. */
static bool
apply_broken(int rc)
{
	return rc == CAIRN_EIO || rc == CAIRN_ECORRUPT;
}

static int
apply_lease_grant(struct apply *a, struct mvcc_wtxn *w, const struct req *r, struct pbout *out)
{
	struct lease_rec l;
	int rc = lease_grant(w, r->u.grant.id, r->u.grant.ttl, a->lease_min_ttl);

	if (rc == 0)
		rc = lease_get(a->s, w->txn, r->u.grant.id, &l);
	if (rc != 0)
		return rc;
	apply_header(a, out, apply_rev(a, w), true);
	pbout_varint(out, GRANT_ID, (uint64_t)l.id);
	pbout_varint(out, GRANT_TTL, (uint64_t)l.ttl);
	return 0;
}

static int
apply_write(struct apply *a, struct mvcc_wtxn *w, const struct req *r, struct pbout *out)
{
	struct apply_at at = {.w = w, .depth = 0};
	int64_t deleted;
	int rc;

	switch (r->type) {
	case REQ_RANGE:
		return apply_range(a, at, &r->u.range, out);
	case REQ_PUT:
		if ((rc = apply_check_put(a, w, &r->u.put)) != 0)
			return rc;
		return apply_put(a, at, &r->u.put, out);
	case REQ_DELETE:
		return apply_delete(a, at, &r->u.del, out);
	case REQ_TXN:
		return apply_txn(a, at, &r->u.txn, out);
	case REQ_LEASE_GRANT:
		return apply_lease_grant(a, w, r, out);
	case REQ_LEASE_REVOKE:
		if ((rc = lease_revoke(w, r->u.revoke.id, &deleted)) != 0)
			return rc;
		apply_header(a, out, apply_rev(a, w), true);
		return 0;
	default:
		return CAIRN_EINVAL;
	}
}

/* Compaction is its own transaction (mvcc_compact records the entry). */
static int
apply_compaction(struct apply *a, const struct req *r, uint64_t index, uint64_t term,
    struct pbout *out)
{
	struct mvcc_wtxn w;
	int rc = mvcc_compact(a->s, r->u.compaction.rev, index, term);

	if (rc == 0) {
		apply_header(a, out, a->s->rev, true);
		return 0;
	}
	if (apply_broken(rc))
		return rc;
	/* Refused: the entry is recorded all the same. */
	if (mvcc_write_begin(a->s, &w) != 0 || mvcc_write_end(&w, index, term) != 0)
		return CAIRN_EIO;
	return rc;
}

int
apply_request(struct apply *a, const struct req *r, uint64_t index, uint64_t term,
    struct pbout *out)
{
	struct mvcc_wtxn w;
	int rc, end;

	pbout_reset(out);
	if (r->type == REQ_COMPACTION)
		return apply_compaction(a, r, index, term, out);
	if ((rc = mvcc_write_begin(a->s, &w)) != 0)
		return rc;
	rc = apply_write(a, &w, r, out);
	if (apply_broken(rc)) {
		mvcc_write_abort(&w);
		pbout_reset(out);
		return rc;
	}
	/* etcd's checks ran before any change: a refused request changed
	 * nothing, and its entry is recorded as applied all the same. */
	if (rc != 0)
		pbout_reset(out);
	if ((end = mvcc_write_end(&w, index, term)) != 0)
		return end;
	return rc;
}

int
apply_read(struct apply *a, const struct req_range *r, struct pbout *out)
{
	pbout_reset(out);
	return apply_range(a, (struct apply_at){.w = NULL, .depth = 0}, r, out);
}
