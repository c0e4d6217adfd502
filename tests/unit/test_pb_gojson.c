/*
 * Tests: cairnctl's -w json (ctl/pb_gojson.c) over the generated schema
 * of etcd's API. Messages are built by hand and their JSON compared with
 * what etcdctl 3.4.23 printed for the same answers of etcd 3.4.23, or,
 * for shapes etcd does not send, with json.Marshal of the gogo structs.
 */
#include <CUnit/CUnit.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctl/pb_gojson.h"
#include "netd/gw_schema.h"
#include "shared/err.h"
#include "shared/pbout.h"
#include "tests/lib/runner.h"

/* The builders' messages, closed by tear_down. */
#define POOL_MAX (2 * PB_GOJSON_DEPTH_MAX + 16)

/* The member that answered in the etcdctl runs quoted below. */
#define CLUSTER_ID UINT64_C(14443903163313418560)
#define MEMBER_ID UINT64_C(11417610130673999598)
#define HDR_JSON "\"header\":{\"cluster_id\":14443903163313418560," \
	"\"member_id\":11417610130673999598,"
#define LEASE_ID INT64_C(2228897062492932872)

static struct pbout pool[POOL_MAX];
static size_t npool;

static void
set_up(void)
{
	npool = 0;
}

static void
tear_down(void)
{
	for (size_t i = 0; i < npool; i++)
		pbout_close(&pool[i]);
	npool = 0;
}

static struct pbout *
pb_new(void)
{
	CU_ASSERT_FATAL(npool < POOL_MAX);
	pool[npool] = (struct pbout){0};
	return &pool[npool++];
}

static const struct pbs_message *
msg(const char *name)
{
	const struct pbs_message *m = pbs_message_find(&pbs_etcd, name);

	CU_ASSERT_PTR_NOT_NULL_FATAL(m);
	return m;
}

/* pb_gojson_write's output (NUL-ended; the caller frees) and its code. */
static char *
to_json(const char *type, const uint8_t *pb, size_t len, int *rc)
{
	char *s = NULL;
	size_t n = 0;
	FILE *f = open_memstream(&s, &n);

	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	*rc = pb_gojson_write(f, &pbs_etcd, msg(type), pb, len);
	CU_ASSERT_EQUAL(fclose(f), 0);
	return s;
}

static void
expect(const char *type, const struct pbout *o, const char *want)
{
	int rc;
	char *got = to_json(type, o->buf, o->len, &rc);

	CU_ASSERT_EQUAL(rc, 0);
	if (strcmp(got, want) != 0)
		fprintf(stderr, "\n%s\n  got  %s\n  want %s\n", type, got, want);
	CU_ASSERT_STRING_EQUAL(got, want);
	free(got);
}

/* A malformed message: the code, and nothing written. */
static void
expect_error(const char *type, const uint8_t *pb, size_t len, int want)
{
	int rc;
	char *got = to_json(type, pb, len, &rc);

	CU_ASSERT_EQUAL(rc, want);
	CU_ASSERT_STRING_EQUAL(got, "");
	free(got);
}

static void
put_str(struct pbout *o, uint32_t field, const char *s)
{
	pbout_bytes(o, field, s, strlen(s));
}

/* A ResponseHeader; zeros left out, as proto3 encodes. */
static struct pbout *
header(uint64_t cluster_id, uint64_t member_id, int64_t revision, uint64_t raft_term)
{
	struct pbout *h = pb_new();

	if (cluster_id != 0)
		pbout_varint(h, 1, cluster_id);
	if (member_id != 0)
		pbout_varint(h, 2, member_id);
	if (revision != 0)
		pbout_varint(h, 3, (uint64_t)revision);
	if (raft_term != 0)
		pbout_varint(h, 4, raft_term);
	return h;
}

/* An mvccpb.KeyValue. */
static struct pbout *
kv(const char *key, int64_t create, int64_t mod, int64_t version, const char *value,
    int64_t lease)
{
	struct pbout *o = pb_new();

	put_str(o, 1, key);
	pbout_varint(o, 2, (uint64_t)create);
	pbout_varint(o, 3, (uint64_t)mod);
	pbout_varint(o, 4, (uint64_t)version);
	put_str(o, 5, value);
	if (lease != 0)
		pbout_varint(o, 6, (uint64_t)lease);
	return o;
}

/* A Member (etcdserverpb). */
static struct pbout *
member(uint64_t id, const char *name, const char *peer, const char *client, bool learner)
{
	struct pbout *o = pb_new();

	pbout_varint(o, 1, id);
	if (name != NULL)
		put_str(o, 2, name);
	put_str(o, 3, peer);
	if (client != NULL)
		put_str(o, 4, client);
	if (learner)
		pbout_varint(o, 5, 1);
	return o;
}

/* A ResponseOp with 'field' (1 range, 2 put, 3 delete_range, 4 txn) set. */
static struct pbout *
response_op(uint32_t field, const struct pbout *inner)
{
	struct pbout *o = pb_new();

	pbout_msg(o, field, inner);
	return o;
}

static void
test_put_get_del(void)
{
	struct pbout *o = pb_new(), *r = pb_new(), *d = pb_new();

	/* etcdctl put foo bar -w json */
	pbout_msg(o, 1, header(CLUSTER_ID, MEMBER_ID, 2, 2));
	expect("etcdserverpb.PutResponse", o,
	    "{" HDR_JSON "\"revision\":2,\"raft_term\":2}}");

	/* etcdctl get "" --prefix -w json: two keys, one with a lease. */
	pbout_msg(r, 1, header(CLUSTER_ID, MEMBER_ID, 3, 2));
	pbout_msg(r, 2, kv("baz", 3, 3, 1, "qux", LEASE_ID));
	pbout_msg(r, 2, kv("foo", 2, 2, 1, "bar", 0));
	pbout_varint(r, 4, 2);
	expect("etcdserverpb.RangeResponse", r,
	    "{" HDR_JSON "\"revision\":3,\"raft_term\":2},\"kvs\":[{\"key\":\"YmF6\","
	    "\"create_revision\":3,\"mod_revision\":3,\"version\":1,\"value\":\"cXV4\","
	    "\"lease\":2228897062492932872},{\"key\":\"Zm9v\",\"create_revision\":2,"
	    "\"mod_revision\":2,\"version\":1,\"value\":\"YmFy\"}],\"count\":2}");

	/* etcdctl del foo --prev-kv -w json */
	pbout_msg(d, 1, header(CLUSTER_ID, MEMBER_ID, 5, 2));
	pbout_varint(d, 2, 1);
	pbout_msg(d, 3, kv("foo", 2, 4, 2, "new", 0));
	expect("etcdserverpb.DeleteRangeResponse", d,
	    "{" HDR_JSON "\"revision\":5,\"raft_term\":2},\"deleted\":1,\"prev_kvs\":"
	    "[{\"key\":\"Zm9v\",\"create_revision\":2,\"mod_revision\":4,\"version\":2,"
	    "\"value\":\"bmV3\"}]}");
}

static void
test_txn(void)
{
	struct pbout *t = pb_new(), *put = pb_new(), *range = pb_new(), *del = pb_new();
	struct pbout *empty = pb_new();

	/* etcdctl txn -w json: value("foo") = "bar" / put foo new, get baz,
	 * del nokey. The oneof is "Response", its members Go's field names. */
	pbout_msg(put, 1, header(0, 0, 4, 0));
	pbout_msg(range, 1, header(0, 0, 4, 0));
	pbout_msg(range, 2, kv("baz", 3, 3, 1, "qux", LEASE_ID));
	pbout_varint(range, 4, 1);
	pbout_msg(del, 1, header(0, 0, 4, 0));
	pbout_msg(t, 1, header(CLUSTER_ID, MEMBER_ID, 4, 2));
	pbout_varint(t, 2, 1);
	pbout_msg(t, 3, response_op(2, put));
	pbout_msg(t, 3, response_op(1, range));
	pbout_msg(t, 3, response_op(3, del));
	expect("etcdserverpb.TxnResponse", t,
	    "{" HDR_JSON "\"revision\":4,\"raft_term\":2},\"succeeded\":true,"
	    "\"responses\":[{\"Response\":{\"ResponsePut\":{\"header\":{\"revision\":4}}}},"
	    "{\"Response\":{\"ResponseRange\":{\"header\":{\"revision\":4},\"kvs\":"
	    "[{\"key\":\"YmF6\",\"create_revision\":3,\"mod_revision\":3,\"version\":1,"
	    "\"value\":\"cXV4\",\"lease\":2228897062492932872}],\"count\":1}}},"
	    "{\"Response\":{\"ResponseDeleteRange\":{\"header\":{\"revision\":4}}}}]}");

	/* json.Marshal: an unset oneof is a nil interface without omitempty;
	 * a member present but empty is a struct. */
	expect("etcdserverpb.ResponseOp", empty, "{\"Response\":null}");
	expect("etcdserverpb.ResponseOp", response_op(2, empty),
	    "{\"Response\":{\"ResponsePut\":{}}}");
}

static void
test_oneof_members(void)
{
	struct pbout *c = pb_new(), *v = pb_new(), *last = pb_new(), *none = pb_new();
	struct pbout *w = pb_new(), *wc = pb_new();

	/* json.Marshal of Compare: the oneof where its first member is
	 * declared (after key, before range_end); a zero member is kept. */
	pbout_varint(c, 1, 1);
	put_str(c, 3, "k");
	pbout_varint(c, 4, 0);
	put_str(c, 64, "z");
	expect("etcdserverpb.Compare", c,
	    "{\"result\":1,\"key\":\"aw==\",\"TargetUnion\":{\"Version\":0},"
	    "\"range_end\":\"eg==\"}");
	pbout_bytes(v, 7, NULL, 0);
	expect("etcdserverpb.Compare", v, "{\"TargetUnion\":{\"Value\":\"\"}}");
	/* The member last on the wire wins. */
	pbout_varint(last, 4, 5);
	pbout_varint(last, 5, 7);
	expect("etcdserverpb.Compare", last, "{\"TargetUnion\":{\"CreateRevision\":7}}");
	pbout_varint(none, 2, 3);
	expect("etcdserverpb.Compare", none, "{\"target\":3,\"TargetUnion\":null}");
	/* "request_union" -> "RequestUnion". */
	pbout_msg(w, 3, wc);
	expect("etcdserverpb.WatchRequest", w, "{\"RequestUnion\":{\"ProgressRequest\":{}}}");
}

static void
test_members(void)
{
	struct pbout *l = pb_new(), *a = pb_new();
	struct pbout *n1 = member(MEMBER_ID, "n1", "http://127.0.0.1:22380",
	    "http://127.0.0.1:22379", false);
	struct pbout *n2 = member(UINT64_C(14666617038531280312), NULL,
	    "http://127.0.0.1:22390", NULL, true);
	const char *members =
	    "\"members\":[{\"ID\":11417610130673999598,\"name\":\"n1\","
	    "\"peerURLs\":[\"http://127.0.0.1:22380\"],\"clientURLs\":"
	    "[\"http://127.0.0.1:22379\"]},{\"ID\":14666617038531280312,"
	    "\"peerURLs\":[\"http://127.0.0.1:22390\"],\"isLearner\":true}]}";
	char want[1024];

	/* etcdctl member list -w json, after member add n2 --learner. */
	pbout_msg(l, 1, header(CLUSTER_ID, MEMBER_ID, 0, 2));
	pbout_msg(l, 2, n1);
	pbout_msg(l, 2, n2);
	snprintf(want, sizeof(want), "{" HDR_JSON "\"raft_term\":2},%s", members);
	expect("etcdserverpb.MemberListResponse", l, want);

	/* etcdctl member add n2 --peer-urls ... --learner -w json */
	pbout_msg(a, 1, header(CLUSTER_ID, MEMBER_ID, 0, 2));
	pbout_msg(a, 2, n2);
	pbout_msg(a, 3, n1);
	pbout_msg(a, 3, n2);
	snprintf(want, sizeof(want), "{" HDR_JSON "\"raft_term\":2},\"member\":"
	    "{\"ID\":14666617038531280312,\"peerURLs\":[\"http://127.0.0.1:22390\"],"
	    "\"isLearner\":true},%s", members);
	expect("etcdserverpb.MemberAddResponse", a, want);
}

static void
test_auth_and_strings(void)
{
	struct pbout *roles = pb_new(), *get = pb_new(), *p1 = pb_new(), *p2 = pb_new();

	/* etcdctl role list -w json, one role added as the bytes of
	 * printf 'r<1>&"q\\\t\x01\xe2\x80\xa8\xff'. */
	pbout_msg(roles, 1, header(CLUSTER_ID, MEMBER_ID, 6, 2));
	put_str(roles, 2, "plain");
	put_str(roles, 2, "r<1>&\"q\\\t\x01\xe2\x80\xa8\xff");
	expect("etcdserverpb.AuthRoleListResponse", roles,
	    "{" HDR_JSON "\"revision\":6,\"raft_term\":2},\"roles\":[\"plain\","
	    "\"r\\u003c1\\u003e\\u0026\\\"q\\\\\\t\\u0001\\u2028\\ufffd\"]}");

	/* etcdctl role get plain -w json: enums as numbers, READ (0) left out. */
	put_str(p1, 2, "bar");
	pbout_varint(p2, 1, 2);
	put_str(p2, 2, "foo");
	put_str(p2, 3, "zoo");
	pbout_msg(get, 1, header(CLUSTER_ID, MEMBER_ID, 6, 2));
	pbout_msg(get, 2, p1);
	pbout_msg(get, 2, p2);
	expect("etcdserverpb.AuthRoleGetResponse", get,
	    "{" HDR_JSON "\"revision\":6,\"raft_term\":2},\"perm\":[{\"key\":\"YmFy\"},"
	    "{\"permType\":2,\"key\":\"Zm9v\",\"range_end\":\"em9v\"}]}");
}

static void
test_numbers_and_zeros(void)
{
	struct pbout *h = pb_new(), *z = pb_new(), *s = pb_new(), *e = pb_new();
	struct pbout *zh = pb_new(), *ek = pb_new(), *em = pb_new();
	struct pbout *big = pb_new();
	char *value = malloc(3 * 700 + 3), *want = malloc(4 * 700 + 64);

	/* json.Marshal: the largest uint64, a negative int64. */
	pbout_varint(h, 1, UINT64_MAX);
	pbout_varint(h, 3, (uint64_t)INT64_C(-1));
	expect("etcdserverpb.ResponseHeader", h,
	    "{\"cluster_id\":18446744073709551615,\"revision\":-1}");

	/* Zeros on the wire are left out; a present empty message is {}. */
	pbout_msg(z, 1, zh);
	pbout_varint(z, 3, 0);
	pbout_varint(z, 4, 0);
	pbout_bytes(z, 2, NULL, 0); /* an empty KeyValue is still an element */
	expect("etcdserverpb.RangeResponse", z, "{\"header\":{},\"kvs\":[{}]}");

	/* etcdctl endpoint status -w json, the StatusResponse inside it. */
	pbout_msg(s, 1, header(CLUSTER_ID, MEMBER_ID, 6, 2));
	put_str(s, 2, "3.4.23");
	pbout_varint(s, 3, 20480);
	pbout_varint(s, 4, MEMBER_ID);
	pbout_varint(s, 5, 23);
	pbout_varint(s, 6, 2);
	pbout_varint(s, 7, 23);
	pbout_varint(s, 9, 16384);
	expect("etcdserverpb.StatusResponse", s,
	    "{" HDR_JSON "\"revision\":6,\"raft_term\":2},\"version\":\"3.4.23\","
	    "\"dbSize\":20480,\"leader\":11417610130673999598,\"raftIndex\":23,"
	    "\"raftTerm\":2,\"raftAppliedIndex\":23,\"dbSizeInUse\":16384}");

	/* An empty message. */
	expect("etcdserverpb.AlarmResponse", e, "{}");

	/* "" and empty bytes on the wire are left out too. */
	pbout_bytes(ek, 1, NULL, 0);
	pbout_bytes(ek, 5, NULL, 0);
	pbout_varint(ek, 4, 1);
	expect("mvccpb.KeyValue", ek, "{\"version\":1}");
	pbout_bytes(em, 2, NULL, 0);
	expect("etcdserverpb.Member", em, "{}");

	/* Bytes longer than one base64 chunk, padded only at the end. */
	CU_ASSERT_FATAL(value != NULL && want != NULL);
	strcpy(want, "{\"key\":\"");
	for (size_t i = 0; i < 700; i++) {
		memcpy(value + 3 * i, "abc", 3);
		strcat(want, "YWJj");
	}
	memcpy(value + 3 * 700, "ab", 2);
	strcat(want, "YWI=\"}");
	pbout_bytes(big, 1, value, 3 * 700 + 2);
	expect("mvccpb.KeyValue", big, want);
	free(value);
	free(want);
}

static void
test_wire_forms(void)
{
	static const uint8_t packed[] = {0x2a, 0x02, 0x00, 0x01, 0x28, 0x01, 0x28, 0x00,
	    0x2a, 0x00};
	static const uint8_t empty_run[] = {0x2a, 0x00, 0x30, 0x01};
	struct pbout *o = pb_new(), *twice = pb_new(), *h1 = pb_new(), *h2 = pb_new();
	struct pbout *k1 = pb_new(), *k2 = pb_new();
	int rc;
	char *got;

	/* json.Marshal: packed and unpacked elements in wire order; an empty
	 * packed run adds none. */
	got = to_json("etcdserverpb.WatchCreateRequest", packed, sizeof(packed), &rc);
	CU_ASSERT_EQUAL(rc, 0);
	CU_ASSERT_STRING_EQUAL(got, "{\"filters\":[0,1,1,0]}");
	free(got);
	got = to_json("etcdserverpb.WatchCreateRequest", empty_run, sizeof(empty_run), &rc);
	CU_ASSERT_EQUAL(rc, 0);
	CU_ASSERT_STRING_EQUAL(got, "{\"prev_kv\":true}");
	free(got);

	/* Unknown fields skipped; the last scalar wins, even when zero. */
	pbout_varint(o, 99, 7);
	put_str(o, 100, "x");
	pbout_varint(o, 3, 5);
	pbout_varint(o, 3, 9);
	pbout_varint(o, 4, 8);
	pbout_varint(o, 4, 0);
	expect("etcdserverpb.ResponseHeader", o, "{\"revision\":9}");

	/* A message given twice is merged, as gogo's Unmarshal does:
	 * scalars replaced, repeated fields appended. */
	pbout_varint(h1, 1, 1);
	pbout_varint(h1, 3, 2);
	pbout_varint(h2, 3, 3);
	pbout_msg(twice, 1, h1);
	put_str(k1, 1, "a");
	pbout_msg(twice, 2, k1);
	pbout_msg(twice, 1, h2);
	put_str(k2, 1, "b");
	pbout_msg(twice, 2, k2);
	expect("etcdserverpb.RangeResponse", twice,
	    "{\"header\":{\"cluster_id\":1,\"revision\":3},\"kvs\":[{\"key\":\"YQ==\"},"
	    "{\"key\":\"Yg==\"}]}");
}

static void
test_malformed(void)
{
	/* A varint cut short; a tag without its length; a length past the
	 * end. */
	static const uint8_t cut[] = {0x18, 0x80};
	static const uint8_t tag_cut[] = {0x0a};
	static const uint8_t len_past[] = {0x0a, 0x05, 0x08, 0x01};
	/* RangeResponse.header (1) as a varint; ResponseHeader.cluster_id
	 * (1) as bytes. */
	static const uint8_t header_varint[] = {0x08, 0x01};
	static const uint8_t id_bytes[] = {0x0a, 0x00};
	/* TxnResponse.responses[0].response_put.header as a varint: deep
	 * inside; then the same in a member a later one replaces, which Go
	 * has decoded (and refused) all the same. */
	static const uint8_t deep[] = {0x1a, 0x04, 0x12, 0x02, 0x08, 0x01};
	static const uint8_t replaced[] = {0x1a, 0x06, 0x12, 0x02, 0x08, 0x01, 0x0a, 0x00};
	/* WatchCreateRequest.filters packed, its varint cut short. */
	static const uint8_t bad_packed[] = {0x2a, 0x01, 0x80};
	uint8_t deep_ok[sizeof(deep)];
	char *got;
	int rc;

	expect_error("etcdserverpb.ResponseHeader", cut, sizeof(cut), CAIRN_ECORRUPT);
	expect_error("etcdserverpb.RangeResponse", tag_cut, sizeof(tag_cut), CAIRN_ECORRUPT);
	expect_error("etcdserverpb.RangeResponse", len_past, sizeof(len_past), CAIRN_ECORRUPT);
	expect_error("etcdserverpb.RangeResponse", header_varint, sizeof(header_varint),
	    CAIRN_ECORRUPT);
	expect_error("etcdserverpb.ResponseHeader", id_bytes, sizeof(id_bytes), CAIRN_ECORRUPT);
	expect_error("etcdserverpb.TxnResponse", deep, sizeof(deep), CAIRN_ECORRUPT);
	expect_error("etcdserverpb.TxnResponse", replaced, sizeof(replaced), CAIRN_ECORRUPT);
	expect_error("etcdserverpb.WatchCreateRequest", bad_packed, sizeof(bad_packed),
	    CAIRN_ECORRUPT);

	/* The deep case with its last field made right is fine, so the
	 * error above came from that field. */
	memcpy(deep_ok, deep, sizeof(deep));
	deep_ok[4] = 0x0a;
	deep_ok[5] = 0x00;
	got = to_json("etcdserverpb.TxnResponse", deep_ok, sizeof(deep_ok), &rc);
	CU_ASSERT_EQUAL(rc, 0);
	CU_ASSERT_STRING_EQUAL(got,
	    "{\"responses\":[{\"Response\":{\"ResponsePut\":{\"header\":{}}}}]}");
	free(got);
}

/* TxnResponse > responses > ResponseOp > response_txn > ..., levels deep
 * counting the outermost as 1 (levels odd). */
static struct pbout *
nested_txn(int levels)
{
	struct pbout *t = pb_new();

	for (int d = levels; d > 1; d -= 2) {
		struct pbout *op = pb_new(), *outer = pb_new();

		pbout_msg(op, 4, t);
		pbout_msg(outer, 3, op);
		t = outer;
	}
	return t;
}

static void
test_depth(void)
{
	struct pbout *ok = nested_txn(PB_GOJSON_DEPTH_MAX - 1);
	struct pbout *at_max = response_op(4, ok);
	struct pbout *deep = nested_txn(PB_GOJSON_DEPTH_MAX + 1);
	const char *prefix = "{\"Response\":{\"ResponseTxn\":{\"responses\":";
	char *got;
	int rc;

	got = to_json("etcdserverpb.TxnResponse", ok->buf, ok->len, &rc);
	CU_ASSERT_EQUAL(rc, 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(got, "{\"responses\":[{\"Response\":{\"ResponseTxn\":{}}}]}"));
	free(got);
	/* A ResponseOp around it: exactly PB_GOJSON_DEPTH_MAX levels. */
	got = to_json("etcdserverpb.ResponseOp", at_max->buf, at_max->len, &rc);
	CU_ASSERT_EQUAL(rc, 0);
	CU_ASSERT_EQUAL(strncmp(got, prefix, strlen(prefix)), 0);
	free(got);
	expect_error("etcdserverpb.TxnResponse", deep->buf, deep->len, CAIRN_ECORRUPT);
}

static CU_TestInfo pb_gojson_tests[] = {
	{"put, get, del as etcdctl prints them", test_put_get_del},
	{"txn: oneofs under Go's field names", test_txn},
	{"oneof members: zero kept, last wins, null", test_oneof_members},
	{"member list and member add", test_members},
	{"auth answers; Go's string escapes", test_auth_and_strings},
	{"64-bit numbers, zero values left out", test_numbers_and_zeros},
	{"packed, unknown, repeated scalars, merged messages", test_wire_forms},
	{"malformed protobuf refused, nothing written", test_malformed},
	{"nesting bound", test_depth},
	CU_TEST_INFO_NULL,
};

static CU_SuiteInfo suites[] = {
	{"pb_gojson", NULL, NULL, set_up, tear_down, pb_gojson_tests},
	CU_SUITE_INFO_NULL,
};

int
main(void)
{
	return runner_run(suites);
}
