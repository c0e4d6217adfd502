/*
 * Tests: stored's import of etcd's buckets (stored/mvcc_import.c): a
 * history with sub revisions, tombstones, a key that is a prefix of
 * another and a compaction reads back at each revision as written; live
 * keys are attached to their leases (those that exist) across batches;
 * records that are not etcd's are refused.
 */
#include <CUnit/CUnit.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "shared/be.h"
#include "shared/err.h"
#include "shared/pbwire.h"
#include "stored/kv_codec.h"
#include "stored/lease.h"
#include "stored/mvcc_import.h"
#include "stored/rev_codec.h"
#include "tests/lib/runner.h"

#define KV_BYTES_MAX 256
#define MANY_KEYS 2500               /* more than two batches */
#define LEASE_REC_BYTES 64

static char dir[] = "/tmp/cairn-import.XXXXXX";
static struct mvcc s;
static struct mvcc_import im;

/* Each test starts with a new store. */
static void
setup(void)
{
	char err[256];

	memcpy(dir + sizeof(dir) - 7, "XXXXXX", 6);
	if (mkdtemp(dir) == NULL || mvcc_open(&s, dir, NULL, err, sizeof(err)) != 0)
		abort();
	mvcc_import_begin(&im, &s);
}

static void
teardown(void)
{
	char cmd[64];

	mvcc_close(&s);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	if (system(cmd) != 0)
		abort();
}

static int
rec(const char *bucket, const uint8_t *k, size_t kn, const uint8_t *v, size_t vn)
{
	return mvcc_import_record(&im, (const uint8_t *)bucket, strlen(bucket), k, kn, v, vn);
}

/* One key bucket record, as etcd writes it. */
static int
put_kv(int64_t main, int64_t sub, bool tomb, const char *key, size_t key_len, const char *val,
    int64_t create, int64_t version, int64_t lease)
{
	uint8_t rk[MVCC_REV_TOMB_BYTES], v[KV_BYTES_MAX];
	struct mvcc_kv kv = { .key = (const uint8_t *)key, .key_len = (uint32_t)key_len };
	size_t rn = rev_put(rk, (struct mvcc_rev){ .main = main, .sub = sub }, tomb);

	if (!tomb) {
		kv = (struct mvcc_kv){ .key = (const uint8_t *)key, .key_len = (uint32_t)key_len,
			.value = (const uint8_t *)val, .value_len = (uint32_t)strlen(val),
			.create_rev = create, .mod_rev = main, .version = version, .lease = lease };
	}
	return rec("key", rk, rn, v, kv_encode(&kv, v));
}

static int
put_lease(int64_t key_id, int64_t id, int64_t ttl)
{
	uint8_t k[8], v[LEASE_REC_BYTES];
	const uint64_t f[3] = { (uint64_t)id, (uint64_t)ttl, 0 };

	be_put64(k, (uint64_t)key_id);
	return rec("lease", k, sizeof(k), v, pbw_put_varints(v, f, 3));
}

static int
put_compact(const char *name, int64_t main)
{
	uint8_t v[MVCC_REV_TOMB_BYTES];

	return rec("meta", (const uint8_t *)name, strlen(name), v,
	    rev_put(v, (struct mvcc_rev){ .main = main }, false));
}

/* The range's keys and values, "k=v," each, into out. */
struct seen {
	char out[KV_BYTES_MAX];
};

static int
seen_kv(void *arg, const struct mvcc_kv *kv)
{
	struct seen *sn = arg;
	size_t n = strlen(sn->out);

	snprintf(sn->out + n, sizeof(sn->out) - n, "%.*s=%.*s@%lld/%lld,", (int)kv->key_len,
	    (const char *)kv->key, (int)kv->value_len, (const char *)kv->value,
	    (long long)kv->mod_rev, (long long)kv->version);
	return 0;
}

static int
range_at(int64_t rev, struct seen *sn)
{
	static const uint8_t all[1] = { 0 };
	struct mvcc_range_req r = { .key = all, .key_len = 1, .end = all, .end_len = 1,
		.rev = rev };
	struct mvcc_range_res res;

	memset(sn, 0, sizeof(*sn));
	return mvcc_range(&s, NULL, &r, seen_kv, sn, &res);
}

static int
count_key(void *arg, const uint8_t *key, uint32_t key_len)
{
	(void)key;
	(void)key_len;
	(*(int *)arg)++;
	return 0;
}

static void
test_history(void)
{
	struct seen sn;
	uint32_t hash;
	int64_t crev;
	int n = 0;

	CU_ASSERT_EQUAL(rec("alarm", (const uint8_t *)"\x08\x05\x10\x01", 4, NULL, 0), 0);
	CU_ASSERT_EQUAL(rec("auth", (const uint8_t *)"authEnabled", 11, (const uint8_t *)"\0", 1),
	    0);
	CU_ASSERT_EQUAL(put_kv(2, 0, false, "a", 1, "v1", 2, 1, 0), 0);
	CU_ASSERT_EQUAL(put_kv(3, 0, false, "a\x01", 2, "w", 3, 1, 7), 0);
	CU_ASSERT_EQUAL(put_kv(3, 1, false, "b", 1, "x", 3, 1, 9), 0);
	CU_ASSERT_EQUAL(put_kv(4, 0, false, "a", 1, "v2", 2, 2, 0), 0);
	CU_ASSERT_EQUAL(put_kv(5, 0, true, "a", 1, NULL, 0, 0, 0), 0);
	CU_ASSERT_EQUAL(put_lease(7, 7, 60), 0);
	CU_ASSERT_EQUAL(put_compact("finishedCompactRev", 3), 0);
	CU_ASSERT_EQUAL(put_compact("scheduledCompactRev", 3), 0);
	CU_ASSERT_EQUAL(rec("meta", (const uint8_t *)"consistent_index", 16,
	    (const uint8_t *)"\0\0\0\0\0\0\0\x09", 8), 0);
	CU_ASSERT_EQUAL_FATAL(mvcc_import_end(&im), 0);
	CU_ASSERT_EQUAL(s.rev, 5);
	CU_ASSERT_EQUAL(s.compact_rev, 3);
	CU_ASSERT_EQUAL(s.compact_done_rev, 3);
	CU_ASSERT_EQUAL(s.ci, 0);
	CU_ASSERT_EQUAL(im.leases_missing, 1);
	CU_ASSERT_EQUAL(range_at(4, &sn), 0);
	CU_ASSERT_STRING_EQUAL(sn.out, "a=v2@4/2,a\x01=w@3/1,b=x@3/1,");
	CU_ASSERT_EQUAL(range_at(3, &sn), 0);
	CU_ASSERT_STRING_EQUAL(sn.out, "a=v1@2/1,a\x01=w@3/1,b=x@3/1,");
	CU_ASSERT_EQUAL(range_at(0, &sn), 0);
	CU_ASSERT_STRING_EQUAL(sn.out, "a\x01=w@3/1,b=x@3/1,");
	CU_ASSERT_EQUAL(range_at(2, &sn), CAIRN_ECOMPACTED);
	CU_ASSERT_EQUAL(lease_keys(&s, NULL, 7, count_key, &n), 0);
	CU_ASSERT_EQUAL(n, 1);
	CU_ASSERT_EQUAL(mvcc_hash_kv(&s, 0, &hash, &crev), 0);
	CU_ASSERT_EQUAL(crev, 3);
}

static void
test_corrupt(void)
{
	uint8_t rk[MVCC_REV_TOMB_BYTES] = { 0 };

	CU_ASSERT_EQUAL(put_kv(3, 0, false, "a", 1, "v", 3, 1, 0), 0);
	/* Not above the revision before it. */
	CU_ASSERT_EQUAL(put_kv(3, 0, false, "b", 1, "v", 3, 1, 0), CAIRN_ECORRUPT);
	CU_ASSERT_EQUAL(put_kv(2, 5, false, "b", 1, "v", 2, 1, 0), CAIRN_ECORRUPT);
	/* A revision key of the wrong length; a value that does not decode. */
	CU_ASSERT_EQUAL(rec("key", rk, 10, (const uint8_t *)"\x0a\x01" "a", 3), CAIRN_ECORRUPT);
	rev_put(rk, (struct mvcc_rev){ .main = 9 }, false);
	CU_ASSERT_EQUAL(rec("key", rk, MVCC_REV_BYTES, (const uint8_t *)"\x0a\x09" "a", 3),
	    CAIRN_ECORRUPT);
	/* No key at all. */
	CU_ASSERT_EQUAL(rec("key", rk, MVCC_REV_BYTES, (const uint8_t *)"\x10\x01", 2),
	    CAIRN_ECORRUPT);
	/* A lease under another ID; a compaction record of the wrong size. */
	CU_ASSERT_EQUAL(put_lease(7, 8, 60), CAIRN_ECORRUPT);
	CU_ASSERT_EQUAL(rec("meta", (const uint8_t *)"finishedCompactRev", 18,
	    (const uint8_t *)"\0\0\0\0\0", 5), CAIRN_ECORRUPT);
	CU_ASSERT_EQUAL(rec("auth", (const uint8_t *)"authRevision", 12, (const uint8_t *)"\1", 1),
	    CAIRN_ECORRUPT);
	CU_ASSERT_EQUAL(rec("alarm", (const uint8_t *)"\x08", 1, NULL, 0), CAIRN_ECORRUPT);
	CU_ASSERT(mvcc_import_takes((const uint8_t *)"authUsers", 9));
	CU_ASSERT(!mvcc_import_takes((const uint8_t *)"members", 7));
	mvcc_import_abort(&im);
}

/* More records and more leased keys than a batch holds. */
static void
test_batches(void)
{
	char key[16];
	int n = 0;

	CU_ASSERT_EQUAL(put_lease(5, 5, 600), 0);
	for (int i = 0; i < MANY_KEYS; i++) {
		snprintf(key, sizeof(key), "k%05d", i);
		CU_ASSERT_EQUAL(put_kv(2 + i, 0, false, key, strlen(key), "v", 2 + i, 1, i % 5 ? 5 : 0),
		    0);
	}
	CU_ASSERT_EQUAL_FATAL(mvcc_import_end(&im), 0);
	CU_ASSERT_EQUAL(s.rev, 1 + MANY_KEYS);
	CU_ASSERT_EQUAL(s.compact_rev, -1);
	CU_ASSERT_EQUAL(lease_keys(&s, NULL, 5, count_key, &n), 0);
	CU_ASSERT_EQUAL(n, MANY_KEYS - MANY_KEYS / 5);
	CU_ASSERT_EQUAL(im.leases_missing, 0);
}

static CU_TestInfo import_tests[] = {
	{ "a history, a compaction, leases, auth, alarms", test_history },
	{ "records that are not etcd's are refused", test_corrupt },
	{ "more than a batch: records and lease attachments", test_batches },
	CU_TEST_INFO_NULL,
};

static CU_SuiteInfo suites[] = {
	{ "mvcc_import", NULL, NULL, setup, teardown, import_tests },
	CU_SUITE_INFO_NULL,
};

int
main(void)
{
	return runner_run(suites);
}
