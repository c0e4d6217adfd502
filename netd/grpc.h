/*
 * netd: gRPC over one HTTP/2 stream: the request's headers and its
 * 5-byte-prefixed message, the method it names, and the answer (a message
 * then grpc-status trailers, or trailers alone for an error).
 */
#ifndef CAIRN_NETD_GRPC_H
#define CAIRN_NETD_GRPC_H

#include <sys/queue.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "shared/jwt.h"

#include <pb.h>

#include "shared/err.h"

/* Bounds. */
#define GRPC_PREFIX_BYTES 5
#define GRPC_PATH_BYTES_MAX 128
#define GRPC_TOKEN_BYTES_MAX (JWT_BYTES_MAX + 1) /* a JWT (shared/jwt.h) */
#define GRPC_ENCODING_BYTES_MAX 32
/* A request's header list (HTTP/2's SETTINGS_MAX_HEADER_LIST_SIZE, which
 * netd announces): nghttp2 itself refuses a larger header block
 * (REFUSED_STREAM), so no client makes netd hold more. */
#define GRPC_HEADER_LIST_BYTES_MAX (64u << 10)
#define GRPC_MESSAGE_BYTES_MAX 256   /* grpc-message we send, before escaping */
#define GRPC_HTTP_HEADERS_MAX 8      /* an HTTP answer's own header fields over HTTP/2 */
#define GRPC_HTTP_NAME_BYTES_MAX 64  /* ... and the length of their names */
/* grpc-timeout beyond this is taken as this (gRPC allows 8 digits of
 * hours: about 11,000 years). */
#define GRPC_TIMEOUT_MS_MAX (INT64_C(1) << 40)
/* Answer bytes a streaming call may have waiting for the client: beyond
 * it grpc_send refuses (the service decides what to drop). */
#define GRPC_OUT_BYTES_MAX (4u << 20)

struct conn;
struct gstream;
struct pending;

/* A unary method: msg/len is the request message (borrowed until the
 * call returns). Returns 0 when the stream was answered or waits for an
 * answer; or a CAIRN_E* code, which grpc.c sends as the status. */
typedef int grpc_unary_fn(struct gstream *s, const uint8_t *msg, size_t len);

/* A streaming method (client, server or bidirectional streaming). */
struct grpc_stream_ops {
	/* One request message (borrowed until the call returns). Returns 0,
	 * or a CAIRN_E* code that ends the call with its status; or
	 * CAIRN_EAGAIN: not now, the message stays and the client's window
	 * with it, until grpc_stream_resume (or until the client reads some
	 * of the answer) offers it again. */
	int (*message)(struct gstream *s, const uint8_t *msg, size_t len);
	/* The client ended its side; may be NULL. */
	void (*end)(struct gstream *s);
	/* The stream goes away: release s->svc; may be NULL. */
	void (*free)(struct gstream *s);
	/* The client read some of the answer, after the service set
	 * s->want_drain; may be NULL. From the loop, never from nghttp2. */
	void (*drained)(struct gstream *s);
};

struct grpc_method {
	const char *path;           /* "/etcdserverpb.KV/Put" */
	grpc_unary_fn *unary;       /* or, for a streaming method, NULL */
	const struct grpc_stream_ops *stream;
};

/* What grpc_stream_read found. */
enum grpc_read {
	GRPC_READ_DATA,             /* bytes copied */
	GRPC_READ_WAIT,             /* nothing now; more will come */
	GRPC_READ_EOF,              /* all sent: the trailers follow */
};

struct gateway;

struct gstream {
	TAILQ_ENTRY(gstream) entry;       /* the connection's streams */
	struct netd *n;
	/* The JSON gateway's call this stream carries (gateway.c), or NULL
	 * for a gRPC call over HTTP/2: then conn is NULL, and the answer
	 * goes to the gateway instead of nghttp2. */
	struct gateway *gw;
	TAILQ_ENTRY(gstream) owed_entry;  /* streams whose bytes wait to be consumed */
	TAILQ_ENTRY(gstream) resume_entry; /* paused streams to offer their message again */
	struct conn *conn;
	int32_t id;
	const struct grpc_method *method; /* NULL: unknown path */
	char path[GRPC_PATH_BYTES_MAX];
	bool grpc;                  /* content-type application/grpc... */
	bool get, post, options;    /* :method (an HTTP request, not gRPC) */
	struct http_call *hcall;    /* ... that request as the routes see it, owned */
	bool http;                  /* answered as HTTP: no trailers */
	char encoding[GRPC_ENCODING_BYTES_MAX]; /* grpc-encoding; "" when absent */
	char token[GRPC_TOKEN_BYTES_MAX];
	char jwt_user[256];         /* the user of a JWT in token, once verified */
	bool require_leader;        /* metadata hasleader: true (etcd's WithRequireLeader) */
	int64_t timeout_ms;         /* grpc-timeout; 0: none */
	struct event *deadline;     /* ... its timer, once the call starts (owned) */
	/* The request as it arrives (prefix included), up to the bound. */
	uint8_t *req;
	size_t req_len, req_cap;
	size_t owed;                /* received bytes not yet given back to flow control */
	bool owed_listed;
	bool ended;                 /* the client's END_STREAM */
	bool paused;                /* the service refused a message for now */
	bool want_drain;            /* the service waits for the client to read */
	bool resume_listed;
	bool headers_sent;          /* the answer's headers were submitted */
	bool counted;               /* /metrics counted it started (at started_ms) */
	int64_t started_ms;
	bool answered;              /* the call's status is decided */
	unsigned status;            /* ... for the trailers */
	char message[GRPC_MESSAGE_BYTES_MAX];
	struct evbuffer *out;       /* the answer's DATA not yet sent, owned */
	void *svc;                  /* a streaming service's state, its own */
	struct inner *inner;        /* a call served by netd's own requests (inner.h), owned */
	struct pending *pending;    /* the request in flight, or NULL */
	/* What the request needs kept while it waits (a read's request for
	 * stored once raftd gives its index), owned. */
	uint8_t *held;
	size_t held_len;
};

/* The stream 'id' of connection 'c' begins (its first HEADERS). */
struct gstream *grpc_stream_new(struct conn *c, int32_t id);
/* A call of 'method' (NULL: none has 'path') for the JSON gateway 'gw',
 * with no HTTP/2 stream under it: its messages come by grpc_stream_input,
 * its end by grpc_stream_end; the answer is left in s->out, and
 * gateway_answer(gw) hears of each change. */
struct gstream *grpc_stream_gateway(struct netd *n, struct gateway *gw,
    const struct grpc_method *method, const char *path);
/* The method of a path ("/etcdserverpb.KV/Range"), or NULL. */
const struct grpc_method *grpc_method_of(const char *path);
/* Every method netd serves, for /metrics. */
const struct grpc_method *grpc_methods_all(size_t *n);
/* A gateway's request message msg[len] (copied; at most msg_bytes_max):
 * served at once when the call is streaming, at its end when unary. */
void grpc_stream_input(struct gstream *s, const uint8_t *msg, size_t len);
/* The client read some of a gateway call's answer: a paused service goes
 * on, one that wanted it hears 'drained'. */
void grpc_stream_drained(struct gstream *s);
/* The request's headers are all in: a streaming call netd will not serve
 * is refused now (a unary one when its request ends). */
void grpc_stream_headers_done(struct gstream *s);
/* One header of the request. Returns 0, or CAIRN_EINVAL to reset the
 * stream (a header over its bound). */
int grpc_stream_header(struct gstream *s, const uint8_t *name, size_t name_len,
    const uint8_t *value, size_t value_len);
/* Request bytes. */
void grpc_stream_data(struct gstream *s, const uint8_t *data, size_t len);
/* The client ended its side: the request is whole; serve it. */
void grpc_stream_end(struct gstream *s);
/* Offers a paused stream's messages to its service again (and its end,
 * when the client has ended). Outside nghttp2's callbacks. */
void grpc_stream_resume(struct gstream *s);
/* The same for every paused stream of c that grpc_stream_read listed as
 * read from, and 'drained' for those that wanted it (h2.c, before it
 * makes frames). */
void grpc_resume_listed(struct conn *c);
/* The stream closed: forget it (its request, if in flight, is orphaned). */
void grpc_stream_free(struct gstream *s);

/* Answers a unary call with the message msg[len] (copied) and status OK. */
void grpc_reply(struct gstream *s, const uint8_t *msg, size_t len);
/* The same with a message in parts (stored's chunks, checked, len bytes
 * in all), copied once into the answer. */
void grpc_reply_parts(struct gstream *s, pb_bytes_array_t *const *parts, size_t n,
    size_t len);
/* A streaming call sends the message msg[len] (copied). Returns 0, or
 * CAIRN_EAGAIN (nothing queued) while GRPC_OUT_BYTES_MAX wait to go. */
int grpc_send(struct gstream *s, const uint8_t *msg, size_t len);
/* The same with its own bound of bytes waiting. */
int grpc_send_upto(struct gstream *s, const uint8_t *msg, size_t len, size_t max);
/* Ends a call with a status, after what was sent. */
void grpc_finish(struct gstream *s, unsigned status, const char *message);
/* Answers with the error 'err' (a CAIRN_E* code): etcd's status and text. */
void grpc_reply_err(struct gstream *s, int err);
/* Answers with a gRPC status and message of our own (grpc-go's texts). */
void grpc_reply_status(struct gstream *s, unsigned status, const char *message);

/* nghttp2's read of the answer's DATA (h2.c): up to cap bytes. */
size_t grpc_stream_read(struct gstream *s, uint8_t *buf, size_t cap, enum grpc_read *state);
/* After the DATA: the trailers with the call's status. */
void grpc_stream_trailers(struct gstream *s);

#endif
