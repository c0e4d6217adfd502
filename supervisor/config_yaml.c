/*
 * supervisor: --config-file, etcd 3.4's YAML keys (embed/config.go and
 * etcdmain/config.go). etcd reads the file as YAML 1.1 turned into JSON,
 * so a key matches whatever its case, a plain "yes" is a boolean, a
 * duration is an integer of nanoseconds and a string key refuses a number.
 * Unlike etcd, an unknown or repeated key is an error, not ignored.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>
#include <yaml.h>

#include "shared/assert.h"
#include "shared/err.h"
#include "shared/go_quote.h"
#include "shared/log.h"
#include "shared/xmalloc.h"
#include "supervisor/config.h"
#include "supervisor/config_priv.h"
#include "supervisor/flags.h"

/* Bound on the digits of a YAML integer once its '_' are dropped. */
#define YAML_INT_BYTES_MAX 80

/* What a node means once YAML 1.1 resolved it (gopkg.in/yaml.v2). */
enum yaml_kind {
	YK_NULL,
	YK_BOOL,
	YK_INT,
	YK_FLOAT,
	YK_STRING,
	YK_LIST,
	YK_MAP,
};

static const char *const yaml_kind_names[] = {
	[YK_NULL] = "null",
	[YK_BOOL] = "a boolean",
	[YK_INT] = "an integer",
	[YK_FLOAT] = "a floating-point number",
	[YK_STRING] = "a string",
	[YK_LIST] = "a list",
	[YK_MAP] = "a mapping",
};

struct yaml_value {
	enum yaml_kind kind;
	bool b;       /* YK_BOOL */
	bool neg;     /* YK_INT: sign and magnitude */
	uint64_t mag;
};

/* The keys of the two transport-security mappings and their flags. */
struct yaml_subkey {
	const char *key;
	const char *flag;
};

static const struct yaml_subkey yaml_client_tls[] = {
	{"cert-file", "cert-file"},
	{"key-file", "key-file"},
	{"client-cert-auth", "client-cert-auth"},
	{"trusted-ca-file", "trusted-ca-file"},
	{"auto-tls", "auto-tls"},
	{NULL, NULL},
};

static const struct yaml_subkey yaml_peer_tls[] = {
	{"cert-file", "peer-cert-file"},
	{"key-file", "peer-key-file"},
	{"client-cert-auth", "peer-client-cert-auth"},
	{"trusted-ca-file", "peer-trusted-ca-file"},
	{"auto-tls", "peer-auto-tls"},
	{NULL, NULL},
};

#define YAML_SECTIONS 2

static const struct {
	const char *key;
	const struct yaml_subkey *keys;
} yaml_sections[YAML_SECTIONS] = {
	{"client-transport-security", yaml_client_tls},
	{"peer-transport-security", yaml_peer_tls},
};

/* One load: where errors go and what was seen. */
struct yaml_load {
	struct config *cfg;
	yaml_document_t *doc;
	const char *path;
	char *err;
	size_t errlen;
	bool section_seen[YAML_SECTIONS];
};

static bool
word_in(const char *s, const char *const *words)
{
	for (; *words != NULL; words++) {
		if (strcmp(s, *words) == 0)
			return true;
	}
	return false;
}

/* yaml.v2's float syntax: [-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)? */
static bool
yaml_float_like(const char *s)
{
	size_t lead = 0, frac = 0;

	s += *s == '+' || *s == '-';
	for (; isdigit((unsigned char)*s); s++)
		lead++;
	if (*s == '.')
		for (s++; isdigit((unsigned char)*s); s++)
			frac++;
	if (lead == 0 && frac == 0)
		return false;
	if (*s == 'e' || *s == 'E') {
		s++;
		s += *s == '+' || *s == '-';
		if (!isdigit((unsigned char)*s))
			return false;
		while (isdigit((unsigned char)*s))
			s++;
	}
	return *s == '\0';
}

/* A plain scalar that starts like a number: integer, float or string. */
static enum yaml_kind
yaml_resolve_number(const char *s, struct yaml_value *v)
{
	char digits[YAML_INT_BYTES_MAX];
	const char *reason;
	size_t n = 0;
	int64_t i;

	if (*s == '.')
		return yaml_float_like(s) ? YK_FLOAT : YK_STRING;
	/* yaml.v2 drops every '_' before Go's base-0 integer parse. */
	for (const char *p = s; *p != '\0'; p++) {
		if (*p == '_')
			continue;
		if (n + 1 >= sizeof(digits))
			return yaml_float_like(s) ? YK_FLOAT : YK_STRING;
		digits[n++] = *p;
	}
	digits[n] = '\0';
	if (flags_parse_int(digits, &i, &reason) == 0) {
		v->neg = i < 0;
		v->mag = i < 0 ? (uint64_t)0 - (uint64_t)i : (uint64_t)i;
		return YK_INT;
	}
	if (flags_parse_uint(digits, UINT64_MAX, &v->mag, &reason) == 0)
		return YK_INT;
	return yaml_float_like(digits) ? YK_FLOAT : YK_STRING;
}

/* Resolves 'n' as yaml.v2 does. Only plain scalars are typed; a quoted
 * or block scalar is always a string. */
static struct yaml_value
yaml_resolve(const yaml_node_t *n)
{
	static const char *const nulls[] = {"", "~", "null", "Null", "NULL", NULL};
	static const char *const trues[] = {"y", "Y", "yes", "Yes", "YES", "true",
		"True", "TRUE", "on", "On", "ON", NULL};
	static const char *const falses[] = {"n", "N", "no", "No", "NO", "false",
		"False", "FALSE", "off", "Off", "OFF", NULL};
	static const char *const floats[] = {".nan", ".NaN", ".NAN", ".inf", ".Inf",
		".INF", "+.inf", "+.Inf", "+.INF", "-.inf", "-.Inf", "-.INF", NULL};
	struct yaml_value v = {.kind = YK_STRING};
	const char *s;

	CAIRN_ASSERT(n != NULL);
	if (n->type == YAML_SEQUENCE_NODE || n->type == YAML_MAPPING_NODE) {
		v.kind = n->type == YAML_SEQUENCE_NODE ? YK_LIST : YK_MAP;
		return v;
	}
	CAIRN_ASSERT(n->type == YAML_SCALAR_NODE);
	s = (const char *)n->data.scalar.value;
	if (n->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
		return v;
	if (word_in(s, nulls))
		v.kind = YK_NULL;
	else if (word_in(s, trues) || word_in(s, falses)) {
		v.kind = YK_BOOL;
		v.b = word_in(s, trues);
	} else if (word_in(s, floats))
		v.kind = YK_FLOAT;
	else if (isdigit((unsigned char)*s) || *s == '+' || *s == '-' || *s == '.')
		v.kind = yaml_resolve_number(s, &v);
	return v;
}

static unsigned long
node_line(const yaml_node_t *n)
{
	return (unsigned long)n->start_mark.line + 1;
}

static int
yaml_type_error(struct yaml_load *ld, const char *key, const yaml_node_t *n,
    const char *want, enum yaml_kind got)
{
	snprintf(ld->err, ld->errlen, "%s:%lu: key %s must be %s, not %s",
	    ld->path, node_line(n), key, want, yaml_kind_names[got]);
	return CAIRN_EINVAL;
}

/* A list of strings, joined with commas as the flag would take it. */
static int
yaml_list_text(struct yaml_load *ld, const char *key, const yaml_node_t *n,
    char **text)
{
	size_t cap = 1, len = 0;
	yaml_node_item_t *it;
	char *out;

	CAIRN_ASSERT(n->type == YAML_SEQUENCE_NODE);
	CAIRN_ASSERT(text != NULL);
	for (it = n->data.sequence.items.start; it < n->data.sequence.items.top; it++) {
		const yaml_node_t *item = yaml_document_get_node(ld->doc, *it);
		struct yaml_value v = yaml_resolve(item);

		if (v.kind != YK_STRING) {
			snprintf(ld->err, ld->errlen, "%s:%lu: each item of key %s must be "
			    "a string, not %s", ld->path, node_line(item), key,
			    yaml_kind_names[v.kind]);
			return CAIRN_EINVAL;
		}
		cap += item->data.scalar.length + 1;
	}
	out = xmalloc(cap);
	out[0] = '\0';
	for (it = n->data.sequence.items.start; it < n->data.sequence.items.top; it++) {
		const yaml_node_t *item = yaml_document_get_node(ld->doc, *it);

		len += (size_t)snprintf(out + len, cap - len, "%s%s", len > 0 ? "," : "",
		    (const char *)item->data.scalar.value);
	}
	*text = out;
	return 0;
}

/* The flag text of value node 'n' for flag 'f'; *text is the caller's. */
static int
yaml_value_text(struct yaml_load *ld, const struct flag_def *f,
    const char *key, const yaml_node_t *n, char **text)
{
	struct yaml_value v = yaml_resolve(n);
	char buf[YAML_INT_BYTES_MAX];

	switch (f->type) {
	case FLAG_T_STRINGS:
		if (v.kind != YK_LIST)
			return yaml_type_error(ld, key, n, "a list of strings", v.kind);
		return yaml_list_text(ld, key, n, text);
	case FLAG_T_BOOL:
		if (v.kind != YK_BOOL)
			return yaml_type_error(ld, key, n, "a boolean", v.kind);
		*text = xstrdup(v.b ? "true" : "false");
		return 0;
	case FLAG_T_UINT:
	case FLAG_T_UINT32:
	case FLAG_T_INT:
	case FLAG_T_RING:
		if (v.kind != YK_INT)
			return yaml_type_error(ld, key, n, "an integer", v.kind);
		snprintf(buf, sizeof(buf), "%s%" PRIu64, v.neg ? "-" : "", v.mag);
		*text = xstrdup(buf);
		return 0;
	case FLAG_T_DURATION:
		/* etcd: an integer of nanoseconds; cairn also takes "5s". */
		if (v.kind != YK_INT && v.kind != YK_STRING)
			return yaml_type_error(ld, key, n,
			    "an integer of nanoseconds or a duration such as \"5s\"", v.kind);
		snprintf(buf, sizeof(buf), "%s%" PRIu64 "ns", v.neg ? "-" : "", v.mag);
		*text = xstrdup(v.kind == YK_INT ? buf : (const char *)n->data.scalar.value);
		return 0;
	default:
		if (v.kind != YK_STRING)
			return yaml_type_error(ld, key, n, "a string", v.kind);
		*text = xstrdup((const char *)n->data.scalar.value);
		return 0;
	}
}

/* Sets flag 'idx' from value node 'n' of key 'key' (its canonical name). */
static int
yaml_set(struct yaml_load *ld, size_t idx, const char *key,
    const yaml_node_t *n)
{
	const struct flag_def *f = &flags_table[idx];
	char why[FLAGS_WHY_BYTES_MAX], q[FLAGS_WHY_BYTES_MAX];
	char *text = NULL;
	int rc;

	CAIRN_ASSERT(idx < ld->cfg->entries_len);
	CAIRN_ASSERT(!(f->flags & FLAG_F_NO_YAML) || strchr(key, '.') != NULL);
	if (ld->cfg->entries[idx].src == CONFIG_SRC_FILE) {
		snprintf(ld->err, ld->errlen, "%s:%lu: duplicate key %s", ld->path,
		    node_line(n), key);
		return CAIRN_EINVAL;
	}
	/* As etcd (JSON null): the key keeps its default. */
	if (yaml_resolve(n).kind == YK_NULL)
		return 0;
	if ((rc = yaml_value_text(ld, f, key, n, &text)) != 0)
		return rc;
	if (flags_check(f, text, why, sizeof(why)) != 0) {
		go_quote(q, sizeof(q), text);
		snprintf(ld->err, ld->errlen, "%s:%lu: invalid value %s for key %s: %s",
		    ld->path, node_line(n), q, key, why);
		free(text);
		return CAIRN_EINVAL;
	}
	config_entry_set(ld->cfg, idx, text, CONFIG_SRC_FILE);
	free(text);
	return 0;
}

/* The key text of a mapping pair, or an error if it is not a scalar. */
static const char *
yaml_key(struct yaml_load *ld, const yaml_node_t *k)
{
	if (k->type != YAML_SCALAR_NODE) {
		snprintf(ld->err, ld->errlen, "%s:%lu: a key must be a string, not %s",
		    ld->path, node_line(k), yaml_kind_names[yaml_resolve(k).kind]);
		return NULL;
	}
	return (const char *)k->data.scalar.value;
}

/* client-transport-security or peer-transport-security: a mapping of
 * the keys in its table. */
static int
yaml_section(struct yaml_load *ld, size_t s, const yaml_node_t *k,
    const yaml_node_t *n)
{
	char name[FLAGS_WHY_BYTES_MAX], q[FLAGS_WHY_BYTES_MAX];
	yaml_node_pair_t *p;
	int rc, idx;

	CAIRN_ASSERT(s < YAML_SECTIONS);
	if (ld->section_seen[s]) {
		snprintf(ld->err, ld->errlen, "%s:%lu: duplicate key %s", ld->path,
		    node_line(k), yaml_sections[s].key);
		return CAIRN_EINVAL;
	}
	ld->section_seen[s] = true;
	if (yaml_resolve(n).kind == YK_NULL)
		return 0;
	if (n->type != YAML_MAPPING_NODE)
		return yaml_type_error(ld, yaml_sections[s].key, n, "a mapping",
		    yaml_resolve(n).kind);
	for (p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top; p++) {
		const yaml_node_t *sk = yaml_document_get_node(ld->doc, p->key);
		const struct yaml_subkey *sub = yaml_sections[s].keys;
		const char *key = yaml_key(ld, sk);

		if (key == NULL)
			return CAIRN_EINVAL;
		while (sub->key != NULL && strcasecmp(sub->key, key) != 0)
			sub++;
		snprintf(name, sizeof(name), "%s.%s", yaml_sections[s].key,
		    sub->key != NULL ? sub->key : key);
		if (sub->key == NULL) {
			go_quote(q, sizeof(q), name);
			snprintf(ld->err, ld->errlen, "%s:%lu: unknown key %s", ld->path,
			    node_line(sk), q);
			return CAIRN_EINVAL;
		}
		idx = flags_find(sub->flag, strlen(sub->flag));
		CAIRN_ASSERT(idx >= 0);
		rc = yaml_set(ld, (size_t)idx, name, yaml_document_get_node(ld->doc, p->value));
		if (rc != 0)
			return rc;
	}
	return 0;
}

/* One top-level pair: a section, or a flag that has a key in etcd's file. */
static int
yaml_top_pair(struct yaml_load *ld, const yaml_node_t *k, const yaml_node_t *n)
{
	const char *key = yaml_key(ld, k);
	char q[FLAGS_WHY_BYTES_MAX];

	if (key == NULL)
		return CAIRN_EINVAL;
	for (size_t s = 0; s < YAML_SECTIONS; s++) {
		if (strcasecmp(yaml_sections[s].key, key) == 0)
			return yaml_section(ld, s, k, n);
	}
	/* encoding/json, which etcd's YAML goes through, ignores case. */
	for (size_t i = 0; i < flags_count; i++) {
		if (!(flags_table[i].flags & FLAG_F_NO_YAML) &&
		    strcasecmp(flags_table[i].name, key) == 0)
			return yaml_set(ld, i, flags_table[i].name, n);
	}
	go_quote(q, sizeof(q), key);
	snprintf(ld->err, ld->errlen, "%s:%lu: unknown key %s", ld->path,
	    node_line(k), q);
	return CAIRN_EINVAL;
}

static int
yaml_walk(struct yaml_load *ld)
{
	const yaml_node_t *root = yaml_document_get_root_node(ld->doc);
	yaml_node_pair_t *p;
	int rc;

	CAIRN_ASSERT(ld->doc != NULL);
	if (root == NULL || yaml_resolve(root).kind == YK_NULL)
		return 0; /* an empty file: every default */
	if (root->type != YAML_MAPPING_NODE) {
		snprintf(ld->err, ld->errlen, "%s:%lu: the file must be a mapping of keys "
		    "to values, not %s", ld->path, node_line(root),
		    yaml_kind_names[yaml_resolve(root).kind]);
		return CAIRN_EINVAL;
	}
	for (p = root->data.mapping.pairs.start; p < root->data.mapping.pairs.top; p++) {
		rc = yaml_top_pair(ld, yaml_document_get_node(ld->doc, p->key),
		    yaml_document_get_node(ld->doc, p->value));
		if (rc != 0)
			return rc;
	}
	return 0;
}

/* Reads at most CONFIG_FILE_BYTES_MAX bytes of 'path' into *buf (the
 * caller's to free on success). */
static int
yaml_read_file(const char *path, unsigned char **buf, size_t *len,
    char *err, size_t errlen)
{
	unsigned char *b;
	size_t n = 0;
	ssize_t r;
	int fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0) {
		snprintf(err, errlen, "open %s: %s", path, strerror(errno));
		return CAIRN_EINVAL;
	}
	b = xmalloc(CONFIG_FILE_BYTES_MAX + 1);
	/* One byte more than the bound tells a file that is too large. */
	while (n <= CONFIG_FILE_BYTES_MAX) {
		r = read(fd, b + n, CONFIG_FILE_BYTES_MAX + 1 - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			snprintf(err, errlen, "read %s: %s", path, strerror(errno));
			goto fail;
		}
		if (r == 0)
			break;
		n += (size_t)r;
	}
	if (n > CONFIG_FILE_BYTES_MAX) {
		snprintf(err, errlen, "%s: larger than %u bytes", path, CONFIG_FILE_BYTES_MAX);
		goto fail;
	}
	close(fd);
	*buf = b;
	*len = n;
	return 0;
fail:
	close(fd);
	free(b);
	return CAIRN_EINVAL;
}

/* libyaml's reason, with the line it stopped on. */
static void
yaml_syntax_error(const yaml_parser_t *p, const char *path, char *err,
    size_t errlen)
{
	const char *problem = p->problem != NULL ? p->problem : "not valid YAML";

	if (p->error == YAML_READER_ERROR)
		snprintf(err, errlen, "%s: %s at byte %zu", path, problem, p->problem_offset);
	else if (p->context != NULL)
		snprintf(err, errlen, "%s:%zu: %s (%s that starts on line %zu)", path,
		    p->problem_mark.line + 1, problem, p->context, p->context_mark.line + 1);
	else
		snprintf(err, errlen, "%s:%zu: %s", path, p->problem_mark.line + 1, problem);
}

int
config_yaml_load(struct config *cfg, const char *path, char *err,
    size_t errlen)
{
	struct yaml_load ld = {.cfg = cfg, .path = path, .err = err, .errlen = errlen};
	yaml_parser_t parser;
	yaml_document_t doc;
	unsigned char *buf;
	size_t len;
	int rc;

	CAIRN_ASSERT(cfg->entries != NULL);
	CAIRN_ASSERT(path != NULL);
	if ((rc = yaml_read_file(path, &buf, &len, err, errlen)) != 0)
		return rc;
	if (!yaml_parser_initialize(&parser))
		fatalx("yaml_parser_initialize: out of memory");
	yaml_parser_set_input_string(&parser, buf, len);
	/* Only the first document counts, as with etcd's yaml.Unmarshal. */
	if (!yaml_parser_load(&parser, &doc)) {
		yaml_syntax_error(&parser, path, err, errlen);
		rc = CAIRN_EINVAL;
		goto out;
	}
	ld.doc = &doc;
	rc = yaml_walk(&ld);
	yaml_document_delete(&doc);
out:
	yaml_parser_delete(&parser);
	free(buf);
	return rc;
}
