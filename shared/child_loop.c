/*
 * Children: the event loop shared by netd, raftd and stored for now: the
 * control channel (rewiring, stop), peer channels (hello, heartbeats) and
 * the heartbeat timer. A peer that breaks the protocol is cut off and
 * reported to the supervisor, which decides whom to restart.
 */
#include <signal.h>
#include <stdlib.h>
#include <unistd.h>

#include "shared/child_loop.h"
#include "shared/err.h"
#include "shared/log.h"
#include "shared/proc_stats.h"

static void child_peer_readable(evutil_socket_t fd, short what, void *arg);

static void
child_peer_close(struct child_peer *p)
{
	if (p->ev != NULL)
		event_free(p->ev);
	p->ev = NULL;
	chan_close(&p->ch);
	p->heartbeats_seen = 0;
}

void
child_peer_adopt(struct child *c, enum cairn_proc peer, int sock, int mem)
{
	struct child_peer *p = &c->peers[peer];

	CAIRN_ASSERT(peer > PROC_SUPERVISOR && peer < PROC_COUNT);
	CAIRN_ASSERT(peer != c->self);
	child_peer_close(p);
	p->owner = c;
	p->id = peer;
	if (chan_open(&p->ch, c->self, peer, sock, mem, c->cfg.ring_bytes) != 0)
		fatalx("channel to %s from the supervisor is unusable: %s",
		    proc_name(peer), p->ch.fail_reason);
	if (chan_send_hello(&p->ch) != 0)
		log_warnx("cannot greet %s", proc_name(peer));
	p->ev = event_new(c->base, p->ch.sock, EV_READ | EV_PERSIST,
	    child_peer_readable, p);
	if (p->ev == NULL || event_add(p->ev, NULL) == -1)
		fatalx("cannot watch the channel to %s", proc_name(peer));
}

void
child_peer_announce(struct child *c, enum cairn_proc peer)
{
	if (c->ops->peer_up != NULL && chan_is_open(&c->peers[peer].ch))
		c->ops->peer_up(c, peer);
}

/* Reports a peer that broke the protocol, then cuts it off. */
static void
child_peer_failed(struct child_peer *p)
{
	cairn_ipc_ChannelFail fail = {.peer = (uint32_t)p->id};
	struct log_fields f;

	log_fields_init(&f);
	log_field_str(&f, "peer", proc_name(p->id));
	log_field_str(&f, "reason", p->ch.fail_reason);
	log_warnxf(&f, "channel to %s broke the protocol", proc_name(p->id));
	snprintf(fail.reason, sizeof(fail.reason), "%s", p->ch.fail_reason);
	(void)chan_send(&p->owner->ctl, cairn_ipc_IPC_SUPERVISOR_CHANNEL_FAIL, 0, &fail);
	child_peer_close(p);
}

/* 0, or CAIRN_EPROTO when the process's hook refuses the frame. */
static int
child_peer_handle(struct child_peer *p, struct chan_msg *m)
{
	struct child *c = p->owner;
	struct log_fields f;

	log_fields_init(&f);
	log_field_str(&f, "peer", proc_name(p->id));
	switch (m->hdr.type) {
	case cairn_ipc_IPC_ANY_HELLO_SEND:
		log_field_int(&f, "peer-pid", m->body.hello.pid);
		log_infof(&f, "channel to %s up", proc_name(p->id));
		break;
	case cairn_ipc_IPC_CHILD_HEARTBEAT_SEND:
		if (p->heartbeats_seen++ == 0)
			log_infof(&f, "heartbeats from %s resumed", proc_name(p->id));
		break;
	default:
		/* The route table let it through: the process's business. */
		if (c->ops->frame == NULL)
			fatalx("unhandled %s from %s", ipc_type_name(m->hdr.type), proc_name(p->id));
		return c->ops->frame(c, p->id, m);
	}
	return 0;
}

static void
child_peer_readable(evutil_socket_t fd, short what, void *arg)
{
	struct child_peer *p = arg;
	struct chan_msg m;
	int rc;

	(void)fd;
	(void)what;
	while ((rc = chan_recv(&p->ch, &m)) == 0) {
		if (child_peer_handle(p, &m) != 0) {
			snprintf(p->ch.fail_reason, sizeof(p->ch.fail_reason),
			    "%s refused by %s", ipc_type_name(m.hdr.type), proc_name(p->owner->self));
			chan_msg_release(&m);
			child_peer_failed(p);
			return;
		}
		chan_msg_release(&m);
	}
	if (rc == CAIRN_ECLOSED) {
		log_info("channel to %s closed", proc_name(p->id));
		child_peer_close(p);
	} else if (rc == CAIRN_EPROTO)
		child_peer_failed(p);
	else if (p->owner->ops->peer_drained != NULL)
		p->owner->ops->peer_drained(p->owner, p->id);
}

static void
child_ctl_handle(struct child *c, struct chan_msg *m)
{
	unsigned peer;

	switch (m->hdr.type) {
	case cairn_ipc_IPC_CHILD_CHANNEL_ADOPT:
		peer = m->body.adopt.peer;
		if (peer <= PROC_SUPERVISOR || peer >= PROC_COUNT || peer == (unsigned)c->self)
			fatalx("supervisor sent a channel to process %u", peer);
		child_peer_adopt(c, (enum cairn_proc)peer, m->fds[0], m->fds[1]);
		m->fds[0] = m->fds[1] = -1;
		child_peer_announce(c, (enum cairn_proc)peer);
		break;
	case cairn_ipc_IPC_CHILD_PROCESS_STOP:
		log_info("stopping at the supervisor's request");
		event_base_loopexit(c->base, NULL);
		break;
	case cairn_ipc_IPC_NETD_SUPERVISOR_METRICS_SET: /* the supervisor's figures, for netd */
		if (c->ops->frame != NULL && c->state != NULL)
			(void)c->ops->frame(c, PROC_SUPERVISOR, m);
		break;
	default:
		fatalx("unexpected %s from the supervisor", ipc_type_name(m->hdr.type));
	}
}

static void
child_ctl_readable(evutil_socket_t fd, short what, void *arg)
{
	struct child *c = arg;
	struct chan_msg m;
	int rc;

	(void)fd;
	(void)what;
	while ((rc = chan_recv(&c->ctl, &m)) == 0) {
		child_ctl_handle(c, &m);
		chan_msg_release(&m);
	}
	/* The supervisor is gone: no one would restart or rewire us. */
	if (rc == CAIRN_ECLOSED) {
		log_info("supervisor is gone; exiting");
		exit(0);
	}
	if (rc == CAIRN_EPROTO)
		fatalx("control channel: %s", c->ctl.fail_reason);
}

/* raftd's and stored's figures, to netd (it keeps its own). */
static void
child_send_metrics(struct child *c)
{
	cairn_ipc_Metrics m = cairn_ipc_Metrics_init_zero;
	struct chan *netd = &c->peers[PROC_NETD].ch;

	if (c->self == PROC_NETD || !chan_is_open(netd))
		return;
	m.proc = (uint32_t)c->self;
	m.has_stats = true;
	proc_stats_read(&m.stats);
	if (c->ops->metrics != NULL)
		c->ops->metrics(c, &m);
	/* A full ring loses one report: the next comes in a second. */
	if (chan_send(netd, cairn_ipc_IPC_NETD_METRICS_SET, 0, &m) == CAIRN_EPROTO)
		child_peer_failed(&c->peers[PROC_NETD]);
}

static void
child_heartbeat(evutil_socket_t fd, short what, void *arg)
{
	struct child *c = arg;
	uint64_t every = CHILD_METRICS_MS / (c->cfg.heartbeat_ms > 0 ? c->cfg.heartbeat_ms : 1);

	(void)fd;
	(void)what;
	if (++c->heartbeats % (every > 0 ? every : 1) == 0)
		child_send_metrics(c);
	for (int i = PROC_NETD; i < PROC_COUNT; i++) {
		struct child_peer *p = &c->peers[i];
		cairn_ipc_Heartbeat hb;

		if (!chan_is_open(&p->ch))
			continue;
		hb.seq = ++p->heartbeat_seq;
		/* A full ring only delays this heartbeat; a broken peer is cut. */
		if (chan_send(&p->ch, cairn_ipc_IPC_CHILD_HEARTBEAT_SEND, 0, &hb) == CAIRN_EPROTO)
			child_peer_failed(p);
	}
}

static void
child_sigterm(evutil_socket_t fd, short what, void *arg)
{
	struct child *c = arg;

	(void)fd;
	(void)what;
	log_info("stopping on a signal");
	event_base_loopexit(c->base, NULL);
}

int
child_loop_run(struct child *c)
{
	struct timeval tv = {
		.tv_sec = c->cfg.heartbeat_ms / 1000,
		.tv_usec = (c->cfg.heartbeat_ms % 1000) * 1000,
	};

	c->ctl_ev = event_new(c->base, c->ctl.sock, EV_READ | EV_PERSIST, child_ctl_readable, c);
	c->heartbeat_ev = event_new(c->base, -1, EV_PERSIST, child_heartbeat, c);
	c->sigterm_ev = evsignal_new(c->base, SIGTERM, child_sigterm, c);
	if (c->ctl_ev == NULL || c->heartbeat_ev == NULL || c->sigterm_ev == NULL ||
	    event_add(c->ctl_ev, NULL) == -1 || event_add(c->heartbeat_ev, &tv) == -1 ||
	    event_add(c->sigterm_ev, NULL) == -1)
		fatalx("cannot set up the event loop");
	/* Anything the supervisor queued before the loop started. */
	child_ctl_readable(c->ctl.sock, EV_READ, c);
	event_base_dispatch(c->base);
	if (c->ops->stop != NULL)
		c->ops->stop(c);
	for (int i = PROC_NETD; i < PROC_COUNT; i++)
		child_peer_close(&c->peers[i]);
	event_free(c->ctl_ev);
	event_free(c->heartbeat_ev);
	event_free(c->sigterm_ev);
	chan_close(&c->ctl);
	event_base_free(c->base);
	return 0;
}
