/*
 * cairn-netd: the network process. It serves etcd's gRPC API on the
 * listening sockets the supervisor bound and passed, and asks raftd and
 * stored on the clients' behalf. Runs on the shared child skeleton
 * (configuration, privilege drop, channels to the other children).
 */
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "shared/jwt.h"
#include "netd/backend.h"
#include "netd/h2.h"
#include "netd/http1.h"
#include "netd/netd.h"
#include "netd/no_leader.h"
#include "netd/peer_join.h"
#include "netd/sniff.h"
#include "shared/log.h"
#include "shared/xmalloc.h"

/* etcd's default --max-txn-ops, should the supervisor send none. */
#define NETD_TXN_OPS_DEFAULT 128

int64_t
netd_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void
netd_tokens_sweep(evutil_socket_t fd, short what, void *arg)
{
	struct netd *n = arg;

	(void)fd;
	(void)what;
	tokens_sweep(&n->tokens, netd_now_ms(), false);
}

static void
netd_requests_sweep(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	backend_sweep(arg);
}

struct bufferevent *
netd_client_bev(struct netd *n, int fd)
{
	struct bufferevent *bev;
	int one = 1;

	if (n->conns_len >= NETD_CONNS_MAX) {
		log_warnx("%d client connections: refusing another", NETD_CONNS_MAX);
		close(fd);
		return NULL;
	}
	/* Answers are small and latency matters: no Nagle delay. */
	(void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	if ((bev = bufferevent_socket_new(n->c->base, fd, BEV_OPT_CLOSE_ON_FREE)) == NULL)
		close(fd);
	return bev;
}

/* A new connection on one of the listeners: to the protocol its URL
 * names (a peer URL: cairn's peer framing; a metrics URL: HTTP/1.1 alone;
 * https: TLS; http: HTTP/2 or HTTP/1.1 by the first bytes, and TLS too
 * when the address is both). */
static void
netd_accept(struct evconnlistener *ev, evutil_socket_t fd, struct sockaddr *sa, int salen,
    void *arg)
{
	const struct netd_listener *l = arg;

	(void)ev;
	(void)sa;
	(void)salen;
	if (l->info.kind == cairn_ipc_Listener_Kind_PEER)
		peers_accept(l->n, fd, l->info.tls);
	else if (l->info.kind == cairn_ipc_Listener_Kind_METRICS)
		http1_accept(l->n, fd, true);
	else if (l->info.tls && !l->info.plain_too)
		tls_accept(l->n, fd);
	else
		sniff_accept(l->n, fd, l->info.plain_too);
}

static void
netd_accept_error(struct evconnlistener *l, void *arg)
{
	(void)l;
	(void)arg;
	/* EMFILE and the like: the connection waits in the backlog. */
	log_warn("cannot accept a client connection");
}

static void
netd_configure(struct netd *n, const cairn_ipc_NetdConfig *cfg)
{
	n->streams_max = cfg->max_concurrent_streams == 0 ||
	    cfg->max_concurrent_streams > NETD_STREAMS_MAX ? NETD_STREAMS_MAX :
	    cfg->max_concurrent_streams;
	n->request_bytes_max = cfg->max_request_bytes;
	n->msg_bytes_max = cfg->max_request_bytes + NETD_GRPC_OVERHEAD_BYTES;
	n->txn_ops_max = cfg->max_txn_ops != 0 ? cfg->max_txn_ops : NETD_TXN_OPS_DEFAULT;
	n->tokens.ttl_ms = (int64_t)cfg->auth_token_ttl * 1000; /* 0: etcd's 300 s */
	n->request_timeout_ms = cfg->request_timeout_ms != 0 ? cfg->request_timeout_ms :
	    NETD_REQUEST_TIMEOUT_MS_DEFAULT;
}

/* The TLS keys: read before the privilege drop (and the chroot), once:
 * the client URLs', and the peer URLs' as a server and as a client. */
static struct tls_server netd_tls, netd_peer_tls, netd_peer_dial_tls;
/* --auth-token jwt,...: its keys, read before the privilege drop too. */
static struct jwt netd_jwt;

static int
netd_prepare(struct child *c)
{
	const cairn_ipc_NetdConfig *nc = &c->cfg.netd;
	struct tls_files f = {.cert_file = nc->peer_cert_file, .key_file = nc->peer_key_file,
	    .trusted_ca_file = nc->peer_trusted_ca_file, .crl_file = nc->peer_crl_file,
	    .cipher_suites = nc->cipher_suites, .client_cert_auth = nc->peer_client_cert_auth,
	    .auto_tls = nc->peer_auto_tls, .allowed_cn = nc->peer_cert_allowed_cn};
	char err[512];
	int rc;

	if ((rc = jwt_init(&netd_jwt, nc->auth_token, err, sizeof(err))) != 0) {
		log_errorx("%s", err);
		return rc;
	}
	if ((rc = tls_server_init(&netd_tls, nc)) != 0 ||
	    (rc = tls_end_init(&netd_peer_tls, &f, false)) != 0)
		return rc;
	f.client_cert_auth = false; /* the dialling end verifies the server's */
	f.allowed_cn = NULL;
	/* A member dials https peers with its peer certificate only. */
	if (!netd_peer_tls.ready)
		return 0;
	return tls_end_init(&netd_peer_dial_tls, &f, true);
}

static int
netd_start(struct child *c)
{
	struct netd *n = xcalloc(1, sizeof(*n));

	n->c = c;
	n->tls = &netd_tls;
	n->peer_tls = &netd_peer_tls;
	n->peer_dial_tls = &netd_peer_dial_tls;
	n->jwt = &netd_jwt;
	{
		struct timeval tv = {60, 0};

		n->tokens_ev = event_new(c->base, -1, EV_PERSIST, netd_tokens_sweep, n);
		if (n->tokens_ev == NULL || event_add(n->tokens_ev, &tv) != 0)
			fatalx("cannot start the token sweep");
	}
	TAILQ_INIT(&n->conns);
	TAILQ_INIT(&n->h1conns);
	TAILQ_INIT(&n->sniffing);
	TAILQ_INIT(&n->owed);
	pending_init(&n->pending);
	{
		struct timeval tv = {NETD_SWEEP_MS / 1000, NETD_SWEEP_MS % 1000 * 1000};

		n->sweep_ev = event_new(c->base, -1, EV_PERSIST, netd_requests_sweep, n);
		if (n->sweep_ev == NULL || event_add(n->sweep_ev, &tv) != 0)
			fatalx("cannot start the request sweep");
	}
	publish_init(n);
	peers_init(n);
	lease_relay_init(n);
	netd_configure(n, &c->cfg.netd);
	no_leader_init(n, c->cfg.netd.election_ms);
	c->state = n;
	for (size_t i = 0; i < c->listeners_len; i++) {
		struct child_listener *cl = &c->listeners[i];
		struct netd_listener *l = &n->listeners[n->listeners_len];

		/* The supervisor lets no https metrics URL by. */
		if (cl->info.tls && !(cl->info.kind == cairn_ipc_Listener_Kind_PEER ? n->peer_tls :
		    n->tls)->ready) {
			log_errorx("%s: no certificate to serve it with", cl->info.url);
			return CAIRN_EINVAL;
		}
		l->n = n;
		l->info = cl->info;
		l->ev = evconnlistener_new(c->base, netd_accept, l, LEV_OPT_CLOSE_ON_FREE, -1, cl->fd);
		if (l->ev == NULL) {
			log_errorx("cannot serve %s", cl->info.url);
			return CAIRN_EIO;
		}
		cl->fd = -1; /* the listener's now */
		evconnlistener_set_error_cb(l->ev, netd_accept_error);
		n->listeners_len++;
		log_infof(NULL, "serving %s on %s", cl->info.kind == cairn_ipc_Listener_Kind_METRICS ?
		    "metrics and health" : cl->info.kind == cairn_ipc_Listener_Kind_PEER ?
		    "peer traffic" : "client traffic", cl->info.url);
	}
	if (c->cfg.netd.join)
		peer_join_start(n);
	return 0;
}

static int
netd_frame(struct child *c, enum cairn_proc from, struct chan_msg *m)
{
	return backend_frame(c->state, from, m);
}

static void
netd_stop(struct child *c)
{
	struct netd *n = c->state;

	if (n == NULL)
		return;
	h2_close_all(n);
	http1_close_all(n);
	sniff_close_all(n);
	for (size_t i = 0; i < n->listeners_len; i++)
		evconnlistener_free(n->listeners[i].ev);
	pending_close(&n->pending);
	publish_free(n);
	peer_join_free(n);
	peers_free(n);
	lease_relay_free(n);
	tokens_sweep(&n->tokens, 0, true);
	event_free(n->tokens_ev);
	event_free(n->sweep_ev);
	no_leader_free(n);
	free(n);
	c->state = NULL;
	tls_server_free(&netd_tls); /* the keys wiped */
	tls_server_free(&netd_peer_tls);
	tls_server_free(&netd_peer_dial_tls);
	jwt_free(&netd_jwt);
}

const struct child_ops netd_ops = {
	.prepare = netd_prepare,
	.start = netd_start,
	.frame = netd_frame,
	.stop = netd_stop,
};
