/*
 * Tests: watchers on the store: events of a key or a range, live and from
 * the past, in revision order with no gap and no repeat; filters,
 * prev_kv, compacted watchers told the compaction, and slow watchers
 * that fall behind and catch up. A random run checks every watcher's
 * events against the store's history.
 */
#include <CUnit/CUnit.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "shared/err.h"
#include "stored/watch.h"
#include "tests/lib/runner.h"

#define SEEN_MAX 4096

/* What the sink saw, per watcher id (0..7). */
struct seen_ev {
	int type;
	char key[16];
	char val[16];
	char prev[16];
	bool has_prev;
	int64_t mod;
};

static struct {
	struct seen_ev ev[SEEN_MAX];
	int n;
	int64_t compact;
	int progress;
	bool full;                   /* the sink refuses: a slow client */
} seen[8];

static struct mvcc S;
static struct watch_hub *H;
static uint64_t ci;
static char dir[] = "/tmp/cairn-watch.XXXXXX";

static int
sink(void *arg, uint64_t id, int64_t rev, const struct watch_event *ev, size_t n,
    int64_t compact_rev, size_t *taken)
{
	(void)arg;
	(void)rev;
	*taken = 0;
	if (id >= 8)
		return CAIRN_EINVAL;
	if (seen[id].full)
		return CAIRN_EAGAIN;
	*taken = n;
	if (compact_rev != 0)
		seen[id].compact = compact_rev;
	if (n == 0 && compact_rev == 0)
		seen[id].progress++;
	for (size_t i = 0; i < n && seen[id].n < SEEN_MAX; i++) {
		struct seen_ev *s = &seen[id].ev[seen[id].n++];

		s->type = ev[i].type;
		snprintf(s->key, sizeof(s->key), "%.*s", (int)ev[i].kv.key_len, ev[i].kv.key);
		snprintf(s->val, sizeof(s->val), "%.*s", (int)ev[i].kv.value_len, ev[i].kv.value);
		s->has_prev = ev[i].has_prev;
		if (ev[i].has_prev)
			snprintf(s->prev, sizeof(s->prev), "%.*s", (int)ev[i].prev.value_len,
			    ev[i].prev.value);
		s->mod = ev[i].kv.mod_rev;
	}
	return 0;
}

static int
setup(void)
{
	char err[256];

	if (mkdtemp(dir) == NULL || mvcc_open(&S, dir, NULL, err, sizeof(err)) != 0)
		return -1;
	H = watch_hub_new(&S, sink, NULL);
	return 0;
}

static int
teardown(void)
{
	char cmd[64];

	watch_hub_free(H);
	mvcc_close(&S);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	return system(cmd);
}

static void
put(const char *k, const char *v)
{
	struct mvcc_wtxn w;

	CU_ASSERT_FATAL(mvcc_write_begin(&S, &w) == 0);
	CU_ASSERT_FATAL(mvcc_put(&w, &(struct mvcc_put_req){.key = (const uint8_t *)k,
	    .key_len = strlen(k), .value = (const uint8_t *)v, .value_len = strlen(v)},
	    NULL, NULL) == 0);
	CU_ASSERT_FATAL(mvcc_write_end(&w, ++ci, 1) == 0);
	CU_ASSERT_FATAL(watch_notify(H) == 0);
}

static void
del(const char *k)
{
	struct mvcc_wtxn w;
	int64_t n;

	CU_ASSERT_FATAL(mvcc_write_begin(&S, &w) == 0);
	CU_ASSERT_FATAL(mvcc_delete_range(&w, (const uint8_t *)k, strlen(k), NULL, 0, &n,
	    NULL, NULL) == 0);
	CU_ASSERT_FATAL(mvcc_write_end(&w, ++ci, 1) == 0);
	CU_ASSERT_FATAL(watch_notify(H) == 0);
}

static void
watch(uint64_t id, const char *key, const char *end, int64_t start, bool noput, bool prev)
{
	struct watch_req r = {.id = id, .key = (const uint8_t *)key, .key_len = strlen(key),
	    .end = (const uint8_t *)end, .end_len = end ? strlen(end) : 0, .start_rev = start,
	    .noput = noput, .prev_kv = prev};

	memset(&seen[id], 0, sizeof(seen[id]));
	CU_ASSERT_FATAL(watch_create(H, &r) == 0);
}

static void
catch_up(void)
{
	bool pending = true;

	for (int i = 0; i < 1000 && pending; i++)
		CU_ASSERT_FATAL(watch_sync_step(H, &pending) == 0);
}

/* A key from now on: its puts and its delete (mod_revision the
 * deletion's), nothing of other keys; prev_kv on the second watcher. */
static void
test_live_events(void)
{
	int64_t r0 = S.rev;

	watch(0, "foo", NULL, 0, false, false);
	watch(1, "foo", NULL, 0, false, true);
	put("foo", "a");
	put("bar", "x");
	put("foo", "b");
	del("foo");
	CU_ASSERT_EQUAL_FATAL(seen[0].n, 3);
	CU_ASSERT(seen[0].ev[0].type == WATCH_PUT && strcmp(seen[0].ev[0].val, "a") == 0 &&
	    seen[0].ev[0].mod == r0 + 1);
	CU_ASSERT(seen[0].ev[1].type == WATCH_PUT && seen[0].ev[1].mod == r0 + 3);
	CU_ASSERT(seen[0].ev[2].type == WATCH_DELETE && seen[0].ev[2].mod == r0 + 4 &&
	    strcmp(seen[0].ev[2].key, "foo") == 0);
	CU_ASSERT_EQUAL_FATAL(seen[1].n, 3);
	CU_ASSERT_FALSE(seen[1].ev[0].has_prev);
	CU_ASSERT(seen[1].ev[1].has_prev && strcmp(seen[1].ev[1].prev, "a") == 0);
	CU_ASSERT(seen[1].ev[2].has_prev && strcmp(seen[1].ev[2].prev, "b") == 0);
	watch_cancel(H, 0);
	watch_cancel(H, 1);
}

/* A range from a past revision: the history first, then live, in order,
 * no gap and no repeat; noput leaves the deletes. */
static void
test_from_the_past(void)
{
	int64_t start = S.rev + 1;

	put("r/1", "1");
	put("r/2", "2");
	put("s", "out of range");
	del("r/1");
	watch(2, "r/", "r0", start, false, false);
	watch(3, "r/", "r0", start, true, false);
	CU_ASSERT_FALSE(watch_synced(H, 2));
	put("r/3", "3");            /* while 2 lags: it must come once, in order */
	CU_ASSERT_EQUAL(seen[2].n, 0);
	catch_up();
	CU_ASSERT_TRUE(watch_synced(H, 2));
	put("r/4", "4");
	CU_ASSERT_EQUAL_FATAL(seen[2].n, 5);
	for (int i = 1; i < seen[2].n; i++)
		CU_ASSERT(seen[2].ev[i].mod > seen[2].ev[i - 1].mod);
	CU_ASSERT_STRING_EQUAL(seen[2].ev[0].key, "r/1");
	CU_ASSERT_EQUAL(seen[2].ev[2].type, WATCH_DELETE);
	CU_ASSERT_STRING_EQUAL(seen[2].ev[4].key, "r/4");
	CU_ASSERT_EQUAL_FATAL(seen[3].n, 1);
	CU_ASSERT_EQUAL(seen[3].ev[0].type, WATCH_DELETE);
	watch_cancel(H, 2);
	watch_cancel(H, 3);
}

/* A slow watcher: its sink refuses, it falls behind, and once its sink
 * takes again it catches up: every event once, in order. */
static void
test_slow_watcher(void)
{
	watch(4, "slow", NULL, 0, false, false);
	put("slow", "1");
	seen[4].full = true;
	put("slow", "2");
	put("slow", "3");
	CU_ASSERT_FALSE(watch_synced(H, 4));
	seen[4].full = false;
	put("slow", "4");           /* the synced group's walk passes it by */
	catch_up();
	put("slow", "5");
	CU_ASSERT_EQUAL_FATAL(seen[4].n, 5);
	for (int i = 0; i < 5; i++) {
		char want[2] = {(char)('1' + i), 0};

		CU_ASSERT_STRING_EQUAL(seen[4].ev[i].val, want);
	}
	watch_cancel(H, 4);
}

/* A held watcher (its client does not read) is given nothing, synced or
 * not, and the catch-up of another lagging watcher, which begins past
 * it, moves it nowhere; released, it gets every event once, in order. */
static void
test_held_watcher(void)
{
	watch(6, "held", NULL, 0, false, false);
	watch(7, "held", NULL, 0, false, false);
	put("held", "1");
	CU_ASSERT_EQUAL(watch_hold(H, 6, true), 0);
	CU_ASSERT_EQUAL(watch_hold(H, 99, true), CAIRN_ENOENT);
	put("held", "2");
	put("held", "3");
	CU_ASSERT_FALSE(watch_synced(H, 6));
	CU_ASSERT_EQUAL(seen[6].n, 1);
	/* Watcher 7 falls behind after 6 and catches up from there. */
	seen[7].full = true;
	put("held", "4");
	seen[7].full = false;
	catch_up();
	CU_ASSERT_EQUAL(seen[7].n, 4);
	CU_ASSERT_EQUAL(seen[6].n, 1);
	CU_ASSERT_EQUAL(watch_hold(H, 6, false), 0);
	catch_up();
	put("held", "5");
	CU_ASSERT_EQUAL_FATAL(seen[6].n, 5);
	for (int i = 0; i < 5; i++) {
		char want[2] = {(char)('1' + i), 0};

		CU_ASSERT_STRING_EQUAL(seen[6].ev[i].val, want);
	}
	CU_ASSERT(watch_synced(H, 6));
	watch_cancel(H, 6);
	watch_cancel(H, 7);
}

/* A watcher from a compacted revision is told the compaction and
 * dropped, as etcd does. */
static void
test_compacted(void)
{
	int64_t old = S.rev - 2;

	CU_ASSERT_FATAL(mvcc_compact(&S, S.rev, ++ci, 1) == 0);
	watch(5, "slow", NULL, old, false, false);
	catch_up();
	CU_ASSERT_EQUAL(seen[5].compact, S.compact_rev);
	CU_ASSERT_EQUAL(seen[5].n, 0);
	CU_ASSERT_EQUAL(watch_cancel(H, 5), CAIRN_ENOENT);
}

static void
test_progress(void)
{
	watch(6, "p", NULL, 0, false, false);
	CU_ASSERT_EQUAL(watch_progress(H, 0), 0);
	CU_ASSERT_EQUAL(seen[6].progress, 0);  /* it did not ask for them */
	CU_ASSERT_EQUAL(watch_progress(H, 6), 0);
	CU_ASSERT_EQUAL(seen[6].progress, 1);
	CU_ASSERT_EQUAL(watch_create(H, &(struct watch_req){.id = 6, .key = (const uint8_t *)"p",
	    .key_len = 1}), CAIRN_EINVAL);
	watch_cancel(H, 6);
}

/* The history the random run made: every change, in revision order. */
static struct {
	char key[4];
	char val[16];
	int type;
	int64_t rev;
} hist[SEEN_MAX];
static int nhist;

static void
random_change(uint64_t *rng)
{
	char k[4] = {(char)('a' + runner_rand(rng) % 5), 0}, v[16];

	if (nhist == SEEN_MAX)
		return;
	if (runner_rand(rng) % 4 == 0) {
		struct mvcc_range_req r = {.key = (const uint8_t *)k, .key_len = 1, .count_only = true};
		struct mvcc_range_res res;

		CU_ASSERT_FATAL(mvcc_range(&S, NULL, &r, NULL, NULL, &res) == 0);
		if (res.count == 0)
			return;
		del(k);
		snprintf(hist[nhist].key, 4, "%s", k);
		hist[nhist].val[0] = 0;
		hist[nhist].type = WATCH_DELETE;
	} else {
		snprintf(v, sizeof(v), "v%d", nhist);
		put(k, v);
		snprintf(hist[nhist].key, 4, "%s", k);
		snprintf(hist[nhist].val, 16, "%s", v);
		hist[nhist].type = WATCH_PUT;
	}
	hist[nhist++].rev = S.rev;
}

/* Watchers of random keys and ranges from random revisions (past,
 * present, future), their sinks refusing now and then, catching up now
 * and then; in the end each has had exactly the history's events it
 * asked for, in order. */
static void
test_random_history(void)
{
	uint64_t rng = runner_seed();
	int64_t start[8], base = S.rev;
	const char *ends[8];
	char keys[8][2];

	nhist = 0;
	for (int i = 0; i < 200; i++)
		random_change(&rng);
	for (uint64_t id = 0; id < 8; id++) {
		keys[id][0] = (char)('a' + runner_rand(&rng) % 5);
		keys[id][1] = 0;
		ends[id] = runner_rand(&rng) % 2 ? "d" : NULL;
		/* From the past (after base), now, or the near future. */
		start[id] = base + 1 + (int64_t)(runner_rand(&rng) % 260);
		watch(id, keys[id], ends[id], start[id], false, false);
		if (start[id] > S.rev)
			CU_ASSERT_TRUE(watch_synced(H, id));
	}
	for (int i = 0; i < 400; i++) {
		random_change(&rng);
		if (runner_rand(&rng) % 10 == 0)
			seen[runner_rand(&rng) % 8].full ^= true;
		if (runner_rand(&rng) % 7 == 0) {
			bool pending;

			CU_ASSERT_FATAL(watch_sync_step(H, &pending) == 0);
		}
	}
	for (int id = 0; id < 8; id++)
		seen[id].full = false;
	catch_up();
	for (uint64_t id = 0; id < 8; id++) {
		int n = 0;

		CU_ASSERT_TRUE(watch_synced(H, id));
		for (int i = 0; i < nhist; i++) {
			const char *k = hist[i].key;
			bool in = ends[id] == NULL ? strcmp(k, keys[id]) == 0 :
			    strcmp(k, keys[id]) >= 0 && strcmp(k, ends[id]) < 0;

			if (!in || hist[i].rev < start[id])
				continue;
			if (n >= seen[id].n || seen[id].ev[n].mod != hist[i].rev ||
			    seen[id].ev[n].type != hist[i].type ||
			    strcmp(seen[id].ev[n].key, k) != 0 ||
			    strcmp(seen[id].ev[n].val, hist[i].val) != 0) {
				printf("# seed %" PRIu64 ": watcher %" PRIu64 " event %d differs\n",
				    runner_seed(), id, n);
				CU_FAIL("events differ from the history");
				break;
			}
			n++;
		}
		CU_ASSERT_EQUAL(seen[id].n, n);
		watch_cancel(H, id);
	}
}

/* Many watchers: each of a single key gets that key's events alone, each
 * of a range every event in it, a cancelled one nothing; watchers from
 * the past (unsynced) are matched alike. */
#define MANY 3000
#define MANY_RANGES 10
static uint32_t many_got[2 * MANY + MANY_RANGES + 3];
#define MANY_C1 (2 * MANY + MANY_RANGES + 1)
#define MANY_C2 (2 * MANY + MANY_RANGES + 2)
static long many_bad;

static int
many_sink(void *arg, uint64_t id, int64_t rev, const struct watch_event *ev, size_t n,
    int64_t compact_rev, size_t *taken)
{
	char want[32];

	(void)arg;
	(void)rev;
	(void)compact_rev;
	*taken = n;
	for (size_t i = 0; i < n; i++) {
		if (id < 2 * MANY) {
			snprintf(want, sizeof(want), "many/%05d", (int)(id % MANY));
			many_bad += ev[i].kv.key_len != strlen(want) ||
			    memcmp(ev[i].kv.key, want, ev[i].kv.key_len) != 0;
		} else if (id < 2 * MANY + MANY_RANGES)
			many_bad += ev[i].kv.key_len < 7 || memcmp(ev[i].kv.key, "many/01", 7) != 0;
	}
	many_got[id] += (uint32_t)n;
	return 0;
}

static void
test_many_watchers(void)
{
	struct watch_hub *h2 = watch_hub_new(&S, many_sink, NULL);
	char key[32];
	int64_t first = S.rev + 1;
	bool pending = true;
	long wrong = 0;

	for (int i = 0; i < MANY; i++) {
		snprintf(key, sizeof(key), "many/%05d", i);
		CU_ASSERT_FATAL(watch_create(h2, &(struct watch_req){.id = (uint64_t)i,
		    .key = (const uint8_t *)key, .key_len = 10}) == 0);
	}
	for (int i = 0; i < MANY_RANGES; i++)
		CU_ASSERT_FATAL(watch_create(h2, &(struct watch_req){.id = 2 * MANY + (uint64_t)i,
		    .key = (const uint8_t *)"many/01", .key_len = 7,
		    .end = (const uint8_t *)"many/02", .end_len = 7}) == 0);
	CU_ASSERT_FATAL(watch_create(h2, &(struct watch_req){.id = 2 * MANY + MANY_RANGES,
	    .key = (const uint8_t *)"many/", .key_len = 5, .end = (const uint8_t *)"", .end_len = 1})
	    == 0);
	for (int i = 0; i < MANY; i += 3)
		CU_ASSERT_FATAL(watch_cancel(h2, (uint64_t)i) == 0);
	CU_ASSERT_FATAL(watch_cancel(h2, 2 * MANY) == 0);
	for (int i = 0; i < MANY; i++) {
		snprintf(key, sizeof(key), "many/%05d", i);
		put(key, "v");
		CU_ASSERT_FATAL(watch_notify(h2) == 0);
	}
	/* The same keys watched from the first put on: caught up from the
	 * store. */
	for (int i = 0; i < MANY; i++) {
		snprintf(key, sizeof(key), "many/%05d", i);
		CU_ASSERT_FATAL(watch_create(h2, &(struct watch_req){.id = MANY + (uint64_t)i,
		    .key = (const uint8_t *)key, .key_len = 10, .start_rev = first}) == 0);
	}
	for (int i = 0; i < 10000 && pending; i++)
		CU_ASSERT_FATAL(watch_sync_step(h2, &pending) == 0);
	for (int i = 0; i < MANY; i++) {
		wrong += many_got[i] != (i % 3 == 0 ? 0u : 1u);
		wrong += many_got[MANY + i] != 1;
	}
	CU_ASSERT_EQUAL(wrong, 0);
	CU_ASSERT_EQUAL(many_bad, 0);
	CU_ASSERT_EQUAL(many_got[2 * MANY], 0);
	for (int i = 1; i < MANY_RANGES; i++)
		CU_ASSERT_EQUAL(many_got[2 * MANY + i], 1000);
	CU_ASSERT_EQUAL(many_got[2 * MANY + MANY_RANGES], MANY);
	/* Watchers dropped for a compaction, or all at once (netd gone),
	 * leave the index: later events meet none of them (ASan would see a
	 * freed one). */
	CU_ASSERT_FATAL(mvcc_compact(&S, S.rev, ++ci, 1) == 0);
	CU_ASSERT_FATAL(watch_create(h2, &(struct watch_req){.id = MANY_C1, .key =
	    (const uint8_t *)"many/00001", .key_len = 10, .start_rev = first}) == 0);
	CU_ASSERT_FATAL(watch_create(h2, &(struct watch_req){.id = MANY_C2, .key =
	    (const uint8_t *)"many/", .key_len = 5, .end = (const uint8_t *)"", .end_len = 1,
	    .start_rev = first}) == 0);
	pending = true;
	for (int i = 0; i < 100 && pending; i++)
		CU_ASSERT_FATAL(watch_sync_step(h2, &pending) == 0);
	put("many/00001", "w");
	CU_ASSERT_FATAL(watch_notify(h2) == 0);
	CU_ASSERT_EQUAL(many_got[MANY_C1] + many_got[MANY_C2], 0);
	CU_ASSERT_EQUAL(many_got[1], 2);
	CU_ASSERT_EQUAL(many_got[MANY + 1], 2);
	watch_cancel_all(h2);
	CU_ASSERT_FATAL(watch_create(h2, &(struct watch_req){.id = 4, .key =
	    (const uint8_t *)"many/00004", .key_len = 10}) == 0);
	put("many/00001", "x");
	put("many/00004", "x");
	CU_ASSERT_FATAL(watch_notify(h2) == 0);
	CU_ASSERT_EQUAL(many_got[1], 2);
	CU_ASSERT_EQUAL(many_got[MANY + 1], 2);
	CU_ASSERT_EQUAL(many_got[4], 2);
	watch_hub_free(h2);
}

/* A sink that takes at most FRAG_TAKE events a call: revisions of many
 * events are taken in parts, each part from where the last stopped. */
#define FRAG_KEYS 50
#define FRAG_TAKE 7
static char frag_seen[4 * FRAG_KEYS][16];
static int frag_n;

static int
frag_sink(void *arg, uint64_t id, int64_t rev, const struct watch_event *ev, size_t n,
    int64_t compact_rev, size_t *taken)
{
	(void)arg;
	(void)id;
	(void)rev;
	(void)compact_rev;
	*taken = n < FRAG_TAKE ? n : FRAG_TAKE;
	for (size_t i = 0; i < *taken && frag_n < 4 * FRAG_KEYS; i++)
		snprintf(frag_seen[frag_n++], sizeof(frag_seen[0]), "%c%.*s",
		    ev[i].type == WATCH_PUT ? 'P' : 'D', (int)ev[i].kv.key_len, ev[i].kv.key);
	return *taken < n ? CAIRN_EAGAIN : 0;
}

static void
test_revision_in_parts(void)
{
	struct watch_hub *h3 = watch_hub_new(&S, frag_sink, NULL);
	struct mvcc_wtxn w;
	char key[16];
	int64_t deleted;
	bool pending = true;
	int bad = 0;

	CU_ASSERT_FATAL(watch_create(h3, &(struct watch_req){.id = 1,
	    .key = (const uint8_t *)"frag/", .key_len = 5, .end = (const uint8_t *)"frag0",
	    .end_len = 5}) == 0);
	/* One revision of FRAG_KEYS puts, then one deleting them all. */
	CU_ASSERT_FATAL(mvcc_write_begin(&S, &w) == 0);
	for (int i = 0; i < FRAG_KEYS; i++) {
		snprintf(key, sizeof(key), "frag/%02d", i);
		CU_ASSERT_FATAL(mvcc_put(&w, &(struct mvcc_put_req){.key = (const uint8_t *)key,
		    .key_len = 7, .value = (const uint8_t *)"v", .value_len = 1}, NULL, NULL) == 0);
	}
	CU_ASSERT_FATAL(mvcc_write_end(&w, ++ci, 1) == 0);
	CU_ASSERT_FATAL(watch_notify(h3) == 0);
	CU_ASSERT_FATAL(mvcc_write_begin(&S, &w) == 0);
	CU_ASSERT_FATAL(mvcc_delete_range(&w, (const uint8_t *)"frag/", 5,
	    (const uint8_t *)"frag0", 5, &deleted, NULL, NULL) == 0);
	CU_ASSERT_FATAL(mvcc_write_end(&w, ++ci, 1) == 0);
	CU_ASSERT_FATAL(watch_notify(h3) == 0);
	for (int i = 0; i < 1000 && pending; i++)
		CU_ASSERT_FATAL(watch_sync_step(h3, &pending) == 0);
	/* Every event once, in order. */
	CU_ASSERT_EQUAL(frag_n, 2 * FRAG_KEYS);
	for (int i = 0; i < 2 * FRAG_KEYS && i < frag_n; i++) {
		snprintf(key, sizeof(key), "%cfrag/%02d", i < FRAG_KEYS ? 'P' : 'D', i % FRAG_KEYS);
		bad += strcmp(frag_seen[i], key) != 0;
	}
	CU_ASSERT_EQUAL(bad, 0);
	watch_hub_free(h3);
}

static CU_TestInfo watch_tests[] = {
	{"a revision of many events taken in parts, none twice", test_revision_in_parts},
	{"many watchers: single keys by hash, ranges, past ones", test_many_watchers},
	{"live events of a key, prev_kv", test_live_events},
	{"a range from the past, then live, no gap no repeat", test_from_the_past},
	{"a slow watcher falls behind and catches up", test_slow_watcher},
	{"a held watcher waits, then catches up", test_held_watcher},
	{"a compacted start revision cancels the watcher", test_compacted},
	{"progress notifications; duplicate ids refused", test_progress},
	{"random history: every watcher gets exactly its events", test_random_history},
	CU_TEST_INFO_NULL,
};

static CU_SuiteInfo suites[] = {
	{"watch", setup, teardown, NULL, NULL, watch_tests},
	CU_SUITE_INFO_NULL,
};

int
main(void)
{
	return runner_run(suites);
}
