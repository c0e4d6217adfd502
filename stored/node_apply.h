/*
 * stored: applying the committed entries raftd hands over, and sending
 * their results to netd.
 */
#ifndef CAIRN_STORED_NODE_APPLY_H
#define CAIRN_STORED_NODE_APPLY_H

#include "stored/node.h"

/* Results held for netd beyond this (a netd that stopped reading) are
 * dropped, oldest first: its clients time out, as on a lost connection. */
#define STORED_RESULTS_BYTES_MAX (64u << 20)

/* Applies one frame of entries in one batch. 0, or CAIRN_EPROTO when
 * raftd sent something impossible (cut off and reported). */
int stored_apply_entries(struct stored_node *n, const cairn_ipc_ApplyEntries *in);
/* A result's bytes in one frame to netd; larger ones go in parts (of
 * half the ring at most, where the ring is smaller: stored_frame_bytes). */
#define STORED_RESULT_FRAME_BYTES (1u << 20)
size_t stored_frame_bytes(const struct stored_node *n);

/* Holds a result for netd (resp's bytes copied when code is 0). */
void stored_result_keep(struct stored_node *n, uint64_t id, int code, const struct spb *resp);
/* Answers netd's call 'id' now with 'code' and, on success, n->resp; a
 * store that failed (CAIRN_EIO, CAIRN_ECORRUPT) in 'what' stops stored. */
void stored_answer(struct stored_node *n, uint64_t id, int code, const char *what);
/* Sends the results held for netd while its ring has room. */
void stored_send_results(struct stored_node *n);
/* Proposes stored's own request (an InternalRaftRequest of len bytes,
 * copied) through raftd, as request 0: nobody waits for its result. */
int stored_propose(struct stored_node *n, const uint8_t *req, size_t len);
/* Schedules compaction steps when a pass is under way. */
void stored_node_compact_soon(struct stored_node *n);

#endif
