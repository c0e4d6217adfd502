/*
 * cairnctl: etcdctl's endpointMemoryMetrics (check datascale): an HTTP
 * GET of the member's /metrics (over TLS for https://, with the client's
 * certificate and the system's roots, as etcdctl's http.DefaultTransport)
 * and its process_resident_memory_bytes line.
 */
#include <errno.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>

#include "ctl/check.h"
#include "ctl/goquote.h"
#include "shared/assert.h"
#include "shared/tls.h"
#include "shared/xmalloc.h"

#define METRICS_KEY "process_resident_memory_bytes"
/* The longest URL, and the most of an answer read. */
#define METRICS_URL_BYTES_MAX (GC_ENDPOINT_BYTES_MAX + 64)
#define METRICS_ANSWER_BYTES_MAX (64u << 20)
#define METRICS_TEXT_BYTES_MAX 1024
/* The roots Go's crypto/x509 finds on Debian. */
#define METRICS_SYSTEM_CA_FILE "/etc/ssl/certs/ca-certificates.crt"

struct fetch {
	struct event_base *base;
	struct tls_server tls;
	bool tls_ready;
	char host[GC_ENDPOINT_BYTES_MAX], port[16], authority[GC_ENDPOINT_BYTES_MAX];
	char addr[GC_ENDPOINT_BYTES_MAX + 8];  /* the address dialled, as Go names it */
	const char *path;
	struct bufferevent *bev;
	struct evbuffer *answer;               /* owned */
	bool done;
	char err[METRICS_TEXT_BYTES_MAX];      /* "" while none */
};

/* The fetch ends with Go's error text (the first one stays). */
static void
fetch_fail(struct fetch *f, const char *text)
{
	if (f->err[0] == '\0')
		snprintf(f->err, sizeof(f->err), "%s", text);
	f->done = true;
}

/* Whether the answer so far is whole: its body as long as its
 * Content-Length says, or its last chunk in (servers keep the
 * connection open). */
static bool
fetch_whole(struct evbuffer *answer)
{
	struct evbuffer_ptr end = evbuffer_search(answer, "\r\n\r\n", 4, NULL);
	size_t head, len = evbuffer_get_length(answer);
	const char *a, *cl;

	if (end.pos < 0)
		return false;
	head = (size_t)end.pos + 4;
	a = (const char *)evbuffer_pullup(answer, (ssize_t)head);
	if ((cl = strcasestr(a, "\r\ncontent-length:")) != NULL && cl < a + head)
		return len - head >= strtoul(cl + 17, NULL, 10);
	if (strcasestr(a, "\r\ntransfer-encoding: chunked") == NULL ||
	    strcasestr(a, "\r\ntransfer-encoding: chunked") > a + head)
		return false;
	return len - head >= 5 && evbuffer_search(answer, "\r\n0\r\n\r\n", 7, NULL).pos >= 0;
}

static void
fetch_read(struct bufferevent *bev, void *arg)
{
	struct fetch *f = arg;

	evbuffer_add_buffer(f->answer, bufferevent_get_input(bev));
	if (evbuffer_get_length(f->answer) > METRICS_ANSWER_BYTES_MAX)
		fetch_fail(f, "http: response too large");
	else if (fetch_whole(f->answer))
		f->done = true;
}

static void
fetch_send(struct fetch *f)
{
	bufferevent_setcb(f->bev, fetch_read, NULL, NULL, f);
	evbuffer_add_printf(bufferevent_get_output(f->bev),
	    "GET %s HTTP/1.1\r\nHost: %s\r\nUser-Agent: Go-http-client/1.1\r\n"
	    "Connection: close\r\n\r\n", f->path, f->authority);
	bufferevent_enable(f->bev, EV_READ | EV_WRITE);
}

static void fetch_event(struct bufferevent *bev, short what, void *arg);

static void
fetch_tls_done(void *arg, struct bufferevent *bev, const char *alpn, const char *cn)
{
	struct fetch *f = arg;

	(void)alpn;
	(void)cn;
	if (bev == NULL) {
		fetch_fail(f, "remote error: tls: handshake failure");
		return;
	}
	f->bev = bev;
	fetch_send(f);
	bufferevent_setcb(f->bev, fetch_read, NULL, fetch_event, f);
}

static void
fetch_event(struct bufferevent *bev, short what, void *arg)
{
	struct fetch *f = arg;

	if (what & BEV_EVENT_CONNECTED) {
		if (!f->tls_ready) {
			bufferevent_setcb(bev, fetch_read, NULL, fetch_event, f);
			fetch_send(f);
			return;
		}
		f->bev = NULL; /* the TLS layer takes it */
		if (tls_start(f->base, bev, &f->tls, tls_host_is_ip(f->host) ? NULL : f->host,
		    NULL, fetch_tls_done, f, NULL) != 0)
			fetch_fail(f, "remote error: tls: handshake failure");
		return;
	}
	if (what & BEV_EVENT_EOF) {
		fetch_read(bev, f);
		f->done = true;
		return;
	}
	if (f->err[0] == '\0' && evbuffer_get_length(f->answer) == 0) {
		char text[METRICS_TEXT_BYTES_MAX];

		snprintf(text, sizeof(text), "dial tcp %s: connect: %s", f->addr,
		    ctl_strerror(EVUTIL_SOCKET_ERROR()));
		fetch_fail(f, text);
		return;
	}
	f->done = true;
}

/* host:port (or [v6]:port) of the URL's authority into f. 0 or -1. */
static int
fetch_split(struct fetch *f, const char *authority, bool tls)
{
	const char *colon;

	snprintf(f->authority, sizeof(f->authority), "%s", authority);
	if (authority[0] == '[') {
		const char *close = strchr(authority, ']');

		if (close == NULL)
			return -1;
		snprintf(f->host, sizeof(f->host), "%.*s", (int)(close - authority - 1),
		    authority + 1);
		colon = close[1] == ':' ? close + 1 : NULL;
	} else {
		colon = strrchr(authority, ':');
		snprintf(f->host, sizeof(f->host), "%.*s",
		    (int)(colon != NULL ? (size_t)(colon - authority) : strlen(authority)), authority);
	}
	snprintf(f->port, sizeof(f->port), "%s", colon != NULL ? colon + 1 : tls ? "443" : "80");
	return 0;
}

/* The body of an HTTP/1.1 answer (chunked or not), NUL-terminated in
 * place; NULL when it is no answer. */
static char *
fetch_body(char *a)
{
	char *body = strstr(a, "\r\n\r\n"), *in, *out;
	bool chunked;

	if (body == NULL || strncmp(a, "HTTP/1.", 7) != 0)
		return NULL;
	*body = '\0';
	body += 4;
	chunked = strcasestr(a, "\r\ntransfer-encoding: chunked") != NULL;
	if (!chunked)
		return body;
	for (in = out = body;;) {
		char *end;
		unsigned long n = strtoul(in, &end, 16);

		if (end == in || (end = strstr(end, "\r\n")) == NULL || n == 0)
			break;
		end += 2;
		if (strlen(end) < n)
			n = strlen(end);
		memmove(out, end, n);
		out += n;
		in = end + n;
		if (strncmp(in, "\r\n", 2) == 0)
			in += 2;
	}
	*out = '\0';
	return body;
}

/* Dials url's host and reads the answer to GET of its path into f. */
static void
fetch_get(struct fetch *f, const char *url, bool tls)
{
	struct addrinfo hints = { .ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM }, *ai;
	const char *rest = url + (tls ? 8 : 7), *slash = strchr(rest, '/');
	char authority[GC_ENDPOINT_BYTES_MAX];

	snprintf(authority, sizeof(authority), "%.*s", (int)(slash - rest), rest);
	f->path = slash;
	if (fetch_split(f, authority, tls) != 0 ||
	    getaddrinfo(f->host, f->port, &hints, &ai) != 0) {
		char text[METRICS_TEXT_BYTES_MAX];

		snprintf(text, sizeof(text), "dial tcp: lookup %s: no such host", f->host);
		fetch_fail(f, text);
		return;
	}
	if (getnameinfo(ai->ai_addr, ai->ai_addrlen, f->addr, sizeof(f->addr), NULL, 0,
	    NI_NUMERICHOST) != 0)
		snprintf(f->addr, sizeof(f->addr), "%s", f->host);
	if (ai->ai_family == AF_INET6 && strlen(f->addr) + 2 < sizeof(f->addr)) {
		memmove(f->addr + 1, f->addr, strlen(f->addr) + 1);
		f->addr[0] = '[';
		strcat(f->addr, "]");
	}
	snprintf(f->addr + strlen(f->addr), sizeof(f->addr) - strlen(f->addr), ":%s", f->port);
	f->bev = bufferevent_socket_new(f->base, -1, BEV_OPT_CLOSE_ON_FREE);
	CAIRN_ASSERT(f->bev != NULL);
	bufferevent_setcb(f->bev, NULL, NULL, fetch_event, f);
	if (bufferevent_socket_connect(f->bev, ai->ai_addr, (int)ai->ai_addrlen) != 0)
		fetch_event(f->bev, BEV_EVENT_ERROR, f);
	freeaddrinfo(ai);
	while (!f->done)
		event_base_loop(f->base, EVLOOP_ONCE);
}

/* The value of the metric in body, as etcdctl finds it: the first line
 * that starts with its name, the rest trimmed. 0 with a line printed on
 * failure. */
static double
fetch_value(char *body)
{
	for (char *line = body; line != NULL;) {
		char *nl = strchr(line, '\n'), *v, *end;
		size_t len;
		double d;

		if (nl != NULL)
			*nl = '\0';
		if (strncmp(line, METRICS_KEY, strlen(METRICS_KEY)) == 0) {
			v = line + strlen(METRICS_KEY);
			v += strspn(v, " \t\r\v\f");
			len = strlen(v);
			while (len > 0 && strchr(" \t\r\v\f", v[len - 1]) != NULL)
				v[--len] = '\0';
			if (len == 0)
				break;
			d = strtod(v, &end);
			if (*end != '\0' || end == v) {
				fputs("parse error: strconv.ParseFloat: parsing ", stdout);
				goquote_write(stdout, (const uint8_t *)v, len);
				fputs(": invalid syntax\n", stdout);
				return 0;
			}
			return d;
		}
		line = nl != NULL ? nl + 1 : NULL;
	}
	printf("could not find: %s\n", METRICS_KEY);
	return 0;
}

double
check_memory_bytes(const char *host, const char *cert, const char *key)
{
	struct fetch f = { .base = client_base() };
	char url[METRICS_URL_BYTES_MAX], *a, *body;
	size_t len;
	double d;
	bool tls = strncmp(host, "https://", 8) == 0;

	snprintf(url, sizeof(url), "%s%s/metrics",
	    tls || strncmp(host, "http://", 7) == 0 ? "" : "http://", host);
	if (tls) {
		struct tls_files tf = { .cert_file = cert, .key_file = key,
		    .trusted_ca_file = ctl_g.insecure_skip_verify ? "" : METRICS_SYSTEM_CA_FILE,
		    .crl_file = "", .cipher_suites = "" };

		if (cert[0] == '\0' || key[0] == '\0' || tls_end_init(&f.tls, &tf, true) != 0) {
			printf("client certificate error: open %s: no such file or directory\n",
			    cert[0] == '\0' ? "" : key);
			tls_server_free(&f.tls);
			return 0;
		}
		f.tls_ready = true;
	}
	f.answer = evbuffer_new();
	CAIRN_ASSERT(f.answer != NULL);
	fetch_get(&f, url, tls);
	if (f.bev != NULL)
		bufferevent_free(f.bev);
	if (f.tls_ready)
		tls_server_free(&f.tls);
	if (f.err[0] != '\0') {
		printf("fetch error: Get \"%s\": %s\n", url, f.err);
		evbuffer_free(f.answer);
		return 0;
	}
	len = evbuffer_get_length(f.answer);
	a = xmalloc(len + 1);
	evbuffer_remove(f.answer, a, len);
	a[len] = '\0';
	evbuffer_free(f.answer);
	if ((body = fetch_body(a)) == NULL) {
		printf("fetch error: Get \"%s\": net/http: HTTP/1.x transport connection broken: "
		    "malformed HTTP response\n", url);
		free(a);
		return 0;
	}
	d = fetch_value(body);
	free(a);
	return d;
}
