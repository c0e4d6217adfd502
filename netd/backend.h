/*
 * netd: asking raftd and stored on a client's behalf, and routing their
 * answers back to the client's stream (DESIGN.md section 3: writes are
 * proposed to raftd and answered by stored once applied; linearizable
 * reads wait for a read index from raftd, then stored serves them).
 */
#ifndef CAIRN_NETD_BACKEND_H
#define CAIRN_NETD_BACKEND_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "netd/pending.h"
#include "shared/chan.h"
#include "shared/proc.h"
#include "shared/proto/ipc.pb.h"

struct gstream;
struct netd;

/* Proposes the InternalRaftRequest irr[len] (taken) for stream s, which
 * stored answers once the entry is applied. Returns 0, or a CAIRN_E*
 * code for the client (s is not answered). */
int backend_propose(struct gstream *s, uint8_t *irr, size_t len);
/* The same, the answer going where 'wait' says (PENDING_AUTH_TOKEN: to
 * svc_auth_token). */
int backend_propose_as(struct gstream *s, uint8_t *irr, size_t len, enum pending_wait wait);
/* A proposal of netd's own (irr taken), with no stream: its answer goes
 * to publish_result() for PENDING_PUBLISH, nowhere for PENDING_DROP.
 * Returns 0, or why it could not be sent. */
int backend_propose_internal(struct netd *n, uint8_t *irr, size_t len, enum pending_wait wait);
/* A Maint of netd's own (no stream) for stored, answered to
 * peers_members(): 0, or why it could not be sent. */
int backend_ask_internal(struct netd *n, enum pending_wait wait, const cairn_ipc_Maint *m);
/* Has stored serve the read irr[len] (taken): at once when serializable,
 * else after raftd's read index. Returns as backend_propose. */
int backend_read(struct gstream *s, uint8_t *irr, size_t len, bool serializable);
/* The same, stored's answer going where 'then' says (PENDING_RESULT or
 * PENDING_INNER). */
int backend_read_as(struct gstream *s, uint8_t *irr, size_t len, bool serializable,
    enum pending_wait then);

/* Asks stored a call it serves itself ('type' IPC_STORED_MAINT_DO with a
 * Maint, IPC_STORED_LEASE_GET with a LeaseAsk) for s, whose answer is a
 * Result: with PENDING_RESULT it answers the unary call s; with
 * PENDING_KEEPALIVE it goes to svc_lease_renewed, with PENDING_SNAPSHOT
 * (its parts) to svc_maint_snapshot_part, with PENDING_AUTH_CHECK (its
 * code) to svc_auth_checked. Returns as
 * backend_propose. */
int backend_ask(struct gstream *s, enum pending_wait wait, unsigned type, const void *body);
/* The same, of raftd. */
int backend_ask_raftd(struct gstream *s, enum pending_wait wait, unsigned type,
    const void *body);

/* Sends stored a frame about request 'id' under way (a snapshot's next
 * part, or its end). Returns 0 or chan_send's error. */
int backend_tell(struct netd *n, uint64_t id, unsigned type, const void *body);

/* Takes a request id for stream s, waiting for 'wait'. 0, or
 * CAIRN_ETOOMANYREQ when the table is full. */
int backend_wait(struct gstream *s, enum pending_wait wait);
/* Fails the clients' proposals past etcd's request timeout with its
 * "request timed out" (one that a leader took, then lost its quorum, is
 * never answered otherwise). From a timer. */
void backend_sweep(struct netd *n);
/* Frees request p; its stream, if any, waits no more. */
void backend_unwait(struct netd *n, struct pending *p);
/* Request 'id' answered with res, as stored's Result, or failed with
 * 'code': the answer goes where its wait says. */
void backend_result(struct netd *n, uint64_t id, const cairn_ipc_Result *res);
void backend_fail(struct netd *n, uint64_t id, int code);

/* A frame from raftd or stored for netd's requests or status. Returns 0,
 * or CAIRN_EPROTO for a frame netd does not take from that peer. */
int backend_frame(struct netd *n, enum cairn_proc from, struct chan_msg *m);

#endif
