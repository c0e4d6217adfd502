/*
 * stored: the calls of etcd's Maintenance service that read or reshape
 * the store itself, as netd forwards them (IPC_STORED_MAINT_DO): Hash,
 * HashKV and Defragment, each answered with etcd's response or error.
 */
#ifndef CAIRN_STORED_NODE_MAINT_H
#define CAIRN_STORED_NODE_MAINT_H

#include "stored/node.h"

/* Pages per defragmentation step, and the pause between steps during
 * which entries are applied and reads served (bench/store_bench). */
#define STORED_DEFRAG_PAGES 16
#define STORED_DEFRAG_PAUSE_MS 1

/* Serves call 'id': Hash and HashKV at once, Defragment when done.
 * CAIRN_EPROTO for an operation etcd does not have. */
int stored_maint_frame(struct stored_node *n, uint64_t id, const cairn_ipc_Maint *in);
void stored_maint_stop(struct stored_node *n);

#endif
