/*
 * stored: a growable buffer of protobuf output, for the responses stored
 * encodes by hand (etcdserverpb's, field by field, in field order as Go's
 * protobuf writes them: a client can compare bytes with etcd's).
 */
#ifndef CAIRN_STORED_PBOUT_H
#define CAIRN_STORED_PBOUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "stored/mvcc_types.h"

struct pbout {
	uint8_t *buf;                /* owned */
	size_t len, cap;
};

void pbout_init(struct pbout *o);
void pbout_free(struct pbout *o);
void pbout_reset(struct pbout *o);
/* Room for n more bytes at buf + len. */
uint8_t *pbout_room(struct pbout *o, size_t n);

/* A varint field; proto3: nothing when v is 0. */
void pbout_varint(struct pbout *o, uint32_t field, uint64_t v);
/* A length-delimited field (bytes, string, or an encoded message); proto3:
 * nothing when empty unless 'always' (an empty message that is present). */
void pbout_bytes(struct pbout *o, uint32_t field, const void *p, size_t n, bool always);
/* A message field 'outer' holding a message whose one field 'inner'
 * holds the n bytes at p (a oneof wrapper, such as ResponseOp). */
void pbout_nested(struct pbout *o, uint32_t outer, uint32_t inner, const void *p, size_t n);
/* An mvccpb.KeyValue as field 'field' (its value left out if keys_only). */
void pbout_kv(struct pbout *o, uint32_t field, const struct mvcc_kv *kv, bool keys_only);

#endif
