/*
 * netd: requests to raftd and stored on a client's behalf, and their
 * answers. Each request holds a slot of the pending table from the frame
 * that asks until the frame that answers; a stream that went away leaves
 * its answer to be dropped here.
 */
#include <stdlib.h>

#include <pb_decode.h>
#include <pb_encode.h>

#include "netd/auth_tokens.h"
#include "netd/backend.h"
#include "netd/lease_relay.h"
#include "netd/publish.h"
#include "netd/grpc.h"
#include "netd/h2.h"
#include "netd/inner.h"
#include "netd/netd.h"
#include "netd/peer_snap.h"
#include "netd/svc.h"
#include "shared/chunks.h"
#include "shared/log.h"
#include "shared/raft_peer.h"
#include "shared/xmalloc.h"

static struct netd *
backend_of(struct gstream *s)
{
	return s->n;
}

/* Takes a pending slot for s; CAIRN_ETOOMANYREQ when the table is full. */
int
backend_wait(struct gstream *s, enum pending_wait wait)
{
	struct pending *p = pending_add(&backend_of(s)->pending, s, wait);

	if (p == NULL)
		return CAIRN_ETOOMANYREQ;
	s->pending = p;
	return 0;
}

void
backend_unwait(struct netd *n, struct pending *p)
{
	if (p->stream != NULL)
		p->stream->pending = NULL;
	pending_remove(&n->pending, p);
}

/* Sends bytes in chunks (a Proposal's data or a Read's request). */
static int
backend_send_proposal(struct netd *n, uint64_t id, const uint8_t *irr, size_t len)
{
	cairn_ipc_Proposal p = cairn_ipc_Proposal_init_zero;
	int rc;

	chunks_put(irr, (uint32_t)len, &p.data, &p.data_count);
	rc = chan_send(&n->c->peers[PROC_RAFTD].ch, cairn_ipc_IPC_RAFTD_PROPOSAL_SEND, id, &p);
	pb_release(cairn_ipc_Proposal_fields, &p);
	return rc;
}

static int
backend_send_read(struct netd *n, uint64_t id, uint64_t index, const uint8_t *irr, size_t len)
{
	cairn_ipc_Read r = cairn_ipc_Read_init_zero;
	int rc;

	r.index = index;
	chunks_put(irr, (uint32_t)len, &r.request, &r.request_count);
	rc = chan_send(&n->c->peers[PROC_STORED].ch, cairn_ipc_IPC_STORED_READ_GET, id, &r);
	pb_release(cairn_ipc_Read_fields, &r);
	return rc;
}

/* A send that failed: the ring is full (back-pressure on the client) or
 * the process is down; either way this member cannot serve now. */
static int
backend_send_failed(struct netd *n, struct gstream *s, int rc)
{
	backend_unwait(n, s->pending);
	log_debug("cannot send a request: %s", err_str(rc));
	return rc == CAIRN_EAGAIN ? CAIRN_ETOOMANYREQ : rc == CAIRN_ETOOBIG ? CAIRN_ETOOBIG :
	    CAIRN_ENOLEADER;
}

int
backend_propose(struct gstream *s, uint8_t *irr, size_t len)
{
	return backend_propose_as(s, irr, len, PENDING_RESULT);
}

int
backend_propose_as(struct gstream *s, uint8_t *irr, size_t len, enum pending_wait wait)
{
	struct netd *n = backend_of(s);
	int rc;

	if (len > n->request_bytes_max || len > RAFT_PEER_DATA_BYTES_MAX) {
		free(irr);
		return CAIRN_ETOOBIG;
	}
	if ((rc = backend_wait(s, wait)) == 0 &&
	    (rc = backend_send_proposal(n, s->pending->id, irr, len)) != 0)
		rc = backend_send_failed(n, s, rc);
	/* raftd fails one that waited for a leader at the timeout itself:
	 * this is the backstop, a little later. */
	if (rc == 0)
		s->pending->due_ms = netd_now_ms() + n->request_timeout_ms + NETD_SWEEP_MS;
	free(irr);
	return rc;
}

void
backend_sweep(struct netd *n)
{
	int64_t now = netd_now_ms();

	if (n->pending.used == 0)
		return;
	for (size_t i = 0; i < PENDING_SLOTS; i++) {
		struct pending *p = &n->pending.slots[i];

		if (p->wait != PENDING_FREE && p->due_ms != 0 && p->due_ms <= now) {
			log_debug("request %llu timed out", (unsigned long long)p->id);
			backend_fail(n, p->id, CAIRN_ETIMEOUT);
		}
	}
}

int
backend_propose_internal(struct netd *n, uint8_t *irr, size_t len, enum pending_wait wait)
{
	struct pending *p;
	int rc = CAIRN_ETOOBIG;

	CAIRN_ASSERT(wait == PENDING_PUBLISH || wait == PENDING_DROP);
	if (len <= RAFT_PEER_DATA_BYTES_MAX) {
		if ((p = pending_add(&n->pending, NULL, wait)) == NULL)
			rc = CAIRN_ETOOMANYREQ;
		else if ((rc = backend_send_proposal(n, p->id, irr, len)) != 0)
			pending_remove(&n->pending, p);
	}
	free(irr);
	return rc;
}

int
backend_ask_internal(struct netd *n, enum pending_wait wait, const cairn_ipc_Maint *m)
{
	struct pending *p = pending_add(&n->pending, NULL, wait);
	int rc;

	if (p == NULL)
		return CAIRN_ETOOMANYREQ;
	if ((rc = backend_tell(n, p->id, cairn_ipc_IPC_STORED_MAINT_DO, m)) != 0)
		pending_remove(&n->pending, p);
	return rc;
}

int
backend_read(struct gstream *s, uint8_t *irr, size_t len, bool serializable)
{
	return backend_read_as(s, irr, len, serializable, PENDING_RESULT);
}

int
backend_read_as(struct gstream *s, uint8_t *irr, size_t len, bool serializable,
    enum pending_wait then)
{
	struct netd *n = backend_of(s);
	cairn_ipc_Empty e = cairn_ipc_Empty_init_zero;
	int rc;

	CAIRN_ASSERT(then == PENDING_RESULT || then == PENDING_INNER);
	if (len > RAFT_PEER_DATA_BYTES_MAX) {
		free(irr);
		return CAIRN_ETOOBIG;
	}
	if (serializable) {
		if ((rc = backend_wait(s, then)) == 0 &&
		    (rc = backend_send_read(n, s->pending->id, 0, irr, len)) != 0)
			rc = backend_send_failed(n, s, rc);
		free(irr);
		return rc;
	}
	if ((rc = backend_wait(s, PENDING_READ_INDEX)) != 0) {
		free(irr);
		return rc;
	}
	s->pending->then = then;
	free(s->held);
	s->held = irr;
	s->held_len = len;
	rc = chan_send(&n->c->peers[PROC_RAFTD].ch, cairn_ipc_IPC_RAFTD_READ_INDEX_GET,
	    s->pending->id, &e);
	return rc == 0 ? 0 : backend_send_failed(n, s, rc);
}

int
backend_tell(struct netd *n, uint64_t id, unsigned type, const void *body)
{
	return chan_send(&n->c->peers[PROC_STORED].ch, type, id, body);
}

int
backend_ask(struct gstream *s, enum pending_wait wait, unsigned type, const void *body)
{
	struct netd *n = backend_of(s);
	int rc;

	if ((rc = backend_wait(s, wait)) == 0 &&
	    (rc = backend_tell(n, s->pending->id, type, body)) != 0)
		rc = backend_send_failed(n, s, rc);
	return rc;
}

int
backend_ask_raftd(struct gstream *s, enum pending_wait wait, unsigned type, const void *body)
{
	struct netd *n = backend_of(s);
	int rc;

	if ((rc = backend_wait(s, wait)) == 0 &&
	    (rc = chan_send(&n->c->peers[PROC_RAFTD].ch, type, s->pending->id, body)) != 0)
		rc = backend_send_failed(n, s, rc);
	return rc;
}

/* ---- answers ---------------------------------------------------------- */

/* stored's member list, joined from its chunks, for the peer transport. */
static void
backend_on_members(struct netd *n, const cairn_ipc_Result *res)
{
	uint8_t *buf;
	size_t len;

	if (res->code != 0 ||
	    chunks_check(res->data, res->data_count, RAFT_PEER_DATA_BYTES_MAX, &len) != NULL) {
		peers_members(n, res->code != 0 ? (int)res->code : CAIRN_EIO, NULL, 0);
		return;
	}
	buf = xmalloc(len > 0 ? len : 1);
	chunks_join(res->data, res->data_count, buf);
	peers_members(n, 0, buf, len);
	free(buf);
}

void
backend_result(struct netd *n, uint64_t id, const cairn_ipc_Result *res)
{
	struct pending *p = pending_find(&n->pending, id);
	struct gstream *s;
	enum pending_wait wait;
	bool live, more;
	size_t len;

	if (p == NULL || p->wait == PENDING_READ_INDEX || p->wait == PENDING_WATCH ||
	    p->wait == PENDING_INNER_WATCH) {
		log_debug("a result for request %llu, which nobody waits for",
		    (unsigned long long)id);
		return;
	}
	if (p->wait == PENDING_PUBLISH || p->wait == PENDING_DROP) {
		bool publish = p->wait == PENDING_PUBLISH;

		backend_unwait(n, p);
		if (publish)
			publish_result(n, (int)res->code);
		return;
	}
	if (p->wait == PENDING_PEERS) {
		backend_unwait(n, p);
		backend_on_members(n, res);
		return;
	}
	if (p->wait == PENDING_RELAY) {
		lease_relay_served(n, p, res);
		return;
	}
	if (p->wait == PENDING_SNAP_OUT) {
		peer_snap_send_part(n, p, res);
		return;
	}
	if (p->wait == PENDING_SNAP_IN) {
		peer_snap_recv_taken(n, p, res);
		return;
	}
	s = p->stream;
	wait = p->wait;
	live = s != NULL && !s->answered;
	more = wait == PENDING_SNAPSHOT && res->more;
	/* A snapshot's call waits on until its last part. */
	if (!more || !live)
		backend_unwait(n, p);
	if (more && !live) {
		/* Its call ended meanwhile (an error): stored stops sending it. */
		cairn_ipc_Maint m = {.op = cairn_ipc_Maint_Op_SNAPSHOT_STOP};

		if (backend_tell(n, id, cairn_ipc_IPC_STORED_MAINT_DO, &m) != 0)
			log_warnx("cannot tell stored to stop a snapshot");
	}
	if (!live)
		return;
	if (wait == PENDING_AUTH_CHECK) {
		svc_auth_checked(s, (int)res->code);
		return;
	}
	if (wait == PENDING_INNER) {
		inner_answer(s, (int)res->code, res->data, res->data_count);
		return;
	}
	/* An error ends a keep-alive or snapshot stream too, as etcd's does
	 * (a snapshot still waiting is stopped when its stream is freed). */
	if (res->code != 0) {
		grpc_reply_err(s, (int)res->code);
		return;
	}
	if (chunks_check(res->data, res->data_count, RAFT_PEER_DATA_BYTES_MAX, &len) != NULL) {
		grpc_reply_err(s, CAIRN_EIO);
		return;
	}
	switch (wait) {
	case PENDING_KEEPALIVE:
		svc_lease_renewed(s, res->data, res->data_count, len);
		break;
	case PENDING_SNAPSHOT:
		svc_maint_snapshot_part(s, res->data, res->data_count, res->remaining, res->more);
		break;
	case PENDING_AUTH_TOKEN:
		svc_auth_token(s, res->data, res->data_count, len);
		break;
	default:
		grpc_reply_parts(s, res->data, res->data_count, len);
		break;
	}
}

void
backend_fail(struct netd *n, uint64_t id, int code)
{
	struct pending *p = pending_find(&n->pending, id);
	enum pending_wait wait;
	struct gstream *s;

	if (p == NULL)
		return;
	if (p->wait == PENDING_RELAY || p->wait == PENDING_SNAP_OUT || p->wait == PENDING_SNAP_IN) {
		cairn_ipc_Result res = {.code = (uint32_t)(code != 0 ? code : CAIRN_EIO)};

		backend_result(n, id, &res);
		return;
	}
	s = p->stream;
	wait = p->wait;
	backend_unwait(n, p);
	if (wait == PENDING_PUBLISH)
		publish_result(n, code != 0 ? code : CAIRN_EIO);
	else if (s != NULL && !s->answered && wait == PENDING_INNER)
		inner_answer(s, code != 0 ? code : CAIRN_EIO, NULL, 0);
	else if (s != NULL && !s->answered)
		grpc_reply_err(s, code != 0 ? code : CAIRN_EIO);
}

static void
backend_on_read_index(struct netd *n, uint64_t id, const cairn_ipc_RaftReply *rep)
{
	struct pending *p = pending_find(&n->pending, id);
	struct gstream *s;
	int rc;

	if (p == NULL || p->wait != PENDING_READ_INDEX)
		return;
	s = p->stream;
	if (s == NULL || s->answered || rep->code != 0) {
		backend_fail(n, id, (int)rep->code);
		return;
	}
	p->wait = p->then;
	rc = backend_send_read(n, id, rep->index, s->held, s->held_len);
	free(s->held);
	s->held = NULL;
	s->held_len = 0;
	if (rc != 0 && p->wait == PENDING_INNER)
		inner_answer(s, backend_send_failed(n, s, rc), NULL, 0);
	else if (rc != 0)
		grpc_reply_err(s, backend_send_failed(n, s, rc));
}

/* The users whose tokens stored says must go since the last status: the
 * names it lists, or every token when more went than it lists (or stored
 * started again, its count from 0). */
static void
backend_tokens_revoked(struct netd *n, const cairn_ipc_StoreStatus *st)
{
	uint64_t seen = n->store.tokens_revoked, k = st->tokens_revoked - seen;

	if (st->tokens_revoked == seen)
		return;
	if (st->tokens_revoked < seen || k > st->revoked_users_count) {
		tokens_sweep(&n->tokens, 0, true);
		return;
	}
	for (pb_size_t i = st->revoked_users_count - (pb_size_t)k; i < st->revoked_users_count; i++)
		tokens_drop_user(&n->tokens, st->revoked_users[i].bytes, st->revoked_users[i].size);
}

int
backend_frame(struct netd *n, enum cairn_proc from, struct chan_msg *m)
{
	uint64_t id = m->hdr.id;

	switch (m->hdr.type) {
	case cairn_ipc_IPC_NETD_RESULT_SET:
		backend_result(n, id, &m->body.result);
		return 0;
	case cairn_ipc_IPC_NETD_METRICS_SET:
	case cairn_ipc_IPC_NETD_SUPERVISOR_METRICS_SET:
		metrics_take(n, from, &m->body.metrics);
		return 0;
	case cairn_ipc_IPC_NETD_STORE_STATUS_SET:
		/* etcd forgets every simple token when auth is disabled. */
		if (n->store.auth_enabled && !m->body.store.auth_enabled)
			tokens_sweep(&n->tokens, 0, true);
		backend_tokens_revoked(n, &m->body.store);
		n->store = m->body.store;
		peers_members_changed(n, n->store.members_rev);
		return 0;
	case cairn_ipc_IPC_NETD_WATCH_EVENTS: {
		struct pending *p = pending_find(&n->pending, id);

		/* Events still in flight for a watcher cancelled meanwhile. */
		if (p != NULL && p->wait == PENDING_WATCH)
			svc_watch_events(n, p, &m->body.events);
		else if (p != NULL && p->wait == PENDING_INNER_WATCH)
			inner_events(n, p, &m->body.events);
		return 0;
	}
	case cairn_ipc_IPC_NETD_PROPOSAL_FAIL:
		backend_fail(n, id, (int)m->body.reply.code);
		return 0;
	case cairn_ipc_IPC_NETD_READ_INDEX_SET:
		backend_on_read_index(n, id, &m->body.reply);
		return 0;
	case cairn_ipc_IPC_NETD_TRANSFER_SET: {
		struct pending *p = pending_find(&n->pending, id);
		struct gstream *s;

		if (p == NULL || p->wait != PENDING_TRANSFER)
			return 0;
		s = p->stream;
		backend_unwait(n, p);
		if (s != NULL && !s->answered)
			svc_maint_moved(s, (int)m->body.reply.code);
		return 0;
	}
	case cairn_ipc_IPC_CHILD_RAFT_STATUS_SET:
		if (m->body.status.leader != 0 && m->body.status.leader != n->raft.leader)
			n->leader_changes++;
		n->raft = m->body.status;
		peers_poke(n);
		publish_poke(n);
		return 0;
	case cairn_ipc_IPC_NETD_PEER_SEND:
		peers_send(n, &m->body.raft);
		return 0;
	default:
		log_warnx("unexpected %s from %s", ipc_type_name(m->hdr.type), proc_name(from));
		return CAIRN_EPROTO;
	}
}
