/*
 * cairnctl: a protobuf answer as etcdctl 3.4's -w json prints it, Go's
 * encoding/json over the gogo-protobuf structs of etcd's API, walked by a
 * schema (shared/pbschema.h, netd/gw_schema.h).
 */
#ifndef CAIRN_CTL_PB_GOJSON_H
#define CAIRN_CTL_PB_GOJSON_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "shared/pbschema.h"

/* How deep messages may nest, the outermost counted as 1. */
#define PB_GOJSON_DEPTH_MAX 64

/*
 * Writes the message m of schema sc, the protobuf buf[0..len), to out as
 * json.Marshal writes the gogo struct it decodes into: fields in
 * declaration order under their .proto names, zero values, empty lists
 * and absent messages left out, integers and enums as numbers, bytes as
 * padded base64, a oneof as {"<OneofName>":{"<MemberName>":value}} (Go's
 * CamelCase names) or "<OneofName>":null when no member is set. No
 * newline. buf, sc and m are borrowed. Returns 0; or, with nothing
 * written: CAIRN_ECORRUPT for a malformed message (truncated, a known
 * field of the wrong wire type, nested deeper than PB_GOJSON_DEPTH_MAX),
 * CAIRN_EINVAL for a float or double field (etcd's API has none); or
 * CAIRN_EIO when writing to out fails (part may be written).
 */
int pb_gojson_write(FILE *out, const struct pbs_schema *sc, const struct pbs_message *m,
    const uint8_t *buf, size_t len);

#endif
