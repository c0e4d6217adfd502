/*
 * netd: a snapshot received from the leader, passed to stored part by
 * part (see peer_snap.h).
 */
#include <stdlib.h>

#include <event2/bufferevent.h>
#include <pb_decode.h>

#include "netd/backend.h"
#include "netd/netd.h"
#include "netd/peer.h"
#include "netd/peer_snap.h"
#include "shared/chunks.h"
#include "shared/err.h"
#include "shared/log.h"
#include "shared/xmalloc.h"

/* Forgets the snapshot coming in; a piece stored has not answered is
 * orphaned (its answer finds no one). */
static void
snap_reset(struct peer_in *pi)
{
	struct pending *pe;

	if (pi->snap.asked != 0 && (pe = pending_find(&pi->n->pending, pi->snap.asked)) != NULL)
		pe->ctx = NULL;
	free(pi->snap.part);
	pi->snap = (struct peer_snap_in){0};
}

/* The next piece of the part to stored: at most half this member's
 * ring, so that it fits whatever the leader's part size. */
static const char *
snap_piece(struct peer_in *pi)
{
	struct netd *n = pi->n;
	struct peer_snap_in *s = &pi->snap;
	uint32_t max = n->c->cfg.ring_bytes / 2, left = s->part_len - s->part_off;
	cairn_ipc_SnapshotPart piece = {.offset = s->got, .total = s->total};
	struct pending *pe;
	int rc;

	s->piece = left < max ? left : max;
	if ((pe = pending_add(&n->pending, NULL, PENDING_SNAP_IN)) == NULL)
		return "too many requests in flight to take a snapshot";
	pe->ctx = pi;
	chunks_put(s->part + s->part_off, s->piece, &piece.data, &piece.data_count);
	rc = backend_tell(n, pe->id, cairn_ipc_IPC_STORED_SNAPSHOT_RECV, &piece);
	pb_release(cairn_ipc_SnapshotPart_fields, &piece);
	if (rc != 0) {
		pending_remove(&n->pending, pe);
		return "stored cannot take a snapshot part now";
	}
	s->asked = pe->id;
	return NULL;
}

const char *
peer_snap_recv_part(struct peer_in *pi, const cairn_ipc_SnapshotPart *part)
{
	struct peer_snap_in *s = &pi->snap;
	size_t len;

	if (chunks_check(part->data, part->data_count, RAFT_PEER_SNAP_PART_BYTES_MAX, &len) !=
	    NULL || len == 0)
		return "a malformed snapshot part";
	/* A new snapshot starts at 0 (one cut short before it is dropped). */
	if (part->offset == 0) {
		if (part->total == 0)
			return "an empty snapshot";
		snap_reset(pi);
		s->total = part->total;
		log_info("receiving a snapshot of %llu bytes from member %llx",
		    (unsigned long long)part->total, (unsigned long long)pi->from);
	}
	if (s->total == 0 || part->offset != s->got || part->total != s->total ||
	    len > s->total - s->got)
		return "a snapshot part out of order";
	s->part = xmalloc(len);
	chunks_join(part->data, part->data_count, s->part);
	s->part_len = (uint32_t)len;
	s->part_off = 0;
	s->whole = false;
	/* Nothing more from this member until stored took it all. */
	bufferevent_disable(pi->bev, EV_READ);
	return snap_piece(pi);
}

bool
peer_snap_recv_waiting(const struct peer_in *pi)
{
	return pi->snap.asked != 0;
}

bool
peer_snap_recv_take(struct peer_in *pi)
{
	bool whole = pi->snap.whole;

	snap_reset(pi);
	return whole;
}

void
peer_snap_recv_taken(struct netd *n, struct pending *pe, const cairn_ipc_Result *res)
{
	struct peer_in *pi = pe->ctx;
	struct peer_snap_in *s;
	const char *why;

	pending_remove(&n->pending, pe);
	if (pi == NULL)
		return; /* its connection closed meanwhile */
	s = &pi->snap;
	s->asked = 0;
	if (res->code != 0) {
		log_warnx("stored refused the snapshot from member %llx at byte %llu: %s",
		    (unsigned long long)pi->from, (unsigned long long)s->got,
		    err_str((int)res->code));
		peer_in_close(pi, "its snapshot was refused");
		return;
	}
	s->got += s->piece;
	s->part_off += s->piece;
	if (s->part_off < s->part_len) {
		if ((why = snap_piece(pi)) != NULL)
			peer_in_close(pi, why);
		return;
	}
	free(s->part);
	s->part = NULL;
	if (s->got == s->total) {
		s->whole = true;
		log_info("received a snapshot of %llu bytes from member %llx",
		    (unsigned long long)s->total, (unsigned long long)pi->from);
	}
	peer_in_resume(pi);
}

void
peer_snap_recv_close(struct peer_in *pi)
{
	snap_reset(pi);
}
