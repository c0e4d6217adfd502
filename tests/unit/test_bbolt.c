/*
 * Tests: cairnctl's bbolt reader (ctl/bbolt.c) on a small file made by
 * hand page by page as bbolt lays them out (meta pages, a freelist, a
 * branch, leaves, an overflow page, inline and nested buckets), then on
 * corrupt copies of it: each refused with an error or reported by the
 * check, never a crash (random damage too, under the sanitizers).
 */
#include <CUnit/CUnit.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctl/bbolt.h"
#include "shared/err.h"
#include "shared/le.h"
#include "shared/xmalloc.h"
#include "tests/lib/runner.h"

#define PS 512u                       /* the file's page size */
#define NPAGES 16u                    /* 8 KiB: two pages of bolt's default size */
#define HWM 11u                       /* pages in use: 0..10 */
#define BIG_BYTES 700u                /* the value that needs an overflow page */
#define RECS_MAX 8
#define DAMAGE_ROUNDS 3000
#define DAMAGE_BYTES_MAX 8

#define F_BRANCH 0x01
#define F_LEAF 0x02
#define F_META 0x04
#define F_FREELIST 0x10
#define L_BUCKET 0x01

static uint8_t img[PS * NPAGES];
static uint8_t big[BIG_BYTES];

/* ---- building the file --------------------------------------------- */

struct rec {
	const char *k;
	const uint8_t *v;
	size_t vn;
	uint32_t flags;
};

static void
page_hdr(uint8_t *p, uint64_t id, uint16_t flags, uint16_t count, uint32_t overflow)
{
	le_put64(p, id);
	p[8] = (uint8_t)flags;
	p[9] = (uint8_t)(flags >> 8);
	p[10] = (uint8_t)count;
	p[11] = (uint8_t)(count >> 8);
	le_put32(p + 12, overflow);
}

static uint64_t
fnv64a(const uint8_t *p, size_t n)
{
	uint64_t h = 0xcbf29ce484222325ull;

	for (size_t i = 0; i < n; i++)
		h = (h ^ p[i]) * 0x100000001b3ull;
	return h;
}

/* Meta page 'which' (0 or 1), checksummed unless sum is false (0). */
static void
meta(unsigned which, uint64_t root, uint64_t freelist, uint64_t pgid, uint64_t txid,
    uint32_t version, bool sum)
{
	uint8_t *p = img + which * PS, *m = p + 16;

	memset(p, 0, PS);
	page_hdr(p, which, F_META, 0, 0);
	le_put32(m, 0xED0CDAEDu);
	le_put32(m + 4, version);
	le_put32(m + 8, PS);
	le_put64(m + 16, root);
	le_put64(m + 32, freelist);
	le_put64(m + 40, pgid);
	le_put64(m + 48, txid);
	le_put64(m + 56, sum ? fnv64a(m, 56) : 0);
}

/* A leaf page's elements and data at p (room: cap bytes); its length. */
static size_t
leaf_at(uint8_t *p, uint64_t id, const struct rec *r, size_t n, uint32_t overflow)
{
	size_t data = 16 + n * 16;

	page_hdr(p, id, F_LEAF, (uint16_t)n, overflow);
	for (size_t i = 0; i < n; i++) {
		uint8_t *e = p + 16 + i * 16;
		size_t kn = strlen(r[i].k);

		le_put32(e, r[i].flags);
		le_put32(e + 4, (uint32_t)(data - (16 + i * 16)));
		le_put32(e + 8, (uint32_t)kn);
		le_put32(e + 12, (uint32_t)r[i].vn);
		memcpy(p + data, r[i].k, kn);
		memcpy(p + data + kn, r[i].v, r[i].vn);
		data += kn + r[i].vn;
	}
	return data;
}

static void
branch_at(uint8_t *p, uint64_t id, const char *const *keys, const uint64_t *kids, size_t n)
{
	size_t data = 16 + n * 16;

	page_hdr(p, id, F_BRANCH, (uint16_t)n, 0);
	for (size_t i = 0; i < n; i++) {
		uint8_t *e = p + 16 + i * 16;
		size_t kn = strlen(keys[i]);

		le_put32(e, (uint32_t)(data - (16 + i * 16)));
		le_put32(e + 4, (uint32_t)kn);
		le_put64(e + 8, kids[i]);
		memcpy(p + data, keys[i], kn);
		data += kn;
	}
}

/* A bucket's value: {root, sequence}, and for root 0 its inline leaf. */
static size_t
bucket_val(uint8_t *out, uint64_t root, const struct rec *r, size_t n)
{
	memset(out, 0, 16);
	le_put64(out, root);
	return root != 0 ? 16 : 16 + leaf_at(out + 16, 0, r, n, 0);
}

#define V(s) (const uint8_t *)(s), sizeof(s) - 1

/*
 * Pages: 0, 1 meta (txid 4, 5); 2 freelist {10}; 3 the root's leaf:
 * buckets a (inline: x, y), b (root 4), c (root 7), d (root 9); 4 b's
 * branch over 5 (k1, k2) and 6 (k5, and n, an inline bucket: z); 7 c's
 * leaf with its overflow page 8 (big); 9 d's empty leaf; 10 free; 11 past
 * the high water mark (to 15).
 */
static void
build(void)
{
	static const char *const bkeys[] = { "k1", "k5" };
	static const uint64_t bkids[] = { 5, 6 };
	const struct rec ain[] = { { "x", V("1"), 0 }, { "y", V("2"), 0 } };
	const struct rec nin[] = { { "z", V("26"), 0 } };
	uint8_t va[128], vb[16], vc[16], vd[16], vn[128];
	size_t na = bucket_val(va, 0, ain, 2), nn = bucket_val(vn, 0, nin, 1);
	struct rec root[4] = {
		{ "a", va, na, L_BUCKET }, { "b", vb, 16, L_BUCKET },
		{ "c", vc, 16, L_BUCKET }, { "d", vd, 16, L_BUCKET },
	};
	const struct rec p5[] = { { "k1", V("v1"), 0 }, { "k2", V("v2"), 0 } };
	const struct rec p6[] = { { "k5", V("v5"), 0 }, { "n", vn, nn, L_BUCKET } };
	const struct rec p7[] = { { "big", big, BIG_BYTES, 0 } };

	memset(img, 0, sizeof(img));
	for (size_t i = 0; i < BIG_BYTES; i++)
		big[i] = (uint8_t)(i * 7);
	bucket_val(vb, 4, NULL, 0);
	bucket_val(vc, 7, NULL, 0);
	bucket_val(vd, 9, NULL, 0);
	meta(0, 3, 2, HWM, 4, 2, true);
	meta(1, 3, 2, HWM, 5, 2, true);
	page_hdr(img + 2 * PS, 2, F_FREELIST, 1, 0);
	le_put64(img + 2 * PS + 16, 10);
	leaf_at(img + 3 * PS, 3, root, 4, 0);
	branch_at(img + 4 * PS, 4, bkeys, bkids, 2);
	leaf_at(img + 5 * PS, 5, p5, 2, 0);
	leaf_at(img + 6 * PS, 6, p6, 2, 0);
	leaf_at(img + 7 * PS, 7, p7, 1, 1);
	leaf_at(img + 9 * PS, 9, NULL, 0, 0);
	page_hdr(img + 10 * PS, 10, F_LEAF, 0, 0);
}

/* ---- reading it back ------------------------------------------------ */

struct seen {
	char keys[RECS_MAX][8];
	bool bucket[RECS_MAX];
	const uint8_t *v[RECS_MAX];
	size_t vn[RECS_MAX];
	size_t n;
};

static int
collect(void *arg, const uint8_t *k, size_t kn, const uint8_t *v, size_t vn, bool bucket)
{
	struct seen *s = arg;

	if (s->n == RECS_MAX || kn >= sizeof(s->keys[0]))
		return -1;
	memcpy(s->keys[s->n], k, kn);
	s->keys[s->n][kn] = '\0';
	s->bucket[s->n] = bucket;
	s->v[s->n] = v;
	s->vn[s->n] = vn;
	s->n++;
	return 0;
}

static bool
val_is(const struct seen *s, size_t i, const char *want)
{
	return s->vn[i] == strlen(want) && memcmp(s->v[i], want, s->vn[i]) == 0;
}

/* Opens a copy of img (exact length: ASan sees any over-read). */
static int
open_copy(struct bbolt *db, uint8_t **copy, size_t len, char *err)
{
	*copy = xmalloc(len);
	memcpy(*copy, img, len);
	return bbolt_open_mem(db, *copy, len, err, BBOLT_ERR_BYTES);
}

static void
test_good_file(void)
{
	struct bbolt db;
	struct bbolt_bucket root, b;
	struct seen s = { .n = 0 };
	char err[BBOLT_ERR_BYTES], *text = NULL;
	uint8_t *copy;

	build();
	CU_ASSERT_EQUAL_FATAL(open_copy(&db, &copy, sizeof(img), err), 0);
	CU_ASSERT_EQUAL(db.page_size, PS);
	CU_ASSERT_EQUAL(db.pgid, HWM);
	CU_ASSERT_EQUAL(db.txid, 5);
	CU_ASSERT_EQUAL(bbolt_size(&db), (uint64_t)HWM * PS);
	CU_ASSERT_EQUAL(bbolt_check(&db, &text), 0);
	CU_ASSERT_PTR_NULL(text);
	bbolt_root(&db, &root);
	CU_ASSERT_EQUAL(bbolt_foreach(&db, &root, collect, &s, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL_FATAL(s.n, 4);
	CU_ASSERT(strcmp(s.keys[0], "a") == 0 && strcmp(s.keys[3], "d") == 0);
	CU_ASSERT(s.bucket[0] && s.bucket[1] && s.bucket[2] && s.bucket[3]);

	/* a: inline. */
	CU_ASSERT_EQUAL_FATAL(bbolt_bucket(&db, &root, (const uint8_t *)"a", 1, &b, err,
	    sizeof(err)), 0);
	CU_ASSERT_EQUAL(b.root, 0);
	s.n = 0;
	CU_ASSERT_EQUAL(bbolt_foreach(&db, &b, collect, &s, err, sizeof(err)), 0);
	CU_ASSERT(s.n == 2 && strcmp(s.keys[1], "y") == 0 && val_is(&s, 1, "2"));

	/* b: a branch over two leaves, one holding a nested inline bucket. */
	CU_ASSERT_EQUAL_FATAL(bbolt_bucket(&db, &root, (const uint8_t *)"b", 1, &b, err,
	    sizeof(err)), 0);
	s.n = 0;
	CU_ASSERT_EQUAL(bbolt_foreach(&db, &b, collect, &s, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL_FATAL(s.n, 4);
	CU_ASSERT(strcmp(s.keys[0], "k1") == 0 && val_is(&s, 0, "v1"));
	CU_ASSERT(strcmp(s.keys[2], "k5") == 0 && !s.bucket[2]);
	CU_ASSERT(strcmp(s.keys[3], "n") == 0 && s.bucket[3]);
	CU_ASSERT_EQUAL(bbolt_bucket(&db, &b, (const uint8_t *)"k1", 2, &b, err, sizeof(err)),
	    CAIRN_ENOENT);
	CU_ASSERT_EQUAL_FATAL(bbolt_bucket(&db, &b, (const uint8_t *)"n", 1, &b, err,
	    sizeof(err)), 0);
	s.n = 0;
	CU_ASSERT_EQUAL(bbolt_foreach(&db, &b, collect, &s, err, sizeof(err)), 0);
	CU_ASSERT(s.n == 1 && strcmp(s.keys[0], "z") == 0 && val_is(&s, 0, "26"));

	/* c: a value on an overflow page. */
	CU_ASSERT_EQUAL_FATAL(bbolt_bucket(&db, &root, (const uint8_t *)"c", 1, &b, err,
	    sizeof(err)), 0);
	s.n = 0;
	CU_ASSERT_EQUAL(bbolt_foreach(&db, &b, collect, &s, err, sizeof(err)), 0);
	CU_ASSERT(s.n == 1 && s.vn[0] == BIG_BYTES && memcmp(s.v[0], big, BIG_BYTES) == 0);

	/* d: empty; and no bucket zz. */
	CU_ASSERT_EQUAL_FATAL(bbolt_bucket(&db, &root, (const uint8_t *)"d", 1, &b, err,
	    sizeof(err)), 0);
	s.n = 0;
	CU_ASSERT_EQUAL(bbolt_foreach(&db, &b, collect, &s, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(s.n, 0);
	CU_ASSERT_EQUAL(bbolt_bucket(&db, &root, (const uint8_t *)"zz", 2, &b, err,
	    sizeof(err)), CAIRN_ENOENT);
	bbolt_close(&db);
	free(copy);
}

/* ---- corrupt files --------------------------------------------------- */

/* Opening a damaged copy fails with 'want' (a prefix of the error). */
static void
open_fails(size_t len, const char *want)
{
	struct bbolt db;
	char err[BBOLT_ERR_BYTES] = "";
	uint8_t *copy;

	CU_ASSERT_EQUAL(open_copy(&db, &copy, len, err), CAIRN_ECORRUPT);
	if (strncmp(err, want, strlen(want)) != 0) {
		printf("# got \"%s\", want \"%s\"\n", err, want);
		CU_FAIL("error text");
	}
	free(copy);
}

static void
test_meta(void)
{
	struct bbolt db;
	char err[BBOLT_ERR_BYTES];
	uint8_t *copy;

	build();
	open_fails(BBOLT_HEAD_BYTES - 1, "invalid database");
	/* meta 1 (the higher txid) broken: meta 0 is in force. */
	img[PS + 16 + 40] ^= 1;
	CU_ASSERT_EQUAL_FATAL(open_copy(&db, &copy, sizeof(img), err), 0);
	CU_ASSERT_EQUAL(db.txid, 4);
	bbolt_close(&db);
	free(copy);
	/* meta 0 broken: bolt takes 4096 as the page size (page 1 is then
	 * no meta page) and fails on page 0's error, or on a file shorter
	 * than two such pages. */
	build();
	img[16 + 40] ^= 1;
	open_fails(sizeof(img), "checksum error");
	open_fails(6 * 1024, "file size too small");
	build();
	meta(0, 3, 2, HWM, 4, 3, true);
	meta(1, 3, 2, HWM, 5, 3, true);
	open_fails(sizeof(img), "version mismatch");
	build();
	img[16] = 0;
	img[PS + 16] = 0;
	open_fails(sizeof(img), "invalid database");
	/* A checksum of 0 is not checked. */
	build();
	meta(1, 3, 2, HWM, 5, 2, false);
	CU_ASSERT_EQUAL_FATAL(open_copy(&db, &copy, sizeof(img), err), 0);
	CU_ASSERT_EQUAL(db.txid, 5);
	bbolt_close(&db);
	free(copy);
	build();
	meta(0, 3, 2, HWM, 4, 2, true);
	le_put32(img + 16 + 8, 100);
	le_put64(img + 16 + 56, fnv64a(img + 16, 56));
	open_fails(sizeof(img), "invalid page size 100");
	build();
	meta(1, 3, 2, 1000, 5, 2, true);
	open_fails(sizeof(img), "high water mark 1000");
}

/* Walking every bucket of a damaged file fails with 'want'. */
static void
walk_fails(const char *bucket, const char *want)
{
	struct bbolt db;
	struct bbolt_bucket root, b;
	struct seen s = { .n = 0 };
	char err[BBOLT_ERR_BYTES] = "";
	uint8_t *copy;
	int rc;

	CU_ASSERT_EQUAL_FATAL(open_copy(&db, &copy, sizeof(img), err), 0);
	bbolt_root(&db, &root);
	rc = bbolt_bucket(&db, &root, (const uint8_t *)bucket, strlen(bucket), &b, err,
	    sizeof(err));
	if (rc == 0)
		rc = bbolt_foreach(&db, &b, collect, &s, err, sizeof(err));
	CU_ASSERT_EQUAL(rc, CAIRN_ECORRUPT);
	if (strncmp(err, want, strlen(want)) != 0) {
		printf("# got \"%s\", want \"%s\"\n", err, want);
		CU_FAIL("error text");
	}
	bbolt_close(&db);
	free(copy);
}

/* bbolt_check of the current img finds 'want' (among n problems). */
static void
check_finds(unsigned n, const char *want)
{
	struct bbolt db;
	char err[BBOLT_ERR_BYTES], *text = NULL;
	uint8_t *copy;
	unsigned got;

	CU_ASSERT_EQUAL_FATAL(open_copy(&db, &copy, sizeof(img), err), 0);
	got = bbolt_check(&db, &text);
	CU_ASSERT_EQUAL(got, n);
	if (want[0] != '\0' && (text == NULL || strstr(text, want) == NULL)) {
		printf("# got %u \"%s\", want \"%s\"\n", got, text != NULL ? text : "", want);
		CU_FAIL("check text");
	}
	free(text);
	bbolt_close(&db);
	free(copy);
}

static void
test_pages(void)
{
	static const char *const loop_keys[] = { "k1", "k5" };
	static const uint64_t loop_kids[] = { 5, 4 };
	static const uint64_t far_kids[] = { 5, 99 };

	/* A branch that points back at itself. */
	build();
	branch_at(img + 4 * PS, 4, loop_keys, loop_kids, 2);
	walk_fails("b", "page 4: multiple references");
	check_finds(2, "page 4: multiple references");
	/* ... or past the file's end. */
	build();
	branch_at(img + 4 * PS, 4, loop_keys, far_kids, 2);
	walk_fails("b", "page 99: past the end of the file");
	/* An element whose key lies past the file's end (bolt reads one
	 * past its page wherever it lies in the file). */
	build();
	le_put32(img + 5 * PS + 16 + 4, 100000);
	walk_fails("b", "page 5: element 0 past the end of the file");
	/* More elements than the file holds. */
	build();
	img[5 * PS + 10] = 0xff;
	img[5 * PS + 11] = 0xff;
	walk_fails("b", "page 5: 65535 elements past the end of the file");
	/* Overflow pages over the next pages: they are referenced twice. */
	build();
	le_put32(img + 5 * PS + 12, 50);
	check_finds(4, "page 6: multiple references\npage 7: multiple references\n"
	    "page 8: multiple references\npage 9: multiple references");
	/* A page whose header names another: bolt goes by the header. */
	build();
	le_put64(img + 5 * PS, 200);
	check_finds(2, "page 200: out of bounds: 11\npage 5: unreachable unfreed");
	/* A page of no known type in a bucket's tree. */
	build();
	img[5 * PS + 8] = F_META;
	walk_fails("b", "invalid page type: 5: 4");
	check_finds(2, "page 5: invalid type: meta");
	/* A bucket's value of no bytes. */
	build();
	le_put32(img + 3 * PS + 16 + 12, 0);
	walk_fails("a", "bucket value of 0 bytes");
}

static void
test_check(void)
{
	/* The freelist page is not one. */
	build();
	img[2 * PS + 8] = F_LEAF;
	check_finds(2, "invalid freelist page: 2, page type is leaf");
	/* A page freed twice. */
	build();
	img[2 * PS + 10] = 2;
	le_put64(img + 2 * PS + 24, 10);
	check_finds(1, "page 10: already freed");
	/* A free page that is not in the freelist. */
	build();
	img[2 * PS + 10] = 0;
	check_finds(1, "page 10: unreachable unfreed");
	/* A page in use that is also free. */
	build();
	le_put64(img + 2 * PS + 16, 5);
	check_finds(2, "page 5: reachable freed");
	/* Without a freelist (etcd's), whatever is unreachable is free. */
	build();
	meta(1, 3, BBOLT_NO_FREELIST, HWM, 5, 2, true);
	check_finds(0, "");
}

/* Random damage to the good file: whatever the reader says, it says it
 * without reading outside the file (ASan) or looping. */
static void
test_damage(void)
{
	uint64_t state = runner_seed();

	for (unsigned r = 0; r < DAMAGE_ROUNDS; r++) {
		struct bbolt db;
		struct bbolt_bucket root;
		struct seen s;
		char err[BBOLT_ERR_BYTES], *text = NULL;
		uint8_t *copy;
		unsigned n = 1 + (unsigned)(runner_rand(&state) % DAMAGE_BYTES_MAX);

		build();
		for (unsigned i = 0; i < n; i++) {
			size_t at = (size_t)(runner_rand(&state) % sizeof(img));

			img[at] = (uint8_t)runner_rand(&state);
		}
		if (open_copy(&db, &copy, sizeof(img), err) == 0) {
			(void)bbolt_check(&db, &text);
			free(text);
			bbolt_root(&db, &root);
			for (const char *b = "abcd"; *b != '\0'; b++) {
				struct bbolt_bucket child;

				s.n = 0;
				if (bbolt_bucket(&db, &root, (const uint8_t *)b, 1, &child, err,
				    sizeof(err)) == 0)
					(void)bbolt_foreach(&db, &child, collect, &s, err, sizeof(err));
			}
			bbolt_close(&db);
		}
		free(copy);
	}
	CU_PASS("no crash");
}

static CU_TestInfo bbolt_tests[] = {
	{ "a hand-made file: buckets, branch, overflow, inline, nested", test_good_file },
	{ "meta pages: bolt's choice and its errors", test_meta },
	{ "damaged pages are errors", test_pages },
	{ "bolt's check: freelist and reachability", test_check },
	{ "random damage: errors, never a crash", test_damage },
	CU_TEST_INFO_NULL,
};

static CU_SuiteInfo suites[] = {
	{ "bbolt", NULL, NULL, NULL, NULL, bbolt_tests },
	CU_SUITE_INFO_NULL,
};

int
main(void)
{
	return runner_run(suites);
}
