/*
 * netd: etcd's Watch service, a bidirectional stream. Each watcher a
 * client creates becomes one of stored's (IPC_STORED_WATCH_CREATE, named
 * by a pending-table id); stored's WatchEvents come back under that id and
 * go out as WatchResponses with the client's watch ID. Behaviour follows
 * etcd 3.4's serverWatchStream: watch IDs picked from 0 up, a start
 * revision of 0 meaning the next one, progress answered with the store's
 * revision, cancel answered at once. A client that does not read (HTTP/2
 * flow control) has its watchers held in stored once WATCH_HOLD_BYTES of
 * answers wait for it, and released once it read them down to
 * WATCH_RELEASE_BYTES: stored keeps their place, not their events, as
 * etcd keeps a slow watcher's (its "victims"). What stored sent before the
 * hold reached it still comes (the ring's worth, or more while netd
 * drains the ring meanwhile): a watch stream takes up to
 * WATCH_OUT_BYTES_MAX waiting; past it (a much larger ring) it ends with
 * ResourceExhausted.
 */
#include <sys/queue.h>
#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>
#include <pb_encode.h>

#include "netd/h2.h"
#include "netd/netd.h"
#include "netd/svc.h"
#include "shared/chunks.h"
#include "shared/log.h"
#include "shared/pbwire.h"
#include "shared/raft_peer.h"
#include "shared/xmalloc.h"

/* Bounds. */
#define WATCHERS_PER_STREAM_MAX 1024
/* A revision's events joined for a client that did not ask for
 * fragments; beyond it the watcher is cancelled. */
#define WATCH_JOIN_BYTES_MAX (64u << 20)
#define WATCH_KEY_BYTES_MAX 4096 /* WatchCreate.key and range_end (ipc.options) */
/* Answers waiting for the client beyond which its watchers are held, and
 * below which they are released. */
#define WATCH_HOLD_BYTES (1u << 20)
#define WATCH_RELEASE_BYTES (256u << 10)
#define WATCH_OUT_BYTES_MAX (16u << 20)

/* etcd's clientv3.InvalidWatchID. */
#define WATCH_ID_INVALID (-1)

struct watcher {
	TAILQ_ENTRY(watcher) entry;
	struct pending *p;          /* its id names it to stored */
	int64_t watch_id;           /* the client's */
	bool fragment;              /* the client takes fragments */
	bool created;               /* stored confirmed it */
	bool id_picked;             /* its ID was the stream's next one */
	struct evbuffer *join;      /* events of a revision in fragments */
};

struct watch_stream {
	TAILQ_HEAD(, watcher) watchers;
	size_t len;
	int64_t next_id;
	bool held;                  /* its watchers are held in stored */
};

/* ---- answers ---------------------------------------------------------- */

static bool
watch_write_events(pb_ostream_t *os, const pb_field_iter_t *field, void *const *arg)
{
	struct evbuffer *ev = *arg;
	size_t len = evbuffer_get_length(ev);

	(void)field;
	/* Already the encoding of field 11 (tags included), from stored. */
	return len == 0 || pb_write(os, evbuffer_pullup(ev, (ssize_t)len), len);
}

/* Sends a WatchResponse; 'events' (may be NULL) is the encoded field 11. */
static void
watch_send(struct gstream *s, etcdserverpb_WatchResponse *r, struct evbuffer *events)
{
	size_t len;
	uint8_t *buf;
	pb_ostream_t os;

	if (events != NULL) {
		r->events.funcs.encode = watch_write_events;
		r->events.arg = events;
	}
	if (!pb_get_encoded_size(&len, etcdserverpb_WatchResponse_fields, r))
		fatalx("cannot size a WatchResponse");
	buf = xmalloc(len > 0 ? len : 1);
	os = pb_ostream_from_buffer(buf, len);
	if (!pb_encode(&os, etcdserverpb_WatchResponse_fields, r))
		fatalx("cannot encode a WatchResponse");
	if (grpc_send_upto(s, buf, len, WATCH_OUT_BYTES_MAX) != 0 && !s->answered)
		/* The client does not read: end the stream rather than drop
		 * events; clients resume from their last revision. */
		grpc_finish(s, GRPC_RESOURCE_EXHAUSTED, err_str(CAIRN_ETOOMANYREQ));
	free(buf);
}

static void
watch_header(const struct gstream *s, etcdserverpb_WatchResponse *r, int64_t rev)
{
	r->has_header = true;
	svc_header(s->n, &r->header);
	r->header.revision = rev;
}

/* ---- watchers ----------------------------------------------------------- */

static void
watcher_free(struct netd *n, struct watch_stream *ws, struct watcher *w, bool tell_stored)
{
	cairn_ipc_Empty e = cairn_ipc_Empty_init_zero;

	if (tell_stored)
		(void)chan_send(&n->c->peers[PROC_STORED].ch, cairn_ipc_IPC_STORED_WATCH_CANCEL,
		    w->p->id, &e);
	pending_remove(&n->pending, w->p);
	TAILQ_REMOVE(&ws->watchers, w, entry);
	ws->len--;
	evbuffer_free(w->join);
	free(w);
}

static int
watcher_hold(struct netd *n, const struct watcher *w, bool hold)
{
	cairn_ipc_WatchHold h = {.hold = hold};

	return chan_send(&n->c->peers[PROC_STORED].ch, cairn_ipc_IPC_STORED_WATCH_HOLD, w->p->id,
	    &h);
}

/* Holds or releases every watcher of the stream (flow control). */
static void
watch_pace(struct gstream *s)
{
	struct watch_stream *ws = s->svc;
	size_t out = evbuffer_get_length(s->out);
	struct watcher *w;
	bool hold;

	if (ws == NULL || s->answered)
		return;
	hold = ws->held ? out >= WATCH_RELEASE_BYTES : out >= WATCH_HOLD_BYTES;
	if (hold != ws->held) {
		bool sent = true;

		TAILQ_FOREACH(w, &ws->watchers, entry)
			sent &= watcher_hold(s->n, w, hold) == 0;
		/* A full ring: all told again at the next answer or read
		 * (holding or releasing twice changes nothing). */
		if (sent)
			ws->held = hold;
	}
	if (ws->held || hold)
		s->want_drain = true; /* told again as the client reads */
}

static struct watcher *
watcher_find(struct watch_stream *ws, int64_t watch_id)
{
	struct watcher *w;

	TAILQ_FOREACH(w, &ws->watchers, entry)
		if (w->watch_id == watch_id)
			return w;
	return NULL;
}

/* etcd's WatchCreateRequest, read by hand: its keys may be long and
 * nanopb would copy them. */
struct watch_create {
	const uint8_t *key, *end;
	size_t key_len, end_len;
	bool end_given;
	int64_t start_revision;
	bool progress_notify, prev_kv, fragment, noput, nodelete;
	int64_t watch_id;
};

static int
watch_filter(struct watch_create *c, uint64_t v)
{
	if (v == 0)
		c->noput = true;
	else if (v == 1)
		c->nodelete = true;
	return 0; /* etcd ignores an unknown filter */
}

static int
watch_create_decode(const uint8_t *p, size_t n, struct watch_create *c)
{
	struct pbw_reader r = {.buf = p, .len = n};
	uint32_t field;
	enum pbw_type type;
	uint64_t v;
	int rc = 0;

	memset(c, 0, sizeof(*c));
	while (rc == 0 && r.off < r.len && (rc = pbw_get_tag(&r, &field, &type)) == 0) {
		if ((field == 1 || field == 2) && type == PBW_LEN) {
			rc = field == 1 ? pbw_get_bytes(&r, &c->key, &c->key_len) :
			    pbw_get_bytes(&r, &c->end, &c->end_len);
			c->end_given |= field == 2;
		} else if (field == 5 && type == PBW_LEN) {
			const uint8_t *f;
			size_t fl;
			struct pbw_reader fr;

			if ((rc = pbw_get_bytes(&r, &f, &fl)) != 0)
				break;
			fr = (struct pbw_reader){.buf = f, .len = fl};
			while (rc == 0 && fr.off < fr.len && (rc = pbw_get_varint(&fr, &v)) == 0)
				rc = watch_filter(c, v);
		} else if (field >= 3 && field <= 8 && type == PBW_VARINT) {
			if ((rc = pbw_get_varint(&r, &v)) != 0)
				break;
			if (field == 3)
				c->start_revision = (int64_t)v;
			else if (field == 4)
				c->progress_notify = v != 0;
			else if (field == 5)
				rc = watch_filter(c, v);
			else if (field == 6)
				c->prev_kv = v != 0;
			else if (field == 7)
				c->watch_id = (int64_t)v;
			else
				c->fragment = v != 0;
		} else {
			rc = pbw_skip(&r, type);
		}
	}
	return rc;
}

/* A create the stream cannot take: etcd's answer, created and cancelled. */
static void
watch_refuse(struct gstream *s, const char *reason)
{
	etcdserverpb_WatchResponse r = etcdserverpb_WatchResponse_init_zero;

	watch_header(s, &r, s->n->store.revision);
	r.watch_id = WATCH_ID_INVALID;
	r.created = true;
	r.canceled = true;
	snprintf(r.cancel_reason, sizeof(r.cancel_reason), "%s", reason);
	watch_send(s, &r, NULL);
}

static int
watch_create(struct gstream *s, struct watch_stream *ws, const uint8_t *msg, size_t len)
{
	struct netd *n = s->n;
	struct watch_create c;
	cairn_ipc_WatchCreate wc = cairn_ipc_WatchCreate_init_zero;
	struct watcher *w;
	struct pending *pd;
	const uint8_t *user;
	size_t ul;

	if (watch_create_decode(msg, len, &c) != 0)
		return CAIRN_EINVAL;
	if (svc_user(s, &user, &ul) != 0) {
		char reason[GRPC_MESSAGE_BYTES_MAX];

		err_grpc_text(CAIRN_EAUTHTOKEN, reason, sizeof(reason));
		watch_refuse(s, reason);
		return 0;
	}
	if (c.key_len > WATCH_KEY_BYTES_MAX || c.end_len > WATCH_KEY_BYTES_MAX) {
		watch_refuse(s, err_str(CAIRN_ETOOBIG));
		return 0;
	}
	/* etcd's ID rules: 0 asks for the next free one; a given one must
	 * be free ("mvcc: duplicate watch ID provided on the WatchStream"). */
	if (c.watch_id == 0) {
		while (watcher_find(ws, ws->next_id) != NULL)
			ws->next_id++;
		c.watch_id = ws->next_id++;
	} else if (watcher_find(ws, c.watch_id) != NULL) {
		watch_refuse(s, "mvcc: duplicate watch ID provided on the WatchStream");
		return 0;
	}
	if (ws->len >= WATCHERS_PER_STREAM_MAX ||
	    (pd = pending_add(&n->pending, s, PENDING_WATCH)) == NULL) {
		watch_refuse(s, err_str(CAIRN_ETOOMANYREQ));
		return 0;
	}
	w = xcalloc(1, sizeof(*w));
	w->p = pd;
	pd->ctx = w;
	w->watch_id = c.watch_id;
	w->id_picked = c.watch_id == ws->next_id - 1;
	w->fragment = c.fragment;
	if ((w->join = evbuffer_new()) == NULL)
		fatalx("evbuffer_new");
	TAILQ_INSERT_TAIL(&ws->watchers, w, entry);
	ws->len++;
	/* etcd: an empty key is "\0"; a range end "\0" is every key from key on. */
	if (c.key_len == 0) {
		wc.key.bytes[0] = 0;
		wc.key.size = 1;
	} else {
		memcpy(wc.key.bytes, c.key, c.key_len);
		wc.key.size = (pb_size_t)c.key_len;
	}
	if (c.end_len > 0)
		memcpy(wc.range_end.bytes, c.end, c.end_len);
	wc.range_end.size = (pb_size_t)c.end_len;
	wc.start_revision = c.start_revision;
	wc.noput = c.noput;
	wc.nodelete = c.nodelete;
	wc.prev_kv = c.prev_kv;
	wc.progress_notify = c.progress_notify;
	if (user != NULL) {
		memcpy(wc.username.bytes, user, ul);
		wc.username.size = (pb_size_t)ul;
		wc.auth_revision = n->store.auth_revision;
	}
	if (chan_send(&n->c->peers[PROC_STORED].ch, cairn_ipc_IPC_STORED_WATCH_CREATE, pd->id,
	    &wc) != 0) {
		watcher_free(n, ws, w, false);
		watch_refuse(s, err_str(CAIRN_ENOLEADER));
		return 0;
	}
	if (ws->held)
		(void)watcher_hold(n, w, true); /* lost to a full ring: the stream's bound */
	return 0;
}

static void
watch_cancel(struct gstream *s, struct watch_stream *ws, int64_t watch_id)
{
	etcdserverpb_WatchResponse r = etcdserverpb_WatchResponse_init_zero;
	struct watcher *w = watcher_find(ws, watch_id);

	/* etcd answers only a cancel of a watcher it has. */
	if (w == NULL)
		return;
	watcher_free(s->n, ws, w, true);
	watch_header(s, &r, s->n->store.revision);
	r.watch_id = watch_id;
	r.canceled = true;
	watch_send(s, &r, NULL);
}

static int
watch_message(struct gstream *s, const uint8_t *msg, size_t len)
{
	struct watch_stream *ws = s->svc;
	struct pbw_reader r = {.buf = msg, .len = len};
	uint32_t field;
	enum pbw_type type;
	const uint8_t *p;
	size_t n;
	uint64_t v[1];

	if (ws == NULL) {
		ws = s->svc = xcalloc(1, sizeof(*ws));
		TAILQ_INIT(&ws->watchers);
	}
	while (r.off < r.len) {
		if (pbw_get_tag(&r, &field, &type) != 0)
			return CAIRN_EINVAL;
		if (type != PBW_LEN || field < 1 || field > 3) {
			if (pbw_skip(&r, type) != 0)
				return CAIRN_EINVAL;
			continue;
		}
		if (pbw_get_bytes(&r, &p, &n) != 0)
			return CAIRN_EINVAL;
		if (field == 1) {
			int rc = watch_create(s, ws, p, n);

			if (rc != 0)
				return rc;
		} else if (field == 2) {
			if (pbw_get_varints(p, n, v, 1) != 0)
				return CAIRN_EINVAL;
			watch_cancel(s, ws, (int64_t)v[0]);
		} else {
			etcdserverpb_WatchResponse resp = etcdserverpb_WatchResponse_init_zero;

			/* etcd 3.4: the store's revision, for every watcher. */
			watch_header(s, &resp, s->n->store.revision);
			resp.watch_id = WATCH_ID_INVALID;
			watch_send(s, &resp, NULL);
		}
	}
	return 0;
}

static void
watch_free(struct gstream *s)
{
	struct watch_stream *ws = s->svc;
	struct watcher *w;

	if (ws == NULL)
		return;
	while ((w = TAILQ_FIRST(&ws->watchers)) != NULL)
		watcher_free(s->n, ws, w, true);
	free(ws);
	s->svc = NULL;
}

const struct grpc_stream_ops svc_watch_ops = {
	.message = watch_message,
	.free = watch_free,
	.drained = watch_pace,
};

/* ---- stored's side ----------------------------------------------------- */

void
svc_watch_events(struct netd *n, struct pending *p, const cairn_ipc_WatchEvents *ev)
{
	struct watcher *w = p->ctx;
	struct gstream *s = p->stream;
	etcdserverpb_WatchResponse r = etcdserverpb_WatchResponse_init_zero;
	size_t len;

	CAIRN_ASSERT(s != NULL);
	if (s->answered)
		return;
	if (chunks_check(ev->events, ev->events_count, RAFT_PEER_DATA_BYTES_MAX, &len) != NULL) {
		log_warnx("watch events from stored in bad chunks");
		return;
	}
	watch_header(s, &r, ev->revision);
	r.watch_id = w->watch_id;
	if (ev->created && ev->refused) {
		/* etcd refuses a watch the user may not read before it picks
		 * an ID: watch ID -1, and the ID is the next one's again. */
		struct watch_stream *ws = s->svc;

		if (w->id_picked && w->watch_id == ws->next_id - 1)
			ws->next_id--;
		watcher_free(n, ws, w, false);
		watch_refuse(s, ev->cancel_reason);
		return;
	}
	if (ev->created) {
		/* etcd's created answer carries the revision at creation. */
		w->created = true;
		r.created = true;
		r.canceled = ev->canceled;
		r.compact_revision = ev->compact_revision;
		snprintf(r.cancel_reason, sizeof(r.cancel_reason), "%s", ev->cancel_reason);
		watch_send(s, &r, NULL);
		if (ev->canceled)
			watcher_free(n, s->svc, w, false);
		return;
	}
	if (len > 0) {
		if (evbuffer_get_length(w->join) + len > WATCH_JOIN_BYTES_MAX) {
			log_warnx("a revision's watch events pass %u bytes: cancelling watcher %lld",
			    WATCH_JOIN_BYTES_MAX, (long long)w->watch_id);
			r.canceled = true;
			snprintf(r.cancel_reason, sizeof(r.cancel_reason), "%s",
			    err_str(CAIRN_ETOOBIG));
			watch_send(s, &r, NULL);
			watcher_free(n, s->svc, w, true);
			return;
		}
		for (pb_size_t i = 0; i < ev->events_count; i++)
			if (evbuffer_add(w->join, ev->events[i]->bytes, ev->events[i]->size) != 0)
				fatalx("evbuffer_add");
	}
	if (ev->fragment && !w->fragment)
		return; /* the rest of the revision comes next */
	r.fragment = ev->fragment;
	r.canceled = ev->canceled;
	r.compact_revision = ev->compact_revision;
	snprintf(r.cancel_reason, sizeof(r.cancel_reason), "%s", ev->cancel_reason);
	watch_send(s, &r, w->join);
	evbuffer_drain(w->join, evbuffer_get_length(w->join));
	watch_pace(s);
	if (ev->canceled)
		watcher_free(n, s->svc, w, false);
}
