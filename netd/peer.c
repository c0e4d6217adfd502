/*
 * netd: the peer transport (see peer.h).
 */
#include <sys/socket.h>
#include <sys/types.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <pb_decode.h>

#include "netd/netd.h"
#include "netd/lease_relay.h"
#include "netd/peer.h"
#include "netd/peer_frame.h"
#include "netd/peer_join.h"
#include "netd/tls.h"
#include "netd/backend.h"
#include "shared/pbwire.h"
#include "shared/assert.h"
#include "shared/err.h"
#include "shared/le.h"
#include "shared/log.h"
#include "shared/proto/etcdserverpb/rpc.pb.h"
#include "shared/proto/peer.pb.h"
#include "shared/xmalloc.h"

static void peer_out_dial(struct peer_out *p);

/* ---- URLs ------------------------------------------------------------- */

int
peer_url_split(const char *url, char *host, char *port, bool *tls)
{
	enum url_scheme scheme;

	if (url_host_port(url, &scheme, host, port) != 0 || scheme == URL_SCHEME_NONE)
		return CAIRN_EINVAL;
	*tls = scheme == URL_SCHEME_HTTPS;
	return 0;
}

/* ---- connections we dial ------------------------------------------------ */

static void
peer_out_down(struct peer_out *p, const char *why)
{
	struct timeval tv = {p->retry_ms / 1000, (p->retry_ms % 1000) * 1000};

	peer_snap_send_abort(p);

	if (p->connected)
		log_warnx("lost the connection to member %llx: %s", (unsigned long long)p->id, why);
	if (p->bev != NULL)
		bufferevent_free(p->bev);
	p->bev = NULL;
	p->connected = false;
	evtimer_add(p->retry_ev, &tv);
	p->retry_ms = p->retry_ms * 2 > PEER_RETRY_MS_MAX ? PEER_RETRY_MS_MAX : p->retry_ms * 2;
}

static void peer_out_event(struct bufferevent *bev, short what, void *arg);
static void peer_in_tell_removed(struct peer_in *pi);
static void peer_out_read(struct bufferevent *bev, void *arg);

/* The connection wrote down to its low mark: a snapshot's next part. */
static void
peer_out_written(struct bufferevent *bev, void *arg)
{
	(void)bev;
	peer_snap_send_drained(arg);
}

/* The connection is up (TLS too): the hello, then Raft messages. */
static void
peer_out_hello(struct peer_out *p)
{
	const struct netd *n = p->n;
	cairn_peer_PeerFrame f = cairn_peer_PeerFrame_init_zero;

	f.has_hello = true;
	f.hello = (cairn_peer_PeerHello){.version = PEER_VERSION,
	    .cluster_id = n->raft.cluster_id, .from = n->raft.member_id, .to = p->id};
	if (peer_frame_put(bufferevent_get_output(p->bev), &f) != 0) {
		peer_out_down(p, "cannot write the hello");
		return;
	}
	p->connected = true;
	p->retry_ms = PEER_RETRY_MS_MIN;
	bufferevent_setcb(p->bev, peer_out_read, peer_out_written, peer_out_event, p);
	bufferevent_setwatermark(p->bev, EV_WRITE, PEER_SNAP_OUT_LOW_BYTES, 0);
	log_infof(NULL, "connected to member %llx at %s:%s%s", (unsigned long long)p->id, p->host,
	    p->port, p->tls ? " (TLS)" : "");
}

static void
peer_out_tls_done(void *arg, struct bufferevent *bev, const char *alpn, const char *cn)
{
	struct peer_out *p = arg;

	(void)alpn;
	(void)cn; /* the server's certificate was verified against the CA */
	if (bev == NULL) {
		peer_out_down(p, "the TLS handshake failed");
		return;
	}
	p->bev = bev;
	bufferevent_setcb(bev, peer_out_read, NULL, peer_out_event, p);
	bufferevent_enable(bev, EV_READ);
	peer_out_hello(p);
}

static void
peer_out_event(struct bufferevent *bev, short what, void *arg)
{
	struct peer_out *p = arg;
	struct netd *n = p->n;

	if (!(what & BEV_EVENT_CONNECTED)) {
		peer_out_down(p, what & BEV_EVENT_EOF ? "closed" : "error");
		return;
	}
	if (!p->tls) {
		peer_out_hello(p);
		return;
	}
	/* The TLS layer takes the socket's bufferevent until the handshake
	 * is over (or failed: it frees it). */
	p->bev = NULL;
	if (tls_start(n->c->base, bev, n->peer_dial_tls, tls_host_is_ip(p->host) ? NULL : p->host,
	    NULL, peer_out_tls_done, p, NULL) != 0)
		peer_out_down(p, "cannot start TLS");
}

/* The member we dial writes only to say we were removed from the
 * cluster: then the supervisor stops this member, as etcd stops. Anything
 * else is a broken peer. */
static void
peer_out_read(struct bufferevent *bev, void *arg)
{
	struct peer_out *p = arg;
	cairn_peer_PeerFrame f = cairn_peer_PeerFrame_init_zero;
	cairn_ipc_Empty empty = cairn_ipc_Empty_init_zero;
	uint8_t *frame;
	uint32_t len;
	bool removed;
	int rc = peer_frame_next(bev, PEER_NOTICE_BYTES_MAX, &frame, &len);

	if (rc == 0)
		return;
	removed = rc == 1 && peer_frame_decode(frame, len, &f) == 0 && f.removed &&
	    !f.has_hello && !f.has_msg && !f.has_relay && !f.has_snap;
	pb_release(cairn_peer_PeerFrame_fields, &f);
	if (!removed) {
		peer_out_down(p, "it wrote to a one-way connection");
		return;
	}
	log_warnxf(NULL, "server error: member %llx says: the member has been permanently "
	    "removed from the cluster", (unsigned long long)p->id);
	if (chan_send(&p->n->c->ctl, cairn_ipc_IPC_SUPERVISOR_MEMBER_REMOVED, 0, &empty) != 0)
		log_warnx("cannot tell the supervisor");
	peer_out_down(p, "this member was removed");
}

static void
peer_out_retry(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	peer_out_dial(arg);
}

const char *
peer_dial(struct netd *n, const char *host, const char *port, bufferevent_data_cb read,
    bufferevent_event_cb event, void *arg, struct bufferevent **out)
{
	struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM}, *ai;
	struct bufferevent *bev;
	int one = 1;

	*out = NULL;
	/* Peer URLs are IP addresses or names the system resolves at once
	 * (localhost): getaddrinfo blocks on anything slower. */
	if (getaddrinfo(host, port, &hints, &ai) != 0)
		return "cannot resolve its host";
	if ((bev = bufferevent_socket_new(n->c->base, -1, BEV_OPT_CLOSE_ON_FREE)) == NULL)
		fatalx("bufferevent_socket_new");
	bufferevent_setcb(bev, read, NULL, event, arg);
	if (bufferevent_socket_connect(bev, ai->ai_addr, (int)ai->ai_addrlen) != 0) {
		freeaddrinfo(ai);
		bufferevent_free(bev);
		return "cannot connect";
	}
	freeaddrinfo(ai);
	(void)setsockopt(bufferevent_getfd(bev), IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	bufferevent_enable(bev, EV_READ);
	*out = bev;
	return NULL;
}

static void
peer_out_dial(struct peer_out *p)
{
	const char *why;

	CAIRN_ASSERT(p->bev == NULL);
	if ((why = peer_dial(p->n, p->host, p->port, peer_out_read, peer_out_event, p,
	    &p->bev)) != NULL)
		peer_out_down(p, why);
}

/* ---- connections dialled to us --------------------------------------------- */

void
peer_in_close(struct peer_in *pi, const char *why)
{
	struct netd *n = pi->n;

	peer_snap_recv_close(pi);
	if (why != NULL)
		log_warnx("closing a peer connection (from member %llx; 0: unknown yet): %s",
		    (unsigned long long)pi->from, why);
	TAILQ_REMOVE(&n->peers.in, pi, entry);
	n->peers.nin--;
	bufferevent_free(pi->bev);
	event_free(pi->hello_ev);
	free(pi);
}

static bool
peer_removed(const struct netd *n, uint64_t id)
{
	for (size_t i = 0; i < n->peers.nremoved; i++)
		if (n->peers.removed[i] == id)
			return true;
	return false;
}

static bool
peer_known(const struct netd *n, uint64_t id)
{
	for (size_t i = 0; i < n->peers.nout; i++)
		if (n->peers.out[i].id == id)
			return true;
	return false;
}

/* One decoded frame: NULL, or why the connection must close. */
/* Bytes of frames from member 'from', for /metrics. */
static void
peer_count_recv(struct netd *n, uint64_t from, size_t len)
{
	for (size_t i = 0; i < n->peers.nout; i++)
		if (n->peers.out[i].id == from)
			n->peers.out[i].recv_bytes += PEER_LEN_BYTES + len;
}

static struct peer_out *peer_out_find(struct netd *n, uint64_t id);

/* Member 'id' dialled us, so it is up: our own connection to it, if down
 * and waiting out its backoff, is redialled now. A restarted member would
 * otherwise not hear us for up to PEER_RETRY_MS_MAX, and an election that
 * needs its vote would wait that long. */
static void
peer_out_hurry(struct netd *n, uint64_t id)
{
	struct peer_out *p = peer_out_find(n, id);
	struct timeval now = {0, 0};

	if (p == NULL || p->bev != NULL || p->retry_ev == NULL ||
	    !evtimer_pending(p->retry_ev, NULL))
		return;
	p->retry_ms = PEER_RETRY_MS_MIN;
	evtimer_add(p->retry_ev, &now);
}

static const char *
peer_in_frame(struct peer_in *pi, const cairn_peer_PeerFrame *f, size_t len)
{
	struct netd *n = pi->n;
	int rc;

	if (pi->from == 0) {
		if (f->has_join_ask && !f->has_hello && !f->has_msg && !f->has_relay &&
		    !f->has_snap && !f->removed && f->join == NULL) {
			if (f->join_ask.version != PEER_VERSION)
				return "another version of the peer protocol";
			/* Answered with a list read from stored after this ask
			 * (a member just added is in it), within PEER_HELLO_MS. */
			pi->closing = true;
			bufferevent_disable(pi->bev, EV_READ);
			pi->join_need = peers_members_refresh(n);
			return NULL;
		}
		if (!f->has_hello || f->has_msg || f->has_relay || f->has_snap || f->removed ||
		    f->join != NULL)
			return "its first frame is not a hello";
		if (f->hello.version != PEER_VERSION)
			return "another version of the peer protocol";
		if (n->raft.member_id == 0 || f->hello.to != n->raft.member_id)
			return "it meant to reach another member";
		if (f->hello.cluster_id != n->raft.cluster_id)
			return "cluster ID mismatch";
		if (f->hello.from == n->raft.member_id)
			return "not a member";
		pi->from = f->hello.from;
		event_del(pi->hello_ev);
		if (peer_removed(n, f->hello.from)) {
			peer_in_tell_removed(pi);
			return NULL;
		}
		if (!peer_known(n, f->hello.from))
			return "not a member";
		peer_out_hurry(n, f->hello.from);
		return NULL;
	}
	if (f->has_hello || f->removed || f->has_join_ask || f->join != NULL ||
	    (int)f->has_msg + f->has_relay + f->has_snap != 1)
		return "a frame without a Raft message, a lease relay or a snapshot's part";
	peer_count_recv(n, pi->from, len);
	if (f->has_relay)
		return lease_relay_frame(n, pi->from, &f->relay);
	if (f->has_snap)
		return peer_snap_recv_part(pi, &f->snap);
	if (f->msg.from != pi->from || f->msg.to != n->raft.member_id)
		return "a message not from its member or not for this one";
	if (f->msg.has_snap && !peer_snap_recv_take(pi))
		return "a snapshot message without its data";
	rc = chan_send(&n->c->peers[PROC_RAFTD].ch, cairn_ipc_IPC_RAFTD_PEER_RECV, 0, &f->msg);
	/* CAIRN_EAGAIN: raftd is behind, the message is dropped (Raft
	 * resends). */
	if (rc != 0 && rc != CAIRN_EAGAIN)
		log_debug("cannot pass raftd a peer message: %s", err_str(rc));
	return NULL;
}

static void
peer_in_read(struct bufferevent *bev, void *arg)
{
	struct peer_in *pi = arg;

	/* A snapshot's part waits for stored: the frames after it too. */
	while (!peer_snap_recv_waiting(pi)) {
		cairn_peer_PeerFrame f = cairn_peer_PeerFrame_init_zero;
		const char *why;
		uint8_t *p;
		uint32_t len;
		int rc = peer_frame_next(bev, PEER_FRAME_BYTES_MAX, &p, &len);

		if (rc == 0)
			return;
		if (rc < 0) {
			peer_in_close(pi, "a frame over the bound");
			return;
		}
		if (peer_frame_decode(p, len, &f) != 0)
			why = "a malformed frame";
		else
			why = peer_in_frame(pi, &f, len);
		pb_release(cairn_peer_PeerFrame_fields, &f);
		evbuffer_drain(bufferevent_get_input(bev), PEER_LEN_BYTES + (size_t)len);
		if (why != NULL) {
			peer_in_close(pi, why);
			return;
		}
		if (pi->closing)
			return;
	}
}

void
peer_in_resume(struct peer_in *pi)
{
	bufferevent_enable(pi->bev, EV_READ);
	peer_in_read(pi->bev, pi);
}

static void
peer_in_event(struct bufferevent *bev, short what, void *arg)
{
	(void)bev;
	peer_in_close(arg, what & BEV_EVENT_EOF ? NULL : "a connection error");
}

static void
peer_in_hello_late(evutil_socket_t fd, short what, void *arg)
{
	struct peer_in *pi = arg;

	(void)fd;
	(void)what;
	peer_in_close(pi, pi->join_need != 0 ? "no members list for its join_ask in time" :
	    pi->closing ? "it did not read its last frame in time" : "no hello in time");
}

/* The notice went out: the connection closes. */
static void
peer_in_written(struct bufferevent *bev, void *arg)
{
	(void)bev;
	peer_in_close(arg, NULL);
}

const char *
peer_in_last_word(struct peer_in *pi, const cairn_peer_PeerFrame *f)
{
	struct timeval tv = {PEER_HELLO_MS / 1000, (PEER_HELLO_MS % 1000) * 1000};

	pi->closing = true;
	bufferevent_disable(pi->bev, EV_READ);
	if (peer_frame_put(bufferevent_get_output(pi->bev), f) != 0 ||
	    evtimer_add(pi->hello_ev, &tv) != 0)
		return "cannot write its last frame";
	bufferevent_setcb(pi->bev, NULL, peer_in_written, peer_in_event, pi);
	return NULL;
}

/* Member pi->from was removed from the cluster: told so (etcd answers
 * 410 Gone), then the connection closes. */
static void
peer_in_tell_removed(struct peer_in *pi)
{
	cairn_peer_PeerFrame f = cairn_peer_PeerFrame_init_zero;
	const char *why;

	log_warnx("member %llx was removed from the cluster: telling it so",
	    (unsigned long long)pi->from);
	f.removed = true;
	if ((why = peer_in_last_word(pi, &f)) != NULL)
		peer_in_close(pi, why);
}

/* A peer connection's plaintext (bev taken): its hello awaited. */
static void
peers_accept_bev(struct netd *n, struct bufferevent *bev)
{
	struct timeval tv = {PEER_HELLO_MS / 1000, (PEER_HELLO_MS % 1000) * 1000};
	struct peer_in *pi = xcalloc(1, sizeof(*pi));

	pi->n = n;
	pi->bev = bev;
	pi->hello_ev = evtimer_new(n->c->base, peer_in_hello_late, pi);
	if (pi->hello_ev == NULL || evtimer_add(pi->hello_ev, &tv) != 0)
		fatalx("cannot serve a peer connection");
	TAILQ_INSERT_TAIL(&n->peers.in, pi, entry);
	n->peers.nin++;
	bufferevent_setcb(pi->bev, peer_in_read, NULL, peer_in_event, pi);
	bufferevent_enable(pi->bev, EV_READ);
}

/* After the TLS handshake of a connection to an https peer URL (which
 * checked --peer-cert-allowed-cn): as a plain one. */
static void
peer_in_tls_done(void *arg, struct bufferevent *bev, const char *alpn, const char *cn)
{
	struct netd *n = arg;

	(void)alpn;
	(void)cn;
	n->peers.nin--; /* counted while it shook hands */
	if (bev != NULL)
		peers_accept_bev(n, bev);
}

void
peers_accept(struct netd *n, int fd, bool tls)
{
	struct bufferevent *bev;
	int one = 1;

	if (n->peers.nin >= PEER_IN_CONNS_MAX) {
		log_warnx("%d peer connections: refusing another", PEER_IN_CONNS_MAX);
		close(fd);
		return;
	}
	(void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	if ((bev = bufferevent_socket_new(n->c->base, fd, BEV_OPT_CLOSE_ON_FREE)) == NULL)
		fatalx("cannot serve a peer connection");
	if (!tls) {
		peers_accept_bev(n, bev);
		return;
	}
	n->peers.nin++;
	if (tls_start(n->c->base, bev, n->peer_tls, NULL, NULL, peer_in_tls_done, n, NULL) != 0)
		n->peers.nin--;
}

/* ---- the members ---------------------------------------------------------- */

/* The first of urls[0..nurls) netd can dial into host, port and *tls;
 * false (logged) when none. */
static bool
peer_pick_url(const struct netd *n, uint64_t id, char urls[][MEMBER_PEER_URL_BYTES], size_t nurls, char *host,
    char *port, bool *tls)
{
	/* etcd dials a member's peer URLs in turn; cairn its first (an https
	 * one needs the peer TLS files or --peer-auto-tls). */
	for (size_t u = 0; u < nurls; u++)
		if (peer_url_split(urls[u], host, port, tls) == 0 && (!*tls || n->peer_dial_tls->ready))
			return true;
	log_warnx("member %llx has no peer URL netd can dial (https needs "
	    "--peer-cert-file and --peer-key-file, or --peer-auto-tls)", (unsigned long long)id);
	return false;
}

/* Sets slot p up for member 'id' at the first peer URL it can dial;
 * false when it has none. */
static bool
peer_out_setup(struct netd *n, struct peer_out *p, uint64_t id, char urls[][MEMBER_PEER_URL_BYTES], size_t nurls)
{
	if (!peer_pick_url(n, id, urls, nurls, p->host, p->port, &p->tls))
		return false;
	if (p->retry_ev == NULL && (p->retry_ev = evtimer_new(n->c->base, peer_out_retry, p)) == NULL)
		fatalx("evtimer_new");
	if (p->id != id)
		peer_snap_out_init(&p->snap);
	p->n = n;
	p->id = id;
	p->retry_ms = PEER_RETRY_MS_MIN;
	return true;
}

void
peers_init(struct netd *n)
{
	const struct child *c = n->c;

	TAILQ_INIT(&n->peers.in);
	for (size_t i = 0; i < c->members_len && n->peers.nout < PEER_MEMBERS_MAX; i++) {
		const cairn_ipc_BootstrapMember *m = &c->members[i];
		char urls[MEMBER_PEER_URLS_MAX][MEMBER_PEER_URL_BYTES];
		size_t k = 0;

		for (; k < m->peer_urls_count && k < MEMBER_PEER_URLS_MAX; k++)
			snprintf(urls[k], sizeof(urls[k]), "%s", m->peer_urls[k]);
		if (peer_out_setup(n, &n->peers.out[n->peers.nout], m->id, urls, k))
			n->peers.nout++;
	}
}

/* ---- the members table's word ---------------------------------------------- */

static void
peers_members_ask(struct netd *n, uint64_t rev)
{
	cairn_ipc_Maint m = {.op = cairn_ipc_Maint_Op_MEMBER_PEERS};

	if (backend_ask_internal(n, PENDING_PEERS, &m) != 0)
		return;
	n->peers.asking = true;
	n->peers.members_asked = rev;
	n->peers.asks_sent++;
}

void
peers_members_changed(struct netd *n, uint64_t rev)
{
	if (rev == 0 || rev == n->peers.members_rev || n->peers.asking)
		return;
	peers_members_ask(n, rev);
}

uint64_t
peers_members_refresh(struct netd *n)
{
	if (n->peers.asking) {
		n->peers.ask_again = true; /* the one under way may be older */
		return n->peers.asks_sent + 1;
	}
	peers_members_ask(n, n->store.members_rev);
	return n->peers.asks_sent + (n->peers.asking ? 0 : 1);
}

/* join_asks waiting for a list as new as the one just read: answered. */
static void
peers_answer_joiners(struct netd *n)
{
	struct peer_in *pi, *next;
	const char *why;

	for (pi = TAILQ_FIRST(&n->peers.in); pi != NULL; pi = next) {
		next = TAILQ_NEXT(pi, entry);
		if (pi->join_need == 0 || pi->join_need > n->peers.asks_done)
			continue;
		pi->join_need = 0;
		if ((why = peer_join_answer(pi)) != NULL)
			peer_in_close(pi, why);
	}
}

/* The slot of member 'id' in out[], or NULL. */
static struct peer_out *
peer_out_find(struct netd *n, uint64_t id)
{
	for (size_t i = 0; i < n->peers.nout; i++)
		if (n->peers.out[i].id == id)
			return &n->peers.out[i];
	return NULL;
}

/* Stops dialling p: its connection closed, its slot free (id 0). */
static void
peer_out_clear(struct peer_out *p)
{
	peer_snap_send_abort(p);
	if (p->bev != NULL)
		bufferevent_free(p->bev);
	p->bev = NULL;
	p->connected = false;
	if (p->retry_ev != NULL)
		evtimer_del(p->retry_ev);
	p->id = 0;
}

/* One Member of the list: dialled from now if new, redialled if its URL
 * changed. Its bit set in 'seen' (by slot). */
static void
peers_member(struct netd *n, const uint8_t *rec, size_t len, bool *seen)
{
	struct pbw_reader r = {.buf = rec, .len = len};
	char urls[MEMBER_PEER_URLS_MAX][MEMBER_PEER_URL_BYTES];
	struct pbw_field f;
	struct peer_out *p;
	uint64_t id = 0;
	size_t nurls = 0;
	int rc;

	while ((rc = pbw_next(&r, &f)) == 1) {
		if (f.number == etcdserverpb_Member_ID_tag && f.type == PBW_VARINT)
			id = f.v;
		else if (f.number == etcdserverpb_Member_peerURLs_tag && f.type == PBW_LEN &&
		    nurls < MEMBER_PEER_URLS_MAX && f.n < sizeof(urls[0])) {
			memcpy(urls[nurls], f.p, f.n);
			urls[nurls++][f.n] = '\0';
		}
	}
	if (rc != 0)
		return;
	if (id == 0 || id == n->raft.member_id)
		return;
	if ((p = peer_out_find(n, id)) != NULL) {
		char host[PEER_HOST_BYTES], port[PEER_PORT_BYTES];
		bool tls;

		seen[p - n->peers.out] = true;
		if (!peer_pick_url(n, id, urls, nurls, host, port, &tls) ||
		    (strcmp(host, p->host) == 0 && strcmp(port, p->port) == 0 && tls == p->tls))
			return;
		/* A new peer URL (MemberUpdate): dial that one. */
		snprintf(p->host, sizeof(p->host), "%s", host);
		snprintf(p->port, sizeof(p->port), "%s", port);
		p->tls = tls;
		if (p->connected)
			peer_out_down(p, "its peer URL changed");
		return;
	}
	/* A new member: a free slot (a removed member's) or a new one. */
	for (size_t i = 0; i < n->peers.nout && p == NULL; i++)
		if (n->peers.out[i].id == 0)
			p = &n->peers.out[i];
	if (p == NULL && n->peers.nout < PEER_MEMBERS_MAX)
		p = &n->peers.out[n->peers.nout++];
	if (p == NULL) {
		log_warnx("more than %d members: not dialling %llx", PEER_MEMBERS_MAX,
		    (unsigned long long)id);
		return;
	}
	if (!peer_out_setup(n, p, id, urls, nurls)) {
		p->id = 0;
		return;
	}
	seen[p - n->peers.out] = true;
	log_infof(NULL, "dialling member %llx, listed by the store", (unsigned long long)id);
	if (n->peers.dialing && p->bev == NULL)
		peer_out_dial(p);
}

/* Connections from members no longer listed end; a removed one is told. */
static void
peers_drop_strangers(struct netd *n)
{
	struct peer_in *pi, *next;

	for (pi = TAILQ_FIRST(&n->peers.in); pi != NULL; pi = next) {
		next = TAILQ_NEXT(pi, entry);
		if (pi->from == 0 || pi->closing || peer_known(n, pi->from))
			continue;
		if (peer_removed(n, pi->from))
			peer_in_tell_removed(pi);
		else
			peer_in_close(pi, "not a member any more");
	}
}

void
peers_members(struct netd *n, int code, const uint8_t *list, size_t len)
{
	struct pbw_reader r = {.buf = list, .len = len};
	bool seen[PEER_MEMBERS_MAX] = {false};
	uint64_t rev = n->peers.members_asked;
	struct pbw_field f;
	int rc;

	n->peers.asking = false;
	n->peers.asks_done = n->peers.asks_sent;
	if (n->peers.ask_again) {
		n->peers.ask_again = false;
		peers_members_ask(n, n->store.members_rev);
	}
	if (code != 0)
		return; /* asked again at the next status */
	n->peers.nremoved = 0;
	peer_join_note(n, NULL, 0);
	while ((rc = pbw_next(&r, &f)) == 1) {
		if (f.number == etcdserverpb_MemberListResponse_members_tag && f.type == PBW_LEN) {
			peers_member(n, f.p, f.n, seen);
			peer_join_note(n, f.p, f.n);
		}
		else if (f.number == MEMBERS_REMOVED_FIELD && f.type == PBW_VARINT &&
		    n->peers.nremoved < PEER_REMOVED_MAX)
			n->peers.removed[n->peers.nremoved++] = f.v;
	}
	if (rc != 0)
		return;
	n->peers.known_ok = true;
	/* Those no longer listed (removed) are dialled no more. */
	for (size_t i = 0; i < n->peers.nout; i++) {
		if (!seen[i] && n->peers.out[i].id != 0) {
			log_infof(NULL, "no longer dialling member %llx: not a member",
			    (unsigned long long)n->peers.out[i].id);
			peer_out_clear(&n->peers.out[i]);
		}
	}
	n->peers.members_rev = rev;
	peers_drop_strangers(n);
	peers_answer_joiners(n);
}

void
peers_poke(struct netd *n)
{
	if (n->peers.dialing || n->raft.member_id == 0)
		return;
	n->peers.dialing = true;
	for (size_t i = 0; i < n->peers.nout; i++)
		if (n->peers.out[i].id != 0 && n->peers.out[i].id != n->raft.member_id &&
		    n->peers.out[i].bev == NULL)
			peer_out_dial(&n->peers.out[i]);
}

int
peers_send_frame(struct netd *n, uint64_t to, const cairn_peer_PeerFrame *f)
{
	struct peer_out *p = peer_out_find(n, to);
	struct evbuffer *out;
	size_t before;
	int rc;

	if (p == NULL) {
		log_debug("a frame for %llx, which netd does not know", (unsigned long long)to);
		return CAIRN_ENOENT;
	}
	if (!p->connected || evbuffer_get_length(out = bufferevent_get_output(p->bev)) >
	    PEER_OUT_BYTES_MAX) {
		p->dropped++;
		return CAIRN_EAGAIN;
	}
	before = evbuffer_get_length(out);
	if ((rc = peer_frame_put(out, f)) != 0)
		p->dropped++;
	else
		p->sent_bytes += evbuffer_get_length(out) - before;
	return rc;
}

void
peers_send(struct netd *n, const cairn_ipc_RaftMsg *m)
{
	cairn_peer_PeerFrame f = cairn_peer_PeerFrame_init_zero;

	peer_snap_status_flush(n);
	if (m->has_snap) {
		/* InstallSnapshot: the store's copy goes first. */
		peer_snap_send(n, peer_out_find(n, m->to), m);
		return;
	}
	f.has_msg = true;
	f.msg = *m; /* a shallow copy: m keeps its allocations */
	(void)peers_send_frame(n, m->to, &f);
}

void
peers_free(struct netd *n)
{
	while (!TAILQ_EMPTY(&n->peers.in))
		peer_in_close(TAILQ_FIRST(&n->peers.in), NULL);
	for (size_t i = 0; i < n->peers.nout; i++) {
		struct peer_out *p = &n->peers.out[i];

		peer_snap_send_abort(p);
		if (p->bev != NULL)
			bufferevent_free(p->bev);
		if (p->retry_ev != NULL)
			event_free(p->retry_ev);
	}
	n->peers.nout = 0;
	peer_join_forget(n);
}
