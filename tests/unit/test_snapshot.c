/*
 * Tests: a snapshot of the store restores to the same store (revision,
 * consistent index, HashKV, leases), taken while the store is open; a
 * flipped byte, a cut stream or a file name with a path are refused.
 */
#include <CUnit/CUnit.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "shared/err.h"
#include "shared/xmalloc.h"
#include "stored/lease.h"
#include "stored/bdb.h"
#include "stored/snapshot.h"
#include "tests/lib/membuf.h"
#include "tests/lib/runner.h"

static uint64_t ci;

static void
put(struct mvcc *s, const char *k, const char *v)
{
	struct mvcc_wtxn w;

	CU_ASSERT_FATAL(mvcc_write_begin(s, &w) == 0);
	CU_ASSERT_FATAL(mvcc_put(&w, &(struct mvcc_put_req){.key = (const uint8_t *)k,
	    .key_len = strlen(k), .value = (const uint8_t *)v, .value_len = strlen(v)},
	    NULL, NULL) == 0);
	CU_ASSERT_FATAL(mvcc_write_end(&w, ++ci, 4) == 0);
}

static int
restore(struct membuf *m, const char *dir)
{
	char err[256];
	int rc;

	m->off = 0;
	rc = snapshot_restore(mem_source, m, dir, err, sizeof(err));
	if (rc != 0)
		printf("# restore: %s\n", err);
	return rc;
}

static void
test_round_trip(void)
{
	char a[] = "/tmp/cairn-snap-a.XXXXXX", b[] = "/tmp/cairn-snap-b.XXXXXX",
	    c[] = "/tmp/cairn-snap-c.XXXXXX", err[256], cmd[128];
	struct mvcc s, r;
	struct membuf m = {0};
	uint32_t h1, h2;
	int64_t cr;
	struct lease_rec l;
	struct mvcc_wtxn w;

	CU_ASSERT_FATAL(mkdtemp(a) && mkdtemp(b) && mkdtemp(c));
	CU_ASSERT_FATAL(mvcc_open(&s, a, NULL, err, sizeof(err)) == 0);
	for (int i = 0; i < 2000; i++) {
		char k[32], v[32];

		snprintf(k, sizeof(k), "key-%04d", i % 700);
		snprintf(v, sizeof(v), "value-%d", i);
		put(&s, k, v);
	}
	CU_ASSERT_FATAL(mvcc_write_begin(&s, &w) == 0);
	CU_ASSERT_FATAL(lease_grant(&w, 42, 60, 1) == 0);
	CU_ASSERT_FATAL(mvcc_write_end(&w, ++ci, 4) == 0);
	CU_ASSERT_FATAL(mvcc_compact(&s, 1000, ++ci, 4) == 0);
	CU_ASSERT_EQUAL_FATAL(snapshot_write(&s, mem_sink, &m), 0);
	CU_ASSERT_EQUAL(mvcc_hash_kv(&s, 0, &h1, &cr), 0);
	/* Written after the snapshot: not in it. */
	put(&s, "later", "x");
	printf("# snapshot of %zu bytes\n", m.len);
	/* etcdctl's test that a snapshot ends with its SHA-256. */
	CU_ASSERT_EQUAL(m.len % SNAPSHOT_ALIGN_BYTES, SNAPSHOT_SHA256_BYTES);
	/* The log file is BDB_LOG_FILE_BYTES long, mostly zeros: those are
	 * left out (before, every snapshot was over 16 MiB). */
	CU_ASSERT(m.len < BDB_LOG_FILE_BYTES / 2);
	CU_ASSERT_EQUAL_FATAL(restore(&m, b), 0);
	CU_ASSERT_FATAL(mvcc_open(&r, b, NULL, err, sizeof(err)) == 0);
	CU_ASSERT_EQUAL(r.rev, s.rev - 1);
	CU_ASSERT_EQUAL(r.ci, ci - 1);
	CU_ASSERT_EQUAL(r.compact_rev, 1000);
	CU_ASSERT_EQUAL(mvcc_hash_kv(&r, 0, &h2, &cr), 0);
	CU_ASSERT_EQUAL(h1, h2);
	CU_ASSERT_EQUAL(lease_get(&r, NULL, 42, &l), 0);
	mvcc_close(&r);
	/* A flipped byte anywhere is refused; so is a cut stream. */
	m.p[m.len / 2] ^= 1;
	CU_ASSERT_EQUAL(restore(&m, c), CAIRN_ECORRUPT);
	m.p[m.len / 2] ^= 1;
	m.len -= 10;
	CU_ASSERT_EQUAL(restore(&m, c), CAIRN_ECORRUPT);
	mvcc_close(&s);
	free(m.p);
	snprintf(cmd, sizeof(cmd), "rm -rf %s %s %s", a, b, c);
	CU_ASSERT(system(cmd) == 0);
}

/* A record naming "../x" writes nothing outside the directory. */
static void
test_hostile_name(void)
{
	char d[] = "/tmp/cairn-snap-d.XXXXXX", cmd[64], path[128];
	uint8_t rec[] = {1, 4, 0, '.', '.', '/', 'x', 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 'z'};
	struct membuf m = {.p = rec, .len = sizeof(rec)};

	CU_ASSERT_FATAL(mkdtemp(d) != NULL);
	CU_ASSERT_EQUAL(restore(&m, d), CAIRN_ECORRUPT);
	snprintf(path, sizeof(path), "%s/../x", d);
	CU_ASSERT(access(path, F_OK) != 0);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", d);
	CU_ASSERT(system(cmd) == 0);
}

static CU_TestInfo snapshot_tests[] = {
	{"a snapshot restores to the same store", test_round_trip},
	{"a file name with a path is refused", test_hostile_name},
	CU_TEST_INFO_NULL,
};

static CU_SuiteInfo suites[] = {
	{"snapshot", NULL, NULL, NULL, NULL, snapshot_tests},
	CU_SUITE_INFO_NULL,
};

int
main(void)
{
	return runner_run(suites);
}
