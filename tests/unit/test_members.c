/*
 * Tests: the bootstrap membership from etcd 3.4's flags: member and
 * cluster IDs checked against IDs the real etcd 3.4.23 (Debian 12's
 * etcd-server) computed, the peer URL text they hash, and etcd's refusals
 * with its messages.
 */
#include <CUnit/CUnit.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "shared/err.h"
#include "supervisor/config.h"
#include "supervisor/members.h"
#include "tests/lib/config_args.h"
#include "tests/lib/runner.h"

#define TEST_ERR_BYTES 4096
#define TEST_ARG_BYTES 8192

static struct config cfg;
static struct members ms;
static char err[TEST_ERR_BYTES];

static void
set_up(void)
{
	memset(&cfg, 0, sizeof(cfg));
	memset(&ms, 0, sizeof(ms));
	err[0] = '\0';
}

static void
tear_down(void)
{
	config_free(&cfg);
}

/* Parses "cairn args..." (NULL-terminated), which must succeed, then
 * computes the membership. */
static int
members_of(const char *const *args)
{
	int rc = config_parse_args(&cfg, NULL, args, err, sizeof(err));

	if (rc != 0)
		fprintf(stderr, "# config_parse: %s\n", err);
	CU_ASSERT_EQUAL_FATAL(rc, 0);
	return members_from_config(&cfg, &ms, err, sizeof(err));
}

#define MEMBERS(...) members_of((const char *const[]){__VA_ARGS__, NULL})

/* Asserts a refusal with exactly 'want' in err. */
#define ASSERT_ERR(rc, want)                                                   \
	do {                                                                   \
		CU_ASSERT_EQUAL((rc), CAIRN_EINVAL);                           \
		CU_ASSERT_STRING_EQUAL(err, (want));                           \
	} while (0)

/*
 * The IDs in these tests come from etcd 3.4.23 itself, not from cairn.
 * One member, "one(NAME, PEERURLS, TOKEN)" below: a throwaway script ran
 *   etcd --name NAME --data-dir $(mktemp -d)/d \
 *     --listen-client-urls http://127.0.0.1:42379 \
 *     --advertise-client-urls http://127.0.0.1:42379 \
 *     --listen-peer-urls http://127.0.0.1:42380 \
 *     --initial-advertise-peer-urls PEERURLS \
 *     --initial-cluster NAME=URL1,NAME=URL2,... \
 *     --initial-cluster-token TOKEN (default etcd-cluster)
 * read its log line "etcdserver/membership: added member <id> [<peer
 * URLs>] to cluster <cluster id>", and stopped it by PID (kill $!).
 */
struct etcd_case {
	const char *name;
	const char *peer_urls; /* as given to etcd, comma-separated */
	const char *token;     /* NULL: the default */
	const char *stored;    /* the URL text etcd logged, for one URL */
	uint64_t id;
	uint64_t cluster_id;
};

/* Runs one etcd_case with the same flags etcd had (ports aside). */
static void
check_etcd_case(const struct etcd_case *c)
{
	char ic[TEST_ARG_BYTES], name[TEST_ARG_BYTES], adv[TEST_ARG_BYTES];
	char tok[TEST_ARG_BYTES], *copy, *rest, *u;
	size_t len = (size_t)snprintf(ic, sizeof(ic), "--initial-cluster=");

	copy = rest = strdup(c->peer_urls);
	CU_ASSERT_FATAL(copy != NULL);
	while ((u = strsep(&rest, ",")) != NULL)
		len += (size_t)snprintf(ic + len, sizeof(ic) - len, "%s%s=%s",
		    u == copy ? "" : ",", c->name, u);
	free(copy);
	snprintf(name, sizeof(name), "--name=%s", c->name);
	snprintf(adv, sizeof(adv), "--initial-advertise-peer-urls=%s", c->peer_urls);
	snprintf(tok, sizeof(tok), "--initial-cluster-token=%s",
	    c->token != NULL ? c->token : "etcd-cluster");
	CU_ASSERT_EQUAL_FATAL(MEMBERS(name, ic, adv, tok), 0);
	CU_ASSERT_EQUAL(ms.n, 1);
	CU_ASSERT_EQUAL(ms.self, 0);
	CU_ASSERT_STRING_EQUAL(ms.m[0].name, c->name);
	CU_ASSERT_EQUAL(ms.m[0].id, c->id);
	CU_ASSERT_EQUAL(ms.cluster_id, c->cluster_id);
	if (c->stored != NULL) {
		CU_ASSERT_EQUAL(ms.m[0].urls_len, 1);
		CU_ASSERT_STRING_EQUAL(ms.m[0].urls[0], c->stored);
	}
	if (ms.m[0].id != c->id || ms.cluster_id != c->cluster_id)
		fprintf(stderr, "# %s: got %" PRIx64 "/%" PRIx64 ", etcd %" PRIx64 "/%" PRIx64 "\n",
		    c->peer_urls, ms.m[0].id, ms.cluster_id, c->id, c->cluster_id);
}

/* ---- IDs ------------------------------------------------------------ */

static void
test_defaults(void)
{
	CU_ASSERT_EQUAL_FATAL(members_of((const char *const[]){NULL}), 0);
	CU_ASSERT_EQUAL(ms.n, 1);
	CU_ASSERT_EQUAL(ms.self, 0);
	CU_ASSERT_STRING_EQUAL(ms.m[0].name, "default");
	CU_ASSERT_EQUAL(ms.m[0].urls_len, 1);
	CU_ASSERT_STRING_EQUAL(ms.m[0].urls[0], "http://localhost:2380");
	/* etcd 3.4.23 with default flags (one(default, http://localhost:2380)
	 * logged "added member 8e9e05c52164694d [http://localhost:2380] to
	 * cluster cdf818194e3a8c32"). */
	CU_ASSERT_EQUAL(ms.m[0].id, UINT64_C(0x8e9e05c52164694d));
	CU_ASSERT_EQUAL(ms.cluster_id, UINT64_C(0xcdf818194e3a8c32));
}

/*
 * Three members, from a throwaway script: in T=$(mktemp -d), for i in
 * 1 2 3, in the background:
 *   etcd --name n$i --data-dir $T/n$i \
 *     --listen-client-urls http://127.0.0.1:2379$i \
 *     --advertise-client-urls http://127.0.0.1:2379$i \
 *     --listen-peer-urls http://127.0.0.1:2380$i \
 *     --initial-advertise-peer-urls http://127.0.0.1:2380$i \
 *     --initial-cluster n1=http://127.0.0.1:23801,n2=http://127.0.0.1:23802,n3=http://127.0.0.1:23803 \
 *     --initial-cluster-token cairn-test-token --initial-cluster-state new
 * then ETCDCTL_API=3 etcdctl --endpoints=http://127.0.0.1:23791 member list
 * (-w json: cluster_id 2049526789049140985 = 0x1c7161c17aebc6f9), the same
 * IDs in each log's "added member" lines; then kill of the three PIDs.
 */
#define THREE_IC "--initial-cluster=n1=http://127.0.0.1:23801,n2=http://127.0.0.1:23802,n3=http://127.0.0.1:23803"
#define THREE_TOKEN "--initial-cluster-token=cairn-test-token"
#define THREE_N1 UINT64_C(0x5794f24d500e65e1)
#define THREE_N2 UINT64_C(0x14192320e3e21a2b)
#define THREE_N3 UINT64_C(0xa2fe1df601b999bd)
#define THREE_CLUSTER UINT64_C(0x1c7161c17aebc6f9)

static void
test_three_members(void)
{
	static const char *const names[] = {"n1", "n2", "n3"};
	/* etcdctl member list order: by ID. */
	static const size_t self_of[] = {1, 0, 2};
	char name[32], adv[64];

	for (size_t i = 0; i < 3; i++) {
		snprintf(name, sizeof(name), "--name=%s", names[i]);
		snprintf(adv, sizeof(adv), "--initial-advertise-peer-urls=http://127.0.0.1:2380%zu", i + 1);
		CU_ASSERT_EQUAL_FATAL(MEMBERS(name, THREE_IC, THREE_TOKEN, adv), 0);
		CU_ASSERT_EQUAL(ms.n, 3);
		CU_ASSERT_STRING_EQUAL(ms.m[0].name, "n2");
		CU_ASSERT_EQUAL(ms.m[0].id, THREE_N2);
		CU_ASSERT_STRING_EQUAL(ms.m[0].urls[0], "http://127.0.0.1:23802");
		CU_ASSERT_STRING_EQUAL(ms.m[1].name, "n1");
		CU_ASSERT_EQUAL(ms.m[1].id, THREE_N1);
		CU_ASSERT_STRING_EQUAL(ms.m[2].name, "n3");
		CU_ASSERT_EQUAL(ms.m[2].id, THREE_N3);
		CU_ASSERT_EQUAL(ms.cluster_id, THREE_CLUSTER);
		CU_ASSERT_EQUAL(ms.self, self_of[i]);
		CU_ASSERT_STRING_EQUAL(ms.m[ms.self].name, names[i]);
	}
	/* The order of --initial-cluster does not matter. */
	CU_ASSERT_EQUAL_FATAL(MEMBERS("--name=n3", THREE_TOKEN,
	    "--initial-cluster=n3=http://127.0.0.1:23803,n1=http://127.0.0.1:23801,n2=http://127.0.0.1:23802",
	    "--initial-advertise-peer-urls=http://127.0.0.1:23803"), 0);
	CU_ASSERT_EQUAL(ms.cluster_id, THREE_CLUSTER);
	CU_ASSERT_EQUAL(ms.m[2].id, THREE_N3);
	CU_ASSERT_EQUAL(ms.self, 2);
}

/* One member with two peer URLs given out of order: etcd hashes them
 * sorted (one(two, "http://127.0.0.1:42382,http://127.0.0.1:42381"
 * [, my-token]), and one(x, "HTTP://127.0.0.1:42381,http://127.0.0.1:42380")
 * for a scheme etcd lower-cases). */
static void
test_two_urls_and_token(void)
{
	static const struct etcd_case cases[] = {
		{"two", "http://127.0.0.1:42382,http://127.0.0.1:42381", NULL, NULL,
		 UINT64_C(0xeca9e9a42cb99866), UINT64_C(0x70b12dd75a140238)},
		{"two", "http://127.0.0.1:42382,http://127.0.0.1:42381", "my-token", NULL,
		 UINT64_C(0x02d9401f1583d9e0), UINT64_C(0xacf86bbc234352fe)},
		{"x", "HTTP://127.0.0.1:42381,http://127.0.0.1:42380", NULL, NULL,
		 UINT64_C(0x6d8bf1f5a8690d02), UINT64_C(0xe42bf10292176372)},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		check_etcd_case(&cases[i]);
	/* What etcd logged: "[http://127.0.0.1:42381 http://127.0.0.1:42382]". */
	check_etcd_case(&cases[0]);
	CU_ASSERT_EQUAL(ms.m[0].urls_len, 2);
	CU_ASSERT_STRING_EQUAL(ms.m[0].urls[0], "http://127.0.0.1:42381");
	CU_ASSERT_STRING_EQUAL(ms.m[0].urls[1], "http://127.0.0.1:42382");
	check_etcd_case(&cases[2]);
	CU_ASSERT_STRING_EQUAL(ms.m[0].urls[0], "http://127.0.0.1:42380");
	CU_ASSERT_STRING_EQUAL(ms.m[0].urls[1], "http://127.0.0.1:42381");
}

/* The text etcd hashes is Go's url.URL.String(): each case ran as
 * one(c, URL), and 'stored' is the URL etcd logged. */
static void
test_url_text(void)
{
	static const struct etcd_case cases[] = {
		{"c", "HTTP://u%41!:p:q@h%c3%a9:1?a b#f g", NULL,
		 "http://uA%21:p%3Aq@h%C3%A9:1?a b#f%20g",
		 UINT64_C(0x182e009455dec0e1), UINT64_C(0x3fb9f7eeaefc63f7)},
		{"c", "http://[fe80::1%25en0]:1", NULL, "http://[fe80::1%25en0]:1",
		 UINT64_C(0x691992ea5a995798), UINT64_C(0xd10acb8e0292f1b0)},
		{"c", "http://h:1#", NULL, "http://h:1",
		 UINT64_C(0x9cbc6cef9f593757), UINT64_C(0x56f1ab956fbfebdd)},
		{"c", "http://h:1?", NULL, "http://h:1?",
		 UINT64_C(0x9928ab9232416450), UINT64_C(0x029dfb10d22f0c45)},
		{"c", "http://\xc3\xa9:1", NULL, "http://%C3%A9:1",
		 UINT64_C(0x9cc3a00304067b74), UINT64_C(0x0a056dc26fb10736)},
		{"c", "http://a@b@h:1", NULL, "http://a%40b@h:1",
		 UINT64_C(0xbd6e0ed0c2d72f62), UINT64_C(0xaf393f967c385bc0)},
		{"c", "http://h:1#a%41/?!%7e", NULL, "http://h:1#a%41/?!%7e",
		 UINT64_C(0x06d8010e587f7593), UINT64_C(0xe424591b7929696e)},
		{"c", "unixs://h:1", NULL, "unixs://h:1",
		 UINT64_C(0x3751d59d3ffac920), UINT64_C(0xfaaffccad487c32a)},
		{"c", "http://u(x)*'@h:1", NULL, "http://u%28x%29%2A%27@h:1",
		 UINT64_C(0x658df9e68ee86402), UINT64_C(0xb5d1040ce55badfe)},
		{"c", "http://u+$=;&@h:1", NULL, "http://u+$=;&@h:1",
		 UINT64_C(0x8c10811dbd7fe3d6), UINT64_C(0xbf94d7ba4a8a5be0)},
		{"c", "http://h:1#a b%41", NULL, "http://h:1#a%20bA",
		 UINT64_C(0x4fcad2932d8ae23e), UINT64_C(0x1f7152a2d80b9812)},
		{"c", "http://h:1?#f", NULL, "http://h:1?#f",
		 UINT64_C(0x961a80abf867f725), UINT64_C(0xd1bb8295f339b36c)},
		{"c", "http://HOST:1", NULL, "http://HOST:1",
		 UINT64_C(0x7e3f084a858cc6cf), UINT64_C(0xa78317d078bef55d)},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		check_etcd_case(&cases[i]);
}

/* ---- etcd's refusals -------------------------------------------------
 * Each message is what etcd 3.4.23 printed ("C | etcdmain: <message>")
 * for the same flags, run (by a throwaway script) as
 *   etcd --data-dir $(mktemp -d)/d --listen-client-urls http://127.0.0.1:42379 \
 *     --advertise-client-urls http://127.0.0.1:42379 \
 *     --listen-peer-urls http://127.0.0.1:42380 ARGS
 */

#define A "http://127.0.0.1:42380"
#define B "http://127.0.0.1:42381"

static void
test_local_name_missing(void)
{
	ASSERT_ERR(MEMBERS("--name=x", "--initial-cluster=y=" A),
	    "couldn't find local name \"x\" in the initial cluster configuration");
	/* Go's %q quoting of the name. */
	ASSERT_ERR(MEMBERS("--name=a\"b", "--initial-cluster=y=" A),
	    "couldn't find local name \"a\\\"b\" in the initial cluster configuration");
	/* --initial-cluster= (discovery not given): no member at all. */
	ASSERT_ERR(MEMBERS("--initial-cluster="),
	    "couldn't find local name \"default\" in the initial cluster configuration");
}

static void
test_advertise_mismatch(void)
{
	/* The default advertised URL is http://localhost:2380. */
	ASSERT_ERR(MEMBERS("--name=x", "--initial-cluster=x=" A),
	    "--initial-cluster has x=" A " but missing from "
	    "--initial-advertise-peer-urls=http://localhost:2380 "
	    "(resolved urls: \"http://localhost:2380\" != \"" A "\")");
	ASSERT_ERR(MEMBERS("--initial-cluster=default=http://localhost:2380",
	    "--initial-advertise-peer-urls=" A),
	    "--initial-cluster has default=http://localhost:2380 but missing from "
	    "--initial-advertise-peer-urls=" A " "
	    "(resolved urls: \"" A "\" != \"http://localhost:2380\")");
	ASSERT_ERR(MEMBERS("--name=x", "--initial-cluster=x=" A ",x=" B,
	    "--initial-advertise-peer-urls=" A),
	    "--initial-cluster has x=" B " but missing from "
	    "--initial-advertise-peer-urls=" A " "
	    "(len([\"" A "\"]) != len([\"" A "\" \"" B "\"]))");
	/* etcd names the advertised URLs "--initial-cluster" in this one. */
	ASSERT_ERR(MEMBERS("--name=x", "--initial-cluster=x=" A,
	    "--initial-advertise-peer-urls=" A "," B),
	    "--initial-advertise-peer-urls has " B " but missing from "
	    "--initial-cluster=x=" A ",x=" B);
	/* The same URLs, one list repeating one. */
	ASSERT_ERR(MEMBERS("--name=x", "--initial-cluster=x=" A ",x=" A,
	    "--initial-advertise-peer-urls=" A),
	    "failed to resolve " A " to match --initial-cluster=x=" A " "
	    "(len([\"" A "\"]) != len([\"" A "\" \"" A "\"]))");
	ASSERT_ERR(MEMBERS("--name=x", "--initial-cluster=x=" A,
	    "--initial-advertise-peer-urls=" A "," A),
	    "failed to resolve " A "," A " to match --initial-cluster=x=" A ",x=" A " "
	    "(len([\"" A "\" \"" A "\"]) != len([\"" A "\"]))");
	/* Joining an existing cluster, etcd does not compare them. */
	CU_ASSERT_EQUAL(MEMBERS("--name=x", "--initial-cluster=x=" A,
	    "--initial-cluster-state=existing"), 0);
	/* The same URLs in another order or case are the same. */
	CU_ASSERT_EQUAL(MEMBERS("--name=x", "--initial-cluster=x=" B ",x=" A,
	    "--initial-advertise-peer-urls=HTTP://127.0.0.1:42380," B), 0);
}

static void
test_duplicate_urls(void)
{
	ASSERT_ERR(MEMBERS("--name=x", "--initial-cluster=x=" A ",y=" A,
	    "--initial-advertise-peer-urls=" A),
	    "initial cluster x=" A ",y=" A " has duplicate url");
	/* Every pair, sorted as strings. */
	ASSERT_ERR(MEMBERS("--name=x", "--initial-advertise-peer-urls=" A,
	    "--initial-cluster=x=" A ",y=http://b:1,z=http://b:1,w=http://b:1,"
	    "v=http://c:1,u=http://c:1"),
	    "initial cluster u=http://c:1,v=http://c:1,w=http://b:1,x=" A ","
	    "y=http://b:1,z=http://b:1 has duplicate url");
	/* Within one member other than this one. */
	ASSERT_ERR(MEMBERS("--name=x", "--initial-advertise-peer-urls=" A,
	    "--initial-cluster=y=http://b:1,x=" A ",y=http://b:1"),
	    "initial cluster x=" A ",y=http://b:1,y=http://b:1 has duplicate url");
	/* A long message is cut to the buffer, never overrun. */
	MEMBERS("--name=x", "--initial-advertise-peer-urls=" A,
	    "--initial-cluster=x=" A ",y=" A);
	CU_ASSERT_EQUAL(members_from_config(&cfg, &ms, err, 10), CAIRN_EINVAL);
	CU_ASSERT_STRING_EQUAL(err, "initial c");
}

static void
test_identical_ids(void)
{
	/* "http://a:1?q" + "http://b:2" hashes as the one URL
	 * "http://a:1?qhttp://b:2". etcd names whichever member its map
	 * order puts second (z in five runs of five); cairn names the later
	 * one in --initial-cluster. */
	ASSERT_ERR(MEMBERS("--name=x", "--initial-advertise-peer-urls=" A,
	    "--initial-cluster=x=" A ",y=http://a:1?q,y=http://b:2,z=http://a:1?qhttp://b:2"),
	    "member exists with identical ID &{b0a1fb913e24342a "
	    "{[http://a:1?qhttp://b:2] false} {z []}}");
}

/* ---- cairn's bounds ------------------------------------------------- */

static void
test_bounds(void)
{
	char ic[TEST_ARG_BYTES], adv[TEST_ARG_BYTES], url[MEMBER_URL_BYTES_MAX + 8];
	size_t len;

	/* RAFT_MEMBERS_MAX members, then one more. */
	len = (size_t)snprintf(ic, sizeof(ic), "--initial-cluster=default=http://localhost:2380");
	for (int i = 1; i < RAFT_MEMBERS_MAX; i++)
		len += (size_t)snprintf(ic + len, sizeof(ic) - len, ",m%d=http://h:%d", i, i);
	CU_ASSERT_EQUAL(MEMBERS(ic), 0);
	CU_ASSERT_EQUAL(ms.n, RAFT_MEMBERS_MAX);
	snprintf(ic + len, sizeof(ic) - len, ",extra=http://h:99");
	ASSERT_ERR(MEMBERS(ic), "--initial-cluster: more than 16 members");

	/* MEMBER_URLS_MAX URLs for one member, then one more. */
	len = (size_t)snprintf(ic, sizeof(ic), "--initial-cluster=");
	snprintf(adv, sizeof(adv), "--initial-advertise-peer-urls=");
	for (int i = 0; i < MEMBER_URLS_MAX; i++) {
		len += (size_t)snprintf(ic + len, sizeof(ic) - len, "%sdefault=http://h:%d",
		    i > 0 ? "," : "", i);
		snprintf(adv + strlen(adv), sizeof(adv) - strlen(adv), "%shttp://h:%d",
		    i > 0 ? "," : "", i);
	}
	CU_ASSERT_EQUAL(MEMBERS(ic, adv), 0);
	CU_ASSERT_EQUAL(ms.m[0].urls_len, MEMBER_URLS_MAX);
	snprintf(ic + len, sizeof(ic) - len, ",default=http://h:99");
	ASSERT_ERR(MEMBERS(ic, adv), "--initial-cluster: member \"default\" has more than 8 peer URLs");
	snprintf(adv + strlen(adv), sizeof(adv) - strlen(adv), ",http://h:99");
	ASSERT_ERR(MEMBERS(adv, "--initial-cluster=default=http://h:0"),
	    "--initial-advertise-peer-urls: more than 8 URLs");

	/* A URL of MEMBER_URL_BYTES_MAX - 1 bytes as stored, then one more;
	 * the user "%41" counts as the one byte "A" etcd stores. */
	memset(url, 'h', sizeof(url));
	memcpy(url, "http://%41@", 11);
	memcpy(url + MEMBER_URL_BYTES_MAX + 1 - 2, ":1", 3);
	snprintf(ic, sizeof(ic), "--initial-cluster=default=%s", url);
	snprintf(adv, sizeof(adv), "--initial-advertise-peer-urls=%s", url);
	CU_ASSERT_EQUAL(MEMBERS(ic, adv), 0);
	CU_ASSERT_EQUAL(strlen(ms.m[0].urls[0]), MEMBER_URL_BYTES_MAX - 1);
	memcpy(url, "http://h", 8);
	snprintf(ic, sizeof(ic), "--initial-cluster=default=%s", url);
	CU_ASSERT_EQUAL(MEMBERS(ic), CAIRN_EINVAL);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "--initial-cluster: URL longer than 255 bytes: http://h41@hh"));
	snprintf(adv, sizeof(adv), "--initial-advertise-peer-urls=%s", url);
	CU_ASSERT_EQUAL(MEMBERS(adv, "--initial-cluster=default=http://h:1"), CAIRN_EINVAL);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "--initial-advertise-peer-urls: URL longer than 255 bytes: http://h41@hh"));

	/* A member name longer than --name allows. */
	memset(ic, 'n', 300);
	memcpy(ic, "--initial-cluster=", 18);
	snprintf(ic + 300, sizeof(ic) - 300, "=http://h:1");
	ASSERT_ERR(MEMBERS(ic), "--initial-cluster: a member name is longer than 255 bytes");
}

/* A remote member (as a running member tells it) with one peer URL. */
static struct member
remote(uint64_t id, const char *name, const char *url)
{
	struct member m = {.id = id, .urls_len = 1};

	snprintf(m.name, sizeof(m.name), "%s", name);
	snprintf(m.urls[0], sizeof(m.urls[0]), "%s", url);
	return m;
}

/* Joining: the local members take the running cluster's IDs (MemberAdd's
 * for the new one, which flags alone cannot give), matched by peer URLs
 * whatever the names, and its cluster ID; etcd's refusals otherwise. */
static void
test_join_assign(void)
{
	static const char *const ic =
	    "--initial-cluster=n1=http://127.0.0.1:23801,n2=http://127.0.0.1:23802,"
	    "n4=http://127.0.0.1:23804";
	struct member r[3] = {remote(0x900, "n1", "http://127.0.0.1:23801"),
	    remote(0x100, "", "http://127.0.0.1:23804"),
	    remote(0x500, "n2", "http://127.0.0.1:23802")};

	CU_ASSERT_EQUAL_FATAL(MEMBERS("--name=n4", ic, "--initial-cluster-state=existing"), 0);
	CU_ASSERT_EQUAL_FATAL(members_join_assign(&ms, r, 3, 0xc1, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(ms.cluster_id, 0xc1);
	CU_ASSERT_EQUAL(ms.m[0].id, 0x100);
	CU_ASSERT_STRING_EQUAL(ms.m[0].name, "n4");
	CU_ASSERT_EQUAL(ms.m[1].id, 0x500);
	CU_ASSERT_STRING_EQUAL(ms.m[1].name, "n2");
	CU_ASSERT_EQUAL(ms.m[2].id, 0x900);
	CU_ASSERT_EQUAL(ms.self, 0);
	/* One member fewer than the cluster has. */
	config_free(&cfg);
	CU_ASSERT_EQUAL_FATAL(MEMBERS("--name=n4", "--initial-cluster-state=existing",
	    "--initial-cluster=n2=http://127.0.0.1:23802,n4=http://127.0.0.1:23804"), 0);
	ASSERT_ERR(members_join_assign(&ms, r, 3, 0xc1, err, sizeof(err)),
	    "error validating peerURLs {ClusterID:c1}: member count is unequal");
	/* A member's URL that --initial-cluster does not give. */
	config_free(&cfg);
	CU_ASSERT_EQUAL_FATAL(MEMBERS("--name=n4", ic, "--initial-cluster-state=existing"), 0);
	r[2] = remote(0x500, "n2", "http://127.0.0.1:23809");
	ASSERT_ERR(members_join_assign(&ms, r, 3, 0xc1, err, sizeof(err)),
	    "error validating peerURLs {ClusterID:c1}: PeerURLs: no match found for existing "
	    "member (500, [http://127.0.0.1:23809]), last resolver error (<nil>)");
}

static CU_TestInfo members_tests[] = {
	{"defaults: etcd's IDs", test_defaults},
	{"three members: etcd's IDs", test_three_members},
	{"two unsorted URLs, a token: etcd's IDs", test_two_urls_and_token},
	{"URL text as Go writes it: etcd's IDs", test_url_text},
	{"local name missing", test_local_name_missing},
	{"advertised URLs do not match", test_advertise_mismatch},
	{"duplicate URLs", test_duplicate_urls},
	{"identical member IDs", test_identical_ids},
	{"bounds", test_bounds},
	{"joining: the running cluster's IDs", test_join_assign},
	CU_TEST_INFO_NULL,
};

static CU_SuiteInfo suites[] = {
	{"members", NULL, NULL, set_up, tear_down, members_tests},
	CU_SUITE_INFO_NULL,
};

int
main(void)
{
	return runner_run(suites);
}
