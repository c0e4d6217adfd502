/*
 * Benchmark (issues 5 and 6): a unary gRPC call driven through the client
 * library (shared/gclient.h) with a fixed number of calls in flight;
 * prints requests/s and the latency percentiles h2load does not give
 * (p50, p90, p99, p99.9, max). The call is etcd's Maintenance.Status, or
 * with UNARY_BENCH_PUT_BYTES=N a KV.Put of a new key ("bench/%010zu") and
 * an N-byte value each time.
 * Usage: unary_bench ENDPOINTS CONNS INFLIGHT TOTAL [CA_FILE]
 * (ENDPOINTS comma-separated, the connections spread over them; an
 * https:// endpoint is verified against CA_FILE).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "shared/gclient.h"
#include "shared/xmalloc.h"

#define STATUS_PATH "/etcdserverpb.Maintenance/Status"
#define PUT_PATH "/etcdserverpb.KV/Put"
#define ENDPOINTS_MAX 16
#define VALUE_BYTES_MAX (1u << 20)

static struct event_base *base;
static struct gc_client *client;
static uint64_t *lat_ns;
static size_t done, failed, started, total, inflight, want;
static size_t put_bytes;         /* 0: Status calls */
static uint8_t *put_req;         /* a PutRequest: key field, then value */

/* PutRequest{key: "bench/" and n in 10 digits, value}: the key's digits
 * rewritten in place; its length. */
static size_t
put_request(size_t n)
{
	for (int i = 9; i >= 0; i--, n /= 10)
		put_req[8 + i] = (uint8_t)('0' + n % 10);
	return 19 + (put_req[19] & 0x80 ? (put_req[20] & 0x80 ? 3 : 2) : 1) + put_bytes;
}

static void
put_setup(void)
{
	size_t o = 19, v = put_bytes;

	put_req = xcalloc(1, 32 + put_bytes);
	put_req[0] = 0x0a; /* key, 16 bytes: "bench/" and 10 digits */
	put_req[1] = 16;
	memcpy(put_req + 2, "bench/", 6);
	put_req[18] = 0x12; /* value */
	do { /* the value's length, a varint */
		put_req[o++] = (uint8_t)((v & 0x7f) | (v > 0x7f ? 0x80 : 0));
		v >>= 7;
	} while (v > 0);
	memset(put_req + o, 'v', put_bytes);
}

static uint64_t
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void issue(void);

static void
answered(void *arg, const struct gc_result *r)
{
	uint64_t t0 = (uint64_t)(uintptr_t)arg;

	if (r->status != GC_OK && failed++ == 0)
		fprintf(stderr, "unary_bench: status %d %s\n", r->status, r->message);
	lat_ns[done++] = now_ns() - t0;
	inflight--;
	issue();
}

/* Keeps 'want' calls in flight until 'total' were started. */
static void
issue(void)
{
	while (started < total && inflight < want) {
		size_t len = put_bytes > 0 ? put_request(started) : 0;

		if (gc_unary(client, put_bytes > 0 ? PUT_PATH : STATUS_PATH, put_req, len, 30000,
		    answered, (void *)(uintptr_t)now_ns()) != 0) {
			fprintf(stderr, "unary_bench: the client refused a call\n");
			exit(1);
		}
		started++;
		inflight++;
	}
}

static int
cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static double
pct_ms(double p)
{
	size_t i = (size_t)(p * (double)(done - 1));

	return (double)lat_ns[i] / 1e6;
}

int
main(int argc, char **argv)
{
	const char *eps[ENDPOINTS_MAX];
	struct gc_options o = {.endpoints = eps, .dial_timeout_ms = 5000};
	char err[256], *list, *ep;
	const char *pb = getenv("UNARY_BENCH_PUT_BYTES");
	uint64_t t0, t1;

	if (argc < 5) {
		fprintf(stderr, "usage: unary_bench ENDPOINTS CONNS INFLIGHT TOTAL [CA_FILE]\n");
		return 2;
	}
	list = xstrdup(argv[1]);
	while ((ep = strsep(&list, ",")) != NULL && o.nendpoints < ENDPOINTS_MAX)
		eps[o.nendpoints++] = ep;
	if (pb != NULL && (put_bytes = (size_t)atol(pb)) > VALUE_BYTES_MAX) {
		fprintf(stderr, "unary_bench: UNARY_BENCH_PUT_BYTES over %u\n", VALUE_BYTES_MAX);
		return 2;
	}
	if (put_bytes > 0)
		put_setup();
	o.conns = (unsigned)atoi(argv[2]);
	want = (size_t)atol(argv[3]);
	total = (size_t)atol(argv[4]);
	o.ca_file = argc > 5 ? argv[5] : NULL;
	if (o.conns == 0 || want == 0 || total == 0) {
		fprintf(stderr, "unary_bench: CONNS, INFLIGHT and TOTAL must be positive\n");
		return 2;
	}
	if ((base = event_base_new()) == NULL ||
	    (client = gc_client_new(base, &o, err, sizeof(err))) == NULL) {
		fprintf(stderr, "unary_bench: %s\n", err);
		return 2;
	}
	lat_ns = xcalloc(total, sizeof(*lat_ns));
	/* A first call waits for the connections: not timed. */
	{
		struct gc_result r;

		if (gc_call(client, STATUS_PATH, NULL, 0, 5000, &r) != 0 || r.status != GC_OK) {
			fprintf(stderr, "unary_bench: the server does not answer: %s\n", r.message);
			return 1;
		}
	}
	t0 = now_ns();
	issue();
	while (done < total)
		if (event_base_loop(base, EVLOOP_ONCE) < 0)
			return 1;
	t1 = now_ns();
	qsort(lat_ns, done, sizeof(*lat_ns), cmp_u64);
	printf("%zu calls, %zu failed, %.0f req/s, p50 %.3f ms, p90 %.3f ms, p99 %.3f ms, "
	    "p99.9 %.3f ms, max %.3f ms\n", done, failed, (double)done * 1e9 / (double)(t1 - t0),
	    pct_ms(0.50), pct_ms(0.90), pct_ms(0.99), pct_ms(0.999),
	    (double)lat_ns[done - 1] / 1e6);
	gc_client_free(client);
	event_base_free(base);
	free(lat_ns);
	return failed > 0 ? 1 : 0;
}
