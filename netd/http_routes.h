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

struct http_call {
	struct netd *n;
	bool get;                   /* the method is GET */
	const char *url;            /* the request target, url_len bytes, NUL ended */
	size_t url_len;
	bool metrics_only;          /* a --listen-metrics-urls connection */
	/* Answers the call: its status, content type, extra header fields
	 * (n of them) and body (copied). */
	void (*respond)(struct http_call *c, unsigned status, const char *content_type,
	    const struct http_header *headers, size_t n, const void *body, size_t len);
	void *ctx;                  /* the protocol's */
};

/* Answers c (at once, for now). */
void http_route(struct http_call *c);

#endif
