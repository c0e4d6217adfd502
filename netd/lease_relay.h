/*
 * netd: lease calls relayed to the leader. Only the leader's lessor keeps
 * the leases' expiries, so etcd's followers forward LeaseKeepAlive and
 * LeaseTimeToLive to their leader; cairn's follower netd passes the call
 * (a LeaseAsk) over the peer transport to the leader's netd, which asks
 * its stored and sends stored's Result back, to be answered as if the
 * follower's own stored had given it, with the follower's own header.
 */
#ifndef CAIRN_NETD_LEASE_RELAY_H
#define CAIRN_NETD_LEASE_RELAY_H

#include <stdbool.h>
#include <stdint.h>

#include "netd/pending.h"
#include "shared/proto/ipc.pb.h"
#include "shared/proto/peer.pb.h"

/* Relayed calls a follower waits for at once (beyond: "too many
 * requests"), and those a leader serves for its followers at once. */
#define LEASE_RELAY_MAX 4096
/* A relayed call unanswered this long fails as etcd's request timeout
 * would ("etcdserver: request timed out"). */
#define LEASE_RELAY_TIMEOUT_MS 5000

struct event;
struct gstream;
struct netd;

/* The follower's relayed calls, oldest first, for their deadlines. */
struct lease_relay_sent {
	uint64_t id;
	int64_t deadline_ms;
};

struct lease_relays {
	struct lease_relay_sent *sent;  /* LEASE_RELAY_MAX, owned: a ring */
	size_t head, len;
	size_t serving;                 /* the leader's, for followers */
	struct event *timer;            /* owned: the oldest call's deadline */
};

void lease_relay_init(struct netd *n);
void lease_relay_free(struct netd *n);

/* The member stream s's lease call must go to: the leader when this
 * member knows one and is not it, else 0 (its own stored answers). */
uint64_t lease_relay_leader(const struct netd *n);
/* Sends stream s's call 'a' to 'leader', the answer to come as stored's
 * would for 'wait'. 0, or a CAIRN_E* code for the client. */
int lease_relay_ask(struct gstream *s, uint64_t leader, enum pending_wait wait,
    const cairn_ipc_LeaseAsk *a);

/* A relay frame from member 'from' (a question for this leader, or an
 * answer for this follower). NULL, or why the peer must be disconnected. */
const char *lease_relay_frame(struct netd *n, uint64_t from, const cairn_peer_LeaseRelay *r);
/* The leader's stored answered the relayed call p: sent back to its
 * follower; p is freed. */
void lease_relay_served(struct netd *n, struct pending *p, const cairn_ipc_Result *res);

#endif
