/*
 * cairnctl: clientv3/concurrency's Mutex (mutex.go), Election
 * (election.go) and waitDeletes (key.go) as etcdctl's lock and elect run
 * them: the same Txn, Range and Watch requests in the same order, so the
 * same keys, revisions and answers as etcdctl gets.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctl/ctl.h"
#include "ctl/recipe.h"
#include "ctl/session.h"
#include "ctl/watcher.h"
#include "shared/assert.h"
#include "shared/xmalloc.h"

/* Request and answer fields (rpc.proto, kv.proto). */
enum {
	RANGE_KEY = 1, RANGE_END = 2, RANGE_LIMIT = 3, RANGE_SORT_ORDER = 5, RANGE_SORT_TARGET = 6,
	RANGE_MAX_CREATE = 13,
	SORT_ASCEND = 1, SORT_DESCEND = 2, SORT_CREATE = 2,
	PUT_KEY = 1, PUT_VALUE = 2, PUT_LEASE = 3,
	DEL_KEY = 1,
	CMP_RESULT = 1, CMP_TARGET = 2, CMP_KEY = 3, CMP_CREATE = 5, CMP_TARGET_CREATE = 1,
	TXN_COMPARE = 1, TXN_SUCCESS = 2, TXN_FAILURE = 3,
	OP_RANGE = 1, OP_PUT = 2, OP_DEL = 3,
	RESP_HEADER = 1, TXN_SUCCEEDED = 2, TXN_RESPONSES = 3,
	RANGE_KVS = 2, RANGE_MORE = 3, RANGE_COUNT = 4,
	HDR_CLUSTER = 1, HDR_MEMBER = 2, HDR_REVISION = 3, HDR_TERM = 4,
	KV_KEY = 1, KV_CREATE = 2, KV_MOD = 3, KV_VALUE = 5,
};

/* The watcher of the recipes' watches (their context has no metadata:
 * a stream of its own, as clientv3 keys streams by it). */
static struct watcher *recipe_watcher;

static struct watcher *
recipe_w(void)
{
	if (recipe_watcher == NULL)
		recipe_watcher = watcher_new(false);
	return recipe_watcher;
}

/* RangeRequest of key; with 'sort' (SORT_ASCEND/DESCEND), clientv3's
 * WithFirstCreate/WithLastCreate (the prefix, by create revision, limit
 * 1) and WithMaxCreateRev(max_create) when not 0. */
static void
recipe_range_req(struct pbout *req, const char *key, int sort, int64_t max_create)
{
	pbout_bytes(req, RANGE_KEY, key, strlen(key));
	if (sort != 0) {
		char *end = xmalloc(strlen(key) + 1);

		pbout_bytes(req, RANGE_END, end, watcher_prefix_end(key, strlen(key), end));
		free(end);
		pbout_varint(req, RANGE_LIMIT, 1);
		pbout_varint(req, RANGE_SORT_ORDER, (uint64_t)sort);
		pbout_varint(req, RANGE_SORT_TARGET, SORT_CREATE);
	}
	if (max_create != 0)
		pbout_varint(req, RANGE_MAX_CREATE, (uint64_t)max_create);
}

/* A RequestOp of txn's 'field' (success or failure) holding op. */
static void
recipe_txn_op(struct pbout *txn, uint32_t field, uint32_t kind, struct pbout *op)
{
	struct pbout r = { 0 };

	pbout_msg(&r, kind, op);
	pbout_msg(txn, field, &r);
	pbout_close(&r);
	pbout_close(op);
}

/* Compare(CreateRevision(key), "=", rev): the oneof's member is sent even
 * when 0, as gogo-protobuf marshals a set oneof. */
static void
recipe_txn_cmp_create(struct pbout *txn, const char *key, int64_t rev)
{
	struct pbout c = { 0 };

	pbout_varint(&c, CMP_TARGET, CMP_TARGET_CREATE);
	pbout_bytes(&c, CMP_KEY, key, strlen(key));
	pbout_varint(&c, CMP_CREATE, (uint64_t)rev);
	pbout_msg(txn, TXN_COMPARE, &c);
	pbout_close(&c);
}

static void
recipe_put_op(struct pbout *txn, uint32_t field, const char *key, const char *val,
    int64_t lease)
{
	struct pbout p = { 0 };

	pbout_bytes(&p, PUT_KEY, key, strlen(key));
	if (val[0] != '\0')
		pbout_bytes(&p, PUT_VALUE, val, strlen(val));
	if (lease != 0)
		pbout_varint(&p, PUT_LEASE, (uint64_t)lease);
	recipe_txn_op(txn, field, OP_PUT, &p);
}

static void
recipe_get_op(struct pbout *txn, uint32_t field, const char *key, int sort)
{
	struct pbout g = { 0 };

	recipe_range_req(&g, key, sort, 0);
	recipe_txn_op(txn, field, OP_RANGE, &g);
}

/* One untimed call; one made after an interrupt, when 'cancellable',
 * fails as a call under a cancelled context. 0 or -1 with err. */
static int
recipe_call(const char *path, struct pbout *req, enum ctl_retry retry, bool cancellable,
    struct gc_result *r, char *err, size_t errlen)
{
	int rc;

	if (cancellable && session_interrupted()) {
		snprintf(err, errlen, "context canceled");
		pbout_close(req);
		return -1;
	}
	rc = client_try_untimed(path, req, retry, r, err, errlen);
	pbout_close(req);
	return rc == 0 ? 0 : -1;
}

/* The key "<pfx><lease in hex>" (Go's %x of the LeaseID). */
static char *
recipe_session_key(const char *pfx)
{
	size_t n = strlen(pfx) + 24;
	char *k = xmalloc(n);

	snprintf(k, n, "%s%" PRIx64, pfx, (uint64_t)session_lease());
	return k;
}

static char *
recipe_prefix(const char *name)
{
	size_t n = strlen(name) + 2;
	char *p = xmalloc(n);

	snprintf(p, n, "%s/", name);
	return p;
}

/* The first key-value of the Range answer of a TxnResponse's op i. */
static struct pbv
recipe_txn_kv(struct pbv txn, size_t i)
{
	struct pbv op = { 0 }, kv = { 0 };
	size_t off = 0;

	for (size_t k = 0; k <= i; k++)
		if (!pbv_next(txn, TXN_RESPONSES, &off, &op))
			return (struct pbv){ 0 };
	off = 0;
	(void)pbv_next(pbv_bytes(op, OP_RANGE), RANGE_KVS, &off, &kv);
	return kv;
}

/* ---- waitDeletes ---------------------------------------------------- */

struct recipe_wait {
	bool deleted, ended;
	char err[WATCHER_ERR_BYTES_MAX];
};

static void
recipe_wait_resp(void *arg, const struct watcher_resp *r)
{
	struct recipe_wait *rw = arg;
	struct pbv ev;
	size_t off = 0;

	snprintf(rw->err, sizeof(rw->err), "%s", r->err);
	while (pbv_next(r->msg, WATCHER_RESP_EVENTS, &off, &ev))
		if (pbv_varint(ev, WATCHER_EV_TYPE) == WATCHER_EV_DELETE)
			rw->deleted = true;
}

static void
recipe_wait_end(void *arg)
{
	struct recipe_wait *rw = arg;

	rw->ended = true;
}

/* waitDelete: the key's delete, watched from rev. */
static int
recipe_wait_delete(const char *key, int64_t rev, char *err, size_t errlen)
{
	struct recipe_wait rw = { 0 };
	struct watcher_sub *ws;

	if (session_interrupted()) {
		snprintf(err, errlen, "context canceled");
		return -1;
	}
	ws = watcher_watch(recipe_w(), (const uint8_t *)key, strlen(key), NULL, 0, rev, false,
	    recipe_wait_resp, recipe_wait_end, &rw);
	while (!rw.deleted && !rw.ended && !session_interrupted())
		session_wait();
	if (!rw.ended)
		watcher_cancel(ws);
	if (rw.deleted)
		return 0;
	if (rw.err[0] != '\0')
		snprintf(err, errlen, "%s", rw.err);
	else if (session_interrupted())
		snprintf(err, errlen, "context canceled");
	else
		snprintf(err, errlen, "lost watcher waiting for delete");
	return -1;
}

/* waitDeletes: until no key of pfx created at or before max_create is
 * left. 0 with *hdr_rev (the last Range's header), or -1 with err. */
static int
recipe_wait_deletes(const char *pfx, int64_t max_create, int64_t *hdr_rev, char *err,
    size_t errlen)
{
	for (;;) {
		struct pbout req = { 0 };
		struct gc_result r;
		struct pbv resp, kv;
		char *last;
		int64_t rev;
		int rc;

		recipe_range_req(&req, pfx, SORT_DESCEND, max_create);
		if (recipe_call("/etcdserverpb.KV/Range", &req, CTL_RETRY_UNAVAILABLE, true, &r, err,
		    errlen) != 0)
			return -1;
		resp = pbv_of(r.msg, r.len);
		rev = (int64_t)pbv_varint(pbv_bytes(resp, RESP_HEADER), HDR_REVISION);
		kv = pbv_bytes(resp, RANGE_KVS);
		if (!kv.present) {
			*hdr_rev = rev;
			return 0;
		}
		kv = pbv_bytes(kv, KV_KEY);
		last = xmalloc(kv.n + 1);
		memcpy(last, kv.p, kv.n);
		last[kv.n] = '\0';
		rc = recipe_wait_delete(last, rev, err, errlen);
		free(last);
		if (rc != 0)
			return -1;
	}
}

/* ---- Mutex ------------------------------------------------------------ */

int
recipe_lock(struct recipe_mutex *m, const char *name, char *err, size_t errlen)
{
	struct pbout txn = { 0 };
	struct gc_result r;
	struct pbv resp, owner;
	char why[RECIPE_ERR_BYTES_MAX];
	int64_t hdr_rev;

	m->pfx = recipe_prefix(name);
	m->key = recipe_session_key(m->pfx);
	recipe_txn_cmp_create(&txn, m->key, 0);
	recipe_put_op(&txn, TXN_SUCCESS, m->key, "", session_lease());
	recipe_get_op(&txn, TXN_SUCCESS, m->pfx, SORT_ASCEND);
	recipe_get_op(&txn, TXN_FAILURE, m->key, 0);
	recipe_get_op(&txn, TXN_FAILURE, m->pfx, SORT_ASCEND);
	if (recipe_call("/etcdserverpb.KV/Txn", &txn, CTL_RETRY_NEVER, true, &r, err, errlen) != 0)
		return -1;
	resp = pbv_of(r.msg, r.len);
	m->rev = (int64_t)pbv_varint(pbv_bytes(resp, RESP_HEADER), HDR_REVISION);
	m->hdr_rev = m->rev;
	if (pbv_varint(resp, TXN_SUCCEEDED) == 0)
		m->rev = (int64_t)pbv_varint(recipe_txn_kv(resp, 0), KV_CREATE);
	owner = recipe_txn_kv(resp, 1);
	if (!owner.present || (int64_t)pbv_varint(owner, KV_CREATE) == m->rev)
		return 0;
	if (recipe_wait_deletes(m->pfx, m->rev - 1, &hdr_rev, err, errlen) != 0) {
		(void)recipe_unlock(m, why, sizeof(why));
		return -1;
	}
	m->hdr_rev = hdr_rev;
	return 0;
}

int
recipe_unlock(struct recipe_mutex *m, char *err, size_t errlen)
{
	struct pbout req = { 0 };
	struct gc_result r;

	pbout_bytes(&req, DEL_KEY, m->key, strlen(m->key));
	if (recipe_call("/etcdserverpb.KV/DeleteRange", &req, CTL_RETRY_NEVER, false, &r, err,
	    errlen) != 0)
		return -1;
	/* Unlock leaves "\x00" as its key. */
	free(m->key);
	m->key = xstrdup("");
	m->rev = -1;
	return 0;
}

void
recipe_mutex_close(struct recipe_mutex *m)
{
	free(m->pfx);
	free(m->key);
	m->pfx = m->key = NULL;
}

/* ---- Election ------------------------------------------------------------ */

/* Proclaim: the leader's key takes val while it is still the one made at
 * e->rev. */
static int
recipe_proclaim(struct recipe_election *e, const char *val, char *err, size_t errlen)
{
	struct pbout txn = { 0 };
	struct gc_result r;

	if (!e->leader) {
		snprintf(err, errlen, "election: not leader");
		return -1;
	}
	recipe_txn_cmp_create(&txn, e->key, e->rev);
	recipe_put_op(&txn, TXN_SUCCESS, e->key, val, session_lease());
	if (recipe_call("/etcdserverpb.KV/Txn", &txn, CTL_RETRY_NEVER, true, &r, err, errlen) != 0)
		return -1;
	if (pbv_varint(pbv_of(r.msg, r.len), TXN_SUCCEEDED) == 0) {
		free(e->key);
		e->key = xstrdup("");
		snprintf(err, errlen, "election: not leader");
		return -1;
	}
	return 0;
}

int
recipe_campaign(struct recipe_election *e, const char *name, const char *val, char *err,
    size_t errlen)
{
	char why[RECIPE_ERR_BYTES_MAX];
	struct pbout txn = { 0 };
	struct gc_result r;
	struct pbv resp;
	int64_t hdr_rev;

	e->pfx = recipe_prefix(name);
	e->key = recipe_session_key(e->pfx);
	recipe_txn_cmp_create(&txn, e->key, 0);
	recipe_put_op(&txn, TXN_SUCCESS, e->key, val, session_lease());
	recipe_get_op(&txn, TXN_FAILURE, e->key, 0);
	if (recipe_call("/etcdserverpb.KV/Txn", &txn, CTL_RETRY_NEVER, true, &r, err, errlen) != 0)
		return -1;
	resp = pbv_of(r.msg, r.len);
	e->rev = (int64_t)pbv_varint(pbv_bytes(resp, RESP_HEADER), HDR_REVISION);
	e->leader = true;
	if (pbv_varint(resp, TXN_SUCCEEDED) == 0) {
		struct pbv kv = recipe_txn_kv(resp, 0), v = pbv_bytes(kv, KV_VALUE);

		e->rev = (int64_t)pbv_varint(kv, KV_CREATE);
		if (v.n != strlen(val) || (v.n > 0 && memcmp(v.p, val, v.n) != 0)) {
			if (recipe_proclaim(e, val, err, errlen) != 0) {
				(void)recipe_resign(e, why, sizeof(why));
				return -1;
			}
		}
	}
	if (recipe_wait_deletes(e->pfx, e->rev - 1, &hdr_rev, err, errlen) != 0) {
		if (session_interrupted())
			(void)recipe_resign(e, why, sizeof(why));
		else
			e->leader = false;
		return -1;
	}
	return 0;
}

int
recipe_resign(struct recipe_election *e, char *err, size_t errlen)
{
	struct pbout txn = { 0 }, del = { 0 };
	struct gc_result r;
	int rc;

	if (!e->leader)
		return 0;
	recipe_txn_cmp_create(&txn, e->key, e->rev);
	pbout_bytes(&del, DEL_KEY, e->key, strlen(e->key));
	recipe_txn_op(&txn, TXN_SUCCESS, OP_DEL, &del);
	rc = recipe_call("/etcdserverpb.KV/Txn", &txn, CTL_RETRY_NEVER, false, &r, err, errlen);
	free(e->key);
	e->key = xstrdup("");
	e->leader = false;
	return rc;
}

void
recipe_election_close(struct recipe_election *e)
{
	free(e->pfx);
	free(e->key);
	e->pfx = e->key = NULL;
}

int
recipe_get(const char *key, struct gc_result *r, char *err, size_t errlen)
{
	struct pbout req = { 0 };

	recipe_range_req(&req, key, 0, 0);
	return recipe_call("/etcdserverpb.KV/Range", &req, CTL_RETRY_UNAVAILABLE, true, r, err,
	    errlen);
}

/* ---- Observe ------------------------------------------------------------ */

/* What observe keeps between its steps: the last Range's answer (its
 * More and Count stay in what the leader's changes send). */
struct recipe_obs {
	recipe_observe_fn *fn;
	void *arg;
	struct pbout get;              /* the Range answer (owned copy) */
	struct pbout hdr, kv;          /* the leader's (owned copies) */
	bool found, deleted, ended, failed;
};

/* A GetResponse of header hdr, kvs [kv], and the Range's More and Count
 * when 'counts', to fn. */
static void
recipe_obs_send(struct recipe_obs *o, struct pbv hdr, struct pbv kv, bool counts)
{
	struct pbout out = { 0 };
	struct pbv get = pbv_of(o->get.buf, o->get.len);
	uint64_t count = pbv_varint(get, RANGE_COUNT);

	pbout_bytes(&out, RESP_HEADER, hdr.p, hdr.n);
	pbout_bytes(&out, RANGE_KVS, kv.p, kv.n);
	if (counts && pbv_varint(get, RANGE_MORE) != 0)
		pbout_varint(&out, RANGE_MORE, 1);
	if (counts && count != 0)
		pbout_varint(&out, RANGE_COUNT, count);
	o->fn(o->arg, pbv_of(out.buf, out.len));
	pbout_close(&out);
}

static void
recipe_obs_copy(struct pbout *dst, struct pbv src)
{
	pbout_close(dst);
	if (src.n > 0) {
		dst->buf = xmalloc(src.n);
		memcpy(dst->buf, src.p, src.n);
		dst->len = dst->cap = src.n;
	}
}

/* A header with its revision set to rev (the fields re-encoded). */
static void
recipe_obs_header(struct pbout *dst, struct pbv hdr, int64_t rev)
{
	static const uint32_t fields[] = { HDR_CLUSTER, HDR_MEMBER, HDR_REVISION, HDR_TERM };

	pbout_close(dst);
	for (size_t i = 0; i < 4; i++) {
		uint64_t v = fields[i] == HDR_REVISION ? (uint64_t)rev : pbv_varint(hdr, fields[i]);

		if (v != 0)
			pbout_varint(dst, fields[i], v);
	}
}

/* Waiting for the first leader: the first PUT of an answer. */
static void
recipe_obs_first(void *arg, const struct watcher_resp *r)
{
	struct recipe_obs *o = arg;
	struct pbv ev;
	size_t off = 0;

	if (o->found)
		return;
	if (r->err[0] != '\0') {
		o->failed = true;
		return;
	}
	while (pbv_next(r->msg, WATCHER_RESP_EVENTS, &off, &ev)) {
		if (pbv_varint(ev, WATCHER_EV_TYPE) == WATCHER_EV_PUT) {
			struct pbv kv = pbv_bytes(ev, WATCHER_EV_KV);

			recipe_obs_copy(&o->kv, kv);
			recipe_obs_header(&o->hdr, pbv_bytes(r->msg, WATCHER_RESP_HEADER),
			    (int64_t)pbv_varint(kv, KV_MOD));
			o->found = true;
			return;
		}
	}
}

/* The leader's key: each change sent on, until its delete. */
static void
recipe_obs_leader(void *arg, const struct watcher_resp *r)
{
	struct recipe_obs *o = arg;
	struct pbv ev;
	size_t off = 0;

	while (!o->deleted && pbv_next(r->msg, WATCHER_RESP_EVENTS, &off, &ev)) {
		if (pbv_varint(ev, WATCHER_EV_TYPE) == WATCHER_EV_DELETE) {
			o->deleted = true;
			break;
		}
		if (!session_interrupted())
			recipe_obs_send(o, pbv_bytes(r->msg, WATCHER_RESP_HEADER),
			    pbv_bytes(ev, WATCHER_EV_KV), true);
	}
}

static void
recipe_obs_end(void *arg)
{
	struct recipe_obs *o = arg;

	o->ended = true;
}

/* Waits on ws until done or its channel closes or an interrupt; the
 * watch cancelled unless it ended. Whether it ended. */
static bool
recipe_obs_wait(struct recipe_obs *o, struct watcher_sub *ws, const bool *done)
{
	while (!*done && !o->ended && !o->failed && !session_interrupted())
		session_wait();
	if (!o->ended)
		watcher_cancel(ws);
	return o->ended || o->failed;
}

/* One round of observe: the leader (or the first to come), then its
 * changes until its delete. false when the channel closes. */
static bool
recipe_obs_round(struct recipe_obs *o, const char *pfx)
{
	char err[RECIPE_ERR_BYTES_MAX];
	struct pbout req = { 0 };
	struct gc_result r;
	struct watcher_sub *ws;
	struct pbv get, kv, key;
	int64_t rev;

	recipe_range_req(&req, pfx, SORT_ASCEND, 0);
	if (recipe_call("/etcdserverpb.KV/Range", &req, CTL_RETRY_UNAVAILABLE, true, &r, err,
	    sizeof(err)) != 0)
		return false;
	recipe_obs_copy(&o->get, pbv_of(r.msg, r.len));
	get = pbv_of(o->get.buf, o->get.len);
	o->found = o->deleted = o->ended = o->failed = false;
	kv = pbv_bytes(get, RANGE_KVS);
	if (!kv.present) {
		/* No leader yet: the first key put under the prefix. */
		char *end = xmalloc(strlen(pfx) + 1);
		size_t elen = watcher_prefix_end(pfx, strlen(pfx), end);

		ws = watcher_watch(recipe_w(), (const uint8_t *)pfx, strlen(pfx),
		    (const uint8_t *)end, elen, watcher_header_revision(get), false, recipe_obs_first,
		    recipe_obs_end, o);
		free(end);
		if (recipe_obs_wait(o, ws, &o->found) || !o->found)
			return false;
	} else {
		recipe_obs_copy(&o->hdr, pbv_bytes(get, RESP_HEADER));
		recipe_obs_copy(&o->kv, kv);
	}
	recipe_obs_send(o, pbv_of(o->hdr.buf, o->hdr.len), pbv_of(o->kv.buf, o->kv.len), false);
	rev = (int64_t)pbv_varint(pbv_of(o->hdr.buf, o->hdr.len), HDR_REVISION);
	key = pbv_bytes(pbv_of(o->kv.buf, o->kv.len), KV_KEY);
	o->ended = false;
	ws = watcher_watch(recipe_w(), key.p, key.n, NULL, 0, rev + 1, false, recipe_obs_leader,
	    recipe_obs_end, o);
	return !recipe_obs_wait(o, ws, &o->deleted);
}

int
recipe_observe(const char *name, recipe_observe_fn *fn, void *arg)
{
	struct recipe_obs o = { .fn = fn, .arg = arg };
	char *pfx = recipe_prefix(name);

	while (!session_interrupted() && recipe_obs_round(&o, pfx))
		;
	free(pfx);
	pbout_close(&o.get);
	pbout_close(&o.hdr);
	pbout_close(&o.kv);
	return session_interrupted() ? 0 : -1;
}
