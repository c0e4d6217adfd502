/*
 * stored: Txn as etcd 3.4 applies it (etcdserver/apply.go): first the
 * path, every compare of the transaction and of the nested ones taken on
 * the way, evaluated against the store as it is before any operation;
 * then etcd's checks of the operations on that path; only then the
 * operations, in order, in the one write transaction. A read-only
 * transaction makes no revision.
 */
#include <string.h>

#include "stored/apply_impl.h"
#include "stored/keyrange.h"
#include "shared/err.h"

#define TXN_SUCCEEDED 2
#define TXN_RESPONSES 3

/* A compare against one key-value (etcd's compareKV). */
static bool
compare_kv(const struct req_compare *c, const struct mvcc_kv *kv)
{
	int64_t have = 0, want = 0;
	int r;

	switch (c->target) {
	case REQ_CMP_VALUE: {
		uint32_t n = kv->value_len < c->value.n ? kv->value_len : c->value.n;

		r = n > 0 ? memcmp(kv->value, c->value.p, n) : 0;
		if (r == 0)
			r = kv->value_len < c->value.n ? -1 : kv->value_len > c->value.n;
		break;
	}
	case REQ_CMP_CREATE: have = kv->create_rev; want = c->create_rev; break;
	case REQ_CMP_MOD: have = kv->mod_rev; want = c->mod_rev; break;
	case REQ_CMP_LEASE: have = kv->lease; want = c->lease; break;
	default: have = kv->version; want = c->version; break;
	}
	if (c->target != REQ_CMP_VALUE)
		r = have < want ? -1 : have > want;
	switch (c->result) {
	case REQ_CMP_GREATER: return r > 0;
	case REQ_CMP_LESS: return r < 0;
	case REQ_CMP_NOT_EQUAL: return r != 0;
	default: return r == 0;
	}
}

struct compare_walk {
	const struct req_compare *c;
	bool all;                    /* every key so far satisfied it */
	bool any;                    /* some key was seen */
};

static int
compare_one(void *arg, const struct mvcc_kv *kv)
{
	struct compare_walk *cw = arg;

	cw->any = true;
	cw->all = cw->all && compare_kv(cw->c, kv);
	return 0;
}

/* etcd's applyCompare: every key of [key, end) must satisfy it; no key
 * at all compares as a zero key-value, except for a value, which fails. */
static int
compare(struct apply *a, struct mvcc_wtxn *w, const struct req_compare *c, bool *ok)
{
	struct mvcc_range_req r = {.key = c->key.p, .key_len = c->key.n, .end = c->end.p,
	    .end_len = c->end.n};
	struct compare_walk cw = {.c = c, .all = true};
	struct mvcc_range_res res;
	struct mvcc_kv zero = {0};
	int rc = mvcc_range(a->s, w, &r, compare_one, &cw, &res);

	if (rc != 0)
		return rc;
	if (!cw.any)
		*ok = c->target != REQ_CMP_VALUE && compare_kv(c, &zero);
	else
		*ok = cw.all;
	return 0;
}

/*
 * The path: for t and each nested txn on its chosen branch, in the order
 * of the branches, whether its compares held. path[] holds one bool per
 * txn visited (pre-order); *n counts them.
 */
static int
txn_path(struct apply *a, struct mvcc_wtxn *w, const struct req_txn *t, bool *path,
    size_t *n, size_t cap)
{
	bool ok = true;
	const struct req_op *ops;
	size_t nops;
	int rc;

	for (size_t i = 0; i < t->ncmp && ok; i++)
		if ((rc = compare(a, w, &t->cmp[i], &ok)) != 0)
			return rc;
	if (*n == cap)
		return CAIRN_EINVAL;
	path[(*n)++] = ok;
	ops = ok ? t->success : t->failure;
	nops = ok ? t->nsuccess : t->nfailure;
	for (size_t i = 0; i < nops; i++)
		if (ops[i].type == REQ_OP_TXN &&
		    (rc = txn_path(a, w, ops[i].u.txn, path, n, cap)) != 0)
			return rc;
	return 0;
}

/* etcd's checkRequests along the path. */
static int
txn_check(struct apply *a, struct mvcc_wtxn *w, const struct req_txn *t, const bool *path,
    size_t *at)
{
	bool ok = path[(*at)++];
	const struct req_op *ops = ok ? t->success : t->failure;
	size_t nops = ok ? t->nsuccess : t->nfailure;
	int rc = 0;

	for (size_t i = 0; i < nops && rc == 0; i++) {
		if (ops[i].type == REQ_OP_PUT)
			rc = apply_check_put(a, w, &ops[i].u.put);
		else if (ops[i].type == REQ_OP_RANGE)
			rc = apply_check_range(a, w, &ops[i].u.range);
		else if (ops[i].type == REQ_OP_TXN)
			rc = txn_check(a, w, ops[i].u.txn, path, at);
	}
	return rc;
}

static int
txn_exec(struct apply *a, struct apply_at at, const struct req_txn *t, const bool *path,
    size_t *pos, struct spb *out)
{
	bool ok = path[(*pos)++];
	const struct req_op *ops = ok ? t->success : t->failure;
	size_t nops = ok ? t->nsuccess : t->nfailure;
	struct spb *list = &a->ops[at.depth], *one = &a->op[at.depth];
	struct apply_at in = {.w = at.w, .depth = at.depth + 1};
	int rc = 0;

	spb_reset(list);
	if (at.depth > REQ_TXN_DEPTH_MAX)
		return CAIRN_EINVAL;
	for (size_t i = 0; i < nops && rc == 0; i++) {
		spb_reset(one);
		switch (ops[i].type) {
		case REQ_OP_RANGE: rc = apply_range(a, in, &ops[i].u.range, one); break;
		case REQ_OP_PUT: rc = apply_put(a, in, &ops[i].u.put, one); break;
		case REQ_OP_DELETE: rc = apply_delete(a, in, &ops[i].u.del, one); break;
		case REQ_OP_TXN: rc = txn_exec(a, in, ops[i].u.txn, path, pos, one); break;
		}
		if (rc != 0)
			break;
		/* TxnResponse.responses: a ResponseOp whose one field is this. */
		spb_nested(list, TXN_RESPONSES, (uint32_t)ops[i].type, one->buf, one->len);
	}
	if (rc != 0)
		return rc;
	apply_header(a, out, apply_rev(a, at.w), at.depth == 0);
	spb_varint(out, TXN_SUCCEEDED, ok);
	if (list->len > 0) {
		memcpy(spb_room(out, list->len), list->buf, list->len);
		out->len += list->len;
	}
	return 0;
}

int
apply_txn(struct apply *a, struct apply_at at, const struct req_txn *t, struct spb *out)
{
	/* A txn on the path, each nested one once: at most one per op. */
	bool path[REQ_TXN_OPS_MAX + 1];
	size_t n = 0, pos = 0;
	int rc = txn_path(a, at.w, t, path, &n, sizeof(path) / sizeof(path[0]));

	if (rc == 0)
		rc = txn_check(a, at.w, t, path, &pos);
	pos = 0;
	if (rc == 0)
		rc = txn_exec(a, at, t, path, &pos, out);
	return rc;
}
