/*
 * supervisor: joining a running cluster (see join.c).
 */
#ifndef CAIRN_SUPERVISOR_JOIN_H
#define CAIRN_SUPERVISOR_JOIN_H

#include "shared/proto/ipc.pb.h"

struct supervisor;

/* netd's answer to the join question (IPC_SUPERVISOR_JOIN_INFO): the
 * member joins with the cluster's IDs, or stops with etcd's error. */
void join_answer(struct supervisor *s, const cairn_ipc_JoinInfo *info);

#endif
