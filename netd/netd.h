/*
 * netd: the process's own state, shared by its modules: the listeners,
 * the client connections, the table of requests waiting for raftd or
 * stored, and what netd knows of the Raft and store status.
 */
#ifndef CAIRN_NETD_H
#define CAIRN_NETD_H

#include <sys/queue.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <event2/bufferevent.h>
#include <event2/listener.h>

#include "netd/auth_tokens.h"
#include "netd/lease_relay.h"
#include "netd/pending.h"
#include "netd/metrics.h"
#include "netd/peer.h"
#include "netd/publish.h"
#include "netd/tls.h"
#include "shared/child.h"

/* Bounds. */
#define NETD_CONNS_MAX 4096                 /* client connections at once */
/* Streams open at once on one connection: --max-concurrent-streams, but
 * never more than this (etcd's default is unbounded). */
#define NETD_STREAMS_MAX 1024
/* etcd's request timeout with its default --election-timeout (1 s). */
#define NETD_REQUEST_TIMEOUT_MS_DEFAULT 7000
/* How often proposals past their request timeout are looked for. */
#define NETD_SWEEP_MS 500
/* gRPC's allowance for a message beyond --max-request-bytes, as etcd's
 * server sets its MaxRecvMsgSize (grpcOverheadBytes). */
#define NETD_GRPC_OVERHEAD_BYTES (512u << 10)

struct conn;
struct gstream;
struct h1conn;
struct sniff;

/* A listening socket netd serves, as the supervisor passed it. */
struct netd_listener {
	struct netd *n;
	struct evconnlistener *ev;  /* owned */
	cairn_ipc_Listener info;    /* kind, URL, tls, plain_too */
};

struct netd {
	struct child *c;
	struct netd_listener listeners[CHILD_LISTENERS_MAX];
	size_t listeners_len;
	TAILQ_HEAD(, conn) conns;            /* HTTP/2 (h2.c) */
	TAILQ_HEAD(, h1conn) h1conns;        /* HTTP/1.1 (http1.c) */
	TAILQ_HEAD(, sniff) sniffing;        /* undecided yet (sniff.c) */
	size_t conns_len;                    /* all three */
	/* Streams whose received bytes wait to be given back to flow
	 * control, oldest first, and what all streams hold (h2.c). */
	TAILQ_HEAD(, gstream) owed;
	size_t held_bytes;
	struct pending_table pending;
	uint32_t request_timeout_ms; /* etcd's: 5 s + 2 election timeouts */
	struct event *sweep_ev;     /* fails proposals past it (backend_sweep) */
	struct event *no_leader_ev; /* the leader monitor (no_leader.c) */
	unsigned no_leader_rounds;  /* its looks in a row that found none */
	uint32_t streams_max;       /* per connection */
	uint32_t msg_bytes_max;     /* one gRPC request message */
	uint32_t request_bytes_max; /* --max-request-bytes: one proposal */
	uint32_t txn_ops_max;       /* --max-txn-ops */
	cairn_ipc_RaftStatus raft;  /* last from raftd; leader 0 until known */
	cairn_ipc_StoreStatus store;
	uint64_t id_suffix;         /* the lease ID generator's (svc_lease.c) */
	uint64_t leader_changes;    /* leaders seen, for /metrics */
	struct tokens tokens;       /* simple tokens (auth_tokens.c) */
	struct jwt *jwt;            /* JWTs instead, when on (netd.c's) */
	struct event *tokens_ev;    /* forgets the expired ones */
	struct tls_server *tls;     /* https client URLs (netd.c's, read before
	                             * the privilege drop) */
	struct tls_server *peer_tls; /* https peer URLs: serving them, */
	struct tls_server *peer_dial_tls; /* and dialling them */
	struct publish publish;     /* the member's attributes (publish.c) */
	struct peers peers;         /* the other members (peer.c) */
	struct peer_join *join;     /* join mode's question (peer_join.c), owned */
	struct metrics metrics;     /* for /metrics (metrics.c) */
	struct lease_relays relays; /* lease calls relayed (lease_relay.c) */
};

/* A monotonic clock, in milliseconds. */
int64_t netd_now_ms(void);
/* The process's hooks for the child skeleton (netd.c); netd_main.c runs
 * them, and the HTTP/2 fuzz target (tests/fuzz/fuzz_h2.c) starts and
 * stops a netd with no listener and no peers by them. */
extern const struct child_ops netd_ops;

/* A bufferevent for an accepted client socket fd (taken), with Nagle's
 * delay off; NULL (fd closed) beyond NETD_CONNS_MAX or on a failure. */
struct bufferevent *netd_client_bev(struct netd *n, int fd);

#endif
