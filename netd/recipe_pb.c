/*
 * netd: the requests of the Lock and Election recipes, and the fields
 * they read of the answers (see recipe_pb.h). Field numbers are etcd's
 * (etcdserverpb rpc.proto, mvccpb kv.proto).
 */
#include <stdlib.h>
#include <string.h>

#include "netd/recipe_pb.h"
#include "shared/err.h"
#include "shared/pbwire.h"
#include "shared/req.h"
#include "shared/xmalloc.h"

/* RangeRequest. */
#define RANGE_KEY 1
#define RANGE_END 2
#define RANGE_LIMIT 3
#define RANGE_SORT_ORDER 5
#define RANGE_SORT_TARGET 6
#define RANGE_MAX_CREATE 13
#define SORT_ASCEND 1
#define SORT_DESCEND 2
#define SORT_TARGET_CREATE 2
/* PutRequest, DeleteRangeRequest, LeaseGrantRequest. */
#define PUT_KEY 1
#define PUT_VALUE 2
#define PUT_LEASE 3
#define DELETE_KEY 1
#define GRANT_TTL 1
#define GRANT_ID 2
/* TxnRequest and Compare. */
#define TXN_COMPARE 1
#define TXN_SUCCESS 2
#define TXN_FAILURE 3
#define CMP_RESULT 1       /* EQUAL is 0 */
#define CMP_TARGET 2
#define CMP_TARGET_CREATE 1
#define CMP_KEY 3
#define CMP_CREATE_REVISION 5
/* Responses. */
#define RESP_HEADER 1
#define HEADER_REVISION 3
#define RANGE_RESP_KVS 2
#define TXN_RESPONSES 3
#define OP_RESPONSE_RANGE 1

uint8_t *
rpb_prefix_end_new(struct rpb_bytes pfx, size_t *len)
{
	size_t n = pfx.n;
	uint8_t *end = xmalloc(n > 0 ? n : 1);

	while (n > 0 && pfx.p[n - 1] == 0xff)
		n--;
	if (n == 0) {
		end[0] = 0;
		*len = 1;
		return end;
	}
	memcpy(end, pfx.p, n);
	end[n - 1]++;
	*len = n;
	return end;
}

void
rpb_put(struct pbout *o, struct rpb_bytes key, struct rpb_bytes value, int64_t lease)
{
	pbout_bytes(o, PUT_KEY, key.p, key.n);
	if (value.n > 0)
		pbout_bytes(o, PUT_VALUE, value.p, value.n);
	if (lease != 0)
		pbout_varint(o, PUT_LEASE, (uint64_t)lease);
}

void
rpb_delete(struct pbout *o, struct rpb_bytes key)
{
	pbout_bytes(o, DELETE_KEY, key.p, key.n);
}

void
rpb_get(struct pbout *o, struct rpb_bytes key)
{
	pbout_bytes(o, RANGE_KEY, key.p, key.n);
}

void
rpb_prefix_first(struct pbout *o, struct rpb_bytes pfx, bool last, int64_t max_create_rev)
{
	size_t n;
	uint8_t *end = rpb_prefix_end_new(pfx, &n);

	pbout_bytes(o, RANGE_KEY, pfx.p, pfx.n);
	pbout_bytes(o, RANGE_END, end, n);
	free(end);
	pbout_varint(o, RANGE_LIMIT, 1);
	pbout_varint(o, RANGE_SORT_ORDER, last ? SORT_DESCEND : SORT_ASCEND);
	pbout_varint(o, RANGE_SORT_TARGET, SORT_TARGET_CREATE);
	if (max_create_rev > 0)
		pbout_varint(o, RANGE_MAX_CREATE, (uint64_t)max_create_rev);
}

void
rpb_lease_grant(struct pbout *o, int64_t ttl_sec, int64_t id)
{
	pbout_varint(o, GRANT_TTL, (uint64_t)ttl_sec);
	pbout_varint(o, GRANT_ID, (uint64_t)id);
}

static void
rpb_txn_ops(struct pbout *o, uint32_t field, const struct rpb_txn_op *ops, size_t n)
{
	struct pbout op = {0};

	for (size_t i = 0; i < n; i++) {
		op.len = 0;
		pbout_msg(&op, ops[i].op, ops[i].req);
		pbout_msg(o, field, &op);
	}
	pbout_close(&op);
}

void
rpb_txn_if_created(struct pbout *o, struct rpb_bytes key, int64_t rev,
    const struct rpb_txn_op *then, size_t nthen, const struct rpb_txn_op *otherwise,
    size_t notherwise)
{
	struct pbout cmp = {0};

	/* clientv3 sets the oneof even to 0: it goes on the wire. */
	pbout_varint(&cmp, CMP_TARGET, CMP_TARGET_CREATE);
	pbout_bytes(&cmp, CMP_KEY, key.p, key.n);
	pbout_varint(&cmp, CMP_CREATE_REVISION, (uint64_t)rev);
	pbout_msg(o, TXN_COMPARE, &cmp);
	pbout_close(&cmp);
	rpb_txn_ops(o, TXN_SUCCESS, then, nthen);
	rpb_txn_ops(o, TXN_FAILURE, otherwise, notherwise);
}

/* ---- answers ------------------------------------------------------------ */

int
rpb_find(struct rpb_bytes msg, uint32_t field, unsigned nth, struct rpb_bytes *f)
{
	struct pbw_reader r = {.buf = msg.p, .len = msg.n};
	struct pbw_field pf;
	int rc;

	while ((rc = pbw_next(&r, &pf)) == 1) {
		if (pf.number != field)
			continue;
		if (pf.type != PBW_LEN)
			return CAIRN_ECORRUPT;
		if (nth-- == 0) {
			f->p = pf.p;
			f->n = pf.n;
			return 1;
		}
	}
	return rc;
}

int
rpb_last(struct rpb_bytes msg, uint32_t field, struct rpb_bytes *f)
{
	struct pbw_reader r = {.buf = msg.p, .len = msg.n};
	struct pbw_field pf;
	int rc, found = 0;

	while ((rc = pbw_next(&r, &pf)) == 1) {
		if (pf.number != field)
			continue;
		if (pf.type != PBW_LEN)
			return CAIRN_ECORRUPT;
		f->p = pf.p;
		f->n = pf.n;
		found = 1;
	}
	return rc != 0 ? rc : found;
}

const char *
rpb_check(struct rpb_bytes msg, const enum pbw_type *types, size_t n)
{
	struct pbw_reader r = {.buf = msg.p, .len = msg.n};
	struct pbw_field pf;
	int rc;

	while ((rc = pbw_next(&r, &pf)) == 1)
		if (pf.number >= 1 && pf.number <= n && pf.type != types[pf.number - 1])
			return REQ_WHY_WIRE_TYPE;
	return rc != 0 ? REQ_WHY_PROTOBUF : NULL;
}

int64_t
rpb_int(struct rpb_bytes msg, uint32_t field)
{
	struct pbw_reader r = {.buf = msg.p, .len = msg.n};
	struct pbw_field pf;
	uint64_t v = 0;

	while (pbw_next(&r, &pf) == 1)
		if (pf.number == field && pf.type == PBW_VARINT)
			v = pf.v;
	return (int64_t)v;
}

int
rpb_header(struct rpb_bytes resp, struct rpb_bytes *hdr)
{
	int rc = rpb_find(resp, RESP_HEADER, 0, hdr);

	if (rc == 0)
		hdr->n = 0;
	return rc == CAIRN_ECORRUPT ? CAIRN_ECORRUPT : 0;
}

int64_t
rpb_header_revision(struct rpb_bytes hdr)
{
	return rpb_int(hdr, HEADER_REVISION);
}

int
rpb_range_first(struct rpb_bytes range, struct rpb_bytes *kv)
{
	return rpb_find(range, RANGE_RESP_KVS, 0, kv);
}

int
rpb_txn_range(struct rpb_bytes txn, unsigned i, struct rpb_bytes *range)
{
	struct rpb_bytes op;
	int rc = rpb_find(txn, TXN_RESPONSES, i, &op);

	return rc == 1 ? rpb_find(op, OP_RESPONSE_RANGE, 0, range) : rc;
}
