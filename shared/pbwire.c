/*
 * All processes: protobuf varints, tags and field skipping (pbwire.h).
 * The refusals follow Go's protowire, which etcd's peers and clients use.
 */
#include <string.h>

#include "shared/assert.h"
#include "shared/err.h"
#include "shared/le.h"
#include "shared/pbwire.h"

size_t
pbw_varint_len(uint64_t v)
{
	size_t n = 1;

	while (v >= 0x80) {
		v >>= 7;
		n++;
	}
	return n;
}

size_t
pbw_put_varint(uint8_t *p, uint64_t v)
{
	size_t n = 0;

	CAIRN_ASSERT(p != NULL);
	while (v >= 0x80) {
		p[n++] = (uint8_t)(v | 0x80);
		v >>= 7;
	}
	p[n++] = (uint8_t)v;
	return n;
}

int
pbw_get_varint(struct pbw_reader *r, uint64_t *v)
{
	size_t left;
	uint64_t x = 0;

	CAIRN_ASSERT(r->off <= r->len);
	left = r->len - r->off;
	for (size_t i = 0; i < PBW_VARINT_BYTES_MAX && i < left; i++) {
		uint8_t b = r->buf[r->off + i];

		x |= (uint64_t)(b & 0x7f) << (7 * i);
		if (b & 0x80)
			continue;
		/* The tenth byte has room for bit 63 only. */
		if (i == PBW_VARINT_BYTES_MAX - 1 && b > 1)
			return CAIRN_ECORRUPT;
		r->off += i + 1;
		*v = x;
		return 0;
	}
	return CAIRN_ECORRUPT;
}

int
pbw_get_tag(struct pbw_reader *r, uint32_t *field, enum pbw_type *type)
{
	struct pbw_reader at = *r;
	uint64_t t;
	int rc;

	/* As the other readers: a refusal leaves r where it was. */
	if ((rc = pbw_get_varint(&at, &t)) != 0)
		return rc;
	if ((t >> 3) == 0 || (t >> 3) > PBW_FIELD_MAX)
		return CAIRN_ECORRUPT;
	switch (t & 7) {
	case PBW_VARINT:
	case PBW_I64:
	case PBW_LEN:
	case PBW_I32:
		*field = (uint32_t)(t >> 3);
		*type = (enum pbw_type)(t & 7);
		r->off = at.off;
		return 0;
	default:
		return CAIRN_ECORRUPT;
	}
}

int
pbw_get_bytes(struct pbw_reader *r, const uint8_t **data, size_t *n)
{
	struct pbw_reader at = *r;
	uint64_t len;
	int rc;

	if ((rc = pbw_get_varint(&at, &len)) != 0)
		return rc;
	if (len > at.len - at.off)
		return CAIRN_ECORRUPT;
	*data = at.buf + at.off;
	*n = (size_t)len;
	r->off = at.off + (size_t)len;
	return 0;
}

/* Moves past 'n' fixed-width bytes. */
static int
pbw_skip_fixed(struct pbw_reader *r, size_t n)
{
	CAIRN_ASSERT(r->off <= r->len);
	if (n > r->len - r->off)
		return CAIRN_ECORRUPT;
	r->off += n;
	return 0;
}

int
pbw_skip(struct pbw_reader *r, enum pbw_type type)
{
	uint64_t v;
	const uint8_t *d;
	size_t n;

	switch (type) {
	case PBW_VARINT:
		return pbw_get_varint(r, &v);
	case PBW_I64:
		return pbw_skip_fixed(r, 8);
	case PBW_LEN:
		return pbw_get_bytes(r, &d, &n);
	case PBW_I32:
		return pbw_skip_fixed(r, 4);
	}
	return CAIRN_ECORRUPT;
}

int
pbw_next(struct pbw_reader *r, struct pbw_field *f)
{
	size_t at;
	int rc;

	if (r->off == r->len)
		return 0;
	if ((rc = pbw_get_tag(r, &f->number, &f->type)) != 0)
		return rc;
	at = r->off;
	if (f->type == PBW_VARINT)
		rc = pbw_get_varint(r, &f->v);
	else if (f->type == PBW_LEN)
		rc = pbw_get_bytes(r, &f->p, &f->n);
	else
		rc = pbw_skip(r, f->type);
	if (rc != 0)
		return rc;
	if (f->type == PBW_I32)
		f->v = le_get32(r->buf + at);
	else if (f->type == PBW_I64)
		f->v = le_get64(r->buf + at);
	return 1;
}

size_t
pbw_put_varints(uint8_t *p, const uint64_t *v, uint32_t n)
{
	size_t len = 0;

	for (uint32_t f = 0; f < n; f++) {
		if (v[f] == 0)
			continue;
		len += pbw_put_varint(p + len, PBW_TAG(f + 1, PBW_VARINT));
		len += pbw_put_varint(p + len, v[f]);
	}
	return len;
}

int
pbw_get_varints(const uint8_t *p, size_t len, uint64_t *v, uint32_t n)
{
	struct pbw_reader r = {.buf = p, .len = len};

	memset(v, 0, n * sizeof(*v));
	while (r.off < r.len) {
		uint32_t field;
		enum pbw_type type;
		uint64_t x;
		int rc = pbw_get_tag(&r, &field, &type);

		if (rc == 0 && (type != PBW_VARINT || field > n))
			rc = pbw_skip(&r, type);
		else if (rc == 0 && (rc = pbw_get_varint(&r, &x)) == 0)
			v[field - 1] = x;
		if (rc != 0)
			return rc;
	}
	return 0;
}
