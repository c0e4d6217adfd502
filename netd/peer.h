/*
 * netd: the peer transport. raftd's messages to other members go out on
 * one connection per member that this netd dials (its first peer URL, from
 * --initial-cluster), reconnecting with backoff; messages from other
 * members come in on the connections they dial to --listen-peer-urls.
 * https peer URLs: TLS with the --peer-* files (netd/tls.c), the
 * dialler's certificate as its client certificate.
 * Framing: shared/proto/peer.proto. A frame is decoded whole and checked
 * (hello first; cluster, sender and receiver as the hello said) before
 * its RaftMsg goes to raftd, which checks every field again
 * (raftd/peer_codec.c); a peer that sends garbage is disconnected. Raft
 * tolerates loss: a message for a member that is down, or behind more
 * than PEER_OUT_BYTES_MAX of unsent bytes, is dropped and counted.
 */
#ifndef CAIRN_NETD_PEER_H
#define CAIRN_NETD_PEER_H

#include <sys/queue.h>
#include <stdbool.h>
#include <stdint.h>

#include <event2/bufferevent.h>
#include <event2/event.h>

#include "netd/peer_snap.h"
#include "shared/proto/ipc.pb.h"
#include "shared/proto/peer.pb.h"
#include "shared/raft_peer.h"
#include "shared/url.h"

/* Bumped when the framing changes meaning; a hello of another version is
 * refused. */
#define PEER_VERSION 1
/* One frame: the largest RaftMsg and room for the hello and tags. */
#define PEER_FRAME_BYTES_MAX (RAFT_PEER_MSG_BYTES_MAX + 256u)
#define PEER_LEN_BYTES 4
/* Unsent bytes to one member beyond which its messages are dropped. */
#define PEER_OUT_BYTES_MAX (16u << 20)
/* Members dialled (RAFT_MEMBERS_MAX), and incoming connections at once
 * (a member that reconnects leaves its old one to close). */
#define PEER_MEMBERS_MAX 16
#define PEER_IN_CONNS_MAX 64
/* Removed members netd knows of, to tell them. */
#define PEER_REMOVED_MAX MEMBERS_REMOVED_MAX
/* The one frame a dialled member may write (the removed notice). */
#define PEER_NOTICE_BYTES_MAX 16
/* An incoming connection must say hello within this (and a removed
 * member read its notice). */
#define PEER_HELLO_MS 5000
/* Redial backoff: doubled after each failure, from min to max. */
#define PEER_RETRY_MS_MIN 100
#define PEER_RETRY_MS_MAX 3200
/* The peer URLs of one member netd looks at, and their length
 * (etcdserverpb.Member's bounds). */
#define MEMBER_PEER_URLS_MAX 8
#define MEMBER_PEER_URL_BYTES 256
/* A peer URL's host and port as text. */
#define PEER_HOST_BYTES URL_HOST_BYTES
#define PEER_PORT_BYTES URL_PORT_BYTES

struct netd;

/* Our connection to one member. */
struct peer_out {
	struct netd *n;
	uint64_t id;
	char host[PEER_HOST_BYTES], port[PEER_PORT_BYTES];
	bool tls;                   /* an https peer URL */
	struct bufferevent *bev;    /* owned; NULL while down or shaking hands */
	bool connected;             /* the hello went out */
	struct event *retry_ev;     /* owned */
	unsigned retry_ms;
	uint64_t dropped;           /* messages dropped: down or behind */
	uint64_t sent_bytes;        /* frames queued to it, for /metrics */
	uint64_t recv_bytes;        /* frames received from it */
	struct peer_snap_out snap;  /* a snapshot going to it */
};

/* A connection a member dialled to us. */
struct peer_in {
	TAILQ_ENTRY(peer_in) entry;
	struct netd *n;
	struct bufferevent *bev;    /* owned */
	struct event *hello_ev;     /* owned: the hello's deadline */
	uint64_t from;              /* 0 until its hello */
	bool closing;               /* told it was removed: closes once written */
	struct peer_snap_in snap;   /* a snapshot coming from it */
	uint64_t join_need;         /* a join_ask waits for this ask's list; 0: none */
};

struct peers {
	struct peer_out out[PEER_MEMBERS_MAX];
	size_t nout;
	TAILQ_HEAD(, peer_in) in;
	size_t nin;
	bool dialing;               /* our own IDs are known: dialling began */
	uint64_t members_rev;       /* stored's members table as last read */
	uint64_t members_asked;     /* the revision asked for, while 'asking' */
	bool asking;                /* a MEMBER_PEERS ask is under way */
	bool ask_again;             /* ask once more when it is answered */
	uint64_t asks_sent, asks_done; /* asks numbered from 1; the last answered */
	uint64_t removed[PEER_REMOVED_MAX]; /* removed members, from the store */
	bool snap_owed;             /* some out[].snap.owed is set */
	size_t nremoved;
	/* The members as stored last listed them, for members that join
	 * (peer_join.c); known_ok once the list was read whole. Owned. */
	cairn_ipc_JoinInfo *known;
	bool known_ok;
};

/* The host and port of "http://host:port" or "https://[v6]:port"; *tls
 * for https. 0, or CAIRN_EINVAL. */
int peer_url_split(const char *url, char *host, char *port, bool *tls);

/* A TCP connection to host:port under way, Nagle off, reading: *out,
 * its callbacks 'read' and 'event' (BEV_EVENT_CONNECTED once up) with
 * 'arg'. NULL, or why not (*out NULL). */
const char *peer_dial(struct netd *n, const char *host, const char *port,
    bufferevent_data_cb read, bufferevent_event_cb event, void *arg, struct bufferevent **out);

/* The members to dial: the supervisor's bootstrap members (their first
 * peer URL each), until stored's members table says otherwise (a member
 * restarted without --initial-cluster, a membership change). */
void peers_init(struct netd *n);
void peers_free(struct netd *n);
/* raftd told its status: once this member's IDs are known, dials. */
void peers_poke(struct netd *n);
/* A connection accepted on a peer URL (fd taken), https when 'tls'. */
void peers_accept(struct netd *n, int fd, bool tls);
/* stored's members table changed (StoreStatus.members_rev): asks for it
 * (MEMBER_LIST), to dial whom it lists, and no longer those it does not. */
void peers_members_changed(struct netd *n, uint64_t rev);
/* A list newer than any asked for so far: the number of the ask whose
 * answer will be (peers.asks_done reaches it). */
uint64_t peers_members_refresh(struct netd *n);
/* The MemberListResponse asked for (code 0), or why not (asked again at
 * the next status). */
void peers_members(struct netd *n, int code, const uint8_t *list, size_t len);
/* Closes an incoming connection, saying why (NULL: quietly). */
void peer_in_close(struct peer_in *pi, const char *why);
/* Writes f, the last frame on pi (it reads no more), which closes once
 * it is written or PEER_HELLO_MS passed: NULL, or why pi must close at
 * once. */
const char *peer_in_last_word(struct peer_in *pi, const cairn_peer_PeerFrame *f);
/* Reads on from pi after a pause (a snapshot's part stored took). */
void peer_in_resume(struct peer_in *pi);
/* raftd's message for member m->to: sent, or dropped and counted. */
void peers_send(struct netd *n, const cairn_ipc_RaftMsg *m);
/* A frame for member 'to': 0 once queued; CAIRN_ENOENT (not a member
 * netd dials), CAIRN_EAGAIN (down or behind: dropped and counted), or
 * peer_frame_put's error. */
int peers_send_frame(struct netd *n, uint64_t to, const cairn_peer_PeerFrame *f);

#endif
