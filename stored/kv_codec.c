/*
 * stored: the mvccpb.KeyValue codec (kv_codec.h). Field numbers are
 * etcd's mvcc/mvccpb/kv.proto.
 */
#include <stdbool.h>
#include <string.h>

#include "shared/assert.h"
#include "shared/err.h"
#include "shared/pbwire.h"
#include "stored/kv_codec.h"

enum kv_field {
	KV_FIELD_KEY = 1,
	KV_FIELD_CREATE_REV = 2,
	KV_FIELD_MOD_REV = 3,
	KV_FIELD_VERSION = 4,
	KV_FIELD_VALUE = 5,
	KV_FIELD_LEASE = 6,
};

/* What an absent key or value points at, so that callers may hand it to
 * memcpy/memcmp with length 0 (a NULL there is undefined behaviour). */
static const uint8_t kv_empty[1];

static size_t
kv_int_len(int64_t v)
{
	return v == 0 ? 0 : 1 + pbw_varint_len((uint64_t)v);
}

static size_t
kv_bytes_len(uint32_t n)
{
	return n == 0 ? 0 : 1 + pbw_varint_len(n) + n;
}

size_t
kv_encoded_len(const struct mvcc_kv *kv)
{
	CAIRN_ASSERT(kv != NULL);
	return kv_bytes_len(kv->key_len) + kv_int_len(kv->create_rev) +
	    kv_int_len(kv->mod_rev) + kv_int_len(kv->version) +
	    kv_bytes_len(kv->value_len) + kv_int_len(kv->lease);
}

/* Tags of fields 1-15 are one byte; the casts below rely on it. */
CAIRN_STATIC_ASSERT(PBW_TAG(KV_FIELD_LEASE, PBW_LEN) < 0x80, "one-byte tags");

static uint8_t *
kv_put_int(uint8_t *p, enum kv_field field, int64_t v)
{
	if (v == 0)
		return p;
	*p++ = (uint8_t)PBW_TAG(field, PBW_VARINT);
	return p + pbw_put_varint(p, (uint64_t)v);
}

static uint8_t *
kv_put_bytes(uint8_t *p, enum kv_field field, const uint8_t *d, uint32_t n)
{
	if (n == 0)
		return p;
	CAIRN_ASSERT(d != NULL);
	*p++ = (uint8_t)PBW_TAG(field, PBW_LEN);
	p += pbw_put_varint(p, n);
	memcpy(p, d, n);
	return p + n;
}

size_t
kv_encode(const struct mvcc_kv *kv, uint8_t *buf)
{
	uint8_t *p = buf;

	CAIRN_ASSERT(kv != NULL);
	CAIRN_ASSERT(buf != NULL);
	p = kv_put_bytes(p, KV_FIELD_KEY, kv->key, kv->key_len);
	p = kv_put_int(p, KV_FIELD_CREATE_REV, kv->create_rev);
	p = kv_put_int(p, KV_FIELD_MOD_REV, kv->mod_rev);
	p = kv_put_int(p, KV_FIELD_VERSION, kv->version);
	p = kv_put_bytes(p, KV_FIELD_VALUE, kv->value, kv->value_len);
	p = kv_put_int(p, KV_FIELD_LEASE, kv->lease);
	CAIRN_ASSERT((size_t)(p - buf) == kv_encoded_len(kv));
	return (size_t)(p - buf);
}

/* Reads key or value: a length-delimited field that must fit uint32_t. */
static int
kv_get_bytes(struct pbw_reader *r, const uint8_t **d, uint32_t *n)
{
	const uint8_t *data;
	size_t len;
	int rc;

	if ((rc = pbw_get_bytes(r, &data, &len)) != 0)
		return rc;
	if (len > UINT32_MAX)
		return CAIRN_ECORRUPT;
	*d = data;
	*n = (uint32_t)len;
	return 0;
}

/* Reads one of the int64 fields: gogoproto's int64 is a plain varint. */
static int
kv_get_int(struct pbw_reader *r, int64_t *v)
{
	uint64_t u;
	int rc;

	if ((rc = pbw_get_varint(r, &u)) != 0)
		return rc;
	*v = (int64_t)u;
	return 0;
}

/* Reads the payload of known field 'field'; gogoproto refuses a known
 * field of the wrong wire type ("proto: wrong wireType"), and so do we. */
static int
kv_get_field(struct pbw_reader *r, enum kv_field field, enum pbw_type type,
    struct mvcc_kv *kv)
{
	bool bytes = field == KV_FIELD_KEY || field == KV_FIELD_VALUE;

	if (type != (bytes ? PBW_LEN : PBW_VARINT))
		return CAIRN_ECORRUPT;
	switch (field) {
	case KV_FIELD_KEY:
		return kv_get_bytes(r, &kv->key, &kv->key_len);
	case KV_FIELD_CREATE_REV:
		return kv_get_int(r, &kv->create_rev);
	case KV_FIELD_MOD_REV:
		return kv_get_int(r, &kv->mod_rev);
	case KV_FIELD_VERSION:
		return kv_get_int(r, &kv->version);
	case KV_FIELD_VALUE:
		return kv_get_bytes(r, &kv->value, &kv->value_len);
	case KV_FIELD_LEASE:
		return kv_get_int(r, &kv->lease);
	}
	CAIRN_ASSERT(!"kv_get_field: not a KeyValue field");
	return CAIRN_ECORRUPT;
}

int
kv_decode(const uint8_t *buf, size_t len, struct mvcc_kv *out)
{
	struct pbw_reader r = {.buf = buf, .len = len, .off = 0};
	struct mvcc_kv kv = {.key = kv_empty, .value = kv_empty};
	enum pbw_type type;
	uint32_t field;
	int rc;

	CAIRN_ASSERT(buf != NULL || len == 0);
	CAIRN_ASSERT(out != NULL);
	while (r.off < r.len) {
		if ((rc = pbw_get_tag(&r, &field, &type)) != 0)
			return rc;
		if (field >= KV_FIELD_KEY && field <= KV_FIELD_LEASE)
			rc = kv_get_field(&r, (enum kv_field)field, type, &kv);
		else
			rc = pbw_skip(&r, type);
		if (rc != 0)
			return rc;
	}
	*out = kv;
	return 0;
}
