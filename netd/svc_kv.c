/*
 * netd: etcd's KV service. The client's message is wrapped, without
 * being re-encoded, as the matching field of an InternalRaftRequest;
 * that is decoded with stored's own decoder and checked as etcd's gRPC
 * layer checks it (v3rpc's checkRangeRequest, checkPutRequest, ...)
 * before it is proposed or read.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "netd/backend.h"
#include "netd/grpc.h"
#include "netd/h2.h"
#include "netd/netd.h"
#include "netd/svc.h"
#include "netd/txn_keys.h"
#include "shared/req.h"
#include "shared/xmalloc.h"

static int svc_kv_check_txn(const struct req_txn *t, uint32_t ops_max);

static int
svc_kv_check_put(const struct req_put *p)
{
	if (p->key.n == 0)
		return CAIRN_EKEYEMPTY;
	if (p->ignore_value && p->value.n != 0)
		return CAIRN_EVALUEPROVIDED;
	if (p->ignore_lease && p->lease != 0)
		return CAIRN_ELEASEPROVIDED;
	return 0;
}

static int
svc_kv_check_op(const struct req_op *op, uint32_t ops_max)
{
	switch (op->type) {
	case REQ_OP_RANGE:
		return op->u.range.key.n == 0 ? CAIRN_EKEYEMPTY : 0;
	case REQ_OP_PUT:
		return svc_kv_check_put(&op->u.put);
	case REQ_OP_DELETE:
		return op->u.del.key.n == 0 ? CAIRN_EKEYEMPTY : 0;
	case REQ_OP_TXN:
		return svc_kv_check_txn(op->u.txn, ops_max);
	}
	return CAIRN_EINVAL;
}

/* etcd's checkTxnRequest: each list within --max-txn-ops, each operation
 * valid (keys written twice: txn_keys.c). */
static int
svc_kv_check_txn(const struct req_txn *t, uint32_t ops_max)
{
	int rc = 0;

	if (t->ncmp > ops_max || t->nsuccess > ops_max || t->nfailure > ops_max)
		return CAIRN_ETOOMANYOPS;
	for (size_t i = 0; i < t->nsuccess && rc == 0; i++)
		rc = svc_kv_check_op(&t->success[i], ops_max);
	for (size_t i = 0; i < t->nfailure && rc == 0; i++)
		rc = svc_kv_check_op(&t->failure[i], ops_max);
	return rc;
}

/* Whether a read-only request may be served locally. */
static bool
svc_kv_serializable(const struct req *r)
{
	return r->type == REQ_RANGE && r->u.range.serializable;
}

/* Wraps, decodes, checks, then proposes or reads. */
static int
svc_kv_call(struct gstream *s, enum req_type field, const uint8_t *msg, size_t len)
{
	struct netd *n = s->n;
	struct req_arena arena;
	struct req r;
	const char *why = NULL;
	size_t irr_len;
	int rc;
	uint8_t *irr = svc_wrap(s, field, msg, len, &irr_len, &rc);

	if (irr == NULL)
		return rc;
	req_arena_init(&arena);
	rc = req_decode(irr, irr_len, REQ_TXN_OPS_MAX, &arena, &r, &why);
	if (rc != 0) {
		char text[GRPC_MESSAGE_BYTES_MAX];

		/* What grpc-go says of a message it cannot unmarshal. */
		snprintf(text, sizeof(text), "grpc: error unmarshalling request: %s",
		    why != NULL ? why : "bad request");
		grpc_reply_status(s, GRPC_INTERNAL, text);
		rc = 0;
		goto out;
	}
	switch (r.type) {
	case REQ_RANGE:
		rc = r.u.range.key.n == 0 ? CAIRN_EKEYEMPTY : 0;
		break;
	case REQ_PUT:
		rc = svc_kv_check_put(&r.u.put);
		break;
	case REQ_DELETE:
		rc = r.u.del.key.n == 0 ? CAIRN_EKEYEMPTY : 0;
		break;
	case REQ_TXN:
		/* etcd checks the keys written twice after the rest. */
		if ((rc = svc_kv_check_txn(&r.u.txn, n->txn_ops_max)) == 0)
			rc = txn_keys_check(&r.u.txn);
		break;
	default:
		break;
	}
	if (rc != 0)
		goto out;
	if (r.type == REQ_RANGE)
		rc = backend_read(s, irr, irr_len, svc_kv_serializable(&r));
	else
		rc = backend_propose(s, irr, irr_len);
	irr = NULL; /* taken */
out:
	req_arena_free(&arena);
	free(irr);
	return rc;
}

int
svc_kv_range(struct gstream *s, const uint8_t *msg, size_t len)
{
	return svc_kv_call(s, REQ_RANGE, msg, len);
}

int
svc_kv_put(struct gstream *s, const uint8_t *msg, size_t len)
{
	return svc_kv_call(s, REQ_PUT, msg, len);
}

int
svc_kv_delete_range(struct gstream *s, const uint8_t *msg, size_t len)
{
	return svc_kv_call(s, REQ_DELETE, msg, len);
}

int
svc_kv_txn(struct gstream *s, const uint8_t *msg, size_t len)
{
	return svc_kv_call(s, REQ_TXN, msg, len);
}

int
svc_kv_compact(struct gstream *s, const uint8_t *msg, size_t len)
{
	return svc_kv_call(s, REQ_COMPACTION, msg, len);
}
