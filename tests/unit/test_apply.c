/*
 * Tests: the applier's responses, byte for byte. The sequence is one run
 * against the real etcd 3.4.23 (etcdctl put, then etcdctl txn with value
 * and version compares); etcd's JSON answers, rewritten in protobuf text
 * format with cluster ID 1, member ID 2 and term 3, were encoded by
 * protoc from shared/proto/etcdserverpb/rpc.proto (shown beside each).
 * Then range options and etcd's refusals.
 */
#include <CUnit/CUnit.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "shared/err.h"
#include "shared/pbwire.h"
#include "stored/apply.h"
#include "stored/lease.h"
#include "stored/members.h"
#include "raftd/raft_types.h"
#include "tests/lib/runner.h"

static char dir[] = "/tmp/cairn-apply.XXXXXX";
static struct mvcc S;
static struct apply A;
static struct spb out;
static uint64_t ci;

#define B(s) ((struct req_bytes){.p = (const uint8_t *)(s), .n = sizeof(s) - 1})

static int
setup(void)
{
	char err[256];

	if (mkdtemp(dir) == NULL || mvcc_open(&S, dir, NULL, err, sizeof(err)) != 0)
		return -1;
	if (apply_init(&A, &S) != 0)
		return -1;
	A.cluster_id = 1;
	A.member_id = 2;
	A.term = 3;
	A.lease_min_ttl = 2;
	spb_init(&out);
	return 0;
}

static int
teardown(void)
{
	char cmd[64];

	spb_free(&out);
	apply_free(&A);
	mvcc_close(&S);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	return system(cmd);
}

static int
run(const struct req *r)
{
	return apply_request(&A, r, ++ci, 3, &out);
}

static bool
out_is(const uint8_t *want, size_t n)
{
	return runner_bytes_eq(out.buf, out.len, want, n);
}

static void
test_etcd_txn_sequence(void)
{
	/* header {cluster_id: 1 member_id: 2 revision: 2 raft_term: 3} */
	static const uint8_t put_a[] = {0x0a, 0x08, 0x08, 0x01, 0x10, 0x02, 0x18, 0x02, 0x20, 0x03};
	/* header {... revision: 3 ...} succeeded: true
	 * responses { response_put { header { revision: 3 } } }
	 * responses { response_range { header { revision: 3 } kvs { key: "a"
	 *   create_revision: 2 mod_revision: 2 version: 1 value: "1" } count: 1 } }
	 * responses { response_delete_range { header { revision: 3 } deleted: 1 } } */
	static const uint8_t txn1[] = {0x0a, 0x08, 0x08, 0x01, 0x10, 0x02, 0x18, 0x03, 0x20,
	    0x03, 0x10, 0x01, 0x1a, 0x06, 0x12, 0x04, 0x0a, 0x02, 0x18, 0x03, 0x1a, 0x16, 0x0a,
	    0x14, 0x0a, 0x02, 0x18, 0x03, 0x12, 0x0c, 0x0a, 0x01, 0x61, 0x10, 0x02, 0x18, 0x02,
	    0x20, 0x01, 0x2a, 0x01, 0x31, 0x20, 0x01, 0x1a, 0x08, 0x1a, 0x06, 0x0a, 0x02, 0x18,
	    0x03, 0x10, 0x01};
	/* header {... revision: 4 ...}
	 * responses { response_range { header { revision: 3 } kvs { key: "b"
	 *   create_revision: 3 mod_revision: 3 version: 1 value: "2" } count: 1 } }
	 * responses { response_put { header { revision: 4 } } } */
	static const uint8_t txn2[] = {0x0a, 0x08, 0x08, 0x01, 0x10, 0x02, 0x18, 0x04, 0x20,
	    0x03, 0x1a, 0x16, 0x0a, 0x14, 0x0a, 0x02, 0x18, 0x03, 0x12, 0x0c, 0x0a, 0x01, 0x62,
	    0x10, 0x03, 0x18, 0x03, 0x20, 0x01, 0x2a, 0x01, 0x32, 0x20, 0x01, 0x1a, 0x06, 0x12,
	    0x04, 0x0a, 0x02, 0x18, 0x04};
	/* header {... revision: 4 ...}
	 * responses { response_range { header { revision: 4 } kvs { key: "b" ... } count: 1 } } */
	static const uint8_t txn3[] = {0x0a, 0x08, 0x08, 0x01, 0x10, 0x02, 0x18, 0x04, 0x20,
	    0x03, 0x1a, 0x16, 0x0a, 0x14, 0x0a, 0x02, 0x18, 0x04, 0x12, 0x0c, 0x0a, 0x01, 0x62,
	    0x10, 0x03, 0x18, 0x03, 0x20, 0x01, 0x2a, 0x01, 0x32, 0x20, 0x01};
	/* header {... revision: 5 ...} succeeded: true
	 * responses { response_put { header { revision: 5 } } } */
	static const uint8_t txn4[] = {0x0a, 0x08, 0x08, 0x01, 0x10, 0x02, 0x18, 0x05, 0x20,
	    0x03, 0x10, 0x01, 0x1a, 0x06, 0x12, 0x04, 0x0a, 0x02, 0x18, 0x05};
	struct req r = {.type = REQ_PUT, .u.put = {.key = B("a"), .value = B("1")}};
	struct req_compare c1 = {.result = REQ_CMP_EQUAL, .target = REQ_CMP_VALUE,
	    .key = B("a"), .value = B("1")};
	struct req_op s1[] = {
		{.type = REQ_OP_PUT, .u.put = {.key = B("b"), .value = B("2")}},
		{.type = REQ_OP_RANGE, .u.range = {.key = B("a")}},
		{.type = REQ_OP_DELETE, .u.del = {.key = B("a")}},
	};
	struct req_op f1[] = {{.type = REQ_OP_PUT, .u.put = {.key = B("c"), .value = B("3")}}};
	struct req_compare c2 = {.result = REQ_CMP_EQUAL, .target = REQ_CMP_VALUE,
	    .key = B("a"), .value = B("9")};
	struct req_op f2[] = {
		{.type = REQ_OP_RANGE, .u.range = {.key = B("b")}},
		{.type = REQ_OP_PUT, .u.put = {.key = B("x"), .value = B("y")}},
	};
	struct req_compare c3 = {.result = REQ_CMP_EQUAL, .target = REQ_CMP_VALUE,
	    .key = B("zz"), .value = B("9")};
	struct req_op f3[] = {{.type = REQ_OP_RANGE, .u.range = {.key = B("b")}}};
	struct req_compare c4 = {.result = REQ_CMP_EQUAL, .target = REQ_CMP_VERSION,
	    .key = B("zz"), .version = 0};
	struct req_op s4[] = {{.type = REQ_OP_PUT, .u.put = {.key = B("b"), .value = B("2")}}};

	CU_ASSERT_EQUAL_FATAL(run(&r), 0);
	CU_ASSERT(out_is(put_a, sizeof(put_a)));
	r = (struct req){.type = REQ_TXN, .u.txn = {.cmp = &c1, .ncmp = 1, .success = s1,
	    .nsuccess = 3, .failure = f1, .nfailure = 1}};
	CU_ASSERT_EQUAL_FATAL(run(&r), 0);
	CU_ASSERT(out_is(txn1, sizeof(txn1)));
	r.u.txn = (struct req_txn){.cmp = &c2, .ncmp = 1, .success = s1, .nsuccess = 3,
	    .failure = f2, .nfailure = 2};
	CU_ASSERT_EQUAL_FATAL(run(&r), 0);
	CU_ASSERT(out_is(txn2, sizeof(txn2)));
	r.u.txn = (struct req_txn){.cmp = &c3, .ncmp = 1, .success = s1, .nsuccess = 3,
	    .failure = f3, .nfailure = 1};
	CU_ASSERT_EQUAL_FATAL(run(&r), 0);
	CU_ASSERT(out_is(txn3, sizeof(txn3)));
	r.u.txn = (struct req_txn){.cmp = &c4, .ncmp = 1, .success = s4, .nsuccess = 1};
	CU_ASSERT_EQUAL_FATAL(run(&r), 0);
	CU_ASSERT(out_is(txn4, sizeof(txn4)));
	CU_ASSERT_EQUAL(S.ci, ci);
}

/* etcd refuses before writing, and the entry still counts as applied. */
static void
test_refusals(void)
{
	int64_t rev = S.rev;
	struct req r = {.type = REQ_PUT, .u.put = {.key = B("k"), .value = B("v"), .lease = 77}};
	struct req_op ops[] = {
		{.type = REQ_OP_PUT, .u.put = {.key = B("k1"), .value = B("v")}},
		{.type = REQ_OP_PUT, .u.put = {.key = B("k2"), .value = B("v"), .lease = 77}},
	};
	struct req_op rng[] = {{.type = REQ_OP_RANGE, .u.range = {.key = B("a"), .rev = 1000}}};

	CU_ASSERT_EQUAL(run(&r), CAIRN_ELEASENOTFOUND);
	CU_ASSERT_EQUAL(out.len, 0);
	CU_ASSERT_EQUAL(S.ci, ci);
	r.u.put = (struct req_put){.key = B("nope"), .ignore_value = true};
	CU_ASSERT_EQUAL(run(&r), CAIRN_EKEYNOTFOUND);
	/* A txn whose second put names a missing lease writes nothing. */
	r = (struct req){.type = REQ_TXN, .u.txn = {.success = ops, .nsuccess = 2}};
	CU_ASSERT_EQUAL(run(&r), CAIRN_ELEASENOTFOUND);
	r.u.txn = (struct req_txn){.success = rng, .nsuccess = 1};
	CU_ASSERT_EQUAL(run(&r), CAIRN_EFUTUREREV);
	CU_ASSERT_EQUAL(S.rev, rev);
	CU_ASSERT_EQUAL(S.ci, ci);
	r = (struct req){.type = REQ_COMPACTION, .u.compaction.rev = rev + 1};
	CU_ASSERT_EQUAL(run(&r), CAIRN_EFUTUREREV);
	CU_ASSERT_EQUAL(S.ci, ci);
}

/* Sorting (etcd: a target without an order sorts ascending), filters,
 * limit and more after them, count before them, keys_only, count_only. */
static void
test_range_options(void)
{
	/* From "s1": s1 v=c, s2 v=a, s3 v=b; then s2 again (version 2). */
	static const char *const keys[] = {"s1", "s2", "s3", "s2"};
	static const char *const vals[] = {"c", "a", "b", "a2"};
	struct req r;
	int64_t rev0 = S.rev;

	for (int i = 0; i < 4; i++) {
		r = (struct req){.type = REQ_PUT, .u.put = {.key = {(const uint8_t *)keys[i], 2},
		    .value = {(const uint8_t *)vals[i], (uint32_t)strlen(vals[i])}}};
		CU_ASSERT_EQUAL_FATAL(run(&r), 0);
	}
	/* Sort by value, no order given: ascending: s2 (a2), s3 (b), s1 (c);
	 * limit 2: s2, s3, more, count 3. */
	r = (struct req){.type = REQ_RANGE, .u.range = {.key = B("s"), .end = B("t"),
	    .sort_target = REQ_TARGET_VALUE, .limit = 2, .keys_only = true}};
	CU_ASSERT_EQUAL_FATAL(apply_read(&A, &r, &out), 0);
	{
		/* header {... revision: R ...} kvs {key: "s2" create_revision: R0+2
		 * mod_revision: R0+4 version: 2} kvs {key: "s3" ...} more: true count: 3 */
		char want[128];
		int n = 0;

		want[n++] = 0x0a; want[n++] = 0x08; want[n++] = 0x08; want[n++] = 0x01;
		want[n++] = 0x10; want[n++] = 0x02; want[n++] = 0x18; want[n++] = (char)(rev0 + 4);
		want[n++] = 0x20; want[n++] = 0x03;
		want[n++] = 0x12; want[n++] = 0x0a; want[n++] = 0x0a; want[n++] = 0x02;
		want[n++] = 's'; want[n++] = '2'; want[n++] = 0x10; want[n++] = (char)(rev0 + 2);
		want[n++] = 0x18; want[n++] = (char)(rev0 + 4); want[n++] = 0x20; want[n++] = 0x02;
		want[n++] = 0x12; want[n++] = 0x0a; want[n++] = 0x0a; want[n++] = 0x02;
		want[n++] = 's'; want[n++] = '3'; want[n++] = 0x10; want[n++] = (char)(rev0 + 3);
		want[n++] = 0x18; want[n++] = (char)(rev0 + 3); want[n++] = 0x20; want[n++] = 0x01;
		want[n++] = 0x18; want[n++] = 0x01; want[n++] = 0x20; want[n++] = 0x03;
		CU_ASSERT(out_is((const uint8_t *)want, (size_t)n));
	}
	/* Descending by key with a min_mod_revision filter: s2 (mod R0+4)
	 * and s3 (R0+3) pass, s1 (R0+1) does not; count is still 3. */
	r.u.range = (struct req_range){.key = B("s"), .end = B("t"),
	    .sort_order = REQ_SORT_DESCEND, .min_mod = rev0 + 3, .count_only = false};
	CU_ASSERT_EQUAL_FATAL(apply_read(&A, &r, &out), 0);
	CU_ASSERT(out.len > 0 && memmem(out.buf, out.len, "s3", 2) != NULL &&
	    memmem(out.buf, out.len, "s1", 2) == NULL &&
	    (uint8_t *)memmem(out.buf, out.len, "s3", 2) < (uint8_t *)memmem(out.buf, out.len, "s2", 2));
	CU_ASSERT(out.buf[out.len - 2] == 0x20 && out.buf[out.len - 1] == 0x03);
	/* count_only: no key-values, the count. */
	r.u.range = (struct req_range){.key = B("s"), .end = B("t"), .count_only = true};
	CU_ASSERT_EQUAL_FATAL(apply_read(&A, &r, &out), 0);
	CU_ASSERT(memmem(out.buf, out.len, "s1", 2) == NULL);
	CU_ASSERT(out.buf[out.len - 2] == 0x20 && out.buf[out.len - 1] == 0x03);
}

static bool
out_ends(const uint8_t *tail, size_t n)
{
	return out.len >= n && memcmp(out.buf + out.len - n, tail, n) == 0;
}

static int
raise_alarm(uint32_t action, uint32_t type)
{
	struct req r = {.type = REQ_ALARM, .u.alarm = {.action = action, .member_id = 2,
	    .alarm = type}};

	return run(&r);
}

/* etcd's alarms: NOSPACE refuses puts, lease grants and txns with a put
 * on either branch, lets reads, deletes and compaction through; it
 * outlasts a restart; deactivated, puts work again. CORRUPT refuses all
 * but alarm requests. */
static void
test_alarms(void)
{
	/* protoc: alarms { memberID: 2 alarm: NOSPACE } */
	static const uint8_t nospace[] = {0x12, 0x04, 0x08, 0x02, 0x10, 0x01};
	struct req_op put_in_failure[] = {{.type = REQ_OP_PUT, .u.put = {.key = B("q"), .value = B("1")}}};
	struct req_op read_only[] = {{.type = REQ_OP_RANGE, .u.range = {.key = B("a")}}};
	struct req r;
	char err[256];

	CU_ASSERT_EQUAL_FATAL(raise_alarm(REQ_ALARM_ACTIVATE, REQ_ALARM_NOSPACE), 0);
	CU_ASSERT(out_ends(nospace, sizeof(nospace)));
	CU_ASSERT_EQUAL(raise_alarm(REQ_ALARM_GET, REQ_ALARM_NONE), 0);
	CU_ASSERT(out_ends(nospace, sizeof(nospace)));
	r = (struct req){.type = REQ_PUT, .u.put = {.key = B("q"), .value = B("1")}};
	CU_ASSERT_EQUAL(run(&r), CAIRN_ENOSPACE);
	r = (struct req){.type = REQ_LEASE_GRANT, .u.grant = {.id = 5, .ttl = 10}};
	CU_ASSERT_EQUAL(run(&r), CAIRN_ENOSPACE);
	r = (struct req){.type = REQ_TXN, .u.txn = {.success = read_only, .nsuccess = 1,
	    .failure = put_in_failure, .nfailure = 1}};
	CU_ASSERT_EQUAL(run(&r), CAIRN_ENOSPACE);
	r.u.txn = (struct req_txn){.success = read_only, .nsuccess = 1};
	CU_ASSERT_EQUAL(run(&r), 0);
	r = (struct req){.type = REQ_DELETE, .u.del = {.key = B("s1")}};
	CU_ASSERT_EQUAL(run(&r), 0);
	/* A restart keeps the alarm. */
	apply_free(&A);
	mvcc_close(&S);
	CU_ASSERT_FATAL(mvcc_open(&S, dir, NULL, err, sizeof(err)) == 0);
	CU_ASSERT_FATAL(apply_init(&A, &S) == 0);
	A.cluster_id = 1, A.member_id = 2, A.term = 3, A.lease_min_ttl = 2;
	CU_ASSERT_TRUE(A.nospace);
	r = (struct req){.type = REQ_PUT, .u.put = {.key = B("q"), .value = B("1")}};
	CU_ASSERT_EQUAL(run(&r), CAIRN_ENOSPACE);
	CU_ASSERT_EQUAL(raise_alarm(REQ_ALARM_DEACTIVATE, REQ_ALARM_NOSPACE), 0);
	CU_ASSERT(out_ends(nospace, sizeof(nospace)));
	CU_ASSERT_EQUAL(run(&r), 0);
	/* Deactivating what is not raised answers no alarm. */
	CU_ASSERT_EQUAL(raise_alarm(REQ_ALARM_DEACTIVATE, REQ_ALARM_NOSPACE), 0);
	CU_ASSERT_FALSE(out_ends(nospace, sizeof(nospace)));
	CU_ASSERT_EQUAL(raise_alarm(REQ_ALARM_ACTIVATE, REQ_ALARM_CORRUPT), 0);
	r = (struct req){.type = REQ_RANGE, .u.range = {.key = B("q")}};
	CU_ASSERT_EQUAL(run(&r), CAIRN_ECLUSTERCORRUPT);
	CU_ASSERT_EQUAL(raise_alarm(REQ_ALARM_DEACTIVATE, REQ_ALARM_CORRUPT), 0);
	CU_ASSERT_EQUAL(run(&r), 0);
}

/* How many keys named k there are now (0 or 1); -1 on an error. */
static int
range_count(const char *k)
{
	struct req r = {.type = REQ_RANGE, .u.range = {.key = {(const uint8_t *)k,
	    (uint32_t)strlen(k)}, .count_only = true}};
	struct pbw_reader rd;
	uint32_t f;
	enum pbw_type t;
	uint64_t v = 0;

	if (run(&r) != 0)
		return -1;
	/* RangeResponse.count (4). */
	rd = (struct pbw_reader){.buf = out.buf, .len = out.len};
	while (rd.off < rd.len && pbw_get_tag(&rd, &f, &t) == 0) {
		if (f == 4 && t == PBW_VARINT)
			return pbw_get_varint(&rd, &v) == 0 ? (int)v : -1;
		if (pbw_skip(&rd, t) != 0)
			return -1;
	}
	return 0;
}

/* etcd's quotaApplierV3: a request whose cost (a put's key, value and
 * 256 B; a txn's larger branch of top-level puts; a lease's 64 B) takes
 * the store's file to the quota is applied all the same and answered
 * NOSPACE; requests without a cost pass. */
static void
test_quota(void)
{
	struct req_op big_put[] = {{.type = REQ_OP_PUT, .u.put = {.key = B("t1"),
	    .value = B("0123456789012345678901234567890123456789")}}};
	struct req_op small_put[] = {{.type = REQ_OP_PUT, .u.put = {.key = B("t2"), .value = B("")}}};
	struct req r;
	int64_t size;

	CU_ASSERT_EQUAL(apply_quota_bytes(0), (int64_t)2 << 30); /* etcd's default */
	CU_ASSERT_EQUAL(apply_quota_bytes(-1), 0);               /* none */
	CU_ASSERT_EQUAL(apply_quota_bytes(12345), 12345);
	CU_ASSERT_FATAL(mvcc_quota_bytes(&S, &size) == 0);
	/* Room for a cost of 290 bytes. */
	A.quota_bytes = size + 291;
	r = (struct req){.type = REQ_PUT, .u.put = {.key = B("qa"), .value = B("0123456789"
	    "0123456789012345678901234567890123456789")}};     /* 256 + 2 + 50 */
	CU_ASSERT_EQUAL(run(&r), CAIRN_ENOSPACE);
	CU_ASSERT_TRUE(A.quota_exceeded);
	CU_ASSERT_EQUAL(range_count("qa"), 1);                    /* applied all the same */
	CU_ASSERT_FALSE(A.quota_exceeded);
	CU_ASSERT_FATAL(mvcc_quota_bytes(&S, &size) == 0);
	A.quota_bytes = size + 291;
	r.u.put.value = B("01234567890123456789012345678");   /* 256 + 2 + 29 = 287 */
	CU_ASSERT_EQUAL(run(&r), 0);
	CU_ASSERT_FALSE(A.quota_exceeded);
	/* A txn costs its larger branch: 256 + 2 + 40 on failure. */
	r = (struct req){.type = REQ_TXN, .u.txn = {.success = small_put, .nsuccess = 1,
	    .failure = big_put, .nfailure = 1}};
	A.quota_bytes = size + 298;
	CU_ASSERT_EQUAL(run(&r), CAIRN_ENOSPACE);
	A.quota_bytes = size + 299;
	CU_ASSERT_EQUAL(run(&r), 0);
	/* A lease: 64 bytes. */
	A.quota_bytes = size + 64;
	r = (struct req){.type = REQ_LEASE_GRANT, .u.grant = {.id = 77, .ttl = 10}};
	CU_ASSERT_EQUAL(run(&r), CAIRN_ENOSPACE);
	A.quota_bytes = size + 65;
	r.u.grant.id = 78;
	CU_ASSERT_EQUAL(run(&r), 0);
	/* No cost: a delete, a read, past any quota. */
	A.quota_bytes = 1;
	r = (struct req){.type = REQ_DELETE, .u.del = {.key = B("qa")}};
	CU_ASSERT_EQUAL(run(&r), 0);
	CU_ASSERT_EQUAL(range_count("qa"), 0);
	A.quota_bytes = 0;
	r = (struct req){.type = REQ_PUT, .u.put = {.key = B("qb"), .value = B("v")}};
	CU_ASSERT_EQUAL(run(&r), 0);
}

/* A member's published attributes replace its name and client URLs and
 * keep what membership set (ID, peer URLs, learner); an unknown member is
 * left alone; the revision does not move. */
static void
test_member_attr(void)
{
	/* Member { ID: 7 name: "old" peerURLs: "p" clientURLs: "x" isLearner: true } */
	static const uint8_t before[] = {0x08, 0x07, 0x12, 0x03, 'o', 'l', 'd', 0x1a, 0x01, 'p',
	    0x22, 0x01, 'x', 0x28, 0x01};
	/* Member { ID: 7 peerURLs: "p" isLearner: true name: "n" clientURLs: "c1" "c2" } */
	static const uint8_t after[] = {0x08, 0x07, 0x1a, 0x01, 'p', 0x28, 0x01, 0x12, 0x01, 'n',
	    0x22, 0x02, 'c', '1', 0x22, 0x02, 'c', '2'};
	struct req r = {.type = REQ_MEMBER_ATTR, .u.member = {.id = 7, .name = B("n"),
	    .urls = {B("c1"), B("c2")}, .nurls = 2}};
	const uint8_t *rec;
	uint32_t len;
	bool removed;
	int64_t rev = S.rev;

	CU_ASSERT_EQUAL_FATAL(mvcc_batch_begin(&S), 0);
	CU_ASSERT_EQUAL_FATAL(members_apply(&S, S.batch, RAFT_CONF_ADD_LEARNER, 7, before,
	    sizeof(before)), 0);
	CU_ASSERT_EQUAL_FATAL(mvcc_batch_commit(&S), 0);
	CU_ASSERT_EQUAL(run(&r), 0);
	CU_ASSERT_EQUAL(out.len, 0);
	CU_ASSERT_EQUAL_FATAL(members_get(&S, 7, &rec, &len, &removed), 0);
	CU_ASSERT(!removed && runner_bytes_eq(rec, len, after, sizeof(after)));
	r.u.member.id = 8;
	CU_ASSERT_EQUAL(run(&r), 0);
	CU_ASSERT_EQUAL(members_get(&S, 8, &rec, &len, &removed), CAIRN_ENOENT);
	CU_ASSERT_EQUAL(S.rev, rev);
}

static CU_TestInfo apply_tests[] = {
	{"responses byte for byte as etcd's (put, txn)", test_etcd_txn_sequence},
	{"refusals write nothing and still record the entry", test_refusals},
	{"quota: past it, applied and answered NOSPACE, as etcd", test_quota},
	{"range options: sort, filters, limit, count", test_range_options},
	{"alarms: NOSPACE caps writes, CORRUPT stops all, both persist", test_alarms},
	{"a member's published attributes", test_member_attr},
	CU_TEST_INFO_NULL,
};

static CU_SuiteInfo suites[] = {
	{"apply", setup, teardown, NULL, NULL, apply_tests},
	CU_SUITE_INFO_NULL,
};

int
main(void)
{
	return runner_run(suites);
}
