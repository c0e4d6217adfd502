/*
 * netd: HTTP/1.1 on the client port (etcd serves /health, /version,
 * /metrics and its JSON gateway there). Requests are parsed by nodejs's
 * http-parser, one at a time per connection (pipelined ones wait), and
 * answered by http_routes.c.
 */
#ifndef CAIRN_NETD_HTTP1_H
#define CAIRN_NETD_HTTP1_H

#include <sys/queue.h>
#include <stdbool.h>
#include <stddef.h>

#include <event2/bufferevent.h>
#include <http_parser.h>

#include "netd/http_routes.h"

/* Bounds. */
#define HTTP1_URL_BYTES_MAX 8192
#define HTTP1_HEADER_BYTES_MAX (64u << 10)  /* request line and headers */
/* A body beyond both this and the JSON of the largest request netd
 * takes (--max-request-bytes as base64, and room for the rest): 413. */
#define HTTP1_BODY_BYTES_MAX (2u << 20)
#define HTTP1_BODY_SLACK_BYTES (64u << 10)
#define HTTP1_AUTH_BYTES_MAX 1024           /* an Authorization field's value */
#define HTTP1_IN_BYTES_MAX (256u << 10)     /* read ahead while answering */
#define HTTP1_OUT_BYTES_MAX (1u << 20)      /* unread answers: reading stops */
/* Slowloris: a request's headers must all come within this; a connection
 * idle between requests is closed after the other. */
#define HTTP1_HEADER_TIMEOUT_MS 10000
#define HTTP1_BODY_TIMEOUT_MS 60000
#define HTTP1_IDLE_TIMEOUT_MS 120000
/* After an answer that closes: how long the client's late bytes are read
 * and dropped before the close. */
#define HTTP1_LINGER_MS 2000

struct netd;

struct http1_req {
	enum http_method method;
	char url[HTTP1_URL_BYTES_MAX + 1];
	size_t url_len;
	size_t header_bytes;
	/* The Authorization field (the gateway's token): the name being
	 * read is it; its value, as much as fits (a longer one is no token
	 * of netd's). */
	bool field_is_auth;
	bool field_done;
	char field[16];
	size_t field_len;
	char auth[HTTP1_AUTH_BYTES_MAX + 1];
	size_t auth_len;
	struct evbuffer *body;      /* owned */
	bool keep_alive;
};

struct h1conn {
	TAILQ_ENTRY(h1conn) entry;
	struct netd *n;
	struct bufferevent *bev;
	struct event *timer;        /* header, body or idle deadline */
	http_parser parser;
	struct http1_req req;
	unsigned refuse;            /* an over-bound request's status (413, 431) */
	struct http_call call;      /* the request being answered */
	bool busy;                  /* the request is being answered */
	bool chunked;               /* ... in parts */
	bool closing;               /* close once the answer is out */
	bool lingering;             /* answered and shut: dropping what comes */
	bool processing;
	bool metrics_only;          /* a --listen-metrics-urls connection */
};

/* Serves a client connection on fd (taken) that sent no HTTP/2 preface;
 * with 'metrics_only' (--listen-metrics-urls), /metrics and /health only,
 * as etcd's metrics listener. */
void http1_accept(struct netd *n, int fd, bool metrics_only);
/* The same on a bufferevent (taken) carrying the plaintext (tls.c). */
void http1_start(struct netd *n, struct bufferevent *bev, bool metrics_only);
/* Answers the request of h: status, its Content-Type (NULL: none),
 * header fields (n of them; may be NULL) and the body (copied). */
void http1_respond(struct h1conn *h, unsigned status, const char *content_type,
    const struct http_header *headers, size_t n, const void *body, size_t len);
/* Closes every HTTP/1 connection (at exit). */
void http1_close_all(struct netd *n);


#endif
