/*
 * cairnctl: protobuf answers as etcdctl 3.4 prints them with -w json,
 * json.Marshal of the structs gogo-protobuf's Unmarshal fills. A message
 * is checked whole first (tags, wire types, nested messages), as
 * Unmarshal fails before etcdctl prints anything; then it is written.
 */
#include <inttypes.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>
#include <mbedtls/base64.h>

#include "ctl/pb_gojson.h"
#include "netd/gw_json.h"
#include "shared/assert.h"
#include "shared/err.h"
#include "shared/le.h"
#include "shared/log.h"
#include "shared/pbwire.h"
#include "shared/xmalloc.h"

/* Input bytes per base64 call: a multiple of 3, so that only the last
 * chunk is padded. */
#define PBG_BASE64_CHUNK 768
/* Room for any integer's decimal text and its NUL. */
#define PBG_NUMBER_BYTES 24

/* A oneof is remembered in a 64-bit mask of those written. */
CAIRN_STATIC_ASSERT(PBS_MESSAGE_FIELDS_MAX <= 64, "oneof mask too small");

/* One call's state: the schema, and the text made so far (written to the
 * caller's FILE only once the whole message is). */
struct pbg {
	const struct pbs_schema *sc;
	struct evbuffer *out;
};

static int pbg_message(struct pbg *g, const struct pbs_message *m, const uint8_t *pb,
    size_t len, int depth);

/* A packed run p[0..n) of scalars of wire type t holds whole elements. */
static int
pbg_check_packed(enum pbw_type t, const uint8_t *p, size_t n)
{
	struct pbw_reader r = {.buf = p, .len = n};
	uint64_t v;

	if (t == PBW_I32 || t == PBW_I64)
		return n % (t == PBW_I32 ? 4 : 8) == 0 ? 0 : CAIRN_ECORRUPT;
	while (r.off < r.len) {
		if (pbw_get_varint(&r, &v) != 0)
			return CAIRN_ECORRUPT;
	}
	return 0;
}

/* What gogo's Unmarshal refuses: a bad tag or length, a known field of
 * another wire type (a repeated scalar may come packed), at any depth,
 * including occurrences a later one replaces. Unknown fields are skipped,
 * as Go keeps them in XXX_unrecognized, json:"-". */
static int
pbg_check(const struct pbs_schema *sc, const struct pbs_message *m, const uint8_t *pb,
    size_t len, int depth)
{
	struct pbw_reader r = {.buf = pb, .len = len};
	struct pbw_field it;
	int rc;

	if (depth > PB_GOJSON_DEPTH_MAX)
		return CAIRN_ECORRUPT;
	while ((rc = pbw_next(&r, &it)) == 1) {
		const struct pbs_field *f = pbs_field_find(m, it.number);
		enum pbw_type want;

		if (f == NULL)
			continue;
		if (f->kind == PBS_FLOAT || f->kind == PBS_DOUBLE)
			return CAIRN_EINVAL;
		want = pbs_wire_type(f->kind);
		if (it.type == want && f->kind == PBS_MESSAGE)
			rc = pbg_check(sc, &sc->messages[f->type], it.p, it.n, depth + 1);
		else if (it.type == want)
			rc = 0;
		else if (f->repeated && want != PBW_LEN && it.type == PBW_LEN)
			rc = pbg_check_packed(want, it.p, it.n);
		else
			rc = CAIRN_ECORRUPT;
		if (rc != 0)
			return rc;
	}
	return rc;
}

/*
 * The value gogo decodes from the wire value v of a number field of kind
 * k, as JSON text in buf[PBG_NUMBER_BYTES]. 32-bit kinds keep the low 32
 * bits; an enum is a Go int32 without MarshalJSON, so a number. Returns
 * false for Go's zero value, which omitempty leaves out.
 */
static bool
pbg_number(enum pbs_kind k, uint64_t v, char *buf)
{
	int64_t i;

	switch (k) {
	case PBS_INT32: case PBS_SFIXED32: case PBS_ENUM:
		i = (int32_t)(uint32_t)v;
		break;
	case PBS_SINT32:
		i = (int32_t)((uint32_t)v >> 1) ^ -(int32_t)(v & 1);
		break;
	case PBS_INT64: case PBS_SFIXED64:
		i = (int64_t)v;
		break;
	case PBS_SINT64:
		i = (int64_t)(v >> 1) ^ -(int64_t)(v & 1);
		break;
	case PBS_UINT32: case PBS_FIXED32:
		snprintf(buf, PBG_NUMBER_BYTES, "%" PRIu32, (uint32_t)v);
		return (uint32_t)v != 0;
	case PBS_BOOL:
		snprintf(buf, PBG_NUMBER_BYTES, "%s", v != 0 ? "true" : "false");
		return v != 0;
	default:
		CAIRN_ASSERT(k == PBS_UINT64 || k == PBS_FIXED64);
		snprintf(buf, PBG_NUMBER_BYTES, "%" PRIu64, v);
		return v != 0;
	}
	snprintf(buf, PBG_NUMBER_BYTES, "%" PRId64, i);
	return i != 0;
}

/* A []byte as encoding/json writes it: standard base64, padded, quoted. */
static void
pbg_base64(struct evbuffer *out, const uint8_t *p, size_t n)
{
	unsigned char text[PBG_BASE64_CHUNK / 3 * 4 + 1];
	size_t chunk, used;

	evbuffer_add(out, "\"", 1);
	for (size_t i = 0; i < n; i += chunk) {
		chunk = n - i < PBG_BASE64_CHUNK ? n - i : PBG_BASE64_CHUNK;
		if (mbedtls_base64_encode(text, sizeof(text), &used, p + i, chunk) != 0)
			fatalx("mbedtls_base64_encode");
		evbuffer_add(out, text, used);
	}
	evbuffer_add(out, "\"", 1);
}

static bool
pbg_lower(char c)
{
	return c >= 'a' && c <= 'z';
}

/*
 * Appends the Go field name gogo's generator.CamelCase makes of a .proto
 * name: "target_union" -> "TargetUnion", "response_put" -> "ResponsePut".
 * Go appends '_' to a name that collides with a generated method
 * ("String", "Size", ...); none of etcd's oneofs or members does.
 */
static void
pbg_camel(struct evbuffer *out, const char *s)
{
	size_t i = 0;

	if (s[0] == '_') {
		evbuffer_add(out, "X", 1);
		i++;
	}
	for (; s[i] != '\0'; i++) {
		char c = s[i];

		if (c == '_' && pbg_lower(s[i + 1]))
			continue;
		if (c >= '0' && c <= '9') {
			evbuffer_add(out, &c, 1);
			continue;
		}
		if (pbg_lower(c))
			c = (char)(c - 'a' + 'A');
		evbuffer_add(out, &c, 1);
		while (pbg_lower(s[i + 1]))
			evbuffer_add(out, &s[++i], 1);
	}
}

/* "name": after a comma unless it is the object's first key. Names come
 * from the generator: identifier characters only, nothing to escape. */
static void
pbg_key(struct pbg *g, bool *any, const char *name, bool camel)
{
	if (*any)
		evbuffer_add(g->out, ",", 1);
	*any = true;
	evbuffer_add(g->out, "\"", 1);
	if (camel)
		pbg_camel(g->out, name);
	else
		evbuffer_add(g->out, name, strlen(name));
	evbuffer_add(g->out, "\":", 2);
}

/* The field whose tag is at pb[at - 1] (at as pbg_index sets it). */
static int
pbg_at(const uint8_t *pb, size_t len, size_t at, struct pbw_field *it)
{
	struct pbw_reader r = {.buf = pb, .len = len, .off = at - 1};

	CAIRN_ASSERT(at > 0);
	CAIRN_ASSERT(at <= len);
	return pbw_next(&r, it) == 1 ? 0 : CAIRN_ECORRUPT;
}

/* One value of field f read from it (not a packed run), written even
 * when it is zero: a repeated element or a oneof member. */
static int
pbg_value(struct pbg *g, const struct pbs_field *f, const struct pbw_field *it, int depth)
{
	char num[PBG_NUMBER_BYTES];

	switch (f->kind) {
	case PBS_STRING:
		/* Go's escapes: <, >, &, U+2028/9, bad UTF-8 as \ufffd. */
		gwj_string(g->out, (const char *)it->p, it->n);
		return 0;
	case PBS_BYTES:
		pbg_base64(g->out, it->p, it->n);
		return 0;
	case PBS_MESSAGE:
		return pbg_message(g, &g->sc->messages[f->type], it->p, it->n, depth + 1);
	default:
		pbg_number(f->kind, it->v, num);
		evbuffer_add(g->out, num, strlen(num));
		return 0;
	}
}

/* The elements of a packed run of field f, each after a comma unless
 * *first. */
static int
pbg_packed(struct pbg *g, const struct pbs_field *f, const struct pbw_field *run, bool *first)
{
	struct pbw_reader r = {.buf = run->p, .len = run->n};
	struct pbw_field it = {.number = f->number, .type = pbs_wire_type(f->kind)};
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
			evbuffer_add(g->out, ",", 1);
		*first = false;
		pbg_value(g, f, &it, 0);
	}
	return 0;
}

/* A repeated field: "name":[...] in wire order, packed runs and single
 * elements alike, or nothing without an element (Go's nil slice). */
static int
pbg_repeated(struct pbg *g, const struct pbs_field *f, const uint8_t *pb, size_t len,
    bool *any, int depth)
{
	struct pbw_reader r = {.buf = pb, .len = len};
	struct pbw_field it;
	bool first = true, packable = pbs_wire_type(f->kind) != PBW_LEN;
	int rc;

	while ((rc = pbw_next(&r, &it)) == 1) {
		bool packed = packable && it.type == PBW_LEN;

		if (it.number != f->number || (packed && it.n == 0))
			continue;
		if (first) {
			pbg_key(g, any, f->name, false);
			evbuffer_add(g->out, "[", 1);
		}
		if (packed) {
			rc = pbg_packed(g, f, &it, &first);
		} else {
			if (!first)
				evbuffer_add(g->out, ",", 1);
			first = false;
			rc = pbg_value(g, f, &it, depth);
		}
		if (rc != 0)
			return rc;
	}
	if (rc == 0 && !first)
		evbuffer_add(g->out, "]", 1);
	return rc;
}

/*
 * A message field, not repeated, present on the wire: written even when
 * empty (a non-nil pointer). gogo's Unmarshal merges every occurrence
 * into one struct, which is what reading the occurrences' bytes one after
 * the other gives (protobuf's merge), so more than one are joined.
 */
static int
pbg_merged(struct pbg *g, const struct pbs_field *f, const uint8_t *pb, size_t len,
    bool *any, int depth)
{
	struct pbw_reader r = {.buf = pb, .len = len};
	struct pbw_field it, one = {0};
	size_t count = 0, total = 0, off = 0;
	uint8_t *joined;
	int rc;

	while ((rc = pbw_next(&r, &it)) == 1) {
		if (it.number == f->number) {
			one = it;
			count++;
			total += it.n;
		}
	}
	if (rc != 0)
		return rc;
	CAIRN_ASSERT(count > 0);
	pbg_key(g, any, f->name, false);
	if (count == 1)
		return pbg_value(g, f, &one, depth);
	joined = xmalloc(total > 0 ? total : 1);
	r.off = 0;
	while (pbw_next(&r, &it) == 1) {
		if (it.number == f->number) {
			memcpy(joined + off, it.p, it.n);
			off += it.n;
		}
	}
	rc = pbg_message(g, &g->sc->messages[f->type], joined, total, depth + 1);
	free(joined);
	return rc;
}

/*
 * The oneof of member f, where Go declares its interface field (at the
 * first member): "Name":{"Member":value} for the member last on the wire
 * (Unmarshal replaces the interface value, and makes a fresh struct for a
 * message member: no merge), written even when zero; or "Name":null, as
 * the field has no json tag and so no omitempty. Both names are Go's
 * field names: the wrapper's member has no json tag either.
 */
static int
pbg_oneof(struct pbg *g, const struct pbs_message *m, const struct pbs_field *f,
    const uint8_t *pb, size_t len, const size_t *last, bool *any, int depth)
{
	const struct pbs_field *member = NULL;
	struct pbw_field it;
	size_t at = 0;
	bool inner = false;
	int rc;

	CAIRN_ASSERT(f->oneof < m->noneofs);
	for (uint16_t k = 0; k < m->nfields; k++) {
		if (m->fields[k].oneof == f->oneof && last[k] > at) {
			at = last[k];
			member = &m->fields[k];
		}
	}
	pbg_key(g, any, m->oneofs[f->oneof], true);
	if (member == NULL) {
		evbuffer_add(g->out, "null", 4);
		return 0;
	}
	if ((rc = pbg_at(pb, len, at, &it)) != 0)
		return rc;
	evbuffer_add(g->out, "{", 1);
	pbg_key(g, &inner, member->name, true);
	if ((rc = pbg_value(g, member, &it, depth)) != 0)
		return rc;
	evbuffer_add(g->out, "}", 1);
	return 0;
}

/* A scalar field, not repeated, not in a oneof: its last occurrence wins
 * (at, as pbg_index sets it); a zero value, "" or empty bytes is left
 * out (omitempty). */
static int
pbg_scalar(struct pbg *g, const struct pbs_field *f, const uint8_t *pb, size_t len, size_t at,
    bool *any)
{
	struct pbw_field it;
	char num[PBG_NUMBER_BYTES];
	int rc;

	if ((rc = pbg_at(pb, len, at, &it)) != 0)
		return rc;
	if (f->kind == PBS_STRING || f->kind == PBS_BYTES) {
		if (it.n == 0)
			return 0;
		pbg_key(g, any, f->name, false);
		return pbg_value(g, f, &it, 0);
	}
	if (pbg_number(f->kind, it.v, num)) {
		pbg_key(g, any, f->name, false);
		evbuffer_add(g->out, num, strlen(num));
	}
	return 0;
}

/* last[k] = 1 + the offset of the last tag of m->fields[k] in pb, or 0
 * when the field is absent. */
static int
pbg_index(const struct pbs_message *m, const uint8_t *pb, size_t len, size_t *last)
{
	struct pbw_reader r = {.buf = pb, .len = len};
	struct pbw_field it;
	size_t at = 0;
	int rc;

	while ((rc = pbw_next(&r, &it)) == 1) {
		const struct pbs_field *f = pbs_field_find(m, it.number);

		if (f != NULL)
			last[f - m->fields] = at + 1;
		at = r.off;
	}
	return rc;
}

/* The object of message m, checked by pbg_check: its fields in
 * declaration order, each as Go's struct field prints. */
static int
pbg_message(struct pbg *g, const struct pbs_message *m, const uint8_t *pb, size_t len,
    int depth)
{
	size_t last[PBS_MESSAGE_FIELDS_MAX] = {0};
	uint64_t oneofs_done = 0;
	bool any = false;
	int rc;

	CAIRN_ASSERT(depth <= PB_GOJSON_DEPTH_MAX);
	CAIRN_ASSERT(m->nfields <= PBS_MESSAGE_FIELDS_MAX);
	if ((rc = pbg_index(m, pb, len, last)) != 0)
		return rc;
	evbuffer_add(g->out, "{", 1);
	for (uint16_t k = 0; k < m->nfields; k++) {
		const struct pbs_field *f = &m->fields[k];

		if (f->oneof != PBS_NONE) {
			if (oneofs_done & (UINT64_C(1) << f->oneof))
				continue;
			oneofs_done |= UINT64_C(1) << f->oneof;
			rc = pbg_oneof(g, m, f, pb, len, last, &any, depth);
		} else if (f->repeated) {
			rc = pbg_repeated(g, f, pb, len, &any, depth);
		} else if (last[k] == 0) {
			continue; /* absent: zero, or a nil pointer */
		} else if (f->kind == PBS_MESSAGE) {
			rc = pbg_merged(g, f, pb, len, &any, depth);
		} else {
			rc = pbg_scalar(g, f, pb, len, last[k], &any);
		}
		if (rc != 0)
			return rc;
	}
	evbuffer_add(g->out, "}", 1);
	return 0;
}

int
pb_gojson_write(FILE *out, const struct pbs_schema *sc, const struct pbs_message *m,
    const uint8_t *buf, size_t len)
{
	struct pbg g = {.sc = sc, .out = evbuffer_new()};
	size_t n;
	int rc;

	CAIRN_ASSERT(out != NULL);
	CAIRN_ASSERT(buf != NULL || len == 0);
	if (g.out == NULL)
		fatalx("evbuffer_new");
	rc = pbg_check(sc, m, buf, len, 1);
	if (rc == 0)
		rc = pbg_message(&g, m, buf, len, 1);
	if (rc == 0) {
		n = evbuffer_get_length(g.out);
		if (fwrite(evbuffer_pullup(g.out, -1), 1, n, out) != n)
			rc = CAIRN_EIO;
	}
	evbuffer_free(g.out);
	return rc;
}
