/*
 * stored: Raft's InstallSnapshot on this member's side: the leader's
 * snapshot received from netd and staged (stored/snap_stage.h), then
 * installed in place of the store when raftd says it stands
 * (IPC_STORED_SNAPSHOT_INSTALL), or later, once a stage covers the
 * index raftd gave (a newer snapshot may have replaced the one raftd
 * took): the store reopened, the applier, the lessor and the watchers
 * carried over to it, and raftd told where the store now stands
 * (IPC_RAFTD_APPLY_RESUME; raftd sends no entries meanwhile).
 */
#ifndef CAIRN_STORED_NODE_SNAP_H
#define CAIRN_STORED_NODE_SNAP_H

#include "stored/node.h"

/* A part netd passes (request 'id'), answered with code 0 or why not.
 * CAIRN_EPROTO for a malformed one. */
int stored_snap_part(struct stored_node *n, uint64_t id, const cairn_ipc_SnapshotPart *in);
/* raftd's snapshot marker: the store must hold at least its index. */
int stored_snap_install(struct stored_node *n, const cairn_ipc_RaftSnapshotMeta *m);

#endif
