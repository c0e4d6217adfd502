/*
 * netd: Raft's InstallSnapshot over the peer transport. When raftd sends
 * a member a snapshot (a RaftMsg with a snapshot marker), the leader's
 * netd has its stored write a copy of the store (Maint PEER_SNAPSHOT,
 * stored/snapshot.h's stream) and sends it on the member's connection in
 * SnapshotPart frames, asking stored for the next part only once the
 * connection has sent the last one down to PEER_SNAP_OUT_LOW_BYTES (so
 * heartbeats wait behind one part at most), then the message itself, and
 * tells raftd how it went (IPC_RAFTD_SNAPSHOT_STATUS).
 * The member's netd passes each part to its stored (IPC_STORED_SNAPSHOT_RECV)
 * and reads no more from that connection until stored took it; the
 * message goes on to raftd only after stored took the whole snapshot and
 * checked it. A part out of order, a message without its data, or a
 * snapshot stored refuses closes the connection (the leader tries again).
 */
#ifndef CAIRN_NETD_PEER_SNAP_H
#define CAIRN_NETD_PEER_SNAP_H

#include <stdbool.h>
#include <stdint.h>

#include "shared/proto/ipc.pb.h"

/* The snapshot's parts a connection may hold unsent before netd asks
 * stored for the next one. */
#define PEER_SNAP_OUT_LOW_BYTES (1u << 20)

struct evbuffer;
struct netd;
struct peer_out;
struct peer_in;
struct pending;

/* A snapshot going out to one member (in struct peer_out). */
struct peer_snap_out {
	uint64_t id;                /* stored's snapshot call; 0: none under way */
	uint64_t total, sent;       /* the snapshot's bytes; sent so far */
	struct evbuffer *msg;       /* raftd's message, framed: sent last (owned) */
	bool want_more;             /* the next part waits for the connection */
	int8_t owed;                /* a status raftd has not had: 1 ok, 0 failed;
	                             * -1 none */
};

/* A snapshot coming in on one connection (in struct peer_in). A part
 * goes to stored in pieces that fit this member's ring (the leader's may
 * be larger). */
struct peer_snap_in {
	uint64_t total, got;        /* the snapshot's bytes; stored took so far */
	uint64_t asked;             /* the piece stored has not answered: its
	                             * request id (0: none) and bytes */
	uint32_t piece;
	uint8_t *part;              /* the part being passed (owned), its bytes,
	                             * and how many went */
	uint32_t part_len, part_off;
	bool whole;                 /* stored took it all: the message may pass */
};

void peer_snap_out_init(struct peer_snap_out *s);
/* raftd's snapshot message m for member p (NULL: one netd does not
 * dial, failed at once): its data goes first. */
void peer_snap_send(struct netd *n, struct peer_out *p, const cairn_ipc_RaftMsg *m);
/* stored's part for pending call 'pe' (a PENDING_SNAP_OUT). */
void peer_snap_send_part(struct netd *n, struct pending *pe, const cairn_ipc_Result *res);
/* p's connection wrote down to its low mark: the next part, if waited. */
void peer_snap_send_drained(struct peer_out *p);
/* p's connection went down or p left: the snapshot under way failed. */
void peer_snap_send_abort(struct peer_out *p);
/* Statuses raftd could not take when due: sent now if it can. */
void peer_snap_status_flush(struct netd *n);

/* A part from the member pi is connected to: NULL, or why the connection
 * must close. */
const char *peer_snap_recv_part(struct peer_in *pi, const cairn_ipc_SnapshotPart *part);
/* A snapshot message from it: true when its data came whole before it
 * (and is then used up). */
bool peer_snap_recv_take(struct peer_in *pi);
/* Whether pi waits for stored to take a part (reading paused). */
bool peer_snap_recv_waiting(const struct peer_in *pi);
/* stored's answer for pending call 'pe' (a PENDING_SNAP_IN). */
void peer_snap_recv_taken(struct netd *n, struct pending *pe, const cairn_ipc_Result *res);
/* pi is closing: a part stored has not answered is orphaned. */
void peer_snap_recv_close(struct peer_in *pi);

#endif
