/*
 * netd: HTTP/1.1 connections (see http1.h). The parser is paused at the
 * end of each request; reading and parsing go on once it is answered.
 */
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/event.h>

#include "netd/gateway.h"
#include "netd/http1.h"
#include "netd/netd.h"
#include "shared/log.h"
#include "shared/xmalloc.h"

static void h1_process(struct h1conn *h);

static void
h1_free(struct h1conn *h)
{
	if (h->call.gw != NULL)
		gateway_free(h->call.gw);
	TAILQ_REMOVE(&h->n->h1conns, h, entry);
	h->n->conns_len--;
	bufferevent_free(h->bev);
	event_free(h->timer);
	evbuffer_free(h->req.body);
	free(h);
}

static void
h1_deadline(struct h1conn *h, int ms)
{
	struct timeval tv = {ms / 1000, ms % 1000 * 1000};

	if (ms == 0)
		event_del(h->timer);
	else if (event_add(h->timer, &tv) != 0)
		fatalx("event_add");
}

static void
h1_timeout(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	h1_free(arg); /* slow or idle: the client may come again */
}

/* The status line, the fields and Date (Go writes them in that order). */
static void
h1_head(struct h1conn *h, unsigned status, const char *content_type,
    const struct http_header *headers, size_t n)
{
	struct evbuffer *out = bufferevent_get_output(h->bev);
	char date[64];
	time_t now = time(NULL);
	struct tm tm;

	CAIRN_ASSERT(h->busy);
	gmtime_r(&now, &tm);
	strftime(date, sizeof(date), "%a, %d %b %Y %H:%M:%S GMT", &tm);
	evbuffer_add_printf(out, "HTTP/1.1 %u %s\r\n", status, http_status_text(status));
	for (size_t i = 0; i < n; i++)
		evbuffer_add_printf(out, "%s: %s\r\n", headers[i].name, headers[i].value);
	if (content_type != NULL)
		evbuffer_add_printf(out, "Content-Type: %s\r\n", content_type);
	evbuffer_add_printf(out, "Date: %s\r\n%s", date,
	    h->closing ? "Connection: close\r\n" : "");
}

/* The answer is all out: the next request may be read. */
static void
h1_done(struct h1conn *h)
{
	h->busy = false;
	h->chunked = false;
	evbuffer_drain(h->req.body, evbuffer_get_length(h->req.body));
	if (h->closing) {
		bufferevent_disable(h->bev, EV_READ);
		return; /* freed once written (h1_writable) */
	}
	http_parser_pause(&h->parser, 0);
	h1_deadline(h, HTTP1_IDLE_TIMEOUT_MS);
	if (!h->processing)
		h1_process(h);
}

void
http1_respond(struct h1conn *h, unsigned status, const char *content_type,
    const struct http_header *headers, size_t n, const void *body, size_t len)
{
	struct evbuffer *out = bufferevent_get_output(h->bev);

	h1_head(h, status, content_type, headers, n);
	evbuffer_add_printf(out, "Content-Length: %zu\r\n\r\n", len);
	if (len > 0 && evbuffer_add(out, body, len) != 0)
		fatalx("evbuffer_add");
	h1_done(h);
}

static void
h1_stream_start(struct http_call *c, unsigned status, const char *content_type,
    const struct http_header *headers, size_t n)
{
	struct h1conn *h = c->ctx;

	h1_head(h, status, content_type, headers, n);
	evbuffer_add_printf(bufferevent_get_output(h->bev), "Transfer-Encoding: chunked\r\n\r\n");
	h->chunked = true;
}

static void
h1_stream_part(struct http_call *c, const void *data, size_t len)
{
	struct h1conn *h = c->ctx;
	struct evbuffer *out = bufferevent_get_output(h->bev);

	CAIRN_ASSERT(h->chunked);
	if (len == 0)
		return; /* an empty chunk would end the answer */
	evbuffer_add_printf(out, "%zx\r\n", len);
	if (evbuffer_add(out, data, len) != 0)
		fatalx("evbuffer_add");
	evbuffer_add(out, "\r\n", 2);
}

static void
h1_stream_end(struct http_call *c)
{
	struct h1conn *h = c->ctx;

	CAIRN_ASSERT(h->chunked);
	evbuffer_add(bufferevent_get_output(h->bev), "0\r\n\r\n", 5);
	h1_done(h);
}

static size_t
h1_unsent(const struct http_call *c)
{
	const struct h1conn *h = c->ctx;

	return evbuffer_get_length(bufferevent_get_output(h->bev));
}

/* A request the parser refused: Go's plain answer, then the close. */
static void
h1_refuse(struct h1conn *h, unsigned status)
{
	char body[64];
	int n = snprintf(body, sizeof(body), "%u %s", status, http_status_text(status));

	h->busy = true;
	h->closing = true;
	http1_respond(h, status, "text/plain; charset=utf-8", NULL, 0, body, (size_t)n);
}

/* ---- the parser's callbacks -------------------------------------------- */

static int
on_begin(http_parser *p)
{
	struct h1conn *h = p->data;

	h->req.url_len = 0;
	h->req.header_bytes = 0;
	h->req.field_done = true;
	h->req.field_len = 0;
	h->req.auth_len = 0;
	h->req.auth[0] = '\0';
	h1_deadline(h, HTTP1_HEADER_TIMEOUT_MS);
	return 0;
}

static int
on_url(http_parser *p, const char *at, size_t len)
{
	struct h1conn *h = p->data;

	if (h->req.url_len + len > HTTP1_URL_BYTES_MAX) {
		h->refuse = 431; /* Go: the request line counts in the header limit */
		return 1;
	}
	memcpy(h->req.url + h->req.url_len, at, len);
	h->req.url_len += len;
	h->req.url[h->req.url_len] = '\0';
	return 0;
}

static int
h1_header_bytes(struct h1conn *h, size_t len)
{
	h->req.header_bytes += len;
	if (h->req.header_bytes > HTTP1_HEADER_BYTES_MAX) {
		h->refuse = 431;
		return 1;
	}
	return 0;
}

static int
on_header_field(http_parser *p, const char *at, size_t len)
{
	struct http1_req *r = &((struct h1conn *)p->data)->req;

	if (r->field_done) {
		r->field_done = false;
		r->field_len = 0;
	}
	/* A longer name is not the one kept: its length stays over. */
	if (r->field_len + len < sizeof(r->field))
		memcpy(r->field + r->field_len, at, len);
	r->field_len += len;
	return h1_header_bytes(p->data, len);
}

static int
on_header_value(http_parser *p, const char *at, size_t len)
{
	struct http1_req *r = &((struct h1conn *)p->data)->req;
	static const char name[] = "authorization";

	if (!r->field_done) {
		r->field_done = true;
		/* The first Authorization field is the one etcd reads. */
		r->field_is_auth = r->auth_len == 0 && r->field_len == sizeof(name) - 1 &&
		    strncasecmp(r->field, name, sizeof(name) - 1) == 0;
	}
	if (r->field_is_auth) {
		size_t room = HTTP1_AUTH_BYTES_MAX - r->auth_len;

		memcpy(r->auth + r->auth_len, at, len < room ? len : room);
		r->auth_len += len < room ? len : room;
		r->auth[r->auth_len] = '\0';
	}
	return h1_header_bytes(p->data, len);
}

static int
on_headers_complete(http_parser *p)
{
	struct h1conn *h = p->data;

	h1_deadline(h, HTTP1_BODY_TIMEOUT_MS);
	return 0;
}

static int
on_body(http_parser *p, const char *at, size_t len)
{
	struct h1conn *h = p->data;

	size_t max = h->n->msg_bytes_max / 3 * 4 + HTTP1_BODY_SLACK_BYTES;

	if (max < HTTP1_BODY_BYTES_MAX)
		max = HTTP1_BODY_BYTES_MAX;
	if (evbuffer_get_length(h->req.body) + len > max) {
		h->refuse = 413;
		return 1;
	}
	if (evbuffer_add(h->req.body, at, len) != 0)
		fatalx("evbuffer_add");
	return 0;
}

static int
on_complete(http_parser *p)
{
	struct h1conn *h = p->data;

	h->req.method = (enum http_method)p->method;
	h->req.keep_alive = http_should_keep_alive(p) != 0;
	h1_deadline(h, 0);
	http_parser_pause(p, 1);
	return 0;
}

static const http_parser_settings h1_settings = {
	.on_message_begin = on_begin,
	.on_url = on_url,
	.on_header_field = on_header_field,
	.on_header_value = on_header_value,
	.on_headers_complete = on_headers_complete,
	.on_body = on_body,
	.on_message_complete = on_complete,
};

static void
h1_call_respond(struct http_call *c, unsigned status, const char *content_type,
    const struct http_header *headers, size_t n, const void *body, size_t len)
{
	http1_respond(c->ctx, status, content_type, headers, n, body, len);
}

/* ---- the connection ------------------------------------------------------ */

/* Parses what came, answering each whole request before the next. */
static void
h1_process(struct h1conn *h)
{
	struct evbuffer *in = bufferevent_get_input(h->bev);
	struct evbuffer *out = bufferevent_get_output(h->bev);

	h->processing = true;
	while (!h->busy && !h->closing && evbuffer_get_length(in) > 0 &&
	    evbuffer_get_length(out) < HTTP1_OUT_BYTES_MAX) {
		struct evbuffer_iovec v;
		size_t used;
		enum http_errno err;

		if (evbuffer_peek(in, -1, NULL, &v, 1) < 1)
			break;
		used = http_parser_execute(&h->parser, &h1_settings, v.iov_base, v.iov_len);
		evbuffer_drain(in, used);
		err = HTTP_PARSER_ERRNO(&h->parser);
		if (err == HPE_PAUSED) {
			size_t blen = evbuffer_get_length(h->req.body);

			h->call = (struct http_call){.n = h->n, .get = h->req.method == HTTP_GET,
			    .post = h->req.method == HTTP_POST,
			    .options = h->req.method == HTTP_OPTIONS, .url = h->req.url,
			    .url_len = h->req.url_len, .authorization = h->req.auth,
			    .body = evbuffer_pullup(h->req.body, (ssize_t)blen), .body_len = blen,
			    .metrics_only = h->metrics_only, .respond = h1_call_respond,
			    .stream_start = h1_stream_start, .stream_part = h1_stream_part,
			    .stream_end = h1_stream_end, .unsent = h1_unsent, .ctx = h};
			h->busy = true;
			h->closing = !h->req.keep_alive;
			http_route(&h->call);
		} else if (err != HPE_OK) {
			log_debug("HTTP/1 client: %s", http_errno_description(err));
			h1_refuse(h, h->refuse != 0 ? h->refuse :
			    err == HPE_HEADER_OVERFLOW ? 431 : 400);
		}
	}
	h->processing = false;
}

static void
h1_readable(struct bufferevent *bev, void *arg)
{
	struct h1conn *h = arg;

	if (h->lingering) {
		struct evbuffer *in = bufferevent_get_input(bev);

		evbuffer_drain(in, evbuffer_get_length(in));
		return;
	}
	h1_process(h);
}

static void
h1_writable(struct bufferevent *bev, void *arg)
{
	struct h1conn *h = arg;

	if (h->closing && !h->busy && !h->lingering) {
		/* Closing with the client's bytes unread would reset the
		 * connection, and the client could lose the answer: the
		 * sending side is shut, and what still comes is read and
		 * dropped for a while (as Go's server does). */
		h->lingering = true;
		(void)shutdown(bufferevent_getfd(bev), SHUT_WR);
		bufferevent_setwatermark(bev, EV_READ, 0, 0);
		bufferevent_enable(bev, EV_READ);
		h1_deadline(h, HTTP1_LINGER_MS);
		return;
	}
	if (h->call.gw != NULL)
		gateway_drained(h->call.gw); /* the client read: more may go */
	else if (!h->closing)
		h1_process(h); /* the client read: answer what waits */
}

static void
h1_event(struct bufferevent *bev, short what, void *arg)
{
	(void)bev;
	(void)what;
	/* EOF or an error: a request being answered is dropped with it. */
	h1_free(arg);
}

void
http1_accept(struct netd *n, int fd, bool metrics_only)
{
	struct bufferevent *bev = netd_client_bev(n, fd);

	if (bev != NULL)
		http1_start(n, bev, metrics_only);
}

void
http1_start(struct netd *n, struct bufferevent *bev, bool metrics_only)
{
	struct h1conn *h = xcalloc(1, sizeof(*h));

	h->n = n;
	h->metrics_only = metrics_only;
	h->bev = bev;
	h->timer = evtimer_new(n->c->base, h1_timeout, h);
	h->req.body = evbuffer_new();
	if (h->timer == NULL || h->req.body == NULL)
		fatalx("cannot serve an HTTP/1 connection");
	http_parser_init(&h->parser, HTTP_REQUEST);
	h->parser.data = h;
	TAILQ_INSERT_TAIL(&n->h1conns, h, entry);
	n->conns_len++;
	bufferevent_setwatermark(h->bev, EV_READ, 0, HTTP1_IN_BYTES_MAX);
	bufferevent_setcb(h->bev, h1_readable, h1_writable, h1_event, h);
	bufferevent_enable(h->bev, EV_READ | EV_WRITE);
	h1_deadline(h, HTTP1_HEADER_TIMEOUT_MS);
}

void
http1_close_all(struct netd *n)
{
	struct h1conn *h;

	while ((h = TAILQ_FIRST(&n->h1conns)) != NULL)
		h1_free(h);
}
