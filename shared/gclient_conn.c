/*
 * The gRPC client's connections (see gclient.h): a socket to one
 * endpoint, an nghttp2 client session on it, the calls it carries; on
 * failure its calls end UNAVAILABLE and it redials, at the next endpoint.
 */
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "shared/err.h"
#include "shared/gclient_impl.h"
#include "shared/xmalloc.h"

static void conn_read(struct bufferevent *bev, void *arg);
static void conn_event(struct bufferevent *bev, short what, void *arg);

static uint64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static void conn_down(struct gc_conn *k, const char *why);

/* Keepalive: a ping every keepalive_ms; one unanswered for the timeout
 * means the server or the path is gone (a stopped or cut-off server keeps
 * the socket open). */
static void
conn_keepalive(evutil_socket_t fd, short what, void *arg)
{
	struct gc_conn *k = arg;
	struct gc_client *c = k->c;
	struct timeval tv = {c->keepalive_ms / 1000, (c->keepalive_ms % 1000) * 1000};

	(void)fd;
	(void)what;
	if (k->h2 == NULL)
		return;
	if (k->ping_out) {
		if (now_ms() - k->ping_ms >= c->keepalive_timeout_ms) {
			/* grpc-go's words. */
			conn_down(k, "transport: keepalive ping failed to receive ACK within timeout");
			return;
		}
	} else if (nghttp2_submit_ping(k->h2, NGHTTP2_FLAG_NONE, NULL) == 0) {
		k->ping_out = true;
		k->ping_ms = now_ms();
		gc_conn_flush(k);
		if (k->h2 == NULL)
			return;
	}
	if (k->ping_out && c->keepalive_timeout_ms < c->keepalive_ms)
		tv = (struct timeval){c->keepalive_timeout_ms / 1000,
		    (c->keepalive_timeout_ms % 1000) * 1000};
	evtimer_add(k->keepalive, &tv);
}

static void
conn_retry(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	gc_conn_dial(arg);
}

void
gc_conn_init(struct gc_conn *k, struct gc_client *c, size_t endpoint)
{
	memset(k, 0, sizeof(*k));
	k->c = c;
	k->endpoint = endpoint;
	k->retry_ms = GC_RETRY_MS_MIN;
	TAILQ_INIT(&k->calls);
	if ((k->retry = evtimer_new(c->base, conn_retry, k)) == NULL ||
	    (k->keepalive = evtimer_new(c->base, conn_keepalive, k)) == NULL)
		abort();
}

/* The connection is gone: its calls end, and it dials again, at the next
 * endpoint (failover), after a pause. */
static void
conn_down(struct gc_conn *k, const char *why)
{
	struct timeval tv = {k->retry_ms / 1000, (k->retry_ms % 1000) * 1000};
	struct gc_stream *s;

	if (!k->ready)
		k->c->dial_failed = true;
	k->ready = k->up = false;
	k->ping_out = false;
	evtimer_del(k->keepalive);
	if (k->h2 != NULL)
		nghttp2_session_del(k->h2);
	k->h2 = NULL;
	if (k->bev != NULL)
		bufferevent_free(k->bev);
	k->bev = NULL;
	while ((s = TAILQ_FIRST(&k->calls)) != NULL)
		gc_stream_end(s, GC_UNAVAILABLE, why);
	k->endpoint = (k->endpoint + 1) % k->c->nendpoints;
	evtimer_add(k->retry, &tv);
	k->retry_ms = k->retry_ms * 2 > GC_RETRY_MS_MAX ? GC_RETRY_MS_MAX : k->retry_ms * 2;
}

void
gc_conn_free(struct gc_conn *k)
{
	struct gc_stream *s;

	while ((s = TAILQ_FIRST(&k->calls)) != NULL)
		gc_stream_end(s, GC_CANCELLED, "grpc: the client connection is closing");
	if (k->handshake != NULL)
		tls_cancel(k->handshake);
	if (k->h2 != NULL)
		nghttp2_session_del(k->h2);
	if (k->bev != NULL)
		bufferevent_free(k->bev);
	if (k->retry != NULL)
		event_free(k->retry);
	if (k->keepalive != NULL)
		event_free(k->keepalive);
	memset(k, 0, sizeof(*k));
}

void
gc_conn_flush(struct gc_conn *k)
{
	if (k->h2 == NULL || k->recv_depth > 0)
		return;
	for (;;) {
		const uint8_t *p;
		ssize_t n = nghttp2_session_mem_send(k->h2, &p);

		if (n < 0) {
			conn_down(k, "transport: http2 error");
			return;
		}
		if (n == 0)
			break;
		if (bufferevent_write(k->bev, p, (size_t)n) != 0) {
			conn_down(k, "transport: write failed");
			return;
		}
	}
}

/* ---- nghttp2's callbacks ------------------------------------------------ */

static struct gc_stream *
conn_stream(nghttp2_session *h2, int32_t id)
{
	return nghttp2_session_get_stream_user_data(h2, id);
}

static int
on_header(nghttp2_session *h2, const nghttp2_frame *f, const uint8_t *name, size_t nlen,
    const uint8_t *value, size_t vlen, uint8_t flags, void *arg)
{
	struct gc_stream *s = conn_stream(h2, f->hd.stream_id);
	char v[16];

	(void)flags;
	(void)arg;
	if (s == NULL || f->hd.type != NGHTTP2_HEADERS)
		return 0;
	if (nlen == 7 && memcmp(name, ":status", 7) == 0 && vlen < sizeof(v)) {
		memcpy(v, value, vlen);
		v[vlen] = '\0';
		s->http_status = atoi(v);
	} else if (nlen == 11 && memcmp(name, "grpc-status", 11) == 0 && vlen < sizeof(v)) {
		memcpy(v, value, vlen);
		v[vlen] = '\0';
		s->status = atoi(v);
	} else if (nlen == 12 && memcmp(name, "grpc-message", 12) == 0) {
		size_t o = 0;

		/* Percent-decoded, as grpc-go sends it encoded. */
		for (size_t i = 0; i < vlen && o + 1 < sizeof(s->message); i++) {
			unsigned x;

			if (value[i] == '%' && i + 2 < vlen && sscanf((const char *)value + i + 1,
			    "%2x", &x) == 1) {
				s->message[o++] = (char)x;
				i += 2;
			} else
				s->message[o++] = (char)value[i];
		}
		s->message[o] = '\0';
	}
	return 0;
}

static int
on_data(nghttp2_session *h2, uint8_t flags, int32_t id, const uint8_t *data, size_t len,
    void *arg)
{
	struct gc_stream *s = conn_stream(h2, id);

	(void)flags;
	(void)arg;
	if (s != NULL)
		gc_stream_data(s, data, len);
	return 0;
}

static int
on_close(nghttp2_session *h2, int32_t id, uint32_t error_code, void *arg)
{
	struct gc_stream *s = conn_stream(h2, id);

	(void)arg;
	if (s != NULL)
		gc_stream_closed(s, error_code);
	return 0;
}

/* Request bytes for nghttp2: what the stream has queued. */
static ssize_t
data_read(nghttp2_session *h2, int32_t id, uint8_t *buf, size_t len, uint32_t *flags,
    nghttp2_data_source *src, void *arg)
{
	struct gc_stream *s = conn_stream(h2, id);
	int n;

	(void)src;
	(void)arg;
	if (s == NULL) {
		*flags |= NGHTTP2_DATA_FLAG_EOF;
		return 0;
	}
	n = evbuffer_remove(s->out, buf, len);
	if (n > 0)
		return n;
	if (s->close_send) {
		*flags |= NGHTTP2_DATA_FLAG_EOF;
		return 0;
	}
	s->deferred = true;
	return NGHTTP2_ERR_DEFERRED;
}

/* The server's first SETTINGS: its stream limit is known, calls may go
 * (grpc-go waits for it too). */
static int
on_frame(nghttp2_session *h2, const nghttp2_frame *f, void *arg)
{
	struct gc_conn *k = arg;

	if (f->hd.type == NGHTTP2_SETTINGS && !(f->hd.flags & NGHTTP2_FLAG_ACK) && !k->ready) {
		k->ready = true;
		k->c->dial_failed = false;
		k->retry_ms = GC_RETRY_MS_MIN;
	}
	if (f->hd.type == NGHTTP2_PING && (f->hd.flags & NGHTTP2_FLAG_ACK))
		k->ping_out = false;
	if ((f->hd.type == NGHTTP2_HEADERS || f->hd.type == NGHTTP2_DATA) &&
	    (f->hd.flags & NGHTTP2_FLAG_END_STREAM)) {
		struct gc_stream *s = conn_stream(h2, f->hd.stream_id);

		/* The server ended a call whose sending side is still open
		 * (a watch it cancels): the call ends on its trailers, and the
		 * stream is reset, as grpc-go does; nghttp2 would only close
		 * it once both sides are done. */
		if (s != NULL && !s->unary &&
		    nghttp2_session_get_stream_local_close(h2, f->hd.stream_id) == 0)
			gc_stream_end(s, s->status >= 0 ? s->status : GC_INTERNAL, s->status >= 0 ?
			    s->message : "server closed the stream without sending trailers");
	}
	return 0;
}

static int
conn_session(struct gc_conn *k)
{
	static const nghttp2_settings_entry iv[] = {
		{NGHTTP2_SETTINGS_ENABLE_PUSH, 0},
		{NGHTTP2_SETTINGS_INITIAL_WINDOW_SIZE, GC_STREAM_WINDOW_BYTES},
	};
	nghttp2_session_callbacks *cb;
	int rc;

	if (nghttp2_session_callbacks_new(&cb) != 0)
		return CAIRN_EIO;
	nghttp2_session_callbacks_set_on_frame_recv_callback(cb, on_frame);
	nghttp2_session_callbacks_set_on_header_callback(cb, on_header);
	nghttp2_session_callbacks_set_on_data_chunk_recv_callback(cb, on_data);
	nghttp2_session_callbacks_set_on_stream_close_callback(cb, on_close);
	rc = nghttp2_session_client_new(&k->h2, cb, k);
	nghttp2_session_callbacks_del(cb);
	if (rc != 0)
		return CAIRN_EIO;
	if (nghttp2_submit_settings(k->h2, NGHTTP2_FLAG_NONE, iv, sizeof(iv) / sizeof(iv[0])) != 0 ||
	    nghttp2_session_set_local_window_size(k->h2, NGHTTP2_FLAG_NONE, 0,
	    GC_CONN_WINDOW_BYTES) != 0)
		return CAIRN_EIO;
	return 0;
}

/* ---- the socket --------------------------------------------------------- */

static void
conn_read(struct bufferevent *bev, void *arg)
{
	struct gc_conn *k = arg;
	struct evbuffer *in = bufferevent_get_input(bev);
	size_t len;

	while ((len = evbuffer_get_length(in)) > 0 && k->h2 != NULL) {
		const uint8_t *p = evbuffer_pullup(in, (ssize_t)len);
		ssize_t n;

		k->recv_depth++;
		n = nghttp2_session_mem_recv(k->h2, p, len);
		k->recv_depth--;
		if (n < 0) {
			conn_down(k, "transport: malformed HTTP/2 from the server");
			return;
		}
		evbuffer_drain(in, (size_t)n);
	}
	gc_conn_flush(k);
	/* Calls that ended made room. */
	gc_dispatch(k->c);
}

/* The connection carries HTTP/2 from now (bev: plain, or TLS's filter). */
static void
conn_up(struct gc_conn *k)
{
	if (conn_session(k) != 0) {
		conn_down(k, "transport: cannot start HTTP/2");
		return;
	}
	k->up = true;
	if (k->c->keepalive_ms > 0) {
		struct timeval tv = {k->c->keepalive_ms / 1000, (k->c->keepalive_ms % 1000) * 1000};

		evtimer_add(k->keepalive, &tv);
	}
	gc_conn_flush(k);
}

static void
conn_tls_done(void *arg, struct bufferevent *bev, const char *alpn, const char *cn)
{
	struct gc_conn *k = arg;

	(void)alpn; /* etcd's servers pick h2 for gRPC */
	(void)cn;
	k->handshake = NULL;
	if (bev == NULL) {
		conn_down(k, "connection error: the TLS handshake failed");
		return;
	}
	k->bev = bev;
	bufferevent_setcb(bev, conn_read, NULL, conn_event, k);
	bufferevent_enable(bev, EV_READ);
	conn_up(k);
}

static void
conn_event(struct bufferevent *bev, short what, void *arg)
{
	struct gc_conn *k = arg;
	struct gc_client *c = k->c;
	const char *host = c->hosts[k->endpoint];
	int one = 1;

	if (!(what & BEV_EVENT_CONNECTED)) {
		conn_down(k, k->up ? "transport is closing" :
		    "connection error: cannot connect to the endpoint");
		return;
	}
	(void)setsockopt(bufferevent_getfd(bev), IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	if (!c->tls[k->endpoint]) {
		conn_up(k);
		return;
	}
	/* The TLS layer takes the socket's bufferevent until the handshake
	 * is over (or failed: it frees it). */
	k->bev = NULL;
	if (tls_start(c->base, bev, &c->tls_end, tls_host_is_ip(host) ? NULL : host, NULL,
	    conn_tls_done, k, &k->handshake) != 0)
		conn_down(k, "connection error: cannot start TLS");
}

void
gc_conn_dial(struct gc_conn *k)
{
	struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM}, *ai;
	struct gc_client *c = k->c;

	/* Endpoints are addresses or names the system resolves at once
	 * (localhost): getaddrinfo blocks on anything slower. */
	if (getaddrinfo(c->hosts[k->endpoint], c->ports[k->endpoint], &hints, &ai) != 0) {
		conn_down(k, "connection error: cannot resolve the endpoint");
		return;
	}
	k->bev = bufferevent_socket_new(c->base, -1, BEV_OPT_CLOSE_ON_FREE);
	if (k->bev == NULL)
		abort();
	bufferevent_setcb(k->bev, conn_read, NULL, conn_event, k);
	if (bufferevent_socket_connect(k->bev, ai->ai_addr, (int)ai->ai_addrlen) != 0) {
		freeaddrinfo(ai);
		conn_down(k, "connection error: cannot connect to the endpoint");
		return;
	}
	freeaddrinfo(ai);
	bufferevent_enable(k->bev, EV_READ);
}

bool
gc_conn_has_room(const struct gc_conn *k)
{
	if (!k->ready)
		return false;
	return k->ncalls < nghttp2_session_get_remote_settings(k->h2,
	    NGHTTP2_SETTINGS_MAX_CONCURRENT_STREAMS);
}

int
gc_conn_submit(struct gc_conn *k, struct gc_stream *s)
{
	struct gc_client *c = k->c;
	char authority[GC_HOST_BYTES + GC_PORT_BYTES + 1], timeout[24];
	nghttp2_nv nv[10];
	size_t n = 0;
	nghttp2_data_provider dp = {.read_callback = data_read};
	int32_t id;

#define NV(name, value) nv[n++] = (nghttp2_nv){(uint8_t *)(name), (uint8_t *)(value), \
	    strlen(name), strlen(value), NGHTTP2_NV_FLAG_NONE}
	snprintf(authority, sizeof(authority), "%s:%s", c->hosts[k->endpoint],
	    c->ports[k->endpoint]);
	NV(":method", "POST");
	NV(":scheme", c->tls[k->endpoint] ? "https" : "http");
	NV(":path", s->path);
	NV(":authority", authority);
	NV("content-type", "application/grpc");
	NV("te", "trailers");
	NV("user-agent", "cairn-gclient");
	if (s->timeout_ms > 0) {
		snprintf(timeout, sizeof(timeout), "%um", s->timeout_ms);
		NV("grpc-timeout", timeout);
	}
	if (c->has_token)
		NV("token", c->token);
	if (s->require_leader)
		NV("hasleader", "true");
#undef NV
	id = nghttp2_submit_request(k->h2, NULL, nv, n, &dp, s);
	if (id < 0)
		return CAIRN_EIO;
	s->id = id;
	s->conn = k;
	TAILQ_INSERT_TAIL(&k->calls, s, entry);
	k->ncalls++;
	gc_conn_flush(k);
	return 0;
}

void
gc_conn_resume(struct gc_conn *k, struct gc_stream *s)
{
	if (!s->deferred)
		return;
	s->deferred = false;
	(void)nghttp2_session_resume_data(k->h2, s->id);
	gc_conn_flush(k);
}

void
gc_conn_reset(struct gc_conn *k, struct gc_stream *s)
{
	if (k->h2 == NULL)
		return;
	/* Its close finds no call any more. */
	(void)nghttp2_session_set_stream_user_data(k->h2, s->id, NULL);
	(void)nghttp2_submit_rst_stream(k->h2, NGHTTP2_FLAG_NONE, s->id, NGHTTP2_CANCEL);
	gc_conn_flush(k);
}
