/*
 * Benchmark: stored's MVCC store on Berkeley DB alone (no IPC): apply
 * throughput of 256 B puts, a write transaction per put, 64 to a batch as
 * raftd hands entries over; start-up time of a loaded store; point and 100-key range
 * latency (p50/p99) at the loaded size; the process's memory and the db
 * file per key. Issue 4's targets: apply >= 200,000 puts/s, point read
 * p50 < 5 us, start-up < 1 s at 1 million keys, memory per key at most
 * half of etcd's (measured beside etcd in bench/compare, later).
 * Then the longest stall of requests during a compaction and a
 * defragmentation after deleting 90% of the keys.
 * --keys N (default 1,000,000); --quick: 50,000; --cache-mib N: the
 * Berkeley DB cache (default BDB_CACHE_BYTES_DEFAULT); --defrag-pages N:
 * pages per defragmentation step; --memory-only: load, report memory, stop
 * (for bench/store_memory.sh, which measures etcd beside it).
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "shared/err.h"
#include "stored/mvcc.h"

#define SB_VALUE_BYTES 256
#define SB_SAMPLES 100000
#define SB_RANGE 100
#define SB_BATCH 64   /* entries per apply batch: RAFT_PEER_ENTRIES_MAX */
#define SB_COMPACT_RECORDS 500   /* STORED_COMPACT_RECORDS */
#define SB_DEFRAG_PAGES 16

static double
sb_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static long
sb_rss_kib(void)
{
	FILE *f = fopen("/proc/self/status", "r");
	char line[256];
	long kib = -1;

	while (f != NULL && fgets(line, sizeof(line), f) != NULL)
		if (sscanf(line, "VmRSS: %ld kB", &kib) == 1)
			break;
	if (f != NULL)
		fclose(f);
	return kib;
}

/* Keys as a Kubernetes store names them. */
static uint32_t
sb_key(char *buf, uint64_t i)
{
	return (uint32_t)sprintf(buf, "/registry/pods/default/pod-%010" PRIu64, i);
}

static int
sb_cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static int
sb_count(void *arg, const struct mvcc_kv *kv)
{
	(void)kv;
	(*(int *)arg)++;
	return 0;
}

static void
sb_report(const char *what, double *lat, size_t n)
{
	qsort(lat, n, sizeof(*lat), sb_cmp);
	printf("%-22s p50 %7.2f us   p99 %7.2f us\n", what, lat[n / 2] * 1e6,
	    lat[n * 99 / 100] * 1e6);
}

static void
sb_load(struct mvcc *s, uint64_t keys)
{
	uint8_t value[SB_VALUE_BYTES];
	char key[64];
	double t0 = sb_now(), dt;

	memset(value, 'v', sizeof(value));
	for (uint64_t i = 0; i < keys; i++) {
		struct mvcc_wtxn w;
		uint32_t klen = sb_key(key, i);

		if ((i % SB_BATCH == 0 && mvcc_batch_begin(s) != 0) ||
		    mvcc_write_begin(s, &w) != 0 ||
		    mvcc_put(&w, &(struct mvcc_put_req){.key = (uint8_t *)key, .key_len = klen,
		    .value = value, .value_len = sizeof(value)}, NULL, NULL) != 0 ||
		    mvcc_write_end(&w, i + 1, 1) != 0 ||
		    ((i % SB_BATCH == SB_BATCH - 1 || i + 1 == keys) && mvcc_batch_commit(s) != 0)) {
			fprintf(stderr, "store_bench: put %" PRIu64 " failed\n", i);
			exit(1);
		}
	}
	dt = sb_now() - t0;
	printf("apply: %" PRIu64 " puts of %d B, %d per batch (one Berkeley DB transaction): "
	    "%.0f puts/s\n", keys, SB_VALUE_BYTES, SB_BATCH, (double)keys / dt);
}

static void
sb_reads(struct mvcc *s, uint64_t keys)
{
	static double lat[SB_SAMPLES];
	uint64_t rng = 88172645463325252ull;
	char key[64], end[64];

	for (int range = 0; range < 2; range++) {
		for (size_t i = 0; i < SB_SAMPLES; i++) {
			struct mvcc_range_req r = {0};
			struct mvcc_range_res res;
			int got = 0;
			double t0;

			rng ^= rng << 13, rng ^= rng >> 7, rng ^= rng << 17;
			r.key = (uint8_t *)key;
			r.key_len = sb_key(key, rng % keys);
			if (range) {
				r.end = (uint8_t *)end;
				r.end_len = sb_key(end, keys + 1);
				r.limit = SB_RANGE;
			}
			t0 = sb_now();
			if (mvcc_range(s, NULL, &r, sb_count, &got, &res) != 0 || got == 0) {
				fprintf(stderr, "store_bench: read failed\n");
				exit(1);
			}
			lat[i] = sb_now() - t0;
		}
		sb_report(range ? "range of 100 keys:" : "point read:", lat, SB_SAMPLES);
	}
}

/* One write transaction that deletes key i (0 if it was there). */
static int
sb_delete(struct mvcc *s, uint64_t i, uint64_t *ci)
{
	struct mvcc_wtxn w;
	char key[64];
	uint32_t klen = sb_key(key, i);
	int64_t deleted;

	if (mvcc_write_begin(s, &w) != 0)
		return -1;
	if (mvcc_delete_range(&w, (uint8_t *)key, klen, NULL, 0, &deleted, NULL, NULL) != 0) {
		mvcc_write_abort(&w);
		return -1;
	}
	return mvcc_write_end(&w, ++*ci, 1);
}

/* A request between two steps: a point read of a kept key and a put. */
static double
sb_request(struct mvcc *s, uint64_t keys, uint64_t *ci, uint64_t *rng)
{
	uint8_t value[SB_VALUE_BYTES] = {0};
	char key[64];
	struct mvcc_range_req r = {.key = (uint8_t *)key};
	struct mvcc_range_res res;
	struct mvcc_wtxn w;
	int got = 0;
	double t0 = sb_now();

	*rng ^= *rng << 13, *rng ^= *rng >> 7, *rng ^= *rng << 17;
	r.key_len = sb_key(key, (*rng % (keys / 10)) * 10);
	if (mvcc_range(s, NULL, &r, sb_count, &got, &res) != 0 || got != 1 ||
	    mvcc_write_begin(s, &w) != 0 ||
	    mvcc_put(&w, &(struct mvcc_put_req){.key = (uint8_t *)key, .key_len = r.key_len,
	    .value = value, .value_len = sizeof(value)}, NULL, NULL) != 0 ||
	    mvcc_write_end(&w, ++*ci, 1) != 0) {
		fprintf(stderr, "store_bench: a request during maintenance failed\n");
		exit(1);
	}
	return sb_now() - t0;
}

/* A maintenance pass's figures: steps, the longest, how many over the
 * 10 ms target, the longest request between steps. */
struct sb_pass {
	uint64_t steps, over;
	double step_max, req_max;
};

typedef int sb_step_fn(struct mvcc *s, unsigned budget, bool *done);

static int
sb_compact_step(struct mvcc *s, unsigned budget, bool *done)
{
	return mvcc_compact_step(s, budget, done);
}

static struct sb_pass
sb_steps(struct mvcc *s, sb_step_fn *step, unsigned budget, uint64_t keys, uint64_t *ci)
{
	struct sb_pass p = {0};
	uint64_t rng = 2463534242ull;
	bool done = false;
	double synced = sb_now(), checkpointed = synced;

	while (!done) {
		double t0 = sb_now(), dt;

		/* cairn-stored flushes the log every STORED_SYNC_MS (100 ms) and
		 * checkpoints every STORED_CHECKPOINT_MS (30 s), which lets old
		 * log files go: so does this loop, between steps, outside their
		 * timing. */
		if (t0 - synced >= 0.1) {
			if (bdb_sync(&s->db) != 0 ||
			    (t0 - checkpointed >= 30 && bdb_checkpoint(&s->db) != 0))
				exit(1);
			if (t0 - checkpointed >= 30)
				checkpointed = t0;
			synced = t0 = sb_now();
		}

		if (step(s, budget, &done) != 0) {
			fprintf(stderr, "store_bench: a maintenance step failed\n");
			exit(1);
		}
		dt = sb_now() - t0;
		p.steps++;
		p.over += dt > 0.010;
		p.step_max = dt > p.step_max ? dt : p.step_max;
		dt = sb_request(s, keys, ci, &rng);
		p.req_max = dt > p.req_max ? dt : p.req_max;
	}
	return p;
}

/*
 * Issue 4's stalls: 90% of the keys deleted, then the compaction's
 * physical pass and the defragmentation run in steps as cairn-stored runs
 * them, a read and a write between steps. A request waits at most one
 * step: the longest step is the longest stall (target 10 ms).
 */
static void
sb_maintenance(struct mvcc *s, uint64_t keys, unsigned records, unsigned pages)
{
	uint64_t ci = s->ci;
	int64_t size0, size1, in_use;
	struct sb_pass p;

	for (uint64_t i = 0; i < keys; i++)
		if (i % 10 != 0 && ((i % 1000 == 1 && mvcc_batch_begin(s) != 0) ||
		    sb_delete(s, i, &ci) != 0 ||
		    ((i % 1000 == 999 || i + 1 == keys) && mvcc_batch_commit(s) != 0))) {
			fprintf(stderr, "store_bench: delete %" PRIu64 " failed\n", i);
			exit(1);
		}
	if (mvcc_compact(s, s->rev, ++ci, 1) != 0 || mvcc_db_size(s, &size0, &in_use) != 0)
		exit(1);
	p = sb_steps(s, sb_compact_step, records, keys, &ci);
	printf("compaction after deleting 90%%: %" PRIu64 " steps of %u records, longest "
	    "%.1f ms, %" PRIu64 " over 10 ms; longest request between steps %.2f ms\n", p.steps,
	    records, p.step_max * 1e3, p.over, p.req_max * 1e3);
	mvcc_defrag_begin(s);
	p = sb_steps(s, mvcc_defrag_step, pages, keys, &ci);
	if (mvcc_db_size(s, &size1, &in_use) != 0)
		exit(1);
	printf("defrag: %" PRIu64 " steps of %u pages, longest %.1f ms, %" PRIu64 " over 10 ms; "
	    "longest request between steps %.2f ms; file %.1f -> %.1f MiB\n", p.steps, pages,
	    p.step_max * 1e3, p.over, p.req_max * 1e3, (double)size0 / 1048576,
	    (double)size1 / 1048576);
}

/* The resident memory the load added (KiB), per key. */
static void
sb_memory(long kib, uint64_t keys, const struct bdb_options *opt)
{
	printf("memory after loading: %.1f MiB RSS over the start, %.0f bytes per key "
	    "(the cache is %u MiB)\n", (double)kib / 1024, (double)kib * 1024 / (double)keys,
	    (opt->cache_bytes ? opt->cache_bytes : BDB_CACHE_BYTES_DEFAULT) >> 20);
}

int
main(int argc, char **argv)
{
	char dir[] = "store_bench.XXXXXX", err[256], cmd[64], path[128];
	uint64_t keys = 1000000;
	unsigned pages = SB_DEFRAG_PAGES, records = SB_COMPACT_RECORDS;
	bool memory_only = false;
	struct bdb_options opt = {0};
	struct mvcc s;
	struct stat st;
	long rss0 = sb_rss_kib(), rss;
	double t0;

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--quick") == 0)
			keys = 50000;
		else if (strcmp(argv[i], "--keys") == 0 && i + 1 < argc)
			keys = strtoull(argv[++i], NULL, 10);
		else if (strcmp(argv[i], "--memory-only") == 0)
			memory_only = true;
		else if (strcmp(argv[i], "--compact-records") == 0 && i + 1 < argc)
			records = (unsigned)strtoul(argv[++i], NULL, 10);
		else if (strcmp(argv[i], "--defrag-pages") == 0 && i + 1 < argc)
			pages = (unsigned)strtoul(argv[++i], NULL, 10);
		else if (strcmp(argv[i], "--cache-mib") == 0 && i + 1 < argc)
			opt.cache_bytes = (uint32_t)strtoul(argv[++i], NULL, 10) << 20;
	}
	if (mkdtemp(dir) == NULL || mvcc_open(&s, dir, &opt, err, sizeof(err)) != 0) {
		fprintf(stderr, "store_bench: %s\n", err);
		return 1;
	}
	sb_load(&s, keys);
	rss = sb_rss_kib();
	mvcc_close(&s);
	if (memory_only) {
		sb_memory(rss - rss0, keys, &opt);
		snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
		return system(cmd) == 0 ? 0 : 1;
	}
	t0 = sb_now();
	if (mvcc_open(&s, dir, &opt, err, sizeof(err)) != 0) {
		fprintf(stderr, "store_bench: %s\n", err);
		return 1;
	}
	printf("start-up at %" PRIu64 " keys: %.3f s\n", keys, sb_now() - t0);
	sb_reads(&s, keys);
	snprintf(path, sizeof(path), "%s/%s", dir, BDB_FILE);
	if (stat(path, &st) == 0)
		printf("db file: %.1f MiB, %.0f bytes per key\n", (double)st.st_size / 1048576,
		    (double)st.st_size / (double)keys);
	sb_memory(rss - rss0, keys, &opt);
	sb_maintenance(&s, keys, records, pages);
	mvcc_close(&s);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	return system(cmd) == 0 ? 0 : 1;
}
