/*
 * netd: lookups in a generated protobuf schema (pbschema.h). Messages are
 * sorted by name and each message's fields indexed by number, so both
 * lookups are binary searches.
 */
#include <string.h>

#include "shared/assert.h"
#include "shared/pbschema.h"

const struct pbs_message *
pbs_message_find(const struct pbs_schema *sc, const char *name)
{
	size_t lo = 0, hi = sc->nmessages;

	CAIRN_ASSERT(name != NULL);
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(name, sc->messages[mid].name);

		if (c == 0)
			return &sc->messages[mid];
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return NULL;
}

const struct pbs_field *
pbs_field_find(const struct pbs_message *m, uint32_t number)
{
	size_t lo = 0, hi = m->nfields;

	CAIRN_ASSERT(m->nfields <= PBS_MESSAGE_FIELDS_MAX);
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const struct pbs_field *f = &m->fields[m->by_number[mid]];

		if (f->number == number)
			return f;
		if (number < f->number)
			hi = mid;
		else
			lo = mid + 1;
	}
	return NULL;
}

const char *
pbs_enum_name(const struct pbs_enum *e, int32_t number)
{
	for (uint16_t i = 0; i < e->nvalues; i++) {
		if (e->values[i].number == number)
			return e->values[i].name;
	}
	return NULL;
}

enum pbw_type
pbs_wire_type(enum pbs_kind k)
{
	switch (k) {
	case PBS_FIXED32: case PBS_SFIXED32: case PBS_FLOAT:
		return PBW_I32;
	case PBS_FIXED64: case PBS_SFIXED64: case PBS_DOUBLE:
		return PBW_I64;
	case PBS_STRING: case PBS_BYTES: case PBS_MESSAGE:
		return PBW_LEN;
	default:
		return PBW_VARINT;
	}
}
