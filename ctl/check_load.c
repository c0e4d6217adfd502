/*
 * cairnctl: the load of etcdctl's check commands: puts of random keys by
 * a number of clients, at a rate (golang.org/x/time/rate, burst 1) or as
 * fast as they go, and etcd's pkg/report statistics of them.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

#include "ctl/check.h"
#include "shared/assert.h"
#include "shared/xmalloc.h"

#define NS_PER_SEC 1000000000LL
/* PutRequest's fields. */
enum { PUT_KEY = 1, PUT_VALUE = 2 };
/* binary.MaxVarintLen64. */
#define LOAD_VARINT_BYTES_MAX 10

struct load {
	struct client_peer *p;
	const struct check_load *l;
	uint8_t *key, *value;        /* owned: the reused key, the zero value */
	size_t plen;
	uint64_t rng;                /* xorshift state */
	unsigned inflight, queued;   /* at the clients, in the channel */
	bool held;                   /* the generator waits to send one */
	bool gen_done;               /* the channel is closed */
	int64_t issued;              /* puts made (count mode) */
	int64_t next_ns, deadline_ns;
	struct event *gen;           /* owned: the rate's next grant */
	/* pkg/report: latencies of the puts that succeeded, in seconds. */
	double *lats;
	size_t nlats, cap;
	double sum;
	struct check_stats *st;
};

/* One put under way: when its client took it. */
struct load_call {
	struct load *ld;
	int64_t start_ns;
};

/* rand.Int63n(math.MaxInt64) stand-in: any 63-bit number. */
static int64_t
load_random(struct load *ld)
{
	ld->rng ^= ld->rng << 13;
	ld->rng ^= ld->rng >> 7;
	ld->rng ^= ld->rng << 17;
	return (int64_t)(ld->rng >> 1);
}

/* binary.PutVarint(k, x): zig-zag, then 7 bits a byte, over the first
 * bytes of the key (the rest keeps what earlier keys left). */
static void
load_next_key(struct load *ld)
{
	int64_t x = load_random(ld);
	uint64_t ux = (uint64_t)x << 1;
	uint8_t *k = ld->key + ld->plen;
	size_t i = 0;

	if (x < 0)
		ux = ~ux;
	while (ux >= 0x80 && i + 1 < LOAD_VARINT_BYTES_MAX && i + 1 < ld->l->ksize) {
		k[i++] = (uint8_t)(ux | 0x80);
		ux >>= 7;
	}
	k[i] = (uint8_t)ux;
}

static void load_send(struct load *ld);

static void
load_record_error(struct load *ld, int status, const char *message)
{
	char text[GC_MESSAGE_BYTES_MAX + 128];
	struct check_stats *st = ld->st;
	size_t i;

	client_peer_log_failure(ld->p, status, message);
	client_error_text(status, message, text, sizeof(text));
	for (i = 0; i < st->nerrs; i++)
		if (strcmp(st->errs[i].text, text) == 0)
			break;
	if (i == st->nerrs) {
		if (st->nerrs == CHECK_ERRORS_MAX)
			i--; /* the last kept counts the others */
		else
			snprintf(st->errs[st->nerrs++].text, sizeof(st->errs[0].text), "%s", text);
	}
	st->errs[i].n++;
}

/* The rate's next grant: at next_ns unless that is past the deadline
 * (Wait's error: the channel is closed). */
static void
load_arm(struct load *ld)
{
	int64_t now = ctl_now_ns(), at = ld->next_ns > now ? ld->next_ns : now;
	struct timeval tv;

	if (at > ld->deadline_ns) {
		ld->gen_done = true;
		return;
	}
	/* The limiter's own time of the grant, whenever the timer fires. */
	ld->next_ns = at;
	tv.tv_sec = (at - now) / NS_PER_SEC;
	tv.tv_usec = (at - now) % NS_PER_SEC / 1000;
	evtimer_add(ld->gen, &tv);
}

/* A put leaves the generator: to an idle client, into the channel, or
 * the generator waits for room. */
static void
load_offer(struct load *ld)
{
	if (ld->inflight < ld->l->clients) {
		load_send(ld);
	} else if (ld->queued < ld->l->clients) {
		ld->queued++;
	} else {
		ld->held = true;
		return;
	}
	load_arm(ld);
}

static void
load_grant(evutil_socket_t fd, short what, void *arg)
{
	struct load *ld = arg;

	(void)fd;
	(void)what;
	/* Burst 1: the grant after this one, a period on; one asked later
	 * than that is granted at once (load_arm). */
	ld->next_ns += NS_PER_SEC / ld->l->rate;
	load_offer(ld);
}

static void
load_done(void *arg, const struct gc_result *r)
{
	struct load_call *call = arg;
	struct load *ld = call->ld;
	double lat = (double)(ctl_now_ns() - call->start_ns) / NS_PER_SEC;

	free(call);
	if (r->status == GC_OK) {
		if (ld->nlats == ld->cap) {
			ld->cap = ld->cap * 2 + 1024;
			ld->lats = xrealloc(ld->lats, ld->cap * sizeof(*ld->lats));
		}
		ld->lats[ld->nlats++] = lat;
		ld->sum += lat;
	} else {
		load_record_error(ld, r->status, r->message);
	}
	if (ld->l->bar != NULL)
		pbar_add(ld->l->bar, 1);
	CAIRN_ASSERT(ld->inflight > 0);
	ld->inflight--;
	/* The client takes the next put of the channel. */
	if (ld->queued > 0) {
		ld->queued--;
		load_send(ld);
		if (ld->held) {
			ld->held = false;
			ld->queued++;
			if (ctl_now_ns() >= ld->deadline_ns)
				ld->gen_done = true;
			else
				load_arm(ld);
		}
	} else if (ld->l->rate == 0 && ld->issued < ld->l->count) {
		load_send(ld);
	}
}

/* A client puts the next key. */
static void
load_send(struct load *ld)
{
	struct load_call *call = xmalloc(sizeof(*call));
	struct pbout req = { 0 };

	load_next_key(ld);
	pbout_bytes(&req, PUT_KEY, ld->key, ld->plen + ld->l->ksize);
	pbout_bytes(&req, PUT_VALUE, ld->value, ld->l->vsize);
	call->ld = ld;
	call->start_ns = ctl_now_ns();
	ld->inflight++;
	ld->issued++;
	if (gc_unary(client_peer_gc(ld->p), "/etcdserverpb.KV/Put", req.buf, req.len, 0,
	    load_done, call) != 0) {
		struct gc_result r = { .status = GC_RESOURCE_EXHAUSTED };

		snprintf(r.message, sizeof(r.message), "etcdserver: too many requests");
		load_done(call, &r);
	}
	pbout_close(&req);
}

static int
load_cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* pkg/report's processResults once the results are in. */
static void
load_stats(struct load *ld, int64_t total_ns)
{
	struct check_stats *st = ld->st;
	double n = (double)ld->nlats, dev = 0;

	st->rps = n / ((double)total_ns / NS_PER_SEC);
	st->average = ld->sum / n;
	for (size_t i = 0; i < ld->nlats; i++)
		dev += (ld->lats[i] - st->average) * (ld->lats[i] - st->average);
	st->stddev = sqrt(dev / n);
	qsort(ld->lats, ld->nlats, sizeof(*ld->lats), load_cmp);
	if (ld->nlats > 0) {
		st->fastest = ld->lats[0];
		st->slowest = ld->lats[ld->nlats - 1];
	}
}

void
check_load_run(struct client_peer *p, const struct check_load *l, struct check_stats *st)
{
	struct load ld = { .p = p, .l = l, .st = st };
	struct event_base *base = client_base();
	int64_t start;

	CAIRN_ASSERT(l->clients > 0);
	CAIRN_ASSERT(l->ksize > 0);
	memset(st, 0, sizeof(*st));
	ld.plen = strlen(l->prefix);
	ld.key = xcalloc(1, ld.plen + l->ksize);
	memcpy(ld.key, l->prefix, ld.plen);
	ld.value = xcalloc(1, l->vsize + 1);
	if (getrandom(&ld.rng, sizeof(ld.rng), 0) != (ssize_t)sizeof(ld.rng) || ld.rng == 0)
		ld.rng = 0x9e3779b97f4a7c15ull;
	ld.gen = evtimer_new(base, load_grant, &ld);
	CAIRN_ASSERT(ld.gen != NULL);
	start = ctl_now_ns();
	if (l->rate > 0) {
		/* The first grant is at once (the bucket starts full). */
		ld.deadline_ns = start + l->duration_ms * 1000000;
		ld.next_ns = start;
		load_grant(-1, 0, &ld);
	} else {
		for (unsigned i = 0; i < l->clients && ld.issued < l->count; i++)
			load_send(&ld);
		ld.gen_done = true;
	}
	while (!ld.gen_done || ld.held || ld.inflight > 0 || ld.queued > 0)
		event_base_loop(base, EVLOOP_ONCE);
	load_stats(&ld, ctl_now_ns() - start);
	event_free(ld.gen);
	free(ld.lats);
	free(ld.key);
	free(ld.value);
}
