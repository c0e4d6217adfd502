/*
 * The gRPC client's calls (see gclient.h): waiting for a connection with
 * room, gRPC's message framing both ways, deadlines, and how each call
 * ends.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "shared/err.h"
#include "shared/gclient_impl.h"
#include "shared/xmalloc.h"

/* "host:port", or "http://host:port" / "https://host:port" as etcdctl
 * also takes it (*tls set by the scheme, left alone without one). */
static int
endpoint_split(const char *e, char *host, char *port, bool *tls, char *err, size_t errlen)
{
	enum url_scheme scheme;

	if (url_host_port(e, &scheme, host, port) != 0) {
		snprintf(err, errlen, "endpoint %s: want host:port, http://host:port or "
		    "https://host:port", e);
		return CAIRN_EINVAL;
	}
	if (scheme != URL_SCHEME_NONE)
		*tls = scheme == URL_SCHEME_HTTPS;
	return 0;
}

static bool
given(const char *s)
{
	return s != NULL && s[0] != '\0';
}

/* The client's TLS end, when an endpoint speaks TLS. */
static int
client_tls(struct gc_client *c, const struct gc_options *o, char *err, size_t errlen)
{
	struct tls_files f = {.cert_file = given(o->cert_file) ? o->cert_file : "",
	    .key_file = given(o->key_file) ? o->key_file : "",
	    .trusted_ca_file = o->insecure_skip_verify ? "" : given(o->ca_file) ? o->ca_file :
	    GC_SYSTEM_CA_FILE, .crl_file = "", .cipher_suites = "", .alpn = true};
	bool any = false;

	for (size_t i = 0; i < c->nendpoints; i++)
		any |= c->tls[i];
	if (!any)
		return 0;
	if (given(f.cert_file) != given(f.key_file)) {
		snprintf(err, errlen, "a client certificate needs its key, and a key its certificate");
		return CAIRN_EINVAL;
	}
	if (tls_end_init(&c->tls_end, &f, true) != 0) {
		snprintf(err, errlen, "cannot read the TLS files (the log says why)");
		return CAIRN_EINVAL;
	}
	return 0;
}

struct gc_client *
gc_client_new(struct event_base *base, const struct gc_options *o, char *err, size_t errlen)
{
	struct gc_client *c;
	bool tls_flags = given(o->cert_file) || given(o->key_file) || given(o->ca_file) ||
	    o->insecure_skip_verify;

	if (o->nendpoints == 0 || o->nendpoints > GC_ENDPOINTS_MAX || o->conns > GC_CONNS_MAX) {
		snprintf(err, errlen, "1 to %u endpoints and at most %u connections", GC_ENDPOINTS_MAX,
		    GC_CONNS_MAX);
		return NULL;
	}
	c = xcalloc(1, sizeof(*c));
	c->base = base;
	c->dial_timeout_ms = o->dial_timeout_ms > 0 ? o->dial_timeout_ms : 2000;
	c->keepalive_ms = o->keepalive_time_ms;
	c->keepalive_timeout_ms = o->keepalive_timeout_ms > 0 ? o->keepalive_timeout_ms : 6000;
	TAILQ_INIT(&c->waiting);
	for (size_t i = 0; i < o->nendpoints; i++) {
		c->tls[i] = tls_flags;
		if (endpoint_split(o->endpoints[i], c->hosts[i], c->ports[i], &c->tls[i], err,
		    errlen) != 0) {
			free(c);
			return NULL;
		}
	}
	c->nendpoints = o->nendpoints;
	if (client_tls(c, o, err, errlen) != 0) {
		tls_server_free(&c->tls_end);
		free(c);
		return NULL;
	}
	c->nconns = o->conns > 0 ? o->conns : 1;
	c->conns = xcalloc(c->nconns, sizeof(*c->conns));
	/* Connections spread over the endpoints, as etcd's round robin. */
	for (size_t i = 0; i < c->nconns; i++)
		gc_conn_init(&c->conns[i], c, i % c->nendpoints);
	for (size_t i = 0; i < c->nconns; i++)
		gc_conn_dial(&c->conns[i]);
	return c;
}

void
gc_client_free(struct gc_client *c)
{
	struct gc_stream *s;

	if (c == NULL)
		return;
	while ((s = TAILQ_FIRST(&c->waiting)) != NULL)
		gc_stream_end(s, GC_CANCELLED, "grpc: the client connection is closing");
	for (size_t i = 0; i < c->nconns; i++)
		gc_conn_free(&c->conns[i]);
	free(c->conns);
	free(c->sync_msg);
	tls_server_free(&c->tls_end); /* the key wiped */
	free(c);
}

void
gc_client_set_token(struct gc_client *c, const char *token)
{
	c->has_token = token != NULL;
	snprintf(c->token, sizeof(c->token), "%s", token != NULL ? token : "");
}

/* ---- calls ---------------------------------------------------------------- */

static void
stream_deadline(evutil_socket_t fd, short what, void *arg)
{
	struct gc_stream *s = arg;

	(void)fd;
	(void)what;
	/* grpc-go's words for a deadline; for a unary call that found no
	 * connection because dials fail, its balancer's; for a stream still
	 * waiting, cairn's own. */
	if (s->conn == NULL && s->timeout_ms > 0 && s->c->dial_failed)
		gc_stream_end(s, GC_DEADLINE_EXCEEDED,
		    "latest balancer error: all SubConns are in TransientFailure");
	else
		gc_stream_end(s, GC_DEADLINE_EXCEEDED, s->conn != NULL || s->timeout_ms > 0 ?
		    "context deadline exceeded" : "context deadline exceeded: no connection");
}

static struct gc_stream *
stream_new(struct gc_client *c, const char *path, unsigned timeout_ms)
{
	struct gc_stream *s;
	unsigned wait_ms = timeout_ms > 0 ? timeout_ms : c->dial_timeout_ms;
	struct timeval tv = {wait_ms / 1000, (wait_ms % 1000) * 1000};

	if (c->nwaiting >= GC_WAITING_MAX || strlen(path) >= GC_PATH_BYTES_MAX)
		return NULL;
	s = xcalloc(1, sizeof(*s));
	s->c = c;
	snprintf(s->path, sizeof(s->path), "%s", path);
	s->status = -1;
	s->timeout_ms = timeout_ms;
	if ((s->out = evbuffer_new()) == NULL || (s->in = evbuffer_new()) == NULL ||
	    (s->deadline = evtimer_new(c->base, stream_deadline, s)) == NULL)
		abort();
	/* Until it has a connection: the dial timeout, or its own. */
	evtimer_add(s->deadline, &tv);
	TAILQ_INSERT_TAIL(&c->waiting, s, entry);
	c->nwaiting++;
	return s;
}

static void
stream_free(struct gc_stream *s)
{
	evbuffer_free(s->out);
	evbuffer_free(s->in);
	if (s->req != NULL)
		evbuffer_free(s->req);
	if (s->answer != NULL)
		evbuffer_free(s->answer);
	event_free(s->deadline);
	free(s);
}

void
gc_stream_end(struct gc_stream *s, int status, const char *message)
{
	struct gc_result r = {.status = status};
	size_t len;

	if (s->ending)
		return;
	s->ending = true;
	evtimer_del(s->deadline);
	if (s->conn != NULL) {
		if (s->id > 0 && s->conn->h2 != NULL &&
		    nghttp2_session_get_stream_user_data(s->conn->h2, s->id) == s)
			gc_conn_reset(s->conn, s);
		TAILQ_REMOVE(&s->conn->calls, s, entry);
		s->conn->ncalls--;
	} else {
		TAILQ_REMOVE(&s->c->waiting, s, entry);
		s->c->nwaiting--;
	}
	snprintf(r.message, sizeof(r.message), "%s", message);
	if (s->unary) {
		if (status == GC_OK && s->answer != NULL && (len = evbuffer_get_length(s->answer)) > 0)
			r.msg = evbuffer_pullup(s->answer, (ssize_t)len);
		r.len = status == GC_OK && s->answer != NULL ? evbuffer_get_length(s->answer) : 0;
		s->unary_cb(s->arg, &r);
	} else
		s->on_end(s->arg, s, &r);
	stream_free(s);
}

/* grpc-go's status for an HTTP status that is not 200. */
static int
http_to_grpc(int http)
{
	switch (http) {
	case 400:
		return GC_INTERNAL;
	case 401:
		return 16; /* UNAUTHENTICATED */
	case 403:
		return 7; /* PERMISSION_DENIED */
	case 404:
		return 12; /* UNIMPLEMENTED */
	case 429: case 502: case 503: case 504:
		return GC_UNAVAILABLE;
	default:
		return GC_UNKNOWN;
	}
}

/* A unary call back to the head of the waiting list, as it was. */
static void
stream_requeue(struct gc_stream *s)
{
	struct gc_client *c = s->c;

	TAILQ_REMOVE(&s->conn->calls, s, entry);
	s->conn->ncalls--;
	s->conn = NULL;
	s->id = 0;
	s->deferred = false;
	evbuffer_drain(s->out, evbuffer_get_length(s->out));
	if (evbuffer_add_buffer_reference(s->out, s->req) != 0)
		abort();
	TAILQ_INSERT_HEAD(&c->waiting, s, entry);
	c->nwaiting++;
	evbuffer_drain(s->in, evbuffer_get_length(s->in));
	if (s->timeout_ms == 0) {
		struct timeval tv = {c->dial_timeout_ms / 1000, (c->dial_timeout_ms % 1000) * 1000};

		evtimer_add(s->deadline, &tv);
	}
}

void
gc_stream_closed(struct gc_stream *s, uint32_t error_code)
{
	char why[GC_MESSAGE_BYTES_MAX];

	s->id = -s->id; /* closed: nothing to reset */
	if (s->status >= 0) {
		if (s->unary && s->status == GC_OK && !s->answered)
			gc_stream_end(s, GC_INTERNAL, "grpc: a unary answer without its message");
		else
			gc_stream_end(s, s->status, s->message);
		return;
	}
	if (s->http_status != 0 && s->http_status != 200) {
		snprintf(why, sizeof(why), "unexpected HTTP status code received from server: %d",
		    s->http_status);
		gc_stream_end(s, http_to_grpc(s->http_status), why);
		return;
	}
	if (error_code == NGHTTP2_REFUSED_STREAM && s->unary && !s->answered &&
	    s->http_status == 0) {
		/* Never processed (a server that took fewer streams than it
		 * said): sent again, as grpc-go does. */
		stream_requeue(s);
		return;
	}
	if (error_code == NGHTTP2_REFUSED_STREAM)
		gc_stream_end(s, GC_UNAVAILABLE, "stream refused by the server");
	else if (error_code == NGHTTP2_CANCEL)
		gc_stream_end(s, GC_CANCELLED, "stream cancelled by the server");
	else {
		snprintf(why, sizeof(why), "stream terminated by RST_STREAM with error code: %u",
		    error_code);
		gc_stream_end(s, GC_INTERNAL, error_code == 0 ?
		    "server closed the stream without sending trailers" : why);
	}
}

void
gc_stream_data(struct gc_stream *s, const uint8_t *p, size_t len)
{
	uint8_t *msg;

	if (evbuffer_add(s->in, p, len) != 0)
		abort();
	while (!s->ending && evbuffer_get_length(s->in) >= GC_PREFIX_BYTES) {
		uint8_t head[GC_PREFIX_BYTES];
		uint32_t n;

		evbuffer_copyout(s->in, head, sizeof(head));
		n = ((uint32_t)head[1] << 24) | ((uint32_t)head[2] << 16) |
		    ((uint32_t)head[3] << 8) | head[4];
		if (head[0] != 0) {
			gc_stream_end(s, GC_INTERNAL, "grpc: compressed messages are not supported");
			return;
		}
		if (n > GC_MSG_BYTES_MAX) {
			gc_stream_end(s, GC_RESOURCE_EXHAUSTED,
			    "grpc: received message larger than max");
			return;
		}
		if (evbuffer_get_length(s->in) < GC_PREFIX_BYTES + (size_t)n)
			return;
		evbuffer_drain(s->in, GC_PREFIX_BYTES);
		if (s->unary) {
			if (s->answered) {
				gc_stream_end(s, GC_INTERNAL, "grpc: more than one answer to a unary call");
				return;
			}
			if (s->answer == NULL && (s->answer = evbuffer_new()) == NULL)
				abort();
			evbuffer_remove_buffer(s->in, s->answer, n);
			s->answered = true;
			continue;
		}
		msg = xmalloc(n > 0 ? n : 1);
		evbuffer_remove(s->in, msg, n);
		s->on_msg(s->arg, s, msg, n);
		free(msg);
	}
}

void
gc_dispatch(struct gc_client *c)
{
	struct gc_stream *s;

	while ((s = TAILQ_FIRST(&c->waiting)) != NULL) {
		struct gc_conn *k = NULL;

		for (size_t i = 0; i < c->nconns && k == NULL; i++) {
			struct gc_conn *cand = &c->conns[(c->next_conn + i) % c->nconns];

			if (gc_conn_has_room(cand))
				k = cand;
		}
		if (k == NULL)
			return;
		c->next_conn = (size_t)(k - c->conns + 1) % c->nconns;
		TAILQ_REMOVE(&c->waiting, s, entry);
		c->nwaiting--;
		/* Its own deadline now, if any. */
		if (s->timeout_ms == 0)
			evtimer_del(s->deadline);
		if (gc_conn_submit(k, s) != 0) {
			TAILQ_INSERT_HEAD(&c->waiting, s, entry);
			c->nwaiting++;
			gc_stream_end(s, GC_INTERNAL, "transport: cannot open a stream");
		}
	}
}

/* Frames msg into s->out. */
static int
stream_put(struct gc_stream *s, const uint8_t *msg, size_t len)
{
	uint8_t head[GC_PREFIX_BYTES] = {0, (uint8_t)(len >> 24), (uint8_t)(len >> 16),
	    (uint8_t)(len >> 8), (uint8_t)len};

	if (len > GC_MSG_BYTES_MAX)
		return CAIRN_ETOOBIG;
	if (evbuffer_add(s->out, head, sizeof(head)) != 0 ||
	    (len > 0 && evbuffer_add(s->out, msg, len) != 0))
		abort();
	return 0;
}

int
gc_unary(struct gc_client *c, const char *path, const uint8_t *req, size_t len,
    unsigned timeout_ms, gc_unary_fn *cb, void *arg)
{
	struct gc_stream *s;

	if (len > GC_MSG_BYTES_MAX)
		return CAIRN_ETOOBIG;
	if ((s = stream_new(c, path, timeout_ms)) == NULL)
		return CAIRN_ETOOMANYREQ;
	s->unary = true;
	s->unary_cb = cb;
	s->arg = arg;
	(void)stream_put(s, req, len);
	if ((s->req = evbuffer_new()) == NULL || evbuffer_add_buffer_reference(s->req, s->out) != 0)
		abort();
	s->close_send = true;
	gc_dispatch(c);
	return 0;
}

struct gc_stream *
gc_stream_open(struct gc_client *c, const char *path, gc_msg_fn *on_msg, gc_end_fn *on_end,
    void *arg)
{
	return gc_stream_open_flags(c, path, on_msg, on_end, arg, 0);
}

struct gc_stream *
gc_stream_open_flags(struct gc_client *c, const char *path, gc_msg_fn *on_msg,
    gc_end_fn *on_end, void *arg, unsigned flags)
{
	struct gc_stream *s = stream_new(c, path, 0);

	if (s == NULL)
		return NULL;
	s->require_leader = (flags & GC_STREAM_REQUIRE_LEADER) != 0;
	s->on_msg = on_msg;
	s->on_end = on_end;
	s->arg = arg;
	gc_dispatch(c);
	return s;
}

int
gc_stream_send(struct gc_stream *s, const uint8_t *msg, size_t len)
{
	int rc;

	if (s->close_send || s->ending)
		return CAIRN_ECLOSED;
	if ((rc = stream_put(s, msg, len)) != 0)
		return rc;
	if (s->conn != NULL)
		gc_conn_resume(s->conn, s);
	return 0;
}

void
gc_stream_close_send(struct gc_stream *s)
{
	if (s->close_send || s->ending)
		return;
	s->close_send = true;
	if (s->conn != NULL)
		gc_conn_resume(s->conn, s);
}

bool
gc_stream_started(const struct gc_stream *s)
{
	return s->conn != NULL && s->id != 0;
}

bool
gc_client_dial_failing(const struct gc_client *c)
{
	return c->dial_failed;
}

void
gc_stream_cancel(struct gc_stream *s)
{
	gc_stream_end(s, GC_CANCELLED, "context canceled");
}

/* ---- the blocking form ---------------------------------------------------- */

static void
call_done(void *arg, const struct gc_result *r)
{
	struct gc_client *c = arg;

	*c->sync_r = *r;
	free(c->sync_msg);
	c->sync_msg = NULL;
	if (r->len > 0) {
		c->sync_msg = xmalloc(r->len);
		memcpy(c->sync_msg, r->msg, r->len);
	}
	c->sync_r->msg = c->sync_msg;
	c->sync_done = true;
}

int
gc_call(struct gc_client *c, const char *path, const uint8_t *req, size_t len,
    unsigned timeout_ms, struct gc_result *r)
{
	int rc;

	c->sync_done = false;
	c->sync_r = r;
	if ((rc = gc_unary(c, path, req, len, timeout_ms, call_done, c)) != 0)
		return rc;
	while (!c->sync_done)
		if (event_base_loop(c->base, EVLOOP_ONCE) < 0)
			abort();
	return 0;
}
