/*
 * Tests: the JSON gateway's conversions (netd/gw_json_in.c,
 * netd/gw_json_out.c) over the generated schema of etcd's API: JSON to
 * protobuf and back as jsonpb writes it, the proto3 encoding itself
 * (packed, negative, oneof members kept when zero), malformed protobuf
 * refused with nothing written, Go's string escapes, and the bounds.
 * Go's error texts are checked side by side with etcd in gateway.sh.
 */
#include <CUnit/CUnit.h>
#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>

#include "netd/gw_json.h"
#include "netd/gw_schema.h"
#include "shared/err.h"
#include "tests/lib/runner.h"

static const struct pbs_message *
msg(const char *name)
{
	const struct pbs_message *m = pbs_message_find(&pbs_etcd, name);

	CU_ASSERT_PTR_NOT_NULL_FATAL(m);
	return m;
}

/* JSON in, protobuf out; the error text in err. */
static int
from(const char *type, const char *json, uint8_t **pb, size_t *len, char *err)
{
	size_t used;

	return gwj_from_json(&pbs_etcd, msg(type), json, strlen(json), pb, len, &used, err,
	    GWJ_ERR_BYTES);
}

/* protobuf in, JSON (NUL-ended, caller frees) out, or NULL on error. */
static char *
to(const char *type, const uint8_t *pb, size_t len, int *rc)
{
	struct evbuffer *b = evbuffer_new();
	char *s = NULL;

	*rc = gwj_to_json(&pbs_etcd, msg(type), pb, len, b);
	if (*rc == 0) {
		size_t n = evbuffer_get_length(b);

		s = malloc(n + 1);
		evbuffer_remove(b, s, n);
		s[n] = '\0';
	} else {
		CU_ASSERT_EQUAL(evbuffer_get_length(b), 0); /* nothing half-written */
	}
	evbuffer_free(b);
	return s;
}

/* json → protobuf → json gives want. */
static void
round_trip(const char *type, const char *json, const char *want)
{
	char err[GWJ_ERR_BYTES], *got;
	uint8_t *pb;
	size_t len;
	int rc;

	CU_ASSERT_EQUAL_FATAL(from(type, json, &pb, &len, err), 0);
	got = to(type, pb, len, &rc);
	CU_ASSERT_EQUAL(rc, 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(got);
	if (strcmp(got, want) != 0)
		fprintf(stderr, "\n%s\n  got  %s\n  want %s\n", json, got, want);
	CU_ASSERT_STRING_EQUAL(got, want);
	free(got);
	free(pb);
}

static void
test_round_trips(void)
{
	/* Declaration order, int64 as strings, enums by name. */
	round_trip("etcdserverpb.RangeRequest",
	    "{\"keys_only\":true,\"sort_order\":\"DESCEND\",\"limit\":10,\"key\":\"Zm9v\"}",
	    "{\"key\":\"Zm9v\",\"limit\":\"10\",\"sort_order\":\"DESCEND\",\"keys_only\":true}");
	/* lowerCamel names accepted; given both ways, the lowerCamel wins. */
	round_trip("etcdserverpb.RangeRequest", "{\"rangeEnd\":\"YQ==\",\"range_end\":\"Yg==\"}",
	    "{\"range_end\":\"YQ==\"}");
	/* Zero values left out, unknown keys and nulls ignored. */
	round_trip("etcdserverpb.RangeRequest",
	    "{\"key\":\"\",\"limit\":\"0\",\"serializable\":false,\"sort_order\":\"NONE\","
	    "\"nope\":[1],\"revision\":null}", "{}");
	round_trip("etcdserverpb.RangeRequest", "", "{}");
	round_trip("etcdserverpb.RangeRequest", "null", "{}");
	/* Negative int64 and the largest uint64. */
	round_trip("etcdserverpb.RangeRequest", "{\"revision\":\"-1\",\"min_mod_revision\":-9}",
	    "{\"revision\":\"-1\",\"min_mod_revision\":\"-9\"}");
	round_trip("etcdserverpb.MemberRemoveRequest", "{\"ID\":\"18446744073709551615\"}",
	    "{\"ID\":\"18446744073709551615\"}");
	/* A oneof member given as zero is kept (Go sets it). */
	round_trip("etcdserverpb.Compare", "{\"target\":\"VERSION\",\"version\":\"0\"}",
	    "{\"version\":\"0\"}");
	/* Nested and repeated messages, an empty one kept. */
	round_trip("etcdserverpb.TxnRequest",
	    "{\"success\":[{\"request_put\":{\"key\":\"YQ==\",\"value\":\"Yg==\"}},"
	    "{\"requestRange\":{}}],\"failure\":[{\"request_txn\":{\"success\":"
	    "[{\"request_delete_range\":{\"key\":\"YQ==\",\"prev_kv\":true}}]}}]}",
	    "{\"success\":[{\"request_put\":{\"key\":\"YQ==\",\"value\":\"Yg==\"}},"
	    "{\"request_range\":{}}],\"failure\":[{\"request_txn\":{\"success\":"
	    "[{\"request_delete_range\":{\"key\":\"YQ==\",\"prev_kv\":true}}]}}]}");
	/* Repeated enums, repeated strings, bytes as an array of numbers. */
	round_trip("etcdserverpb.WatchCreateRequest",
	    "{\"filters\":[\"NODELETE\",0],\"key\":[102,111,111]}",
	    "{\"key\":\"Zm9v\",\"filters\":[\"NODELETE\",\"NOPUT\"]}");
	round_trip("etcdserverpb.Member", "{\"peerURLs\":[\"http://a\",\"b<\"],\"name\":\"m\"}",
	    "{\"name\":\"m\",\"peerURLs\":[\"http://a\",\"b\\u003c\"]}");
}

static void
test_encoding(void)
{
	/* proto3 packs repeated scalars: WatchCreateRequest.filters is 5. */
	static const uint8_t packed[] = {0x2a, 0x02, 0x01, 0x00};
	/* RangeRequest.revision (4) = -1: ten bytes of varint. */
	static const uint8_t minus1[] = {0x20, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
	    0xff, 0x01};
	char err[GWJ_ERR_BYTES];
	uint8_t *pb;
	size_t len, used;

	CU_ASSERT_EQUAL_FATAL(from("etcdserverpb.WatchCreateRequest",
	    "{\"filters\":[\"NODELETE\",\"NOPUT\"]}", &pb, &len, err), 0);
	CU_ASSERT(len == sizeof(packed) && memcmp(pb, packed, len) == 0);
	free(pb);
	CU_ASSERT_EQUAL_FATAL(from("etcdserverpb.RangeRequest", "{\"revision\":-1}", &pb, &len,
	    err), 0);
	CU_ASSERT(len == sizeof(minus1) && memcmp(pb, minus1, len) == 0);
	free(pb);
	/* One value of a stream at a time: *used ends the first. */
	CU_ASSERT_EQUAL_FATAL(gwj_from_json(&pbs_etcd, msg("etcdserverpb.RangeRequest"),
	    "{\"key\":\"YQ==\"} {\"key\":\"Yg==\"}", 30, &pb, &len, &used, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(used, 14);
	CU_ASSERT(len == 3 && pb[0] == 0x0a && pb[1] == 1 && pb[2] == 'a');
	free(pb);
}

static void
test_unpacked_and_unknown(void)
{
	/* filters unpacked (as proto2 writers send), an unknown field 99,
	 * and RangeRequest.key twice: the last one wins. */
	static const uint8_t pb[] = {0x28, 0x01, 0x28, 0x00, 0x98, 0x06, 0x07};
	static const uint8_t twice[] = {0x0a, 0x01, 'a', 0x0a, 0x01, 'b'};
	char *s;
	int rc;

	s = to("etcdserverpb.WatchCreateRequest", pb, sizeof(pb), &rc);
	CU_ASSERT_EQUAL(rc, 0);
	CU_ASSERT_STRING_EQUAL(s, "{\"filters\":[\"NODELETE\",\"NOPUT\"]}");
	free(s);
	s = to("etcdserverpb.RangeRequest", twice, sizeof(twice), &rc);
	CU_ASSERT_STRING_EQUAL(s, "{\"key\":\"Yg==\"}");
	free(s);
}

static void
test_malformed_protobuf(void)
{
	static const uint8_t truncated[] = {0x0a, 0x05, 'a'};
	static const uint8_t wrong_type[] = {0x08, 0x01};           /* key as a varint */
	static const uint8_t bad_inner[] = {0x12, 0x03, 0x0a, 0x05, 'a'};
	int rc;

	CU_ASSERT_PTR_NULL(to("etcdserverpb.RangeRequest", truncated, sizeof(truncated), &rc));
	CU_ASSERT_EQUAL(rc, CAIRN_ECORRUPT);
	CU_ASSERT_PTR_NULL(to("etcdserverpb.RangeRequest", wrong_type, sizeof(wrong_type), &rc));
	CU_ASSERT_EQUAL(rc, CAIRN_ECORRUPT);
	/* RangeResponse.kvs (2) holding a truncated KeyValue. */
	CU_ASSERT_PTR_NULL(to("etcdserverpb.RangeResponse", bad_inner, sizeof(bad_inner), &rc));
	CU_ASSERT_EQUAL(rc, CAIRN_ECORRUPT);
}

static void
test_string_escapes(void)
{
	static const char in[] = "a<b>&\"\\\n\x01\xff\xe2\x80\xa8\xc3\xa9\x7f";
	struct evbuffer *b = evbuffer_new();
	char out[128];
	size_t n;

	gwj_string(b, in, sizeof(in) - 1);
	n = evbuffer_remove(b, out, sizeof(out) - 1);
	out[n] = '\0';
	CU_ASSERT_STRING_EQUAL(out,
	    "\"a\\u003cb\\u003e\\u0026\\\"\\\\\\n\\u0001\\ufffd\\u2028\xc3\xa9\x7f\"");
	evbuffer_free(b);
}

static void
test_errors(void)
{
	char err[GWJ_ERR_BYTES];
	uint8_t *pb = (uint8_t *)1;
	size_t len = 1;

	CU_ASSERT_EQUAL(from("etcdserverpb.RangeRequest", "{\"limit\":1.5}", &pb, &len, err),
	    CAIRN_EINVAL);
	CU_ASSERT_PTR_NULL(pb);
	CU_ASSERT_EQUAL(len, 0);
	CU_ASSERT_STRING_EQUAL(err, "json: cannot unmarshal number 1.5 into Go value of type int64");
	CU_ASSERT_EQUAL(from("etcdserverpb.RangeRequest", "{\"sort_order\":\"NOPE\"}", &pb, &len,
	    err), CAIRN_EINVAL);
	CU_ASSERT_STRING_EQUAL(err,
	    "unknown value \"NOPE\" for enum etcdserverpb.RangeRequest_SortOrder");
	CU_ASSERT_EQUAL(from("etcdserverpb.MemberRemoveRequest", "{\"ID\":\"-1\"}", &pb, &len,
	    err), CAIRN_EINVAL);
	CU_ASSERT_STRING_EQUAL(err, "json: cannot unmarshal number -1 into Go value of type uint64");
}

/* A txn nested past GWJ_DEPTH_MAX, and a value past GWJ_PB_BYTES_MAX. */
static void
test_bounds(void)
{
	size_t depth = GWJ_DEPTH_MAX, cap = depth * 40 + 64, big = (GWJ_PB_BYTES_MAX / 3 + 1) * 4;
	char *json = malloc(cap), err[GWJ_ERR_BYTES];
	size_t n = 0;
	uint8_t *pb;
	size_t len;

	for (size_t i = 0; i < depth; i++)
		n += (size_t)snprintf(json + n, cap - n, "{\"success\":[{\"request_txn\":");
	n += (size_t)snprintf(json + n, cap - n, "{}");
	for (size_t i = 0; i < depth; i++)
		n += (size_t)snprintf(json + n, cap - n, "}]}");
	CU_ASSERT_EQUAL(from("etcdserverpb.TxnRequest", json, &pb, &len, err), CAIRN_EINVAL);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "deeper"));
	free(json);

	json = malloc(big + 16);
	memcpy(json, "{\"key\":\"", 8);
	memset(json + 8, 'A', big);
	memcpy(json + 8 + big, "\"}", 3);
	CU_ASSERT_EQUAL(from("etcdserverpb.RangeRequest", json, &pb, &len, err), CAIRN_ETOOBIG);
	free(json);
}

static CU_TestInfo gw_json_tests[] = {
	{"JSON to protobuf and back, as jsonpb", test_round_trips},
	{"proto3's encoding: packed, negative, one value of many", test_encoding},
	{"unpacked repeated, unknown and repeated fields", test_unpacked_and_unknown},
	{"malformed protobuf refused, nothing written", test_malformed_protobuf},
	{"Go's string escapes", test_string_escapes},
	{"errors in Go's words", test_errors},
	{"nesting and size bounds", test_bounds},
	CU_TEST_INFO_NULL,
};

static CU_SuiteInfo suites[] = {
	{"gw_json", NULL, NULL, NULL, NULL, gw_json_tests},
	CU_SUITE_INFO_NULL,
};

int
main(void)
{
	return runner_run(suites);
}
