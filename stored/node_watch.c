/*
 * stored: watchers over the channel to netd (see node_watch.h).
 */
#include <stdlib.h>
#include <string.h>

#include <pb_decode.h>

#include "stored/node_apply.h"
#include "stored/node_watch.h"
#include "stored/watch.h"
#include "shared/chan.h"
#include "shared/chunks.h"
#include "shared/err.h"
#include "shared/log.h"
#include "shared/pbwire.h"

#define EVENT_TYPE 1
#define EVENT_KV 2
#define EVENT_PREV_KV 3
#define RESPONSE_EVENTS 11

static struct chan *
netd_chan(struct stored_node *n)
{
	return &n->child->peers[PROC_NETD].ch;
}

static int
send_events(struct stored_node *n, uint64_t id, const cairn_ipc_WatchEvents *base,
    const uint8_t *evs, size_t len)
{
	cairn_ipc_WatchEvents pb = *base;
	int rc;

	if (!chan_is_open(netd_chan(n)))
		return CAIRN_EAGAIN;
	chunks_put(evs, (uint32_t)len, &pb.events, &pb.events_count);
	rc = chan_send(netd_chan(n), cairn_ipc_IPC_NETD_WATCH_EVENTS, id, &pb);
	pb_release(cairn_ipc_WatchEvents_fields, &pb);
	if (rc == CAIRN_ETOOBIG)
		log_warnx("watcher %llx: events of %zu bytes do not fit the ring to netd",
		    (unsigned long long)id, len);
	return rc;
}

/* One event as mvccpb.Event, into one. */
static void
event_out(struct spb *one, const struct watch_event *e)
{
	spb_reset(one);
	spb_varint(one, EVENT_TYPE, (uint64_t)e->type);
	spb_kv(one, EVENT_KV, &e->kv, false);
	if (e->has_prev)
		spb_kv(one, EVENT_PREV_KV, &e->prev, false);
}

/* The hub's sink: frames of at most STORED_WATCH_FRAME_BYTES (or
 * stored_frame_bytes, for a small ring), split between events (an event
 * larger goes alone); a revision split across frames has "fragment" on all
 * but its last. What a full ring refuses is taken again later, from the
 * first event not taken. */
static int
watch_sink(void *arg, uint64_t id, int64_t rev, const struct watch_event *ev, size_t cnt,
    int64_t compact_rev, size_t *taken)
{
	struct stored_node *n = arg;
	cairn_ipc_WatchEvents base = {.revision = rev, .compact_revision = compact_rev,
	    .canceled = compact_rev != 0};
	struct spb *list = &n->watch_list, *one = &n->watch_one;
	size_t max = stored_frame_bytes(n) < STORED_WATCH_FRAME_BYTES ? stored_frame_bytes(n) :
	    STORED_WATCH_FRAME_BYTES;
	int rc;

	*taken = 0;
	if (cnt == 0)
		return send_events(n, id, &base, NULL, 0);
	spb_reset(list);
	for (size_t i = 0; i < cnt; i++) {
		event_out(one, &ev[i]);
		/* The frame would be full: send the events so far. */
		if (i > 0 && list->len + one->len + PBW_VARINT_BYTES_MAX + 1 > max) {
			base.fragment = ev[i].kv.mod_rev == ev[i - 1].kv.mod_rev;
			if ((rc = send_events(n, id, &base, list->buf, list->len)) != 0)
				return rc;
			*taken = i;
			spb_reset(list);
		}
		spb_bytes(list, RESPONSE_EVENTS, one->buf, one->len, true);
	}
	base.fragment = false;
	if ((rc = send_events(n, id, &base, list->buf, list->len)) != 0)
		return rc;
	*taken = cnt;
	return 0;
}

static void
watch_sync(evutil_socket_t fd, short what, void *arg)
{
	struct stored_node *n = arg;
	bool pending;
	struct timeval tv = {0, STORED_WATCH_SYNC_PAUSE_MS * 1000};

	(void)fd;
	(void)what;
	if (watch_sync_step(n->watch, &pending) != 0)
		fatalx("watchers cannot read the store");
	if (pending)
		event_add(n->watch_sync_ev, &tv);
}

static void
watch_progress_tick(evutil_socket_t fd, short what, void *arg)
{
	struct stored_node *n = arg;

	(void)fd;
	(void)what;
	(void)watch_progress(n->watch, 0);
}

static void
watch_sync_soon(struct stored_node *n)
{
	struct timeval tv = {0, 0};

	if (!event_pending(n->watch_sync_ev, EV_TIMEOUT, NULL))
		event_add(n->watch_sync_ev, &tv);
}

int
stored_watch_start(struct stored_node *n)
{
	struct timeval tv = {STORED_WATCH_PROGRESS_MS / 1000, 0};

	n->watch = watch_hub_new(&n->store, watch_sink, n);
	spb_init(&n->watch_list);
	spb_init(&n->watch_one);
	n->watch_sync_ev = event_new(n->child->base, -1, 0, watch_sync, n);
	n->watch_progress_ev = event_new(n->child->base, -1, EV_PERSIST, watch_progress_tick, n);
	if (n->watch_sync_ev == NULL || n->watch_progress_ev == NULL ||
	    event_add(n->watch_progress_ev, &tv) == -1)
		fatalx("cannot start the watchers' timers");
	return 0;
}

void
stored_watch_stop(struct stored_node *n)
{
	if (n->watch_sync_ev != NULL)
		event_free(n->watch_sync_ev);
	if (n->watch_progress_ev != NULL)
		event_free(n->watch_progress_ev);
	watch_hub_free(n->watch);
	n->watch = NULL;
	spb_free(&n->watch_list);
	spb_free(&n->watch_one);
}

void
stored_watch_restore(struct stored_node *n)
{
	watch_restore(n->watch);
	watch_sync_soon(n);
}

void
stored_watch_reset(struct stored_node *n)
{
	if (n->watch != NULL)
		watch_cancel_all(n->watch);
}

void
stored_watch_notify(struct stored_node *n)
{
	if (n->watch != NULL && watch_notify(n->watch) != 0)
		fatalx("watchers cannot read the store");
	watch_sync_soon(n);
}

/* Created (or refused) comes first, on the same ring as the events.
 * 'auth' is the permission check's refusal, if any (etcd's texts). */
static int
watch_created(struct stored_node *n, uint64_t id, int rc, int auth)
{
	cairn_ipc_WatchEvents pb = {.revision = n->store.rev, .created = true,
	    .canceled = rc != 0 || auth != 0, .refused = auth != 0};

	if (auth != 0)
		err_grpc_text(auth, pb.cancel_reason, sizeof(pb.cancel_reason));
	else if (rc != 0)
		snprintf(pb.cancel_reason, sizeof(pb.cancel_reason), "%s", rc == CAIRN_EAGAIN ?
		    "too many watchers" : "duplicate watch id");
	if (chan_send(netd_chan(n), cairn_ipc_IPC_NETD_WATCH_EVENTS, id, &pb) != 0) {
		/* Without its created notice netd would wait forever: none. */
		if (rc == 0)
			(void)watch_cancel(n->watch, id);
		log_warnx("cannot tell netd of watcher %llx", (unsigned long long)id);
	}
	return 0;
}

int
stored_watch_frame(struct stored_node *n, const struct chan_msg *m)
{
	const cairn_ipc_WatchCreate *c = &m->body.watch;
	struct req_bytes user = {.p = c->username.bytes, .n = c->username.size};
	struct watch_req r;
	int auth;

	switch (m->hdr.type) {
	case cairn_ipc_IPC_STORED_WATCH_CREATE:
		r = (struct watch_req){.id = m->hdr.id, .key = c->key.bytes, .key_len = c->key.size,
		    .end = c->range_end.bytes, .end_len = c->range_end.size,
		    .start_rev = c->start_revision, .noput = c->noput, .nodelete = c->nodelete,
		    .prev_kv = c->prev_kv, .progress_notify = c->progress_notify};
		/* etcd's isWatchPermitted: read permission on the range. */
		auth = auth_check_op(&n->apply.auth, NULL, user, c->auth_revision, AUTH_PERM_READ,
		    (struct req_bytes){.p = c->key.bytes, .n = c->key.size},
		    (struct req_bytes){.p = c->range_end.bytes, .n = c->range_end.size});
		if (auth == CAIRN_EIO || auth == CAIRN_ECORRUPT)
			fatalx("the store failed a permission check: %s", err_str(auth));
		if (auth != 0) {
			watch_created(n, m->hdr.id, 0, auth);
			return 0;
		}
		watch_created(n, m->hdr.id, watch_create(n->watch, &r), 0);
		watch_sync_soon(n);
		return 0;
	case cairn_ipc_IPC_STORED_WATCH_CANCEL:
		(void)watch_cancel(n->watch, m->hdr.id);
		return 0;
	case cairn_ipc_IPC_STORED_WATCH_PROGRESS:
		return watch_progress(n->watch, m->hdr.id);
	case cairn_ipc_IPC_STORED_WATCH_HOLD:
		(void)watch_hold(n->watch, m->hdr.id, m->body.hold.hold);
		if (!m->body.hold.hold)
			watch_sync_soon(n);
		return 0;
	default:
		return CAIRN_EPROTO;
	}
}
