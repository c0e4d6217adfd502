/*
 * netd: etcd's v3 API (etcdserverpb, mvccpb, authpb, v3electionpb,
 * v3lockpb) as a protobuf schema for the JSON gateway. The tables are
 * generated at build time (netd/gw_schema.c, by shared/pbschema_gen from
 * protoc's descriptors of shared/proto).
 */
#ifndef CAIRN_NETD_GW_SCHEMA_H
#define CAIRN_NETD_GW_SCHEMA_H

#include "shared/pbschema.h"

extern const struct pbs_schema pbs_etcd;

#endif
