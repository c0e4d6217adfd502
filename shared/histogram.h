/*
 * All processes: latency histograms as Prometheus' client keeps them
 * (a count per bucket, their sum and count), with etcd's bucket bounds,
 * for /metrics. Each process keeps its own and sends them to netd
 * (IPC_NETD_METRICS_SET), which writes the page (netd/metrics.c).
 */
#ifndef CAIRN_SHARED_HISTOGRAM_H
#define CAIRN_SHARED_HISTOGRAM_H

#include <stdint.h>
#include <time.h>

#include "shared/proto/ipc.pb.h"

#define HIST_BUCKETS_MAX 16

/* Upper bounds of the buckets, ascending; +Inf is implied. */
struct hist_bounds {
	const double *le;
	unsigned n;                 /* at most HIST_BUCKETS_MAX */
};

/* etcd's disk histograms (WAL fsync, backend commit): 1 ms to 8.192 s. */
extern const struct hist_bounds hist_disk_seconds;
/* etcd's peer round trips: 0.1 ms to 3.2768 s. */
extern const struct hist_bounds hist_rtt_seconds;
/* Prometheus' default buckets (grpc_server_handling_seconds). */
extern const struct hist_bounds hist_default_seconds;

struct histogram {
	uint64_t counts[HIST_BUCKETS_MAX + 1]; /* per bucket, not cumulative; last: +Inf */
	double sum;
	uint64_t count;
};

void hist_observe(struct histogram *h, const struct hist_bounds *b, double v);
/* Observes the seconds since 'start' (CLOCK_MONOTONIC). */
void hist_observe_since(struct histogram *h, const struct hist_bounds *b,
    const struct timespec *start);
/* As the IPC message carries it (counts per bucket, +Inf last). */
void hist_to_pb(const struct histogram *h, const struct hist_bounds *b, cairn_ipc_Histogram *out);

#endif
