/*
 * Benchmark (issue 5): a trivial unary gRPC call, etcd's
 * Maintenance.Status, driven through the client library (shared/gclient.h)
 * with a fixed number of calls in flight; prints requests/s and the
 * latency percentiles h2load does not give (p50, p90, p99, p99.9, max).
 * Usage: unary_bench ENDPOINT CONNS INFLIGHT TOTAL [CA_FILE]
 * (an https:// endpoint is verified against CA_FILE).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "shared/gclient.h"
#include "shared/xmalloc.h"

#define STATUS_PATH "/etcdserverpb.Maintenance/Status"

static struct event_base *base;
static struct gc_client *client;
static uint64_t *lat_ns;
static size_t done, failed, started, total, inflight, want;

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
		if (gc_unary(client, STATUS_PATH, NULL, 0, 30000, answered,
		    (void *)(uintptr_t)now_ns()) != 0) {
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
	const char *eps[1];
	struct gc_options o = {.endpoints = eps, .nendpoints = 1, .dial_timeout_ms = 5000};
	char err[256];
	uint64_t t0, t1;

	if (argc < 5) {
		fprintf(stderr, "usage: unary_bench ENDPOINT CONNS INFLIGHT TOTAL [CA_FILE]\n");
		return 2;
	}
	eps[0] = argv[1];
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
