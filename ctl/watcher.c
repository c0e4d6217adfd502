/*
 * cairnctl: clientv3's watcher (clientv3/watch.go) on one Watch stream of
 * the client's connection: watches created one at a time, answers sent to
 * their watch by ID, progress notifications to all, the stream opened
 * again when it breaks (watches resumed where they were), and its end for
 * good ending every watch with the error.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/queue.h>

#include <event2/event.h>

#include "ctl/ctl.h"
#include "ctl/watcher.h"
#include "shared/assert.h"
#include "shared/xmalloc.h"

/* clientv3's backoff before opening a stream again after UNAVAILABLE:
 * from 1 ms, +25% each time, at most 100 ms. */
#define WATCHER_BACKOFF_US_MIN 1000
#define WATCHER_BACKOFF_US_MAX 100000
/* Watch IDs a cancel request was sent for (clientv3's cancelSet). */
#define WATCHER_CANCELS_MAX 256
/* clientv3.InvalidWatchID. */
#define WATCHER_INVALID_ID (-1)
/* gRPC's FAILED_PRECONDITION, the code clientv3 gives a cancel reason. */
#define WATCHER_FAILED_PRECONDITION 9

/* WatchRequest's, WatchCreateRequest's and WatchCancelRequest's fields. */
enum {
	WREQ_CREATE = 1, WREQ_CANCEL = 2, WREQ_PROGRESS = 3,
	WCREATE_KEY = 1, WCREATE_END = 2, WCREATE_REV = 3, WCREATE_PREV_KV = 6,
	WCANCEL_ID = 1,
	HDR_REVISION = 3, KV_MOD = 3,
};

struct watcher_sub {
	TAILQ_ENTRY(watcher_sub) entry;
	struct watcher *w;
	uint8_t *key, *end;            /* owned */
	size_t klen, elen;
	int64_t rev;                   /* clientv3's initReq.rev: where to resume */
	bool prev_kv;
	int64_t id;                    /* WATCHER_INVALID_ID while resuming */
	bool returned;                 /* clientv3's Watch has returned */
	bool dead;                     /* cancelled while its creation is asked */
	watcher_resp_fn *resp;
	watcher_end_fn *end_fn;
	void *arg;
};

TAILQ_HEAD(watcher_subs, watcher_sub);

struct watcher {
	struct gc_stream *st;          /* NULL while none is open */
	struct watcher_subs resuming;  /* waiting for "created", in order */
	struct watcher_subs active;    /* created, by ID */
	bool create_sent;              /* the first resuming's request is out */
	bool want_stream;              /* a progress request waits for a stream */
	unsigned stream_flags;         /* GC_STREAM_REQUIRE_LEADER or 0 */
	bool dropping;                 /* st is being cancelled by us */
	struct event *timer;           /* owned: open again, or close when idle */
	int64_t backoff_us;
	int64_t cancels[WATCHER_CANCELS_MAX];
	size_t ncancels;
};

static void watcher_open(struct watcher *w);

size_t
watcher_prefix_end(const char *key, size_t klen, char *end)
{
	if (klen > 0)
		memcpy(end, key, klen);
	for (size_t i = klen; i > 0; i--) {
		if ((unsigned char)end[i - 1] < 0xff) {
			end[i - 1]++;
			return i;
		}
	}
	end[0] = '\0';
	return 1;
}

int64_t
watcher_header_revision(struct pbv msg)
{
	return (int64_t)pbv_varint(pbv_bytes(msg, WATCHER_RESP_HEADER), HDR_REVISION);
}

static void
watcher_send(struct watcher *w, const struct pbout *req)
{
	/* A failed send is only logged at debug level by clientv3. */
	if (w->st != NULL)
		(void)gc_stream_send(w->st, req->buf, req->len);
}

/* The creation request of the first watch waiting for one. */
static void
watcher_send_create(struct watcher *w)
{
	struct watcher_sub *ws = TAILQ_FIRST(&w->resuming);
	struct pbout req = { 0 }, c = { 0 };

	if (w->st == NULL || w->create_sent || ws == NULL)
		return;
	if (ws->klen > 0)
		pbout_bytes(&c, WCREATE_KEY, ws->key, ws->klen);
	if (ws->elen > 0)
		pbout_bytes(&c, WCREATE_END, ws->end, ws->elen);
	if (ws->rev != 0)
		pbout_varint(&c, WCREATE_REV, (uint64_t)ws->rev);
	if (ws->prev_kv)
		pbout_varint(&c, WCREATE_PREV_KV, 1);
	pbout_msg(&req, WREQ_CREATE, &c);
	watcher_send(w, &req);
	w->create_sent = true;
	pbout_close(&c);
	pbout_close(&req);
}

static bool
watcher_cancel_sent(struct watcher *w, int64_t id)
{
	for (size_t i = 0; i < w->ncancels; i++)
		if (w->cancels[i] == id)
			return true;
	return false;
}

static void
watcher_cancel_forget(struct watcher *w, int64_t id)
{
	for (size_t i = 0; i < w->ncancels; i++) {
		if (w->cancels[i] == id) {
			w->cancels[i] = w->cancels[--w->ncancels];
			return;
		}
	}
}

/* A cancel request for watch id (clientv3 adds it to its cancelSet). */
static void
watcher_send_cancel(struct watcher *w, int64_t id)
{
	struct pbout req = { 0 }, c = { 0 };

	if (!watcher_cancel_sent(w, id) && w->ncancels < WATCHER_CANCELS_MAX)
		w->cancels[w->ncancels++] = id;
	if (id != 0)
		pbout_varint(&c, WCANCEL_ID, (uint64_t)id);
	pbout_msg(&req, WREQ_CANCEL, &c);
	watcher_send(w, &req);
	pbout_close(&c);
	pbout_close(&req);
}

static void
watcher_sub_free(struct watcher_sub *ws)
{
	free(ws->key);
	free(ws->end);
	free(ws);
}

/* Acts later, outside the stream's callbacks: opens the stream, or
 * closes one no watch uses (clientv3's run returns then). */
static void
watcher_kick(struct watcher *w, int64_t after_us)
{
	struct timeval tv = { after_us / 1000000, after_us % 1000000 };

	evtimer_add(w->timer, &tv);
}

static bool
watcher_idle(const struct watcher *w)
{
	return TAILQ_EMPTY(&w->resuming) && TAILQ_EMPTY(&w->active) && !w->want_stream;
}

/* ws's channel closes: out of its list, its end runs, it is freed. */
static void
watcher_close_sub(struct watcher_sub *ws, struct watcher_subs *list)
{
	struct watcher *w = ws->w;

	TAILQ_REMOVE(list, ws, entry);
	ws->returned = true;
	if (ws->end_fn != NULL)
		ws->end_fn(ws->arg);
	watcher_sub_free(ws);
	if (watcher_idle(w))
		watcher_kick(w, 0);
}

/* clientv3's WatchResponse.Err() of a server's answer. */
static const char *
watcher_resp_err(const struct watcher_resp *r, struct pbv reason, char *buf, size_t cap)
{
	char text[GC_MESSAGE_BYTES_MAX];

	if (r->compact_revision != 0)
		return "etcdserver: mvcc: required revision has been compacted";
	if (!r->canceled)
		return "";
	if (reason.n == 0)
		return "etcdserver: mvcc: required revision is a future revision";
	snprintf(text, sizeof(text), "%.*s", (int)reason.n, (const char *)reason.p);
	client_error_text(WATCHER_FAILED_PRECONDITION, text, buf, cap);
	return buf;
}

/* The answer clientv3 makes itself when the stream failed (closeErr),
 * then the channel's close. */
static void
watcher_close_with(struct watcher_sub *ws, struct watcher_subs *list, const char *err)
{
	struct watcher_resp r = { .synthetic = true, .canceled = true, .err = err };

	ws->returned = true;
	if (!ws->dead && ws->resp != NULL)
		ws->resp(ws->arg, &r);
	watcher_close_sub(ws, list);
}

/* One answer to ws's channel (serveSubstream), and its close when the
 * answer carries an error. */
static void
watcher_deliver(struct watcher_sub *ws, struct pbv msg)
{
	char buf[WATCHER_ERR_BYTES_MAX];
	struct watcher_resp r = { .msg = msg };
	size_t off = 0, nev = 0;
	struct pbv ev, last = { 0 };

	r.created = pbv_varint(msg, WATCHER_RESP_CREATED) != 0;
	r.canceled = pbv_varint(msg, WATCHER_RESP_CANCELED) != 0;
	r.compact_revision = (int64_t)pbv_varint(msg, WATCHER_RESP_COMPACT);
	while (pbv_next(msg, WATCHER_RESP_EVENTS, &off, &ev)) {
		last = ev;
		nev++;
	}
	r.progress = nev == 0 && !r.canceled && !r.created && r.compact_revision == 0 &&
	    watcher_header_revision(msg) != 0;
	r.err = watcher_resp_err(&r, pbv_bytes(msg, WATCHER_RESP_REASON), buf, sizeof(buf));
	if (!r.created)
		ws->rev = watcher_header_revision(msg);
	if (nev > 0)
		ws->rev = (int64_t)pbv_varint(pbv_bytes(last, WATCHER_EV_KV), KV_MOD) + 1;
	ws->resp(ws->arg, &r);
	if (r.err[0] != '\0') {
		if (ws->id != WATCHER_INVALID_ID)
			watcher_send_cancel(ws->w, ws->id);
		watcher_close_sub(ws, &ws->w->active);
	}
}

static struct watcher_sub *
watcher_by_id(struct watcher *w, int64_t id)
{
	struct watcher_sub *ws;

	TAILQ_FOREACH(ws, &w->active, entry)
		if (ws->id == id)
			return ws;
	return NULL;
}

/* The server created (or refused) the first watch waiting. */
static void
watcher_created(struct watcher *w, struct pbv msg, int64_t id)
{
	struct watcher_sub *ws = TAILQ_FIRST(&w->resuming);
	struct pbv reason = pbv_bytes(msg, WATCHER_RESP_REASON);
	bool canceled = pbv_varint(msg, WATCHER_RESP_CANCELED) != 0;
	char text[GC_MESSAGE_BYTES_MAX];

	w->create_sent = false;
	snprintf(text, sizeof(text), "%.*s", (int)reason.n, (const char *)reason.p);
	/* clientv3's shouldRetryWatch: a token to renew, the stream anew. */
	if (strcmp(text, "etcdserver: invalid auth token") == 0 ||
	    strcmp(text, "etcdserver: revision of auth store is old") == 0) {
		w->dropping = true;
		watcher_kick(w, 0);
		return;
	}
	if (ws == NULL) {
		/* clientv3 drops an answer for a watch gone meanwhile. */
	} else if (ws->dead) {
		TAILQ_REMOVE(&w->resuming, ws, entry);
		if (id != WATCHER_INVALID_ID && !canceled)
			watcher_send_cancel(w, id);
		watcher_sub_free(ws);
		if (watcher_idle(w))
			watcher_kick(w, 0);
	} else if (id == WATCHER_INVALID_ID || (canceled && reason.n > 0)) {
		/* Refused (permission denied): the reason is its closeErr. */
		watcher_close_with(ws, &w->resuming, text);
	} else {
		TAILQ_REMOVE(&w->resuming, ws, entry);
		ws->id = id;
		if (!ws->returned && ws->rev == 0)
			ws->rev = watcher_header_revision(msg);
		ws->returned = true;
		TAILQ_INSERT_TAIL(&w->active, ws, entry);
	}
	watcher_send_create(w);
}

/* One WatchResponse from the server (clientv3's run loop). */
static void
watcher_msg(void *arg, struct gc_stream *s, const uint8_t *p, size_t n)
{
	struct watcher *w = arg;
	struct pbv msg = pbv_of(p, n);
	int64_t id = (int64_t)pbv_varint(msg, WATCHER_RESP_ID);
	bool canceled = pbv_varint(msg, WATCHER_RESP_CANCELED) != 0;
	struct watcher_sub *ws, *next;

	(void)s;
	if (w->dropping)
		return;
	if (pbv_varint(msg, WATCHER_RESP_CREATED) != 0) {
		watcher_created(w, msg, id);
		return;
	}
	if (canceled && pbv_varint(msg, WATCHER_RESP_COMPACT) == 0) {
		watcher_cancel_forget(w, id);
		if ((ws = watcher_by_id(w, id)) != NULL)
			watcher_close_sub(ws, &w->active);
		return;
	}
	if (pbv_count(msg, WATCHER_RESP_EVENTS) == 0 && !canceled &&
	    pbv_varint(msg, WATCHER_RESP_COMPACT) == 0 && watcher_header_revision(msg) != 0 &&
	    id == WATCHER_INVALID_ID) {
		/* A progress notification for every watch. */
		for (ws = TAILQ_FIRST(&w->active); ws != NULL; ws = next) {
			next = TAILQ_NEXT(ws, entry);
			watcher_deliver(ws, msg);
		}
		return;
	}
	if ((ws = watcher_by_id(w, id)) != NULL) {
		watcher_deliver(ws, msg);
		return;
	}
	if (!watcher_cancel_sent(w, id))
		watcher_send_cancel(w, id);
}

/* Every watch ends with err (the stream's end for good: closeErr). */
static void
watcher_halt(struct watcher *w, const char *err)
{
	struct watcher_sub *ws;

	while ((ws = TAILQ_FIRST(&w->active)) != NULL)
		watcher_close_with(ws, &w->active, err);
	while ((ws = TAILQ_FIRST(&w->resuming)) != NULL)
		watcher_close_with(ws, &w->resuming, err);
}

static void
watcher_end(void *arg, struct gc_stream *s, const struct gc_result *r)
{
	struct watcher *w = arg;
	char err[WATCHER_ERR_BYTES_MAX];
	bool retry;

	(void)s;
	w->st = NULL;
	w->create_sent = false;
	if (w->dropping) {
		w->dropping = false;
		if (!watcher_idle(w))
			watcher_kick(w, 0);
		return;
	}
	if (r->status == GC_CANCELLED && strcmp(r->message, "grpc: the client connection is "
	    "closing") == 0)
		return;
	/* clientv3's isHaltErr: UNAVAILABLE and INTERNAL are tried again (so
	 * is a stream that found no connection: grpc waits for one), except
	 * a lost leader; a clean end (io.EOF) is one for good. */
	retry = r->status == GC_UNAVAILABLE || r->status == GC_INTERNAL ||
	    (r->status == GC_DEADLINE_EXCEEDED && strstr(r->message, "no connection") != NULL);
	if (strcmp(r->message, "etcdserver: no leader") == 0)
		retry = false;
	if (!retry) {
		if (r->status == GC_OK)
			snprintf(err, sizeof(err), "EOF");
		else
			client_error_text(r->status, r->message, err, sizeof(err));
		watcher_halt(w, err);
		return;
	}
	if (r->status == GC_UNAVAILABLE) {
		w->backoff_us += w->backoff_us / 4;
		if (w->backoff_us > WATCHER_BACKOFF_US_MAX)
			w->backoff_us = WATCHER_BACKOFF_US_MAX;
		watcher_kick(w, w->backoff_us);
	} else {
		watcher_kick(w, 0);
	}
}

/* clientv3's newWatchClient: created watches wait to be created again
 * (from the revision after the last they saw), and a stream opens. */
static void
watcher_open(struct watcher *w)
{
	char err[WATCHER_ERR_BYTES_MAX];
	struct watcher_sub *ws;

	CAIRN_ASSERT(w->st == NULL);
	while ((ws = TAILQ_FIRST(&w->active)) != NULL) {
		TAILQ_REMOVE(&w->active, ws, entry);
		ws->id = WATCHER_INVALID_ID;
		TAILQ_INSERT_TAIL(&w->resuming, ws, entry);
	}
	w->ncancels = 0;
	if (client_stream_auth(err, sizeof(err)) != 0) {
		w->want_stream = false;
		watcher_halt(w, err);
		return;
	}
	w->st = gc_stream_open_flags(client_gc(), "/etcdserverpb.Watch/Watch", watcher_msg,
	    watcher_end, w, w->stream_flags);
	CAIRN_ASSERT(w->st != NULL);
	watcher_send_create(w);
	if (w->want_stream) {
		/* A progress request made while no stream was open. */
		w->want_stream = false;
		watcher_progress(w);
	}
}

static void
watcher_timer(evutil_socket_t fd, short what, void *arg)
{
	struct watcher *w = arg;

	(void)fd;
	(void)what;
	if (w->dropping && w->st != NULL) {
		gc_stream_cancel(w->st); /* watcher_end opens the next */
		return;
	}
	if (w->st != NULL && watcher_idle(w)) {
		w->dropping = true;
		gc_stream_cancel(w->st);
		return;
	}
	if (w->st == NULL && !watcher_idle(w))
		watcher_open(w);
}

struct watcher *
watcher_new(bool require_leader)
{
	struct watcher *w = xcalloc(1, sizeof(*w));

	w->stream_flags = require_leader ? GC_STREAM_REQUIRE_LEADER : 0;
	TAILQ_INIT(&w->resuming);
	TAILQ_INIT(&w->active);
	w->backoff_us = WATCHER_BACKOFF_US_MIN;
	w->timer = evtimer_new(client_base(), watcher_timer, w);
	CAIRN_ASSERT(w->timer != NULL);
	return w;
}

void
watcher_free(struct watcher *w)
{
	struct watcher_sub *ws;

	if (w == NULL)
		return;
	while ((ws = TAILQ_FIRST(&w->active)) != NULL) {
		TAILQ_REMOVE(&w->active, ws, entry);
		watcher_sub_free(ws);
	}
	while ((ws = TAILQ_FIRST(&w->resuming)) != NULL) {
		TAILQ_REMOVE(&w->resuming, ws, entry);
		watcher_sub_free(ws);
	}
	if (w->st != NULL) {
		w->dropping = true;
		gc_stream_cancel(w->st);
	}
	event_free(w->timer);
	free(w);
}

struct watcher_sub *
watcher_watch(struct watcher *w, const uint8_t *key, size_t klen, const uint8_t *end,
    size_t elen, int64_t rev, bool prev_kv, watcher_resp_fn *resp, watcher_end_fn *end_fn,
    void *arg)
{
	struct watcher_sub *ws = xcalloc(1, sizeof(*ws));

	CAIRN_ASSERT(resp != NULL);
	ws->w = w;
	ws->key = xmalloc(klen + 1);
	if (klen > 0)
		memcpy(ws->key, key, klen);
	ws->klen = klen;
	ws->end = xmalloc(elen + 1);
	if (elen > 0)
		memcpy(ws->end, end, elen);
	ws->elen = elen;
	ws->rev = rev;
	ws->prev_kv = prev_kv;
	ws->id = WATCHER_INVALID_ID;
	ws->resp = resp;
	ws->end_fn = end_fn;
	ws->arg = arg;
	TAILQ_INSERT_TAIL(&w->resuming, ws, entry);
	if (w->st == NULL && !w->dropping)
		watcher_open(w);
	else
		watcher_send_create(w);
	return ws;
}

bool
watcher_returned(const struct watcher_sub *ws)
{
	return ws->returned;
}

void
watcher_cancel(struct watcher_sub *ws)
{
	struct watcher *w = ws->w;

	if (ws->id != WATCHER_INVALID_ID) {
		watcher_send_cancel(w, ws->id);
		TAILQ_REMOVE(&w->active, ws, entry);
	} else if (ws == TAILQ_FIRST(&w->resuming) && w->create_sent) {
		/* Its creation is asked: it waits for the answer, dead. */
		ws->dead = true;
		ws->resp = NULL;
		ws->end_fn = NULL;
		return;
	} else {
		TAILQ_REMOVE(&w->resuming, ws, entry);
	}
	watcher_sub_free(ws);
	if (watcher_idle(w))
		watcher_kick(w, 0);
}

void
watcher_progress(struct watcher *w)
{
	struct pbout req = { 0 }, p = { 0 };

	if (w->st == NULL) {
		w->want_stream = true;
		if (!w->dropping)
			watcher_open(w);
		else
			watcher_kick(w, 0);
		return;
	}
	pbout_msg(&req, WREQ_PROGRESS, &p);
	watcher_send(w, &req);
	pbout_close(&req);
}
