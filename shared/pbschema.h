/*
 * netd, cairnctl (and the build): a protobuf schema as constant tables,
 * made at build time from protoc's descriptors by shared/pbschema_gen.c,
 * for code that walks messages by their field names (netd's JSON gateway,
 * cairnctl's -w json).
 */
#ifndef CAIRN_PBSCHEMA_H
#define CAIRN_PBSCHEMA_H

#include <stdbool.h>
#include <stdint.h>

#include "shared/pbwire.h"

/* A field's type, descriptor.proto's FieldDescriptorProto.Type without
 * groups (the generator refuses those). */
enum pbs_kind {
	PBS_INT32 = 1,
	PBS_INT64,
	PBS_UINT32,
	PBS_UINT64,
	PBS_SINT32,
	PBS_SINT64,
	PBS_FIXED32,
	PBS_FIXED64,
	PBS_SFIXED32,
	PBS_SFIXED64,
	PBS_BOOL,
	PBS_STRING,
	PBS_BYTES,
	PBS_ENUM,
	PBS_MESSAGE,
	PBS_FLOAT,
	PBS_DOUBLE,
};

/* No type index (a scalar field) or no oneof. */
#define PBS_NONE UINT16_MAX
/* The most fields one message may have; the generator refuses more. */
#define PBS_MESSAGE_FIELDS_MAX 64

struct pbs_field {
	const char *name;      /* the .proto name: "create_revision", "dbSize" */
	const char *json_name; /* protoc's lowerCamel json_name: "createRevision" */
	uint32_t number;
	enum pbs_kind kind;
	bool repeated;
	uint16_t type;         /* PBS_MESSAGE: index in messages; PBS_ENUM: in enums */
	uint16_t oneof;        /* its oneof's index in the message, or PBS_NONE */
};

struct pbs_message {
	const char *name;              /* full name: "etcdserverpb.RangeRequest" */
	const struct pbs_field *fields; /* in declaration order */
	const uint16_t *by_number;     /* indexes into fields, by ascending number */
	uint16_t nfields;
	const char *const *oneofs;     /* .proto names by pbs_field.oneof: "response" */
	uint16_t noneofs;
};

struct pbs_enum_value {
	const char *name;
	int32_t number;
};

struct pbs_enum {
	const char *name;    /* full name: "etcdserverpb.RangeRequest.SortOrder" */
	const char *go_name; /* Go's type name: "etcdserverpb.RangeRequest_SortOrder" */
	const struct pbs_enum_value *values; /* declaration order */
	uint16_t nvalues;
};

struct pbs_schema {
	const struct pbs_message *messages; /* sorted by name */
	const struct pbs_enum *enums;
	uint16_t nmessages;
	uint16_t nenums;
};

/* The message of full name 'name' ("etcdserverpb.RangeRequest"), or NULL.
 * The result is borrowed from sc. */
const struct pbs_message *pbs_message_find(const struct pbs_schema *sc, const char *name);

/* The wire type a single value of kind k takes (a repeated scalar may
 * also come packed, as PBW_LEN). */
enum pbw_type pbs_wire_type(enum pbs_kind k);

/* The field of m numbered 'number', or NULL when m has none. */
const struct pbs_field *pbs_field_find(const struct pbs_message *m, uint32_t number);

/* The name of the first value of e numbered 'number' (protobuf allows
 * aliases), or NULL when none has it. */
const char *pbs_enum_name(const struct pbs_enum *e, int32_t number);

#endif
