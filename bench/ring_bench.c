/*
 * Benchmark, no cairn process: frames/s and one-way latency of a channel's
 * SPSC ring against a plain SOCK_SEQPACKET socketpair, between two forked
 * processes, for 64 B and 4 KiB payloads. Every frame carries a sequence
 * number and a checksum, so a run is also a correctness check.
 */
#include <getopt.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "shared/assert.h"
#include "shared/chan.h"
#include "shared/err.h"
#include "shared/log.h"
#include "shared/xmalloc.h"

/* Any type will do for raw frames; this one is a child-to-child ring type. */
#define BENCH_FRAME_TYPE cairn_ipc_IPC_CHILD_HEARTBEAT_SEND
#define BENCH_SIZE_COUNT 2
#define BENCH_PAYLOAD_BYTES_MAX 4096u
#define BENCH_BUF_BYTES (FRAME_HDR_BYTES + BENCH_PAYLOAD_BYTES_MAX)
/* Payload words: sequence, send time, filler..., checksum of the rest. */
#define BENCH_WORD_BYTES 8u
#define BENCH_PAYLOAD_FIXED_WORDS 3u
#define BENCH_SUM_LANES 4
#define BENCH_SUM_ROT 5
#define BENCH_SUM_FOLD_ROT 16
#define BENCH_MIX_ADD UINT64_C(0x9e3779b97f4a7c15)
#define BENCH_MIX_MUL1 UINT64_C(0xbf58476d1ce4e5b9)
#define BENCH_MIX_MUL2 UINT64_C(0x94d049bb133111eb)
/* Payload filler: any window of a payload's length at a word offset below
 * BENCH_PATTERN_SHIFTS words, so frames differ even where seq is alike. */
#define BENCH_PATTERN_SHIFTS 512u
#define BENCH_PATTERN_BYTES (BENCH_PAYLOAD_BYTES_MAX + BENCH_PATTERN_SHIFTS * BENCH_WORD_BYTES)

#define BENCH_RUNS_DEFAULT 5
#define BENCH_RUNS_MAX 99
#define BENCH_RING_BYTES_DEFAULT (1u << 20)
/* Room for one 4 KiB frame and its header; the rings want a power of two. */
#define BENCH_RING_BYTES_MIN (8u << 10)
#define BENCH_RING_BYTES_MAX (1u << 30)
#define BENCH_FRAMES_MIN 2
#define BENCH_FRAMES_MAX UINT64_C(10000000000)
/* Without --frames, a short run sizes the real ones to about one second. */
#define BENCH_CALIBRATE_FRAMES 50000
#define BENCH_RUN_TARGET_NS 1000000000.0
#define BENCH_QUICK_FRAMES 20000
#define BENCH_LAT_SAMPLES_DEFAULT 20000
#define BENCH_LAT_SAMPLES_QUICK 500
/* Frames sent before sampling starts: page faults, first wake-ups. */
#define BENCH_LAT_WARMUP 200
#define BENCH_LAT_GAP_NS 20000
#define BENCH_NS_PER_SEC 1e9
#define BENCH_NS_PER_SEC_INT UINT64_C(1000000000)
#define BENCH_NS_PER_US 1e3
#define BENCH_PCT_P50 50
#define BENCH_PCT_P99 99

static const uint32_t bench_sizes[BENCH_SIZE_COUNT] = {64, 4096};
static uint8_t bench_pattern[BENCH_PATTERN_BYTES];

enum bench_transport {
	BENCH_SOCKETPAIR = 0,
	BENCH_RING,
	BENCH_TRANSPORT_COUNT,
};

static const char *const bench_transport_names[BENCH_TRANSPORT_COUNT] = {
	[BENCH_SOCKETPAIR] = "socketpair",
	[BENCH_RING] = "ring",
};

enum bench_mode {
	BENCH_FLOOD = 0, /* as fast as possible: frames/s */
	BENCH_PACED,     /* one frame per gap: one-way latency */
};

struct bench_opts {
	unsigned runs;
	uint64_t frames;     /* per throughput run; 0: calibrate */
	uint32_t ring_bytes;
	uint64_t lat_samples;
	bool quick;
	bool json;
};

/* One side of the link under test, private to its process. */
struct bench_link {
	enum bench_transport transport;
	int sock;           /* socketpair transport: owned */
	struct chan ch;     /* ring transport: owned */
	uint32_t size;      /* payload bytes of every frame */
	uint8_t *buf;       /* header + payload, owned; BENCH_BUF_BYTES */
};

/* What the consumer of one run measured. */
struct bench_sample {
	double fps;
	double p50_us;
	double p99_us;
};

/* One cell of the table: every run's figures, then their medians. */
struct bench_cell {
	uint64_t frames;
	double fps[BENCH_RUNS_MAX];
	double p50_us[BENCH_RUNS_MAX];
	double p99_us[BENCH_RUNS_MAX];
	struct bench_sample median;
};

static uint64_t
bench_now_ns(void)
{
	struct timespec ts;

	if (clock_gettime(CLOCK_MONOTONIC, &ts) == -1)
		fatal("clock_gettime");
	return (uint64_t)ts.tv_sec * BENCH_NS_PER_SEC_INT + (uint64_t)ts.tv_nsec;
}

static uint64_t
bench_load64(const uint8_t *p)
{
	uint64_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

static void
bench_store64(uint8_t *p, uint64_t v)
{
	memcpy(p, &v, sizeof(v));
}

static uint64_t
bench_rotl(uint64_t x, unsigned r)
{
	return x << r | x >> ((64 - r) & 63);
}

/* A sum over words in four independent lanes, each rotated per word so
 * that order counts; the lanes keep it near a word per cycle unvectorised. */
static uint64_t
bench_checksum(const uint8_t *p, size_t words)
{
	uint64_t lane[BENCH_SUM_LANES] = {0};
	size_t i = 0;

	for (; i + BENCH_SUM_LANES <= words; i += BENCH_SUM_LANES)
		for (size_t j = 0; j < BENCH_SUM_LANES; j++)
			lane[j] = bench_rotl(lane[j], BENCH_SUM_ROT) +
			    bench_load64(p + (i + j) * BENCH_WORD_BYTES);
	for (; i < words; i++)
		lane[0] = bench_rotl(lane[0], BENCH_SUM_ROT) + bench_load64(p + i * BENCH_WORD_BYTES);
	for (size_t j = 1; j < BENCH_SUM_LANES; j++)
		lane[0] ^= bench_rotl(lane[j], (unsigned)j * BENCH_SUM_FOLD_ROT);
	return lane[0] + words;
}

/* splitmix64's finaliser: spreads a sequence number over 64 bits. */
static uint64_t
bench_mix(uint64_t x)
{
	x += BENCH_MIX_ADD;
	x = (x ^ (x >> 30)) * BENCH_MIX_MUL1;
	x = (x ^ (x >> 27)) * BENCH_MIX_MUL2;
	return x ^ (x >> 31);
}

/* Called once before any fork: the filler every payload is cut from. */
static void
bench_pattern_init(void)
{
	for (size_t i = 0; i < BENCH_PATTERN_BYTES / BENCH_WORD_BYTES; i++)
		bench_store64(bench_pattern + i * BENCH_WORD_BYTES, bench_mix(i));
}

/* Fills a payload of 'size' bytes: the filler is cut from the pattern at
 * an offset that depends on 'seq', so a stale or torn frame fails the
 * checksum, not only the sequence check, and filling costs one memcpy. */
static void
bench_payload_fill(uint8_t *p, uint32_t size, uint64_t seq, uint64_t sent_ns)
{
	size_t words = size / BENCH_WORD_BYTES;
	size_t shift = bench_mix(seq) % BENCH_PATTERN_SHIFTS * BENCH_WORD_BYTES;

	CAIRN_ASSERT(size % BENCH_WORD_BYTES == 0);
	CAIRN_ASSERT(words >= BENCH_PAYLOAD_FIXED_WORDS);
	bench_store64(p, seq);
	bench_store64(p + BENCH_WORD_BYTES, sent_ns);
	memcpy(p + 2 * BENCH_WORD_BYTES, bench_pattern + shift,
	    (words - BENCH_PAYLOAD_FIXED_WORDS) * BENCH_WORD_BYTES);
	bench_store64(p + (words - 1) * BENCH_WORD_BYTES, bench_checksum(p, words - 1));
}

/* Checks a received payload; returns its send time. Aborts the whole
 * benchmark on a wrong sequence or checksum: the transport is broken. */
static uint64_t
bench_payload_check(const uint8_t *p, uint32_t size, uint64_t seq)
{
	size_t words = size / BENCH_WORD_BYTES;
	uint64_t got = bench_load64(p);
	uint64_t sum = bench_load64(p + (words - 1) * BENCH_WORD_BYTES);

	if (got != seq)
		fatalx("frame out of order: expected %" PRIu64 ", got %" PRIu64, seq, got);
	if (sum != bench_checksum(p, words - 1))
		fatalx("frame %" PRIu64 " of %u bytes: bad payload checksum", seq, size);
	return bench_load64(p + BENCH_WORD_BYTES);
}

/* The consumer takes only benchmark frames of the run's size. */
static int
bench_accept(struct chan *ch, const struct frame_hdr *h, unsigned via, void *arg)
{
	const uint32_t *size = arg;

	if (h->type != BENCH_FRAME_TYPE || h->flags != 0 || h->length != *size)
		return chan_fail(ch, "unexpected frame type, flags or length");
	return 0;
}

/* The producer only ever reads wake-ups, which chan_frame_recv eats. */
static int
bench_accept_none(struct chan *ch, const struct frame_hdr *h, unsigned via, void *arg)
{
	return chan_fail(ch, "the producer expects no frames");
}

/* Creates both ends: socks[] always, *memfd for the ring transport only. */
static void
bench_link_pair(enum bench_transport tr, uint32_t ring_bytes, int socks[2], int *memfd)
{
	int rc;

	*memfd = -1;
	if (tr == BENCH_SOCKETPAIR) {
		if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, socks) == -1)
			fatal("socketpair");
		return;
	}
	rc = chan_pair_create(ring_bytes, socks, memfd);
	if (rc != 0)
		fatalx("chan_pair_create: %s", err_name(rc));
}

/* Takes ownership of 'sock' and 'memfd' (-1 for the socketpair). */
static void
bench_link_open(struct bench_link *l, enum bench_transport tr, uint32_t size,
    int sock, int memfd, uint32_t ring_bytes, enum cairn_proc self)
{
	enum cairn_proc peer = self == PROC_NETD ? PROC_RAFTD : PROC_NETD;
	int rc;

	CAIRN_ASSERT(size <= BENCH_PAYLOAD_BYTES_MAX);
	CAIRN_ASSERT(tr == BENCH_RING || memfd == -1);
	memset(l, 0, sizeof(*l));
	l->transport = tr;
	l->size = size;
	l->sock = -1;
	l->buf = xmalloc(BENCH_BUF_BYTES);
	chan_init(&l->ch);
	if (tr == BENCH_SOCKETPAIR) {
		l->sock = sock;
		return;
	}
	rc = chan_open(&l->ch, self, peer, sock, memfd, ring_bytes);
	if (rc != 0)
		fatalx("chan_open: %s (%s)", err_name(rc), l->ch.fail_reason);
}

static void
bench_link_close(struct bench_link *l)
{
	if (l->sock != -1)
		close(l->sock);
	l->sock = -1;
	chan_close(&l->ch);
	free(l->buf);
	l->buf = NULL;
}

/* Blocks until the socket is readable; a signal only means look again. */
static void
bench_chan_wait(struct chan *ch)
{
	int rc = chan_wait(ch, -1);

	if (rc != 0 && rc != CAIRN_EAGAIN)
		fatalx("chan_wait: %s", err_name(rc));
}

/* Producer, ring: a full ring armed the waiting flag, so sleep until the
 * consumer's wake-up, eat it, and let the caller retry. */
static void
bench_ring_send(struct bench_link *l, uint64_t seq)
{
	const struct frame_hdr h = {.length = l->size, .type = BENCH_FRAME_TYPE, .id = seq};
	struct frame_hdr wake;
	unsigned via;
	int rc;

	for (;;) {
		rc = chan_frame_send(&l->ch, &h, l->buf + FRAME_HDR_BYTES, IPC_VIA_RING, NULL, 0);
		if (rc == 0)
			return;
		if (rc != CAIRN_EAGAIN)
			fatalx("ring send: %s (%s)", err_name(rc), l->ch.fail_reason);
		bench_chan_wait(&l->ch);
		/* Only the payload's copy in l->buf must survive; the header
		 * room before it is free for the wake-up. */
		rc = chan_frame_recv(&l->ch, &wake, l->buf, FRAME_HDR_BYTES, bench_accept_none,
		    NULL, NULL, NULL, &via);
		if (rc != CAIRN_EAGAIN)
			fatalx("producer wake-up: %s (%s)", err_name(rc), l->ch.fail_reason);
	}
}

/* Producer: sends the payload already in l->buf as frame 'seq'. The
 * socketpair frame is one blocking send() of header + payload. */
static void
bench_link_send(struct bench_link *l, uint64_t seq)
{
	struct frame_hdr h = {.length = l->size, .type = BENCH_FRAME_TYPE, .id = seq};
	size_t n = FRAME_HDR_BYTES + l->size;
	ssize_t sent;

	if (l->transport == BENCH_RING) {
		bench_ring_send(l, seq);
		return;
	}
	memcpy(l->buf, &h, FRAME_HDR_BYTES);
	do
		sent = send(l->sock, l->buf, n, MSG_NOSIGNAL);
	while (sent == -1 && errno == EINTR);
	if (sent == -1)
		fatal("socketpair send");
	CAIRN_ASSERT((size_t)sent == n);
}

/* Consumer, ring: leaves frame 'seq' in l->buf, past the header's room. */
static void
bench_ring_recv(struct bench_link *l, uint64_t seq)
{
	struct frame_hdr h;
	unsigned via = 0;
	int rc;

	for (;;) {
		rc = chan_frame_recv(&l->ch, &h, l->buf + FRAME_HDR_BYTES,
		    BENCH_PAYLOAD_BYTES_MAX, bench_accept, &l->size, NULL, NULL, &via);
		if (rc == 0)
			break;
		if (rc != CAIRN_EAGAIN)
			fatalx("ring receive: %s (%s)", err_name(rc), l->ch.fail_reason);
		bench_chan_wait(&l->ch);
	}
	if (via != IPC_VIA_RING || h.id != seq)
		fatalx("ring frame %" PRIu64 " arrived as id %" PRIu64 " via %u", seq, h.id, via);
}

/* Consumer, socketpair: one blocking recv() per frame. */
static void
bench_sock_recv(struct bench_link *l, uint64_t seq)
{
	struct frame_hdr h;
	ssize_t n;

	do
		n = recv(l->sock, l->buf, BENCH_BUF_BYTES, 0);
	while (n == -1 && errno == EINTR);
	if (n == -1)
		fatal("socketpair recv");
	if (n == 0)
		fatalx("producer closed the socketpair at frame %" PRIu64, seq);
	if ((size_t)n != FRAME_HDR_BYTES + l->size)
		fatalx("socketpair frame %" PRIu64 " has %zd bytes", seq, n);
	memcpy(&h, l->buf, FRAME_HDR_BYTES);
	if (h.type != BENCH_FRAME_TYPE || h.length != l->size || h.flags != 0 || h.id != seq)
		fatalx("socketpair frame %" PRIu64 " has a wrong header", seq);
}

/* Consumer: receives and checks frame 'seq'; returns its send time. */
static uint64_t
bench_link_recv(struct bench_link *l, uint64_t seq)
{
	if (l->transport == BENCH_RING)
		bench_ring_recv(l, seq);
	else
		bench_sock_recv(l, seq);
	return bench_payload_check(l->buf + FRAME_HDR_BYTES, l->size, seq);
}

/* Producer, after its last frame: the consumer closes when it has them all.
 * Staying until then keeps the producer's hang-up out of the measured run,
 * whatever order the transport reports a hang-up and unread frames in. */
static void
bench_link_await_close(struct bench_link *l)
{
	struct frame_hdr h;
	unsigned via;
	int rc;

	if (l->transport == BENCH_SOCKETPAIR) {
		ssize_t n;

		while ((n = recv(l->sock, l->buf, BENCH_BUF_BYTES, 0)) != 0)
			if (n > 0 || errno != EINTR)
				fatalx("unexpected data or error awaiting the consumer's close");
		return;
	}
	for (;;) {
		rc = chan_frame_recv(&l->ch, &h, l->buf, BENCH_BUF_BYTES, bench_accept_none,
		    NULL, NULL, NULL, &via);
		if (rc == CAIRN_ECLOSED)
			return;
		if (rc != CAIRN_EAGAIN)
			fatalx("waiting for the consumer to close: %s", err_name(rc));
		bench_chan_wait(&l->ch);
	}
}

/* Producer, flood: 'count' frames back to back. */
static void
bench_produce_flood(struct bench_link *l, uint64_t count)
{
	for (uint64_t seq = 0; seq < count; seq++) {
		bench_payload_fill(l->buf + FRAME_HDR_BYTES, l->size, seq, 0);
		bench_link_send(l, seq);
	}
}

/* Sleeps until CLOCK_MONOTONIC reads 'deadline_ns'. */
static void
bench_sleep_until(uint64_t deadline_ns)
{
	struct timespec ts = {
		.tv_sec = (time_t)(deadline_ns / BENCH_NS_PER_SEC_INT),
		.tv_nsec = (long)(deadline_ns % BENCH_NS_PER_SEC_INT),
	};
	int rc;

	while ((rc = clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL)) == EINTR)
		;
	if (rc != 0)
		fatalx("clock_nanosleep: error %d", rc);
}

/* Producer, paced: one frame every BENCH_LAT_GAP_NS or a little more
 * (the default timer slack of 50 us may stretch each sleep). The gap is
 * far longer than the consumer needs per frame, so each frame finds it
 * asleep: this measures the wake-up path of an idle consumer, the case of
 * a lone request, not the queueing delay of a saturated channel. Sleeping
 * rather than spinning leaves both CPUs idle between frames, as a daemon
 * waiting for work does; a spinning producer on this 2-vCPU VM made p50
 * and p99 jump by milliseconds from run to run on both transports. */
static void
bench_produce_paced(struct bench_link *l, uint64_t count)
{
	uint64_t next = bench_now_ns();

	for (uint64_t seq = 0; seq < count; seq++) {
		uint64_t now;

		bench_sleep_until(next);
		now = bench_now_ns();
		bench_payload_fill(l->buf + FRAME_HDR_BYTES, l->size, seq, now);
		bench_link_send(l, seq);
		next = now + BENCH_LAT_GAP_NS;
	}
}

/* Consumer, flood: frames/s from the first frame's arrival to the last's. */
static double
bench_consume_flood(struct bench_link *l, uint64_t count)
{
	uint64_t first_ns = 0;

	CAIRN_ASSERT(count >= BENCH_FRAMES_MIN);
	for (uint64_t seq = 0; seq < count; seq++) {
		(void)bench_link_recv(l, seq);
		if (seq == 0)
			first_ns = bench_now_ns();
	}
	return (double)(count - 1) * BENCH_NS_PER_SEC / (double)(bench_now_ns() - first_ns);
}

static int
bench_cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return (x > y) - (x < y);
}

/* Nearest-rank percentile of sorted samples, in microseconds. */
static double
bench_percentile_us(const uint64_t *sorted, uint64_t n, unsigned pct)
{
	CAIRN_ASSERT(n > 0);
	CAIRN_ASSERT(pct <= 100);
	return (double)sorted[(n - 1) * pct / 100] / BENCH_NS_PER_US;
}

/* Consumer, paced: one-way latency = arrival time minus the producer's
 * timestamp, both CLOCK_MONOTONIC on this machine; warm-up frames dropped. */
static void
bench_consume_paced(struct bench_link *l, uint64_t samples, struct bench_sample *out)
{
	uint64_t *lat_ns = xmalloc(samples * sizeof(*lat_ns));

	for (uint64_t seq = 0; seq < BENCH_LAT_WARMUP + samples; seq++) {
		uint64_t sent_ns = bench_link_recv(l, seq);
		uint64_t now = bench_now_ns();

		if (now < sent_ns)
			fatalx("frame %" PRIu64 " arrived before it was sent", seq);
		if (seq >= BENCH_LAT_WARMUP)
			lat_ns[seq - BENCH_LAT_WARMUP] = now - sent_ns;
	}
	qsort(lat_ns, samples, sizeof(*lat_ns), bench_cmp_u64);
	out->p50_us = bench_percentile_us(lat_ns, samples, BENCH_PCT_P50);
	out->p99_us = bench_percentile_us(lat_ns, samples, BENCH_PCT_P99);
	free(lat_ns);
}

static void
bench_reap(pid_t pid)
{
	int status;

	while (waitpid(pid, &status, 0) == -1)
		if (errno != EINTR)
			fatal("waitpid");
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		fatalx("producer failed (wait status %d)", status);
}

/* Forks a producer (netd's end) and consumes as raftd's end. 'count' is the
 * number of frames (flood) or latency samples (paced). */
static void
bench_run(enum bench_transport tr, enum bench_mode mode, uint32_t size,
    uint64_t count, uint32_t ring_bytes, struct bench_sample *out)
{
	struct bench_link l;
	int socks[2], memfd;
	pid_t pid;

	bench_link_pair(tr, ring_bytes, socks, &memfd);
	pid = fork();
	if (pid == -1)
		fatal("fork");
	if (pid == 0) {
		close(socks[0]);
		bench_link_open(&l, tr, size, socks[1], memfd, ring_bytes, PROC_NETD);
		if (mode == BENCH_FLOOD)
			bench_produce_flood(&l, count);
		else
			bench_produce_paced(&l, BENCH_LAT_WARMUP + count);
		bench_link_await_close(&l);
		bench_link_close(&l);
		_exit(0);
	}
	close(socks[1]);
	bench_link_open(&l, tr, size, socks[0], memfd, ring_bytes, PROC_RAFTD);
	if (mode == BENCH_FLOOD)
		out->fps = bench_consume_flood(&l, count);
	else
		bench_consume_paced(&l, count, out);
	bench_link_close(&l);
	bench_reap(pid);
}

/* Median of n values; sorts them in place. */
static double
bench_median(double *v, unsigned n)
{
	CAIRN_ASSERT(n > 0);
	for (unsigned i = 1; i < n; i++)
		for (unsigned j = i; j > 0 && v[j - 1] > v[j]; j--) {
			double t = v[j];

			v[j] = v[j - 1];
			v[j - 1] = t;
		}
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* Frames for a throughput run of about BENCH_RUN_TARGET_NS. */
static uint64_t
bench_calibrate(enum bench_transport tr, uint32_t size, uint32_t ring_bytes)
{
	struct bench_sample s;
	double n;

	bench_run(tr, BENCH_FLOOD, size, BENCH_CALIBRATE_FRAMES, ring_bytes, &s);
	n = s.fps * BENCH_RUN_TARGET_NS / BENCH_NS_PER_SEC;
	if (n < BENCH_CALIBRATE_FRAMES)
		return BENCH_CALIBRATE_FRAMES;
	return n > (double)BENCH_FRAMES_MAX ? BENCH_FRAMES_MAX : (uint64_t)n;
}

/* All runs, interleaved so that drift in machine load hits every cell. */
static void
bench_measure(const struct bench_opts *o,
    struct bench_cell cells[BENCH_SIZE_COUNT][BENCH_TRANSPORT_COUNT])
{
	for (unsigned s = 0; s < BENCH_SIZE_COUNT; s++)
		for (unsigned t = 0; t < BENCH_TRANSPORT_COUNT; t++)
			cells[s][t].frames = o->frames != 0 ? o->frames :
			    bench_calibrate(t, bench_sizes[s], o->ring_bytes);
	for (unsigned r = 0; r < o->runs; r++)
		for (unsigned s = 0; s < BENCH_SIZE_COUNT; s++)
			for (unsigned t = 0; t < BENCH_TRANSPORT_COUNT; t++) {
				struct bench_cell *c = &cells[s][t];
				struct bench_sample smp;

				bench_run(t, BENCH_FLOOD, bench_sizes[s], c->frames, o->ring_bytes, &smp);
				bench_run(t, BENCH_PACED, bench_sizes[s], o->lat_samples,
				    o->ring_bytes, &smp);
				c->fps[r] = smp.fps;
				c->p50_us[r] = smp.p50_us;
				c->p99_us[r] = smp.p99_us;
			}
	for (unsigned s = 0; s < BENCH_SIZE_COUNT; s++)
		for (unsigned t = 0; t < BENCH_TRANSPORT_COUNT; t++) {
			struct bench_cell *c = &cells[s][t];

			c->median.fps = bench_median(c->fps, o->runs);
			c->median.p50_us = bench_median(c->p50_us, o->runs);
			c->median.p99_us = bench_median(c->p99_us, o->runs);
		}
}

static double
bench_ratio(struct bench_cell cells[BENCH_SIZE_COUNT][BENCH_TRANSPORT_COUNT], unsigned s)
{
	return cells[s][BENCH_RING].median.fps / cells[s][BENCH_SOCKETPAIR].median.fps;
}

static void
bench_print_table(const struct bench_opts *o,
    struct bench_cell cells[BENCH_SIZE_COUNT][BENCH_TRANSPORT_COUNT])
{
	printf("# size = payload bytes after the 16-byte frame header; median of %u runs;\n"
	    "# latency: one-way, 1 frame per >= %d us to an idle consumer, %" PRIu64
	    " samples; ring %" PRIu32 " bytes\n", o->runs, BENCH_LAT_GAP_NS / 1000,
	    o->lat_samples, o->ring_bytes);
	printf("%-5s %-11s %11s %8s %8s %11s\n", "size", "transport", "frames/s",
	    "p50 us", "p99 us", "frames/run");
	for (unsigned s = 0; s < BENCH_SIZE_COUNT; s++)
		for (unsigned t = 0; t < BENCH_TRANSPORT_COUNT; t++) {
			const struct bench_cell *c = &cells[s][t];

			printf("%-5" PRIu32 " %-11s %11.0f %8.1f %8.1f %11" PRIu64 "\n",
			    bench_sizes[s], bench_transport_names[t], c->median.fps,
			    c->median.p50_us, c->median.p99_us, c->frames);
		}
	printf("ratio ring/socketpair frames/s: 64 B %.2f, 4096 B %.2f\n",
	    bench_ratio(cells, 0), bench_ratio(cells, 1));
}

static void
bench_print_json(const struct bench_opts *o,
    struct bench_cell cells[BENCH_SIZE_COUNT][BENCH_TRANSPORT_COUNT])
{
	printf("{\"runs\":%u,\"ring_bytes\":%" PRIu32 ",\"header_bytes\":%d,"
	    "\"lat_gap_us\":%d,\"lat_samples\":%" PRIu64 ",\"results\":[",
	    o->runs, o->ring_bytes, FRAME_HDR_BYTES, BENCH_LAT_GAP_NS / 1000, o->lat_samples);
	for (unsigned s = 0; s < BENCH_SIZE_COUNT; s++)
		for (unsigned t = 0; t < BENCH_TRANSPORT_COUNT; t++) {
			const struct bench_cell *c = &cells[s][t];

			printf("%s{\"size\":%" PRIu32 ",\"transport\":\"%s\",\"frames_per_s\":%.0f,"
			    "\"p50_us\":%.2f,\"p99_us\":%.2f,\"frames_per_run\":%" PRIu64 "}",
			    s + t == 0 ? "" : ",", bench_sizes[s], bench_transport_names[t],
			    c->median.fps, c->median.p50_us, c->median.p99_us, c->frames);
		}
	printf("],\"ratio_fps\":{\"64\":%.3f,\"4096\":%.3f}}\n", bench_ratio(cells, 0),
	    bench_ratio(cells, 1));
}

static void __attribute__((noreturn))
bench_usage(const char *why)
{
	fprintf(stderr, "ring_bench: %s; usage: ring_bench [--runs N] [--frames N] "
	    "[--ring-bytes N] [--quick] [--json]\n", why);
	exit(1);
}

/* Parses a decimal number in [min, max] or exits with a usage line. */
static uint64_t
bench_parse_num(const char *s, uint64_t min, uint64_t max, const char *what)
{
	char *end;
	unsigned long long v;

	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0' || s[0] == '-' || v < min || v > max)
		bench_usage(what);
	return v;
}

static void
bench_parse_opts(int argc, char **argv, struct bench_opts *o)
{
	static const struct option longopts[] = {
		{"runs", required_argument, NULL, 'r'},
		{"frames", required_argument, NULL, 'f'},
		{"ring-bytes", required_argument, NULL, 'b'},
		{"quick", no_argument, NULL, 'q'},
		{"json", no_argument, NULL, 'j'},
		{NULL, 0, NULL, 0},
	};
	int c;

	*o = (struct bench_opts){.runs = BENCH_RUNS_DEFAULT,
	    .ring_bytes = BENCH_RING_BYTES_DEFAULT, .lat_samples = BENCH_LAT_SAMPLES_DEFAULT};
	opterr = 0;
	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (c) {
		case 'r':
			o->runs = (unsigned)bench_parse_num(optarg, 1, BENCH_RUNS_MAX,
			    "--runs wants 1..99");
			break;
		case 'f':
			o->frames = bench_parse_num(optarg, BENCH_FRAMES_MIN, BENCH_FRAMES_MAX,
			    "--frames wants 2..10000000000");
			break;
		case 'b':
			o->ring_bytes = (uint32_t)bench_parse_num(optarg, BENCH_RING_BYTES_MIN,
			    BENCH_RING_BYTES_MAX, "--ring-bytes wants 8192..2^30");
			if ((o->ring_bytes & (o->ring_bytes - 1)) != 0)
				bench_usage("--ring-bytes wants a power of two");
			break;
		case 'q':
			o->quick = true;
			break;
		case 'j':
			o->json = true;
			break;
		default:
			bench_usage("unknown option or missing argument");
		}
	}
	if (optind != argc)
		bench_usage("unexpected argument");
}

int
main(int argc, char **argv)
{
	static struct bench_cell cells[BENCH_SIZE_COUNT][BENCH_TRANSPORT_COUNT];
	struct bench_opts o;

	log_init("ring_bench", LOG_WARN);
	bench_pattern_init();
	bench_parse_opts(argc, argv, &o);
	if (o.quick) {
		if (o.frames == 0)
			o.frames = BENCH_QUICK_FRAMES;
		o.lat_samples = BENCH_LAT_SAMPLES_QUICK;
	}
	bench_measure(&o, cells);
	if (o.json)
		bench_print_json(&o, cells);
	else
		bench_print_table(&o, cells);
	return 0;
}
