/*
 * Benchmark: the pure Raft core's throughput with no disk and no network
 * in the way: 3 members in one process, messages handed over directly,
 * "persisting" free. Entries committed (on the leader) and applied on
 * every member per second, median of 5 runs: a figure that shows the core
 * is never the bottleneck (issue 3 target: over 1 million entries/s).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "raftd/alloc_heap.h"
#include "raftd/core.h"
#include "shared/err.h"

#define CB_MEMBERS 3
#define CB_RUNS 5
#define CB_ENTRY_BYTES 256
#define CB_BATCH 64               /* proposals per leader turn */
/* Under RLOG_ENTRIES_MAX: the log is not compacted until snapshots land. */
#define CB_ENTRIES_DEFAULT 500000ull

static struct rcore cores[CB_MEMBERS + 1];
static uint64_t applied[CB_MEMBERS + 1];

/* Hands one member's update out: "persist" (free), step each receiver
 * at once (it copies the entries it takes, so this must happen before the
 * sender's advance, while they are borrowed), apply, advance. Replies wait
 * in the receivers' outboxes until their own turn: no member is stepped
 * between its rcore_update and rcore_advance. */
static bool
cb_flush_one(uint64_t id)
{
	struct rcore_update u;

	if (!rcore_has_update(&cores[id]))
		return false;
	rcore_update(&cores[id], &u);
	applied[id] += u.ncommitted;
	for (size_t i = 0; i < u.nmsgs; i++)
		rcore_step(&cores[u.msgs[i].to], &u.msgs[i]);
	rcore_advance(&cores[id], &u);
	return true;
}

/* Runs every member's updates until the cluster is quiet. */
static void
cb_flush(void)
{
	bool more = true;

	while (more) {
		more = false;
		for (uint64_t id = 1; id <= CB_MEMBERS; id++)
			more |= cb_flush_one(id);
	}
}

static double
cb_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static double
cb_run(uint64_t total)
{
	struct rcore_start start = {.snap.meta.conf.n = CB_MEMBERS};
	uint8_t data[CB_ENTRY_BYTES];
	double t0, t1;

	memset(data, 'v', sizeof(data));
	for (uint32_t i = 0; i < CB_MEMBERS; i++)
		start.snap.meta.conf.m[i].id = i + 1;
	for (uint64_t id = 1; id <= CB_MEMBERS; id++) {
		struct rcore_config cfg = {.id = id, .election_ticks = 10, .heartbeat_ticks = 1,
		    .seed = 42, .check_quorum = true, .alloc = alloc_heap};

		if (rcore_init(&cores[id], &cfg, &start) != 0) {
			fprintf(stderr, "core_bench: rcore_init failed\n");
			exit(1);
		}
		applied[id] = 0;
	}
	while (cores[1].role != RCORE_LEADER) {
		rcore_tick(&cores[1]);
		cb_flush();
	}
	t0 = cb_now();
	for (uint64_t done = 0; done < total; done += CB_BATCH) {
		for (int i = 0; i < CB_BATCH; i++) {
			int rc = rcore_propose(&cores[1], data, sizeof(data));

			if (rc != 0) {
				fprintf(stderr, "core_bench: proposal refused: %s\n", err_str(rc));
				exit(1);
			}
		}
		cb_flush();
		/* A heartbeat now and then, as time passes. */
		if ((done / CB_BATCH) % 16 == 0) {
			rcore_tick(&cores[1]);
			cb_flush();
		}
	}
	rcore_tick(&cores[1]);
	cb_flush();
	t1 = cb_now();
	if (applied[1] < total || applied[2] < total || applied[3] < total) {
		fprintf(stderr, "core_bench: only %llu/%llu/%llu of %llu applied\n",
		    (unsigned long long)applied[1], (unsigned long long)applied[2],
		    (unsigned long long)applied[3], (unsigned long long)total);
		exit(1);
	}
	for (uint64_t id = 1; id <= CB_MEMBERS; id++)
		rcore_close(&cores[id]);
	return (double)total / (t1 - t0);
}

static int
cb_cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

int
main(int argc, char **argv)
{
	uint64_t total = CB_ENTRIES_DEFAULT;
	double r[CB_RUNS];

	if (argc > 1 && strcmp(argv[1], "--quick") == 0)
		total = 100000;
	for (int i = 0; i < CB_RUNS; i++)
		r[i] = cb_run(total);
	qsort(r, CB_RUNS, sizeof(r[0]), cb_cmp);
	printf("# raft core, %d members in one process, no fsync, %d B entries, "
	    "%llu entries per run, median of %d runs\n", CB_MEMBERS, CB_ENTRY_BYTES,
	    (unsigned long long)total, CB_RUNS);
	printf("entries committed and applied on every member: %.0f/s (min %.0f, max %.0f)\n",
	    r[CB_RUNS / 2], r[0], r[CB_RUNS - 1]);
	return 0;
}
