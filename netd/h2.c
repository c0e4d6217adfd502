/*
 * netd: nghttp2 server sessions on libevent bufferevents. Bytes read go
 * to nghttp2; the frames it makes go to the socket while the socket's
 * queue is under its bound. Flow-control window is given back only for
 * request bytes netd can afford to hold, so a client cannot make netd
 * buffer more than H2_HELD_BYTES_MAX for it.
 */
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/event.h>

#include "netd/h2.h"
#include "netd/netd.h"
#include "shared/assert.h"
#include "shared/err.h"
#include "shared/log.h"
#include "shared/xmalloc.h"

static void h2_free(struct conn *c);
static void h2_flush(struct conn *c);

static struct gstream *
h2_stream(struct conn *c, int32_t id)
{
	return nghttp2_session_get_stream_user_data(c->h2, id);
}

/* ---- flow control ------------------------------------------------- */

static bool
h2_can_hold(const struct conn *c)
{
	return c->held_bytes < H2_HELD_BYTES_MAX && c->n->held_bytes < H2_HELD_BYTES_ALL_MAX;
}

static void
h2_give_back(struct gstream *s, size_t len)
{
	if (len > 0)
		(void)nghttp2_session_consume(s->conn->h2, s->id, len);
}

void
h2_received(struct gstream *s, size_t len, bool held)
{
	struct conn *c = s->conn;

	if (held) {
		c->held_bytes += len;
		c->n->held_bytes += len;
	}
	if (!held || (!s->owed_listed && h2_can_hold(c))) {
		h2_give_back(s, len);
		return;
	}
	s->owed += len;
	if (!s->owed_listed) {
		TAILQ_INSERT_TAIL(&c->n->owed, s, owed_entry);
		s->owed_listed = true;
	}
}

/* Gives window back to the streams that wait for it, oldest first, while
 * their connections may hold more. */
static void
h2_repay(struct netd *n)
{
	struct gstream *s, *next;

	for (s = TAILQ_FIRST(&n->owed); s != NULL; s = next) {
		next = TAILQ_NEXT(s, owed_entry);
		if (!h2_can_hold(s->conn))
			continue;
		h2_give_back(s, s->owed);
		s->owed = 0;
		TAILQ_REMOVE(&n->owed, s, owed_entry);
		s->owed_listed = false;
		h2_wake(s->conn);
	}
}

void
h2_released(struct gstream *s, size_t len)
{
	struct conn *c = s->conn;

	CAIRN_ASSERT(c->held_bytes >= len);
	CAIRN_ASSERT(c->n->held_bytes >= len);
	c->held_bytes -= len;
	c->n->held_bytes -= len;
	if (s->owed_listed) {
		TAILQ_REMOVE(&c->n->owed, s, owed_entry);
		s->owed_listed = false;
	}
	s->owed = 0;
	if (!TAILQ_EMPTY(&c->n->owed))
		h2_repay(c->n);
}

/* ---- nghttp2 callbacks -------------------------------------------- */

static int
on_begin_headers(nghttp2_session *h2, const nghttp2_frame *f, void *arg)
{
	struct conn *c = arg;
	struct gstream *s;

	if (f->hd.type != NGHTTP2_HEADERS || f->headers.cat != NGHTTP2_HCAT_REQUEST)
		return 0;
	s = grpc_stream_new(c, f->hd.stream_id);
	TAILQ_INSERT_TAIL(&c->streams, s, entry);
	return nghttp2_session_set_stream_user_data(h2, f->hd.stream_id, s) == 0 ? 0 :
	    NGHTTP2_ERR_CALLBACK_FAILURE;
}

/* Whether a field is one Go's HTTP/2 server (etcd's) takes: a lower-case
 * token name or a request pseudo-header, no connection-specific field, a
 * value without control characters (HTAB aside). Go takes any :authority,
 * which grpc-go fills with an endpoint given as a URL ("http://host:port"),
 * so nghttp2's own HTTP checks, which refuse it, are off (h2_session_start)
 * and these are made here instead. */
static bool
h2_field_ok(const uint8_t *name, size_t name_len, const uint8_t *value, size_t value_len)
{
	static const char *const pseudo[] = {":method", ":scheme", ":authority", ":path"};
	static const char *const conn[] = {"connection", "keep-alive", "proxy-connection",
	    "transfer-encoding", "upgrade"};
	bool ok = false;

	if (name_len == 0)
		return false;
	if (name[0] == ':') {
		for (size_t i = 0; i < sizeof(pseudo) / sizeof(pseudo[0]) && !ok; i++)
			ok = strlen(pseudo[i]) == name_len && memcmp(pseudo[i], name, name_len) == 0;
		if (!ok)
			return false;
	} else {
		for (size_t i = 0; i < name_len; i++)
			if (strchr("!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyz", name[i]) ==
			    NULL || name[i] == '\0')
				return false;
		for (size_t i = 0; i < sizeof(conn) / sizeof(conn[0]); i++)
			if (strlen(conn[i]) == name_len && memcmp(conn[i], name, name_len) == 0)
				return false;
		if (name_len == 2 && memcmp(name, "te", 2) == 0 &&
		    !(value_len == 8 && memcmp(value, "trailers", 8) == 0))
			return false;
	}
	for (size_t i = 0; i < value_len; i++)
		if ((value[i] < 0x20 && value[i] != '\t') || value[i] == 0x7f)
			return false;
	return true;
}

static int
on_header(nghttp2_session *h2, const nghttp2_frame *f, const uint8_t *name, size_t name_len,
    const uint8_t *value, size_t value_len, uint8_t flags, void *arg)
{
	struct gstream *s = h2_stream(arg, f->hd.stream_id);

	(void)flags;
	/* Trailers of a request (allowed by HTTP/2) are not read. */
	if (s == NULL || f->hd.type != NGHTTP2_HEADERS || f->headers.cat != NGHTTP2_HCAT_REQUEST)
		return 0;
	if (!h2_field_ok(name, name_len, value, value_len)) {
		(void)nghttp2_submit_rst_stream(h2, NGHTTP2_FLAG_NONE, f->hd.stream_id,
		    NGHTTP2_PROTOCOL_ERROR);
		return NGHTTP2_ERR_TEMPORAL_CALLBACK_FAILURE;
	}
	return grpc_stream_header(s, name, name_len, value, value_len) == 0 ? 0 :
	    NGHTTP2_ERR_TEMPORAL_CALLBACK_FAILURE;
}

static int
on_data_chunk(nghttp2_session *h2, uint8_t flags, int32_t id, const uint8_t *data,
    size_t len, void *arg)
{
	struct gstream *s = h2_stream(arg, id);

	(void)flags;
	if (s == NULL) {
		(void)nghttp2_session_consume(h2, id, len);
		return 0;
	}
	grpc_stream_data(s, data, len);
	return 0;
}

static int
on_frame_recv(nghttp2_session *h2, const nghttp2_frame *f, void *arg)
{
	struct gstream *s;

	(void)h2;
	if (f->hd.type != NGHTTP2_DATA && f->hd.type != NGHTTP2_HEADERS)
		return 0;
	if ((s = h2_stream(arg, f->hd.stream_id)) == NULL)
		return 0;
	if (f->hd.type == NGHTTP2_HEADERS && f->headers.cat == NGHTTP2_HCAT_REQUEST)
		grpc_stream_headers_done(s);
	if (f->hd.flags & NGHTTP2_FLAG_END_STREAM)
		grpc_stream_end(s);
	return 0;
}

static int
on_stream_close(nghttp2_session *h2, int32_t id, uint32_t error_code, void *arg)
{
	struct conn *c = arg;
	struct gstream *s = h2_stream(c, id);

	(void)h2;
	(void)error_code;
	if (s == NULL)
		return 0;
	TAILQ_REMOVE(&c->streams, s, entry);
	grpc_stream_free(s);
	return 0;
}

static ssize_t
on_data_read(nghttp2_session *h2, int32_t id, uint8_t *buf, size_t cap, uint32_t *flags,
    nghttp2_data_source *src, void *arg)
{
	struct gstream *s = src->ptr;
	enum grpc_read state;
	size_t n;

	(void)h2;
	(void)id;
	(void)arg;
	n = grpc_stream_read(s, buf, cap, &state);
	if (state == GRPC_READ_WAIT)
		return NGHTTP2_ERR_DEFERRED;
	if (state == GRPC_READ_EOF && s->http) {
		*flags |= NGHTTP2_DATA_FLAG_EOF; /* an HTTP answer: no trailers */
	} else if (state == GRPC_READ_EOF) {
		*flags |= NGHTTP2_DATA_FLAG_EOF | NGHTTP2_DATA_FLAG_NO_END_STREAM;
		grpc_stream_trailers(s);
	}
	return (ssize_t)n;
}

static nghttp2_session_callbacks *
h2_callbacks(void)
{
	static nghttp2_session_callbacks *cbs;

	if (cbs != NULL)
		return cbs;
	if (nghttp2_session_callbacks_new(&cbs) != 0)
		fatalx("nghttp2_session_callbacks_new");
	nghttp2_session_callbacks_set_on_begin_headers_callback(cbs, on_begin_headers);
	nghttp2_session_callbacks_set_on_header_callback(cbs, on_header);
	nghttp2_session_callbacks_set_on_data_chunk_recv_callback(cbs, on_data_chunk);
	nghttp2_session_callbacks_set_on_frame_recv_callback(cbs, on_frame_recv);
	nghttp2_session_callbacks_set_on_stream_close_callback(cbs, on_stream_close);
	return cbs;
}

int
h2_submit_headers(struct gstream *s, const nghttp2_nv *nv, size_t n, bool data)
{
	nghttp2_data_provider prd = {.source.ptr = s, .read_callback = on_data_read};

	if (nghttp2_submit_response(s->conn->h2, s->id, nv, n, data ? &prd : NULL) != 0)
		return CAIRN_EIO;
	h2_wake(s->conn);
	return 0;
}

int
h2_submit_trailers(struct gstream *s, const nghttp2_nv *nv, size_t n)
{
	return nghttp2_submit_trailer(s->conn->h2, s->id, nv, n) == 0 ? 0 : CAIRN_EIO;
}

void
h2_resume(struct gstream *s)
{
	(void)nghttp2_session_resume_data(s->conn->h2, s->id);
	h2_wake(s->conn);
}

void
h2_reset(struct gstream *s, uint32_t code)
{
	(void)nghttp2_submit_rst_stream(s->conn->h2, NGHTTP2_FLAG_NONE, s->id, code);
	h2_wake(s->conn);
}

/* ---- the socket ----------------------------------------------------- */

static void
h2_woken(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	grpc_resume_listed(arg);
	h2_flush(arg);
}

void
h2_wake(struct conn *c)
{
	event_active(c->wake_ev, EV_TIMEOUT, 0);
}

/* Only ever called from the event loop's own callbacks, never from
 * within nghttp2's: it may free the connection. */
static void
h2_flush(struct conn *c)
{
	struct evbuffer *out = bufferevent_get_output(c->bev);

	while (evbuffer_get_length(out) < H2_OUT_BYTES_MAX) {
		const uint8_t *data;
		ssize_t n = nghttp2_session_mem_send(c->h2, &data);

		if (n < 0) {
			log_debug("client connection: %s", nghttp2_strerror((int)n));
			h2_free(c);
			return;
		}
		if (n == 0)
			break;
		if (evbuffer_add(out, data, (size_t)n) != 0) {
			h2_free(c);
			return;
		}
	}
	if (evbuffer_get_length(out) >= H2_OUT_BYTES_MAX) {
		/* The client does not read: no new requests until it does. */
		if (!c->read_paused)
			bufferevent_disable(c->bev, EV_READ);
		c->read_paused = true;
	} else if (c->read_paused) {
		c->read_paused = false;
		bufferevent_enable(c->bev, EV_READ);
	}
	if (!nghttp2_session_want_read(c->h2) && !nghttp2_session_want_write(c->h2) &&
	    evbuffer_get_length(out) == 0)
		h2_free(c);
}

static void
h2_readable(struct bufferevent *bev, void *arg)
{
	struct conn *c = arg;
	struct evbuffer *in = bufferevent_get_input(bev);
	size_t len;

	while ((len = evbuffer_get_contiguous_space(in)) > 0) {
		const uint8_t *data = evbuffer_pullup(in, (ssize_t)len);
		ssize_t n = nghttp2_session_mem_recv(c->h2, data, len);

		if (n < 0) {
			log_debug("client connection: %s", nghttp2_strerror((int)n));
			h2_free(c);
			return;
		}
		evbuffer_drain(in, (size_t)n);
	}
	h2_flush(c);
}

static void
h2_writable(struct bufferevent *bev, void *arg)
{
	(void)bev;
	h2_flush(arg);
}

static void
h2_event(struct bufferevent *bev, short what, void *arg)
{
	(void)bev;
	if (what & (BEV_EVENT_EOF | BEV_EVENT_ERROR))
		h2_free(arg);
}

static int
h2_session_start(struct conn *c)
{
	nghttp2_option *opt;
	nghttp2_settings_entry iv[] = {
		{NGHTTP2_SETTINGS_MAX_CONCURRENT_STREAMS, c->n->streams_max},
		{NGHTTP2_SETTINGS_INITIAL_WINDOW_SIZE, H2_STREAM_WINDOW_BYTES},
		{NGHTTP2_SETTINGS_MAX_HEADER_LIST_SIZE, GRPC_HEADER_LIST_BYTES_MAX},
	};
	int rc;

	if (nghttp2_option_new(&opt) != 0)
		return -1;
	/* netd gives window back itself (h2_received). */
	nghttp2_option_set_no_auto_window_update(opt, 1);
	/* Go's field checks instead of nghttp2's (h2_field_ok). */
	nghttp2_option_set_no_http_messaging(opt, 1);
	rc = nghttp2_session_server_new2(&c->h2, h2_callbacks(), c, opt);
	nghttp2_option_del(opt);
	if (rc != 0)
		return -1;
	if (nghttp2_submit_settings(c->h2, NGHTTP2_FLAG_NONE, iv, sizeof(iv) / sizeof(iv[0])) != 0 ||
	    nghttp2_session_set_local_window_size(c->h2, NGHTTP2_FLAG_NONE, 0,
	    H2_CONN_WINDOW_BYTES) != 0)
		return -1;
	return 0;
}

void
h2_accept(struct netd *n, int fd)
{
	struct bufferevent *bev = netd_client_bev(n, fd);

	if (bev != NULL)
		h2_start(n, bev, false, NULL);
}

void
h2_start(struct netd *n, struct bufferevent *bev, bool tls, const char *cn)
{
	struct conn *c;

	c = xcalloc(1, sizeof(*c));
	c->n = n;
	c->tls = tls;
	snprintf(c->cn, sizeof(c->cn), "%s", cn != NULL ? cn : "");
	TAILQ_INIT(&c->streams);
	TAILQ_INIT(&c->resumes);
	c->bev = bev;
	c->wake_ev = event_new(n->c->base, -1, 0, h2_woken, c);
	if (c->wake_ev == NULL) {
		bufferevent_free(bev);
		free(c);
		return;
	}
	TAILQ_INSERT_TAIL(&n->conns, c, entry);
	n->conns_len++;
	if (h2_session_start(c) != 0) {
		h2_free(c);
		return;
	}
	bufferevent_setcb(c->bev, h2_readable, h2_writable, h2_event, c);
	bufferevent_enable(c->bev, EV_READ | EV_WRITE);
	h2_flush(c);
}

static void
h2_free(struct conn *c)
{
	struct netd *n = c->n;
	struct gstream *s;

	/* nghttp2_session_del calls no callback: free the streams here. */
	while ((s = TAILQ_FIRST(&c->streams)) != NULL) {
		TAILQ_REMOVE(&c->streams, s, entry);
		grpc_stream_free(s);
	}
	if (c->h2 != NULL)
		nghttp2_session_del(c->h2);
	bufferevent_free(c->bev);
	event_free(c->wake_ev);
	TAILQ_REMOVE(&n->conns, c, entry);
	n->conns_len--;
	free(c);
}

void
h2_close_all(struct netd *n)
{
	struct conn *c;

	while ((c = TAILQ_FIRST(&n->conns)) != NULL)
		h2_free(c);
}
