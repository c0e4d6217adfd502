/*
 * Tests: the auth store (stored/auth.c), its permission checks
 * (stored/auth_perm.c) and the auth requests at apply (apply_auth.c).
 * The answers were learnt from the real etcd 3.4.23 with etcdctl: the
 * same users, roles, permissions and requests, etcd's verdict or error
 * recorded beside each case; response bytes are protoc's encodings of
 * etcd's JSON answers with cluster ID 1, member ID 2 and term 3.
 */
#include <CUnit/CUnit.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "shared/err.h"
#include "shared/password.h"
#include "stored/apply.h"
#include "stored/auth_perm.h"
#include "stored/lease.h"
#include "tests/lib/runner.h"

static char dir[] = "/tmp/cairn-auth.XXXXXX";
static struct mvcc S;
static struct apply A;
static struct spb out;
static uint64_t ci;

#define B(s) ((struct req_bytes){.p = (const uint8_t *)(s), .n = sizeof(s) - 1})

static int
open_store(void)
{
	char err[256];

	if (mvcc_open(&S, dir, NULL, err, sizeof(err)) != 0 || apply_init(&A, &S) != 0)
		return -1;
	A.cluster_id = 1;
	A.member_id = 2;
	A.term = 3;
	A.lease_min_ttl = 2;
	return 0;
}

static void
close_store(void)
{
	apply_free(&A);
	mvcc_close(&S);
}

static int
setup(void)
{
	if (mkdtemp(dir) == NULL || open_store() != 0)
		return -1;
	spb_init(&out);
	return 0;
}

static int
teardown(void)
{
	char cmd[64];

	spb_free(&out);
	close_store();
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	return system(cmd);
}

/* The request's user: none (""), or a name at the store's auth revision. */
static const char *as_user = "";

static int
run(struct req *r)
{
	r->username = (struct req_bytes){.p = (const uint8_t *)as_user,
	    .n = (uint32_t)strlen(as_user)};
	r->auth_revision = as_user[0] != 0 ? A.auth.revision : 0;
	return apply_request(&A, r, ++ci, 3, &out);
}

static int
auth_req(enum req_type t, struct req_auth q)
{
	struct req r = {.type = t, .u.auth = q};

	return run(&r);
}

/* A user whose hash netd made (etcd 3.5's hashedPassword). */
static int
user_add(const char *name)
{
	return auth_req(REQ_USER_ADD, (struct req_auth){.name = {(const uint8_t *)name,
	    (uint32_t)strlen(name)}, .hashed = B("$2b$04$hashgivenbynetd")});
}

static bool
out_is(const uint8_t *want, size_t n)
{
	return runner_bytes_eq(out.buf, out.len, want, n);
}

/* ---- The permission check, pure. */

static void
perms_etcd_setup(struct auth_perms *p)
{
	/* etcdctl role grant-permission r read a c; readwrite c e; write k;
	 * --prefix readwrite p/; --from-key read z */
	auth_perms_init(p);
	auth_perms_add(p, AUTH_PERM_READ, (const uint8_t *)"a", 1, (const uint8_t *)"c", 1);
	auth_perms_add(p, AUTH_PERM_READWRITE, (const uint8_t *)"c", 1, (const uint8_t *)"e", 1);
	auth_perms_add(p, AUTH_PERM_WRITE, (const uint8_t *)"k", 1, NULL, 0);
	auth_perms_add(p, AUTH_PERM_READWRITE, (const uint8_t *)"p/", 2, (const uint8_t *)"p0", 2);
	auth_perms_add(p, AUTH_PERM_READ, (const uint8_t *)"z", 1, (const uint8_t *)"", 1);
	auth_perms_seal(p);
}

struct perm_case {
	const char *key, *end;       /* end NULL: a single key; "" stands for "\0" */
	bool allowed;
};

static bool
perm_allows(const struct auth_perms *p, uint32_t type, const struct perm_case *c)
{
	static const uint8_t nul = 0;
	const uint8_t *end = c->end == NULL ? NULL : c->end[0] == 0 ? &nul :
	    (const uint8_t *)c->end;
	uint32_t end_len = c->end == NULL ? 0 : c->end[0] == 0 ? 1 : (uint32_t)strlen(c->end);

	return auth_perms_allow(p, type, (const uint8_t *)c->key, (uint32_t)strlen(c->key),
	    end, end_len);
}

static void
test_perm_read_as_etcd(void)
{
	/* etcdctl --user u get ARGS against etcd 3.4.23: "" means denied
	 * ("Error: etcdserver: permission denied"). */
	static const struct perm_case cases[] = {
		{"a", NULL, true},               /* get a */
		{"b", NULL, true},               /* get b */
		{"a", "b", true},                /* get a --prefix */
		{"a", "e", true},                /* get a e: [a,c) and [c,e) meet */
		{"a", "f", false},               /* get a f */
		{"c", "e", true},                /* get c e */
		{"k", NULL, false},              /* get k: write only */
		{"k", "l", false},               /* get k l */
		{"p/x", NULL, true},             /* get p/x */
		{"p/", "p0", true},              /* get p/ --prefix */
		{"z", NULL, true},               /* get z */
		{"zz", NULL, true},              /* get zz */
		{"z", "", true},                 /* get z --from-key */
		{"y", "", false},                /* get y --from-key */
		{"b", "a", true},                /* get b a: etcd's interval tree allows it */
		{"d", "b", true},                /* get d b */
		{"e", "c", false},               /* get e c */
	};
	struct auth_perms p;

	perms_etcd_setup(&p);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		bool got = perm_allows(&p, AUTH_PERM_READ, &cases[i]);

		if (got != cases[i].allowed)
			printf("# read %s..%s: %d\n", cases[i].key,
			    cases[i].end ? cases[i].end : "(key)", got);
		CU_ASSERT_EQUAL(got, cases[i].allowed);
	}
	auth_perms_free(&p);
}

static void
test_perm_write(void)
{
	static const struct perm_case cases[] = {
		{"k", NULL, true},               /* a single key's permission */
		{"k", "k\x01", false},           /* ... covers no range beyond it */
		{"ka", NULL, false},
		{"a", NULL, false},              /* read only */
		{"c", NULL, true},
		{"c", "e", true},
		{"d", "e\x01", false},
		{"p/", "p0", true},
		{"p/", "p1", false},
		{"z", NULL, false},
	};
	struct auth_perms p;

	perms_etcd_setup(&p);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		CU_ASSERT_EQUAL(perm_allows(&p, AUTH_PERM_WRITE, &cases[i]), cases[i].allowed);
	/* Empty: nothing allowed; reset keeps nothing. */
	auth_perms_reset(&p);
	CU_ASSERT_FALSE(perm_allows(&p, AUTH_PERM_READ, &cases[0]));
	/* Adjacent from-key and point permissions join up; unknown types add
	 * nothing. */
	auth_perms_add(&p, 7, (const uint8_t *)"a", 1, (const uint8_t *)"", 1);
	auth_perms_add(&p, AUTH_PERM_READ, (const uint8_t *)"b", 1, (const uint8_t *)"", 1);
	auth_perms_add(&p, AUTH_PERM_READ, (const uint8_t *)"a", 1, NULL, 0);
	auth_perms_add(&p, AUTH_PERM_READ, (const uint8_t *)"a\0", 2, (const uint8_t *)"b", 1);
	auth_perms_seal(&p);
	CU_ASSERT_TRUE(perm_allows(&p, AUTH_PERM_READ, &(struct perm_case){"a", "", true}));
	CU_ASSERT_FALSE(perm_allows(&p, AUTH_PERM_READ, &(struct perm_case){"", "", true}));
	CU_ASSERT_FALSE(perm_allows(&p, AUTH_PERM_WRITE, &(struct perm_case){"a", NULL, true}));
	auth_perms_free(&p);
}

/* ---- Users and roles, through the applier. */

static void
test_users_roles_as_etcd(void)
{
	/* etcdctl -w json role get r2 after: grant-permission r2 read b;
	 * write a c; read a b; readwrite a c; read a; --from-key write a. */
	static const uint8_t role_get[] = {0x0a, 0x08, 0x08, 0x01, 0x10, 0x02, 0x18, 0x01, 0x20,
	    0x03, 0x12, 0x08, 0x08, 0x02, 0x12, 0x01, 0x61, 0x1a, 0x01, 0x63, 0x12, 0x06, 0x12,
	    0x01, 0x61, 0x1a, 0x01, 0x62, 0x12, 0x03, 0x12, 0x01, 0x61, 0x12, 0x08, 0x08, 0x01,
	    0x12, 0x01, 0x61, 0x1a, 0x01, 0x00, 0x12, 0x03, 0x12, 0x01, 0x62};
	/* etcdctl -w json user list: users: "root", "u" */
	static const uint8_t user_list[] = {0x0a, 0x08, 0x08, 0x01, 0x10, 0x02, 0x18, 0x01,
	    0x20, 0x03, 0x12, 0x04, 0x72, 0x6f, 0x6f, 0x74, 0x12, 0x01, 0x75};
	uint64_t rev0 = A.auth.revision;

	CU_ASSERT_EQUAL(rev0, 1); /* etcd's auth revision of a new store */
	CU_ASSERT_EQUAL(user_add("u"), 0);
	CU_ASSERT_EQUAL(user_add("root"), 0);
	CU_ASSERT_EQUAL(A.auth.revision, rev0 + 2);
	CU_ASSERT_EQUAL(user_add("root"), CAIRN_EUSEREXIST);
	CU_ASSERT_EQUAL(out.len, 0);
	CU_ASSERT_EQUAL(user_add(""), CAIRN_EUSEREMPTY);
	CU_ASSERT_EQUAL(auth_req(REQ_USER_LIST, (struct req_auth){0}), 0);
	CU_ASSERT_TRUE(out_is(user_list, sizeof(user_list)));

	CU_ASSERT_EQUAL(auth_req(REQ_ROLE_ADD, (struct req_auth){.name = B("r2")}), 0);
	CU_ASSERT_EQUAL(auth_req(REQ_ROLE_ADD, (struct req_auth){.name = B("r2")}),
	    CAIRN_EROLEEXIST);
	CU_ASSERT_EQUAL(auth_req(REQ_ROLE_ADD, (struct req_auth){0}), CAIRN_EROLEEMPTY);
	struct { uint32_t type; struct req_bytes key, end; } grants[] = {
		{AUTH_PERM_READ, B("b"), {0}},
		{AUTH_PERM_WRITE, B("a"), B("c")},
		{AUTH_PERM_READ, B("a"), B("b")},
		{AUTH_PERM_READWRITE, B("a"), B("c")},
		{AUTH_PERM_READ, B("a"), {0}},
		{AUTH_PERM_WRITE, B("a"), {.p = (const uint8_t *)"", .n = 1}},
	};
	for (size_t i = 0; i < sizeof(grants) / sizeof(grants[0]); i++)
		CU_ASSERT_EQUAL(auth_req(REQ_ROLE_GRANT, (struct req_auth){.name = B("r2"),
		    .perm_type = grants[i].type, .key = grants[i].key, .end = grants[i].end}), 0);
	CU_ASSERT_EQUAL(auth_req(REQ_ROLE_GET, (struct req_auth){.name = B("r2")}), 0);
	CU_ASSERT_TRUE(out_is(role_get, sizeof(role_get)));

	/* etcd's errors, each as etcdctl printed it. */
	CU_ASSERT_EQUAL(auth_req(REQ_ROLE_GRANT, (struct req_auth){.name = B("nope")}),
	    CAIRN_EROLENOTFOUND);
	CU_ASSERT_EQUAL(auth_req(REQ_USER_GRANT, (struct req_auth){.name = B("u"),
	    .role = B("nope")}), CAIRN_EROLENOTFOUND);
	CU_ASSERT_EQUAL(auth_req(REQ_USER_GRANT, (struct req_auth){.name = B("nobody"),
	    .role = B("r2")}), CAIRN_EUSERNOTFOUND);
	CU_ASSERT_EQUAL(auth_req(REQ_USER_REVOKE, (struct req_auth){.name = B("u"),
	    .role = B("nope")}), CAIRN_EROLENOTGRANTED);
	CU_ASSERT_EQUAL(auth_req(REQ_ROLE_REVOKE, (struct req_auth){.name = B("r2"),
	    .key = B("zz")}), CAIRN_EPERMNOTGRANTED);
	CU_ASSERT_EQUAL(auth_req(REQ_USER_GET, (struct req_auth){.name = B("nobody")}),
	    CAIRN_EUSERNOTFOUND);
	CU_ASSERT_EQUAL(auth_req(REQ_ROLE_GET, (struct req_auth){.name = B("nobody")}),
	    CAIRN_EROLENOTFOUND);
	CU_ASSERT_EQUAL(auth_req(REQ_USER_DELETE, (struct req_auth){.name = B("nobody")}),
	    CAIRN_EUSERNOTFOUND);
	CU_ASSERT_EQUAL(auth_req(REQ_ROLE_DELETE, (struct req_auth){.name = B("nobody")}),
	    CAIRN_EROLENOTFOUND);
	CU_ASSERT_EQUAL(auth_req(REQ_USER_PASSWD, (struct req_auth){.name = B("nobody"),
	    .hashed = B("$2b$")}), CAIRN_EUSERNOTFOUND);
	CU_ASSERT_EQUAL(auth_req(REQ_AUTHENTICATE, (struct req_auth){.name = B("u")}),
	    CAIRN_EAUTHNOTENABLED);

	/* A role granted twice: ignored, the revision stays. */
	CU_ASSERT_EQUAL(auth_req(REQ_USER_GRANT, (struct req_auth){.name = B("u"),
	    .role = B("r2")}), 0);
	uint64_t rev = A.auth.revision;
	CU_ASSERT_EQUAL(auth_req(REQ_USER_GRANT, (struct req_auth){.name = B("u"),
	    .role = B("r2")}), 0);
	CU_ASSERT_EQUAL(A.auth.revision, rev);
	/* Revoking a permission takes every one with that key and end. */
	CU_ASSERT_EQUAL(auth_req(REQ_ROLE_REVOKE, (struct req_auth){.name = B("r2"),
	    .key = B("a"), .end = B("c")}), 0);
	CU_ASSERT_EQUAL(A.auth.revision, rev + 1);
	CU_ASSERT_EQUAL(auth_req(REQ_ROLE_GET, (struct req_auth){.name = B("r2")}), 0);
	CU_ASSERT_EQUAL(out.len, sizeof(role_get) - 10);
}

/* Roles a user holds, from a UserGet response. */
static bool
user_roles_are(const char *user, const char *want)
{
	char got[256] = "";
	struct req_bytes name = {(const uint8_t *)user, (uint32_t)strlen(user)};

	if (auth_req(REQ_USER_GET, (struct req_auth){.name = name}) != 0)
		return false;
	/* After the 10-byte header: 0x12 len role, ... */
	for (size_t i = 10; i + 1 < out.len; i += 2 + out.buf[i + 1]) {
		strncat(got, (const char *)out.buf + i + 2, out.buf[i + 1]);
		strcat(got, " ");
	}
	if (strcmp(got, want) != 0)
		printf("# roles of %s: \"%s\"\n", user, got);
	return strcmp(got, want) == 0;
}

static void
test_roles_of_users(void)
{
	CU_ASSERT_EQUAL(auth_req(REQ_ROLE_ADD, (struct req_auth){.name = B("zeta")}), 0);
	CU_ASSERT_EQUAL(auth_req(REQ_ROLE_ADD, (struct req_auth){.name = B("alpha")}), 0);
	CU_ASSERT_EQUAL(auth_req(REQ_USER_GRANT, (struct req_auth){.name = B("u"),
	    .role = B("zeta")}), 0);
	CU_ASSERT_EQUAL(auth_req(REQ_USER_GRANT, (struct req_auth){.name = B("u"),
	    .role = B("alpha")}), 0);
	CU_ASSERT_EQUAL(auth_req(REQ_USER_GRANT, (struct req_auth){.name = B("root"),
	    .role = B("zeta")}), 0);
	/* Kept sorted, as etcd's sort.Strings. */
	CU_ASSERT_TRUE(user_roles_are("u", "alpha r2 zeta "));
	/* A deleted role leaves every user that had it. */
	CU_ASSERT_EQUAL(auth_req(REQ_ROLE_DELETE, (struct req_auth){.name = B("zeta")}), 0);
	CU_ASSERT_TRUE(user_roles_are("u", "alpha r2 "));
	CU_ASSERT_TRUE(user_roles_are("root", ""));
	CU_ASSERT_EQUAL(auth_req(REQ_USER_REVOKE, (struct req_auth){.name = B("u"),
	    .role = B("alpha")}), 0);
	CU_ASSERT_TRUE(user_roles_are("u", "r2 "));
}

static void
test_enable_rules(void)
{
	/* etcdctl auth enable: "root user does not have root role". */
	CU_ASSERT_EQUAL(auth_req(REQ_AUTH_ENABLE, (struct req_auth){0}), CAIRN_EROOTROLENOTEXIST);
	CU_ASSERT_EQUAL(auth_req(REQ_USER_DELETE, (struct req_auth){.name = B("root")}), 0);
	CU_ASSERT_EQUAL(auth_req(REQ_AUTH_ENABLE, (struct req_auth){0}), CAIRN_EROOTUSERNOTEXIST);
	CU_ASSERT_EQUAL(user_add("root"), 0);
	/* The root role may be granted before it exists. */
	CU_ASSERT_EQUAL(auth_req(REQ_USER_GRANT, (struct req_auth){.name = B("root"),
	    .role = B("root")}), 0);
	uint64_t rev = A.auth.revision;
	CU_ASSERT_EQUAL(auth_req(REQ_AUTH_ENABLE, (struct req_auth){0}), 0);
	CU_ASSERT_TRUE(A.auth.enabled);
	CU_ASSERT_EQUAL(A.auth.revision, rev); /* etcd 3.4 does not move it */
	as_user = "root";
	CU_ASSERT_EQUAL(auth_req(REQ_AUTH_ENABLE, (struct req_auth){0}), 0);
	/* "invalid auth management", as etcdctl showed for each. */
	CU_ASSERT_EQUAL(auth_req(REQ_USER_DELETE, (struct req_auth){.name = B("root")}),
	    CAIRN_EAUTHMGMT);
	CU_ASSERT_EQUAL(auth_req(REQ_ROLE_DELETE, (struct req_auth){.name = B("root")}),
	    CAIRN_EAUTHMGMT);
	CU_ASSERT_EQUAL(auth_req(REQ_USER_REVOKE, (struct req_auth){.name = B("root"),
	    .role = B("root")}), CAIRN_EAUTHMGMT);
	as_user = "";
}

static int
put(const char *key, int64_t lease, bool prev_kv)
{
	struct req r = {.type = REQ_PUT, .u.put = {.key = {(const uint8_t *)key,
	    (uint32_t)strlen(key)}, .value = B("v"), .lease = lease, .prev_kv = prev_kv}};

	return run(&r);
}

static int
range(const char *key, const char *end)
{
	struct req r = {.type = REQ_RANGE, .u.range = {.key = {(const uint8_t *)key,
	    (uint32_t)strlen(key)}, .end = {(const uint8_t *)end, (uint32_t)strlen(end)}}};

	return run(&r);
}

static void
test_checks_at_apply(void)
{
	struct req r;

	/* u holds r2: read b, read a..b, read a, write a.. (from-key). */
	as_user = "";
	CU_ASSERT_EQUAL(put("a", 0, false), CAIRN_EUSEREMPTY); /* "user name is empty" */
	as_user = "root";
	CU_ASSERT_EQUAL(put("a", 0, false), 0);
	r = (struct req){.type = REQ_LEASE_GRANT, .u.grant = {.ttl = 60, .id = 7}};
	CU_ASSERT_EQUAL(run(&r), 0);
	CU_ASSERT_EQUAL(put("0", 7, false), 0); /* "0" sorts before every u permission */
	as_user = "u";
	CU_ASSERT_EQUAL(put("b", 0, false), 0);
	CU_ASSERT_EQUAL(put("b", 0, true), 0);  /* prev_kv: read b too */
	CU_ASSERT_EQUAL(put("0", 0, false), CAIRN_EPERMDENIED);
	CU_ASSERT_EQUAL(range("a", ""), 0);
	CU_ASSERT_EQUAL(range("a", "b"), 0);
	CU_ASSERT_EQUAL(range("a", "c"), CAIRN_EPERMDENIED); /* "permission denied" */
	/* Attaching to a lease needs write on its keys ("0"). */
	CU_ASSERT_EQUAL(put("c", 7, false), CAIRN_EPERMDENIED);
	r = (struct req){.type = REQ_LEASE_REVOKE, .u.revoke = {.id = 7}};
	CU_ASSERT_EQUAL(run(&r), CAIRN_EPERMDENIED);
	/* Delete: write, and read when prev_kv. */
	r = (struct req){.type = REQ_DELETE, .u.del = {.key = B("c"), .end = B("d")}};
	CU_ASSERT_EQUAL(run(&r), 0);
	r.u.del.prev_kv = true;
	CU_ASSERT_EQUAL(run(&r), CAIRN_EPERMDENIED);
	/* Txn: compares read, ops as themselves, nested ones too. */
	struct req_compare cmp = {.key = B("0")};
	struct req_op put_c = {.type = REQ_OP_PUT, .u.put = {.key = B("c"), .value = B("v")}};
	struct req_op put_0 = {.type = REQ_OP_PUT, .u.put = {.key = B("0"), .value = B("v")}};
	struct req_txn inner = {.success = &put_0, .nsuccess = 1};
	struct req_op nested = {.type = REQ_OP_TXN, .u.txn = &inner};
	r = (struct req){.type = REQ_TXN, .u.txn = {.success = &put_c, .nsuccess = 1}};
	CU_ASSERT_EQUAL(run(&r), 0);
	r.u.txn.cmp = &cmp;
	r.u.txn.ncmp = 1;
	CU_ASSERT_EQUAL(run(&r), CAIRN_EPERMDENIED);
	r.u.txn = (struct req_txn){.failure = &nested, .nfailure = 1};
	CU_ASSERT_EQUAL(run(&r), CAIRN_EPERMDENIED);
	/* A token from an older auth revision: "revision of auth store is old". */
	r = (struct req){.type = REQ_PUT, .u.put = {.key = B("b"), .value = B("v")},
	    .username = B("u"), .auth_revision = A.auth.revision - 1};
	CU_ASSERT_EQUAL(apply_request(&A, &r, ++ci, 3, &out), CAIRN_EAUTHOLDREV);
	/* Reads outside Raft are checked alike. */
	r = (struct req){.type = REQ_RANGE, .u.range = {.key = B("0")}, .username = B("u"),
	    .auth_revision = A.auth.revision};
	CU_ASSERT_EQUAL(apply_read(&A, &r, &out), CAIRN_EPERMDENIED);
	r.u.range.key = B("b");
	CU_ASSERT_EQUAL(apply_read(&A, &r, &out), 0);

	/* Admin requests: "permission denied" for u (etcdctl user list). */
	CU_ASSERT_EQUAL(auth_req(REQ_USER_LIST, (struct req_auth){0}), CAIRN_EPERMDENIED);
	CU_ASSERT_EQUAL(auth_req(REQ_ROLE_ADD, (struct req_auth){.name = B("x")}),
	    CAIRN_EPERMDENIED);
	/* ... but u may read itself and its own roles. */
	CU_ASSERT_EQUAL(auth_req(REQ_USER_GET, (struct req_auth){.name = B("u")}), 0);
	CU_ASSERT_EQUAL(auth_req(REQ_USER_GET, (struct req_auth){.name = B("root")}),
	    CAIRN_EPERMDENIED);
	CU_ASSERT_EQUAL(auth_req(REQ_ROLE_GET, (struct req_auth){.name = B("r2")}), 0);
	CU_ASSERT_EQUAL(auth_req(REQ_ROLE_GET, (struct req_auth){.name = B("alpha")}),
	    CAIRN_EPERMDENIED);
	as_user = "nobody";
	CU_ASSERT_EQUAL(auth_req(REQ_USER_LIST, (struct req_auth){0}), CAIRN_EUSERNOTFOUND);
	CU_ASSERT_EQUAL(put("b", 0, false), CAIRN_EPERMDENIED);
	/* A change of permissions is seen at once (the cache follows the
	 * auth revision). */
	as_user = "root";
	CU_ASSERT_EQUAL(auth_req(REQ_ROLE_GRANT, (struct req_auth){.name = B("r2"),
	    .perm_type = AUTH_PERM_WRITE, .key = B("0")}), 0);
	as_user = "u";
	CU_ASSERT_EQUAL(put("0", 0, false), 0);
	as_user = "";
}

static void
test_authenticate(void)
{
	/* AuthenticateResponse {header, token: "tok.N"}: etcd's simple token
	 * is the prefix the API layer made, a dot and the entry's index N. */
	struct req r = {.type = REQ_AUTHENTICATE, .u.auth = {.name = B("u"), .token = B("tok")}};
	char token[32];
	size_t header_len;

	CU_ASSERT_EQUAL(run(&r), 0);
	snprintf(token, sizeof(token), "\x12%ctok.%llu", (char)(4 + snprintf(NULL, 0, "%llu",
	    (unsigned long long)ci)), (unsigned long long)ci);
	header_len = 2 + (size_t)out.buf[1];
	CU_ASSERT_TRUE(out.len == header_len + strlen(token) &&
	    memcmp(out.buf + header_len, token, strlen(token)) == 0);
	/* Without a prefix (netd makes JWTs itself), no token. */
	r.u.auth.token = (struct req_bytes){0};
	CU_ASSERT_EQUAL(run(&r), 0);
	CU_ASSERT_EQUAL(out.len, header_len);
	r.u.auth.name = B("nobody");
	CU_ASSERT_EQUAL(run(&r), CAIRN_EAUTHFAILED);
	/* A user without a password cannot authenticate. */
	as_user = "root";
	CU_ASSERT_EQUAL(auth_req(REQ_USER_ADD, (struct req_auth){.name = B("nopw"),
	    .no_password = true}), 0);
	as_user = "";
	r.u.auth.name = B("nopw");
	CU_ASSERT_EQUAL(run(&r), CAIRN_EAUTHFAILED);
}

static void
test_passwords(void)
{
	static const uint8_t salt[PASSWORD_SALT_BYTES] = {1, 2, 3};
	char h[PASSWORD_HASH_BYTES_MAX];
	struct req_bytes got;
	size_t n;

	CU_ASSERT_EQUAL(password_hash((const uint8_t *)"pw", 2, 4, salt, h, &n), 0);
	CU_ASSERT_EQUAL(n, 60);
	CU_ASSERT_EQUAL(strncmp(h, "$2b$04$", 7), 0);
	CU_ASSERT_TRUE(password_check((const uint8_t *)h, n, (const uint8_t *)"pw", 2));
	CU_ASSERT_FALSE(password_check((const uint8_t *)h, n, (const uint8_t *)"pW", 2));
	CU_ASSERT_FALSE(password_check((const uint8_t *)h, n - 1, (const uint8_t *)"pw", 2));
	CU_ASSERT_EQUAL(password_hash((const uint8_t *)"p\0w", 3, 4, salt, h, &n), CAIRN_EINVAL);
	CU_ASSERT_EQUAL(password_hash((const uint8_t *)"pw", 2, 3, salt, h, &n), CAIRN_EINVAL);
	/* Go's bcrypt makes "$2a$" hashes (etcd's stores, or a snapshot of
	 * one): they are read too ("$2a$" and "$2b$" differ only for
	 * passwords over 255 bytes). */
	CU_ASSERT_EQUAL(password_hash((const uint8_t *)"upw", 3, 4, salt, h, &n), 0);
	h[2] = 'a';
	CU_ASSERT_TRUE(password_check((const uint8_t *)h, n, (const uint8_t *)"upw", 3));

	/* A password netd did not hash is hashed at apply (cost 10), the
	 * salt taken from the entry: the same on every member. */
	as_user = "root";
	CU_ASSERT_EQUAL(auth_req(REQ_USER_PASSWD, (struct req_auth){.name = B("u"),
	    .password = B("secret")}), 0);
	A.auth.enabled = true;
	CU_ASSERT_EQUAL_FATAL(auth_user_hash(&A.auth, NULL, B("u"), &got), 0);
	CU_ASSERT_EQUAL(strncmp((const char *)got.p, "$2b$10$", 7), 0);
	CU_ASSERT_TRUE(password_check(got.p, got.n, (const uint8_t *)"secret", 6));
	/* One hashed by netd is kept as given. */
	CU_ASSERT_EQUAL(auth_req(REQ_USER_PASSWD, (struct req_auth){.name = B("u"),
	    .password = B("ignored"), .hashed = B("$2b$04$given")}), 0);
	CU_ASSERT_EQUAL_FATAL(auth_user_hash(&A.auth, NULL, B("u"), &got), 0);
	CU_ASSERT_EQUAL(got.n, 12);
	as_user = "";
}

static void
test_persisted(void)
{
	uint64_t rev = A.auth.revision;

	CU_ASSERT_TRUE(A.auth.enabled);
	close_store();
	CU_ASSERT_EQUAL_FATAL(open_store(), 0);
	CU_ASSERT_TRUE(A.auth.enabled);
	CU_ASSERT_EQUAL(A.auth.revision, rev);
	as_user = "u";
	CU_ASSERT_EQUAL(put("0", 0, false), 0);
	CU_ASSERT_EQUAL(put("00", 0, false), CAIRN_EPERMDENIED);
	/* Disabled: the revision moves, and nothing is checked. */
	as_user = "root";
	CU_ASSERT_EQUAL(auth_req(REQ_AUTH_DISABLE, (struct req_auth){0}), 0);
	CU_ASSERT_FALSE(A.auth.enabled);
	CU_ASSERT_EQUAL(A.auth.revision, rev + 1);
	as_user = "";
	CU_ASSERT_EQUAL(put("00", 0, false), 0);
	CU_ASSERT_EQUAL(auth_req(REQ_AUTH_DISABLE, (struct req_auth){0}), 0);
	CU_ASSERT_EQUAL(A.auth.revision, rev + 1);
	close_store();
	CU_ASSERT_EQUAL_FATAL(open_store(), 0);
	CU_ASSERT_FALSE(A.auth.enabled);
	CU_ASSERT_EQUAL(A.auth.revision, rev + 1);
}

static CU_TestInfo perm_tests[] = {
	{"reads allowed as etcd's interval tree decides", test_perm_read_as_etcd},
	{"writes, points, from-key, reset", test_perm_write},
	CU_TEST_INFO_NULL,
};

static CU_TestInfo store_tests[] = {
	{"users, roles, permissions and errors as etcd's", test_users_roles_as_etcd},
	{"roles of users: sorted, deleted with the role", test_roles_of_users},
	{"enable needs root with the root role; root kept", test_enable_rules},
	{"checks at apply: keys, leases, txns, admin, revision", test_checks_at_apply},
	{"authenticate: simple token, unknown, no password", test_authenticate},
	{"passwords: bcrypt at apply or as hashed by netd", test_passwords},
	{"enabled flag and revision persist; disable", test_persisted},
	CU_TEST_INFO_NULL,
};

static CU_SuiteInfo suites[] = {
	{"auth_perm", NULL, NULL, NULL, NULL, perm_tests},
	{"auth", setup, teardown, NULL, NULL, store_tests},
	CU_SUITE_INFO_NULL,
};

int
main(void)
{
	return runner_run(suites);
}
