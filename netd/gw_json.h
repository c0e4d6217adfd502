/*
 * netd: the JSON gateway's conversions between protobuf and JSON, as etcd
 * 3.4's grpc-gateway (v1) makes them with golang/protobuf's jsonpb:
 * Marshaler{OrigName: true} for answers, Unmarshaler for request bodies.
 * Messages are walked by a schema (shared/pbschema.h, netd/gw_schema.h).
 */
#ifndef CAIRN_NETD_GW_JSON_H
#define CAIRN_NETD_GW_JSON_H

#include <stddef.h>
#include <stdint.h>

#include "shared/pbschema.h"

struct evbuffer;

/* How deep messages may nest, the outermost counted as 1. A nested txn
 * takes two levels (RequestOp, TxnRequest). */
#define GWJ_DEPTH_MAX 32
/* The largest protobuf gwj_from_json makes; etcd's --max-request-bytes
 * is 1.5 MiB by default. */
#define GWJ_PB_BYTES_MAX (4u << 20)
/* Room for any error text gwj_from_json writes (longer ones are cut). */
#define GWJ_ERR_BYTES 256

/*
 * Appends the protobuf pb[0..len), a message m of schema sc, to out as
 * jsonpb writes it: fields in declaration order under their .proto names,
 * zero values left out, 64-bit integers as strings, bytes as base64, enums
 * by name, no spaces. pb is borrowed. 0, or, with out unchanged:
 * CAIRN_ECORRUPT for a malformed message (truncated, a known field of the
 * wrong wire type, nested deeper than GWJ_DEPTH_MAX); CAIRN_EINVAL for a
 * float or double field (etcd's API has none).
 */
int gwj_to_json(const struct pbs_schema *sc, const struct pbs_message *m,
    const uint8_t *pb, size_t len, struct evbuffer *out);

/*
 * Reads the first JSON value of json[0..len), a request body, as jsonpb's
 * Unmarshaler reads it into a message m of schema sc (an empty body or
 * null is the empty message; unknown keys are ignored; a key given both
 * by its .proto and its lowerCamel name takes the lowerCamel one), and
 * encodes the message as proto3 does, in field-number order. *used is set
 * to the bytes read, so that a stream of values can be read one by one
 * (what follows the first is not looked at). json is borrowed. On success
 * returns 0 and sets *pb to a buffer the caller frees with free() (never
 * NULL, even when *pb_len is 0). On error
 * sets *pb to NULL and *pb_len to 0, writes the text Go's gateway answers
 * with (where we can tell it) to err[0..err_cap), NUL-ended, and returns
 * CAIRN_EINVAL, or CAIRN_ETOOBIG when the protobuf would pass
 * GWJ_PB_BYTES_MAX.
 */
int gwj_from_json(const struct pbs_schema *sc, const struct pbs_message *m,
    const char *json, size_t len, uint8_t **pb, size_t *pb_len, size_t *used,
    char *err, size_t err_cap);

/* Appends s[0..n) to out as Go's encoding/json writes a string: quoted,
 * <, > and & as \u003c, \u003e, \u0026, control characters, U+2028 and
 * U+2029 escaped, each byte of invalid UTF-8 as \ufffd. */
void gwj_string(struct evbuffer *out, const char *s, size_t n);

#endif
