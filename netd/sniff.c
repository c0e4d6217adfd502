/*
 * netd: telling HTTP/2 from HTTP/1.1 (see sniff.h). The bytes are only
 * peeked at (MSG_PEEK): the protocol's own reader then gets them all.
 */
#include <sys/socket.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>

#include "netd/h2.h"
#include "netd/http1.h"
#include "netd/netd.h"
#include "netd/sniff.h"
#include "netd/tls.h"
#include "shared/log.h"
#include "shared/xmalloc.h"

/* The start of HTTP/2's preface that tells it from any HTTP/1 method. */
#define SNIFF_H2 "PRI "
#define SNIFF_BYTES 4
/* While the bytes that came are a part of SNIFF_H2 (the socket stays
 * readable, so the read event would fire at once), look again after: */
#define SNIFF_RETRY_MS 20
/* A TLS record of type handshake starts with this byte. */
#define SNIFF_TLS_HANDSHAKE 0x16

struct sniff {
	TAILQ_ENTRY(sniff) entry;
	struct netd *n;
	int fd;
	struct event *ev;
	bool tls_too;               /* TLS is served here too */
	int waited_ms;              /* in retries */
	bool retrying;              /* the event is a retry's timer */
};

static void
sniff_free(struct sniff *s, bool close_fd)
{
	TAILQ_REMOVE(&s->n->sniffing, s, entry);
	s->n->conns_len--;
	if (close_fd)
		close(s->fd);
	event_free(s->ev);
	free(s);
}

static void sniff_ready(evutil_socket_t fd, short what, void *arg);

static void
sniff_wait(struct sniff *s, bool readable)
{
	struct timeval tv = {0, SNIFF_RETRY_MS * 1000};

	event_del(s->ev);
	if (readable) {
		tv.tv_sec = (SNIFF_TIMEOUT_MS - s->waited_ms) / 1000;
		tv.tv_usec = (SNIFF_TIMEOUT_MS - s->waited_ms) % 1000 * 1000;
	}
	event_assign(s->ev, s->n->c->base, s->fd, readable ? EV_READ : 0, sniff_ready, s);
	s->waited_ms += readable ? 0 : SNIFF_RETRY_MS;
	s->retrying = !readable;
	if (event_add(s->ev, &tv) != 0)
		fatalx("event_add");
}

static void
sniff_ready(evutil_socket_t fd, short what, void *arg)
{
	struct sniff *s = arg;
	struct netd *n = s->n;
	char b[SNIFF_BYTES];
	ssize_t r;

	if ((what & EV_TIMEOUT) != 0 && !s->retrying) {
		sniff_free(s, true); /* nothing came in time */
		return;
	}
	r = recv(fd, b, sizeof(b), MSG_PEEK);
	if (r < 0 && (errno == EAGAIN || errno == EINTR)) {
		sniff_wait(s, true);
		return;
	}
	if (r <= 0) {
		sniff_free(s, true); /* closed, or an error, before a byte */
		return;
	}
	if (s->tls_too && b[0] == SNIFF_TLS_HANDSHAKE) {
		sniff_free(s, false);
		tls_accept(n, fd);
		return;
	}
	if (r < SNIFF_BYTES && memcmp(b, SNIFF_H2, (size_t)r) == 0) {
		if (s->waited_ms >= SNIFF_TIMEOUT_MS)
			sniff_free(s, true);
		else
			sniff_wait(s, false);
		return;
	}
	sniff_free(s, false);
	if (memcmp(b, SNIFF_H2, SNIFF_BYTES) == 0)
		h2_accept(n, fd);
	else
		http1_accept(n, fd, false);
}

void
sniff_accept(struct netd *n, int fd, bool tls_too)
{
	struct sniff *s;

	if (n->conns_len >= NETD_CONNS_MAX) {
		log_warnx("%d client connections: refusing another", NETD_CONNS_MAX);
		close(fd);
		return;
	}
	s = xcalloc(1, sizeof(*s));
	s->n = n;
	s->fd = fd;
	s->tls_too = tls_too;
	if ((s->ev = event_new(n->c->base, fd, EV_READ, sniff_ready, s)) == NULL)
		fatalx("event_new");
	TAILQ_INSERT_TAIL(&n->sniffing, s, entry);
	n->conns_len++;
	sniff_wait(s, true);
}

void
sniff_close_all(struct netd *n)
{
	struct sniff *s;

	while ((s = TAILQ_FIRST(&n->sniffing)) != NULL)
		sniff_free(s, true);
}
