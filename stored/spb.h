/*
 * stored: a growable buffer of protobuf output, for the responses stored
 * encodes by hand (etcdserverpb's, field by field, in field order as Go's
 * protobuf writes them: a client can compare bytes with etcd's).
 */
#ifndef CAIRN_STORED_SPB_H
#define CAIRN_STORED_SPB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "stored/mvcc_types.h"

struct spb {
	uint8_t *buf;                /* owned */
	size_t len, cap;
};

void spb_init(struct spb *o);
void spb_free(struct spb *o);
void spb_reset(struct spb *o);
/* Room for n more bytes at buf + len. */
uint8_t *spb_room(struct spb *o, size_t n);

/* A varint field; proto3: nothing when v is 0. */
void spb_varint(struct spb *o, uint32_t field, uint64_t v);
/* A length-delimited field (bytes, string, or an encoded message); proto3:
 * nothing when empty unless 'always' (an empty message that is present). */
void spb_bytes(struct spb *o, uint32_t field, const void *p, size_t n, bool always);
/* A message field 'outer' holding a message whose one field 'inner'
 * holds the n bytes at p (a oneof wrapper, such as ResponseOp). */
void spb_nested(struct spb *o, uint32_t outer, uint32_t inner, const void *p, size_t n);
/* An mvccpb.KeyValue as field 'field' (its value left out if keys_only). */
void spb_kv(struct spb *o, uint32_t field, const struct mvcc_kv *kv, bool keys_only);

#endif
