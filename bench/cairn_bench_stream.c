/*
 * cairn-bench: the streaming workloads. watch: --streams Watch streams
 * carrying the watchers, then puts on the watched keys, each event timed
 * from its put's sending (the time rides in the value's first 8 bytes)
 * to its arrival; watch-latency: the same with every watcher on one key
 * and one put at a time at --put-rate; lease-keepalive: one
 * LeaseKeepAlive stream per client, each op a keep-alive and its answer.
 */
#include <stdlib.h>
#include <string.h>

#include "bench/cairn_bench.h"
#include "shared/assert.h"
#include "shared/le.h"
#include "shared/xmalloc.h"

/* Watchers and watched keys a run sets up; streams it opens. */
#define WS_WATCHERS_MAX 1000000
#define WS_KEYS_MAX 1000000
#define WS_STREAMS_MAX 10000
/* How long watchers may take to be created. */
#define WS_CREATE_MS 30000
/* A lease-keepalive run's lease: etcd's benchmark grants 100 s. */
#define WS_LEASE_TTL_S 100
/* The bytes of a put's value that carry its sending time. */
#define WS_STAMP_BYTES 8

/* One Watch stream and the creates it waits for (their send times). */
struct ws_stream {
	struct gc_stream *gs;      /* NULL once ended */
	uint64_t *create_t0;       /* owned: per watcher of the stream */
	unsigned nwatchers, ncreated;
};

static struct {
	struct bench *b;
	struct ws_stream *streams;
	unsigned nstreams, nwatchers, nkeys;
	uint64_t *keynum;          /* owned: watched key i's number */
	uint64_t *nwatching;       /* owned: watchers of key i's number */
	uint64_t expected, received, created;
	bool all_created, all_received, closing;
	unsigned s_create, s_put, s_event;
	uint64_t last_event_ns;
} ws;

static uint64_t ws_streams_flag, ws_per_stream, ws_watchers_flag, ws_key_total, ws_put_total,
    ws_put_rate, wl_put_total, wl_put_rate, wl_streams, wl_per_stream;

struct ctl_flag stream_watch_flags[] = {
	{ "streams", 0, CTL_FLAG_UINT64, "10", "Total watch streams", &ws_streams_flag, false },
	{ "watch-per-stream", 0, CTL_FLAG_UINT64, "100", "Total watchers per stream",
	  &ws_per_stream, false },
	{ "watchers", 0, CTL_FLAG_UINT64, "0",
	  "Total watchers, spread over the streams (0: streams * watch-per-stream)",
	  &ws_watchers_flag, false },
	{ "watched-key-total", 0, CTL_FLAG_UINT64, "1", "Total number of keys to be watched",
	  &ws_key_total, false },
	{ "put-total", 0, CTL_FLAG_UINT64, "1000", "Number of put requests", &ws_put_total, false },
	{ "put-rate", 0, CTL_FLAG_UINT64, "0", "Number of keys to put per second (0: --rate)",
	  &ws_put_rate, false },
	{ NULL, 0, 0, NULL, NULL, NULL, false },
};

struct ctl_flag stream_watch_latency_flags[] = {
	{ "put-total", 0, CTL_FLAG_UINT64, "10000", "Total number of put requests",
	  &wl_put_total, false },
	{ "put-rate", 0, CTL_FLAG_UINT64, "100", "Number of keys to put per second (0: no limit)",
	  &wl_put_rate, false },
	{ "streams", 0, CTL_FLAG_UINT64, "10", "Total watch streams", &wl_streams, false },
	{ "watchers-per-stream", 0, CTL_FLAG_UINT64, "10", "Total watchers per stream",
	  &wl_per_stream, false },
	{ NULL, 0, 0, NULL, NULL, NULL, false },
};

struct ws_pair {
	uint64_t num;
	unsigned idx;
};

static int
ws_pair_cmp(const void *a, const void *b)
{
	const struct ws_pair *x = a, *y = b;

	return x->num < y->num ? -1 : x->num > y->num;
}

/* The watchers of each watched key's number: watcher j watches key
 * j % nkeys, and two watched keys may have one number (a random pick,
 * or a key space smaller than the keys). */
static void
ws_count_watchers(void)
{
	struct ws_pair *p = xcalloc(ws.nkeys, sizeof(*p));

	for (unsigned i = 0; i < ws.nkeys; i++) {
		p[i].num = ws.keynum[i];
		p[i].idx = i;
	}
	qsort(p, ws.nkeys, sizeof(*p), ws_pair_cmp);
	for (unsigned i = 0, j; i < ws.nkeys; i = j) {
		uint64_t sum = 0;

		for (j = i; j < ws.nkeys && p[j].num == p[i].num; j++)
			sum += ws.nwatchers / ws.nkeys + (p[j].idx < ws.nwatchers % ws.nkeys ? 1 : 0);
		for (unsigned k = i; k < j; k++)
			ws.nwatching[p[k].idx] = sum;
	}
	free(p);
}

/* A WatchResponse: created, canceled, events (timed). */
static void
ws_on_msg(void *arg, struct gc_stream *gs, const uint8_t *msg, size_t len)
{
	struct ws_stream *st = arg;
	struct pbw_reader r = { msg, len, 0 };
	struct pbw_field f;
	uint64_t now = drive_now_ns();
	bool created = false, canceled = false;
	int rc;

	(void)gs;
	while ((rc = pbw_next(&r, &f)) == 1) {
		struct msg_kv kv;
		const uint8_t *kvp;
		size_t kvn;

		if (f.number == 3 && f.type == PBW_VARINT)
			created = f.v != 0;
		else if (f.number == 4 && f.type == PBW_VARINT)
			canceled = f.v != 0;
		if (f.number != 11 || f.type != PBW_LEN)
			continue;
		/* Event{type 1, kv 2}: the put's sending time in its value. */
		if (msg_bytes(f.p, f.n, 2, &kvp, &kvn) != 0 || msg_kv(kvp, kvn, &kv) != 0 ||
		    kv.vlen < WS_STAMP_BYTES) {
			report_error(&ws.b->rep, ws.s_event, GC_INTERNAL, "an event without a stamp");
			continue;
		}
		report_observe(&ws.b->rep, ws.s_event, now - le_get64(kv.value));
		ws.b->progress_done++;
		ws.last_event_ns = now;
		if (++ws.received >= ws.expected && ws.expected > 0)
			ws.all_received = true;
	}
	if (rc != 0)
		report_error(&ws.b->rep, ws.s_event, GC_INTERNAL, "a WatchResponse that does not parse");
	if (canceled)
		report_error(&ws.b->rep, ws.s_create, GC_UNKNOWN, "a watcher was canceled");
	if (created && st->ncreated < st->nwatchers) {
		report_observe(&ws.b->rep, ws.s_create, now - st->create_t0[st->ncreated++]);
		if (++ws.created == ws.nwatchers)
			ws.all_created = true;
	}
}

static void
ws_on_end(void *arg, struct gc_stream *gs, const struct gc_result *r)
{
	struct ws_stream *st = arg;

	(void)gs;
	st->gs = NULL;
	if (!ws.closing)
		report_error(&ws.b->rep, ws.s_event, r->status != GC_OK ? r->status : GC_UNKNOWN,
		    r->status != GC_OK ? r->message : "the server ended a Watch stream");
}

/* Opens the streams and creates the watchers; false when they were not
 * all created in time. */
static bool
ws_create(struct bench *b)
{
	uint8_t key[BENCH_KEY_BYTES_MAX];

	ws.streams = xcalloc(ws.nstreams, sizeof(*ws.streams));
	for (unsigned i = 0; i < ws.nstreams; i++) {
		struct ws_stream *st = &ws.streams[i];

		st->nwatchers = ws.nwatchers / ws.nstreams + (i < ws.nwatchers % ws.nstreams ? 1 : 0);
		st->create_t0 = xcalloc(st->nwatchers > 0 ? st->nwatchers : 1, sizeof(uint64_t));
		if ((st->gs = gc_stream_open(b->gc, BENCH_PATH_WATCH, ws_on_msg, ws_on_end,
		    st)) == NULL)
			drive_fatalx("the client refused a Watch stream");
	}
	drive_progress_start(b, "watch create", ws.nwatchers);
	/* Watcher j on stream j % streams, watching key j % keys. */
	for (unsigned j = 0; j < ws.nwatchers; j++) {
		struct ws_stream *st = &ws.streams[j % ws.nstreams];
		struct pbout req = {0}, create = {0};

		drive_key(b, ws.keynum[j % ws.nkeys], key);
		pbout_bytes(&create, 1, key, b->f.key_size);
		pbout_msg(&req, 1, &create);
		st->create_t0[j / ws.nstreams] = drive_now_ns();
		if (st->gs == NULL || gc_stream_send(st->gs, req.buf, req.len) != 0)
			report_error(&b->rep, ws.s_create, GC_UNAVAILABLE, "the Watch stream ended");
		pbout_close(&req);
		pbout_close(&create);
	}
	if (ws.nwatchers == 0)
		ws.all_created = true;
	drive_wait(b, &ws.all_created, WS_CREATE_MS);
	b->progress_done = ws.created;
	drive_progress_stop(b);
	return ws.all_created;
}

static void
ws_put_reply(struct bench_slot *s, const struct gc_result *r)
{
	drive_op_end(s, ws.s_put, r->status, r->message);
}

/* Put number seq on watched key seq % keys, stamped with the time. */
static void
ws_put_issue(struct bench_slot *s, uint64_t seq)
{
	struct bench *b = s->b;
	uint8_t key[BENCH_KEY_BYTES_MAX];
	struct pbout o = {0};

	drive_key(b, ws.keynum[seq % ws.nkeys], key);
	le_put64((uint8_t *)b->val, drive_now_ns());
	msg_put(&o, key, b->f.key_size, (const uint8_t *)b->val, b->f.val_size, 0);
	drive_call(s, BENCH_PATH_PUT, &o, ws_put_reply);
	pbout_close(&o);
}

/* Puts 'total' keys with 'slots' in flight at 'rate', then waits for
 * their events; the report's time runs from the first put to the last
 * event. */
static void
ws_put_and_drain(struct bench *b, uint64_t total, unsigned slots, uint64_t rate)
{
	ws.expected = 0;
	for (uint64_t i = 0; i < total; i++)
		ws.expected += ws.nwatching[i % ws.nkeys];
	if (ws.expected == 0)
		ws.all_received = true;
	drive_progress_start(b, "watch events", ws.expected);
	b->rep.t0_ns = drive_now_ns();
	drive_run(b, slots, ws_put_issue, total, 0, rate);
	b->progress_done = ws.received;
	if (drive_wait(b, &ws.all_received, BENCH_WATCH_DRAIN_MS) != 0) {
		char msg[GC_MESSAGE_BYTES_MAX];

		snprintf(msg, sizeof(msg), "watch: %llu of %llu events did not arrive",
		    (unsigned long long)(ws.expected - ws.received),
		    (unsigned long long)ws.expected);
		for (uint64_t i = ws.received; i < ws.expected; i++)
			report_error(&b->rep, ws.s_event, BENCH_DATA_LOSS, msg);
	}
	b->rep.t1_ns = ws.last_event_ns > b->rep.t0_ns ? ws.last_event_ns : drive_now_ns();
	drive_progress_stop(b);
	report_counter(&b->rep, "watchers", ws.nwatchers);
	report_counter(&b->rep, "events_expected", ws.expected);
	report_counter(&b->rep, "events_received", ws.received);
}

static void
ws_close(void)
{
	ws.closing = true;
	for (unsigned i = 0; i < ws.nstreams; i++) {
		if (ws.streams[i].gs != NULL)
			gc_stream_cancel(ws.streams[i].gs);
		free(ws.streams[i].create_t0);
	}
	free(ws.streams);
	free(ws.keynum);
	free(ws.nwatching);
}

/* The shared set-up: streams, watchers, keys; series in the report. */
static int
ws_setup(struct bench *b, uint64_t nstreams, uint64_t nwatchers, uint64_t nkeys)
{
	if (nstreams == 0 || nstreams > WS_STREAMS_MAX || nwatchers > WS_WATCHERS_MAX ||
	    nkeys == 0 || nkeys > WS_KEYS_MAX) {
		fprintf(stderr, "cairn-bench: want 1 to %d streams, at most %d watchers and 1 to %d "
		    "watched keys\n", WS_STREAMS_MAX, WS_WATCHERS_MAX, WS_KEYS_MAX);
		return -1;
	}
	if (b->f.val_size < WS_STAMP_BYTES) {
		fprintf(stderr, "cairn-bench: watch workloads want --val-size of at least %d (the "
		    "put's time rides in the value)\n", WS_STAMP_BYTES);
		return -1;
	}
	memset(&ws, 0, sizeof(ws));
	ws.b = b;
	ws.nstreams = (unsigned)nstreams;
	ws.nwatchers = (unsigned)nwatchers;
	ws.nkeys = (unsigned)nkeys;
	ws.keynum = xcalloc(ws.nkeys, sizeof(*ws.keynum));
	ws.nwatching = xcalloc(ws.nkeys, sizeof(*ws.nwatching));
	/* etcd's watch: watched key i is number i, or a random one, in the
	 * key space. */
	for (unsigned i = 0; i < ws.nkeys; i++)
		ws.keynum[i] = b->f.sequential_keys ? i % b->f.key_space_size :
		    drive_rand(&b->rng) % b->f.key_space_size;
	ws_count_watchers();
	ws.s_event = report_series(&b->rep, "event", true);
	ws.s_create = report_series(&b->rep, "create", false);
	ws.s_put = report_series(&b->rep, "put", false);
	return 0;
}

int
stream_watch_run(struct bench *b, int argc, char **argv)
{
	uint64_t nwatchers = ws_watchers_flag > 0 ? ws_watchers_flag :
	    ws_streams_flag * ws_per_stream;
	uint64_t slots = b->f.clients;

	(void)argc;
	(void)argv;
	if (ws_setup(b, ws_streams_flag, nwatchers, ws_key_total) != 0)
		return -1;
	if (ws_create(b))
		ws_put_and_drain(b, ws_put_total, (unsigned)slots,
		    ws_put_rate > 0 ? ws_put_rate : b->f.rate);
	else
		fprintf(stderr, "cairn-bench: %llu of %u watchers created\n",
		    (unsigned long long)ws.created, ws.nwatchers);
	ws_close();
	return 0;
}

int
stream_watch_latency_run(struct bench *b, int argc, char **argv)
{
	(void)argc;
	(void)argv;
	if (ws_setup(b, wl_streams, wl_streams * wl_per_stream, 1) != 0)
		return -1;
	/* One put at a time, as etcd's watch-latency. */
	if (ws_create(b))
		ws_put_and_drain(b, wl_put_total, 1, wl_put_rate);
	else
		fprintf(stderr, "cairn-bench: %llu of %u watchers created\n",
		    (unsigned long long)ws.created, ws.nwatchers);
	ws_close();
	return 0;
}

/* ---- lease-keepalive ---------------------------------------------------- */

static struct {
	struct gc_stream **gs;     /* owned array: per slot, NULL until opened */
	struct bench_slot **waiting; /* the slot whose keep-alive is out */
	unsigned n;
	int64_t lease;
	unsigned series;
} lk;

static void
lk_on_msg(void *arg, struct gc_stream *gs, const uint8_t *msg, size_t len)
{
	unsigned i = (unsigned)(uintptr_t)arg;
	struct bench_slot *s = lk.waiting[i];
	uint64_t ttl;

	(void)gs;
	if (s == NULL)
		return;
	lk.waiting[i] = NULL;
	/* LeaseKeepAliveResponse{TTL 3}: <= 0 when the lease is gone. */
	if (msg_varint(msg, len, 3, &ttl) != 0)
		drive_op_end(s, lk.series, GC_INTERNAL, "a LeaseKeepAliveResponse that does not parse");
	else if ((int64_t)ttl <= 0)
		drive_op_end(s, lk.series, BENCH_NOT_FOUND, "etcdserver: requested lease not found");
	else
		drive_op_end(s, lk.series, GC_OK, "");
}

static void
lk_on_end(void *arg, struct gc_stream *gs, const struct gc_result *r)
{
	unsigned i = (unsigned)(uintptr_t)arg;
	struct bench_slot *s = lk.waiting[i];

	(void)gs;
	lk.gs[i] = NULL;
	lk.waiting[i] = NULL;
	if (s != NULL)
		drive_op_end(s, lk.series, r->status != GC_OK ? r->status : GC_UNKNOWN,
		    r->status != GC_OK ? r->message : "the server ended a LeaseKeepAlive stream");
}

static void
lk_issue(struct bench_slot *s, uint64_t seq)
{
	struct pbout req = {0};
	unsigned i = s->idx;

	(void)seq;
	CAIRN_ASSERT(i < lk.n);
	if (lk.gs[i] == NULL && (lk.gs[i] = gc_stream_open(s->b->gc, BENCH_PATH_KEEPALIVE,
	    lk_on_msg, lk_on_end, (void *)(uintptr_t)i)) == NULL)
		drive_fatalx("the client refused a LeaseKeepAlive stream");
	pbout_varint(&req, 1, (uint64_t)lk.lease);
	lk.waiting[i] = s;
	if (gc_stream_send(lk.gs[i], req.buf, req.len) != 0) {
		lk.waiting[i] = NULL;
		drive_op_end(s, lk.series, GC_UNAVAILABLE, "the LeaseKeepAlive stream ended");
	}
	pbout_close(&req);
}

int
stream_lease_run(struct bench *b, int argc, char **argv)
{
	struct gc_result r;
	struct pbout req = {0};
	uint64_t id;

	(void)argc;
	(void)argv;
	memset(&lk, 0, sizeof(lk));
	pbout_varint(&req, 1, WS_LEASE_TTL_S);
	if (gc_call(b->gc, BENCH_PATH_GRANT, req.buf, req.len, BENCH_CALL_TIMEOUT_MS, &r) != 0 ||
	    r.status != GC_OK || msg_varint(r.msg, r.len, 2, &id) != 0 || id == 0)
		drive_fatalx("cannot grant a lease: %s", r.message);
	pbout_close(&req);
	lk.lease = (int64_t)id;
	lk.n = (unsigned)b->f.clients;
	lk.gs = xcalloc(lk.n, sizeof(*lk.gs));
	lk.waiting = xcalloc(lk.n, sizeof(*lk.waiting));
	lk.series = report_series(&b->rep, "keepalive", true);
	drive_measured(b, lk_issue);
	for (unsigned i = 0; i < lk.n; i++)
		if (lk.gs[i] != NULL)
			gc_stream_cancel(lk.gs[i]);
	pbout_varint(&req, 1, (uint64_t)lk.lease);
	(void)gc_call(b->gc, BENCH_PATH_REVOKE, req.buf, req.len, BENCH_CALL_TIMEOUT_MS, &r);
	pbout_close(&req);
	free(lk.gs);
	free(lk.waiting);
	return 0;
}
