/*
 * All processes: the protobuf wire format's small pieces (varints, field
 * tags, skipping unknown fields) for codecs written by hand, where
 * nanopb's 16-bit sizes cannot carry the data or decoding must not copy.
 */
#ifndef CAIRN_PBWIRE_H
#define CAIRN_PBWIRE_H

#include <stddef.h>
#include <stdint.h>

/* Wire types (protobuf encoding spec). Groups (3, 4) are deprecated and,
 * with 6 and 7, refused by the reader. */
enum pbw_type {
	PBW_VARINT = 0,
	PBW_I64 = 1,
	PBW_LEN = 2,
	PBW_I32 = 5,
};

#define PBW_VARINT_BYTES_MAX 10
#define PBW_FIELD_MAX ((1u << 29) - 1)
#define PBW_TAG(field, type) (((uint64_t)(field) << 3) | (uint64_t)(type))

/* A cursor over borrowed bytes: buf[off..len) is still to read. */
struct pbw_reader {
	const uint8_t *buf;
	size_t len;
	size_t off;
};

/* The bytes pbw_put_varint(v) writes: 1 to PBW_VARINT_BYTES_MAX. */
size_t pbw_varint_len(uint64_t v);

/* Writes v as a varint at p (room for pbw_varint_len(v) bytes); returns
 * the bytes written. A negative int64 goes in as its uint64, 10 bytes. */
size_t pbw_put_varint(uint8_t *p, uint64_t v);

/* Reads a varint at r->off into *v and moves past it. Non-minimal forms
 * are accepted, as protobuf does. CAIRN_ECORRUPT when it is truncated or
 * holds more than 64 bits; then *v and r are unchanged. */
int pbw_get_varint(struct pbw_reader *r, uint64_t *v);

/* Reads a field tag. CAIRN_ECORRUPT for field number 0 or above
 * PBW_FIELD_MAX, a group or an undefined wire type, or a bad varint;
 * then r is unchanged. */
int pbw_get_tag(struct pbw_reader *r, uint32_t *field, enum pbw_type *type);

/* Reads a length-delimited payload: *data points into r->buf (borrowed,
 * not copied). CAIRN_ECORRUPT when the length runs past the end. */
int pbw_get_bytes(struct pbw_reader *r, const uint8_t **data, size_t *n);

/* Moves past the payload of a field of wire type 'type' (an unknown
 * field). CAIRN_ECORRUPT when it is truncated or the type is not one of
 * enum pbw_type. */
int pbw_skip(struct pbw_reader *r, enum pbw_type type);

/* One field of a message, as pbw_next reads it. */
struct pbw_field {
	uint32_t number;
	enum pbw_type type;
	uint64_t v;       /* PBW_VARINT; PBW_I32 and PBW_I64: the little-endian value */
	const uint8_t *p; /* PBW_LEN: the payload, borrowed from the reader's buffer */
	size_t n;
};

/* Reads the next field of r into *f: 1, or 0 at the end of r, or
 * CAIRN_ECORRUPT (a bad tag, a truncated value; *f and r unspecified). */
int pbw_next(struct pbw_reader *r, struct pbw_field *f);

/* A message of varint fields numbered 1 to n (etcd's leasepb.Lease,
 * AlarmMember): v[i] is field i + 1; zeros are left out, as proto3 does.
 * Returns the bytes written (at most n * (1 + PBW_VARINT_BYTES_MAX)). */
size_t pbw_put_varints(uint8_t *p, const uint64_t *v, uint32_t n);
/* Reads such a message into v (absent fields 0; other fields skipped).
 * 0, or CAIRN_ECORRUPT. */
int pbw_get_varints(const uint8_t *p, size_t len, uint64_t *v, uint32_t n);

#endif
