/*
 * The gRPC client's insides (see gclient.h), shared by its calls
 * (gclient.c) and its connections (gclient_conn.c).
 */
#ifndef CAIRN_GCLIENT_IMPL_H
#define CAIRN_GCLIENT_IMPL_H

#include <sys/queue.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <nghttp2/nghttp2.h>

#include "shared/gclient.h"
#include "shared/tls.h"
#include "shared/url.h"

#define GC_PATH_BYTES_MAX 128
#define GC_HOST_BYTES URL_HOST_BYTES
#define GC_PORT_BYTES URL_PORT_BYTES
#define GC_PREFIX_BYTES 5
/* Redial backoff of a connection, doubled from min to max. */
#define GC_RETRY_MS_MIN 50
#define GC_RETRY_MS_MAX 1000
/* The CAs a client trusts when given none (Debian's ca-certificates). */
#define GC_SYSTEM_CA_FILE "/etc/ssl/certs/ca-certificates.crt"
/* Flow-control windows the client opens: it reads what arrives at once. */
#define GC_STREAM_WINDOW_BYTES (1u << 20)
#define GC_CONN_WINDOW_BYTES (16u << 20)

/* One call: a unary call or a stream. */
struct gc_stream {
	TAILQ_ENTRY(gc_stream) entry;  /* client's waiting list, or its conn's */
	struct gc_client *c;
	struct gc_conn *conn;          /* NULL while it waits */
	int32_t id;                    /* its HTTP/2 stream; 0 until sent */
	char path[GC_PATH_BYTES_MAX];
	bool unary;
	bool require_leader;           /* sends hasleader: true */
	gc_unary_fn *unary_cb;
	gc_msg_fn *on_msg;
	gc_end_fn *on_end;
	void *arg;
	struct evbuffer *out;          /* framed messages to send (owned) */
	struct evbuffer *req;          /* a unary call's request, kept to send it
	                                * again on a stream the server refused */
	bool close_send;               /* END_STREAM once out is sent */
	bool deferred;                 /* nghttp2 waits for out to fill */
	struct evbuffer *in;           /* bytes of messages not whole yet */
	struct evbuffer *answer;       /* a unary call's message */
	bool answered;                 /* ... it came */
	int http_status;
	int status;                    /* grpc-status, -1 until seen */
	char message[GC_MESSAGE_BYTES_MAX];
	unsigned timeout_ms;
	struct event *deadline;        /* owned */
	bool ending;                   /* its end is being delivered */
};

TAILQ_HEAD(gc_stream_list, gc_stream);

/* One connection, to endpoints[endpoint]. */
struct gc_conn {
	struct gc_client *c;
	size_t endpoint;
	struct bufferevent *bev;       /* owned; NULL while down or shaking hands */
	struct tls_conn *handshake;    /* a TLS handshake under way, or NULL */
	nghttp2_session *h2;           /* owned; NULL while down */
	bool up;                       /* connected */
	bool ready;                    /* the server's SETTINGS came: calls may go */
	int recv_depth;                /* inside nghttp2's receive: no sends */
	struct gc_stream_list calls;   /* streams open on it */
	size_t ncalls;
	struct event *retry;           /* owned */
	unsigned retry_ms;
	struct event *keepalive;       /* owned: the next ping, or its check */
	bool ping_out;                 /* a ping not acknowledged yet ... */
	uint64_t ping_ms;              /* ... sent then (monotonic) */
};

struct gc_client {
	struct event_base *base;
	char hosts[GC_ENDPOINTS_MAX][GC_HOST_BYTES];
	char ports[GC_ENDPOINTS_MAX][GC_PORT_BYTES];
	bool tls[GC_ENDPOINTS_MAX];    /* the endpoint speaks TLS */
	size_t nendpoints;
	struct tls_server tls_end;     /* the client's end (ready: some TLS) */
	struct gc_conn *conns;         /* owned */
	size_t nconns, next_conn;
	struct gc_stream_list waiting;
	size_t nwaiting;
	unsigned dial_timeout_ms;
	bool dial_failed;              /* a dial failed since a connection was
	                                * last ready (grpc's TransientFailure) */
	unsigned keepalive_ms, keepalive_timeout_ms;
	char token[GC_TOKEN_BYTES_MAX];
	bool has_token;
	/* gc_call's answer */
	bool sync_done;
	struct gc_result *sync_r;
	uint8_t *sync_msg;             /* owned */
};

/* gclient.c */
/* Sends waiting calls on connections with room. */
void gc_dispatch(struct gc_client *c);
/* The call is over with status and message: its callback runs, it is
 * freed. */
void gc_stream_end(struct gc_stream *s, int status, const char *message);
/* Bytes of a stream's DATA: whole messages go to the caller. */
void gc_stream_data(struct gc_stream *s, const uint8_t *p, size_t len);
/* The server closed the stream (error_code: its RST_STREAM's, or 0). */
void gc_stream_closed(struct gc_stream *s, uint32_t error_code);

/* gclient_conn.c */
void gc_conn_init(struct gc_conn *k, struct gc_client *c, size_t endpoint);
void gc_conn_free(struct gc_conn *k);
void gc_conn_dial(struct gc_conn *k);
/* Room for one more stream. */
bool gc_conn_has_room(const struct gc_conn *k);
/* Opens s on k (headers, then what s->out holds). 0 or CAIRN_EIO. */
int gc_conn_submit(struct gc_conn *k, struct gc_stream *s);
/* s has more to send. */
void gc_conn_resume(struct gc_conn *k, struct gc_stream *s);
/* Resets s's stream (the client gave up on it). */
void gc_conn_reset(struct gc_conn *k, struct gc_stream *s);
/* Sends what nghttp2 has queued (not from inside its callbacks). */
void gc_conn_flush(struct gc_conn *k);

#endif
