/*
 * netd: a snapshot sent to a member that needs it (see peer_snap.h).
 */
#include <event2/buffer.h>
#include <event2/bufferevent.h>

#include "netd/backend.h"
#include "netd/netd.h"
#include "netd/peer.h"
#include "netd/peer_frame.h"
#include "netd/peer_snap.h"
#include "shared/chunks.h"
#include "shared/err.h"
#include "shared/log.h"

void
peer_snap_out_init(struct peer_snap_out *s)
{
	*s = (struct peer_snap_out){.owed = -1};
}

/* raftd hears how the snapshot to p went; owed when its ring is full. */
static void
snap_status(struct peer_out *p, bool ok)
{
	cairn_ipc_SnapshotStatus st = {.to = p->id, .ok = ok};

	p->snap.owed = -1;
	if (chan_send(&p->n->c->peers[PROC_RAFTD].ch, cairn_ipc_IPC_RAFTD_SNAPSHOT_STATUS, 0,
	    &st) != 0) {
		p->snap.owed = ok ? 1 : 0;
		p->n->peers.snap_owed = true;
	}
}

void
peer_snap_status_flush(struct netd *n)
{
	/* Called for every Raft message sent: nothing to do, almost always. */
	if (!n->peers.snap_owed)
		return;
	n->peers.snap_owed = false;
	for (size_t i = 0; i < n->peers.nout; i++)
		if (n->peers.out[i].snap.owed >= 0)
			snap_status(&n->peers.out[i], n->peers.out[i].snap.owed == 1);
}

/* The snapshot under way is over: its call freed, raftd told. */
static void
snap_end(struct peer_out *p, bool ok)
{
	struct netd *n = p->n;
	struct pending *pe = pending_find(&n->pending, p->snap.id);

	if (pe != NULL)
		pending_remove(&n->pending, pe);
	if (p->snap.msg != NULL)
		evbuffer_free(p->snap.msg);
	p->snap.msg = NULL;
	p->snap.id = 0;
	p->snap.total = p->snap.sent = 0;
	p->snap.want_more = false;
	snap_status(p, ok);
}

void
peer_snap_send_abort(struct peer_out *p)
{
	cairn_ipc_Maint m = {.op = cairn_ipc_Maint_Op_SNAPSHOT_STOP};

	if (p->snap.id == 0)
		return;
	log_warnx("the snapshot to member %llx stopped at %llu of %llu bytes",
	    (unsigned long long)p->id, (unsigned long long)p->snap.sent,
	    (unsigned long long)p->snap.total);
	/* stored stops copying; a part already on its way finds no one. */
	if (backend_tell(p->n, p->snap.id, cairn_ipc_IPC_STORED_MAINT_DO, &m) != 0)
		log_warnx("cannot tell stored to stop a snapshot");
	snap_end(p, false);
}

void
peer_snap_send(struct netd *n, struct peer_out *p, const cairn_ipc_RaftMsg *m)
{
	cairn_peer_PeerFrame f = cairn_peer_PeerFrame_init_zero;
	cairn_ipc_Maint ask = {.op = cairn_ipc_Maint_Op_PEER_SNAPSHOT};
	struct pending *pe;

	if (p == NULL) {
		cairn_ipc_SnapshotStatus st = {.to = m->to, .ok = false};

		(void)chan_send(&n->c->peers[PROC_RAFTD].ch, cairn_ipc_IPC_RAFTD_SNAPSHOT_STATUS, 0,
		    &st);
		return;
	}
	if (p->snap.id != 0) {
		log_debug("a snapshot to member %llx is under way: another waits",
		    (unsigned long long)p->id);
		return;
	}
	if (!p->connected) {
		snap_status(p, false);
		return;
	}
	f.has_msg = true;
	f.msg = *m; /* a shallow copy: m keeps its allocations */
	if ((p->snap.msg = evbuffer_new()) == NULL)
		fatalx("evbuffer_new");
	if ((pe = pending_add(&n->pending, NULL, PENDING_SNAP_OUT)) == NULL ||
	    peer_frame_put(p->snap.msg, &f) != 0) {
		log_warnx("cannot send member %llx a snapshot now", (unsigned long long)p->id);
		if (pe != NULL)
			pending_remove(&n->pending, pe);
		evbuffer_free(p->snap.msg);
		p->snap.msg = NULL;
		snap_status(p, false);
		return;
	}
	pe->ctx = p;
	p->snap.id = pe->id;
	if (backend_tell(n, pe->id, cairn_ipc_IPC_STORED_MAINT_DO, &ask) != 0) {
		log_warnx("cannot ask stored for a snapshot");
		snap_end(p, false);
		return;
	}
	log_info("sending member %llx a snapshot at index %llu", (unsigned long long)p->id,
	    (unsigned long long)m->snap.index);
}

/* The next part from stored, once the connection has room. */
static void
snap_more(struct peer_out *p)
{
	cairn_ipc_Maint m = {.op = cairn_ipc_Maint_Op_SNAPSHOT_MORE};

	if (p->bev == NULL)
		return;
	if (evbuffer_get_length(bufferevent_get_output(p->bev)) > PEER_SNAP_OUT_LOW_BYTES) {
		p->snap.want_more = true;
		return;
	}
	p->snap.want_more = false;
	if (backend_tell(p->n, p->snap.id, cairn_ipc_IPC_STORED_MAINT_DO, &m) != 0)
		peer_snap_send_abort(p);
}

void
peer_snap_send_drained(struct peer_out *p)
{
	if (p->snap.id != 0 && p->snap.want_more)
		snap_more(p);
}

void
peer_snap_send_part(struct netd *n, struct pending *pe, const cairn_ipc_Result *res)
{
	struct peer_out *p = pe->ctx;
	cairn_peer_PeerFrame f = cairn_peer_PeerFrame_init_zero;
	struct evbuffer *out;
	const char *why;
	size_t len;

	if (res->code != 0) {
		log_warnx("stored cannot make a snapshot for member %llx: %s",
		    (unsigned long long)p->id, err_str((int)res->code));
		snap_end(p, false);
		return;
	}
	if ((why = chunks_check(res->data, res->data_count, RAFT_PEER_SNAP_PART_BYTES_MAX,
	    &len)) != NULL || len == 0) {
		log_warnx("a snapshot's part from stored: %s", why != NULL ? why : "empty");
		peer_snap_send_abort(p);
		return;
	}
	if (p->snap.sent == 0)
		p->snap.total = len + res->remaining;
	if (p->snap.sent + len + res->remaining != p->snap.total ||
	    (!res->more && res->remaining != 0)) {
		log_warnx("a snapshot from stored changes size");
		peer_snap_send_abort(p);
		return;
	}
	f.has_snap = true;
	f.snap = (cairn_ipc_SnapshotPart){.data = res->data, .data_count = res->data_count,
	    .offset = p->snap.sent, .total = p->snap.total};
	if (peers_send_frame(n, p->id, &f) != 0) {
		peer_snap_send_abort(p);
		return;
	}
	p->snap.sent += len;
	if (res->more) {
		snap_more(p);
		return;
	}
	out = bufferevent_get_output(p->bev);
	p->sent_bytes += evbuffer_get_length(p->snap.msg);
	if (evbuffer_add_buffer(out, p->snap.msg) != 0)
		fatalx("evbuffer_add_buffer");
	log_info("sent member %llx a snapshot of %llu bytes", (unsigned long long)p->id,
	    (unsigned long long)p->snap.total);
	snap_end(p, true);
}
