/*
 * All processes: a growing protobuf writer (see pbout.h).
 */
#include <stdlib.h>
#include <string.h>

#include "shared/pbout.h"
#include "shared/pbwire.h"
#include "shared/xmalloc.h"

void
pbout_close(struct pbout *o)
{
	free(o->buf);
	memset(o, 0, sizeof(*o));
}

/* Room for n more bytes. */
static uint8_t *
pbout_room(struct pbout *o, size_t n)
{
	if (o->cap - o->len < n) {
		size_t cap = o->cap > 0 ? o->cap : 64;

		while (cap - o->len < n)
			cap *= 2;
		o->buf = xrealloc(o->buf, cap);
		o->cap = cap;
	}
	return o->buf + o->len;
}

void
pbout_varint(struct pbout *o, uint32_t field, uint64_t v)
{
	uint8_t *p = pbout_room(o, 2 * PBW_VARINT_BYTES_MAX);

	p += pbw_put_varint(p, PBW_TAG(field, PBW_VARINT));
	p += pbw_put_varint(p, v);
	o->len = (size_t)(p - o->buf);
}

void
pbout_bytes(struct pbout *o, uint32_t field, const void *data, size_t n)
{
	uint8_t *p = pbout_room(o, 2 * PBW_VARINT_BYTES_MAX + n);

	p += pbw_put_varint(p, PBW_TAG(field, PBW_LEN));
	p += pbw_put_varint(p, n);
	if (n > 0)
		memcpy(p, data, n);
	o->len = (size_t)(p - o->buf) + n;
}

void
pbout_msg(struct pbout *o, uint32_t field, const struct pbout *m)
{
	pbout_bytes(o, field, m->buf, m->len);
}
