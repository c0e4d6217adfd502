/*
 * stored: mvccpb.KeyValue, the value of etcd's key table, in protobuf's
 * wire format, by hand: values reach 1.5 MiB (nanopb's sizes are 16-bit)
 * and reading must not copy them.
 */
#ifndef CAIRN_STORED_KV_CODEC_H
#define CAIRN_STORED_KV_CODEC_H

#include <stddef.h>
#include <stdint.h>

#include "stored/mvcc_types.h"

/* The bytes kv_encode(kv) writes. */
size_t kv_encoded_len(const struct mvcc_kv *kv);

/* Encodes kv as etcd (gogoproto) does: fields in number order, zero and
 * empty ones left out (proto3), a negative int64 as a 10-byte varint. buf
 * has room for kv_encoded_len(kv) bytes; returns the bytes written. kv's
 * bytes are borrowed and copied into buf. */
size_t kv_encode(const struct mvcc_kv *kv, uint8_t *buf);

/* Decodes buf[0..len) into *out without copying: out->key and out->value
 * point into buf, so buf must outlive them. An absent field is 0, or empty
 * (pointing at a static byte, never NULL). Fields may come in any order;
 * the last of a repeated field wins and unknown fields are skipped, as
 * protobuf requires. CAIRN_ECORRUPT for a truncated or over-long varint,
 * a length past the end, a known field of the wrong wire type, a group,
 * or a bad tag; then *out is unchanged. */
int kv_decode(const uint8_t *buf, size_t len, struct mvcc_kv *out);

#endif
