/*
 * netd: what HTTP/1.1 clients may ask on the client port, as etcd 3.4
 * answers it: GET /health, GET /version, /metrics. Anything else is Go's
 * "404 page not found".
 */
#include <stdio.h>
#include <string.h>

#include <event2/buffer.h>
#include <http_parser.h>

#include "netd/http_routes.h"
#include "netd/metrics.h"
#include "netd/netd.h"
#include "netd/svc.h"
#include "shared/assert.h"
#include "shared/log.h"

#define TEXT "text/plain; charset=utf-8"

/* Header fields an answer may have beyond etcd's CORS ones. */
#define ROUTE_EXTRA_HEADERS_MAX 2

/* Answers with etcd's client handler's CORS fields (any origin), then
 * 'extra' (n of them). */
static void
route_answer(struct http_call *h, unsigned status, const char *content_type,
    const struct http_header *extra, size_t n, const void *body, size_t len)
{
	struct http_header hs[3 + ROUTE_EXTRA_HEADERS_MAX] = {
	    {"Access-Control-Allow-Headers", "accept, content-type, authorization"},
	    {"Access-Control-Allow-Methods", "POST, GET, OPTIONS, PUT, DELETE"},
	    {"Access-Control-Allow-Origin", "*"}};

	CAIRN_ASSERT(n <= ROUTE_EXTRA_HEADERS_MAX);
	for (size_t i = 0; i < n; i++)
		hs[3 + i] = extra[i];
	h->respond(h, status, content_type, hs, 3 + n, body, len);
}

/* Go's http.Error: the text and a newline, as plain text not to be
 * sniffed; a 405 says what is allowed. */
static void
route_error(struct http_call *h, unsigned status, const char *text)
{
	static const struct http_header hs[] = {{"Allow", "GET"},
	    {"X-Content-Type-Options", "nosniff"}};
	char body[256];
	int n = snprintf(body, sizeof(body), "%s\n", text);

	route_answer(h, status, TEXT, status == 405 ? hs : hs + 1, status == 405 ? 2 : 1, body,
	    (size_t)n);
}

static bool
route_get_only(struct http_call *h)
{
	if (h->get)
		return true;
	route_error(h, 405, "Method Not Allowed");
	return false;
}

/* Whether the query names alarm 'name' in an "exclude" parameter. */
static bool
route_excludes(const char *query, size_t len, const char *name)
{
	char want[64];
	int n = snprintf(want, sizeof(want), "exclude=%s", name);

	for (size_t i = 0; i + (size_t)n <= len; i++)
		if ((i == 0 || query[i - 1] == '&') && memcmp(query + i, want, (size_t)n) == 0 &&
		    (i + (size_t)n == len || query[i + (size_t)n] == '&'))
			return true;
	return false;
}

/* etcd's checkHealth: unhealthy while an alarm is raised (unless the
 * query excludes it) or no leader is known. */
static void
route_health(struct http_call *h, const char *query, size_t qlen)
{
	static const char bad[] = "{\"health\":\"false\"}", good[] = "{\"health\":\"true\"}";
	const struct netd *n = h->n;
	bool ok = n->raft.leader != 0;

	if (!route_get_only(h))
		return;
	if (n->store.nospace && !route_excludes(query, qlen, "NOSPACE"))
		ok = false;
	if (ok)
		route_answer(h, 200, TEXT, NULL, 0, good, sizeof(good) - 1);
	else
		route_error(h, 503, bad);
}

static void
route_version(struct http_call *h)
{
	char body[128];
	int len;

	if (!route_get_only(h))
		return;
	/* etcd's two fields, then cairn's own. */
	len = snprintf(body, sizeof(body), "{\"etcdserver\":\"%s\",\"etcdcluster\":\"3.4.0\","
	    "\"cairn\":\"%s\"}", SVC_ETCD_VERSION, PACKAGE_VERSION);
	route_answer(h, 200, "application/json", NULL, 0, body, (size_t)len);
}

static void
route_metrics(struct http_call *h)
{
	struct evbuffer *b = evbuffer_new();
	size_t len;

	if (b == NULL)
		fatalx("evbuffer_new");
	metrics_write(h->n, b);
	len = evbuffer_get_length(b);
	route_answer(h, 200, "text/plain; version=0.0.4; charset=utf-8", NULL, 0,
	    evbuffer_pullup(b, (ssize_t)len), len);
	evbuffer_free(b);
}

void
http_route(struct http_call *h)
{	struct http_parser_url u;
	const char *path, *query = "";
	size_t plen, qlen = 0;

	http_parser_url_init(&u);
	if (http_parser_parse_url(h->url, h->url_len, 0, &u) != 0 ||
	    (u.field_set & (1 << UF_PATH)) == 0) {
		route_error(h, 400, "400 Bad Request");
		return;
	}
	path = h->url + u.field_data[UF_PATH].off;
	plen = u.field_data[UF_PATH].len;
	if ((u.field_set & (1 << UF_QUERY)) != 0) {
		query = h->url + u.field_data[UF_QUERY].off;
		qlen = u.field_data[UF_QUERY].len;
	}
#define IS(p) (plen == sizeof(p) - 1 && memcmp(path, p, plen) == 0)
	if (IS("/health"))
		route_health(h, query, qlen);
	else if (IS("/version") && !h->metrics_only)
		route_version(h);
	else if (IS("/metrics"))
		route_metrics(h);
	else
		route_error(h, 404, "404 page not found");
#undef IS
}
