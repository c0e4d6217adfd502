/*
 * netd: protobuf answers as JSON, as etcd 3.4's gateway writes them
 * (golang/protobuf jsonpb, OrigName, EmitDefaults off). A message is read
 * twice: once to check every tag and wire type, so that a malformed one
 * leaves nothing half-written, then field by field in declaration order.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <event2/buffer.h>

#include "netd/gw_json.h"
#include "shared/err.h"
#include "shared/le.h"
#include "shared/log.h"
#include "shared/pbwire.h"

static int gwo_message(const struct pbs_schema *sc, const struct pbs_message *m,
    const uint8_t *pb, size_t len, struct evbuffer *out, int depth);

/* Every tag of pb readable and every known field of the wire type its
 * kind takes (or packed, for a repeated scalar). */
static int
gwo_check(const struct pbs_message *m, const uint8_t *pb, size_t len)
{
	struct pbw_reader r = {.buf = pb, .len = len};
	struct pbw_field it;
	int rc;

	while ((rc = pbw_next(&r, &it)) == 1) {
		const struct pbs_field *f = pbs_field_find(m, it.number);
		enum pbw_type want;

		if (f == NULL)
			continue;
		if (f->kind == PBS_FLOAT || f->kind == PBS_DOUBLE)
			return CAIRN_EINVAL;
		want = pbs_wire_type(f->kind);
		if (it.type != want && !(f->repeated && want != PBW_LEN && it.type == PBW_LEN))
			return CAIRN_ECORRUPT;
	}
	return rc;
}

static bool
gwo_zero(const struct pbw_field *it)
{
	return it->type == PBW_LEN ? it->n == 0 : it->v == 0;
}

static void
gwo_base64(struct evbuffer *out, const uint8_t *p, size_t n)
{
	static const char digits[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	char q[4];

	evbuffer_add(out, "\"", 1);
	for (size_t i = 0; i < n; i += 3) {
		uint32_t v = (uint32_t)p[i] << 16;

		if (i + 1 < n)
			v |= (uint32_t)p[i + 1] << 8;
		if (i + 2 < n)
			v |= p[i + 2];
		q[0] = digits[v >> 18];
		q[1] = digits[(v >> 12) & 63];
		q[2] = i + 1 < n ? digits[(v >> 6) & 63] : '=';
		q[3] = i + 2 < n ? digits[v & 63] : '=';
		evbuffer_add(out, q, 4);
	}
	evbuffer_add(out, "\"", 1);
}

/* One value of field f (not a packed run). */
static int
gwo_value(const struct pbs_schema *sc, const struct pbs_field *f, const struct pbw_field *it,
    struct evbuffer *out, int depth)
{
	uint64_t v = it->v;
	const char *name;

	switch (f->kind) {
	case PBS_INT32: case PBS_SFIXED32:
		evbuffer_add_printf(out, "%" PRId32, (int32_t)(uint32_t)v);
		return 0;
	case PBS_UINT32: case PBS_FIXED32:
		evbuffer_add_printf(out, "%" PRIu32, (uint32_t)v);
		return 0;
	case PBS_SINT32:
		evbuffer_add_printf(out, "%" PRId32,
		    (int32_t)((uint32_t)v >> 1) ^ -(int32_t)(v & 1));
		return 0;
	case PBS_INT64: case PBS_SFIXED64:
		evbuffer_add_printf(out, "\"%" PRId64 "\"", (int64_t)v);
		return 0;
	case PBS_UINT64: case PBS_FIXED64:
		evbuffer_add_printf(out, "\"%" PRIu64 "\"", v);
		return 0;
	case PBS_SINT64:
		evbuffer_add_printf(out, "\"%" PRId64 "\"", (int64_t)(v >> 1) ^ -(int64_t)(v & 1));
		return 0;
	case PBS_BOOL:
		evbuffer_add_printf(out, "%s", v != 0 ? "true" : "false");
		return 0;
	case PBS_ENUM:
		name = pbs_enum_name(&sc->enums[f->type], (int32_t)(uint32_t)v);
		if (name != NULL)
			evbuffer_add_printf(out, "\"%s\"", name);
		else
			evbuffer_add_printf(out, "%" PRId32, (int32_t)(uint32_t)v);
		return 0;
	case PBS_STRING:
		gwj_string(out, (const char *)it->p, it->n);
		return 0;
	case PBS_BYTES:
		gwo_base64(out, it->p, it->n);
		return 0;
	case PBS_MESSAGE:
		return gwo_message(sc, &sc->messages[f->type], it->p, it->n, out, depth + 1);
	default:
		return CAIRN_EINVAL; /* floats: refused by gwo_check */
	}
}

/* A packed run of scalars, each as gwo_value writes it. */
static int
gwo_packed(const struct pbs_schema *sc, const struct pbs_field *f, const struct pbw_field *run,
    struct evbuffer *out, bool *first)
{
	struct pbw_reader r = {.buf = run->p, .len = run->n};
	struct pbw_field it = {.type = pbs_wire_type(f->kind)};
	size_t width = it.type == PBW_I32 ? 4 : 8;

	while (r.off < r.len) {
		if (it.type == PBW_VARINT) {
			if (pbw_get_varint(&r, &it.v) != 0)
				return CAIRN_ECORRUPT;
		} else {
			if (r.len - r.off < width)
				return CAIRN_ECORRUPT;
			it.v = width == 4 ? le_get32(r.buf + r.off) : le_get64(r.buf + r.off);
			r.off += width;
		}
		if (!*first)
			evbuffer_add(out, ",", 1);
		*first = false;
		gwo_value(sc, f, &it, out, 0);
	}
	return 0;
}

/* A repeated field: "name":[...], or nothing when it has no element. */
static int
gwo_repeated(const struct pbs_schema *sc, const struct pbs_field *f, const uint8_t *pb,
    size_t len, struct evbuffer *out, bool *any, int depth)
{
	struct pbw_reader r = {.buf = pb, .len = len};
	struct evbuffer *items = evbuffer_new();
	struct pbw_field it;
	bool first = true, packable = pbs_wire_type(f->kind) != PBW_LEN;
	int rc;

	if (items == NULL)
		fatalx("evbuffer_new");
	while ((rc = pbw_next(&r, &it)) == 1) {
		if (it.number != f->number)
			continue;
		if (packable && it.type == PBW_LEN) {
			rc = gwo_packed(sc, f, &it, items, &first);
		} else {
			if (!first)
				evbuffer_add(items, ",", 1);
			first = false;
			rc = gwo_value(sc, f, &it, items, depth);
		}
		if (rc != 0)
			break;
	}
	if (rc == 0 && !first) {
		evbuffer_add_printf(out, "%s\"%s\":[", *any ? "," : "", f->name);
		evbuffer_add_buffer(out, items);
		evbuffer_add(out, "]", 1);
		*any = true;
	}
	evbuffer_free(items);
	return rc;
}

static int
gwo_message(const struct pbs_schema *sc, const struct pbs_message *m, const uint8_t *pb,
    size_t len, struct evbuffer *out, int depth)
{
	bool any = false;
	int rc;

	if (depth > GWJ_DEPTH_MAX)
		return CAIRN_ECORRUPT;
	if ((rc = gwo_check(m, pb, len)) != 0)
		return rc;
	evbuffer_add(out, "{", 1);
	for (uint16_t k = 0; k < m->nfields; k++) {
		const struct pbs_field *f = &m->fields[k];
		struct pbw_reader r = {.buf = pb, .len = len};
		struct pbw_field it, last;
		bool found = false;

		if (f->repeated) {
			if ((rc = gwo_repeated(sc, f, pb, len, out, &any, depth)) != 0)
				return rc;
			continue;
		}
		/* The last occurrence wins, as protobuf merges scalars. */
		while (pbw_next(&r, &it) == 1) {
			if (it.number == f->number)
				last = it, found = true;
		}
		/* Zero scalars are left out; a message or a oneof member
		 * present on the wire is written, as Go has it set. */
		if (!found || (f->kind != PBS_MESSAGE && f->oneof == PBS_NONE && gwo_zero(&last)))
			continue;
		evbuffer_add_printf(out, "%s\"%s\":", any ? "," : "", f->name);
		any = true;
		if ((rc = gwo_value(sc, f, &last, out, depth)) != 0)
			return rc;
	}
	evbuffer_add(out, "}", 1);
	return 0;
}

int
gwj_to_json(const struct pbs_schema *sc, const struct pbs_message *m, const uint8_t *pb,
    size_t len, struct evbuffer *out)
{
	struct evbuffer *tmp = evbuffer_new();
	int rc;

	if (tmp == NULL)
		fatalx("evbuffer_new");
	rc = gwo_message(sc, m, pb, len, tmp, 1);
	if (rc == 0)
		evbuffer_add_buffer(out, tmp);
	evbuffer_free(tmp);
	return rc;
}

/* The length of the valid UTF-8 sequence at s[0..n) as Go's
 * utf8.DecodeRune accepts it (no overlong forms, no surrogates, nothing
 * past U+10FFFF), or 0; *cp is its code point. */
static size_t
gwo_utf8(const unsigned char *s, size_t n, uint32_t *cp)
{
	size_t len;
	uint32_t c, min;

	if (s[0] < 0x80)
		return *cp = s[0], 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		len = 2, c = s[0] & 0x1f, min = 0x80;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		len = 3, c = s[0] & 0x0f, min = 0x800;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		len = 4, c = s[0] & 0x07, min = 0x10000;
	else
		return 0;
	if (n < len)
		return 0;
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		c = (c << 6) | (s[i] & 0x3f);
	}
	if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
		return 0;
	*cp = c;
	return len;
}

void
gwj_string(struct evbuffer *out, const char *str, size_t n)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t i = 0, plain = 0;

	evbuffer_add(out, "\"", 1);
	while (i < n) {
		uint32_t cp;
		size_t len = gwo_utf8(s + i, n - i, &cp);
		const char *esc = NULL;
		char u[8];

		if (len == 1 && cp >= 0x20 && cp != '"' && cp != '\\' && cp != '<' && cp != '>' &&
		    cp != '&') {
			i++;
			continue;
		}
		if (len > 1 && cp != 0x2028 && cp != 0x2029) {
			i += len;
			continue;
		}
		evbuffer_add(out, s + plain, i - plain);
		if (len == 0)
			esc = "\\ufffd", len = 1;
		else if (cp == '"')
			esc = "\\\"";
		else if (cp == '\\')
			esc = "\\\\";
		else if (cp == '\n')
			esc = "\\n";
		else if (cp == '\r')
			esc = "\\r";
		else if (cp == '\t')
			esc = "\\t";
		else
			snprintf(u, sizeof(u), "\\u%04" PRIx32, cp), esc = u;
		evbuffer_add(out, esc, strlen(esc));
		i += len;
		plain = i;
	}
	evbuffer_add(out, s + plain, n - plain);
	evbuffer_add(out, "\"", 1);
}
