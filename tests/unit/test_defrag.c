/*
 * Tests: defragmentation (issue 4): after deleting 90% of the keys,
 * compacting and defragmenting, the store's file is at most half of what
 * it was, and the reads and writes issued between the defragmentation's
 * steps all succeed. And etcd's Hash of the whole store, which
 * defragmentation must leave alone. CAIRN_DEFRAG_KEYS sets the keys loaded (default
 * 100,000; the figure is 1 million, for make bench).
 */
#include <CUnit/CUnit.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "shared/err.h"
#include "stored/mvcc.h"
#include "tests/lib/runner.h"

#define DF_VALUE_BYTES 256
#define DF_BATCH 64

static struct mvcc S;
static uint64_t ci;

static uint32_t
df_key(char *buf, uint64_t i)
{
	return (uint32_t)sprintf(buf, "/registry/configmaps/ns/cm-%08" PRIu64, i);
}

static int
df_found(void *arg, const struct mvcc_kv *kv)
{
	*(int64_t *)arg = kv->value_len;
	return 0;
}

/* The value length of key i, or -1 when it is not there. */
static int64_t
df_get(uint64_t i)
{
	char key[64];
	struct mvcc_range_req r = {.key = (uint8_t *)key, .key_len = df_key(key, i)};
	struct mvcc_range_res res;
	int64_t len = -1;

	if (mvcc_range(&S, NULL, &r, df_found, &len, &res) != 0)
		return -2;
	return len;
}

/* Puts (or deletes) keys [from, to) whose index passes 'pick'. */
static void
df_write(uint64_t from, uint64_t to, bool del, bool (*pick)(uint64_t))
{
	static uint8_t value[DF_VALUE_BYTES];
	uint64_t n = 0;

	memset(value, 'v', sizeof(value));
	for (uint64_t i = from; i < to; i++) {
		struct mvcc_wtxn w;
		char key[64];
		uint32_t klen = df_key(key, i);
		int64_t deleted;

		if (pick != NULL && !pick(i))
			continue;
		if (n++ % DF_BATCH == 0)
			CU_ASSERT_FATAL(mvcc_batch_begin(&S) == 0);
		CU_ASSERT_FATAL(mvcc_write_begin(&S, &w) == 0);
		if (del) {
			CU_ASSERT_FATAL(mvcc_delete_range(&w, (uint8_t *)key, klen, NULL, 0, &deleted,
			    NULL, NULL) == 0);
		} else {
			CU_ASSERT_FATAL(mvcc_put(&w, &(struct mvcc_put_req){.key = (uint8_t *)key,
			    .key_len = klen, .value = value, .value_len = sizeof(value)},
			    NULL, NULL) == 0);
		}
		CU_ASSERT_FATAL(mvcc_write_end(&w, ++ci, 1) == 0);
		if (n % DF_BATCH == 0)
			CU_ASSERT_FATAL(mvcc_batch_commit(&S) == 0);
	}
	if (S.batch != NULL)
		CU_ASSERT_FATAL(mvcc_batch_commit(&S) == 0);
}

static bool
not_tenth(uint64_t i)
{
	return i % 10 != 0;
}

static void
test_defrag_shrinks_online(void)
{
	char dir[] = "/tmp/cairn-defrag.XXXXXX", err[256], cmd[64];
	const char *env = getenv("CAIRN_DEFRAG_KEYS");
	uint64_t keys = env != NULL ? strtoull(env, NULL, 10) : 100000, extra = keys, steps = 0;
	int64_t loaded, size, in_use, after;
	bool done = false;
	long bad = 0;
	double longest = 0;

	CU_ASSERT_FATAL(mkdtemp(dir) != NULL);
	CU_ASSERT_FATAL(mvcc_open(&S, dir, NULL, err, sizeof(err)) == 0);
	df_write(0, keys, false, NULL);
	CU_ASSERT_FATAL(bdb_checkpoint(&S.db) == 0);
	CU_ASSERT_FATAL(mvcc_db_size(&S, &loaded, &in_use) == 0);
	df_write(0, keys, true, not_tenth);
	CU_ASSERT_FATAL(mvcc_compact(&S, S.rev, ++ci, 1) == 0);
	while (!done)
		CU_ASSERT_FATAL(mvcc_compact_step(&S, 10000, &done) == 0);
	CU_ASSERT_FATAL(mvcc_db_size(&S, &size, &in_use) == 0);
	printf("# %" PRIu64 " keys: %" PRId64 " bytes loaded; after deleting 90%% and "
	    "compacting: %" PRId64 " bytes, %" PRId64 " in use\n", keys, loaded, size, in_use);
	CU_ASSERT(in_use < size);
	/* Defragment, writing and reading between steps. */
	mvcc_defrag_begin(&S);
	for (done = false; !done; steps++) {
		struct timespec t0, t1;
		double ms;

		clock_gettime(CLOCK_MONOTONIC, &t0);
		CU_ASSERT_FATAL(mvcc_defrag_step(&S, 64, &done) == 0);
		clock_gettime(CLOCK_MONOTONIC, &t1);
		ms = (double)(t1.tv_sec - t0.tv_sec) * 1e3 + (double)(t1.tv_nsec - t0.tv_nsec) / 1e6;
		if (ms > longest)
			longest = ms;
		df_write(keys + extra, keys + extra + 1, false, NULL);
		if (df_get(keys + extra) != DF_VALUE_BYTES || df_get((steps * 10) % keys) !=
		    DF_VALUE_BYTES)
			bad++;
		extra++;
	}
	CU_ASSERT_FATAL(bdb_checkpoint(&S.db) == 0);
	CU_ASSERT_FATAL(mvcc_db_size(&S, &after, &in_use) == 0);
	/* The longest step is reported, not asserted: timing is bench/'s. */
	printf("# defragmented in %" PRIu64 " steps (longest %.1f ms), %" PRIu64 " pages freed: %"
	    PRId64 " bytes (%.0f%% of loaded), %" PRId64 " in use\n", steps, longest,
	    S.defrag.pages_freed, after, 100.0 * (double)after / (double)loaded, in_use);
	CU_ASSERT_EQUAL(bad, 0);
	CU_ASSERT(after * 2 <= loaded);
	/* Every key kept is still there, every deleted one gone. */
	for (uint64_t i = 0; i < keys; i += 7)
		if (df_get(i) != (i % 10 == 0 ? DF_VALUE_BYTES : -1))
			bad++;
	CU_ASSERT_EQUAL(bad, 0);
	mvcc_close(&S);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	CU_ASSERT(system(cmd) == 0);
}

/* Builds a store in a new directory: keys [0, n) put, then every third
 * deleted and the rest compacted at 'crev' (0: no compaction). */
static void
hash_store(char *dir, uint64_t n, int64_t crev)
{
	char err[256];
	bool done = false;

	ci = 0;
	CU_ASSERT_FATAL(mkdtemp(dir) != NULL);
	CU_ASSERT_FATAL(mvcc_open(&S, dir, NULL, err, sizeof(err)) == 0);
	df_write(0, n, false, NULL);
	df_write(0, n, true, not_tenth);
	if (crev > 0) {
		CU_ASSERT_FATAL(mvcc_compact(&S, crev, ++ci, 1) == 0);
		while (!done)
			CU_ASSERT_FATAL(mvcc_compact_step(&S, 100, &done) == 0);
	}
}

static void
hash_drop(const char *dir)
{
	char cmd[64];

	mvcc_close(&S);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	CU_ASSERT(system(cmd) == 0);
}

static void
test_hash(void)
{
	char d1[] = "/tmp/cairn-hash1.XXXXXX", d2[] = "/tmp/cairn-hash2.XXXXXX", err[256];
	uint32_t h, h2, h3;
	struct mvcc_wtxn w;
	bool done = false;

	hash_store(d1, 3000, 4000);
	CU_ASSERT_FATAL(mvcc_hash(&S, &h) == 0);
	/* An entry that changes nothing (a leader's no-op, a new term). */
	CU_ASSERT_FATAL(mvcc_write_begin(&S, &w) == 0);
	CU_ASSERT_FATAL(mvcc_write_end(&w, ++ci, 2) == 0);
	CU_ASSERT_FATAL(mvcc_hash(&S, &h2) == 0);
	CU_ASSERT_EQUAL(h2, h);
	/* Defragmentation moves pages, not records. */
	mvcc_defrag_begin(&S);
	while (!done)
		CU_ASSERT_FATAL(mvcc_defrag_step(&S, 64, &done) == 0);
	CU_ASSERT_FATAL(mvcc_hash(&S, &h2) == 0);
	CU_ASSERT_EQUAL(h2, h);
	/* A restart reads the same records. */
	mvcc_close(&S);
	CU_ASSERT_FATAL(mvcc_open(&S, d1, NULL, err, sizeof(err)) == 0);
	CU_ASSERT_FATAL(mvcc_hash(&S, &h2) == 0);
	CU_ASSERT_EQUAL(h2, h);
	/* A write changes it. */
	df_write(5000, 5001, false, NULL);
	CU_ASSERT_FATAL(mvcc_hash(&S, &h2) == 0);
	CU_ASSERT_NOT_EQUAL(h2, h);
	hash_drop(d1);
	/* Another store given the same entries: the same Hash; given another
	 * compaction: not. */
	hash_store(d2, 3000, 4000);
	CU_ASSERT_FATAL(mvcc_hash(&S, &h3) == 0);
	CU_ASSERT_EQUAL(h3, h);
	hash_drop(d2);
	strcpy(d2, "/tmp/cairn-hash2.XXXXXX");
	hash_store(d2, 3000, 3500);
	CU_ASSERT_FATAL(mvcc_hash(&S, &h3) == 0);
	CU_ASSERT_NOT_EQUAL(h3, h);
	hash_drop(d2);
}

static CU_TestInfo defrag_tests[] = {
	{"90% deleted: defrag halves the file, online", test_defrag_shrinks_online},
	{"Hash: same entries, same hash; defrag, restart, no-ops change nothing", test_hash},
	CU_TEST_INFO_NULL,
};

static CU_SuiteInfo suites[] = {
	{"defrag", NULL, NULL, NULL, NULL, defrag_tests},
	CU_SUITE_INFO_NULL,
};

int
main(void)
{
	return runner_run(suites);
}
