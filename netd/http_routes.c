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
#include "shared/log.h"

#define TEXT "text/plain; charset=utf-8"
/* Go's http.Error adds this header. */
#define NOSNIFF "X-Content-Type-Options: nosniff\r\n"

/* Go's http.Error: the text and a newline, as plain text. */
static void
route_error(struct http_call *h, unsigned status, const char *headers, const char *text)
{
	char body[256];
	int n = snprintf(body, sizeof(body), "%s\n", text);

	h->respond(h, status, TEXT, headers, body, (size_t)n);
}

static bool
route_get_only(struct http_call *h)
{
	if (h->get)
		return true;
	route_error(h, 405, "Allow: GET\r\n" NOSNIFF, "Method Not Allowed");
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
		h->respond(h, 200, TEXT, NULL, good, sizeof(good) - 1);
	else
		route_error(h, 503, NOSNIFF, bad);
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
	h->respond(h, 200, "application/json", NULL, body, (size_t)len);
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
	h->respond(h, 200, "text/plain; version=0.0.4; charset=utf-8", NULL,
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
		route_error(h, 400, NOSNIFF, "400 Bad Request");
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
		route_error(h, 404, NOSNIFF, "404 page not found");
#undef IS
}
