/*
 * Tests: the MVCC store on a real Berkeley DB environment: revisions,
 * versions and generations as etcd 3.4 gives them, ranges at the current
 * and at past revisions, counts and limits, the consistent index kept
 * across a reopen. Expected values are what etcd 3.4.23 answered to the
 * same operations with etcdctl (noted beside each case).
 */
#include <CUnit/CUnit.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "shared/err.h"
#include "raftd/raft_types.h"
#include "stored/lease.h"
#include "stored/members.h"
#include "stored/member_rec.h"
#include "stored/mvcc.h"
#include "tests/lib/runner.h"

static char dir[] = "/tmp/cairn-mvcc.XXXXXX";
static struct mvcc S;
static uint64_t ci;

#define KV_SEEN_MAX 64
struct seen {
	int n;
	char key[KV_SEEN_MAX][32];
	char val[KV_SEEN_MAX][32];
	struct mvcc_kv kv[KV_SEEN_MAX];
};

static int
collect(void *arg, const struct mvcc_kv *kv)
{
	struct seen *s = arg;

	if (s->n == KV_SEEN_MAX)
		return CAIRN_EINVAL;
	snprintf(s->key[s->n], 32, "%.*s", (int)kv->key_len, (const char *)kv->key);
	snprintf(s->val[s->n], 32, "%.*s", (int)kv->value_len, (const char *)kv->value);
	s->kv[s->n] = *kv;
	s->n++;
	return 0;
}

static int
open_store(void)
{
	char err[256];
	int rc = mvcc_open(&S, dir, NULL, err, sizeof(err));

	if (rc != 0)
		printf("# %s\n", err);
	return rc;
}

static int
setup(void)
{
	if (mkdtemp(dir) == NULL)
		return -1;
	return open_store();
}

static int
teardown(void)
{
	char cmd[64];

	mvcc_close(&S);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	return system(cmd);
}

/* One write transaction of one put. */
static void
put(const char *k, const char *v)
{
	struct mvcc_wtxn w;

	CU_ASSERT_FATAL(mvcc_write_begin(&S, &w) == 0);
	CU_ASSERT_FATAL(mvcc_put(&w, &(struct mvcc_put_req){.key = (const uint8_t *)k,
	    .key_len = strlen(k), .value = (const uint8_t *)v, .value_len = strlen(v)},
	    NULL, NULL) == 0);
	CU_ASSERT_FATAL(mvcc_write_end(&w, ++ci, 1) == 0);
}

static int64_t
del(const char *k, const char *end)
{
	struct mvcc_wtxn w;
	int64_t n = -1;

	CU_ASSERT_FATAL(mvcc_write_begin(&S, &w) == 0);
	CU_ASSERT_FATAL(mvcc_delete_range(&w, (const uint8_t *)k, strlen(k), (const uint8_t *)end,
	    end != NULL ? (end[0] == 0 ? 1 : strlen(end)) : 0, &n, NULL, NULL) == 0);
	CU_ASSERT_FATAL(mvcc_write_end(&w, ++ci, 1) == 0);
	return n;
}

/* Range [k, end) at rev (0: current); end NULL: k alone; "" : "\0". */
static int
get(const char *k, const char *end, int64_t rev, int64_t limit, struct seen *s,
    struct mvcc_range_res *res)
{
	struct mvcc_range_req r = {.key = (const uint8_t *)k, .key_len = strlen(k),
	    .end = (const uint8_t *)end, .rev = rev, .limit = limit};

	if (end != NULL)
		r.end_len = end[0] == 0 ? 1 : strlen(end);
	memset(s, 0, sizeof(*s));
	return mvcc_range(&S, NULL, &r, collect, s, res);
}

/* etcd: a new store is at revision 1; the first put makes revision 2,
 * create 2, mod 2, version 1; the next put of the key: mod 3, version 2. */
static void
test_put_versions(void)
{
	struct seen s;
	struct mvcc_range_res res;

	CU_ASSERT_EQUAL(S.rev, 1);
	put("foo", "bar");
	CU_ASSERT_EQUAL(S.rev, 2);
	put("foo", "baz");
	CU_ASSERT_EQUAL(S.rev, 3);
	CU_ASSERT_EQUAL(get("foo", NULL, 0, 0, &s, &res), 0);
	CU_ASSERT_EQUAL(res.rev, 3);
	CU_ASSERT_EQUAL(res.count, 1);
	CU_ASSERT_EQUAL_FATAL(s.n, 1);
	CU_ASSERT_STRING_EQUAL(s.val[0], "baz");
	CU_ASSERT_EQUAL(s.kv[0].create_rev, 2);
	CU_ASSERT_EQUAL(s.kv[0].mod_rev, 3);
	CU_ASSERT_EQUAL(s.kv[0].version, 2);
	/* At revision 2: the first value, version 1. */
	CU_ASSERT_EQUAL(get("foo", NULL, 2, 0, &s, &res), 0);
	CU_ASSERT_EQUAL(res.rev, 3);
	CU_ASSERT_EQUAL_FATAL(s.n, 1);
	CU_ASSERT_STRING_EQUAL(s.val[0], "bar");
	CU_ASSERT_EQUAL(s.kv[0].version, 1);
	/* At revision 1 the key did not exist. */
	CU_ASSERT_EQUAL(get("foo", NULL, 1, 0, &s, &res), 0);
	CU_ASSERT_EQUAL(s.n, 0);
	CU_ASSERT_EQUAL(res.count, 0);
}

/* etcd: a delete makes a tombstone at a new revision (deleted 1); a put
 * after it starts a new generation (create = its revision, version 1);
 * deleting nothing does not move the revision. */
static void
test_delete_generations(void)
{
	struct seen s;
	struct mvcc_range_res res;
	int64_t before;

	CU_ASSERT_EQUAL(del("foo", NULL), 1);
	CU_ASSERT_EQUAL(S.rev, 4);
	CU_ASSERT_EQUAL(get("foo", NULL, 0, 0, &s, &res), 0);
	CU_ASSERT_EQUAL(s.n, 0);
	CU_ASSERT_EQUAL(res.count, 0);
	before = S.rev;
	CU_ASSERT_EQUAL(del("foo", NULL), 0);
	CU_ASSERT_EQUAL(S.rev, before);
	put("foo", "new");
	CU_ASSERT_EQUAL(get("foo", NULL, 0, 0, &s, &res), 0);
	CU_ASSERT_EQUAL_FATAL(s.n, 1);
	CU_ASSERT_EQUAL(s.kv[0].create_rev, 5);
	CU_ASSERT_EQUAL(s.kv[0].version, 1);
	/* At the tombstone's revision: nothing; just before it: baz. */
	CU_ASSERT_EQUAL(get("foo", NULL, 4, 0, &s, &res), 0);
	CU_ASSERT_EQUAL(s.n, 0);
	CU_ASSERT_EQUAL(get("foo", NULL, 3, 0, &s, &res), 0);
	CU_ASSERT_EQUAL_FATAL(s.n, 1);
	CU_ASSERT_STRING_EQUAL(s.val[0], "baz");
}

/* Keys sort bytewise, a prefix first: "a" < "a\0"... here "a" < "ab" <
 * "b"; a range [a, b) at the current and a past revision; limits. */
static void
test_ranges_and_limits(void)
{
	struct seen s;
	struct mvcc_range_res res;
	int64_t at;

	put("b", "1");
	put("a", "2");
	put("ab", "3");
	put("abc", "4");
	at = S.rev;
	put("a", "5");
	CU_ASSERT_EQUAL(del("abc", NULL), 1);
	CU_ASSERT_EQUAL(get("a", "b", 0, 0, &s, &res), 0);
	CU_ASSERT_EQUAL(res.count, 2);
	CU_ASSERT_EQUAL_FATAL(s.n, 2);
	CU_ASSERT_STRING_EQUAL(s.key[0], "a");
	CU_ASSERT_STRING_EQUAL(s.val[0], "5");
	CU_ASSERT_STRING_EQUAL(s.key[1], "ab");
	CU_ASSERT_EQUAL(get("a", "b", at, 0, &s, &res), 0);
	CU_ASSERT_EQUAL(res.count, 3);
	CU_ASSERT_EQUAL_FATAL(s.n, 3);
	CU_ASSERT_STRING_EQUAL(s.key[0], "a");
	CU_ASSERT_STRING_EQUAL(s.val[0], "2");
	CU_ASSERT_STRING_EQUAL(s.key[2], "abc");
	/* limit 1: one key, the count of all, more. */
	CU_ASSERT_EQUAL(get("a", "b", 0, 1, &s, &res), 0);
	CU_ASSERT_EQUAL(s.n, 1);
	CU_ASSERT_EQUAL(res.count, 2);
	CU_ASSERT_TRUE(res.more);
	CU_ASSERT_EQUAL(get("a", "b", at, 2, &s, &res), 0);
	CU_ASSERT_EQUAL(s.n, 2);
	CU_ASSERT_EQUAL(res.count, 3);
	CU_ASSERT_TRUE(res.more);
	/* "\0": every key from "a" on: a, ab, b, foo. */
	CU_ASSERT_EQUAL(get("a", "", 0, 0, &s, &res), 0);
	CU_ASSERT_EQUAL(res.count, 4);
	CU_ASSERT_EQUAL_FATAL(s.n, 4);
	CU_ASSERT_STRING_EQUAL(s.key[3], "foo");
	CU_ASSERT_FALSE(res.more);
}

/* One transaction, several changes: one revision, sub revisions. */
static void
test_one_revision_per_txn(void)
{
	struct mvcc_wtxn w;
	struct seen s;
	struct mvcc_range_res res;
	int64_t before = S.rev, n;

	CU_ASSERT_FATAL(mvcc_write_begin(&S, &w) == 0);
	CU_ASSERT(mvcc_put(&w, &(struct mvcc_put_req){.key = (const uint8_t *)"x1", .key_len = 2,
	    .value = (const uint8_t *)"v", .value_len = 1}, NULL, NULL) == 0);
	CU_ASSERT(mvcc_put(&w, &(struct mvcc_put_req){.key = (const uint8_t *)"x2", .key_len = 2,
	    .value = (const uint8_t *)"v", .value_len = 1}, NULL, NULL) == 0);
	CU_ASSERT(mvcc_delete_range(&w, (const uint8_t *)"x1", 2, NULL, 0, &n, NULL, NULL) == 0);
	CU_ASSERT_EQUAL(n, 1);
	CU_ASSERT_FATAL(mvcc_write_end(&w, ++ci, 2) == 0);
	CU_ASSERT_EQUAL(S.rev, before + 1);
	CU_ASSERT_EQUAL(get("x", "y", 0, 0, &s, &res), 0);
	CU_ASSERT_EQUAL_FATAL(s.n, 1);
	CU_ASSERT_STRING_EQUAL(s.key[0], "x2");
	CU_ASSERT_EQUAL(s.kv[0].mod_rev, before + 1);
}

static void
test_future_revision(void)
{
	struct seen s;
	struct mvcc_range_res res;

	CU_ASSERT_EQUAL(get("foo", NULL, S.rev + 1, 0, &s, &res), CAIRN_EFUTUREREV);
}

/* Revision, consistent index and term come back from disk. */
static void
test_reopen(void)
{
	int64_t rev = S.rev;
	struct seen s;
	struct mvcc_range_res res;

	mvcc_close(&S);
	CU_ASSERT_FATAL(open_store() == 0);
	CU_ASSERT_EQUAL(S.rev, rev);
	CU_ASSERT_EQUAL(S.ci, ci);
	CU_ASSERT_EQUAL(S.term, 2);
	CU_ASSERT_EQUAL(get("a", "b", 0, 0, &s, &res), 0);
	CU_ASSERT_EQUAL(res.count, 2);
}

/* Records in one of the store's databases. */
static long
records(DB *db)
{
	DBC *c;
	DBT k = {0}, v = {0};
	long n = 0;

	CU_ASSERT_FATAL(db->cursor(db, NULL, &c, 0) == 0);
	while (c->get(c, &k, &v, DB_NEXT) == 0)
		n++;
	c->close(c);
	return n;
}

/* History records of one key. */
static long
key_records(const char *key)
{
	uint8_t seek[64] = {0};
	size_t n = strlen(key);
	DBC *c;
	DBT k = {.data = seek, .size = (uint32_t)(n + 16)}, v = {0};
	long count = 0;
	int rc;

	memcpy(seek, key, n);
	CU_ASSERT_FATAL(S.db.hist->cursor(S.db.hist, NULL, &c, 0) == 0);
	for (rc = c->get(c, &k, &v, DB_SET_RANGE); rc == 0; rc = c->get(c, &k, &v, DB_NEXT)) {
		if (k.size != n + 16 || memcmp(k.data, key, n) != 0)
			break;
		count++;
	}
	c->close(c);
	return count;
}

static void
compact_all(void)
{
	bool done = false;

	for (int i = 0; i < 1000 && !done; i++)
		CU_ASSERT_FATAL(mvcc_compact_step(&S, 2, &done) == 0);
	CU_ASSERT_TRUE(done);
}

/* etcd: after compaction at R, reads below R fail ("required revision
 * has been compacted"), at R they work; compacting at or below R again
 * fails the same way, above the current revision as a future revision.
 * Physically, only each key's newest revision at or below R stays, and
 * not even that when it is a tombstone. */
static void
test_compaction(void)
{
	struct seen s;
	struct mvcc_range_res res;
	int64_t r0, r1, r2;

	put("cmp", "1");
	r0 = S.rev;
	put("cmp", "2");
	r1 = S.rev;
	put("cmp", "3");
	put("gone", "x");
	CU_ASSERT_EQUAL(del("gone", NULL), 1);
	r2 = S.rev;
	put("after", "y");
	CU_ASSERT_EQUAL(key_records("cmp"), 3);
	CU_ASSERT_EQUAL(key_records("gone"), 2);
	CU_ASSERT_EQUAL(mvcc_compact(&S, r1, ++ci, 2), 0);
	CU_ASSERT_EQUAL(get("cmp", NULL, r0, 0, &s, &res), CAIRN_ECOMPACTED);
	CU_ASSERT_EQUAL(get("cmp", NULL, r1, 0, &s, &res), 0);
	CU_ASSERT_EQUAL_FATAL(s.n, 1);
	CU_ASSERT_STRING_EQUAL(s.val[0], "2");
	CU_ASSERT_EQUAL(mvcc_compact(&S, r1, ++ci, 2), CAIRN_ECOMPACTED);
	CU_ASSERT_EQUAL(mvcc_compact(&S, S.rev + 1, ++ci, 2), CAIRN_EFUTUREREV);
	compact_all();
	CU_ASSERT_EQUAL(get("cmp", NULL, r1, 0, &s, &res), 0);
	CU_ASSERT_EQUAL_FATAL(s.n, 1);
	CU_ASSERT_STRING_EQUAL(s.val[0], "2");
	CU_ASSERT_EQUAL(get("cmp", NULL, 0, 0, &s, &res), 0);
	CU_ASSERT_STRING_EQUAL(s.val[0], "3");
	/* cmp's revision r0 went; gone's are above r1. */
	CU_ASSERT_EQUAL(key_records("cmp"), 2);
	CU_ASSERT_EQUAL(key_records("gone"), 2);
	CU_ASSERT_EQUAL(records(S.db.hist), records(S.db.key));
	/* At r2 gone's generation ended at or below: it goes whole. */
	CU_ASSERT_EQUAL(mvcc_compact(&S, r2, ++ci, 2), 0);
	compact_all();
	CU_ASSERT_EQUAL(key_records("gone"), 0);
	CU_ASSERT_EQUAL(key_records("cmp"), 1); /* "3" is its newest at or below r2 */
	CU_ASSERT_EQUAL(key_records("after"), 1);
	CU_ASSERT_EQUAL(records(S.db.hist), records(S.db.key));
	CU_ASSERT_EQUAL(get("gone", NULL, r2, 0, &s, &res), 0);
	CU_ASSERT_EQUAL(s.n, 0);
	CU_ASSERT_EQUAL(get("after", NULL, 0, 0, &s, &res), 0);
	CU_ASSERT_EQUAL(s.n, 1);
	CU_ASSERT_EQUAL(S.compact_done_rev, r2);
}

/* A compaction cut short (the process stopped mid-pass) finishes after
 * a reopen. */
static void
test_compaction_resumes(void)
{
	bool done = false;

	for (int i = 0; i < 20; i++)
		put("many", "v");
	CU_ASSERT_EQUAL(mvcc_compact(&S, S.rev, ++ci, 2), 0);
	CU_ASSERT_EQUAL(mvcc_compact_step(&S, 3, &done), 0);
	CU_ASSERT_FALSE(done);
	mvcc_close(&S);
	CU_ASSERT_FATAL(open_store() == 0);
	CU_ASSERT_TRUE(S.pass.active);
	CU_ASSERT_TRUE(S.compact_done_rev < S.compact_rev);
	compact_all();
	/* Only the newest of the 20 stays. */
	CU_ASSERT_EQUAL(key_records("many"), 1);
	CU_ASSERT_EQUAL(records(S.db.hist), records(S.db.key));
	CU_ASSERT_EQUAL(S.compact_done_rev, S.compact_rev);
}

/* A batch: several write transactions, one commit; an abort takes the
 * whole batch back, revision and consistent index included. */
static void
test_batches(void)
{
	struct seen s;
	struct mvcc_range_res res;
	int64_t rev = S.rev;
	uint64_t index = S.ci;

	CU_ASSERT_FATAL(mvcc_batch_begin(&S) == 0);
	put("batch1", "a");
	put("batch2", "b");
	CU_ASSERT_EQUAL(S.rev, rev + 2);
	/* Reads within the batch see it. */
	CU_ASSERT_EQUAL(get("batch", "batci", 0, 0, &s, &res), 0);
	CU_ASSERT_EQUAL(s.n, 2);
	mvcc_batch_abort(&S);
	CU_ASSERT_EQUAL(S.rev, rev);
	CU_ASSERT_EQUAL(S.ci, index);
	CU_ASSERT_EQUAL(get("batch", "batci", 0, 0, &s, &res), 0);
	CU_ASSERT_EQUAL(s.n, 0);
	ci = index;
	CU_ASSERT_FATAL(mvcc_batch_begin(&S) == 0);
	put("batch1", "a");
	put("batch2", "b");
	CU_ASSERT_FATAL(mvcc_batch_commit(&S) == 0);
	mvcc_close(&S);
	CU_ASSERT_FATAL(open_store() == 0);
	CU_ASSERT_EQUAL(S.rev, rev + 2);
	CU_ASSERT_EQUAL(S.ci, index + 2);
	CU_ASSERT_EQUAL(get("batch", "batci", 0, 0, &s, &res), 0);
	CU_ASSERT_EQUAL(s.n, 2);
	CU_ASSERT_EQUAL(s.kv[1].mod_rev, rev + 2);
}

/* One write transaction around fn's change; returns fn's result. */
static int
in_txn(int (*fn)(struct mvcc_wtxn *w, void *arg), void *arg)
{
	struct mvcc_wtxn w;
	int rc;

	CU_ASSERT_FATAL(mvcc_write_begin(&S, &w) == 0);
	rc = fn(&w, arg);
	if (rc != 0) {
		mvcc_write_abort(&w);
		return rc;
	}
	CU_ASSERT_FATAL(mvcc_write_end(&w, ++ci, 2) == 0);
	return 0;
}

static int
do_put(struct mvcc_wtxn *w, void *arg)
{
	return mvcc_put(w, arg, NULL, NULL);
}

static int
put_req(const char *k, const char *v, int64_t lease, bool ignore_value, bool ignore_lease)
{
	struct mvcc_put_req r = {.key = (const uint8_t *)k, .key_len = strlen(k),
	    .value = (const uint8_t *)v, .value_len = v != NULL ? strlen(v) : 0,
	    .lease = lease, .ignore_value = ignore_value, .ignore_lease = ignore_lease};

	return in_txn(do_put, &r);
}

struct grant { int64_t id, ttl; };

static int
do_grant(struct mvcc_wtxn *w, void *arg)
{
	const struct grant *g = arg;

	return lease_grant(w, g->id, g->ttl, 3);
}

static int
grant(int64_t id, int64_t ttl)
{
	struct grant g = {id, ttl};

	return in_txn(do_grant, &g);
}

static int64_t revoked;

static int
do_revoke(struct mvcc_wtxn *w, void *arg)
{
	return lease_revoke(w, *(int64_t *)arg, &revoked);
}

static int
revoke_lease(int64_t id)
{
	return in_txn(do_revoke, &id);
}

struct keylist {
	int n;
	char k[8][16];
};

static int
list_key(void *arg, const uint8_t *key, uint32_t key_len)
{
	struct keylist *l = arg;

	if (l->n < 8)
		snprintf(l->k[l->n++], 16, "%.*s", (int)key_len, (const char *)key);
	return 0;
}

/* etcd: a lease is granted with the TTL asked (raised to the minimum),
 * once; a put attaches its key, another put moves or drops it; a put
 * naming a lease that does not exist fails and writes nothing; a revoke
 * deletes every attached key in one revision. */
static void
test_leases(void)
{
	struct lease_rec l;
	struct keylist kl = {0};
	struct seen s;
	struct mvcc_range_res res;
	int64_t rev;

	CU_ASSERT_EQUAL(grant(100, 10), 0);
	CU_ASSERT_EQUAL(grant(100, 10), CAIRN_ELEASEEXIST);
	CU_ASSERT_EQUAL(grant(101, 1), 0);
	CU_ASSERT_EQUAL(grant(102, LEASE_TTL_MAX + 1), CAIRN_ELEASETTLTOOLARGE);
	CU_ASSERT_EQUAL(lease_get(&S, NULL, 100, &l), 0);
	CU_ASSERT_EQUAL(l.ttl, 10);
	CU_ASSERT_EQUAL(lease_get(&S, NULL, 101, &l), 0);
	CU_ASSERT_EQUAL(l.ttl, 3);
	CU_ASSERT_EQUAL(lease_get(&S, NULL, 102, &l), CAIRN_ELEASENOTFOUND);
	rev = S.rev;
	CU_ASSERT_EQUAL(put_req("l1", "a", 100, false, false), 0);
	CU_ASSERT_EQUAL(put_req("l2", "b", 100, false, false), 0);
	CU_ASSERT_EQUAL(put_req("l3", "c", 100, false, false), 0);
	CU_ASSERT_EQUAL(put_req("l4", "d", 999, false, false), CAIRN_ELEASENOTFOUND);
	CU_ASSERT_EQUAL(S.rev, rev + 3);
	CU_ASSERT_EQUAL(get("l4", NULL, 0, 0, &s, &res), 0);
	CU_ASSERT_EQUAL(s.n, 0);
	CU_ASSERT_EQUAL(get("l1", NULL, 0, 0, &s, &res), 0);
	CU_ASSERT_EQUAL_FATAL(s.n, 1);
	CU_ASSERT_EQUAL(s.kv[0].lease, 100);
	/* l1 moves to lease 101; l3 leaves its lease. */
	CU_ASSERT_EQUAL(put_req("l1", "a2", 101, false, false), 0);
	CU_ASSERT_EQUAL(put_req("l3", "c2", 0, false, false), 0);
	CU_ASSERT_EQUAL(lease_keys(&S, NULL, 100, list_key, &kl), 0);
	CU_ASSERT_EQUAL_FATAL(kl.n, 1);
	CU_ASSERT_STRING_EQUAL(kl.k[0], "l2");
	/* ignore_value keeps the value, ignore_lease the lease. */
	CU_ASSERT_EQUAL(put_req("l2", NULL, 101, true, false), 0);
	CU_ASSERT_EQUAL(get("l2", NULL, 0, 0, &s, &res), 0);
	CU_ASSERT_STRING_EQUAL(s.val[0], "b");
	CU_ASSERT_EQUAL(s.kv[0].lease, 101);
	CU_ASSERT_EQUAL(put_req("l2", "b2", 0, false, true), 0);
	CU_ASSERT_EQUAL(get("l2", NULL, 0, 0, &s, &res), 0);
	CU_ASSERT_STRING_EQUAL(s.val[0], "b2");
	CU_ASSERT_EQUAL(s.kv[0].lease, 101);
	CU_ASSERT_EQUAL(put_req("nokey", NULL, 0, true, false), CAIRN_EKEYNOTFOUND);
	CU_ASSERT_EQUAL(put_req("nokey", "x", 0, false, true), CAIRN_EKEYNOTFOUND);
	/* Revoking 101 deletes l1 and l2 in one revision. */
	rev = S.rev;
	CU_ASSERT_EQUAL(revoke_lease(101), 0);
	CU_ASSERT_EQUAL(revoked, 2);
	CU_ASSERT_EQUAL(S.rev, rev + 1);
	CU_ASSERT_EQUAL(get("l", "m", 0, 0, &s, &res), 0);
	CU_ASSERT_EQUAL_FATAL(s.n, 1);
	CU_ASSERT_STRING_EQUAL(s.key[0], "l3");
	CU_ASSERT_EQUAL(revoke_lease(101), CAIRN_ELEASENOTFOUND);
	/* A lease with no keys: revoked without a revision. */
	rev = S.rev;
	CU_ASSERT_EQUAL(revoke_lease(100), 0);
	CU_ASSERT_EQUAL(revoked, 0);
	CU_ASSERT_EQUAL(S.rev, rev);
	/* Deleting a key detaches it. */
	CU_ASSERT_EQUAL(grant(103, 10), 0);
	CU_ASSERT_EQUAL(put_req("l5", "e", 103, false, false), 0);
	CU_ASSERT_EQUAL(del("l5", NULL), 1);
	kl.n = 0;
	CU_ASSERT_EQUAL(lease_keys(&S, NULL, 103, list_key, &kl), 0);
	CU_ASSERT_EQUAL(kl.n, 0);
}

/* etcd 3.4.23's HashKV for the same operations on a new member: put a 1,
 * put b 2, put a 3, del b, put c 4: 2750537463 at the current revision
 * (6), 1827592406 at 3; compact 4: 2450235489, 1468967122 at 5, revision
 * 4 refused as compacted; put b 5, compact 6: 2237393992. */
static void
test_hash_kv_as_etcd(void)
{
	char hdir[] = "/tmp/cairn-hash.XXXXXX", err[256], cmd[64];
	struct mvcc saved = S;
	uint32_t h;
	int64_t crev;
	bool done = false;

	CU_ASSERT_FATAL(mkdtemp(hdir) != NULL);
	CU_ASSERT_FATAL(mvcc_open(&S, hdir, NULL, err, sizeof(err)) == 0);
	put("a", "1");
	put("b", "2");
	put("a", "3");
	CU_ASSERT_EQUAL(del("b", NULL), 1);
	put("c", "4");
	CU_ASSERT_EQUAL(mvcc_hash_kv(&S, 0, &h, &crev), 0);
	CU_ASSERT_EQUAL(h, 2750537463u);
	CU_ASSERT_EQUAL(crev, -1);
	CU_ASSERT_EQUAL(mvcc_hash_kv(&S, 3, &h, &crev), 0);
	CU_ASSERT_EQUAL(h, 1827592406u);
	CU_ASSERT_EQUAL(mvcc_hash_kv(&S, 7, &h, &crev), CAIRN_EFUTUREREV);
	CU_ASSERT_EQUAL(mvcc_compact(&S, 4, ++ci, 2), 0);
	/* The same before and after the physical pass. */
	CU_ASSERT_EQUAL(mvcc_hash_kv(&S, 0, &h, &crev), 0);
	CU_ASSERT_EQUAL(h, 2450235489u);
	CU_ASSERT_EQUAL(crev, 4);
	compact_all();
	CU_ASSERT_EQUAL(mvcc_hash_kv(&S, 0, &h, &crev), 0);
	CU_ASSERT_EQUAL(h, 2450235489u);
	CU_ASSERT_EQUAL(mvcc_hash_kv(&S, 5, &h, &crev), 0);
	CU_ASSERT_EQUAL(h, 1468967122u);
	CU_ASSERT_EQUAL(mvcc_hash_kv(&S, 4, &h, &crev), CAIRN_ECOMPACTED);
	put("b", "5");
	CU_ASSERT_EQUAL(mvcc_compact(&S, 6, ++ci, 2), 0);
	while (!done)
		CU_ASSERT_FATAL(mvcc_compact_step(&S, 1, &done) == 0);
	CU_ASSERT_EQUAL(mvcc_hash_kv(&S, 0, &h, &crev), 0);
	CU_ASSERT_EQUAL(h, 2237393992u);
	mvcc_close(&S);
	S = saved;
	snprintf(cmd, sizeof(cmd), "rm -rf %s", hdir);
	CU_ASSERT(system(cmd) == 0);
}

/* The quota counts what an empty store's fixed pages leave out: nothing
 * for a new store, the pages a value takes once written. */
static void
test_quota_bytes(void)
{
	char qdir[] = "/tmp/cairn-quota.XXXXXX", err[256], cmd[64];
	static char big[20000];
	struct mvcc saved = S;
	int64_t file, in_use, quota;

	CU_ASSERT_FATAL(mkdtemp(qdir) != NULL);
	CU_ASSERT_FATAL(mvcc_open(&S, qdir, NULL, err, sizeof(err)) == 0);
	CU_ASSERT_EQUAL(mvcc_db_size(&S, &file, &in_use), 0);
	CU_ASSERT_EQUAL(mvcc_quota_bytes(&S, &quota), 0);
	CU_ASSERT(file > 0);
	CU_ASSERT_EQUAL(quota, 0);
	memset(big, 'v', sizeof(big) - 1);
	put("k", big);
	CU_ASSERT_EQUAL(mvcc_quota_bytes(&S, &quota), 0);
	CU_ASSERT(quota >= (int64_t)sizeof(big) - 1);
	CU_ASSERT_EQUAL(mvcc_db_size(&S, &file, &in_use), 0);
	CU_ASSERT(quota < file);
	mvcc_close(&S);
	S = saved;
	snprintf(cmd, sizeof(cmd), "rm -rf %s", qdir);
	CU_ASSERT(system(cmd) == 0);
}

/* etcd's members tables: added members as their entries' context,
 * updates merge the peer URLs in, promotion clears the learner flag,
 * removed members stay removed; refusals as etcd's apply. */
static void
test_members(void)
{
	/* etcdserverpb.Member{ID 2, Name "a", PeerURLs, IsLearner true}. */
	static const uint8_t m1[] = {0x08, 0x02, 0x12, 0x01, 'a', 0x1a, 0x0d, 'h', 't', 't',
		'p', ':', '/', '/', 'a', ':', '2', '3', '8', '0', 0x28, 0x01};
	/* An update's context: ID 2 and the new peer URL only. */
	static const uint8_t m2[] = {0x08, 0x02, 0x1a, 0x0d, 'h', 't', 't', 'p', ':', '/', '/',
		'b', ':', '2', '3', '8', '0'};
	/* What the update leaves: name and learner flag kept. */
	static const uint8_t m12[] = {0x08, 0x02, 0x12, 0x01, 'a', 0x28, 0x01, 0x1a, 0x0d,
		'h', 't', 't', 'p', ':', '/', '/', 'b', ':', '2', '3', '8', '0'};
	struct member_view v;
	const uint8_t *got;
	uint32_t len;
	bool removed;

	CU_ASSERT_EQUAL(members_apply(&S, NULL, RAFT_CONF_ADD_LEARNER, 2, m1, sizeof(m1)), 0);
	CU_ASSERT_EQUAL_FATAL(members_get(&S, 2, &got, &len, &removed), 0);
	CU_ASSERT(len == sizeof(m1) && memcmp(got, m1, len) == 0 && !removed);
	CU_ASSERT_EQUAL(members_apply(&S, NULL, RAFT_CONF_ADD, 2, m1, sizeof(m1)),
	    CAIRN_EMEMBEREXIST);
	CU_ASSERT_EQUAL(members_apply(&S, NULL, RAFT_CONF_UPDATE, 2, m2, sizeof(m2)), 0);
	CU_ASSERT_EQUAL_FATAL(members_get(&S, 2, &got, &len, &removed), 0);
	CU_ASSERT(len == sizeof(m12) && memcmp(got, m12, len) == 0);
	CU_ASSERT_EQUAL(members_apply(&S, NULL, RAFT_CONF_PROMOTE, 2, NULL, 0), 0);
	CU_ASSERT_EQUAL_FATAL(members_get(&S, 2, &got, &len, &removed), 0);
	CU_ASSERT_EQUAL_FATAL(member_rec_view(got, len, &v), 0);
	CU_ASSERT(!v.learner && v.started && v.nurls == 1);
	CU_ASSERT_EQUAL(members_apply(&S, NULL, RAFT_CONF_PROMOTE, 2, NULL, 0),
	    CAIRN_ENOTLEARNER);
	CU_ASSERT_EQUAL(members_apply(&S, NULL, RAFT_CONF_REMOVE, 2, NULL, 0), 0);
	CU_ASSERT_EQUAL_FATAL(members_get(&S, 2, &got, &len, &removed), 0);
	CU_ASSERT(removed && len == 7 && memcmp(got, "removed", 7) == 0);
	CU_ASSERT_EQUAL(members_apply(&S, NULL, RAFT_CONF_REMOVE, 2, NULL, 0),
	    CAIRN_EMEMBERNOTFOUND);
	CU_ASSERT_EQUAL(members_apply(&S, NULL, RAFT_CONF_UPDATE, 2, m2, sizeof(m2)),
	    CAIRN_EMEMBERNOTFOUND);
	CU_ASSERT_EQUAL(members_get(&S, 3, &got, &len, &removed), CAIRN_ENOENT);
}

static CU_TestInfo mvcc_tests[] = {
	{"put: revisions and versions as etcd", test_put_versions},
	{"delete: tombstones and generations", test_delete_generations},
	{"ranges at current and past revisions, limits", test_ranges_and_limits},
	{"one revision per write transaction", test_one_revision_per_txn},
	{"a future revision is refused", test_future_revision},
	{"revision and consistent index survive a reopen", test_reopen},
	{"compaction: reads, refusals, what is removed", test_compaction},
	{"an interrupted compaction finishes after a reopen", test_compaction_resumes},
	{"batches commit together and abort together", test_batches},
	{"leases: grant, attach, move, ignore_*, revoke", test_leases},
	{"HashKV as etcd's, before and after compaction", test_hash_kv_as_etcd},
	{"members tables: add, update, promote, remove", test_members},
	{"the quota leaves an empty store's pages out", test_quota_bytes},
	CU_TEST_INFO_NULL,
};

static CU_SuiteInfo suites[] = {
	{"mvcc", setup, teardown, NULL, NULL, mvcc_tests},
	CU_SUITE_INFO_NULL,
};

int
main(void)
{
	return runner_run(suites);
}
