/*
 * stored: reads netd asks for (IPC_STORED_READ_GET): a range served from
 * this member's store once it has applied the read's index (a read index
 * for a linearizable read, 0 for a serializable one), answered by
 * IPC_NETD_RESULT_SET like a write's result.
 */
#ifndef CAIRN_STORED_NODE_READ_H
#define CAIRN_STORED_NODE_READ_H

#include "stored/node.h"

/* Reads waiting for their index; beyond, "etcdserver: too many requests". */
#define STORED_READS_MAX 4096

int stored_read_frame(struct stored_node *n, uint64_t id, const cairn_ipc_Read *in);
/* After a batch: the reads whose index is now applied. */
void stored_reads_serve(struct stored_node *n);
/* netd restarted: its reads went with it. */
void stored_reads_reset(struct stored_node *n);

#endif
