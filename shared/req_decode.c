/*
 * stored: decodes etcd's InternalRaftRequest from a committed Raft entry
 * into struct req (req.h) without copying. Field numbers are etcd 3.4's
 * (etcdserverpb/raft_internal.proto, rpc.proto); where protobuf leaves
 * room we do what etcd 3.4's gogoproto Unmarshal code does, or refuse.
 */
#include <stdalign.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "shared/assert.h"
#include "shared/err.h"
#include "shared/pbwire.h"
#include "shared/xmalloc.h"
#include "shared/req.h"

/* InternalRaftRequest. The request fields 3-9 are enum req_type's values. */
enum irr_field {
	IRR_F_ID = 1,
	IRR_F_V2 = 2,                /* etcd's v2 Request */
	IRR_F_ALARM = 10,
	IRR_F_LEASE_CHECKPOINT = 11,
	IRR_F_HEADER = 100,
};
enum hdr_field { HDR_F_ID = 1, HDR_F_USERNAME = 2, HDR_F_AUTH_REVISION = 3 };
enum range_field {
	RANGE_F_KEY = 1, RANGE_F_END = 2, RANGE_F_LIMIT = 3, RANGE_F_REV = 4,
	RANGE_F_SORT_ORDER = 5, RANGE_F_SORT_TARGET = 6, RANGE_F_SERIALIZABLE = 7,
	RANGE_F_KEYS_ONLY = 8, RANGE_F_COUNT_ONLY = 9, RANGE_F_MIN_MOD = 10,
	RANGE_F_MAX_MOD = 11, RANGE_F_MIN_CREATE = 12, RANGE_F_MAX_CREATE = 13,
};
enum put_field {
	PUT_F_KEY = 1, PUT_F_VALUE = 2, PUT_F_LEASE = 3, PUT_F_PREV_KV = 4,
	PUT_F_IGNORE_VALUE = 5, PUT_F_IGNORE_LEASE = 6,
};
enum del_field { DEL_F_KEY = 1, DEL_F_END = 2, DEL_F_PREV_KV = 3 };
/* TxnRequest; RequestOp's members are enum req_op_type's values. */
enum txn_field { TXN_F_COMPARE = 1, TXN_F_SUCCESS = 2, TXN_F_FAILURE = 3 };
enum cmp_field {
	CMP_F_RESULT = 1, CMP_F_TARGET = 2, CMP_F_KEY = 3, CMP_F_VERSION = 4,
	CMP_F_CREATE_REV = 5, CMP_F_MOD_REV = 6, CMP_F_VALUE = 7, CMP_F_LEASE = 8,
	CMP_F_END = 64,
};
enum compaction_field { COMPACTION_F_REV = 1, COMPACTION_F_PHYSICAL = 2 };
enum grant_field { GRANT_F_TTL = 1, GRANT_F_ID = 2 };
enum revoke_field { REVOKE_F_ID = 1 };
enum alarm_field { ALARM_F_ACTION = 1, ALARM_F_MEMBER = 2, ALARM_F_ALARM = 3 };
/* The auth requests number their fields alike: 1 names the user or role;
 * 2 is the password, the role granted or revoked, the permission granted,
 * or the key of the one revoked; 3 the token, the options of a new user,
 * the hashed password of a changed one, or the range end revoked; 4 the
 * hashed password of a new user. */
enum auth_field { AUTH_F_1 = 1, AUTH_F_2 = 2, AUTH_F_3 = 3, AUTH_F_4 = 4 };
enum options_field { OPTIONS_F_NO_PASSWORD = 1 };
enum perm_field { PERM_F_TYPE = 1, PERM_F_KEY = 2, PERM_F_END = 3 };
enum member_field { MEMBER_F_ID = 1, MEMBER_F_NAME = 2, MEMBER_F_CLIENT_URLS = 4 };

CAIRN_STATIC_ASSERT(REQ_RANGE == 3 && REQ_ALARM == 10 && (int)IRR_F_ALARM == (int)REQ_ALARM,
    "req_type = field");
CAIRN_STATIC_ASSERT(REQ_OP_RANGE == 1 && REQ_OP_TXN == 4, "req_op_type = field");

/*
 * The arena. A TxnRequest's compares, success and failure operations may
 * come in any order, so each TxnRequest is read twice: once to count its
 * three lists, then to fill them, each allocated whole. A nested
 * transaction allocates while its parent's lists are half filled, so the
 * buffer must not move during a decode: before the outermost transaction
 * we reserve what max_ops compares and operations can need at most. Each
 * counted compare takes one struct req_compare; each counted operation
 * one struct req_op and, for a transaction, one struct req_txn (a
 * RequestOp reuses its struct req_txn when a later member replaces an
 * earlier one). A list is allocated only when not empty and a req_txn
 * belongs to one operation, so there are at most two allocations, each
 * padded by less than ARENA_ALIGN, per counted element.
 */
#define ARENA_ALIGN alignof(max_align_t)
#define ARENA_MAX(a, b) ((a) > (b) ? (a) : (b))
#define ARENA_ELEM_BYTES_MAX                                                   \
	(ARENA_MAX(sizeof(struct req_compare),                                     \
	    sizeof(struct req_op) + sizeof(struct req_txn)) + 2 * (ARENA_ALIGN - 1))

/* One decode's state. */
struct dec {
	struct req_arena *a;
	size_t ops;                  /* compares and operations counted so far */
	size_t ops_max;
	const char *why;             /* set with every refusal */
};

/* Reads one field's payload into the message 'm' (or skips it). */
typedef int dec_field_fn(struct dec *, struct pbw_reader *, uint32_t, enum pbw_type,
    void *);

void
req_arena_init(struct req_arena *a)
{
	CAIRN_ASSERT(a != NULL);
	a->buf = NULL;
	a->len = 0;
	a->cap = 0;
}

void
req_arena_free(struct req_arena *a)
{
	CAIRN_ASSERT(a != NULL);
	free(a->buf);
	req_arena_init(a);
}

/* Makes room for a transaction of d->ops_max elements; see above. */
static void
arena_reserve(struct dec *d)
{
	size_t need = d->ops_max * ARENA_ELEM_BYTES_MAX;

	CAIRN_ASSERT(d->a->len == 0);
	if (d->a->cap >= need)
		return;
	d->a->buf = xrealloc(d->a->buf, need);
	d->a->cap = need;
}

/* 'n' elements of 'size' bytes, uninitialised; NULL when n is 0. The
 * reservation guarantees room: running out is a bug here. */
static void *
arena_alloc(struct req_arena *a, size_t n, size_t size)
{
	size_t off;

	if (n == 0)
		return NULL;
	off = (a->len + ARENA_ALIGN - 1) & ~(ARENA_ALIGN - 1);
	CAIRN_ASSERT(off <= a->cap);
	CAIRN_ASSERT(n <= (a->cap - off) / size);
	a->len = off + n * size;
	return a->buf + off;
}

static int
dec_fail(struct dec *d, const char *why)
{
	d->why = why;
	return CAIRN_EINVAL;
}

/* ---- scalar and bytes fields ------------------------------------------ */

/* gogoproto refuses a known field of the wrong wire type ("proto: wrong
 * wireType"), and so do we, for every field below. */
static int
dec_u64(struct dec *d, struct pbw_reader *r, enum pbw_type type, uint64_t *v)
{
	if (type != PBW_VARINT)
		return dec_fail(d, REQ_WHY_WIRE_TYPE);
	if (pbw_get_varint(r, v) != 0)
		return dec_fail(d, REQ_WHY_PROTOBUF);
	return 0;
}

/* int64 is a plain varint holding the two's complement value. */
static int
dec_i64(struct dec *d, struct pbw_reader *r, enum pbw_type type, int64_t *v)
{
	uint64_t u;
	int rc;

	if ((rc = dec_u64(d, r, type, &u)) != 0)
		return rc;
	*v = (int64_t)u;
	return 0;
}

static int
dec_bool(struct dec *d, struct pbw_reader *r, enum pbw_type type, bool *v)
{
	uint64_t u;
	int rc;

	if ((rc = dec_u64(d, r, type, &u)) != 0)
		return rc;
	*v = u != 0;
	return 0;
}

/* An enum of values 0..max. etcd keeps a value it does not know (gogo
 * even truncates it to int32 first), but stored could not act on one. */
static int
dec_enum(struct dec *d, struct pbw_reader *r, enum pbw_type type, uint32_t max,
    uint32_t *v)
{
	uint64_t u;
	int rc;

	if ((rc = dec_u64(d, r, type, &u)) != 0)
		return rc;
	if (u > max)
		return dec_fail(d, REQ_WHY_ENUM);
	*v = (uint32_t)u;
	return 0;
}

/* A length-delimited payload (bytes or an embedded message), borrowed. */
static int
dec_len(struct dec *d, struct pbw_reader *r, enum pbw_type type, const uint8_t **p,
    size_t *n)
{
	if (type != PBW_LEN)
		return dec_fail(d, REQ_WHY_WIRE_TYPE);
	if (pbw_get_bytes(r, p, n) != 0)
		return dec_fail(d, REQ_WHY_PROTOBUF);
	return 0;
}

static int
dec_bytes(struct dec *d, struct pbw_reader *r, enum pbw_type type, struct req_bytes *b)
{
	const uint8_t *p;
	size_t n;
	int rc;

	if ((rc = dec_len(d, r, type, &p, &n)) != 0)
		return rc;
	if ((uint64_t)n > UINT32_MAX)
		return dec_fail(d, REQ_WHY_BYTES_LONG);
	b->p = p;
	b->n = (uint32_t)n;
	return 0;
}

/* An unknown field: skipped, as protobuf requires. */
static int
dec_skip(struct dec *d, struct pbw_reader *r, enum pbw_type type)
{
	if (pbw_skip(r, type) != 0)
		return dec_fail(d, REQ_WHY_PROTOBUF);
	return 0;
}

/* Reads the message p[0..n) field by field through 'fn'. Fields may come
 * in any order; a scalar or bytes field given twice keeps the last. */
static int
dec_fields(struct dec *d, const uint8_t *p, size_t n, dec_field_fn *fn, void *m)
{
	struct pbw_reader r = {.buf = p, .len = n, .off = 0};
	enum pbw_type type;
	uint32_t field;
	int rc;

	while (r.off < r.len) {
		if (pbw_get_tag(&r, &field, &type) != 0)
			return dec_fail(d, REQ_WHY_PROTOBUF);
		if ((rc = fn(d, &r, field, type, m)) != 0)
			return rc;
	}
	return 0;
}

/* ---- Range, Put, DeleteRange, Compare ---------------------------------- */

static int
range_field(struct dec *d, struct pbw_reader *r, uint32_t field, enum pbw_type type,
    void *m)
{
	struct req_range *q = m;

	switch (field) {
	case RANGE_F_KEY:
		return dec_bytes(d, r, type, &q->key);
	case RANGE_F_END:
		return dec_bytes(d, r, type, &q->end);
	case RANGE_F_LIMIT:
		return dec_i64(d, r, type, &q->limit);
	case RANGE_F_REV:
		return dec_i64(d, r, type, &q->rev);
	case RANGE_F_SORT_ORDER:
		return dec_enum(d, r, type, REQ_SORT_DESCEND, &q->sort_order);
	case RANGE_F_SORT_TARGET:
		return dec_enum(d, r, type, REQ_TARGET_VALUE, &q->sort_target);
	case RANGE_F_SERIALIZABLE:
		return dec_bool(d, r, type, &q->serializable);
	case RANGE_F_KEYS_ONLY:
		return dec_bool(d, r, type, &q->keys_only);
	case RANGE_F_COUNT_ONLY:
		return dec_bool(d, r, type, &q->count_only);
	case RANGE_F_MIN_MOD:
		return dec_i64(d, r, type, &q->min_mod);
	case RANGE_F_MAX_MOD:
		return dec_i64(d, r, type, &q->max_mod);
	case RANGE_F_MIN_CREATE:
		return dec_i64(d, r, type, &q->min_create);
	case RANGE_F_MAX_CREATE:
		return dec_i64(d, r, type, &q->max_create);
	default:
		return dec_skip(d, r, type);
	}
}

static int
put_field(struct dec *d, struct pbw_reader *r, uint32_t field, enum pbw_type type,
    void *m)
{
	struct req_put *q = m;

	switch (field) {
	case PUT_F_KEY:
		return dec_bytes(d, r, type, &q->key);
	case PUT_F_VALUE:
		return dec_bytes(d, r, type, &q->value);
	case PUT_F_LEASE:
		return dec_i64(d, r, type, &q->lease);
	case PUT_F_PREV_KV:
		return dec_bool(d, r, type, &q->prev_kv);
	case PUT_F_IGNORE_VALUE:
		return dec_bool(d, r, type, &q->ignore_value);
	case PUT_F_IGNORE_LEASE:
		return dec_bool(d, r, type, &q->ignore_lease);
	default:
		return dec_skip(d, r, type);
	}
}

static int
del_field(struct dec *d, struct pbw_reader *r, uint32_t field, enum pbw_type type,
    void *m)
{
	struct req_delete *q = m;

	switch (field) {
	case DEL_F_KEY:
		return dec_bytes(d, r, type, &q->key);
	case DEL_F_END:
		return dec_bytes(d, r, type, &q->end);
	case DEL_F_PREV_KV:
		return dec_bool(d, r, type, &q->prev_kv);
	default:
		return dec_skip(d, r, type);
	}
}

/* Compare.target_union is a oneof: a member replaces any earlier one, so
 * the others read 0 or empty again (gogo: m.TargetUnion = &Compare_X{v}). */
static void
cmp_union_clear(struct req_compare *c)
{
	c->version = 0;
	c->create_rev = 0;
	c->mod_rev = 0;
	c->lease = 0;
	c->value = (struct req_bytes){.p = NULL, .n = 0};
}

static int
cmp_union_i64(struct dec *d, struct pbw_reader *r, enum pbw_type type,
    struct req_compare *c, int64_t *member)
{
	int64_t v;
	int rc;

	if ((rc = dec_i64(d, r, type, &v)) != 0)
		return rc;
	cmp_union_clear(c);
	*member = v;
	return 0;
}

static int
cmp_field(struct dec *d, struct pbw_reader *r, uint32_t field, enum pbw_type type,
    void *m)
{
	struct req_compare *c = m;
	struct req_bytes v;
	int rc;

	switch (field) {
	case CMP_F_RESULT:
		return dec_enum(d, r, type, REQ_CMP_NOT_EQUAL, &c->result);
	case CMP_F_TARGET:
		return dec_enum(d, r, type, REQ_CMP_LEASE, &c->target);
	case CMP_F_KEY:
		return dec_bytes(d, r, type, &c->key);
	case CMP_F_END:
		return dec_bytes(d, r, type, &c->end);
	case CMP_F_VERSION:
		return cmp_union_i64(d, r, type, c, &c->version);
	case CMP_F_CREATE_REV:
		return cmp_union_i64(d, r, type, c, &c->create_rev);
	case CMP_F_MOD_REV:
		return cmp_union_i64(d, r, type, c, &c->mod_rev);
	case CMP_F_LEASE:
		return cmp_union_i64(d, r, type, c, &c->lease);
	case CMP_F_VALUE:
		if ((rc = dec_bytes(d, r, type, &v)) != 0)
			return rc;
		cmp_union_clear(c);
		c->value = v;
		return 0;
	default:
		return dec_skip(d, r, type);
	}
}

/* ---- TxnRequest and RequestOp ------------------------------------------ */

static int dec_txn(struct dec *d, const uint8_t *p, size_t n, unsigned depth,
    struct req_txn *t);

/*
 * RequestOp is a oneof: a later member replaces an earlier one, the same
 * member included. That is etcd 3.4's gogo code (a new message for each:
 * m.Request = &RequestOp_RequestPut{v}); protobuf's own rule would merge
 * a repeated member. Every member is decoded, as gogo does, so a replaced
 * one must be valid too, and its compares and operations count against
 * max_ops. 'depth' is that of the transaction holding this operation.
 */
static int
op_member(struct dec *d, uint32_t field, const uint8_t *p, size_t n, unsigned depth,
    struct req_op *op, struct req_txn **txn)
{
	memset(op, 0, sizeof(*op));
	op->type = (enum req_op_type)field;
	switch (op->type) {
	case REQ_OP_RANGE:
		return dec_fields(d, p, n, range_field, &op->u.range);
	case REQ_OP_PUT:
		return dec_fields(d, p, n, put_field, &op->u.put);
	case REQ_OP_DELETE:
		return dec_fields(d, p, n, del_field, &op->u.del);
	case REQ_OP_TXN:
		if (*txn == NULL)
			*txn = arena_alloc(d->a, 1, sizeof(**txn));
		op->u.txn = *txn;
		return dec_txn(d, p, n, depth + 1, *txn);
	}
	CAIRN_ASSERT(!"op_member: not a RequestOp member");
	return CAIRN_EINVAL;
}

static int
dec_op(struct dec *d, const uint8_t *p, size_t n, unsigned depth, struct req_op *op)
{
	struct pbw_reader r = {.buf = p, .len = n, .off = 0};
	struct req_txn *txn = NULL;
	const uint8_t *mp;
	enum pbw_type type;
	uint32_t field;
	size_t mn;
	int rc;

	memset(op, 0, sizeof(*op));      /* type 0: no member yet */
	while (r.off < r.len) {
		if (pbw_get_tag(&r, &field, &type) != 0)
			return dec_fail(d, REQ_WHY_PROTOBUF);
		if (field < REQ_OP_RANGE || field > REQ_OP_TXN)
			rc = dec_skip(d, &r, type);
		else if ((rc = dec_len(d, &r, type, &mp, &mn)) == 0)
			rc = op_member(d, field, mp, mn, depth, op, &txn);
		if (rc != 0)
			return rc;
	}
	if (op->type == 0)
		return dec_fail(d, REQ_WHY_EMPTY_OP);
	return 0;
}

/* First pass over a TxnRequest: counts its compares, success and failure
 * operations (count[field - 1]) and checks their framing. */
static int
txn_count(struct dec *d, const uint8_t *p, size_t n, size_t count[3])
{
	struct pbw_reader r = {.buf = p, .len = n, .off = 0};
	const uint8_t *mp;
	enum pbw_type type;
	uint32_t field;
	size_t mn;
	int rc;

	while (r.off < r.len) {
		if (pbw_get_tag(&r, &field, &type) != 0)
			return dec_fail(d, REQ_WHY_PROTOBUF);
		if (field >= TXN_F_COMPARE && field <= TXN_F_FAILURE) {
			rc = dec_len(d, &r, type, &mp, &mn);
			count[field - 1]++;
		} else {
			rc = dec_skip(d, &r, type);
		}
		if (rc != 0)
			return rc;
	}
	return 0;
}

/* Second pass: decodes one compare or operation into the next free slot. */
static int
txn_element(struct dec *d, uint32_t field, const uint8_t *p, size_t n, unsigned depth,
    struct req_txn *t, const size_t count[3])
{
	struct req_compare *c;

	switch (field) {
	case TXN_F_COMPARE:
		CAIRN_ASSERT(t->ncmp < count[0]);
		c = &t->cmp[t->ncmp++];
		memset(c, 0, sizeof(*c));
		return dec_fields(d, p, n, cmp_field, c);
	case TXN_F_SUCCESS:
		CAIRN_ASSERT(t->nsuccess < count[1]);
		return dec_op(d, p, n, depth, &t->success[t->nsuccess++]);
	case TXN_F_FAILURE:
		CAIRN_ASSERT(t->nfailure < count[2]);
		return dec_op(d, p, n, depth, &t->failure[t->nfailure++]);
	}
	CAIRN_ASSERT(!"txn_element: not a list of TxnRequest");
	return CAIRN_EINVAL;
}

/* A TxnRequest at nesting 'depth' (the outermost is 1). etcd checks
 * --max-txn-ops per list and level; here all levels share one budget. */
static int
dec_txn(struct dec *d, const uint8_t *p, size_t n, unsigned depth, struct req_txn *t)
{
	struct pbw_reader r = {.buf = p, .len = n, .off = 0};
	size_t count[3] = {0, 0, 0}, total;
	const uint8_t *mp;
	enum pbw_type type;
	uint32_t field;
	size_t mn;
	int rc;

	if (depth > REQ_TXN_DEPTH_MAX)
		return dec_fail(d, REQ_WHY_TOO_DEEP);
	if ((rc = txn_count(d, p, n, count)) != 0)
		return rc;
	total = count[0] + count[1] + count[2];
	CAIRN_ASSERT(d->ops <= d->ops_max);
	if (total > d->ops_max - d->ops)
		return dec_fail(d, REQ_WHY_TOO_MANY_OPS);
	d->ops += total;
	memset(t, 0, sizeof(*t));
	t->cmp = arena_alloc(d->a, count[0], sizeof(*t->cmp));
	t->success = arena_alloc(d->a, count[1], sizeof(*t->success));
	t->failure = arena_alloc(d->a, count[2], sizeof(*t->failure));
	while (r.off < r.len) {
		/* The first pass checked the framing read again here. */
		if (pbw_get_tag(&r, &field, &type) != 0)
			return dec_fail(d, REQ_WHY_PROTOBUF);
		if (field >= TXN_F_COMPARE && field <= TXN_F_FAILURE) {
			if ((rc = dec_len(d, &r, type, &mp, &mn)) == 0)
				rc = txn_element(d, field, mp, mn, depth, t, count);
		} else {
			rc = dec_skip(d, &r, type);
		}
		if (rc != 0)
			return rc;
	}
	CAIRN_ASSERT(t->ncmp == count[0]);
	CAIRN_ASSERT(t->nsuccess == count[1]);
	CAIRN_ASSERT(t->nfailure == count[2]);
	return 0;
}

/* ---- InternalRaftRequest ------------------------------------------------ */

/* The top level as it is read. */
struct irr {
	struct req req;
	uint64_t id;                 /* InternalRaftRequest.ID */
	uint64_t header_id;          /* header.ID */
	bool header_seen;
	uint32_t request;            /* the request's field number; 0: none yet */
};

static int
hdr_field(struct dec *d, struct pbw_reader *r, uint32_t field, enum pbw_type type,
    void *m)
{
	struct irr *x = m;

	switch (field) {
	case HDR_F_ID:
		return dec_u64(d, r, type, &x->header_id);
	case HDR_F_USERNAME:
		/* gogo does not check a string's UTF-8; nor do we. */
		return dec_bytes(d, r, type, &x->req.username);
	case HDR_F_AUTH_REVISION:
		return dec_u64(d, r, type, &x->req.auth_revision);
	default:
		return dec_skip(d, r, type);
	}
}

/* Compaction, LeaseGrant, LeaseRevoke and Alarm: their structs have no tag, so
 * these take the whole struct req. */
static int
small_field(struct dec *d, struct pbw_reader *r, uint32_t field, enum pbw_type type,
    void *m)
{
	struct req *q = m;

	if (q->type == REQ_COMPACTION && field == COMPACTION_F_REV)
		return dec_i64(d, r, type, &q->u.compaction.rev);
	if (q->type == REQ_COMPACTION && field == COMPACTION_F_PHYSICAL)
		return dec_bool(d, r, type, &q->u.compaction.physical);
	if (q->type == REQ_LEASE_GRANT && field == GRANT_F_TTL)
		return dec_i64(d, r, type, &q->u.grant.ttl);
	if (q->type == REQ_LEASE_GRANT && field == GRANT_F_ID)
		return dec_i64(d, r, type, &q->u.grant.id);
	if (q->type == REQ_LEASE_REVOKE && field == REVOKE_F_ID)
		return dec_i64(d, r, type, &q->u.revoke.id);
	if (q->type == REQ_ALARM && field == ALARM_F_ACTION)
		return dec_enum(d, r, type, REQ_ALARM_DEACTIVATE, &q->u.alarm.action);
	if (q->type == REQ_ALARM && field == ALARM_F_MEMBER)
		return dec_u64(d, r, type, &q->u.alarm.member_id);
	if (q->type == REQ_ALARM && field == ALARM_F_ALARM)
		return dec_enum(d, r, type, REQ_ALARM_CORRUPT, &q->u.alarm.alarm);
	return dec_skip(d, r, type);
}

static int
options_field(struct dec *d, struct pbw_reader *r, uint32_t field, enum pbw_type type,
    void *m)
{
	struct req_auth *x = m;

	if (field == OPTIONS_F_NO_PASSWORD)
		return dec_bool(d, r, type, &x->no_password);
	return dec_skip(d, r, type);
}

static int
perm_field(struct dec *d, struct pbw_reader *r, uint32_t field, enum pbw_type type,
    void *m)
{
	struct req_auth *x = m;
	uint64_t v;
	int rc;

	switch (field) {
	case PERM_F_TYPE:
		/* Any value, as gogo takes it: etcd's checks ignore unknown ones. */
		if ((rc = dec_u64(d, r, type, &v)) == 0)
			x->perm_type = (uint32_t)v;
		return rc;
	case PERM_F_KEY:
		return dec_bytes(d, r, type, &x->key);
	case PERM_F_END:
		return dec_bytes(d, r, type, &x->end);
	default:
		return dec_skip(d, r, type);
	}
}

/* An embedded message of an auth request: decoded into the same struct,
 * so that one given twice is merged, as protobuf merges it. */
static int
auth_message(struct dec *d, struct pbw_reader *r, enum pbw_type type, dec_field_fn *fn,
    struct req_auth *x)
{
	const uint8_t *p;
	size_t n;
	int rc;

	if ((rc = dec_len(d, r, type, &p, &n)) != 0)
		return rc;
	return dec_fields(d, p, n, fn, x);
}

static int
auth_field(struct dec *d, struct pbw_reader *r, uint32_t field, enum pbw_type type, void *m)
{
	struct req *q = m;
	struct req_auth *x = &q->u.auth;
	enum req_type t = q->type;

	if (field == AUTH_F_1 && t != REQ_AUTH_ENABLE && t != REQ_AUTH_DISABLE &&
	    t != REQ_USER_LIST && t != REQ_ROLE_LIST)
		return dec_bytes(d, r, type, &x->name);
	if (field == AUTH_F_2 && (t == REQ_AUTHENTICATE || t == REQ_USER_ADD ||
	    t == REQ_USER_PASSWD))
		return dec_bytes(d, r, type, &x->password);
	if (field == AUTH_F_2 && (t == REQ_USER_GRANT || t == REQ_USER_REVOKE))
		return dec_bytes(d, r, type, &x->role);
	if (field == AUTH_F_2 && t == REQ_ROLE_GRANT)
		return auth_message(d, r, type, perm_field, x);
	if (field == AUTH_F_2 && t == REQ_ROLE_REVOKE)
		return dec_bytes(d, r, type, &x->key);
	if (field == AUTH_F_3 && t == REQ_AUTHENTICATE)
		return dec_bytes(d, r, type, &x->token);
	if (field == AUTH_F_3 && t == REQ_USER_ADD)
		return auth_message(d, r, type, options_field, x);
	if (field == AUTH_F_3 && t == REQ_USER_PASSWD)
		return dec_bytes(d, r, type, &x->hashed);
	if (field == AUTH_F_3 && t == REQ_ROLE_REVOKE)
		return dec_bytes(d, r, type, &x->end);
	if (field == AUTH_F_4 && t == REQ_USER_ADD)
		return dec_bytes(d, r, type, &x->hashed);
	return dec_skip(d, r, type);
}

/* REQ_MEMBER_ATTR's Member: ID, name, clientURLs. */
static int
member_field(struct dec *d, struct pbw_reader *r, uint32_t field, enum pbw_type type, void *m)
{
	struct req_member_attr *x = m;

	if (field == MEMBER_F_ID)
		return dec_u64(d, r, type, &x->id);
	if (field == MEMBER_F_NAME)
		return dec_bytes(d, r, type, &x->name);
	if (field != MEMBER_F_CLIENT_URLS)
		return dec_skip(d, r, type);
	if (x->nurls == REQ_MEMBER_URLS_MAX)
		return dec_fail(d, REQ_WHY_TOO_MANY_URLS);
	return dec_bytes(d, r, type, &x->urls[x->nurls++]);
}

static bool
req_type_auth(uint32_t field)
{
	switch (field) {
	case REQ_AUTH_ENABLE: case REQ_AUTH_DISABLE: case REQ_AUTHENTICATE:
	case REQ_USER_ADD: case REQ_USER_DELETE: case REQ_USER_GET: case REQ_USER_PASSWD:
	case REQ_USER_GRANT: case REQ_USER_REVOKE: case REQ_USER_LIST: case REQ_ROLE_LIST:
	case REQ_ROLE_ADD: case REQ_ROLE_DELETE: case REQ_ROLE_GET: case REQ_ROLE_GRANT:
	case REQ_ROLE_REVOKE:
		return true;
	default:
		return false;
	}
}

static int
irr_request(struct dec *d, const uint8_t *p, size_t n, struct req *q)
{
	if (req_type_auth(q->type))
		return dec_fields(d, p, n, auth_field, q);
	switch (q->type) {
	case REQ_RANGE:
		return dec_fields(d, p, n, range_field, &q->u.range);
	case REQ_PUT:
		return dec_fields(d, p, n, put_field, &q->u.put);
	case REQ_DELETE:
		return dec_fields(d, p, n, del_field, &q->u.del);
	case REQ_TXN:
		arena_reserve(d);
		return dec_txn(d, p, n, 1, &q->u.txn);
	case REQ_COMPACTION:
	case REQ_LEASE_GRANT:
	case REQ_LEASE_REVOKE:
	case REQ_ALARM:
		return dec_fields(d, p, n, small_field, q);
	case REQ_MEMBER_ATTR:
		return dec_fields(d, p, n, member_field, &q->u.member);
	default:
		break;
	}
	CAIRN_ASSERT(!"irr_request: not a request type");
	return CAIRN_EINVAL;
}

/*
 * gogo merges an embedded message given twice (header, or the same
 * request); stored refuses it rather than implement merging: etcd never
 * writes one twice. Two different requests: etcd would apply the first in
 * its own order of checks; stored refuses them too.
 */
static int
irr_field(struct dec *d, struct pbw_reader *r, uint32_t field, enum pbw_type type,
    void *m)
{
	struct irr *x = m;
	const uint8_t *p;
	size_t n;
	int rc;

	if (field == IRR_F_ID)
		return dec_u64(d, r, type, &x->id);
	if (field == IRR_F_V2 || field == IRR_F_LEASE_CHECKPOINT)
		return dec_fail(d, REQ_WHY_NOT_APPLIED);
	if (field != IRR_F_HEADER && (field < REQ_RANGE || field > REQ_ALARM) &&
	    !req_type_auth(field) && field != REQ_MEMBER_ATTR)
		return dec_skip(d, r, type);
	if ((rc = dec_len(d, r, type, &p, &n)) != 0)
		return rc;
	if (field == IRR_F_HEADER) {
		if (x->header_seen)
			return dec_fail(d, REQ_WHY_MSG_TWICE);
		x->header_seen = true;
		return dec_fields(d, p, n, hdr_field, x);
	}
	if (x->request != 0)
		return dec_fail(d, x->request == field ? REQ_WHY_MSG_TWICE : REQ_WHY_TWO_REQUESTS);
	x->request = field;
	x->req.type = (enum req_type)field;
	return irr_request(d, p, n, &x->req);
}

/*
 * Field numbers 2 (etcd's v2 Request) and 11 (lease checkpoints) are
 * requests etcd 3.4 has and stored does not apply: refused, whatever their
 * wire type. Other unknown fields are skipped. On a refusal *out is left alone and the arena holds
 * nothing of use. max_ops above REQ_TXN_OPS_MAX counts as that bound.
 */
int
req_decode(const uint8_t *buf, size_t len, uint32_t max_ops, struct req_arena *a,
    struct req *out, const char **why)
{
	struct dec d = {.a = a, .ops = 0, .why = NULL};
	struct irr x;
	int rc;

	CAIRN_ASSERT(buf != NULL || len == 0);
	CAIRN_ASSERT(a != NULL);
	CAIRN_ASSERT(out != NULL);
	CAIRN_ASSERT(why != NULL);
	d.ops_max = max_ops < REQ_TXN_OPS_MAX ? max_ops : REQ_TXN_OPS_MAX;
	memset(&x, 0, sizeof(x));
	a->len = 0;
	if ((rc = dec_fields(&d, buf, len, irr_field, &x)) != 0) {
		*why = d.why;
		return rc;
	}
	if (x.request == 0) {
		*why = REQ_WHY_NO_REQUEST;
		return CAIRN_EINVAL;
	}
	/* etcd 3.4 applyEntryNormal: id := raftReq.ID; if id == 0 { id =
	 * raftReq.Header.ID }. An ID written as 0 is absent, as in proto3. */
	x.req.id = x.id != 0 ? x.id : x.header_id;
	*out = x.req;
	return 0;
}
