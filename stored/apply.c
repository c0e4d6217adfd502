/*
 * stored: applying one request (see apply.h): the write transaction
 * around it, etcd's checks first, and the responses of the requests that
 * are not key-value operations (compaction, leases).
 */
#include <string.h>

#include "stored/alarm.h"
#include "stored/apply_impl.h"
#include "stored/lease.h"
#include "shared/err.h"
#include "shared/log.h"
#include "shared/pbwire.h"

#define GRANT_ID 2
#define GRANT_TTL 3
#define ALARM_ALARMS 2

/* Which alarms are raised, after a start or an alarm request. */
static int
apply_alarms(struct apply *a, DB_TXN *txn)
{
	int nospace, corrupt, rc;

	if ((rc = alarm_count(a->s, txn, REQ_ALARM_NOSPACE, &nospace)) != 0 ||
	    (rc = alarm_count(a->s, txn, REQ_ALARM_CORRUPT, &corrupt)) != 0)
		return rc;
	a->nospace = nospace > 0;
	a->corrupt = corrupt > 0;
	return 0;
}

int
apply_init(struct apply *a, struct mvcc *s)
{
	int rc;

	memset(a, 0, sizeof(*a));
	a->s = s;
	a->kvs = apply_kvs_new();
	for (size_t i = 0; i <= REQ_TXN_DEPTH_MAX; i++) {
		spb_init(&a->ops[i]);
		spb_init(&a->op[i]);
	}
	spb_init(&a->prev);
	if ((rc = auth_open(&a->auth, s)) != 0)
		return rc;
	return apply_alarms(a, NULL);
}

int
apply_reload(struct apply *a)
{
	int rc = auth_reload(&a->auth);

	return rc != 0 ? rc : apply_alarms(a, NULL);
}

void
apply_free(struct apply *a)
{
	for (size_t i = 0; i <= REQ_TXN_DEPTH_MAX; i++) {
		spb_free(&a->ops[i]);
		spb_free(&a->op[i]);
	}
	spb_free(&a->prev);
	auth_close(&a->auth);
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
apply_lease_grant(struct apply *a, struct mvcc_wtxn *w, const struct req *r, struct spb *out)
{
	struct lease_rec l;
	int rc = lease_grant(w, r->u.grant.id, r->u.grant.ttl, a->lease_min_ttl);

	if (rc == 0)
		rc = lease_get(a->s, w->txn, r->u.grant.id, &l);
	if (rc != 0)
		return rc;
	apply_header(a, out, apply_rev(a, w), true);
	spb_varint(out, GRANT_ID, (uint64_t)l.id);
	spb_varint(out, GRANT_TTL, (uint64_t)l.ttl);
	if (a->lease_hook != NULL)
		a->lease_hook(a->lease_arg, l.id, l.ttl);
	return 0;
}

static void
alarm_out(struct spb *out, const struct alarm_member *m)
{
	uint8_t buf[2 * (1 + PBW_VARINT_BYTES_MAX)];
	struct spb b = {.buf = buf, .cap = sizeof(buf)};

	spb_varint(&b, 1, m->member_id);
	spb_varint(&b, 2, m->alarm);
	spb_bytes(out, ALARM_ALARMS, b.buf, b.len, true);
}

static int
alarm_listed(void *arg, const struct alarm_member *m)
{
	alarm_out(arg, m);
	return 0;
}

/* etcd's Alarm: GET lists (all, or of one type); ACTIVATE and
 * DEACTIVATE answer with the alarm they touched, if any. etcd's answer
 * has no header (its applier makes none), so neither has cairn's. */
static int
apply_alarm(struct apply *a, struct mvcc_wtxn *w, const struct req *r, struct spb *out)
{
	struct alarm_member m = {.member_id = r->u.alarm.member_id, .alarm = r->u.alarm.alarm};
	bool changed;
	int rc;

	if (r->u.alarm.action == REQ_ALARM_GET)
		return alarm_list(a->s, w->txn, m.alarm, alarm_listed, out);
	if (m.alarm == REQ_ALARM_NONE && r->u.alarm.action == REQ_ALARM_ACTIVATE)
		return 0; /* etcd raises no alarm of type NONE */
	rc = alarm_set(a->s, w->txn, &m, r->u.alarm.action == REQ_ALARM_ACTIVATE, &changed);
	if (rc != 0)
		return rc;
	if (changed || r->u.alarm.action == REQ_ALARM_ACTIVATE)
		alarm_out(out, &m);
	if (changed)
		log_warnx("alarm %s %s by member %llx", m.alarm == REQ_ALARM_NOSPACE ? "NOSPACE" :
		    "CORRUPT", r->u.alarm.action == REQ_ALARM_ACTIVATE ? "raised" : "cleared",
		    (unsigned long long)m.member_id);
	return apply_alarms(a, w->txn);
}

/* etcd's quota cost of a txn: whether a put lies on either branch. */
static bool
txn_puts(const struct req_txn *t)
{
	const struct req_op *lists[2] = {t->success, t->failure};
	size_t n[2] = {t->nsuccess, t->nfailure};

	for (int b = 0; b < 2; b++)
		for (size_t i = 0; i < n[b]; i++)
			if (lists[b][i].type == REQ_OP_PUT ||
			    (lists[b][i].type == REQ_OP_TXN && txn_puts(lists[b][i].u.txn)))
				return true;
	return false;
}

/* etcd's backend quota (etcdserver/quota.go): its default, and the cost
 * estimates of a key-value and of a lease. */
#define QUOTA_DEFAULT_BYTES ((int64_t)2 << 30)
#define QUOTA_KV_OVERHEAD 256
#define QUOTA_LEASE_OVERHEAD 64

int64_t
apply_quota_bytes(int64_t flag)
{
	return flag == 0 ? QUOTA_DEFAULT_BYTES : flag < 0 ? 0 : flag;
}

static int64_t
quota_cost_ops(const struct req_op *ops, size_t n)
{
	int64_t cost = 0;

	/* etcd counts the puts of the top level only. */
	for (size_t i = 0; i < n; i++)
		if (ops[i].type == REQ_OP_PUT)
			cost += QUOTA_KV_OVERHEAD + ops[i].u.put.key.n + ops[i].u.put.value.n;
	return cost;
}

/* etcd's Quota.Cost: a put, a txn's larger branch, a lease; else 0. */
static int64_t
quota_cost(const struct req *r)
{
	int64_t s, f;

	switch (r->type) {
	case REQ_PUT:
		return QUOTA_KV_OVERHEAD + r->u.put.key.n + r->u.put.value.n;
	case REQ_TXN:
		s = quota_cost_ops(r->u.txn.success, r->u.txn.nsuccess);
		f = quota_cost_ops(r->u.txn.failure, r->u.txn.nfailure);
		return s > f ? s : f;
	case REQ_LEASE_GRANT:
		return QUOTA_LEASE_OVERHEAD;
	default:
		return 0;
	}
}

/* etcd's Quota.Available, false: the store's file (less an empty
 * store's: mvcc_quota_bytes) and the request's cost reach the quota.
 * Each member judges by its own file, as etcd does. */
static bool
quota_past(struct apply *a, const struct req *r)
{
	int64_t cost = quota_cost(r), size;

	if (cost == 0 || a->quota_bytes <= 0 || mvcc_quota_bytes(a->s, &size) != 0)
		return false;
	return size + cost >= a->quota_bytes;
}

/* etcd's capped and corrupt appliers: what a raised alarm refuses. */
static int
apply_alarmed(const struct apply *a, const struct req *r)
{
	/* etcd publishes attributes through its v2 store: no alarm stops it. */
	if (r->type == REQ_ALARM || r->type == REQ_MEMBER_ATTR)
		return 0;
	if (a->corrupt)
		return CAIRN_ECLUSTERCORRUPT;
	if (a->nospace && (r->type == REQ_PUT || r->type == REQ_LEASE_GRANT ||
	    (r->type == REQ_TXN && txn_puts(&r->u.txn))))
		return CAIRN_ENOSPACE;
	return 0;
}

static int
apply_write(struct apply *a, struct mvcc_wtxn *w, const struct req *r, uint64_t index,
    uint64_t term, struct spb *out)
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
	case REQ_ALARM:
		return apply_alarm(a, w, r, out);
	case REQ_DELETE:
		return apply_delete(a, at, &r->u.del, out);
	case REQ_TXN:
		return apply_txn(a, at, &r->u.txn, out);
	case REQ_LEASE_GRANT:
		return apply_lease_grant(a, w, r, out);
	case REQ_LEASE_REVOKE:
		if ((rc = lease_revoke(w, r->u.revoke.id, &deleted)) != 0)
			return rc;
		if (a->lease_hook != NULL)
			a->lease_hook(a->lease_arg, r->u.revoke.id, 0);
		apply_header(a, out, apply_rev(a, w), true);
		return 0;
	case REQ_MEMBER_ATTR:
		return apply_member_attr(a, w, r);
	case REQ_COMPACTION:
		return CAIRN_EINVAL; /* apply_compaction() */
	default:
		return apply_auth(a, w, r, index, term, out);
	}
}

/* Compaction is its own transaction (mvcc_compact records the entry). */
static int
apply_compaction(struct apply *a, const struct req *r, uint64_t index, uint64_t term,
    struct spb *out)
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
    struct spb *out)
{
	struct mvcc_wtxn w;
	int rc = 0, end;

	spb_reset(out);
	/* etcd checks no permission for a compaction. */
	if (r->type == REQ_COMPACTION && (rc = apply_alarmed(a, r)) == 0)
		return apply_compaction(a, r, index, term, out);
	if ((end = mvcc_write_begin(a->s, &w)) != 0)
		return end;
	/* The user's rights first, then the alarms (etcd 3.4 drops its auth
	 * checks while an alarm is raised, which cairn does not copy), then
	 * the quota: a request past it is applied all the same and answered
	 * "database space exceeded", as etcd's quotaApplierV3 does; the
	 * caller raises the NOSPACE alarm. */
	a->quota_exceeded = false;
	if (r->type != REQ_COMPACTION && (rc = apply_auth_check(a, w.txn, r)) == 0 &&
	    (rc = apply_alarmed(a, r)) == 0) {
		bool past = quota_past(a, r);

		rc = apply_write(a, &w, r, index, term, out);
		if (rc == 0 && past) {
			rc = CAIRN_ENOSPACE;
			a->quota_exceeded = true;
		}
	}
	if (apply_broken(rc)) {
		mvcc_write_abort(&w);
		spb_reset(out);
		return rc;
	}
	/* etcd's checks ran before any change: a refused request changed
	 * nothing (but one past the quota), and its entry is recorded as
	 * applied all the same. */
	if (rc != 0)
		spb_reset(out);
	if ((end = mvcc_write_end(&w, index, term)) != 0)
		return end;
	return rc;
}

int
apply_read(struct apply *a, const struct req *r, struct spb *out)
{
	int rc;

	spb_reset(out);
	if (r->type != REQ_RANGE)
		return CAIRN_EINVAL;
	if ((rc = apply_auth_check(a, a->s->batch, r)) != 0)
		return rc;
	return apply_range(a, (struct apply_at){.w = NULL, .depth = 0}, &r->u.range, out);
}
