/*
 * netd: request bodies of the JSON gateway into protobuf, as etcd 3.4's
 * gateway reads them (golang/protobuf jsonpb's Unmarshaler over Go's
 * encoding/json). jansson parses; this file walks the parsed value by the
 * schema, encodes proto3, and words errors as Go does, since clients see
 * them.
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "netd/gw_json.h"
#include "shared/err.h"
#include "shared/le.h"
#include "shared/pbwire.h"
#include "shared/xmalloc.h"

/* A growing protobuf encoding, bounded by GWJ_PB_BYTES_MAX. */
struct gwi_buf {
	uint8_t *p; /* owned */
	size_t n, cap;
};

/* One decode: the schema and where errors go. */
struct gwi {
	const struct pbs_schema *sc;
	char *err;
	size_t err_cap;
};

static int gwi_message(struct gwi *g, const struct pbs_message *m, json_t *obj,
    struct gwi_buf *b, int depth);

static int gwi_fail(struct gwi *g, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int
gwi_fail(struct gwi *g, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(g->err, g->err_cap, fmt, ap);
	va_end(ap);
	return CAIRN_EINVAL;
}

static int
gwi_put(struct gwi_buf *b, const void *p, size_t n)
{
	if (n > GWJ_PB_BYTES_MAX - b->n)
		return CAIRN_ETOOBIG;
	if (b->n + n > b->cap) {
		b->cap = b->cap * 2 > b->n + n ? b->cap * 2 : b->n + n + 64;
		b->p = xrealloc(b->p, b->cap);
	}
	if (n > 0)
		memcpy(b->p + b->n, p, n);
	b->n += n;
	return 0;
}

static int
gwi_varint(struct gwi_buf *b, uint64_t v)
{
	uint8_t tmp[PBW_VARINT_BYTES_MAX];

	return gwi_put(b, tmp, pbw_put_varint(tmp, v));
}

/* A tag, a length and the payload of a length-delimited field. */
static int
gwi_len_field(struct gwi_buf *b, uint32_t field, const struct gwi_buf *payload)
{
	int rc;

	if ((rc = gwi_varint(b, PBW_TAG(field, PBW_LEN))) != 0 ||
	    (rc = gwi_varint(b, payload->n)) != 0)
		return rc;
	return gwi_put(b, payload->p, payload->n);
}

/* Go's name for a JSON value's kind in its "cannot unmarshal" errors. */
static const char *
gwi_kind(const json_t *v)
{
	switch (json_typeof(v)) {
	case JSON_OBJECT: return "object";
	case JSON_ARRAY: return "array";
	case JSON_STRING: return "string";
	case JSON_INTEGER: case JSON_REAL: return "number";
	case JSON_TRUE: case JSON_FALSE: return "bool";
	default: return "null";
	}
}

/* The Go type a field's value decodes into, for error texts. */
static const char *
gwi_go_type(const struct gwi *g, const struct pbs_field *f)
{
	switch (f->kind) {
	case PBS_INT32: case PBS_SINT32: case PBS_SFIXED32: return "int32";
	case PBS_INT64: case PBS_SINT64: case PBS_SFIXED64: return "int64";
	case PBS_UINT32: case PBS_FIXED32: return "uint32";
	case PBS_UINT64: case PBS_FIXED64: return "uint64";
	case PBS_BOOL: return "bool";
	case PBS_STRING: return "string";
	case PBS_BYTES: return "[]uint8";
	case PBS_ENUM: return g->sc->enums[f->type].go_name;
	case PBS_MESSAGE: return "map[string]json.RawMessage";
	default: return "float64";
	}
}

static int
gwi_type_error(struct gwi *g, const struct pbs_field *f, const char *what)
{
	return gwi_fail(g, "json: cannot unmarshal %s into Go value of type %s", what,
	    gwi_go_type(g, f));
}

/* Go's quoting of a character in its syntax errors: 'x', '\''. */
static void
gwi_quote_char(char c, char *out, size_t cap)
{
	if (c == '\'')
		snprintf(out, cap, "'\\''");
	else if (c == '\n')
		snprintf(out, cap, "'\\n'");
	else if (c == '\t')
		snprintf(out, cap, "'\\t'");
	else if (c == '\r')
		snprintf(out, cap, "'\\r'");
	else if ((unsigned char)c < 0x20 || (unsigned char)c >= 0x7f)
		snprintf(out, cap, "'\\x%02x'", (unsigned char)c);
	else
		snprintf(out, cap, "'%c'", c);
}

/* A JSON number's literal as Go prints it back: the shortest text that
 * reads back as the same double (jansson keeps no literal). */
static void
gwi_real_text(double d, char *out, size_t cap)
{
	for (int prec = 1; prec <= 17; prec++) {
		snprintf(out, cap, "%.*g", prec, d);
		if (strtod(out, NULL) == d)
			return;
	}
}

/* Go's syntax error at s[at] (or at the end of s[0..n), where Go's
 * scanner sees the space it appends). */
static int
gwi_scan_error(struct gwi *g, const char *s, size_t n, size_t at, const char *context)
{
	char q[8];

	gwi_quote_char(at < n ? s[at] : ' ', q, sizeof(q));
	return gwi_fail(g, "invalid character %s %s", q, context);
}

/*
 * The integer in s[0..n), the text inside a quoted number (jsonpb reads
 * it as a JSON value once the quotes are dropped). Sets *neg and *mag, or
 * *lit_only when it is a number but not an integer literal. Otherwise
 * fails with Go's syntax error for it.
 */
static int
gwi_scan_int(struct gwi *g, const struct pbs_field *f, const char *s, size_t n, bool *neg,
    uint64_t *mag, bool *lit_only)
{
	size_t i = 0, end;
	char q[8];

	while (n > 0 && strchr(" \t\r\n", s[n - 1]) != NULL)
		n--;
	while (i < n && strchr(" \t\r\n", s[i]) != NULL)
		i++;
	if (i == n)
		return gwi_fail(g, "unexpected end of JSON input");
	if (n - i == 4 && memcmp(s + i, "null", 4) == 0)
		return *neg = false, *mag = 0, 0; /* Go leaves the field as it was */
	if ((n - i == 4 && memcmp(s + i, "true", 4) == 0) ||
	    (n - i == 5 && memcmp(s + i, "false", 5) == 0))
		return gwi_type_error(g, f, "bool");
	*neg = s[i] == '-';
	end = i + (*neg ? 1 : 0);
	if (*neg && (end == n || s[end] < '0' || s[end] > '9'))
		return gwi_scan_error(g, s, n, end, "in numeric literal");
	if (s[end] < '0' || s[end] > '9') {
		gwi_quote_char(s[end], q, sizeof(q));
		return gwi_fail(g, "invalid character %s looking for beginning of value", q);
	}
	*mag = 0;
	*lit_only = false;
	for (bool over = false; end < n && s[end] >= '0' && s[end] <= '9'; end++) {
		if (!over && *mag > (UINT64_MAX - (uint64_t)(s[end] - '0')) / 10)
			over = true, *lit_only = true;
		if (!over)
			*mag = *mag * 10 + (uint64_t)(s[end] - '0');
		if (end == i + (*neg ? 1 : 0) && s[end] == '0' && end + 1 < n &&
		    s[end + 1] >= '0' && s[end + 1] <= '9') {
			gwi_quote_char(s[end + 1], q, sizeof(q));
			return gwi_fail(g, "invalid character %s after top-level value", q);
		}
	}
	if (end < n && s[end] == '.') {
		if (++end == n || s[end] < '0' || s[end] > '9')
			return gwi_scan_error(g, s, n, end, "after decimal point in numeric literal");
		while (end < n && s[end] >= '0' && s[end] <= '9')
			end++;
		*lit_only = true;
	}
	if (end < n && (s[end] == 'e' || s[end] == 'E')) {
		if (++end < n && (s[end] == '+' || s[end] == '-'))
			end++;
		if (end == n || s[end] < '0' || s[end] > '9')
			return gwi_scan_error(g, s, n, end, "in exponent of numeric literal");
		while (end < n && s[end] >= '0' && s[end] <= '9')
			end++;
		*lit_only = true;
	}
	if (end < n) {
		gwi_quote_char(s[end], q, sizeof(q));
		return gwi_fail(g, "invalid character %s after top-level value", q);
	}
	if (*lit_only)
		return gwi_fail(g, "json: cannot unmarshal number %.*s into Go value of type %s",
		    (int)(n - i), s + i, gwi_go_type(g, f));
	return 0;
}

/*
 * An integer field's value (a number, or a quoted number as jsonpb
 * allows) in the range of its kind, as the varint or fixed value proto3
 * writes: int32 sign-extended, sint zigzagged.
 */
static int
gwi_integer(struct gwi *g, const struct pbs_field *f, json_t *v, uint64_t *out)
{
	char lit[48];
	uint64_t mag = 0, limit;
	bool neg = false, lit_only = false;
	int rc;

	if (json_is_integer(v)) {
		json_int_t i = json_integer_value(v);

		neg = i < 0;
		mag = neg ? (uint64_t)0 - (uint64_t)i : (uint64_t)i;
		snprintf(lit, sizeof(lit), "%" JSON_INTEGER_FORMAT, i);
	} else if (json_is_real(v)) {
		char what[64];

		gwi_real_text(json_real_value(v), lit, sizeof(lit));
		snprintf(what, sizeof(what), "number %s", lit);
		return gwi_type_error(g, f, what);
	} else if (json_is_string(v) && f->kind != PBS_ENUM) {
		const char *s = json_string_value(v);
		size_t n = json_string_length(v);

		if ((rc = gwi_scan_int(g, f, s, n, &neg, &mag, &lit_only)) != 0)
			return rc;
		while (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\n')
			s++, n--;
		snprintf(lit, sizeof(lit), "%.*s", (int)(n < 40 ? n : 40), s);
	} else {
		return gwi_type_error(g, f, gwi_kind(v));
	}
	switch (f->kind) {
	case PBS_INT32: case PBS_SINT32: case PBS_SFIXED32: case PBS_ENUM:
		limit = neg ? 1ull << 31 : (1ull << 31) - 1;
		break;
	case PBS_INT64: case PBS_SINT64: case PBS_SFIXED64:
		limit = neg ? 1ull << 63 : (1ull << 63) - 1;
		break;
	case PBS_UINT32: case PBS_FIXED32:
		limit = neg ? 0 : UINT32_MAX;
		break;
	default:
		limit = neg ? 0 : UINT64_MAX;
		break;
	}
	if (mag > limit || (neg && (f->kind == PBS_UINT32 || f->kind == PBS_FIXED32 ||
	    f->kind == PBS_UINT64 || f->kind == PBS_FIXED64))) {
		char what[64];

		snprintf(what, sizeof(what), "number %s", lit);
		return gwi_type_error(g, f, what);
	}
	*out = neg ? (uint64_t)0 - mag : mag;
	if (f->kind == PBS_SINT32)
		*out = (uint32_t)(((uint32_t)*out << 1) ^ (uint32_t)((int32_t)*out >> 31));
	else if (f->kind == PBS_SINT64)
		*out = (*out << 1) ^ (uint64_t)((int64_t)*out >> 63);
	else if (f->kind == PBS_FIXED32 || f->kind == PBS_SFIXED32)
		*out = (uint32_t)*out;
	return 0;
}

/* Go's base64.StdEncoding.Decode: padding required, CR and LF skipped,
 * "illegal base64 data at input byte N" naming the byte Go names. */
static int
gwi_base64(struct gwi *g, const char *s, size_t n, struct gwi_buf *out)
{
	static const char digits[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	size_t si = 0;
	int rc;

	while (si < n) {
		uint8_t q[4], bytes[3];
		size_t j, got;

		for (j = 0; j < 4; j++) {
			const char *d;

			if (si == n) {
				if (j == 0)
					return 0;
				return gwi_fail(g, "illegal base64 data at input byte %zu", si - j);
			}
			if (s[si] == '\n' || s[si] == '\r') {
				si++, j--;
				continue;
			}
			d = s[si] != '\0' ? strchr(digits, s[si]) : NULL;
			si++;
			if (d != NULL) {
				q[j] = (uint8_t)(d - digits);
				continue;
			}
			if (s[si - 1] != '=' || j < 2)
				return gwi_fail(g, "illegal base64 data at input byte %zu", si - 1);
			if (j == 2) { /* "==": the second '=' must follow */
				while (si < n && (s[si] == '\n' || s[si] == '\r'))
					si++;
				if (si == n)
					return gwi_fail(g, "illegal base64 data at input byte %zu", n);
				if (s[si] != '=')
					return gwi_fail(g, "illegal base64 data at input byte %zu", si - 1);
				si++;
			}
			while (si < n && (s[si] == '\n' || s[si] == '\r'))
				si++;
			if (si < n)
				return gwi_fail(g, "illegal base64 data at input byte %zu", si);
			break;
		}
		got = j == 4 ? 3 : j - 1;
		for (; j < 4; j++)
			q[j] = 0;
		bytes[0] = (uint8_t)(q[0] << 2 | q[1] >> 4);
		bytes[1] = (uint8_t)(q[1] << 4 | q[2] >> 2);
		bytes[2] = (uint8_t)(q[2] << 6 | q[3]);
		if ((rc = gwi_put(out, bytes, got)) != 0)
			return rc;
	}
	return 0;
}

/* Bytes given as an array of numbers, which Go's encoding/json reads
 * into a []byte as into any slice. */
static int
gwi_byte_array(struct gwi *g, json_t *arr, struct gwi_buf *out, bool *zero)
{
	size_t i;
	json_t *v;
	int rc;

	json_array_foreach(arr, i, v) {
		uint8_t byte;

		if (json_is_null(v)) {
			byte = 0;
		} else if (json_is_integer(v) && json_integer_value(v) >= 0 &&
		    json_integer_value(v) <= 255) {
			byte = (uint8_t)json_integer_value(v);
		} else if (json_is_integer(v)) {
			return gwi_fail(g, "json: cannot unmarshal number %" JSON_INTEGER_FORMAT
			    " into Go value of type uint8", json_integer_value(v));
		} else if (json_is_real(v)) {
			char lit[32];

			gwi_real_text(json_real_value(v), lit, sizeof(lit));
			return gwi_fail(g, "json: cannot unmarshal number %s into Go value of type "
			    "uint8", lit);
		} else {
			return gwi_fail(g, "json: cannot unmarshal %s into Go value of type uint8",
			    gwi_kind(v));
		}
		if ((rc = gwi_put(out, &byte, 1)) != 0)
			return rc;
	}
	*zero = json_array_size(arr) == 0;
	return 0;
}

/*
 * One value of field f into out: a scalar as its wire value, a string,
 * bytes or message as its payload (the caller adds tag and length).
 * *zero says whether proto3 would leave it out.
 */
static int
gwi_value(struct gwi *g, const struct pbs_field *f, json_t *v, struct gwi_buf *out,
    bool *zero, int depth)
{
	uint64_t u = 0;
	uint8_t fixed[8];
	size_t at;
	int rc;

	*zero = false;
	switch (f->kind) {
	case PBS_MESSAGE:
		if (json_is_null(v))
			return 0;
		if (!json_is_object(v))
			return gwi_type_error(g, f, gwi_kind(v));
		return gwi_message(g, &g->sc->messages[f->type], v, out, depth + 1);
	case PBS_STRING:
		if (!json_is_string(v))
			return gwi_type_error(g, f, gwi_kind(v));
		*zero = json_string_length(v) == 0;
		return gwi_put(out, json_string_value(v), json_string_length(v));
	case PBS_BYTES:
		if (json_is_array(v))
			return gwi_byte_array(g, v, out, zero);
		if (!json_is_string(v))
			return gwi_type_error(g, f, gwi_kind(v));
		at = out->n; /* "\n" decodes to nothing: zero too */
		rc = gwi_base64(g, json_string_value(v), json_string_length(v), out);
		*zero = out->n == at;
		return rc;
	case PBS_BOOL:
		if (!json_is_boolean(v))
			return gwi_type_error(g, f, gwi_kind(v));
		u = json_is_true(v);
		break;
	case PBS_ENUM:
		if (json_is_string(v)) {
			const struct pbs_enum *e = &g->sc->enums[f->type];
			uint16_t i;

			for (i = 0; i < e->nvalues; i++)
				if (strcmp(e->values[i].name, json_string_value(v)) == 0)
					break;
			if (i == e->nvalues)
				return gwi_fail(g, "unknown value \"%.64s\" for enum %s",
				    json_string_value(v), e->go_name);
			u = (uint64_t)(int64_t)e->values[i].number;
		} else if ((rc = gwi_integer(g, f, v, &u)) != 0) {
			return rc;
		}
		break;
	case PBS_INT32: case PBS_INT64: case PBS_UINT32: case PBS_UINT64: case PBS_SINT32:
	case PBS_SINT64: case PBS_FIXED32: case PBS_FIXED64: case PBS_SFIXED32:
	case PBS_SFIXED64:
		if ((rc = gwi_integer(g, f, v, &u)) != 0)
			return rc;
		break;
	default:
		return gwi_fail(g, "float fields are not supported");
	}
	*zero = u == 0;
	if (f->kind == PBS_FIXED32 || f->kind == PBS_SFIXED32)
		return le_put32(fixed, (uint32_t)u), gwi_put(out, fixed, 4);
	if (f->kind == PBS_FIXED64 || f->kind == PBS_SFIXED64)
		return le_put64(fixed, u), gwi_put(out, fixed, 8);
	return gwi_varint(out, u);
}

static bool
gwi_packable(enum pbs_kind k)
{
	return k != PBS_STRING && k != PBS_BYTES && k != PBS_MESSAGE;
}

/* A repeated field: packed when scalar, as proto3 writes it. */
static int
gwi_repeated(struct gwi *g, const struct pbs_field *f, json_t *arr, struct gwi_buf *b,
    int depth)
{
	struct gwi_buf run = {0};
	size_t i;
	json_t *v;
	bool zero;
	int rc = 0;

	if (json_is_string(arr) && f->kind == PBS_ENUM) /* jsonpb reads it as one enum */
		return gwi_fail(g, "invalid target \"slice\" for enum %s",
		    g->sc->enums[f->type].go_name);
	if (!json_is_array(arr))
		return gwi_fail(g, "json: cannot unmarshal %s into Go value of type "
		    "[]json.RawMessage", gwi_kind(arr));
	json_array_foreach(arr, i, v) {
		struct gwi_buf one = {0};

		if (gwi_packable(f->kind)) {
			if (json_is_null(v))
				rc = gwi_varint(&run, 0);
			else
				rc = gwi_value(g, f, v, &run, &zero, depth);
		} else {
			if (!json_is_null(v))
				rc = gwi_value(g, f, v, &one, &zero, depth);
			if (rc == 0)
				rc = gwi_len_field(b, f->number, &one);
		}
		free(one.p);
		if (rc != 0)
			break;
	}
	if (rc == 0 && run.n > 0)
		rc = gwi_len_field(b, f->number, &run);
	free(run.p);
	return rc;
}

/* The value given for f: its lowerCamel name wins over its .proto name,
 * as jsonpb has it; NULL when neither is there or it is null. */
static json_t *
gwi_lookup(json_t *obj, const struct pbs_field *f)
{
	json_t *v = json_object_get(obj, f->json_name);

	if (v == NULL)
		v = json_object_get(obj, f->name);
	return v == NULL || json_is_null(v) ? NULL : v;
}

static int
gwi_message(struct gwi *g, const struct pbs_message *m, json_t *obj, struct gwi_buf *b,
    int depth)
{
	if (depth > GWJ_DEPTH_MAX)
		return gwi_fail(g, "the request nests messages deeper than %d", GWJ_DEPTH_MAX);
	for (uint16_t k = 0; k < m->nfields; k++) {
		const struct pbs_field *f = &m->fields[m->by_number[k]];
		json_t *v = gwi_lookup(obj, f);
		struct gwi_buf one = {0};
		bool zero;
		int rc;

		if (v == NULL)
			continue;
		if (f->repeated) {
			rc = gwi_repeated(g, f, v, b, depth);
		} else if ((rc = gwi_value(g, f, v, &one, &zero, depth)) == 0) {
			/* Zero scalars are left out, but not a oneof member
			 * that was given: Go sets it. */
			if (f->kind != PBS_MESSAGE && zero && f->oneof == PBS_NONE)
				rc = 0;
			else if (!gwi_packable(f->kind))
				rc = gwi_len_field(b, f->number, &one);
			else if ((rc = gwi_varint(b, PBW_TAG(f->number, f->kind == PBS_FIXED32 ||
			    f->kind == PBS_SFIXED32 ? PBW_I32 : f->kind == PBS_FIXED64 ||
			    f->kind == PBS_SFIXED64 ? PBW_I64 : PBW_VARINT))) == 0)
				rc = gwi_put(b, one.p, one.n);
		}
		free(one.p);
		if (rc != 0)
			return rc;
	}
	return 0;
}

/* jansson's syntax error as Go's json.Decoder words it. */
static void
gwi_syntax_error(struct gwi *g, const json_error_t *je)
{
	static const struct {
		const char *jansson, *go;
	} contexts[] = {
		{"string or '}' expected", "looking for beginning of object key string"},
		{"':' expected", "after object key"},
		{"'}' expected", "after object key:value pair"},
		{"']' expected", "after array element"},
	};
	const char *near = strstr(je->text, "near '");
	const char *context = "looking for beginning of value";
	char q[8];

	if (json_error_code(je) == json_error_premature_end_of_input || near == NULL) {
		gwi_fail(g, "unexpected EOF");
		return;
	}
	for (size_t i = 0; i < sizeof(contexts) / sizeof(contexts[0]); i++)
		if (strncmp(je->text, contexts[i].jansson, strlen(contexts[i].jansson)) == 0)
			context = contexts[i].go;
	gwi_quote_char(near[6], q, sizeof(q));
	gwi_fail(g, "invalid character %s %s", q, context);
}

int
gwj_from_json(const struct pbs_schema *sc, const struct pbs_message *m, const char *json,
    size_t len, uint8_t **pb, size_t *pb_len, size_t *used, char *err, size_t err_cap)
{
	struct gwi g = {.sc = sc, .err = err, .err_cap = err_cap};
	struct gwi_buf b = {0};
	json_error_t je;
	json_t *root;
	size_t i = 0;
	int rc = 0;

	*pb = NULL;
	*pb_len = 0;
	*used = 0;
	if (err_cap > 0)
		err[0] = '\0';
	while (i < len && strchr(" \t\r\n", json[i]) != NULL)
		i++;
	if (i == len) { /* no value at all: the gateway sees EOF, an empty message */
		*used = len;
		*pb = xmalloc(1);
		return 0;
	}
	root = json_loadb(json, len, JSON_DECODE_ANY | JSON_DISABLE_EOF_CHECK | JSON_ALLOW_NUL,
	    &je);
	if (root == NULL) {
		/* jansson reads integers as long long: a bigger one fails
		 * here, as Go fails it for an int64 (not for a uint64: a
		 * uint64 past 2^63 - 1 must come quoted). */
		const char *near = strstr(je.text, "near '");

		if (json_error_code(&je) == json_error_numeric_overflow && near != NULL)
			return gwi_fail(&g, "json: cannot unmarshal number %.*s into Go value of "
			    "type int64", (int)strcspn(near + 6, "'"), near + 6);
		gwi_syntax_error(&g, &je);
		return CAIRN_EINVAL;
	}
	*used = (size_t)je.position;
	if (!json_is_null(root)) {
		if (!json_is_object(root))
			rc = gwi_fail(&g, "json: cannot unmarshal %s into Go value of type "
			    "map[string]json.RawMessage", gwi_kind(root));
		else
			rc = gwi_message(&g, m, root, &b, 1);
	}
	json_decref(root);
	if (rc != 0) {
		if (rc == CAIRN_ETOOBIG)
			gwi_fail(&g, "etcdserver: request is too large");
		free(b.p);
		return rc;
	}
	*pb = b.p != NULL ? b.p : xmalloc(1);
	*pb_len = b.n;
	return 0;
}
