/*
 * netd: etcd's Maintenance.Snapshot, a server stream. stored's snapshot
 * (stored/snapshot.h: it ends with its SHA-256 and is sized as etcdctl
 * checks) goes out as etcd's SnapshotResponses: the data in blobs of
 * 32 KiB, each with the bytes left after it (the SHA-256 not counted),
 * then the SHA-256 alone, with 0 left. stored sends a part of 1 MiB when
 * netd asks; netd asks for the next once the client has read the answer
 * down to SNAP_OUT_LOW_BYTES, so a slow client holds 2 MiB at most.
 */
#include <stdlib.h>

#include <event2/buffer.h>

#include "netd/backend.h"
#include "netd/h2.h"
#include "netd/netd.h"
#include "netd/svc.h"
#include "shared/log.h"
#include "shared/pbwire.h"
#include "shared/xmalloc.h"

#define SNAP_BLOB_BYTES (32u << 10)     /* etcd's snapshotSendBufferSize */
#define SNAP_OUT_LOW_BYTES (1u << 20)
#define SNAP_SHA256_BYTES 32
/* SnapshotResponse: remaining_bytes (2), blob (3). */
#define SNAP_RESP_REMAINING 2
#define SNAP_RESP_BLOB 3

struct snap_stream {
	uint64_t total;             /* the snapshot's bytes, SHA-256 included */
	uint64_t sent;              /* ... sent as blobs */
	struct evbuffer *held;      /* received, not yet a whole blob */
	uint8_t *msg;               /* one SnapshotResponse being made */
};

static int
snap_message(struct gstream *s, const uint8_t *msg, size_t len)
{
	etcdserverpb_SnapshotRequest req = etcdserverpb_SnapshotRequest_init_zero;
	cairn_ipc_Maint m = {.op = cairn_ipc_Maint_Op_SNAPSHOT};
	struct snap_stream *ss;
	int rc;

	if (s->svc != NULL)
		return 0; /* grpc-go reads the one request of a server stream */
	if (svc_decode(s, etcdserverpb_SnapshotRequest_fields, &req, msg, len) != 0)
		return 0;
	if ((rc = svc_maint_user(s, &m)) != 0)
		return rc;
	s->svc = ss = xcalloc(1, sizeof(*ss));
	if ((ss->held = evbuffer_new()) == NULL)
		fatalx("evbuffer_new");
	ss->msg = xmalloc(SNAP_BLOB_BYTES + 2 * (1 + PBW_VARINT_BYTES_MAX));
	return backend_ask(s, PENDING_SNAPSHOT, cairn_ipc_IPC_STORED_MAINT_DO, &m);
}

/* A client that ends its side without a request: grpc-go's answer. */
static void
snap_end(struct gstream *s)
{
	if (s->svc == NULL)
		grpc_reply_status(s, GRPC_UNKNOWN, "EOF");
}

static void
snap_free(struct gstream *s)
{
	struct snap_stream *ss = s->svc;
	cairn_ipc_Maint m = {.op = cairn_ipc_Maint_Op_SNAPSHOT_STOP};

	if (ss == NULL)
		return;
	/* A snapshot still coming: stored stops sending it, and no answer
	 * comes for its id (a part already on its way finds no one). */
	if (s->pending != NULL) {
		if (backend_tell(s->n, s->pending->id, cairn_ipc_IPC_STORED_MAINT_DO,
		    &m) != 0)
			log_warnx("cannot tell stored to stop a snapshot");
		pending_remove(&s->n->pending, s->pending);
		s->pending = NULL;
	}
	evbuffer_free(ss->held);
	free(ss->msg);
	free(ss);
	s->svc = NULL;
}

/* Asks stored for the next part once the client has read enough. */
static void
snap_more(struct gstream *s)
{
	cairn_ipc_Maint m = {.op = cairn_ipc_Maint_Op_SNAPSHOT_MORE};

	if (s->pending == NULL || s->answered)
		return;
	if (evbuffer_get_length(s->out) >= SNAP_OUT_LOW_BYTES) {
		s->want_drain = true;
		return;
	}
	if (backend_tell(s->n, s->pending->id, cairn_ipc_IPC_STORED_MAINT_DO, &m) != 0)
		grpc_reply_err(s, CAIRN_ETOOMANYREQ);
}

const struct grpc_stream_ops svc_maint_snapshot_ops = {
	.message = snap_message,
	.end = snap_end,
	.free = snap_free,
	.drained = snap_more,
};

/* Sends one SnapshotResponse of n held bytes. */
static void
snap_send(struct gstream *s, struct snap_stream *ss, size_t n, uint64_t remaining)
{
	size_t len = 0;

	if (remaining > 0) {
		len += pbw_put_varint(ss->msg + len, PBW_TAG(SNAP_RESP_REMAINING, PBW_VARINT));
		len += pbw_put_varint(ss->msg + len, remaining);
	}
	len += pbw_put_varint(ss->msg + len, PBW_TAG(SNAP_RESP_BLOB, PBW_LEN));
	len += pbw_put_varint(ss->msg + len, n);
	if (evbuffer_remove(ss->held, ss->msg + len, n) != (int)n)
		fatalx("evbuffer_remove");
	/* Cannot fail: netd asks for a part only while the answer is short. */
	(void)grpc_send(s, ss->msg, len + n);
}

void
svc_maint_snapshot_part(struct gstream *s, pb_bytes_array_t *const *parts, size_t n,
    uint64_t remaining, bool more)
{
	struct snap_stream *ss = s->svc;
	uint64_t data;

	for (size_t i = 0; i < n; i++)
		if (evbuffer_add(ss->held, parts[i]->bytes, parts[i]->size) != 0)
			fatalx("evbuffer_add");
	if (ss->total == 0)
		ss->total = ss->sent + evbuffer_get_length(ss->held) + remaining;
	if (ss->total < SNAP_SHA256_BYTES) {
		grpc_reply_err(s, CAIRN_EIO);
		return;
	}
	data = ss->total - SNAP_SHA256_BYTES;
	while (ss->sent < data) {
		size_t want = data - ss->sent < SNAP_BLOB_BYTES ? (size_t)(data - ss->sent) :
		    SNAP_BLOB_BYTES;

		if (evbuffer_get_length(ss->held) < want)
			break;
		ss->sent += want;
		snap_send(s, ss, want, data - ss->sent);
	}
	if (more) {
		snap_more(s);
		return;
	}
	if (ss->sent != data || evbuffer_get_length(ss->held) != SNAP_SHA256_BYTES) {
		log_warnx("a snapshot from stored ends short or long");
		grpc_reply_err(s, CAIRN_EIO);
		return;
	}
	snap_send(s, ss, SNAP_SHA256_BYTES, 0);
	grpc_finish(s, GRPC_OK, "");
}
