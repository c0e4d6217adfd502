/*
 * cairnctl: the parts of etcdctl's check perf and check datascale
 * (check.go): the load of puts with its report (etcd's pkg/report
 * Stats), and the member's resident memory read from its /metrics.
 */
#ifndef CAIRN_CTL_CHECK_H
#define CAIRN_CTL_CHECK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ctl/ctl.h"
#include "ctl/pbar.h"

/* Distinct error texts a report keeps (its ErrorDist). */
#define CHECK_ERRORS_MAX 64

/*
 * A load: 'clients' workers (check's clients, each one call at a time)
 * put keys of prefix + ksize bytes (random, as binary.PutVarint of a
 * random number writes them into a reused buffer) with values of vsize
 * zero bytes. Either at 'rate' a second (golang.org/x/time/rate with a
 * burst of 1) for duration_ms, or 'count' puts as fast as they go. The
 * requests wait in a queue as long as there are clients (check's
 * channel). bar, when not NULL, goes up by one for each put done.
 */
struct check_load {
	unsigned clients;
	unsigned rate;             /* 0: none */
	int64_t duration_ms;       /* with rate */
	int64_t count;             /* without rate */
	const char *prefix;
	size_t ksize, vsize;
	struct pbar *bar;
};

/* pkg/report's Stats of the puts (seconds). */
struct check_stats {
	double rps, average, stddev, slowest, fastest;
	size_t nerrs;
	struct {
		char text[GC_MESSAGE_BYTES_MAX + 128];
		int64_t n;
	} errs[CHECK_ERRORS_MAX];
};

/* Runs the load on p's connections until every put has ended; the
 * stats in *st. A failed put is logged as clientv3 logs it. */
void check_load_run(struct client_peer *p, const struct check_load *l,
    struct check_stats *st);

/*
 * etcdctl's endpointMemoryMetrics: process_resident_memory_bytes from
 * host's /metrics over HTTP ("http://" added to a host without a
 * scheme). On failure prints etcdctl's line ("fetch error: ...", "could
 * not find: ...", "parse error: ...") to stdout and returns 0.
 */
double check_memory_bytes(const char *host, const char *cert, const char *key);

#endif
