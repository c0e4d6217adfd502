/*
 * Tests: netd's check of keys written twice in a txn (netd/txn_keys.c),
 * case by case as etcd's checkIntervals decides them, nested txns
 * included (etcdctl cannot send those; kv_etcdctl.sh covers the flat
 * ones side by side with etcd).
 */
#include <CUnit/CUnit.h>
#include <string.h>

#include "netd/txn_keys.h"
#include "shared/err.h"
#include "tests/lib/runner.h"

static struct req_bytes
b(const char *s)
{
	return (struct req_bytes){.p = (const uint8_t *)s, .n = (uint32_t)strlen(s)};
}

static struct req_op
put(const char *k)
{
	return (struct req_op){.type = REQ_OP_PUT, .u.put = {.key = b(k)}};
}

static struct req_op
del(const char *k, const char *end)
{
	return (struct req_op){.type = REQ_OP_DELETE, .u.del = {.key = b(k), .end = b(end)}};
}

static struct req_op
nested(struct req_txn *t)
{
	return (struct req_op){.type = REQ_OP_TXN, .u.txn = t};
}

static int
check(struct req_op *then, size_t nthen, struct req_op *other, size_t nother)
{
	struct req_txn t = {.success = then, .nsuccess = nthen, .failure = other,
	    .nfailure = nother};

	return txn_keys_check(&t);
}

static void
test_flat(void)
{
	struct req_op twice[] = {put("a"), put("a")}, apart[] = {put("a"), put("b")};
	struct req_op in_range[] = {del("a", "c"), put("b")}, past[] = {del("a", "c"), put("c")};
	struct req_op point[] = {del("a", ""), put("a")}, inverted[] = {del("c", "a"), put("b")};
	struct req_op one[] = {put("a")};

	CU_ASSERT_EQUAL(check(twice, 2, NULL, 0), CAIRN_EDUPKEY);
	CU_ASSERT_EQUAL(check(apart, 2, NULL, 0), 0);
	CU_ASSERT_EQUAL(check(in_range, 2, NULL, 0), CAIRN_EDUPKEY);
	CU_ASSERT_EQUAL(check(past, 2, NULL, 0), 0);       /* range_end excluded */
	CU_ASSERT_EQUAL(check(point, 2, NULL, 0), CAIRN_EDUPKEY);
	CU_ASSERT_EQUAL(check(inverted, 2, NULL, 0), 0);   /* etcd: covers nothing */
	CU_ASSERT_EQUAL(check(one, 1, one, 1), 0);         /* one branch runs */
	CU_ASSERT_EQUAL(check(NULL, 0, twice, 2), CAIRN_EDUPKEY);
}

static void
test_nested(void)
{
	struct req_op a[] = {put("a")}, x[] = {put("x")};
	struct req_txn both = {.success = a, .nsuccess = 1, .failure = a, .nfailure = 1};
	struct req_txn then_x = {.success = x, .nsuccess = 1};
	struct req_op both_ok[] = {nested(&both)};
	struct req_op outer_too[] = {nested(&both), put("a")};
	struct req_op del_outer[] = {del("x", ""), nested(&then_x)};
	struct req_op two_nested[] = {nested(&then_x), nested(&then_x)};
	struct req_op dels_inner[] = {nested(&(struct req_txn){.success = (struct req_op[]){
	    del("m", "p")}, .nsuccess = 1}), put("n")};

	CU_ASSERT_EQUAL(check(both_ok, 1, NULL, 0), 0);          /* then and else */
	CU_ASSERT_EQUAL(check(outer_too, 2, NULL, 0), CAIRN_EDUPKEY);
	CU_ASSERT_EQUAL(check(del_outer, 2, NULL, 0), CAIRN_EDUPKEY);
	CU_ASSERT_EQUAL(check(two_nested, 2, NULL, 0), CAIRN_EDUPKEY);
	CU_ASSERT_EQUAL(check(dels_inner, 2, NULL, 0), CAIRN_EDUPKEY); /* inner delete, outer put */
}

static CU_TestInfo txn_keys_tests[] = {
	{"keys written twice in one branch", test_flat},
	{"nested txns, as etcd's checkIntervals", test_nested},
	CU_TEST_INFO_NULL,
};

static CU_SuiteInfo suites[] = {
	{"txn_keys", NULL, NULL, NULL, NULL, txn_keys_tests},
	CU_SUITE_INFO_NULL,
};

int
main(void)
{
	return runner_run(suites);
}
