/*
 * All processes that speak TLS: a connection's handshake and records
 * (see tls.h). mbedTLS reads and writes the socket through the
 * bufferevents' buffers (its BIO callbacks below): the raw bufferevent
 * during the handshake, then a filter bufferevent on top of it whose input
 * filter decrypts and output filter encrypts.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <mbedtls/error.h>
#include <mbedtls/oid.h>

#include "shared/cipher_suites.h"
#include "shared/err.h"
#include "shared/log.h"
#include "shared/tls.h"
#include "shared/xmalloc.h"

/* Plaintext taken from mbedTLS at a time (one record's worth). */
#define TLS_CHUNK_BYTES 16384

struct tls_conn {
	struct bufferevent *raw;    /* the socket's; owned until the filter takes it */
	struct event *timer;        /* the handshake's deadline */
	mbedtls_ssl_context ssl;
	size_t *counter;            /* the caller's count of handshakes under
	                             * way, lowered when this one ends; or NULL */
	bool client;                /* the dialling end */
	bool flushing;              /* failed: its alert on its way out */
	tls_done_fn *done;          /* told the handshake's outcome */
	void *arg;
};

/* ---- mbedTLS's I/O on the raw bufferevent ------------------------------- */

static int
tls_bio_send(void *ctx, const unsigned char *buf, size_t len)
{
	struct tls_conn *t = ctx;

	if (bufferevent_write(t->raw, buf, len) != 0)
		return MBEDTLS_ERR_SSL_INTERNAL_ERROR;
	return (int)len;
}

static int
tls_bio_recv(void *ctx, unsigned char *buf, size_t len)
{
	struct tls_conn *t = ctx;
	int n = evbuffer_remove(bufferevent_get_input(t->raw), buf, len);

	return n > 0 ? n : MBEDTLS_ERR_SSL_WANT_READ;
}

static void
tls_conn_free(void *arg)
{
	struct tls_conn *t = arg;

	if (t->counter != NULL)
		(*t->counter)--;
	if (t->timer != NULL)
		event_free(t->timer);
	mbedtls_ssl_free(&t->ssl);
	free(t);
}

/* ---- the filter, once the handshake is over ------------------------------ */

static enum bufferevent_filter_result
tls_in(struct evbuffer *src, struct evbuffer *dst, ev_ssize_t lim,
    enum bufferevent_flush_mode mode, void *ctx)
{
	struct tls_conn *t = ctx;
	bool got = false;

	(void)src; /* the raw input, read by tls_bio_recv */
	(void)lim;
	(void)mode;
	for (;;) {
		struct evbuffer_iovec v;
		int n;

		if (evbuffer_reserve_space(dst, TLS_CHUNK_BYTES, &v, 1) < 1)
			return BEV_ERROR;
		n = mbedtls_ssl_read(&t->ssl, v.iov_base, TLS_CHUNK_BYTES);
		v.iov_len = n > 0 ? (size_t)n : 0;
		evbuffer_commit_space(dst, &v, 1);
		if (n > 0) {
			got = true;
			continue;
		}
		if (n == MBEDTLS_ERR_SSL_WANT_READ || n == MBEDTLS_ERR_SSL_WANT_WRITE)
			return got ? BEV_OK : BEV_NEED_MORE;
		/* close_notify, or a bad record: the connection ends. */
		return BEV_ERROR;
	}
}

static enum bufferevent_filter_result
tls_out(struct evbuffer *src, struct evbuffer *dst, ev_ssize_t lim,
    enum bufferevent_flush_mode mode, void *ctx)
{
	struct tls_conn *t = ctx;

	(void)dst; /* the raw output, written by tls_bio_send */
	(void)lim;
	(void)mode;
	while (evbuffer_get_length(src) > 0) {
		size_t len = evbuffer_get_contiguous_space(src);
		int n;

		if (len > TLS_CHUNK_BYTES)
			len = TLS_CHUNK_BYTES;
		n = mbedtls_ssl_write(&t->ssl, evbuffer_pullup(src, (ev_ssize_t)len), len);
		if (n > 0) {
			evbuffer_drain(src, (size_t)n);
			continue;
		}
		if (n == MBEDTLS_ERR_SSL_WANT_READ || n == MBEDTLS_ERR_SSL_WANT_WRITE)
			break;
		return BEV_ERROR;
	}
	return BEV_OK;
}

/* ---- the handshake ---------------------------------------------------------- */

static void
tls_end(struct tls_conn *t)
{
	bufferevent_free(t->raw);
	tls_conn_free(t);
}

static void
tls_flushed(struct bufferevent *raw, void *arg)
{
	(void)raw;
	tls_end(arg);
}

static void
tls_flush_event(struct bufferevent *raw, short what, void *arg)
{
	(void)raw;
	(void)what;
	tls_end(arg);
}

/* A failed handshake: its owner told at once; the alert mbedTLS wrote (a
 * refused certificate's, which the other end reports) goes out before the
 * socket closes, within the handshake's deadline. */
static void
tls_give_up(struct tls_conn *t)
{
	tls_done_fn *done = t->done;
	void *arg = t->arg;

	if (t->timer != NULL && evbuffer_get_length(bufferevent_get_output(t->raw)) > 0) {
		t->flushing = true;
		bufferevent_setcb(t->raw, NULL, tls_flushed, tls_flush_event, t);
		bufferevent_disable(t->raw, EV_READ);
		bufferevent_enable(t->raw, EV_WRITE);
	} else {
		tls_end(t);
	}
	done(arg, NULL, NULL, NULL);
}

/* The common name of the client's certificate, verified against
 * --trusted-ca-file (only asked for with --client-cert-auth); NULL when
 * there is none or it is too long for a user name. */
static const char *
tls_peer_cn(struct tls_conn *t, char *out, size_t cap)
{
	const mbedtls_x509_crt *crt = mbedtls_ssl_get_peer_cert(&t->ssl);

	if (crt == NULL || mbedtls_ssl_get_verify_result(&t->ssl) != 0 ||
	    !tls_cert_cn(crt, out, cap))
		return NULL;
	return out;
}

/* Go's words for a TLS alert a peer sent ("remote error: tls: ..."), which
 * operators and etcd's tests look for in a dialler's log. */
static const char *
tls_alert_text(unsigned char alert)
{
	switch (alert) {
	case MBEDTLS_SSL_ALERT_MSG_HANDSHAKE_FAILURE: return "handshake failure";
	case MBEDTLS_SSL_ALERT_MSG_BAD_CERT: return "bad certificate";
	case MBEDTLS_SSL_ALERT_MSG_UNSUPPORTED_CERT: return "unsupported certificate";
	case MBEDTLS_SSL_ALERT_MSG_CERT_REVOKED: return "revoked certificate";
	case MBEDTLS_SSL_ALERT_MSG_CERT_EXPIRED: return "expired certificate";
	case MBEDTLS_SSL_ALERT_MSG_CERT_UNKNOWN: return "unknown certificate";
	case MBEDTLS_SSL_ALERT_MSG_UNKNOWN_CA: return "unknown certificate authority";
	case MBEDTLS_SSL_ALERT_MSG_ACCESS_DENIED: return "access denied";
	default: return "alert";
	}
}

static void
tls_handshake(struct bufferevent *raw, void *arg)
{
	struct tls_conn *t = arg;
	tls_done_fn *done = t->done;
	void *targ = t->arg;
	struct bufferevent *bev;
	const char *alpn, *cn_p;
	char cn[TLS_CN_BYTES_MAX + 1];
	int rc = mbedtls_ssl_handshake(&t->ssl);

	if (rc == MBEDTLS_ERR_SSL_WANT_READ || rc == MBEDTLS_ERR_SSL_WANT_WRITE)
		return;
	if (rc != 0) {
		char buf[128];

		mbedtls_strerror(rc, buf, sizeof(buf));
		/* A dialler says why the other end refused it, as Go's. */
		if (t->client && rc == MBEDTLS_ERR_SSL_FATAL_ALERT_MESSAGE)
			log_warnx("TLS handshake failed: remote error: tls: %s",
			    tls_alert_text(t->ssl.in_msg[1]));
		else
			log_debug("TLS handshake failed: %s", buf);
		tls_give_up(t);
		return;
	}
	event_free(t->timer);
	t->timer = NULL;
	if (t->counter != NULL) {
		(*t->counter)--; /* the caller counts it from now */
		t->counter = NULL;
	}
	alpn = mbedtls_ssl_get_alpn_protocol(&t->ssl);
	cn_p = tls_peer_cn(t, cn, sizeof(cn));
	bufferevent_setwatermark(raw, EV_WRITE, 0, TLS_OUT_BYTES_MAX);
	bev = bufferevent_filter_new(raw, tls_in, tls_out, BEV_OPT_CLOSE_ON_FREE,
	    tls_conn_free, t);
	if (bev == NULL) {
		tls_give_up(t);
		return;
	}
	/* Bytes that came with the handshake's last flight: read from the
	 * loop, once done has set bev's callbacks (or freed it). */
	if (evbuffer_get_length(bufferevent_get_input(raw)) > 0)
		bufferevent_trigger(raw, EV_READ, BEV_TRIG_IGNORE_WATERMARKS |
		    BEV_TRIG_DEFER_CALLBACKS);
	/* t lives on with the filter: done and arg copied before. */
	done(targ, bev, alpn, cn_p);
}

static void
tls_handshake_event(struct bufferevent *raw, short what, void *arg)
{
	(void)raw;
	(void)what;
	tls_give_up(arg);
}

static void
tls_handshake_timeout(evutil_socket_t fd, short what, void *arg)
{
	struct tls_conn *t = arg;

	(void)fd;
	(void)what;
	if (t->flushing)
		tls_end(t);
	else
		tls_give_up(t);
}

int
tls_start(struct event_base *base, struct bufferevent *raw, struct tls_server *conf,
    const char *host, size_t *counter, tls_done_fn *done, void *arg,
    struct tls_conn **handshake)
{
	struct timeval tv = {TLS_HANDSHAKE_TIMEOUT_MS / 1000, 0};
	struct tls_conn *t = xcalloc(1, sizeof(*t));
	int rc;

	t->raw = raw;
	t->done = done;
	t->arg = arg;
	t->counter = counter;
	t->client = conf->client;
	mbedtls_ssl_init(&t->ssl);
	if ((t->timer = evtimer_new(base, tls_handshake_timeout, t)) == NULL)
		fatalx("cannot serve a TLS connection");
	if ((rc = mbedtls_ssl_setup(&t->ssl, &conf->conf)) != 0 ||
	    (host != NULL && (rc = mbedtls_ssl_set_hostname(&t->ssl, host)) != 0)) {
		tls_log("cannot start a TLS session", rc);
		bufferevent_free(raw);
		tls_conn_free(t);
		return CAIRN_EIO;
	}
	mbedtls_ssl_set_bio(&t->ssl, t, tls_bio_send, tls_bio_recv, NULL);
	evtimer_add(t->timer, &tv);
	if (handshake != NULL)
		*handshake = t; /* before done may run */
	bufferevent_setcb(t->raw, tls_handshake, NULL, tls_handshake_event, t);
	bufferevent_enable(t->raw, EV_READ | EV_WRITE);
	/* A client speaks first. */
	if (conf->client)
		tls_handshake(raw, t);
	return 0;
}


void
tls_cancel(struct tls_conn *t)
{
	tls_end(t);
}
