/*
 * Tests: lease expiry as etcd's lessor: only the leader's leases expire;
 * promotion gives each its TTL plus an extension from then; keep-alives
 * renew; an expired lease is proposed once, then again after the retry
 * interval; revoked leases are forgotten; a follower refuses keep-alives.
 */
#include <CUnit/CUnit.h>
#include <stdio.h>
#include <stdlib.h>

#include "shared/err.h"
#include "stored/lessor.h"
#include "tests/lib/runner.h"

static void
test_expiry(void)
{
	char dir[] = "/tmp/cairn-lessor.XXXXXX", err[256], cmd[64];
	struct mvcc s;
	struct lessor *l;
	int64_t ids[8], ttl, left, granted;

	CU_ASSERT_FATAL(mkdtemp(dir) != NULL);
	CU_ASSERT_FATAL(mvcc_open(&s, dir, NULL, err, sizeof(err)) == 0);
	CU_ASSERT_FATAL((l = lessor_new(&s)) != NULL);
	/* A follower: leases never expire, keep-alives are the leader's. */
	lessor_granted(l, 1, 5, 0);
	lessor_granted(l, 2, 10, 0);
	CU_ASSERT_EQUAL(lessor_expired(l, 1000000, ids, 8), 0);
	CU_ASSERT_EQUAL(lessor_renew(l, 1, 0, &ttl), CAIRN_ENOTLEADER);
	CU_ASSERT_EQUAL(lessor_remaining(l, 1, 0, &left, &granted), 0);
	CU_ASSERT(left == 5 && granted == 5);
	/* Leader at t=1000 with an extension of 1 s: lease 1 lasts to 7000. */
	lessor_promote(l, 1000, 1000);
	CU_ASSERT_EQUAL(lessor_expired(l, 6999, ids, 8), 0);
	CU_ASSERT_EQUAL(lessor_remaining(l, 1, 2000, &left, &granted), 0);
	CU_ASSERT_EQUAL(left, 5);
	CU_ASSERT_EQUAL_FATAL(lessor_expired(l, 7000, ids, 8), 1);
	CU_ASSERT_EQUAL(ids[0], 1);
	/* Proposed once; again only after the retry interval. */
	CU_ASSERT_EQUAL(lessor_expired(l, 7001, ids, 8), 0);
	CU_ASSERT_EQUAL(lessor_expired(l, 7000 + LESSOR_RETRY_MS, ids, 8), 1);
	/* An expired lease cannot be kept alive; a live one can. */
	CU_ASSERT_EQUAL(lessor_renew(l, 1, 8000, &ttl), CAIRN_ELEASENOTFOUND);
	CU_ASSERT_EQUAL(lessor_renew(l, 2, 8000, &ttl), 0);
	CU_ASSERT_EQUAL(ttl, 10);
	CU_ASSERT_EQUAL(lessor_expired(l, 17999, ids, 8), 1); /* lease 1 again */
	lessor_revoked(l, 1);
	CU_ASSERT_EQUAL(lessor_expired(l, 17999, ids, 8), 0);
	CU_ASSERT_EQUAL(lessor_expired(l, 18000, ids, 8), 1);
	CU_ASSERT_EQUAL(ids[0], 2);
	CU_ASSERT_EQUAL(lessor_remaining(l, 1, 0, &left, &granted), CAIRN_ELEASENOTFOUND);
	lessor_revoked(l, 2);
	/* A grant on the leader runs from its time. */
	lessor_granted(l, 3, 2, 20000);
	/* Leases soonest expiry first (etcd's Leases), equal ones by ID. */
	lessor_granted(l, 9, 1, 20000);
	lessor_granted(l, 5, 2, 20000);
	lessor_granted(l, 4, 30, 20000);
	CU_ASSERT_EQUAL_FATAL(lessor_by_expiry(l, ids), 4);
	CU_ASSERT(ids[0] == 9 && ids[1] == 3 && ids[2] == 5 && ids[3] == 4);
	lessor_revoked(l, 9);
	lessor_revoked(l, 5);
	lessor_revoked(l, 4);
	CU_ASSERT_EQUAL(lessor_expired(l, 21999, ids, 8), 0);
	CU_ASSERT_EQUAL(lessor_expired(l, 22000, ids, 8), 1);
	lessor_demote(l);
	CU_ASSERT_EQUAL(lessor_expired(l, 99999999, ids, 8), 0);
	lessor_free(l);
	mvcc_close(&s);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	CU_ASSERT(system(cmd) == 0);
}

/* Many leases: the index finds each after growth and removals. */
static void
test_many(void)
{
	char dir[] = "/tmp/cairn-lessor.XXXXXX", err[256], cmd[64];
	struct mvcc s;
	struct lessor *l;
	int64_t left, granted;
	int bad = 0;

	CU_ASSERT_FATAL(mkdtemp(dir) != NULL);
	CU_ASSERT_FATAL(mvcc_open(&s, dir, NULL, err, sizeof(err)) == 0);
	CU_ASSERT_FATAL((l = lessor_new(&s)) != NULL);
	for (int64_t id = 1; id <= 5000; id++)
		lessor_granted(l, id * 7919, id % 100 + 1, 0);
	for (int64_t id = 1; id <= 5000; id += 2)
		lessor_revoked(l, id * 7919);
	for (int64_t id = 1; id <= 5000; id++) {
		int rc = lessor_remaining(l, id * 7919, 0, &left, &granted);

		if (id % 2 == 1 ? rc != CAIRN_ELEASENOTFOUND : rc != 0 || granted != id % 100 + 1)
			bad++;
	}
	CU_ASSERT_EQUAL(bad, 0);
	CU_ASSERT_EQUAL(lessor_count(l), 2500);
	lessor_free(l);
	mvcc_close(&s);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	CU_ASSERT(system(cmd) == 0);
}

static CU_TestInfo lessor_tests[] = {
	{"expiry only on the leader, retries, renewals", test_expiry},
	{"5,000 leases, half revoked: each found", test_many},
	CU_TEST_INFO_NULL,
};

static CU_SuiteInfo suites[] = {
	{"lessor", NULL, NULL, NULL, NULL, lessor_tests},
	CU_SUITE_INFO_NULL,
};

int
main(void)
{
	return runner_run(suites);
}
