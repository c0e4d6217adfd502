/*
 * Tests: stored's codecs for etcd's on-disk formats: mvccpb.KeyValue
 * (byte-exact against encodings checked with protoc 3.21.12 --encode),
 * etcd's revision keys, and the protobuf varints under them. Every decode
 * reads from a heap copy of exactly its length, so ASan sees any over-read.
 */
#include <CUnit/CUnit.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "shared/err.h"
#include "shared/pbwire.h"
#include "shared/xmalloc.h"
#include "stored/kv_codec.h"
#include "stored/rev_codec.h"
#include "tests/lib/runner.h"

#define HEX_BYTES_MAX 256
#define BIG_VALUE_BYTES (3u << 19)    /* 1.5 MiB, etcd's default request limit */
#define FUZZ_ITERATIONS 100000
#define FUZZ_BYTES_MAX 48
#define ORDER_PAIRS 10000

/* A string literal as the pointer and length members of struct mvcc_kv:
 * ".key = B("foo")" sets key and key_len. */
#define B(s) ((const uint8_t *)(s)), (uint32_t)(sizeof(s) - 1)

/* ---- helpers ------------------------------------------------------- */

static size_t
hex(const char *s, uint8_t *out)
{
	size_t n = 0;
	unsigned v;

	while (*s != '\0') {
		if (*s == ' ') {
			s++;
			continue;
		}
		if (sscanf(s, "%2x", &v) != 1)
			abort();
		out[n++] = (uint8_t)v;
		s += 2;
	}
	return n;
}

static bool
bytes_eq(const uint8_t *a, uint32_t alen, const uint8_t *b, uint32_t blen)
{
	return alen == blen && (alen == 0 || memcmp(a, b, alen) == 0);
}

static bool
kv_eq(const struct mvcc_kv *a, const struct mvcc_kv *b)
{
	return bytes_eq(a->key, a->key_len, b->key, b->key_len) &&
	    bytes_eq(a->value, a->value_len, b->value, b->value_len) &&
	    a->create_rev == b->create_rev && a->mod_rev == b->mod_rev &&
	    a->version == b->version && a->lease == b->lease;
}

/* A heap copy of exactly 'n' bytes, so ASan flags any read past it. */
static uint8_t *
exact_copy(const uint8_t *src, size_t n)
{
	uint8_t *p = xmalloc(n == 0 ? 1 : n);

	if (n > 0)
		memcpy(p, src, n);
	return p;
}

/* Decodes a copy of src[0..n) and checks that the result points into it. */
static int
decode_copy(const uint8_t *src, size_t n, struct mvcc_kv *out, bool *inside)
{
	uint8_t *p = exact_copy(src, n);
	int rc = kv_decode(p, n, out);

	*inside = rc != 0 ||
	    ((out->key_len == 0 || (out->key >= p && out->key + out->key_len <= p + n)) &&
	    (out->value_len == 0 || (out->value >= p && out->value + out->value_len <= p + n)));
	free(p);
	/* out's bytes now dangle: callers compare fields, not bytes. */
	return rc;
}

/* Decodes hex text and expects CAIRN_ECORRUPT with *out untouched. */
static void
expect_corrupt(const char *text)
{
	uint8_t b[HEX_BYTES_MAX];
	size_t n = hex(text, b);
	uint8_t *p = exact_copy(b, n);
	struct mvcc_kv kv = {.create_rev = 77, .lease = -77};
	int rc = kv_decode(p, n, &kv);

	if (rc != CAIRN_ECORRUPT)
		printf("# accepted: %s\n", text);
	CU_ASSERT_EQUAL(rc, CAIRN_ECORRUPT);
	CU_ASSERT_EQUAL(kv.create_rev, 77);
	CU_ASSERT_EQUAL(kv.lease, -77);
	CU_ASSERT_PTR_NULL(kv.key);
	free(p);
}

/* Decodes hex text that must be accepted, into *out, with bytes checked
 * against 'want' before the copy is freed. */
static void
expect_kv(const char *text, const struct mvcc_kv *want)
{
	uint8_t b[HEX_BYTES_MAX];
	size_t n = hex(text, b);
	uint8_t *p = exact_copy(b, n);
	struct mvcc_kv kv;

	CU_ASSERT_EQUAL_FATAL(kv_decode(p, n, &kv), 0);
	CU_ASSERT(kv_eq(&kv, want));
	CU_ASSERT_PTR_NOT_NULL(kv.key);
	CU_ASSERT_PTR_NOT_NULL(kv.value);
	free(p);
}

/* Encodes kv, checks the length, decodes a copy and compares. */
static void
round_trip(const struct mvcc_kv *kv)
{
	size_t n = kv_encoded_len(kv);
	uint8_t *b = xmalloc(n == 0 ? 1 : n);
	struct mvcc_kv got;

	CU_ASSERT_EQUAL(kv_encode(kv, b), n);
	CU_ASSERT_EQUAL_FATAL(kv_decode(b, n, &got), 0);
	CU_ASSERT(kv_eq(&got, kv));
	free(b);
}

/* ---- KeyValue: golden encodings ------------------------------------ */

/* Derived by hand from the protobuf encoding spec, then checked with
 * `protoc --encode=mvccpb.KeyValue kv.proto` (libprotoc 3.21.12). */
static const struct golden {
	const char *name;
	struct mvcc_kv kv;
	const char *hex;
} goldens[] = {
	{"etcd's usual put",
	    {.key = B("foo"), .value = B("bar"), .create_rev = 2, .mod_rev = 3, .version = 1},
	    "0a03666f6f 1002 1803 2001 2a03626172"},
	{"varint edges, negative lease",
	    {.key = B("k"), .create_rev = 128, .mod_rev = INT64_MAX, .version = 127, .lease = -1},
	    "0a016b 108001 18ffffffffffffffff7f 207f 30ffffffffffffffffff01"},
	{"lease only",
	    {.lease = 300},
	    "30ac02"},
	{"NUL in key, INT64_MIN, 3-byte varint",
	    {.key = B("a\0b"), .value = B("\xff"), .create_rev = 1, .mod_rev = INT64_MIN,
	    .version = 16384, .lease = 7587868934538011410},
	    "0a03610062 1001 1880808080808080808001 20808001 2a01ff 3092c6f0eaffd2e1a669"},
	{"empty message", {.key = NULL}, ""},
};
#define GOLDENS (sizeof(goldens) / sizeof(goldens[0]))

static void
test_golden_encodings(void)
{
	uint8_t want[HEX_BYTES_MAX], got[HEX_BYTES_MAX];

	for (size_t i = 0; i < GOLDENS; i++) {
		const struct golden *g = &goldens[i];
		size_t n = hex(g->hex, want);

		CU_ASSERT_EQUAL(kv_encoded_len(&g->kv), n);
		memset(got, 0xee, sizeof(got));
		CU_ASSERT_EQUAL(kv_encode(&g->kv, got), n);
		if (memcmp(got, want, n) != 0 || got[n] != 0xee)
			printf("# golden differs: %s\n", g->name);
		CU_ASSERT_EQUAL(memcmp(got, want, n), 0);
		CU_ASSERT_EQUAL(got[n], 0xee);
		expect_kv(g->hex, &g->kv);
	}
}

/* ---- KeyValue: round trips ----------------------------------------- */

static const int64_t edge_ints[] = {
	0, 1, 127, 128, 16383, 16384, INT32_MAX, (int64_t)1 << 35,
	INT64_MAX - 1, INT64_MAX, -1, -128, INT64_MIN,
};
#define EDGE_INTS (sizeof(edge_ints) / sizeof(edge_ints[0]))

static void
test_round_trip_ints(void)
{
	for (size_t i = 0; i < EDGE_INTS; i++) {
		int64_t v = edge_ints[i];
		struct mvcc_kv each[] = {
			{.key = B("k"), .create_rev = v},
			{.key = B("k"), .mod_rev = v},
			{.key = B("k"), .version = v},
			{.key = B("k"), .lease = v},
			{.create_rev = v, .mod_rev = v, .version = v, .lease = v},
		};

		for (size_t j = 0; j < sizeof(each) / sizeof(each[0]); j++)
			round_trip(&each[j]);
		/* A negative int64 takes ten bytes, as in Go. */
		CU_ASSERT_EQUAL(kv_encoded_len(&each[3]), 3 + (v == 0 ? 0 :
		    v < 0 ? 11 : 1 + pbw_varint_len((uint64_t)v)));
	}
}

static void
test_round_trip_bytes(void)
{
	static uint8_t pat[16386];
	static const uint32_t lens[] = {0, 1, 127, 128, 16383, 16384, 16385};

	for (size_t i = 0; i < sizeof(pat); i++)
		pat[i] = (uint8_t)(i * 31 + 7);
	for (size_t i = 0; i < sizeof(lens) / sizeof(lens[0]); i++) {
		for (size_t j = 0; j < sizeof(lens) / sizeof(lens[0]); j++) {
			struct mvcc_kv kv = {.key = pat, .key_len = lens[i],
			    .value = pat + 1, .value_len = lens[j], .mod_rev = 5};

			round_trip(&kv);
		}
	}
}

static void
test_big_value_zero_copy(void)
{
	uint8_t *val = xmalloc(BIG_VALUE_BYTES);
	struct mvcc_kv kv = {.key = B("big"), .value = val, .value_len = BIG_VALUE_BYTES,
	    .create_rev = 9, .mod_rev = 9, .version = 1, .lease = 0x694d};
	size_t n = kv_encoded_len(&kv);
	uint8_t *b = xmalloc(n);
	struct mvcc_kv got;

	for (size_t i = 0; i < BIG_VALUE_BYTES; i++)
		val[i] = (uint8_t)(i ^ (i >> 8));
	/* key 5, three ints 2+2+2, value 1 + 3-byte length, lease 1 + 3. */
	CU_ASSERT_EQUAL(n, 5 + 6 + 4 + BIG_VALUE_BYTES + 4);
	CU_ASSERT_EQUAL(kv_encode(&kv, b), n);
	CU_ASSERT_EQUAL_FATAL(kv_decode(b, n, &got), 0);
	CU_ASSERT(kv_eq(&got, &kv));
	/* Not copied: the value is the encoding's own bytes. */
	CU_ASSERT_PTR_EQUAL(got.key, b + 2);
	CU_ASSERT_PTR_EQUAL(got.value, b + 5 + 6 + 4);
	free(b);
	free(val);
}

static void
test_absent_fields(void)
{
	struct mvcc_kv kv = {.create_rev = 5, .lease = 5}, none = {.key = NULL};

	CU_ASSERT_EQUAL(kv_decode(NULL, 0, &kv), 0);
	CU_ASSERT(kv_eq(&kv, &none));
	/* Empty, but still something memcpy may be given. */
	CU_ASSERT_PTR_NOT_NULL(kv.key);
	CU_ASSERT_PTR_NOT_NULL(kv.value);
	CU_ASSERT_EQUAL(kv.key_len, 0);
	CU_ASSERT_EQUAL(kv.value_len, 0);
	/* Present but empty (proto3 never writes it; protobuf accepts it). */
	expect_kv("0a00 2a00", &none);
}

/* ---- KeyValue: what protobuf requires a reader to accept ----------- */

static void
test_protobuf_reader_rules(void)
{
	struct mvcc_kv foobar = goldens[0].kv;
	struct mvcc_kv rev = {.key = B("k"), .value = B("v"), .create_rev = 1,
	    .mod_rev = 3, .version = 2, .lease = 5};

	/* Any field order. */
	expect_kv("3005 2a0176 2002 1803 1001 0a016b", &rev);
	/* Last one wins, for scalars and bytes alike. */
	expect_kv("0a0178 3001 0a016b 1007 2a01ff 1001 1803 2002 2a0176 3005", &rev);
	expect_kv("2a0161 2a00", &(struct mvcc_kv){.key = NULL});
	/* Unknown fields of every wire type, around and between known ones:
	 * 7 varint, 8 fixed64, 9 bytes, 10 fixed32, 2^29-1 fixed32, 16 varint
	 * (a two-byte tag), 100 empty bytes. */
	expect_kv("389601 0a03666f6f 410102030405060708 1002 4a0378797a 1803 55deadbeef "
	    "2001 fdffffff0f00000000 2a03626172 8001ff01 a20600", &foobar);
	/* Non-minimal varints, in values and tags: protobuf accepts them. */
	expect_kv("0a03666f6f 10828000 9880808000 03 2001 2a03626172", &foobar);
	/* The longest varint: ten bytes, the last holding bit 63. */
	expect_kv("10ffffffffffffffffff01", &(struct mvcc_kv){.create_rev = -1});
	expect_kv("10808080808080808080 01", &(struct mvcc_kv){.create_rev = INT64_MIN});
}

/* ---- KeyValue: refusals -------------------------------------------- */

static void
test_refusals(void)
{
	static const char *const bad[] = {
		"10",                           /* tag without its varint */
		"1080",                         /* varint cut short */
		"10ffffffffffffffffff02",       /* tenth byte beyond bit 63 */
		"10ffffffffffffffffff8100",     /* eleven bytes */
		"10808080808080808080 80 00",   /* eleven, zero-valued */
		"0a",                           /* bytes tag alone */
		"0a80",                         /* length varint cut short */
		"0a04666f6f",                   /* length past the end */
		"0affffffff0f666f6f",           /* 4 GiB - 1 claimed */
		"0affffffffffffffffff01",       /* 2^64 - 1 claimed */
		"2a01",                         /* value of one byte, none there */
		/* Known fields of the wrong wire type; each would decode if
		 * the type were ignored and the payload read as the field's. */
		"0801 00",                      /* key as a varint */
		"1202 1001",                    /* create_revision as bytes */
		"11 05 108100 1001 1001",       /* create_revision as fixed64 */
		"1d 05 108100",                 /* mod_revision as fixed32 */
		"2d 0141 1001",                 /* value as fixed32 */
		"31 05 1001 1001 108100",       /* lease as fixed64 */
		"2201 00",                      /* version as bytes */
		"0b", "0c",                     /* group start/end on key */
		"3b", "3c", "3b3c",             /* groups on an unknown field */
		"3e00", "3f00",                 /* wire types 6 and 7 */
		"0000", "0200",                 /* field number 0 */
		"808080801000",                 /* field number 2^29 */
		"8080808080808080800100",       /* tag of 64 bits */
		"38",                           /* unknown varint missing */
		"3880",                         /* unknown varint cut short */
		"3900000000000000",             /* fixed64, 7 bytes */
		"3d000000",                     /* fixed32, 3 bytes */
		"3a0500",                       /* unknown bytes past the end */
		"0a03666f6fff",                 /* a good field, then a cut tag */
		"0a03666f6f 2a03626172 3b",     /* a good message, then a group */
	};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		expect_corrupt(bad[i]);
}

/* The first 'fields' fields of kv (in number order), the rest zero. */
static struct mvcc_kv
kv_first(const struct mvcc_kv *kv, int fields)
{
	struct mvcc_kv p = {.key = NULL};

	if (fields >= 1)
		p.key = kv->key, p.key_len = kv->key_len;
	if (fields >= 2)
		p.create_rev = kv->create_rev;
	if (fields >= 3)
		p.mod_rev = kv->mod_rev;
	if (fields >= 4)
		p.version = kv->version;
	if (fields >= 5)
		p.value = kv->value, p.value_len = kv->value_len;
	if (fields >= 6)
		p.lease = kv->lease;
	return p;
}

/* Cuts kv's encoding at every byte: at a field boundary the cut decodes
 * to the fields before it; anywhere inside a field it must fail. */
static void
truncate_everywhere(const struct mvcc_kv *kv)
{
	size_t n = kv_encoded_len(kv);
	uint8_t *full = xmalloc(n == 0 ? 1 : n);
	struct mvcc_kv got;
	bool inside;

	kv_encode(kv, full);
	for (size_t cut = 0; cut <= n; cut++) {
		int fields = -1;

		for (int f = 0; f <= 6; f++) {
			struct mvcc_kv p = kv_first(kv, f);

			if (kv_encoded_len(&p) == cut)
				fields = f;
		}
		got.create_rev = -5;
		if (fields >= 0) {
			struct mvcc_kv want = kv_first(kv, fields);

			CU_ASSERT_EQUAL(decode_copy(full, cut, &got, &inside), 0);
			CU_ASSERT(got.create_rev == want.create_rev &&
			    got.mod_rev == want.mod_rev && got.version == want.version &&
			    got.lease == want.lease && got.key_len == want.key_len &&
			    got.value_len == want.value_len);
		} else {
			CU_ASSERT_EQUAL(decode_copy(full, cut, &got, &inside), CAIRN_ECORRUPT);
			CU_ASSERT_EQUAL(got.create_rev, -5);
		}
		CU_ASSERT(inside);
	}
	free(full);
}

static void
test_truncation_every_byte(void)
{
	static uint8_t pat[300];
	struct mvcc_kv longer = {.key = pat, .key_len = 200, .value = pat, .value_len = 300,
	    .create_rev = 1 << 20, .mod_rev = -3, .version = 2, .lease = INT64_MAX};

	for (size_t i = 0; i < GOLDENS; i++)
		truncate_everywhere(&goldens[i].kv);
	truncate_everywhere(&longer);
}

/* Random bytes and mutated encodings: decode must never read past the
 * end (ASan) and whatever it accepts must survive encode -> decode. */
static bool
fuzz_one(const uint8_t *b, size_t n)
{
	struct mvcc_kv kv, again;
	uint8_t *p = exact_copy(b, n);
	bool inside;
	int rc = kv_decode(p, n, &kv);

	CU_ASSERT(rc == 0 || rc == CAIRN_ECORRUPT);
	if (rc == 0) {
		size_t m = kv_encoded_len(&kv);
		uint8_t *e = xmalloc(m == 0 ? 1 : m);

		CU_ASSERT(m <= n);    /* the canonical form is never longer */
		kv_encode(&kv, e);
		CU_ASSERT_EQUAL(decode_copy(e, m, &again, &inside), 0);
		CU_ASSERT(inside);
		CU_ASSERT(again.create_rev == kv.create_rev && again.mod_rev == kv.mod_rev &&
		    again.version == kv.version && again.lease == kv.lease &&
		    again.key_len == kv.key_len && again.value_len == kv.value_len);
		free(e);
	}
	free(p);
	return rc == 0;
}

static void
test_fuzz(void)
{
	static const uint8_t hot[] = {0x00, 0x01, 0x0a, 0x10, 0x2a, 0x30, 0x3b, 0x39,
	    0x7f, 0x80, 0xff};
	uint64_t st = runner_seed();
	uint8_t b[FUZZ_BYTES_MAX + HEX_BYTES_MAX];
	int accepted = 0;

	for (int it = 0; it < FUZZ_ITERATIONS; it++) {
		uint64_t r = runner_rand(&st);
		size_t n;

		if (it & 1) {
			/* A golden encoding with a few bytes changed and a cut. */
			const struct golden *g = &goldens[r % (GOLDENS - 1)];

			n = hex(g->hex, b);
			for (int k = (int)((r >> 8) % 4); k >= 0; k--) {
				uint64_t m = runner_rand(&st);

				b[m % n] = (m >> 32) & 1 ? hot[(m >> 40) % sizeof(hot)] :
				    (uint8_t)(m >> 48);
			}
			if ((r >> 16) % 4 == 0)
				n = (size_t)((r >> 24) % (n + 1));
		} else {
			n = (size_t)(r % (FUZZ_BYTES_MAX + 1));
			for (size_t i = 0; i < n; i++) {
				uint64_t m = runner_rand(&st);

				b[i] = m & 1 ? hot[(m >> 8) % sizeof(hot)] : (uint8_t)(m >> 16);
			}
		}
		accepted += fuzz_one(b, n);
	}
	/* Both outcomes must have been exercised for the loop to mean much. */
	printf("# fuzz: %d of %d inputs decoded\n", accepted, FUZZ_ITERATIONS);
	CU_ASSERT(accepted > FUZZ_ITERATIONS / 100);
	CU_ASSERT(accepted < FUZZ_ITERATIONS - FUZZ_ITERATIONS / 100);
}

/* ---- pbwire: varints ----------------------------------------------- */

static void
test_varints(void)
{
	uint8_t b[PBW_VARINT_BYTES_MAX];
	uint64_t v;

	for (unsigned k = 1; k <= 9; k++) {
		uint64_t edge = (uint64_t)1 << (7 * k);
		uint64_t vs[] = {edge - 1, edge};
		size_t want[] = {k, k + 1};

		for (int j = 0; j < 2; j++) {
			struct pbw_reader r = {.buf = b, .len = sizeof(b), .off = 0};

			CU_ASSERT_EQUAL(pbw_varint_len(vs[j]), want[j]);
			CU_ASSERT_EQUAL(pbw_put_varint(b, vs[j]), want[j]);
			CU_ASSERT_EQUAL(pbw_get_varint(&r, &v), 0);
			CU_ASSERT_EQUAL(v, vs[j]);
			CU_ASSERT_EQUAL(r.off, want[j]);
		}
	}
	CU_ASSERT_EQUAL(pbw_varint_len(0), 1);
	CU_ASSERT_EQUAL(pbw_put_varint(b, UINT64_MAX), 10);
	CU_ASSERT_EQUAL(b[9], 0x01);
}

static void
test_varint_refusals_leave_reader(void)
{
	uint8_t b[HEX_BYTES_MAX];
	struct pbw_reader r = {.buf = b, .off = 1};
	uint64_t v = 42;
	const uint8_t *d;
	size_t n;

	r.len = hex("00 ffffffffffffffffff7f", b);
	CU_ASSERT_EQUAL(pbw_get_varint(&r, &v), CAIRN_ECORRUPT);
	CU_ASSERT_EQUAL(r.off, 1);
	CU_ASSERT_EQUAL(v, 42);
	r.len = hex("00 05 0102", b);
	CU_ASSERT_EQUAL(pbw_get_bytes(&r, &d, &n), CAIRN_ECORRUPT);
	CU_ASSERT_EQUAL(r.off, 1);
	CU_ASSERT_EQUAL(pbw_skip(&r, (enum pbw_type)3), CAIRN_ECORRUPT);
	CU_ASSERT_EQUAL(r.off, 1);
}

/* ---- revision keys --------------------------------------------------- */

static void
test_rev_bytes(void)
{
	uint8_t want[HEX_BYTES_MAX], got[MVCC_REV_TOMB_BYTES + 1];
	struct mvcc_rev rev = {.main = 1, .sub = 2};

	memset(got, 0xee, sizeof(got));
	CU_ASSERT_EQUAL(hex("0000000000000001 5f 0000000000000002", want), MVCC_REV_BYTES);
	CU_ASSERT_EQUAL(rev_put(got, rev, false), MVCC_REV_BYTES);
	CU_ASSERT_EQUAL(memcmp(got, want, MVCC_REV_BYTES), 0);
	CU_ASSERT_EQUAL(got[MVCC_REV_BYTES], 0xee);
	CU_ASSERT_EQUAL(hex("0000000000000001 5f 0000000000000002 74", want), MVCC_REV_TOMB_BYTES);
	CU_ASSERT_EQUAL(rev_put(got, rev, true), MVCC_REV_TOMB_BYTES);
	CU_ASSERT_EQUAL(memcmp(got, want, MVCC_REV_TOMB_BYTES), 0);
	CU_ASSERT_EQUAL(got[MVCC_REV_TOMB_BYTES], 0xee);
	rev = (struct mvcc_rev){.main = 0x0102030405060708, .sub = -1};
	hex("0102030405060708 5f ffffffffffffffff", want);
	rev_put(got, rev, false);
	CU_ASSERT_EQUAL(memcmp(got, want, MVCC_REV_BYTES), 0);
}

static void
test_rev_round_trip(void)
{
	static const int64_t v[] = {0, 1, 255, 256, INT32_MAX, INT64_MAX, -1, INT64_MIN};
	const size_t nv = sizeof(v) / sizeof(v[0]);

	for (size_t i = 0; i < nv * nv * 2; i++) {
		struct mvcc_rev rev = {.main = v[i % nv], .sub = v[(i / nv) % nv]}, got;
		bool tomb = i >= nv * nv, got_tomb = !tomb;
		uint8_t *b = xmalloc(MVCC_REV_TOMB_BYTES);
		size_t n = rev_put(b, rev, tomb);
		uint8_t *p = exact_copy(b, n);

		CU_ASSERT_EQUAL(rev_get(p, n, &got, &got_tomb), 0);
		CU_ASSERT(got.main == rev.main && got.sub == rev.sub);
		CU_ASSERT_EQUAL(got_tomb, tomb);
		free(p);
		free(b);
	}
}

static int
sign(long long x)
{
	return (x > 0) - (x < 0);
}

static int
rev_cmp(struct mvcc_rev a, struct mvcc_rev b)
{
	if (a.main != b.main)
		return a.main < b.main ? -1 : 1;
	return a.sub == b.sub ? 0 : a.sub < b.sub ? -1 : 1;
}

/* A non-negative revision, small or anywhere up to INT64_MAX. */
static int64_t
some_rev(uint64_t *st)
{
	uint64_t r = runner_rand(st);

	return (int64_t)((r & 1 ? (r >> 1) % 300 : r >> 1));
}

/* Berkeley DB's default btree order: bytewise, a prefix first. */
static int
bytewise_cmp(const uint8_t *a, size_t alen, const uint8_t *b, size_t blen)
{
	int c = memcmp(a, b, alen < blen ? alen : blen);

	return c != 0 ? sign(c) : sign((long long)alen - (long long)blen);
}

static void
test_rev_order(void)
{
	uint64_t st = runner_seed() ^ 0x7265760aULL;
	uint8_t a[MVCC_REV_TOMB_BYTES], b[MVCC_REV_TOMB_BYTES];

	for (int i = 0; i < ORDER_PAIRS; i++) {
		struct mvcc_rev x = {some_rev(&st), some_rev(&st)};
		struct mvcc_rev y = {i & 1 ? x.main : some_rev(&st), i % 7 ? some_rev(&st) : x.sub};
		int want = rev_cmp(x, y);

		rev_put(a, x, false);
		rev_put(b, y, false);
		CU_ASSERT_EQUAL(bytewise_cmp(a, MVCC_REV_BYTES, b, MVCC_REV_BYTES), want);
		/* A tombstone sorts right after its own revision's plain key
		 * and before any later revision. */
		rev_put(a, x, true);
		CU_ASSERT_EQUAL(bytewise_cmp(a, MVCC_REV_TOMB_BYTES, b, MVCC_REV_BYTES),
		    want == 0 ? 1 : want);
	}
}

static void
test_rev_refusals(void)
{
	uint8_t good[MVCC_REV_TOMB_BYTES + 1], bad[MVCC_REV_TOMB_BYTES + 1];
	struct mvcc_rev rev = {.main = 7, .sub = 7};
	bool tomb = true;
	static const size_t lens[] = {0, 1, 8, 9, 16, 19};

	rev_put(good, (struct mvcc_rev){.main = 3, .sub = 4}, true);
	good[MVCC_REV_TOMB_BYTES] = 't';
	for (size_t i = 0; i < sizeof(lens) / sizeof(lens[0]); i++) {
		uint8_t *p = exact_copy(good, lens[i]);

		CU_ASSERT_EQUAL(rev_get(p, lens[i], &rev, &tomb), CAIRN_ECORRUPT);
		free(p);
	}
	memcpy(bad, good, sizeof(bad));
	bad[8] = '-';
	CU_ASSERT_EQUAL(rev_get(bad, MVCC_REV_BYTES, &rev, &tomb), CAIRN_ECORRUPT);
	CU_ASSERT_EQUAL(rev_get(bad, MVCC_REV_TOMB_BYTES, &rev, &tomb), CAIRN_ECORRUPT);
	memcpy(bad, good, sizeof(bad));
	bad[MVCC_REV_BYTES] = 'T';
	CU_ASSERT_EQUAL(rev_get(bad, MVCC_REV_TOMB_BYTES, &rev, &tomb), CAIRN_ECORRUPT);
	bad[MVCC_REV_BYTES] = 0;
	CU_ASSERT_EQUAL(rev_get(bad, MVCC_REV_TOMB_BYTES, &rev, &tomb), CAIRN_ECORRUPT);
	/* Refusals leave the outputs alone. */
	CU_ASSERT(rev.main == 7 && rev.sub == 7 && tomb);
	/* The good one, both ways. */
	CU_ASSERT_EQUAL(rev_get(good, MVCC_REV_BYTES, &rev, &tomb), 0);
	CU_ASSERT(rev.main == 3 && rev.sub == 4 && !tomb);
	CU_ASSERT_EQUAL(rev_get(good, MVCC_REV_TOMB_BYTES, &rev, &tomb), 0);
	CU_ASSERT(tomb);
}

static CU_TestInfo kv_tests[] = {
	{"golden encodings (checked with protoc)", test_golden_encodings},
	{"round trips: int64 edges", test_round_trip_ints},
	{"round trips: key and value lengths", test_round_trip_bytes},
	{"1.5 MiB value, decoded without a copy", test_big_value_zero_copy},
	{"absent fields are zero or empty", test_absent_fields},
	{"any order, last wins, unknown fields skipped", test_protobuf_reader_rules},
	{"refusals", test_refusals},
	{"truncation at every byte", test_truncation_every_byte},
	{"fuzz: random and mutated bytes", test_fuzz},
	CU_TEST_INFO_NULL,
};

/* Messages of varint fields (leases, alarms): zeros left out, fields
 * beyond n or of another wire type skipped, truncation refused. */
static void
test_varint_messages(void)
{
	const uint64_t v[3] = {7, 0, (uint64_t)-1};
	uint64_t got[3], two[2];
	uint8_t buf[64];
	/* field 1 = 7, field 4 (beyond n = 3) = 1, field 2 as bytes "x" */
	const uint8_t extra[] = {0x08, 0x07, 0x20, 0x01, 0x12, 0x01, 'x'};
	size_t n = pbw_put_varints(buf, v, 3);

	CU_ASSERT_EQUAL(n, 2 + 11);  /* field 2 left out; -1 takes 10 bytes */
	CU_ASSERT_EQUAL(pbw_get_varints(buf, n, got, 3), 0);
	CU_ASSERT(got[0] == 7 && got[1] == 0 && got[2] == (uint64_t)-1);
	CU_ASSERT_EQUAL(pbw_get_varints(extra, sizeof(extra), two, 2), 0);
	CU_ASSERT(two[0] == 7 && two[1] == 0);
	CU_ASSERT_EQUAL(pbw_get_varints(buf, n - 1, got, 3), CAIRN_ECORRUPT);
}

static CU_TestInfo pbwire_tests[] = {
	{"messages of varint fields", test_varint_messages},
	{"varint lengths and round trips", test_varints},
	{"refusals leave the reader where it was", test_varint_refusals_leave_reader},
	CU_TEST_INFO_NULL,
};

static CU_TestInfo rev_tests[] = {
	{"etcd's bytes", test_rev_bytes},
	{"round trips, tombstones too", test_rev_round_trip},
	{"bytewise order is revision order", test_rev_order},
	{"refusals", test_rev_refusals},
	CU_TEST_INFO_NULL,
};

static CU_SuiteInfo suites[] = {
	{"kv_codec", NULL, NULL, NULL, NULL, kv_tests},
	{"pbwire", NULL, NULL, NULL, NULL, pbwire_tests},
	{"rev_codec", NULL, NULL, NULL, NULL, rev_tests},
	CU_SUITE_INFO_NULL,
};

int
main(void)
{
	return runner_run(suites);
}
