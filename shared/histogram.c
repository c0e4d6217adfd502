/*
 * All processes: latency histograms (see histogram.h).
 */
#include <string.h>

#include "shared/assert.h"
#include "shared/histogram.h"

/* prometheus.ExponentialBuckets(0.001, 2, 14), etcd's for its disks. */
static const double disk_le[] = {0.001, 0.002, 0.004, 0.008, 0.016, 0.032, 0.064, 0.128,
	0.256, 0.512, 1.024, 2.048, 4.096, 8.192};
/* prometheus.ExponentialBuckets(0.0001, 2, 16), etcd's for peer round trips. */
static const double rtt_le[] = {0.0001, 0.0002, 0.0004, 0.0008, 0.0016, 0.0032, 0.0064, 0.0128,
	0.0256, 0.0512, 0.1024, 0.2048, 0.4096, 0.8192, 1.6384, 3.2768};
/* prometheus.DefBuckets. */
static const double default_le[] = {0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};

const struct hist_bounds hist_disk_seconds = {disk_le, sizeof(disk_le) / sizeof(disk_le[0])};
const struct hist_bounds hist_rtt_seconds = {rtt_le, sizeof(rtt_le) / sizeof(rtt_le[0])};
const struct hist_bounds hist_default_seconds = {default_le,
	sizeof(default_le) / sizeof(default_le[0])};

void
hist_observe(struct histogram *h, const struct hist_bounds *b, double v)
{
	unsigned i = 0;

	CAIRN_ASSERT(b->n <= HIST_BUCKETS_MAX);
	while (i < b->n && v > b->le[i])
		i++;
	h->counts[i]++;
	h->sum += v;
	h->count++;
}

void
hist_observe_since(struct histogram *h, const struct hist_bounds *b, const struct timespec *start)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	hist_observe(h, b, (double)(now.tv_sec - start->tv_sec) +
	    (double)(now.tv_nsec - start->tv_nsec) / 1e9);
}

void
hist_to_pb(const struct histogram *h, const struct hist_bounds *b, cairn_ipc_Histogram *out)
{
	CAIRN_STATIC_ASSERT(sizeof(out->counts) / sizeof(out->counts[0]) == HIST_BUCKETS_MAX + 1,
	    "one bound for a histogram's buckets");
	memset(out, 0, sizeof(*out));
	out->counts_count = (pb_size_t)b->n + 1;
	memcpy(out->counts, h->counts, sizeof(out->counts[0]) * (b->n + 1));
	out->sum = h->sum;
	out->count = h->count;
}
