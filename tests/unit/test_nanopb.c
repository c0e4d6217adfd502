/*
 * Tests: cairn's nanopb compile flags agree with Debian's libprotobuf-nanopb.a
 * (built with PB_ENABLE_MALLOC). A recursive message with pointer fields,
 * shaped like etcd's Txn, must survive encode -> decode -> release.
 */
#include <CUnit/CUnit.h>
#include <pb_decode.h>
#include <pb_encode.h>
#include <string.h>

#include "tests/lib/runner.h"
#include "tests/unit/nanopb_rt.pb.h"

/* Encodes a two-level Txn into buf; returns the encoded length or 0. */
static size_t
encode_nested(uint8_t *buf, size_t cap)
{
	rt_Op inner_ops[1] = {rt_Op_init_zero};
	rt_Txn inner = rt_Txn_init_zero;
	rt_Op outer_ops[2] = {rt_Op_init_zero, rt_Op_init_zero};
	rt_Txn outer = rt_Txn_init_zero;
	pb_bytes_array_t *k1 = malloc(PB_BYTES_ARRAY_T_ALLOCSIZE(3));
	pb_bytes_array_t *k2 = malloc(PB_BYTES_ARRAY_T_ALLOCSIZE(5));
	pb_ostream_t os = pb_ostream_from_buffer(buf, cap);
	bool ok;

	k1->size = 3;
	memcpy(k1->bytes, "foo", 3);
	k2->size = 5;
	memcpy(k2->bytes, "inner", 5);
	inner_ops[0].key = k2;
	inner.success_count = 1;
	inner.success = inner_ops;
	inner.revision = -7;
	outer_ops[0].key = k1;
	outer_ops[1].txn = &inner;
	outer.success_count = 2;
	outer.success = outer_ops;
	outer.revision = 1234567890123LL;
	strcpy(outer.note, "hello");
	ok = pb_encode(&os, rt_Txn_fields, &outer);
	free(k1);
	free(k2);
	return ok ? os.bytes_written : 0;
}

static void
test_roundtrip_recursive_pointer_fields(void)
{
	uint8_t buf[256];
	size_t n = encode_nested(buf, sizeof(buf));
	rt_Txn got = rt_Txn_init_zero;
	pb_istream_t is = pb_istream_from_buffer(buf, n);

	CU_ASSERT_FATAL(n > 0);
	CU_ASSERT_FATAL(pb_decode(&is, rt_Txn_fields, &got));
	CU_ASSERT_EQUAL(got.revision, 1234567890123LL);
	CU_ASSERT_STRING_EQUAL(got.note, "hello");
	CU_ASSERT_EQUAL_FATAL(got.success_count, 2);
	CU_ASSERT_FATAL(got.success[0].key != NULL);
	CU_ASSERT_EQUAL(got.success[0].key->size, 3);
	CU_ASSERT(memcmp(got.success[0].key->bytes, "foo", 3) == 0);
	CU_ASSERT(got.success[0].txn == NULL);
	CU_ASSERT_FATAL(got.success[1].txn != NULL);
	CU_ASSERT_EQUAL(got.success[1].txn->revision, -7);
	CU_ASSERT_EQUAL_FATAL(got.success[1].txn->success_count, 1);
	CU_ASSERT(memcmp(got.success[1].txn->success[0].key->bytes, "inner", 5) == 0);
	pb_release(rt_Txn_fields, &got);
	CU_ASSERT(got.success == NULL);
}

static void
test_truncated_input_is_refused(void)
{
	uint8_t buf[256];
	size_t n = encode_nested(buf, sizeof(buf));

	CU_ASSERT_FATAL(n > 4);
	for (size_t cut = 1; cut < n; cut++) {
		rt_Txn got = rt_Txn_init_zero;
		pb_istream_t is = pb_istream_from_buffer(buf, n - cut);
		bool ok = pb_decode(&is, rt_Txn_fields, &got);

		/* A prefix is either refused or, cut at a field boundary, decodes
		 * to a smaller message: never to the whole one. */
		if (ok) {
			uint8_t again[256];
			pb_ostream_t os = pb_ostream_from_buffer(again, sizeof(again));

			CU_ASSERT(pb_encode(&os, rt_Txn_fields, &got));
			CU_ASSERT(os.bytes_written < n);
		}
		pb_release(rt_Txn_fields, &got);
	}
}

static CU_TestInfo nanopb_tests[] = {
	{"recursive pointer fields round-trip", test_roundtrip_recursive_pointer_fields},
	{"truncated input is refused", test_truncated_input_is_refused},
	CU_TEST_INFO_NULL,
};

static CU_SuiteInfo suites[] = {
	{"nanopb", NULL, NULL, NULL, NULL, nanopb_tests},
	CU_SUITE_INFO_NULL,
};

int
main(void)
{
	return runner_run(suites);
}
