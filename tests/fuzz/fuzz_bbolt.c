/*
 * Fuzz target: cairnctl's bbolt reader (ctl/bbolt.c), which reads etcd
 * snapshots handed to cairnctl snapshot status and restore: the input is
 * a whole file. It is opened, checked as bolt checks it, and every bucket
 * is walked, nested and inline ones too (to a bounded depth), whatever
 * the check said: every record handed out must lie within the input.
 */
#include <stdlib.h>

#include "ctl/bbolt.h"
#include "shared/assert.h"
#include "tests/fuzz/fuzz.h"

/* Buckets within buckets the target descends into. */
#define FUZZ_NEST_MAX 4
/* Records of a bucket whose nested buckets are walked. */
#define FUZZ_CHILDREN_MAX 16

struct fwalk {
	const struct bbolt *db;
	const uint8_t *lo, *hi;      /* the input */
	int nest;
	unsigned children;
};

static void walk_bucket(const struct bbolt *db, const struct bbolt_bucket *b, int nest,
    const uint8_t *lo, const uint8_t *hi);

static int
record(void *arg, const uint8_t *k, size_t kn, const uint8_t *v, size_t vn, bool bucket)
{
	struct fwalk *w = arg;
	struct bbolt_bucket child;
	char err[BBOLT_ERR_BYTES];

	CAIRN_ASSERT(kn == 0 || (k >= w->lo && k + kn <= w->hi));
	CAIRN_ASSERT(vn == 0 || (v >= w->lo && v + vn <= w->hi));
	if (!bucket || w->nest >= FUZZ_NEST_MAX || w->children++ >= FUZZ_CHILDREN_MAX)
		return 0;
	if (bbolt_child(w->db, v, vn, &child, err, sizeof(err)) == 0)
		walk_bucket(w->db, &child, w->nest + 1, w->lo, w->hi);
	return 0;
}

static void
walk_bucket(const struct bbolt *db, const struct bbolt_bucket *b, int nest, const uint8_t *lo,
    const uint8_t *hi)
{
	struct fwalk w = { .db = db, .lo = lo, .hi = hi, .nest = nest };
	char err[BBOLT_ERR_BYTES];

	(void)bbolt_foreach(db, b, record, &w, err, sizeof(err));
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct bbolt db;
	struct bbolt_bucket root, b;
	char err[BBOLT_ERR_BYTES], *text = NULL;

	if (bbolt_open_mem(&db, data, size, err, sizeof(err)) != 0)
		return 0;
	CAIRN_ASSERT(db.pgid <= db.pages && db.pages * db.page_size <= size);
	(void)bbolt_check(&db, &text);
	free(text);
	bbolt_root(&db, &root);
	walk_bucket(&db, &root, 0, data, data + size);
	(void)bbolt_bucket(&db, &root, (const uint8_t *)"key", 3, &b, err, sizeof(err));
	bbolt_close(&db);
	return 0;
}
