/*
 * stored: protobuf output (see spb.h).
 */
#include <stdlib.h>
#include <string.h>

#include "stored/kv_codec.h"
#include "stored/spb.h"
#include "shared/pbwire.h"
#include "shared/xmalloc.h"

void
spb_init(struct spb *o)
{
	memset(o, 0, sizeof(*o));
}

void
spb_free(struct spb *o)
{
	free(o->buf);
	memset(o, 0, sizeof(*o));
}

void
spb_reset(struct spb *o)
{
	o->len = 0;
}

uint8_t *
spb_room(struct spb *o, size_t n)
{
	if (o->len + n > o->cap) {
		o->cap = (o->len + n) * 2 > 256 ? (o->len + n) * 2 : 256;
		o->buf = xrealloc(o->buf, o->cap);
	}
	return o->buf + o->len;
}

static void
spb_put_varint(struct spb *o, uint64_t v)
{
	o->len += pbw_put_varint(spb_room(o, PBW_VARINT_BYTES_MAX), v);
}

void
spb_varint(struct spb *o, uint32_t field, uint64_t v)
{
	if (v == 0)
		return;
	spb_put_varint(o, PBW_TAG(field, PBW_VARINT));
	spb_put_varint(o, v);
}

void
spb_bytes(struct spb *o, uint32_t field, const void *p, size_t n, bool always)
{
	if (n == 0 && !always)
		return;
	spb_put_varint(o, PBW_TAG(field, PBW_LEN));
	spb_put_varint(o, n);
	if (n > 0) {
		memcpy(spb_room(o, n), p, n);
		o->len += n;
	}
}

void
spb_kv(struct spb *o, uint32_t field, const struct mvcc_kv *kv, bool keys_only)
{
	struct mvcc_kv k = *kv;
	size_t n;

	if (keys_only)
		k.value_len = 0;
	n = kv_encoded_len(&k);
	spb_put_varint(o, PBW_TAG(field, PBW_LEN));
	spb_put_varint(o, n);
	o->len += kv_encode(&k, spb_room(o, n));
}

void
spb_nested(struct spb *o, uint32_t outer, uint32_t inner, const void *p, size_t n)
{
	uint8_t head[2 * PBW_VARINT_BYTES_MAX];
	size_t hl = pbw_put_varint(head, PBW_TAG(inner, PBW_LEN));

	hl += pbw_put_varint(head + hl, n);
	spb_put_varint(o, PBW_TAG(outer, PBW_LEN));
	spb_put_varint(o, hl + n);
	memcpy(spb_room(o, hl), head, hl);
	o->len += hl;
	if (n > 0) {
		memcpy(spb_room(o, n), p, n);
		o->len += n;
	}
}
