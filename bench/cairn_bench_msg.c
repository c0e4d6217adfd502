/*
 * cairn-bench: etcd's v3 requests built by hand (shared/pbout.h) and the
 * few fields of its answers the workloads read (shared/pbwire.h), with
 * the field numbers of shared/proto/etcdserverpb/rpc.proto and kv.proto.
 */
#include <string.h>

#include "bench/cairn_bench.h"
#include "shared/assert.h"

/* PutRequest: key 1, value 2, lease 3. */
void
msg_put(struct pbout *o, const uint8_t *key, size_t klen, const uint8_t *val, size_t vlen,
    int64_t lease)
{
	CAIRN_ASSERT(o->len == 0);
	pbout_bytes(o, 1, key, klen);
	if (vlen > 0)
		pbout_bytes(o, 2, val, vlen);
	if (lease != 0)
		pbout_varint(o, 3, (uint64_t)lease);
}

/* RangeRequest: key 1, range_end 2, limit 3, revision 4, serializable 7,
 * count_only 9. */
void
msg_range(struct pbout *o, const struct msg_range *q)
{
	CAIRN_ASSERT(o->len == 0);
	pbout_bytes(o, 1, q->key, q->klen);
	if (q->elen > 0)
		pbout_bytes(o, 2, q->end, q->elen);
	if (q->limit > 0)
		pbout_varint(o, 3, (uint64_t)q->limit);
	if (q->revision > 0)
		pbout_varint(o, 4, (uint64_t)q->revision);
	if (q->serializable)
		pbout_varint(o, 7, 1);
	if (q->count_only)
		pbout_varint(o, 9, 1);
}

/* DeleteRangeRequest: key 1. */
void
msg_delete(struct pbout *o, const uint8_t *key, size_t klen)
{
	CAIRN_ASSERT(o->len == 0);
	pbout_bytes(o, 1, key, klen);
}

/* TxnRequest.compare (1): Compare{result EQUAL (0, left out), target 2,
 * key 3, create_revision 5 or mod_revision 6}. */
void
msg_compare_rev(struct pbout *o, const uint8_t *key, size_t klen, unsigned target, int64_t rev)
{
	struct pbout c = {0};

	CAIRN_ASSERT(target == 1 || target == 2);
	pbout_varint(&c, 2, target);
	pbout_bytes(&c, 3, key, klen);
	if (rev != 0)
		pbout_varint(&c, target == 1 ? 5 : 6, (uint64_t)rev);
	pbout_msg(o, 1, &c);
	pbout_close(&c);
}

/* TxnRequest.success (2) or .failure (3): RequestOp{kind: req}. */
void
msg_txn_op(struct pbout *txn, unsigned branch, unsigned kind, const struct pbout *req)
{
	struct pbout op = {0};

	CAIRN_ASSERT(branch == 2 || branch == 3);
	CAIRN_ASSERT(kind >= 1 && kind <= 3);
	pbout_msg(&op, kind, req);
	pbout_msg(txn, branch, &op);
	pbout_close(&op);
}

int
msg_varint(const uint8_t *p, size_t n, uint32_t field, uint64_t *v)
{
	struct pbw_reader r = { p, n, 0 };
	struct pbw_field f;
	int rc;

	*v = 0;
	while ((rc = pbw_next(&r, &f)) == 1) {
		if (f.number == field && f.type == PBW_VARINT) {
			*v = f.v;
			return 0;
		}
	}
	return rc == 0 ? 0 : -1;
}

int
msg_bytes(const uint8_t *p, size_t n, uint32_t field, const uint8_t **data, size_t *len)
{
	struct pbw_reader r = { p, n, 0 };
	struct pbw_field f;
	int rc;

	*data = NULL;
	*len = 0;
	while ((rc = pbw_next(&r, &f)) == 1) {
		if (f.number == field && f.type == PBW_LEN) {
			*data = f.p;
			*len = f.n;
			return 0;
		}
	}
	return rc == 0 ? 0 : -1;
}

/* mvccpb.KeyValue: key 1, create_revision 2, mod_revision 3, value 5,
 * lease 6. */
int
msg_kv(const uint8_t *p, size_t n, struct msg_kv *kv)
{
	struct pbw_reader r = { p, n, 0 };
	struct pbw_field f;
	int rc;

	memset(kv, 0, sizeof(*kv));
	while ((rc = pbw_next(&r, &f)) == 1) {
		if (f.number == 1 && f.type == PBW_LEN) {
			kv->key = f.p;
			kv->klen = f.n;
		} else if (f.number == 5 && f.type == PBW_LEN) {
			kv->value = f.p;
			kv->vlen = f.n;
		} else if (f.number == 2 && f.type == PBW_VARINT) {
			kv->create_rev = (int64_t)f.v;
		} else if (f.number == 3 && f.type == PBW_VARINT) {
			kv->mod_rev = (int64_t)f.v;
		} else if (f.number == 6 && f.type == PBW_VARINT) {
			kv->lease = (int64_t)f.v;
		}
	}
	return rc == 0 ? 0 : -1;
}

/* An answer's header (field 1): ResponseHeader{member_id 2, revision 3}. */
static int
msg_header_field(const uint8_t *p, size_t n, uint32_t field, uint64_t *v)
{
	const uint8_t *h;
	size_t hlen;

	*v = 0;
	if (msg_bytes(p, n, 1, &h, &hlen) != 0 || h == NULL)
		return -1;
	return msg_varint(h, hlen, field, v);
}

int64_t
msg_header_revision(const uint8_t *p, size_t n)
{
	uint64_t v;

	return msg_header_field(p, n, 3, &v) == 0 ? (int64_t)v : 0;
}

uint64_t
msg_header_member(const uint8_t *p, size_t n)
{
	uint64_t v;

	return msg_header_field(p, n, 2, &v) == 0 ? v : 0;
}

/* RangeResponse: header 1, kvs 2, more 3, count 4. */
int
msg_range_resp(const uint8_t *p, size_t n, struct msg_range_resp *rr)
{
	struct pbw_reader r = { p, n, 0 };
	struct pbw_field f;
	const uint8_t *last = NULL;
	size_t lastn = 0;
	int rc;

	memset(rr, 0, sizeof(*rr));
	while ((rc = pbw_next(&r, &f)) == 1) {
		if (f.number == 1 && f.type == PBW_LEN) {
			uint64_t v;

			if (msg_varint(f.p, f.n, 3, &v) != 0)
				return -1;
			rr->revision = (int64_t)v;
		} else if (f.number == 2 && f.type == PBW_LEN) {
			last = f.p;
			lastn = f.n;
			rr->nkvs++;
		} else if (f.number == 3 && f.type == PBW_VARINT) {
			rr->more = f.v != 0;
		} else if (f.number == 4 && f.type == PBW_VARINT) {
			rr->count = (int64_t)f.v;
		}
	}
	if (rc != 0)
		return -1;
	return last != NULL ? msg_kv(last, lastn, &rr->last) : 0;
}

/* TxnResponse: header 1, succeeded 2, responses 3 (ResponseOp: range 1). */
int
msg_txn_resp(const uint8_t *p, size_t n, bool *succeeded, int64_t *revision,
    struct msg_range_resp *rr)
{
	struct pbw_reader r = { p, n, 0 };
	struct pbw_field f;
	bool first = true;
	int rc;

	*succeeded = false;
	*revision = 0;
	memset(rr, 0, sizeof(*rr));
	while ((rc = pbw_next(&r, &f)) == 1) {
		if (f.number == 1 && f.type == PBW_LEN) {
			uint64_t v;

			if (msg_varint(f.p, f.n, 3, &v) != 0)
				return -1;
			*revision = (int64_t)v;
		} else if (f.number == 2 && f.type == PBW_VARINT) {
			*succeeded = f.v != 0;
		} else if (f.number == 3 && f.type == PBW_LEN && first) {
			const uint8_t *rp;
			size_t rn;

			first = false;
			if (msg_bytes(f.p, f.n, 1, &rp, &rn) != 0)
				return -1;
			if (rp != NULL && msg_range_resp(rp, rn, rr) != 0)
				return -1;
		}
	}
	return rc == 0 ? 0 : -1;
}
