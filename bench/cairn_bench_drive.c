/*
 * cairn-bench: the driver. Keeps one operation in flight per slot
 * (--clients slots, as etcd's benchmark runs one goroutine per client),
 * paces starts to --rate with a burst of one (golang.org/x/time/rate as
 * etcd uses it), stops after --total ops or --duration, and draws the
 * progress line on a terminal.
 */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <event2/event.h>

#include "bench/cairn_bench.h"
#include "shared/assert.h"
#include "shared/xmalloc.h"

uint64_t
drive_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* xorshift64* (Vigna): fast, and good enough to pick keys. */
uint64_t
drive_rand(uint64_t *state)
{
	uint64_t x = *state;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	*state = x;
	return x * 0x2545f4914f6cdd1dull;
}

void
drive_fatalx(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fputs("cairn-bench: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	exit(1);
}

void
drive_key(const struct bench *b, uint64_t n, uint8_t *key)
{
	uint64_t v = n << 1; /* Go's zig-zag for a non-negative n */
	size_t i = 0;

	CAIRN_ASSERT(b->f.key_size <= BENCH_KEY_BYTES_MAX);
	memset(key, 0, b->f.key_size);
	do {
		CAIRN_ASSERT(i < b->f.key_size); /* main checked the key space fits */
		key[i++] = (uint8_t)((v & 0x7f) | (v > 0x7f ? 0x80 : 0));
		v >>= 7;
	} while (v > 0);
}

static bool
drive_may_start(const struct bench *b)
{
	if (b->stop)
		return false;
	if (b->limit > 0 && b->started >= b->limit)
		return false;
	return b->end_ns == 0 || drive_now_ns() < b->end_ns;
}

/* Runs the workload's issue fn on s: true when the op ended at once
 * (the caller takes the next). */
static bool
drive_issue(struct bench_slot *s)
{
	struct bench *b = s->b;

	CAIRN_ASSERT(!s->busy);
	CAIRN_ASSERT(b->issuing == NULL);
	s->again = false;
	s->busy = true;
	b->nbusy++;
	s->seq = b->started++;
	s->t0_ns = drive_now_ns();
	b->issuing = s;
	b->issue(s, s->seq);
	b->issuing = NULL;
	return s->again;
}

static void
drive_pace_arm(struct bench *b)
{
	uint64_t now = drive_now_ns(), wait = b->pace_next_ns > now ? b->pace_next_ns - now : 0;
	struct timeval tv = { (time_t)(wait / 1000000000u),
	    (suseconds_t)(wait % 1000000000u / 1000u) };

	if (!evtimer_pending(b->pace_ev, NULL))
		evtimer_add(b->pace_ev, &tv);
}

/* Takes the start due at pace_next_ns (now or earlier). Starts keep to
 * the schedule when the loop wakes late, catching up at most
 * BENCH_PACE_SLACK_MS of starts; an idle spell longer than that is not
 * made up for. */
static void
drive_pace_take(struct bench *b, uint64_t now)
{
	if (now > b->pace_next_ns + (uint64_t)BENCH_PACE_SLACK_MS * 1000000u)
		b->pace_next_ns = now;
	b->pace_next_ns += 1000000000u / b->rate;
}

/* The next ops on an idle slot, now or when --rate allows. */
static void
drive_next(struct bench_slot *s)
{
	struct bench *b = s->b;
	uint64_t now;

	do {
		if (!drive_may_start(b))
			return;
		if (b->rate > 0) {
			now = drive_now_ns();
			if (!TAILQ_EMPTY(&b->pace_wait) || now < b->pace_next_ns) {
				TAILQ_INSERT_TAIL(&b->pace_wait, s, paced);
				drive_pace_arm(b);
				return;
			}
			drive_pace_take(b, now);
		}
	} while (drive_issue(s));
}

static void
drive_pace_fire(evutil_socket_t fd, short what, void *arg)
{
	struct bench *b = arg;
	struct bench_slot *s;

	(void)fd;
	(void)what;
	while ((s = TAILQ_FIRST(&b->pace_wait)) != NULL) {
		uint64_t now = drive_now_ns();

		if (!drive_may_start(b)) {
			TAILQ_REMOVE(&b->pace_wait, s, paced); /* the slot stays idle */
			continue;
		}
		if (now < b->pace_next_ns) {
			drive_pace_arm(b);
			return;
		}
		TAILQ_REMOVE(&b->pace_wait, s, paced);
		drive_pace_take(b, now);
		if (drive_issue(s))
			drive_next(s);
	}
}

static void
drive_reply(void *arg, const struct gc_result *r)
{
	struct bench_slot *s = arg;

	CAIRN_ASSERT(s->busy);
	CAIRN_ASSERT(s->reply != NULL);
	s->reply(s, r);
}

void
drive_call(struct bench_slot *s, const char *path, const struct pbout *req, bench_reply_fn *fn)
{
	CAIRN_ASSERT(s->busy);
	s->reply = fn;
	if (gc_unary(s->b->gc, path, req->buf, req->len, BENCH_CALL_TIMEOUT_MS, drive_reply,
	    s) != 0)
		drive_fatalx("the client refused a call (too many waiting, or too big)");
}

void
drive_op_end(struct bench_slot *s, unsigned series, int status, const char *message)
{
	struct bench *b = s->b;

	CAIRN_ASSERT(s->busy);
	if (status == GC_OK)
		report_observe(&b->rep, series, drive_now_ns() - s->t0_ns);
	else
		report_error(&b->rep, series, status, message);
	s->busy = false;
	b->nbusy--;
	b->progress_done++;
	if (b->issuing == s) {
		s->again = true; /* drive_issue loops instead of recursing */
		return;
	}
	drive_next(s);
}

void
drive_run(struct bench *b, unsigned nslots, bench_issue_fn *issue, uint64_t limit,
    int64_t duration_ns, uint64_t rate)
{
	CAIRN_ASSERT(nslots > 0 && nslots <= BENCH_CLIENTS_MAX);
	CAIRN_ASSERT(limit > 0 || duration_ns > 0);
	b->slots = xcalloc(nslots, sizeof(*b->slots));
	b->nslots = nslots;
	b->nbusy = 0;
	b->issue = issue;
	b->started = 0;
	b->limit = limit;
	b->end_ns = duration_ns > 0 ? drive_now_ns() + (uint64_t)duration_ns : 0;
	b->rate = rate;
	b->pace_next_ns = 0;
	b->stop = false;
	TAILQ_INIT(&b->pace_wait);
	if ((b->pace_ev = evtimer_new(b->base, drive_pace_fire, b)) == NULL)
		drive_fatalx("out of memory");
	for (unsigned i = 0; i < nslots; i++) {
		b->slots[i].b = b;
		b->slots[i].idx = i;
	}
	for (unsigned i = 0; i < nslots; i++)
		drive_next(&b->slots[i]);
	while (b->nbusy > 0 || !TAILQ_EMPTY(&b->pace_wait))
		if (event_base_loop(b->base, EVLOOP_ONCE) < 0)
			drive_fatalx("the event loop failed");
	event_free(b->pace_ev);
	b->pace_ev = NULL;
	free(b->slots);
	b->slots = NULL;
	b->nslots = 0;
}

void
drive_measured(struct bench *b, bench_issue_fn *issue)
{
	drive_progress_start(b, b->command, b->ops_limit);
	b->rep.t0_ns = drive_now_ns();
	drive_run(b, (unsigned)b->f.clients, issue, b->ops_limit, b->f.duration_ns, b->f.rate);
	b->rep.t1_ns = drive_now_ns();
	drive_progress_stop(b);
}

static void
wait_fire(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	*(bool *)arg = true;
}

int
drive_wait(struct bench *b, const bool *done, unsigned timeout_ms)
{
	bool expired = false;
	struct timeval tv = { (time_t)(timeout_ms / 1000), (suseconds_t)(timeout_ms % 1000) * 1000 };
	struct event *ev = evtimer_new(b->base, wait_fire, &expired);

	if (ev == NULL)
		drive_fatalx("out of memory");
	evtimer_add(ev, &tv);
	while (!*done && !expired)
		if (event_base_loop(b->base, EVLOOP_ONCE) < 0)
			drive_fatalx("the event loop failed");
	event_free(ev);
	return *done ? 0 : -1;
}

static void
progress_draw(evutil_socket_t fd, short what, void *arg)
{
	struct bench *b = arg;
	double secs = (double)(drive_now_ns() - b->progress_t0_ns) / 1e9;
	unsigned long long done = (unsigned long long)b->progress_done;

	(void)fd;
	(void)what;
	if (secs <= 0)
		return;
	if (b->progress_total > 0)
		fprintf(stderr, "\r\033[K%s: %llu/%llu (%.0f%%), %.0f/s, %llu errors, %.1fs",
		    b->phase, done, (unsigned long long)b->progress_total,
		    100.0 * (double)done / (double)b->progress_total, (double)done / secs,
		    (unsigned long long)report_errors(&b->rep), secs);
	else
		fprintf(stderr, "\r\033[K%s: %llu, %.0f/s, %llu errors, %.1fs of %.1fs", b->phase,
		    done, (double)done / secs, (unsigned long long)report_errors(&b->rep), secs,
		    (double)b->f.duration_ns / 1e9);
	b->progress_shown = true;
}

void
drive_progress_start(struct bench *b, const char *phase, uint64_t total)
{
	struct timeval tv = { 0, BENCH_PROGRESS_MS * 1000 };

	b->phase = phase;
	b->progress_total = total;
	b->progress_done = 0;
	b->progress_t0_ns = drive_now_ns();
	if (!isatty(STDERR_FILENO) || b->progress_ev != NULL)
		return;
	b->progress_ev = event_new(b->base, -1, EV_PERSIST, progress_draw, b);
	if (b->progress_ev == NULL)
		drive_fatalx("out of memory");
	event_add(b->progress_ev, &tv);
}

void
drive_progress_stop(struct bench *b)
{
	if (b->progress_ev == NULL)
		return;
	event_free(b->progress_ev);
	b->progress_ev = NULL;
	if (b->progress_shown)
		fputs("\r\033[K", stderr);
	b->progress_shown = false;
}
