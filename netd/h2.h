/*
 * netd: one client connection speaking HTTP/2 (nghttp2 server session on
 * a libevent bufferevent): reading, writing with back-pressure, flow
 * control tied to the request bytes netd holds, and closing.
 */
#ifndef CAIRN_NETD_H2_H
#define CAIRN_NETD_H2_H

#include <sys/queue.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <event2/bufferevent.h>
#include <event2/event.h>
#include <nghttp2/nghttp2.h>

#include "netd/grpc.h"
#include "shared/tls.h"

/* A client certificate's common name kept for auth (etcd's users are
 * names of at most this, as netd's tokens). */
#define CONN_CN_BYTES_MAX TLS_CN_BYTES_MAX

/* Bounds. */
/* Bytes queued for the client's socket beyond which netd stops making
 * frames and stops reading the client, until the client reads. */
#define H2_OUT_BYTES_MAX (1u << 20)
/* Request bytes one connection, and all connections together, may hold
 * before netd stops giving flow-control window back (the client then
 * waits). */
#define H2_HELD_BYTES_MAX (16u << 20)
#define H2_HELD_BYTES_ALL_MAX (256u << 20)
/* The windows netd grants: per stream (the largest request fits in two)
 * and per connection. */
#define H2_STREAM_WINDOW_BYTES (1u << 20)
#define H2_CONN_WINDOW_BYTES (16u << 20)


struct netd;

struct conn {
	TAILQ_ENTRY(conn) entry;
	struct netd *n;
	struct bufferevent *bev;
	struct event *wake_ev;      /* makes and sends frames from the loop */
	nghttp2_session *h2;
	TAILQ_HEAD(, gstream) streams;
	TAILQ_HEAD(, gstream) resumes; /* paused streams whose answer was read */
	size_t held_bytes;          /* request bytes our streams hold */
	bool read_paused;           /* the output is over its bound */
	bool tls;                   /* HTTP requests that are not gRPC are served */
	/* The verified client certificate's common name (TLS with
	 * --client-cert-auth), etcd's user when a call has no token; "". */
	char cn[CONN_CN_BYTES_MAX + 1];
};

/* Serves a new client connection on fd (taken). */
void h2_accept(struct netd *n, int fd);
/* The same on a bufferevent (taken) that carries the connection's
 * plaintext ('tls': TLS's, tls.c), with its client certificate's verified
 * common name (NULL: none). */
void h2_start(struct netd *n, struct bufferevent *bev, bool tls, const char *cn);
/* Has the loop make and queue what nghttp2 has to send (and close the
 * connection when both sides are done). Call after submitting anything
 * outside nghttp2's callbacks; safe anywhere. */
void h2_wake(struct conn *c);
/* Submits the answer's headers. With 'data', nghttp2 then pulls the DATA
 * from grpc_stream_read and grpc_stream_trailers submits the trailers.
 * Returns 0, or CAIRN_EIO (the stream is gone). */
int h2_submit_headers(struct gstream *s, const nghttp2_nv *nv, size_t n, bool data);
int h2_submit_trailers(struct gstream *s, const nghttp2_nv *nv, size_t n);
/* More of the answer's DATA (or its end) is ready to be sent. */
void h2_resume(struct gstream *s);
/* Ends the stream with RST_STREAM(code), an HTTP/2 error code. */
void h2_reset(struct gstream *s, uint32_t code);
/* Closes every connection (at exit). */
void h2_close_all(struct netd *n);

/* Flow control: 'len' request bytes of s were received and are held
 * ('held') or were dropped at once. */
void h2_received(struct gstream *s, size_t len, bool held);
/* s no longer holds its request bytes (served or freed). */
void h2_released(struct gstream *s, size_t len);

#endif
