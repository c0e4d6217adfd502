/*
 * netd: calls served by requests of netd's own (see inner.h): the
 * request in flight answers to the call's next step through the pending
 * table (PENDING_INNER), its watcher's events through PENDING_INNER_WATCH.
 */
#include <stdlib.h>
#include <string.h>

#include "netd/backend.h"
#include "netd/grpc.h"
#include "netd/inner.h"
#include "netd/netd.h"
#include "netd/svc.h"
#include "shared/assert.h"
#include "shared/chunks.h"
#include "shared/log.h"
#include "shared/raft_peer.h"
#include "shared/xmalloc.h"

struct inner *
inner_of(struct gstream *s)
{
	if (s->inner == NULL)
		s->inner = xcalloc(1, sizeof(*s->inner));
	return s->inner;
}

/* Wraps msg as the user's and proposes it, or reads it (a Range); a
 * failure to send goes to next at once. */
static void
inner_send(struct gstream *s, enum req_type field, const struct pbout *msg,
    inner_step_fn *next)
{
	size_t irr_len;
	int rc;
	uint8_t *irr = svc_wrap(s, field, msg->buf, msg->len, &irr_len, &rc);

	CAIRN_ASSERT(s->pending == NULL);
	inner_of(s)->next = next;
	if (irr != NULL)
		rc = field == REQ_RANGE ? backend_read_as(s, irr, irr_len, false, PENDING_INNER) :
		    backend_propose_as(s, irr, irr_len, PENDING_INNER);
	if (rc != 0)
		next(s, rc, NULL, 0);
}

void
inner_propose(struct gstream *s, enum req_type field, const struct pbout *msg,
    inner_step_fn *next)
{
	CAIRN_ASSERT(field != REQ_RANGE);
	inner_send(s, field, msg, next);
}

void
inner_read(struct gstream *s, const struct pbout *range, inner_step_fn *next)
{
	inner_send(s, REQ_RANGE, range, next);
}

int
inner_propose_detached(struct gstream *s, enum req_type field, const struct pbout *msg)
{
	size_t irr_len;
	int rc;
	uint8_t *irr = svc_wrap(s, field, msg->buf, msg->len, &irr_len, &rc);

	return irr == NULL ? rc : backend_propose_internal(s->n, irr, irr_len, PENDING_DROP);
}

void
inner_answer(struct gstream *s, int code, pb_bytes_array_t *const *parts, size_t n)
{
	struct inner *in = s->inner;
	inner_step_fn *next;
	uint8_t *buf;
	size_t len = 0;

	CAIRN_ASSERT(in != NULL);
	CAIRN_ASSERT(in->next != NULL);
	next = in->next;
	in->next = NULL;
	if (code != 0) {
		next(s, code, NULL, 0);
		return;
	}
	if (chunks_check(parts, (pb_size_t)n, RAFT_PEER_DATA_BYTES_MAX, &len) != NULL) {
		next(s, CAIRN_EIO, NULL, 0);
		return;
	}
	buf = xmalloc(len > 0 ? len : 1);
	chunks_join(parts, (pb_size_t)n, buf);
	next(s, 0, buf, len);
	free(buf);
}

/* ---- the call's watcher ------------------------------------------------- */

void
inner_watch(struct gstream *s, const uint8_t *key, size_t klen, const uint8_t *end,
    size_t elen, int64_t rev, inner_events_fn *fn)
{
	struct inner *in = inner_of(s);
	struct netd *n = s->n;
	cairn_ipc_WatchCreate wc = cairn_ipc_WatchCreate_init_zero;
	const uint8_t *user;
	size_t ul;
	int rc;

	inner_unwatch(s);
	in->on_events = fn;
	if (klen == 0 || klen > sizeof(wc.key.bytes) || elen > sizeof(wc.range_end.bytes)) {
		fn(s, klen == 0 ? CAIRN_EKEYEMPTY : CAIRN_ETOOBIG, 0, NULL, 0);
		return;
	}
	if ((rc = svc_user(s, &user, &ul)) != 0) {
		fn(s, rc, 0, NULL, 0);
		return;
	}
	if ((in->watch = pending_add(&n->pending, s, PENDING_INNER_WATCH)) == NULL) {
		fn(s, CAIRN_ETOOMANYREQ, 0, NULL, 0);
		return;
	}
	memcpy(wc.key.bytes, key, klen);
	wc.key.size = (pb_size_t)klen;
	if (elen > 0)
		memcpy(wc.range_end.bytes, end, elen);
	wc.range_end.size = (pb_size_t)elen;
	wc.start_revision = rev;
	if (user != NULL) {
		memcpy(wc.username.bytes, user, ul);
		wc.username.size = (pb_size_t)ul;
		wc.auth_revision = n->store.auth_revision;
	}
	if (chan_send(&n->c->peers[PROC_STORED].ch, cairn_ipc_IPC_STORED_WATCH_CREATE,
	    in->watch->id, &wc) != 0) {
		pending_remove(&n->pending, in->watch);
		in->watch = NULL;
		fn(s, CAIRN_ENOLEADER, 0, NULL, 0);
	}
}

void
inner_unwatch(struct gstream *s)
{
	struct inner *in = s->inner;
	cairn_ipc_Empty e = cairn_ipc_Empty_init_zero;

	if (in == NULL || in->watch == NULL)
		return;
	(void)chan_send(&s->n->c->peers[PROC_STORED].ch, cairn_ipc_IPC_STORED_WATCH_CANCEL,
	    in->watch->id, &e);
	pending_remove(&s->n->pending, in->watch);
	in->watch = NULL;
}

void
inner_events(struct netd *n, struct pending *p, const cairn_ipc_WatchEvents *ev)
{
	struct gstream *s = p->stream;
	struct inner *in;
	uint8_t *buf;
	size_t len;
	int code = 0;

	CAIRN_ASSERT(s != NULL && s->inner != NULL);
	in = s->inner;
	CAIRN_ASSERT(in->watch == p);
	if (s->answered)
		return;
	if (ev->canceled) {
		/* Refused (the user may not read the key) or compacted away. */
		code = ev->refused ? CAIRN_EPERMDENIED :
		    ev->compact_revision != 0 ? CAIRN_ECOMPACTED : CAIRN_EIO;
		pending_remove(&n->pending, p);
		in->watch = NULL;
		in->on_events(s, code, ev->revision, NULL, 0);
		return;
	}
	if (ev->created || ev->events_count == 0)
		return; /* created, or a progress notification */
	if (chunks_check(ev->events, ev->events_count, RAFT_PEER_DATA_BYTES_MAX, &len) != NULL) {
		log_warnx("watch events from stored in bad chunks");
		return;
	}
	buf = xmalloc(len);
	chunks_join(ev->events, ev->events_count, buf);
	in->on_events(s, 0, ev->revision, buf, len);
	free(buf);
}

void
inner_free(struct gstream *s)
{
	struct inner *in = s->inner;

	if (in == NULL)
		return;
	inner_unwatch(s);
	if (in->ctx_free != NULL)
		in->ctx_free(s, in->ctx);
	free(in);
	s->inner = NULL;
}
