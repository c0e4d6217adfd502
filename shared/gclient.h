/*
 * cairnctl, cairn-bench and the tests: a gRPC client over nghttp2 on a
 * libevent loop, for etcd's v3 API (its messages encoded with nanopb by
 * the caller). A client holds several connections to a list of endpoints
 * (each connection dials the next endpoint when its own fails: failover),
 * and each connection carries many concurrent calls, as HTTP/2 streams
 * (the server's SETTINGS_MAX_CONCURRENT_STREAMS honoured: calls beyond it
 * wait). Calls are unary (one request, one answer) or streams (messages
 * both ways, as Watch and LeaseKeepAlive). Plain HTTP/2 with prior
 * knowledge, as etcd's plain ports speak it, or HTTP/2 over TLS (ALPN
 * "h2"), with a client certificate if given, the server's verified
 * against the CA given (or the system's), as etcdctl does.
 *
 * Ownership: the client and its calls live on the caller's event_base;
 * callbacks run from that loop. A unary call's callback runs exactly once;
 * a stream's 'end' callback runs exactly once, after which the stream is
 * freed by the client.
 */
#ifndef CAIRN_GCLIENT_H
#define CAIRN_GCLIENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <event2/event.h>

/* Endpoints a client takes, and connections it opens. */
#define GC_ENDPOINTS_MAX 16
#define GC_CONNS_MAX 1024
/* The largest message either way (etcd's client takes up to 2 GiB; a
 * cairn member sends at most --max-request-bytes plus a header, and
 * ranges in responses of this size at most). */
#define GC_MSG_BYTES_MAX (64u << 20)
/* Calls waiting for a stream slot or a connection, per client. */
#define GC_WAITING_MAX 65536
/* An endpoint "host:port" (or with http://), as etcdctl takes it. */
#define GC_ENDPOINT_BYTES_MAX 256
#define GC_TOKEN_BYTES_MAX 512
#define GC_MESSAGE_BYTES_MAX 512

/* gRPC status codes the client makes itself (others come from servers). */
#define GC_OK 0
#define GC_CANCELLED 1
#define GC_UNKNOWN 2
#define GC_DEADLINE_EXCEEDED 4
#define GC_RESOURCE_EXHAUSTED 8
#define GC_INTERNAL 13
#define GC_UNAVAILABLE 14

struct gc_client;
struct gc_stream;

struct gc_options {
	const char *const *endpoints;  /* at least one */
	size_t nendpoints;
	unsigned conns;                /* connections (0: 1) */
	unsigned dial_timeout_ms;      /* a call waits this long for a
	                                * connection (0: 2000, etcdctl's) */
	/* TLS, as etcdctl's --cert, --key, --cacert and
	 * --insecure-skip-tls-verify (NULL or "": none). An endpoint
	 * "https://" speaks TLS, "http://" not; one without a scheme speaks
	 * TLS when any of these is given. */
	const char *cert_file, *key_file, *ca_file;
	bool insecure_skip_verify;
	/* etcdctl's --keepalive-time and --keepalive-timeout: a connection
	 * pings its server every keepalive_time_ms (0: never), and one whose
	 * ping is not acknowledged within keepalive_timeout_ms (0: 6000) is
	 * closed, its calls ended UNAVAILABLE (the next endpoint dialled). */
	unsigned keepalive_time_ms, keepalive_timeout_ms;
};

/* What a call ended with: the gRPC status, grpc-message (decoded), and
 * for a unary call its answer (borrowed for the callback's duration). */
struct gc_result {
	int status;
	char message[GC_MESSAGE_BYTES_MAX];
	const uint8_t *msg;
	size_t len;
};

typedef void gc_unary_fn(void *arg, const struct gc_result *r);
typedef void gc_msg_fn(void *arg, struct gc_stream *s, const uint8_t *msg, size_t len);
typedef void gc_end_fn(void *arg, struct gc_stream *s, const struct gc_result *r);

/* A client on base (borrowed), dialling at once. NULL with err filled on
 * bad options (an endpoint that is not host:port). */
struct gc_client *gc_client_new(struct event_base *base, const struct gc_options *o,
    char *err, size_t errlen);
/* Ends every call (their callbacks run, GC_CANCELLED), abandons TLS
 * handshakes under way, and frees c; not from one of c's callbacks. */
void gc_client_free(struct gc_client *c);
/* etcd's auth token, sent as "token" metadata on every later call
 * (NULL: none). */
void gc_client_set_token(struct gc_client *c, const char *token);

/* A unary call to 'path' ("/etcdserverpb.KV/Put"): req[len] copied;
 * timeout_ms 0 for none (sent as grpc-timeout otherwise, and enforced
 * here too). cb runs once. 0, or CAIRN_ETOOMANYREQ / CAIRN_ETOOBIG (cb
 * not called). */
int gc_unary(struct gc_client *c, const char *path, const uint8_t *req, size_t len,
    unsigned timeout_ms, gc_unary_fn *cb, void *arg);

/* A stream call: on_msg for each message from the server, on_end once. */
struct gc_stream *gc_stream_open(struct gc_client *c, const char *path, gc_msg_fn *on_msg,
    gc_end_fn *on_end, void *arg);
/* gc_stream_open's flags: GC_STREAM_REQUIRE_LEADER sends the metadata
 * hasleader: true (clientv3's WithRequireLeader): the server ends the
 * stream when its member has no leader. */
#define GC_STREAM_REQUIRE_LEADER 0x1u
struct gc_stream *gc_stream_open_flags(struct gc_client *c, const char *path, gc_msg_fn *on_msg,
    gc_end_fn *on_end, void *arg, unsigned flags);
/* Queues a message (copied). 0, CAIRN_ETOOBIG, or CAIRN_ECLOSED after
 * close_send or the end. */
int gc_stream_send(struct gc_stream *s, const uint8_t *msg, size_t len);
/* The client's side is done (END_STREAM after what is queued). */
void gc_stream_close_send(struct gc_stream *s);
/* Ends the call now: on_end runs with GC_CANCELLED. */
void gc_stream_cancel(struct gc_stream *s);
/* The stream is on a connection, its headers sent: where grpc-go's
 * NewStream would have returned. */
bool gc_stream_started(const struct gc_stream *s);
/* A dial failed since a connection was last up (grpc-go's balancer would
 * say all SubConns are in TransientFailure). */
bool gc_client_dial_failing(const struct gc_client *c);

/* The blocking form, for command lines: runs the loop until the unary
 * call ends. r->msg stays valid until the next gc_call on c. */
int gc_call(struct gc_client *c, const char *path, const uint8_t *req, size_t len,
    unsigned timeout_ms, struct gc_result *r);

#endif
