/*
 * Tests: the MVCC store against a small in-memory model of etcd's
 * semantics: random puts, deletes (of a key or a range) and transactions
 * of several changes, each followed by a random range (a key or a range,
 * at the current or a past revision, with or without a limit) whose every
 * key-value, count and "more" must match the model's. Leases are granted
 * and revoked (a revoke deleting its keys in one revision), and puts
 * name them, granted or not. Keys are 1 to 3
 * bytes over {0x00, 'a', 'b', 0xff}, so prefixes, zero bytes and the
 * top byte are all exercised. Compactions are scheduled now and then,
 * their physical pass interleaved with everything else; reads below one
 * must fail, the rest must not notice. CAIRN_TEST_SEED picks the run;
 * CAIRN_MVCC_MODEL_OPS the number of operations (default 100,000).
 */
#include <CUnit/CUnit.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "shared/be.h"
#include "shared/err.h"
#include "stored/keyrange.h"
#include "stored/lease.h"
#include "stored/mvcc.h"
#include "tests/lib/runner.h"

#define MODEL_KEY_MAX 3
#define MODEL_VAL_MAX 12
#define MODEL_OPS_DEFAULT 100000
#define MODEL_SEEN_MAX 128

/* One change the model recorded. */
struct change {
	int64_t main, create, version, lease;
	char val[MODEL_VAL_MAX];
	bool tomb;
};

/* Lease IDs 1 to MODEL_LEASES, granted or not. */
#define MODEL_LEASES 8
static bool granted[MODEL_LEASES + 1];

/* Every possible key, sorted bytewise, each with its changes in order. */
#define MODEL_KEYS (4 + 16 + 64)
struct model_key {
	uint8_t key[MODEL_KEY_MAX];
	uint32_t key_len;
	struct change *c;
	size_t n, cap;
};

static struct model_key keys[MODEL_KEYS];
static size_t nchanges;
static int64_t model_rev = 1;
static int64_t model_compact = -1;
static uint64_t rng;

static const uint8_t alphabet[] = {0x00, 'a', 'b', 0xff};

static int
key_order(const void *a, const void *b)
{
	const struct model_key *x = a, *y = b;

	return keyrange_cmp(x->key, x->key_len, y->key, y->key_len);
}

static void
model_init(void)
{
	size_t n = 0;

	for (uint32_t len = 1; len <= MODEL_KEY_MAX; len++) {
		uint32_t combos = 1u << (2 * len);

		for (uint32_t c = 0; c < combos; c++, n++) {
			keys[n].key_len = len;
			for (uint32_t i = 0; i < len; i++)
				keys[n].key[i] = alphabet[(c >> (2 * i)) & 3];
		}
	}
	qsort(keys, MODEL_KEYS, sizeof(keys[0]), key_order);
}

static struct model_key *
model_find(const uint8_t *k, uint32_t len)
{
	struct model_key probe = {.key_len = len};

	memcpy(probe.key, k, len);
	return bsearch(&probe, keys, MODEL_KEYS, sizeof(keys[0]), key_order);
}

static void
random_key(uint8_t *k, uint32_t *len)
{
	*len = 1 + (uint32_t)(runner_rand(&rng) % MODEL_KEY_MAX);
	for (uint32_t i = 0; i < *len; i++)
		k[i] = alphabet[runner_rand(&rng) % sizeof(alphabet)];
}

/* The newest change of mk at or below rev, or NULL. */
static const struct change *
model_at(const struct model_key *mk, int64_t rev)
{
	size_t lo = 0, hi = mk->n;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (mk->c[mid].main <= rev)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo == 0 ? NULL : &mk->c[lo - 1];
}

static void
model_add(struct model_key *mk, int64_t main, const char *val, bool tomb, int64_t lease)
{
	const struct change *prev = mk->n > 0 ? &mk->c[mk->n - 1] : NULL;
	bool live = prev != NULL && !prev->tomb;
	struct change c = {.main = main, .tomb = tomb, .lease = tomb ? 0 : lease};

	snprintf(c.val, sizeof(c.val), "%s", val);
	c.create = live ? prev->create : main;
	c.version = live ? prev->version + 1 : 1;
	if (mk->n == mk->cap) {
		mk->cap = mk->cap ? mk->cap * 2 : 16;
		mk->c = realloc(mk->c, mk->cap * sizeof(*mk->c));
	}
	mk->c[mk->n++] = c;
	nchanges++;
}

struct seen {
	int n;
	struct mvcc_kv kv[MODEL_SEEN_MAX];
	uint8_t key[MODEL_SEEN_MAX][MODEL_KEY_MAX];
	char val[MODEL_SEEN_MAX][MODEL_VAL_MAX + 1];
};

static int
collect(void *arg, const struct mvcc_kv *kv)
{
	struct seen *s = arg;

	if (s->n == MODEL_SEEN_MAX || kv->key_len > MODEL_KEY_MAX || kv->value_len > MODEL_VAL_MAX)
		return CAIRN_EINVAL;
	memcpy(s->key[s->n], kv->key, kv->key_len);
	memcpy(s->val[s->n], kv->value, kv->value_len);
	s->val[s->n][kv->value_len] = 0;
	s->kv[s->n] = *kv;
	s->kv[s->n].key = s->key[s->n];
	s->n++;
	return 0;
}

static uint64_t ci;
static struct mvcc S;
static int64_t failures;

#define EXPECT(cond, ...)                                                       \
	do {                                                                    \
		if (!(cond)) {                                                  \
			if (failures++ < 5) {                                   \
				printf("# seed %" PRIu64 ": ", runner_seed());  \
				printf(__VA_ARGS__);                            \
				printf("\n");                                   \
			}                                                       \
		}                                                               \
	} while (0)

/* A random range checked against the model. */
static void
check_range(void)
{
	uint8_t k[MODEL_KEY_MAX], e[MODEL_KEY_MAX];
	uint32_t klen, elen = 0;
	struct mvcc_range_req r = {0};
	struct mvcc_range_res res;
	struct seen s = {0};
	int64_t count = 0, returned = 0;
	int rc;

	random_key(k, &klen);
	r.key = k;
	r.key_len = klen;
	switch (runner_rand(&rng) % 3) {
	case 0: break;                           /* the key alone */
	case 1: random_key(e, &elen); r.end = e; r.end_len = elen; break;
	default: e[0] = 0; r.end = e; r.end_len = 1; break; /* "\0": onwards */
	}
	r.rev = runner_rand(&rng) % 2 ? 0 : 1 + (int64_t)(runner_rand(&rng) % (uint64_t)model_rev);
	r.limit = runner_rand(&rng) % 3 == 0 ? 1 + (int64_t)(runner_rand(&rng) % 4) : 0;
	rc = mvcc_range(&S, NULL, &r, collect, &s, &res);
	if (r.rev > 0 && r.rev < model_compact) {
		EXPECT(rc == CAIRN_ECOMPACTED, "read at %" PRId64 " below the compaction %"
		    PRId64 ": %d", r.rev, model_compact, rc);
		return;
	}
	EXPECT(rc == 0, "range failed: %d", rc);
	if (rc != 0)
		return;
	for (size_t i = 0; i < MODEL_KEYS; i++) {
		const struct model_key *mk = &keys[i];
		const struct change *c;

		if (!keyrange_has(k, klen, r.end, r.end_len, mk->key, mk->key_len))
			continue;
		c = model_at(mk, r.rev > 0 ? r.rev : model_rev);
		if (c == NULL || c->tomb)
			continue;
		count++;
		if (r.limit > 0 && returned == r.limit)
			continue;
		EXPECT(returned < s.n, "missing key at position %" PRId64, returned);
		if (returned < s.n) {
			const struct mvcc_kv *got = &s.kv[returned];

			EXPECT(keyrange_cmp(got->key, got->key_len, mk->key, mk->key_len) == 0,
			    "key %" PRId64 " differs", returned);
			EXPECT(strcmp(s.val[returned], c->val) == 0, "value differs");
			EXPECT(got->lease == c->lease, "lease %" PRId64 ", model %" PRId64,
			    got->lease, c->lease);
			EXPECT(got->mod_rev == c->main && got->create_rev == c->create &&
			    got->version == c->version, "revisions differ: mod %" PRId64 "/%" PRId64
			    " create %" PRId64 "/%" PRId64 " version %" PRId64 "/%" PRId64,
			    got->mod_rev, c->main, got->create_rev, c->create, got->version, c->version);
		}
		returned++;
	}
	EXPECT(s.n == returned, "%d key-values, model %" PRId64, s.n, returned);
	EXPECT(res.count == count, "count %" PRId64 ", model %" PRId64, res.count, count);
	EXPECT(res.more == (r.limit > 0 && count > r.limit), "more differs");
	EXPECT(res.rev == model_rev, "header revision %" PRId64 ", model %" PRId64, res.rev, model_rev);
}

/* The model's delete range: a tombstone for each live key. */
static int64_t
model_delete(const uint8_t *k, uint32_t klen, const uint8_t *e, uint32_t elen)
{
	int64_t n = 0;

	for (size_t i = 0; i < MODEL_KEYS; i++) {
		struct model_key *mk = &keys[i];

		if (mk->n > 0 && !mk->c[mk->n - 1].tomb &&
		    keyrange_has(k, klen, e, elen, mk->key, mk->key_len)) {
			model_add(mk, model_rev + 1, "", true, 0);
			n++;
		}
	}
	return n;
}

/* A write transaction of 1 to 3 random changes. */
static void
random_write(void)
{
	struct mvcc_wtxn w;
	int changes = 1 + (int)(runner_rand(&rng) % 3);
	bool changed = false;

	CU_ASSERT_FATAL(mvcc_write_begin(&S, &w) == 0);
	for (int i = 0; i < changes; i++) {
		uint8_t k[MODEL_KEY_MAX], e[MODEL_KEY_MAX];
		uint32_t klen, elen;
		char val[MODEL_VAL_MAX];
		int64_t n, want;

		random_key(k, &klen);
		if (runner_rand(&rng) % 3 != 0) {
			int64_t lease = runner_rand(&rng) % 3 == 0 ?
			    1 + (int64_t)(runner_rand(&rng) % MODEL_LEASES) : 0;
			int rc;

			snprintf(val, sizeof(val), "v%" PRIu64, runner_rand(&rng) % 100000);
			rc = mvcc_put(&w, &(struct mvcc_put_req){.key = k, .key_len = klen,
			    .value = (const uint8_t *)val, .value_len = (uint32_t)strlen(val),
			    .lease = lease}, NULL, NULL);
			if (lease != 0 && !granted[lease]) {
				EXPECT(rc == CAIRN_ELEASENOTFOUND, "put with lease %" PRId64
				    " not granted: %d", lease, rc);
				continue;
			}
			CU_ASSERT_FATAL(rc == 0);
			model_add(model_find(k, klen), model_rev + 1, val, false, lease);
			changed = true;
			continue;
		}
		random_key(e, &elen);
		if (runner_rand(&rng) % 2)
			elen = 0;   /* the key alone */
		CU_ASSERT_FATAL(mvcc_delete_range(&w, k, klen, e, elen, &n, NULL, NULL) == 0);
		want = model_delete(k, klen, e, elen);
		EXPECT(n == want, "deleted %" PRId64 ", model %" PRId64, n, want);
		changed |= want > 0;
	}
	CU_ASSERT_FATAL(mvcc_write_end(&w, ++ci, 1) == 0);
	if (changed)
		model_rev++;
	EXPECT(S.rev == model_rev, "revision %" PRId64 ", model %" PRId64, S.rev, model_rev);
}

/* A lease granted or revoked, in its own write transaction: a revoke
 * deletes every key attached to it in one revision. */
static void
random_lease(void)
{
	struct mvcc_wtxn w;
	int64_t id = 1 + (int64_t)(runner_rand(&rng) % MODEL_LEASES), n = 0, want = 0;
	bool revoke = runner_rand(&rng) % 2;
	int rc;

	CU_ASSERT_FATAL(mvcc_write_begin(&S, &w) == 0);
	if (!revoke) {
		rc = lease_grant(&w, id, 60, 2);
		EXPECT(rc == (granted[id] ? CAIRN_ELEASEEXIST : 0), "grant %" PRId64 ": %d", id, rc);
		granted[id] = true;
	} else {
		rc = lease_revoke(&w, id, &n);
		EXPECT(rc == (granted[id] ? 0 : CAIRN_ELEASENOTFOUND), "revoke %" PRId64 ": %d", id, rc);
		for (size_t i = 0; granted[id] && i < MODEL_KEYS; i++) {
			struct model_key *mk = &keys[i];

			if (mk->n > 0 && !mk->c[mk->n - 1].tomb && mk->c[mk->n - 1].lease == id) {
				model_add(mk, model_rev + 1, "", true, 0);
				want++;
			}
		}
		EXPECT(n == want, "revoke deleted %" PRId64 ", model %" PRId64, n, want);
		granted[id] = false;
	}
	CU_ASSERT_FATAL(mvcc_write_end(&w, ++ci, 1) == 0);
	if (want > 0)
		model_rev++;
	EXPECT(S.rev == model_rev, "revision %" PRId64 ", model %" PRId64, S.rev, model_rev);
}

/* A compaction at a random revision not compacted yet. */
static void
random_compact(void)
{
	int64_t rev;
	int rc;

	if (model_compact >= model_rev)
		return;
	rev = model_compact + 1 + (int64_t)(runner_rand(&rng) % (uint64_t)(model_rev - model_compact));
	if (rev < 1)
		rev = 1;
	rc = mvcc_compact(&S, rev, ++ci, 1);
	EXPECT(rc == 0, "compaction at %" PRId64 ": %d", rev, rc);
	model_compact = rev;
}

/* After the last pass: each key keeps at most one revision at or below
 * the compaction, never a tombstone; the key table and history agree. */
static void
check_compacted(void)
{
	DBC *c;
	DBT k = {0}, v = {0};
	uint8_t last[MODEL_KEY_MAX + 16];
	uint32_t last_len = 0;
	long hist = 0, kvs = 0;
	bool done = false;

	while (!done)
		CU_ASSERT_FATAL(mvcc_compact_step(&S, 1000, &done) == 0);
	CU_ASSERT_FATAL(S.db.hist->cursor(S.db.hist, NULL, &c, 0) == 0);
	while (c->get(c, &k, &v, DB_NEXT) == 0) {
		uint32_t klen = k.size - 16;
		int64_t main = (int64_t)be_get64((uint8_t *)k.data + klen);

		hist++;
		if (main > model_compact)
			continue;
		EXPECT(((uint8_t *)v.data)[0] != 't', "a tombstone at or below the compaction stayed");
		EXPECT(!(last_len == klen && memcmp(last, k.data, klen) == 0),
		    "two revisions of a key at or below the compaction stayed");
		memcpy(last, k.data, klen);
		last_len = klen;
	}
	c->close(c);
	CU_ASSERT_FATAL(S.db.key->cursor(S.db.key, NULL, &c, 0) == 0);
	while (c->get(c, &k, &v, DB_NEXT) == 0)
		kvs++;
	c->close(c);
	EXPECT(hist == kvs, "%ld history records, %ld key-values", hist, kvs);
}

static void
test_against_model(void)
{
	static char dir[] = "/tmp/cairn-mvcc-model.XXXXXX";
	const char *env = getenv("CAIRN_MVCC_MODEL_OPS");
	long ops = env != NULL ? atol(env) : MODEL_OPS_DEFAULT;
	char err[256], cmd[64];

	rng = runner_seed();
	model_init();
	CU_ASSERT_FATAL(mkdtemp(dir) != NULL);
	CU_ASSERT_FATAL(mvcc_open(&S, dir, NULL, err, sizeof(err)) == 0);
	for (long i = 0; i < ops && failures == 0; i++) {
		uint64_t dice = runner_rand(&rng) % 1000;
		bool done;

		/* Batches of a few operations, as stored applies Raft entries. */
		if (S.batch == NULL && runner_rand(&rng) % 8 == 0) {
			CU_ASSERT_FATAL(mvcc_batch_begin(&S) == 0);
		} else if (S.batch != NULL && runner_rand(&rng) % 4 == 0) {
			CU_ASSERT_FATAL(mvcc_batch_commit(&S) == 0);
		}
		if (dice < 5)
			random_compact();
		else if (dice < 25)
			random_lease();
		else if (dice < 500)
			random_write();
		else
			check_range();
		/* The physical pass runs between batches, as in stored. */
		if (S.batch == NULL && runner_rand(&rng) % 2)
			CU_ASSERT_FATAL(mvcc_compact_step(&S, 1 + runner_rand(&rng) % 8, &done) == 0);
	}
	if (S.batch != NULL)
		CU_ASSERT_FATAL(mvcc_batch_commit(&S) == 0);
	if (model_compact > 0)
		check_compacted();
	printf("# %ld operations, %zu changes, revision %" PRId64 "\n", ops, nchanges, model_rev);
	CU_ASSERT_EQUAL(failures, 0);
	mvcc_close(&S);
	for (size_t i = 0; i < MODEL_KEYS; i++)
		free(keys[i].c);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	CU_ASSERT(system(cmd) == 0);
}

static CU_TestInfo model_tests[] = {
	{"random writes and ranges agree with the model", test_against_model},
	CU_TEST_INFO_NULL,
};

static CU_SuiteInfo suites[] = {
	{"mvcc_model", NULL, NULL, NULL, NULL, model_tests},
	CU_SUITE_INFO_NULL,
};

int
main(void)
{
	return runner_run(suites);
}
