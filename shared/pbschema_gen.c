/*
 * Build time: reads protoc's FileDescriptorSet (--descriptor_set_out with
 * --include_imports) and writes C source that defines one struct
 * pbs_schema (shared/pbschema.h) as constant tables.
 * Usage: pbschema_gen DESCRIPTORS SYMBOL HEADER > FILE.c
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "shared/pbschema.h"
#include "shared/pbwire.h"
#include "shared/xmalloc.h"

/* protoc writes some 20 KiB for etcd's API. */
#define GEN_INPUT_BYTES_MAX (16u << 20)

/* descriptor.proto's FieldDescriptorProto.Label of a repeated field. */
#define GEN_LABEL_REPEATED 3

struct gen_field {
	char *name, *json_name, *type_name;
	uint32_t number;
	uint64_t label, type;
	int64_t oneof; /* -1: none */
};

struct gen_msg {
	char *name;
	struct gen_field *fields;
	size_t nfields;
	char **oneofs; /* OneofDescriptorProto names, in declaration order */
	size_t noneofs;
};

struct gen_value {
	char *name;
	int32_t number;
};

struct gen_enum {
	char *name, *go_name;
	struct gen_value *values;
	size_t nvalues;
};

struct gen {
	struct gen_msg *msgs;
	size_t nmsgs;
	struct gen_enum *enums;
	size_t nenums;
};

static void gen_fail(const char *what, const char *name) __attribute__((noreturn));

static void
gen_fail(const char *what, const char *name)
{
	fprintf(stderr, "pbschema_gen: %s%s%s\n", what, name ? ": " : "", name ? name : "");
	exit(1);
}

/* Reads the next field of r into it; false at the end of r. */
static bool
gen_next(struct pbw_reader *r, struct pbw_field *it)
{
	int rc = pbw_next(r, it);

	if (rc != 0 && rc != 1) /* CAIRN_ECORRUPT */
		gen_fail("corrupt descriptor set", NULL);
	return rc == 1;
}

static void
gen_want(const struct pbw_field *it, enum pbw_type type)
{
	if (it->type != type)
		gen_fail("unexpected wire type in the descriptor set", NULL);
}

/* A NUL-ended copy of a name: identifier characters and dots only, as the
 * generated C quotes it without escapes. */
static char *
gen_name(const struct pbw_field *it)
{
	char *s;

	gen_want(it, PBW_LEN);
	s = xmalloc(it->n + 1);
	memcpy(s, it->p, it->n);
	s[it->n] = '\0';
	if (it->n == 0 || strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	    "0123456789_.") != it->n)
		gen_fail("unexpected characters in a name", s);
	return s;
}

static char *
gen_join(const char *a, const char *sep, const char *b)
{
	size_t n = strlen(a) + strlen(sep) + strlen(b) + 1;
	char *s = xmalloc(n);

	snprintf(s, n, "%s%s%s", a, sep, b);
	return s;
}

/* The first field 1 (name) of a descriptor message. */
static char *
gen_first_name(const uint8_t *p, size_t n)
{
	struct pbw_reader r = {.buf = p, .len = n};
	struct pbw_field it;

	while (gen_next(&r, &it)) {
		if (it.number == 1)
			return gen_name(&it);
	}
	gen_fail("a descriptor without a name", NULL);
}

static void
gen_read_field(struct gen_msg *m, const uint8_t *p, size_t n)
{
	struct pbw_reader r = {.buf = p, .len = n};
	struct pbw_field it;
	struct gen_field *f;

	m->fields = xrealloc(m->fields, (m->nfields + 1) * sizeof(*m->fields));
	f = &m->fields[m->nfields++];
	memset(f, 0, sizeof(*f));
	f->oneof = -1;
	while (gen_next(&r, &it)) {
		if (it.number == 1)
			f->name = gen_name(&it);
		else if (it.number == 6)
			f->type_name = gen_name(&it);
		else if (it.number == 10)
			f->json_name = gen_name(&it);
		else if (it.number == 3 || it.number == 4 || it.number == 5 || it.number == 9)
			gen_want(&it, PBW_VARINT);
		if (it.number == 3)
			f->number = (uint32_t)it.v;
		else if (it.number == 4)
			f->label = it.v;
		else if (it.number == 5)
			f->type = it.v;
		else if (it.number == 9)
			f->oneof = (int64_t)it.v;
		else if (it.number == 17 && it.type == PBW_VARINT && it.v != 0)
			gen_fail("proto3 optional fields are not supported", m->name);
	}
	if (f->name == NULL || f->number == 0 || f->number > PBW_FIELD_MAX)
		gen_fail("a field without a name or number in", m->name);
	if (f->json_name == NULL)
		gen_fail("protoc gave no json_name to a field of", m->name);
}

static void
gen_read_enum(struct gen *g, const uint8_t *p, size_t n, const char *parent,
    const char *go_parent, const char *go_sep)
{
	struct pbw_reader r = {.buf = p, .len = n};
	struct pbw_field it, vit;
	char *name = gen_first_name(p, n);
	struct gen_enum *e;

	g->enums = xrealloc(g->enums, (g->nenums + 1) * sizeof(*g->enums));
	e = &g->enums[g->nenums++];
	memset(e, 0, sizeof(*e));
	e->name = gen_join(parent, ".", name);
	e->go_name = gen_join(go_parent, go_sep, name);
	free(name);
	while (gen_next(&r, &it)) {
		struct pbw_reader vr = {.buf = it.p, .len = it.n};
		struct gen_value *v;

		if (it.number != 2)
			continue;
		gen_want(&it, PBW_LEN);
		e->values = xrealloc(e->values, (e->nvalues + 1) * sizeof(*e->values));
		v = &e->values[e->nvalues++];
		v->name = gen_first_name(it.p, it.n);
		v->number = 0;
		while (gen_next(&vr, &vit)) {
			if (vit.number == 2 && vit.type == PBW_VARINT)
				v->number = (int32_t)(uint32_t)vit.v; /* int32 as a varint */
		}
	}
	if (e->nvalues == 0 || e->nvalues > UINT16_MAX)
		gen_fail("an enum with no values, or too many", e->name);
}

static void
gen_read_message(struct gen *g, const uint8_t *p, size_t n, const char *parent,
    const char *go_parent, const char *go_sep)
{
	struct pbw_reader r = {.buf = p, .len = n};
	struct pbw_field it;
	char *name = gen_first_name(p, n);
	char *full = gen_join(parent, ".", name), *go = gen_join(go_parent, go_sep, name);
	size_t at = g->nmsgs;

	free(name);
	g->msgs = xrealloc(g->msgs, (g->nmsgs + 1) * sizeof(*g->msgs));
	g->msgs[g->nmsgs++] = (struct gen_msg){.name = full};
	while (gen_next(&r, &it)) {
		if (it.number == 2 || it.number == 3 || it.number == 4 || it.number == 7 ||
		    it.number == 8)
			gen_want(&it, PBW_LEN);
		if (it.number == 2) {
			gen_read_field(&g->msgs[at], it.p, it.n);
		} else if (it.number == 8) {
			struct gen_msg *m = &g->msgs[at];

			/* oneof_decl: a field's oneof_index counts these. */
			m->oneofs = xrealloc(m->oneofs, (m->noneofs + 1) * sizeof(*m->oneofs));
			m->oneofs[m->noneofs++] = gen_first_name(it.p, it.n);
		} else if (it.number == 3) {
			gen_read_message(g, it.p, it.n, full, go, "_");
		} else if (it.number == 4) {
			gen_read_enum(g, it.p, it.n, full, go, "_");
		} else if (it.number == 7) {
			/* MessageOptions.map_entry: jsonpb writes maps as objects. */
			uint64_t opt[7];

			if (pbw_get_varints(it.p, it.n, opt, 7) != 0 || opt[6] != 0)
				gen_fail("map fields are not supported", full);
		}
	}
	free(go);
}

static void
gen_read_file(struct gen *g, const uint8_t *p, size_t n)
{
	struct pbw_reader r = {.buf = p, .len = n};
	struct pbw_field it;
	char *pkg = NULL;

	while (gen_next(&r, &it)) {
		if (it.number == 2)
			pkg = gen_name(&it);
	}
	if (pkg == NULL)
		gen_fail("a .proto file without a package", NULL);
	r.off = 0;
	while (gen_next(&r, &it)) {
		if (it.number == 4 || it.number == 5)
			gen_want(&it, PBW_LEN);
		if (it.number == 4)
			gen_read_message(g, it.p, it.n, pkg, pkg, ".");
		else if (it.number == 5)
			gen_read_enum(g, it.p, it.n, pkg, pkg, ".");
	}
	free(pkg);
}

static int
gen_msg_cmp(const void *a, const void *b)
{
	return strcmp(((const struct gen_msg *)a)->name, ((const struct gen_msg *)b)->name);
}

static int
gen_enum_cmp(const void *a, const void *b)
{
	return strcmp(((const struct gen_enum *)a)->name, ((const struct gen_enum *)b)->name);
}

/* The index of the message or enum ".pkg.Name" names, after sorting. */
static size_t
gen_resolve(const struct gen *g, const struct gen_field *f, bool message)
{
	const char *name = f->type_name ? f->type_name : "";

	if (name[0] != '.')
		gen_fail("a field without a type name", f->name);
	for (size_t i = 0; message && i < g->nmsgs; i++) {
		if (strcmp(g->msgs[i].name, name + 1) == 0)
			return i;
	}
	for (size_t i = 0; !message && i < g->nenums; i++) {
		if (strcmp(g->enums[i].name, name + 1) == 0)
			return i;
	}
	gen_fail("an unknown type", name);
}

/* descriptor.proto's FieldDescriptorProto.Type (1 to 18) as C text. */
static const char *
gen_kind(uint64_t type, const char *field)
{
	static const char *const kinds[] = {
		[1] = "PBS_DOUBLE", [2] = "PBS_FLOAT", [3] = "PBS_INT64",
		[4] = "PBS_UINT64", [5] = "PBS_INT32", [6] = "PBS_FIXED64",
		[7] = "PBS_FIXED32", [8] = "PBS_BOOL", [9] = "PBS_STRING",
		[11] = "PBS_MESSAGE", [12] = "PBS_BYTES", [13] = "PBS_UINT32",
		[14] = "PBS_ENUM", [15] = "PBS_SFIXED32", [16] = "PBS_SFIXED64",
		[17] = "PBS_SINT32", [18] = "PBS_SINT64",
	};

	if (type >= sizeof(kinds) / sizeof(kinds[0]) || kinds[type] == NULL)
		gen_fail("an unsupported field type (a group?)", field);
	return kinds[type];
}

static void
gen_emit_index(size_t i)
{
	if (i == PBS_NONE)
		printf("PBS_NONE");
	else
		printf("%zu", i);
}

static void
gen_emit_fields(const struct gen *g, size_t i)
{
	const struct gen_msg *m = &g->msgs[i];
	uint16_t order[PBS_MESSAGE_FIELDS_MAX];

	if (m->nfields > PBS_MESSAGE_FIELDS_MAX || m->noneofs > PBS_MESSAGE_FIELDS_MAX)
		gen_fail("more fields or oneofs than PBS_MESSAGE_FIELDS_MAX in", m->name);
	printf("static const struct pbs_field m%zu_fields[] = {\n", i);
	for (size_t k = 0; k < m->nfields; k++) {
		const struct gen_field *f = &m->fields[k];
		const char *kind = gen_kind(f->type, f->name);
		size_t type = PBS_NONE;

		if (f->type == 11 || f->type == 14)
			type = gen_resolve(g, f, f->type == 11);
		if (f->oneof >= 0 && (size_t)f->oneof >= m->noneofs)
			gen_fail("a field of an undeclared oneof in", m->name);
		printf("\t{\"%s\", \"%s\", %u, %s, %s, ", f->name, f->json_name, f->number,
		    kind, f->label == GEN_LABEL_REPEATED ? "true" : "false");
		gen_emit_index(type);
		printf(", ");
		gen_emit_index(f->oneof < 0 ? PBS_NONE : (size_t)f->oneof);
		printf("},\n");
		order[k] = (uint16_t)k;
	}
	printf("};\n");
	/* Insertion sort by number; a number used twice is protoc's error. */
	for (size_t k = 1; k < m->nfields; k++) {
		for (size_t j = k; j > 0 && m->fields[order[j]].number <
		    m->fields[order[j - 1]].number; j--) {
			uint16_t t = order[j];

			order[j] = order[j - 1];
			order[j - 1] = t;
		}
	}
	printf("static const uint16_t m%zu_by_number[] = {", i);
	for (size_t k = 0; k < m->nfields; k++)
		printf("%s%u", k ? ", " : "", order[k]);
	printf("};\n");
	if (m->noneofs == 0)
		return;
	printf("static const char *const m%zu_oneofs[] = {", i);
	for (size_t k = 0; k < m->noneofs; k++)
		printf("%s\"%s\"", k ? ", " : "", m->oneofs[k]);
	printf("};\n");
}

static void
gen_emit(const struct gen *g, const char *symbol, const char *header, const char *input)
{
	printf("/* Generated by shared/pbschema_gen from %s: do not edit. */\n", input);
	printf("#include <stddef.h>\n\n#include \"shared/pbschema.h\"\n#include \"%s\"\n\n", header);
	for (size_t i = 0; i < g->nmsgs; i++) {
		if (g->msgs[i].nfields > 0)
			gen_emit_fields(g, i);
	}
	for (size_t i = 0; i < g->nenums; i++) {
		printf("static const struct pbs_enum_value e%zu_values[] = {\n", i);
		for (size_t k = 0; k < g->enums[i].nvalues; k++)
			printf("\t{\"%s\", %d},\n", g->enums[i].values[k].name,
			    g->enums[i].values[k].number);
		printf("};\n");
	}
	printf("\nstatic const struct pbs_message messages[] = {\n");
	for (size_t i = 0; i < g->nmsgs; i++) {
		if (g->msgs[i].nfields == 0)
			printf("\t{\"%s\", NULL, NULL, 0, NULL, 0},\n", g->msgs[i].name);
		else if (g->msgs[i].noneofs == 0)
			printf("\t{\"%s\", m%zu_fields, m%zu_by_number, %zu, NULL, 0},\n",
			    g->msgs[i].name, i, i, g->msgs[i].nfields);
		else
			printf("\t{\"%s\", m%zu_fields, m%zu_by_number, %zu, m%zu_oneofs, %zu},\n",
			    g->msgs[i].name, i, i, g->msgs[i].nfields, i, g->msgs[i].noneofs);
	}
	printf("};\n\nstatic const struct pbs_enum enums[] = {\n");
	for (size_t i = 0; i < g->nenums; i++)
		printf("\t{\"%s\", \"%s\", e%zu_values, %zu},\n", g->enums[i].name,
		    g->enums[i].go_name, i, g->enums[i].nvalues);
	printf("};\n\nconst struct pbs_schema %s = {messages, enums, %zu, %zu};\n", symbol,
	    g->nmsgs, g->nenums);
}

static uint8_t *
gen_load(const char *path, size_t *n)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf = xmalloc(GEN_INPUT_BYTES_MAX);

	if (f == NULL)
		gen_fail("cannot open", path);
	*n = fread(buf, 1, GEN_INPUT_BYTES_MAX, f);
	if (ferror(f) || !feof(f))
		gen_fail("cannot read all of", path);
	fclose(f);
	return buf;
}

int
main(int argc, char **argv)
{
	struct gen g = {0};
	struct pbw_reader r;
	struct pbw_field it;
	size_t n;
	uint8_t *buf;

	if (argc != 4 || strspn(argv[2], "abcdefghijklmnopqrstuvwxyz_0123456789") !=
	    strlen(argv[2]))
		gen_fail("usage: pbschema_gen DESCRIPTORS SYMBOL HEADER > FILE.c", NULL);
	buf = gen_load(argv[1], &n);
	r = (struct pbw_reader){.buf = buf, .len = n};
	while (gen_next(&r, &it)) {
		if (it.number == 1) {
			gen_want(&it, PBW_LEN);
			gen_read_file(&g, it.p, it.n);
		}
	}
	if (g.nmsgs == 0 || g.nmsgs >= PBS_NONE || g.nenums >= PBS_NONE)
		gen_fail("no messages, or too many", NULL);
	qsort(g.msgs, g.nmsgs, sizeof(*g.msgs), gen_msg_cmp);
	qsort(g.enums, g.nenums, sizeof(*g.enums), gen_enum_cmp);
	for (size_t i = 1; i < g.nmsgs; i++) {
		if (strcmp(g.msgs[i - 1].name, g.msgs[i].name) == 0)
			gen_fail("a message defined twice", g.msgs[i].name);
	}
	gen_emit(&g, argv[2], argv[3], argv[1]);
	if (fflush(stdout) != 0 || ferror(stdout))
		gen_fail("cannot write the output", NULL);
	return 0;
}
