/*
 * netd: the join question, both ends. A member that joins a running
 * cluster (--initial-cluster-state existing, no WAL yet) must learn the
 * cluster's ID and its members' IDs before raftd can start, as etcd asks
 * GET /members of the other members' peer URLs. The supervisor starts
 * netd alone for it (NetdConfig.join): netd dials every peer URL of
 * --initial-cluster but its own member's at once, sends a join_ask frame,
 * and passes the first well-formed answer to the supervisor
 * (IPC_SUPERVISOR_JOIN_INFO), or an empty one when every URL failed or
 * PEER_JOIN_MS passed.
 * A running member answers a join_ask with one join frame: its cluster ID
 * and the members of stored's members table as netd last read it
 * (peers_members), then closes.
 */
#ifndef CAIRN_NETD_PEER_JOIN_H
#define CAIRN_NETD_PEER_JOIN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "shared/proto/ipc.pb.h"
#include "shared/raft_peer.h"

/* etcd's timeout for the question (its GetClusterFromRemotePeers). */
#define PEER_JOIN_MS 10000
/* Peer URLs asked at once: every URL of every other member. */
#define PEER_JOIN_URLS_MAX (RAFT_PEER_MEMBERS_MAX * 8)
/* The answer's frame: a JoinInfo and its tags. */
#define PEER_JOIN_FRAME_BYTES_MAX (cairn_ipc_JoinInfo_size + 64u)

struct netd;
struct peer_in;
struct peer_join;

/* Asks the question (netd in join mode); the answer goes to the
 * supervisor. Fatal only when netd cannot allocate. */
void peer_join_start(struct netd *n);
/* Stops asking (netd stops). */
void peer_join_free(struct netd *n);

/* A Member of stored's members table (etcdserverpb.Member's bytes), for
 * the answer; rec NULL begins a new list. A list is answered with once
 * peers.known_ok says it was read whole. */
void peer_join_note(struct netd *n, const uint8_t *rec, size_t len);
/* Forgets the members noted (netd stops). */
void peer_join_forget(struct netd *n);
/* The answer to a join_ask on pi: NULL once queued (pi then closes when
 * it is written), or why pi must close at once. */
const char *peer_join_answer(struct peer_in *pi);

#endif
