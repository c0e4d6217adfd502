/*
 * netd: the request-id table. A request sent to raftd or stored carries
 * an id in its frame; the answer comes back with the same id. The table
 * says which client stream waits for it. A stream that goes away before
 * its answer leaves its slot taken (orphaned) until the answer arrives,
 * so an id is never reused while a reply for it may still come.
 */
#ifndef CAIRN_NETD_PENDING_H
#define CAIRN_NETD_PENDING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Requests in flight at once (a power of two): beyond it, clients get
 * etcd's "too many requests". */
#define PENDING_SLOTS (1u << 16)

struct gstream;

/* What a request waits for. */
enum pending_wait {
	PENDING_FREE = 0,
	PENDING_RESULT,       /* stored's Result (after a proposal or a read) */
	PENDING_READ_INDEX,   /* raftd's read index, then a Read to stored */
	PENDING_WATCH,        /* a watcher: stored's events, until cancelled */
	PENDING_KEEPALIVE,    /* stored's Result for a LeaseKeepAlive stream */
	PENDING_SNAPSHOT,     /* stored's Results, a snapshot's parts */
	PENDING_AUTH_CHECK,   /* stored's password check for an Authenticate */
	PENDING_AUTH_TOKEN,   /* the Authenticate proposed, its token to keep */
	PENDING_PUBLISH,      /* netd's own: the member's attributes (no stream) */
	PENDING_TRANSFER,     /* raftd's word on a MoveLeader */
	PENDING_PEERS,        /* netd's own: stored's member list (no stream) */
	PENDING_RELAY,        /* a follower's lease call, for its netd (no stream) */
	PENDING_SNAP_OUT,     /* stored's snapshot for a member (netd/peer_snap.h) */
	PENDING_SNAP_IN,      /* stored's word on a snapshot's part from the leader */
	PENDING_INNER,        /* stored's Result for a request of a call's own (netd/inner.h) */
	PENDING_INNER_WATCH,  /* stored's events, for a call's own watcher */
	PENDING_DROP,         /* netd's own, its answer dropped (no stream) */
};

struct pending {
	uint64_t id;
	enum pending_wait wait;
	/* A read waiting for its read index: what it waits for once stored
	 * has it (PENDING_RESULT or PENDING_INNER). */
	enum pending_wait then;
	struct gstream *stream;     /* borrowed; NULL once orphaned */
	/* A client's proposal: when it fails if still unanswered (netd's
	 * clock, ms); 0 for anything else. */
	int64_t due_ms;
	void *ctx;                  /* the service's, for a long-lived request */
	/* A lease call relayed (netd/lease_relay.c): on the follower, the
	 * leader it went to; on the leader (PENDING_RELAY), the follower it
	 * came from, the follower's ref in 'relay_ref'. 0 otherwise. */
	uint64_t relay_to, relay_ref;
};

struct pending_table {
	struct pending *slots;      /* PENDING_SLOTS, owned */
	uint64_t next_id;
	size_t used;
};

void pending_init(struct pending_table *t);
void pending_close(struct pending_table *t);

/* Takes a slot for 'stream', waiting for 'wait'. Returns it (its id is
 * new and non-zero), or NULL when the table is full. */
struct pending *pending_add(struct pending_table *t, struct gstream *stream,
    enum pending_wait wait);
/* The slot of 'id', or NULL when none waits for it. */
struct pending *pending_find(struct pending_table *t, uint64_t id);
/* Frees the slot. */
void pending_remove(struct pending_table *t, struct pending *p);

#endif
