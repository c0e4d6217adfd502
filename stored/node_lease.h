/*
 * stored: lease expiry in the process: the lessor follows this member's
 * Raft role, and the leader proposes a revoke for each expired lease.
 */
#ifndef CAIRN_STORED_NODE_LEASE_H
#define CAIRN_STORED_NODE_LEASE_H

#include "stored/node.h"

/* How often expired leases are looked for, and how many revokes one look
 * may propose (etcd's leaseRevokeRate, 1,000 a second). */
#define STORED_LEASE_CHECK_MS 500
#define STORED_LEASE_REVOKES_MAX 500

int stored_lease_start(struct stored_node *n);
void stored_lease_stop(struct stored_node *n);
/* raftd's status: leader or not. */
void stored_lease_role(struct stored_node *n, uint32_t role);
/* Serves netd's Lease call 'id' (node_lease_ask.c). CAIRN_EPROTO for an
 * operation etcd does not have. */
int stored_lease_frame(struct stored_node *n, uint64_t id, const cairn_ipc_LeaseAsk *in);

#endif
