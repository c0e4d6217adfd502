/*
 * stored: protobuf output (see pbout.h).
 */
#include <stdlib.h>
#include <string.h>

#include "stored/kv_codec.h"
#include "stored/pbout.h"
#include "shared/pbwire.h"
#include "shared/xmalloc.h"

void
pbout_init(struct pbout *o)
{
	memset(o, 0, sizeof(*o));
}

void
pbout_free(struct pbout *o)
{
	free(o->buf);
	memset(o, 0, sizeof(*o));
}

void
pbout_reset(struct pbout *o)
{
	o->len = 0;
}

uint8_t *
pbout_room(struct pbout *o, size_t n)
{
	if (o->len + n > o->cap) {
		o->cap = (o->len + n) * 2 > 256 ? (o->len + n) * 2 : 256;
		o->buf = xrealloc(o->buf, o->cap);
	}
	return o->buf + o->len;
}

static void
pbout_put_varint(struct pbout *o, uint64_t v)
{
	o->len += pbw_put_varint(pbout_room(o, PBW_VARINT_BYTES_MAX), v);
}

void
pbout_varint(struct pbout *o, uint32_t field, uint64_t v)
{
	if (v == 0)
		return;
	pbout_put_varint(o, PBW_TAG(field, PBW_VARINT));
	pbout_put_varint(o, v);
}

void
pbout_bytes(struct pbout *o, uint32_t field, const void *p, size_t n, bool always)
{
	if (n == 0 && !always)
		return;
	pbout_put_varint(o, PBW_TAG(field, PBW_LEN));
	pbout_put_varint(o, n);
	if (n > 0) {
		memcpy(pbout_room(o, n), p, n);
		o->len += n;
	}
}

void
pbout_kv(struct pbout *o, uint32_t field, const struct mvcc_kv *kv, bool keys_only)
{
	struct mvcc_kv k = *kv;
	size_t n;

	if (keys_only)
		k.value_len = 0;
	n = kv_encoded_len(&k);
	pbout_put_varint(o, PBW_TAG(field, PBW_LEN));
	pbout_put_varint(o, n);
	o->len += kv_encode(&k, pbout_room(o, n));
}

void
pbout_nested(struct pbout *o, uint32_t outer, uint32_t inner, const void *p, size_t n)
{
	uint8_t head[2 * PBW_VARINT_BYTES_MAX];
	size_t hl = pbw_put_varint(head, PBW_TAG(inner, PBW_LEN));

	hl += pbw_put_varint(head + hl, n);
	pbout_put_varint(o, PBW_TAG(outer, PBW_LEN));
	pbout_put_varint(o, hl + n);
	memcpy(pbout_room(o, hl), head, hl);
	o->len += hl;
	if (n > 0) {
		memcpy(pbout_room(o, n), p, n);
		o->len += n;
	}
}
