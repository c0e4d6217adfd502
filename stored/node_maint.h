/*
 * stored: the calls of etcd's Maintenance service that read or reshape
 * the store itself, as netd forwards them (IPC_STORED_MAINT_DO): Hash,
 * HashKV and Defragment, each answered with etcd's response or error, and
 * Snapshot, answered with the snapshot's bytes (netd makes etcd's
 * SnapshotResponses of them); and the Cluster service's MemberList.
 */
#ifndef CAIRN_STORED_NODE_MAINT_H
#define CAIRN_STORED_NODE_MAINT_H

#include "stored/node.h"

/* Pages per defragmentation step, and the pause between steps during
 * which entries are applied and reads served (bench/store_bench). */
#define STORED_DEFRAG_PAGES 16
#define STORED_DEFRAG_PAUSE_MS 1
/* Snapshot parts netd may ask for ahead (SNAPSHOT_MORE): it asks for one
 * at a time; a netd that asks for more gets no more than this many. */
#define STORED_SNAPSHOT_CREDIT_MAX 4

/* Serves call 'id': Hash and HashKV at once, Defragment when done.
 * CAIRN_EPROTO for an operation etcd does not have. */
int stored_maint_frame(struct stored_node *n, uint64_t id, const cairn_ipc_Maint *in);
/* Sends what netd can take of a snapshot under way (after the results
 * waiting before it). */
void stored_maint_send(struct stored_node *n);
void stored_maint_stop(struct stored_node *n);
/* Ends the calls under way (Defragment, Snapshot) with 'code': the store
 * they work on is about to be replaced. */
void stored_maint_abort(struct stored_node *n, int code);

#endif
