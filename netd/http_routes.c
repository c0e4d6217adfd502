/*
 * netd: what HTTP/1.1 clients may ask on the client port, as etcd 3.4
 * answers it: GET /health, GET /version, /metrics, the JSON gateway under
 * /v3/ (gateway.c). Anything else is Go's "404 page not found".
 */
#include <stdio.h>
#include <string.h>

#include <event2/buffer.h>
#include <http_parser.h>

#include "netd/gateway.h"
#include "netd/http_routes.h"
#include "netd/metrics.h"
#include "netd/netd.h"
#include "netd/svc.h"
#include "shared/assert.h"
#include "shared/log.h"

#define TEXT "text/plain; charset=utf-8"

/* Header fields an answer may have beyond etcd's CORS ones. */
#define ROUTE_EXTRA_HEADERS_MAX 2

const struct http_header http_cors[HTTP_CORS_HEADERS] = {
    {"Access-Control-Allow-Headers", "accept, content-type, authorization"},
    {"Access-Control-Allow-Methods", "POST, GET, OPTIONS, PUT, DELETE"},
    {"Access-Control-Allow-Origin", "*"}};

/* Answers with the CORS fields, then 'extra' (n of them). */
static void
route_answer(struct http_call *h, unsigned status, const char *content_type,
    const struct http_header *extra, size_t n, const void *body, size_t len)
{
	struct http_header hs[HTTP_CORS_HEADERS + ROUTE_EXTRA_HEADERS_MAX];

	CAIRN_ASSERT(n <= ROUTE_EXTRA_HEADERS_MAX);
	memcpy(hs, http_cors, sizeof(http_cors));
	for (size_t i = 0; i < n; i++)
		hs[HTTP_CORS_HEADERS + i] = extra[i];
	h->respond(h, status, content_type, hs, HTTP_CORS_HEADERS + n, body, len);
}

/* Go's http.Error, with the fields before it ('extra', n of them). */
static void
route_error_with(struct http_call *h, unsigned status, const char *text,
    const struct http_header *extra, size_t n)
{
	struct http_header hs[ROUTE_EXTRA_HEADERS_MAX];
	char body[256];
	int len = snprintf(body, sizeof(body), "%s\n", text);

	CAIRN_ASSERT(n < ROUTE_EXTRA_HEADERS_MAX);
	for (size_t i = 0; i < n; i++)
		hs[i] = extra[i];
	hs[n] = (struct http_header){"X-Content-Type-Options", "nosniff"};
	route_answer(h, status, TEXT, hs, n + 1, body, (size_t)len);
}

void
http_route_error(struct http_call *h, unsigned status, const char *text)
{
	route_error_with(h, status, text, NULL, 0);
}

/* etcd's own handlers answer other methods with 405 and what is
 * allowed. */
static bool
route_get_only(struct http_call *h)
{
	static const struct http_header allow = {"Allow", "GET"};

	if (h->get)
		return true;
	route_error_with(h, 405, "Method Not Allowed", &allow, 1);
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
		http_route_error(h, 503, bad);
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
{
	struct http_parser_url u;
	const char *path, *query = "";
	size_t plen, qlen = 0;

	http_parser_url_init(&u);
	if (http_parser_parse_url(h->url, h->url_len, 0, &u) != 0 ||
	    (u.field_set & (1 << UF_PATH)) == 0) {
		http_route_error(h, 400, "400 Bad Request");
		return;
	}
	path = h->url + u.field_data[UF_PATH].off;
	plen = u.field_data[UF_PATH].len;
	if ((u.field_set & (1 << UF_QUERY)) != 0) {
		query = h->url + u.field_data[UF_QUERY].off;
		qlen = u.field_data[UF_QUERY].len;
	}
#define IS(p) (plen == sizeof(p) - 1 && memcmp(path, p, plen) == 0)
	if (h->options && !h->metrics_only)
		/* etcd's access controller answers any OPTIONS (CORS'
		 * preflight) before routing. */
		route_answer(h, 200, NULL, NULL, 0, NULL, 0);
	else if (gateway_route(h, path, plen))
		; /* answered now or later */
	else if (IS("/health"))
		route_health(h, query, qlen);
	else if (IS("/version") && !h->metrics_only)
		route_version(h);
	else if (IS("/metrics"))
		route_metrics(h);
	else
		http_route_error(h, 404, "404 page not found");
#undef IS
}

/* Go's net/http reason phrases for the statuses netd sends. */
const char *
http_status_text(unsigned status)
{
	switch (status) {
	case 200: return "OK";
	case 400: return "Bad Request";
	case 401: return "Unauthorized";
	case 403: return "Forbidden";
	case 404: return "Not Found";
	case 405: return "Method Not Allowed";
	case 408: return "Request Timeout";
	case 409: return "Conflict";
	case 412: return "Precondition Failed";
	case 413: return "Request Entity Too Large";
	case 429: return "Too Many Requests";
	case 431: return "Request Header Fields Too Large";
	case 500: return "Internal Server Error";
	case 501: return "Not Implemented";
	case 503: return "Service Unavailable";
	case 504: return "Gateway Timeout";
	default: return "Unknown";
	}
}
