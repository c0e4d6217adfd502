/*
 * netd: the join question (see peer_join.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <pb_decode.h>

#include "netd/netd.h"
#include "netd/peer.h"
#include "netd/peer_frame.h"
#include "netd/peer_join.h"
#include "netd/tls.h"
#include "shared/assert.h"
#include "shared/err.h"
#include "shared/log.h"
#include "shared/pbwire.h"
#include "shared/proto/etcdserverpb/rpc.pb.h"
#include "shared/xmalloc.h"

/* One peer URL asked. */
struct join_try {
	struct peer_join *j;
	const char *url;            /* the BootstrapMember's, in n->c->members */
	char host[PEER_HOST_BYTES], port[PEER_PORT_BYTES];
	bool tls;
	struct bufferevent *bev;    /* owned; NULL once done or while shaking hands */
	struct tls_conn *handshake; /* the TLS handshake under way, or NULL */
};

struct peer_join {
	struct netd *n;
	struct join_try tries[PEER_JOIN_URLS_MAX];
	size_t ntries, left;        /* URLs asked; not yet failed */
	struct event *deadline_ev;  /* owned */
	bool told;                  /* the supervisor has its answer */
	/* The last answer that does not list this member (a member that
	 * has not applied its MemberAdd yet, or a member never added): the
	 * supervisor gets it, for etcd's error, when no answer lists it. */
	cairn_ipc_JoinInfo *unlisted; /* owned, or NULL */
};

/* ---- asking ------------------------------------------------------------- */

static void
join_try_close(struct join_try *t)
{
	if (t->handshake != NULL)
		tls_cancel(t->handshake);
	t->handshake = NULL;
	if (t->bev != NULL)
		bufferevent_free(t->bev);
	t->bev = NULL;
}

/* The supervisor's answer: info, or none (NULL) when no URL gave one.
 * Every other question is dropped. */
static void
join_tell(struct peer_join *j, const cairn_ipc_JoinInfo *info)
{
	static const cairn_ipc_JoinInfo none = cairn_ipc_JoinInfo_init_zero;

	if (j->told)
		return;
	j->told = true;
	for (size_t i = 0; i < j->ntries; i++)
		join_try_close(&j->tries[i]);
	evtimer_del(j->deadline_ev);
	if (info == NULL)
		info = j->unlisted;
	if (info == NULL)
		log_warnx("no peer URL of --initial-cluster told the cluster's members");
	if (chan_send(&j->n->c->ctl, cairn_ipc_IPC_SUPERVISOR_JOIN_INFO, 0,
	    info != NULL ? info : &none) != 0)
		log_warnx("cannot tell the supervisor the cluster's members");
}

/* As etcd logs each peer URL that did not answer. */
static void
join_try_failed(struct join_try *t, const char *why)
{
	struct peer_join *j = t->j;
	struct log_fields f;

	join_try_close(t);
	if (j->told)
		return;
	log_fields_init(&f);
	log_field_str(&f, "address", t->url);
	log_field_str(&f, "error", why);
	log_warnxf(&f, "failed to get cluster response");
	CAIRN_ASSERT(j->left > 0);
	if (--j->left == 0)
		join_tell(j, NULL);
}

/* What a running member may answer: its cluster, and members with IDs. */
static const char *
join_info_bad(const cairn_ipc_JoinInfo *info)
{
	if (info->cluster_id == 0)
		return "no cluster ID";
	if (info->members_count == 0)
		return "no members";
	for (pb_size_t i = 0; i < info->members_count; i++) {
		if (info->members[i].id == 0)
			return "a member without an ID";
		for (pb_size_t k = i + 1; k < info->members_count; k++)
			if (info->members[k].id == info->members[i].id)
				return "a member listed twice";
	}
	return NULL;
}

/* Does info list a member with one of this member's peer URLs (as
 * --initial-cluster gives them)? */
static bool
join_lists_self(const struct netd *n, const cairn_ipc_JoinInfo *info)
{
	const struct child *c = n->c;

	for (size_t i = 0; i < c->members_len; i++) {
		const cairn_ipc_BootstrapMember *self = &c->members[i];

		if (strcmp(self->name, c->cfg.name) != 0)
			continue;
		for (pb_size_t k = 0; k < info->members_count; k++)
			for (pb_size_t u = 0; u < info->members[k].peer_urls_count; u++)
				for (pb_size_t v = 0; v < self->peer_urls_count; v++)
					if (strcmp(info->members[k].peer_urls[u], self->peer_urls[v]) == 0)
						return true;
	}
	return false;
}

static void
join_try_read(struct bufferevent *bev, void *arg)
{
	struct join_try *t = arg;
	cairn_peer_PeerFrame f = cairn_peer_PeerFrame_init_zero;
	const char *why = NULL;
	uint8_t *p;
	uint32_t len;
	int rc = peer_frame_next(bev, PEER_JOIN_FRAME_BYTES_MAX, &p, &len);

	if (rc == 0)
		return;
	if (rc < 0)
		why = "an answer over the bound";
	else if (peer_frame_decode(p, len, &f) != 0)
		why = "a malformed answer";
	else if (f.join == NULL || f.has_hello || f.has_msg || f.has_relay || f.has_snap ||
	    f.removed || f.has_join_ask)
		why = "an answer without the cluster's members";
	else
		why = join_info_bad(f.join);
	if (why == NULL && !join_lists_self(t->j->n, f.join)) {
		/* Kept for the supervisor's error; f.join is ours now. */
		free(t->j->unlisted);
		t->j->unlisted = f.join;
		f.join = NULL;
		why = "the cluster does not list this member (yet)";
	}
	if (why != NULL)
		join_try_failed(t, why);
	else
		join_tell(t->j, f.join);
	pb_release(cairn_peer_PeerFrame_fields, &f);
}

static void
join_try_event(struct bufferevent *bev, short what, void *arg)
{
	struct join_try *t = arg;

	(void)bev;
	join_try_failed(t, what & BEV_EVENT_EOF ? "closed" : "cannot connect");
}

/* The connection is up (TLS too): the question. */
static void
join_try_ask(struct join_try *t)
{
	cairn_peer_PeerFrame f = cairn_peer_PeerFrame_init_zero;

	f.has_join_ask = true;
	f.join_ask.version = PEER_VERSION;
	if (peer_frame_put(bufferevent_get_output(t->bev), &f) != 0) {
		join_try_failed(t, "cannot write the question");
		return;
	}
	bufferevent_setcb(t->bev, join_try_read, NULL, join_try_event, t);
	bufferevent_enable(t->bev, EV_READ);
}

static void
join_try_tls_done(void *arg, struct bufferevent *bev, const char *alpn, const char *cn)
{
	struct join_try *t = arg;

	(void)alpn;
	(void)cn; /* the server's certificate was verified against the CA */
	t->handshake = NULL;
	if (bev == NULL) {
		join_try_failed(t, "the TLS handshake failed");
		return;
	}
	t->bev = bev;
	join_try_ask(t);
}

static void
join_try_connected(struct bufferevent *bev, short what, void *arg)
{
	struct join_try *t = arg;
	struct netd *n = t->j->n;

	if (!(what & BEV_EVENT_CONNECTED)) {
		join_try_event(bev, what, arg);
		return;
	}
	if (!t->tls) {
		join_try_ask(t);
		return;
	}
	t->bev = NULL; /* the TLS layer's until the handshake is over */
	if (tls_start(n->c->base, bev, n->peer_dial_tls, tls_host_is_ip(t->host) ? NULL : t->host,
	    NULL, join_try_tls_done, t, &t->handshake) != 0)
		join_try_failed(t, "cannot start TLS");
}

static void
join_try_dial(struct join_try *t)
{
	struct netd *n = t->j->n;
	const char *why;

	if (peer_url_split(t->url, t->host, t->port, &t->tls) != 0) {
		join_try_failed(t, "not a URL netd can dial");
		return;
	}
	if (t->tls && !n->peer_dial_tls->ready) {
		join_try_failed(t, "https needs --peer-cert-file and --peer-key-file, or --peer-auto-tls");
		return;
	}
	if ((why = peer_dial(n, t->host, t->port, NULL, join_try_connected, t, &t->bev)) != NULL)
		join_try_failed(t, why);
}

static void
join_deadline(evutil_socket_t fd, short what, void *arg)
{
	struct peer_join *j = arg;

	(void)fd;
	(void)what;
	log_warnx("no answer from the cluster's peer URLs within %d s", PEER_JOIN_MS / 1000);
	join_tell(j, NULL);
}

void
peer_join_start(struct netd *n)
{
	const struct child *c = n->c;
	struct timeval tv = {PEER_JOIN_MS / 1000, (PEER_JOIN_MS % 1000) * 1000};
	struct peer_join *j = xcalloc(1, sizeof(*j));

	CAIRN_ASSERT(n->join == NULL);
	n->join = j;
	j->n = n;
	if ((j->deadline_ev = evtimer_new(c->base, join_deadline, j)) == NULL ||
	    evtimer_add(j->deadline_ev, &tv) != 0)
		fatalx("cannot time the join question");
	/* etcd's getRemotePeerURLs: every member's but this one's (by name). */
	for (size_t i = 0; i < c->members_len; i++) {
		const cairn_ipc_BootstrapMember *m = &c->members[i];

		if (strcmp(m->name, c->cfg.name) == 0)
			continue;
		for (pb_size_t u = 0; u < m->peer_urls_count && j->ntries < PEER_JOIN_URLS_MAX; u++)
			j->tries[j->ntries++] = (struct join_try){.j = j, .url = m->peer_urls[u]};
	}
	j->left = j->ntries;
	log_infof(NULL, "asking %zu peer URLs for the cluster's members", j->ntries);
	if (j->ntries == 0) {
		join_tell(j, NULL);
		return;
	}
	for (size_t i = 0; i < j->ntries && !j->told; i++)
		join_try_dial(&j->tries[i]);
}

void
peer_join_free(struct netd *n)
{
	struct peer_join *j = n->join;

	if (j == NULL)
		return;
	for (size_t i = 0; i < j->ntries; i++)
		join_try_close(&j->tries[i]);
	event_free(j->deadline_ev);
	free(j->unlisted);
	free(j);
	n->join = NULL;
}

/* ---- answering ------------------------------------------------------------ */

void
peer_join_note(struct netd *n, const uint8_t *rec, size_t len)
{
	struct pbw_reader r = {.buf = rec, .len = len};
	cairn_ipc_BootstrapMember *m;
	struct pbw_field f;
	cairn_ipc_JoinInfo *k;

	if (n->peers.known == NULL)
		n->peers.known = xcalloc(1, sizeof(*n->peers.known));
	k = n->peers.known;
	n->peers.known_ok = false;
	if (rec == NULL) {
		k->members_count = 0;
		return;
	}
	if (k->members_count >= sizeof(k->members) / sizeof(k->members[0]))
		return; /* never: stored lists at most RAFT_MEMBERS_MAX */
	m = &k->members[k->members_count];
	*m = (cairn_ipc_BootstrapMember)cairn_ipc_BootstrapMember_init_zero;
	while (pbw_next(&r, &f) == 1) {
		if (f.number == etcdserverpb_Member_ID_tag && f.type == PBW_VARINT) {
			m->id = f.v;
		} else if (f.number == etcdserverpb_Member_name_tag && f.type == PBW_LEN &&
		    f.n < sizeof(m->name)) {
			memcpy(m->name, f.p, f.n);
			m->name[f.n] = '\0';
		} else if (f.number == etcdserverpb_Member_peerURLs_tag && f.type == PBW_LEN &&
		    m->peer_urls_count < sizeof(m->peer_urls) / sizeof(m->peer_urls[0]) &&
		    f.n < sizeof(m->peer_urls[0])) {
			memcpy(m->peer_urls[m->peer_urls_count], f.p, f.n);
			m->peer_urls[m->peer_urls_count++][f.n] = '\0';
		}
	}
	if (m->id != 0)
		k->members_count++;
}

void
peer_join_forget(struct netd *n)
{
	free(n->peers.known);
	n->peers.known = NULL;
	n->peers.known_ok = false;
}

const char *
peer_join_answer(struct peer_in *pi)
{
	struct netd *n = pi->n;
	cairn_peer_PeerFrame f = cairn_peer_PeerFrame_init_zero;
	const char *why;

	if (n->raft.cluster_id == 0 || !n->peers.known_ok || n->peers.known->members_count == 0)
		return "asked for the members before this member knew them";
	n->peers.known->cluster_id = n->raft.cluster_id;
	f.join = n->peers.known; /* borrowed: f is not released */
	why = peer_in_last_word(pi, &f);
	if (why == NULL)
		log_infof(NULL, "told a member that joins the cluster's %u members",
		    (unsigned)n->peers.known->members_count);
	return why;
}
