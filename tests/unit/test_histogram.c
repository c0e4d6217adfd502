/*
 * Tests: latency histograms (shared/histogram.h): a value lands in the
 * first bucket whose bound it does not exceed (a bound is inclusive, as
 * Prometheus' le), beyond the last in +Inf; sum and count follow; the IPC
 * form carries every bucket and +Inf.
 */
#include <CUnit/CUnit.h>
#include <math.h>

#include "shared/histogram.h"
#include "tests/lib/runner.h"

static void
test_buckets(void)
{
	struct histogram h = {0};

	hist_observe(&h, &hist_disk_seconds, 0.0005);
	hist_observe(&h, &hist_disk_seconds, 0.001);  /* on the bound: that bucket */
	hist_observe(&h, &hist_disk_seconds, 0.0011);
	hist_observe(&h, &hist_disk_seconds, 0.003);
	hist_observe(&h, &hist_disk_seconds, 8.192);
	hist_observe(&h, &hist_disk_seconds, 100);   /* past the last: +Inf */
	CU_ASSERT_EQUAL(h.counts[0], 2);
	CU_ASSERT_EQUAL(h.counts[1], 1);
	CU_ASSERT_EQUAL(h.counts[2], 1);
	CU_ASSERT_EQUAL(h.counts[13], 1);
	CU_ASSERT_EQUAL(h.counts[14], 1);
	CU_ASSERT_EQUAL(h.count, 6);
	CU_ASSERT(fabs(h.sum - (0.0005 + 0.001 + 0.0011 + 0.003 + 8.192 + 100)) < 1e-9);
}

static void
test_to_pb(void)
{
	struct histogram h = {0};
	cairn_ipc_Histogram pb;

	hist_observe(&h, &hist_default_seconds, 0.2);
	hist_observe(&h, &hist_default_seconds, 11);
	hist_to_pb(&h, &hist_default_seconds, &pb);
	CU_ASSERT_EQUAL(pb.counts_count, hist_default_seconds.n + 1);
	CU_ASSERT_EQUAL(pb.counts[5], 1); /* le 0.25 */
	CU_ASSERT_EQUAL(pb.counts[hist_default_seconds.n], 1);
	CU_ASSERT_EQUAL(pb.count, 2);
	CU_ASSERT(fabs(pb.sum - 11.2) < 1e-9);
}

static void
test_since(void)
{
	struct histogram h = {0};
	struct timespec start;

	clock_gettime(CLOCK_MONOTONIC, &start);
	start.tv_sec -= 2; /* two seconds ago: the 2.048 bucket */
	hist_observe_since(&h, &hist_disk_seconds, &start);
	CU_ASSERT_EQUAL(h.counts[11], 1);
	CU_ASSERT(h.sum >= 2.0 && h.sum < 2.048);
}

static CU_TestInfo hist_tests[] = {
	{"values land in their buckets", test_buckets},
	{"the IPC form", test_to_pb},
	{"seconds since a start", test_since},
	CU_TEST_INFO_NULL,
};

static CU_SuiteInfo suites[] = {
	{"histogram", NULL, NULL, NULL, NULL, hist_tests},
	CU_SUITE_INFO_NULL,
};

int
main(void)
{
	return runner_run(suites);
}
