/*
 * netd: the HTTP endpoints (http_routes.c) and what a request to them is,
 * whichever protocol carried it: HTTP/1.1 (http1.c), or HTTP/2 on a TLS
 * connection when it is not gRPC (grpc.c), as etcd's TLS listener hands
 * such requests to its HTTP handlers.
 */
#ifndef CAIRN_NETD_HTTP_ROUTES_H
#define CAIRN_NETD_HTTP_ROUTES_H

#include <stdbool.h>
#include <stddef.h>

struct netd;

/* A header field of an answer, its name as Go writes it ("Allow"). */
struct http_header {
	const char *name, *value;
};

/* etcd's client handler's CORS fields (any origin), on every answer. */
#define HTTP_CORS_HEADERS 3
extern const struct http_header http_cors[HTTP_CORS_HEADERS];

struct gateway;

struct http_call {
	struct netd *n;
	bool get;                   /* the method is GET */
	bool post;                  /* ... POST */
	bool options;               /* ... OPTIONS */
	const char *url;            /* the request target, url_len bytes, NUL ended */
	size_t url_len;
	const char *authorization;  /* the Authorization field's value, or "" */
	const void *body;           /* the request's body, borrowed during http_route */
	size_t body_len;
	bool metrics_only;          /* a --listen-metrics-urls connection */
	/* Answers the call: its status, content type (NULL: none), extra
	 * header fields (n of them) and body (copied). */
	void (*respond)(struct http_call *c, unsigned status, const char *content_type,
	    const struct http_header *headers, size_t n, const void *body, size_t len);
	/* An answer in parts (chunked): its head, its parts (copied), its
	 * end; and the bytes of it the client has not taken yet. NULL when
	 * the protocol cannot stream (then the gateway's streams are
	 * refused). */
	void (*stream_start)(struct http_call *c, unsigned status, const char *content_type,
	    const struct http_header *headers, size_t n);
	void (*stream_part)(struct http_call *c, const void *data, size_t len);
	void (*stream_end)(struct http_call *c);
	size_t (*unsent)(const struct http_call *c);
	void *ctx;                  /* the protocol's */
	/* A call the JSON gateway answers later (set by http_route): the
	 * protocol tells it when the client took some of the answer
	 * (gateway_drained) or went away (gateway_free). The gateway clears
	 * it before it answers or ends its stream. */
	struct gateway *gw;
};

/* Answers c, at once or, for the gateway, later (then c->gw is set and
 * c must live until the answer). */
void http_route(struct http_call *c);

/* Go's http.Error (text and a newline, plain text, not to be sniffed). */
void http_route_error(struct http_call *c, unsigned status, const char *text);

/* Go's net/http reason phrase for a status netd sends ("Not Found"). */
const char *http_status_text(unsigned status);

#endif
