/*
 * cairnctl: the bbolt reader (see bbolt.h): pages, buckets and bolt's
 * check over a file's bytes, every offset checked against the file.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ctl/bbolt.h"
#include "shared/assert.h"
#include "shared/err.h"
#include "shared/le.h"
#include "shared/xmalloc.h"

/*
 * The format, from bbolt's page.go, db.go, bucket.go, cursor.go and
 * tx.go: every page starts with {u64 id, u16 flags, u16 count, u32
 * overflow} and spans overflow + 1 pages; its 'count' elements of 16
 * bytes follow, and an element's key and value lie 'pos' bytes after the
 * element itself. Integers are the machine's, little-endian on every
 * host etcd runs on. bolt reads what a page points at wherever it lies in
 * its map of the file: so does this reader, within the file (past its
 * end bolt would crash; this is an error), so that a damaged file reads
 * as bolt reads it.
 */
#define PAGE_HEADER_BYTES 16
#define ELEM_BYTES 16                /* branch and leaf elements alike */
#define BUCKET_HEADER_BYTES 16       /* {u64 root, u64 sequence} */

#define PAGE_BRANCH 0x01
#define PAGE_LEAF 0x02
#define PAGE_META 0x04
#define PAGE_FREELIST 0x10
#define LEAF_BUCKET 0x01

/* The meta page's body, after the page header. */
#define META_MAGIC 0xED0CDAEDu
#define META_VERSION 2
#define META_BYTES 64
#define META_SUM_BYTES 56            /* what the checksum covers */
#define META_OFF_MAGIC 0
#define META_OFF_VERSION 4
#define META_OFF_PAGE_SIZE 8
#define META_OFF_ROOT 16
#define META_OFF_FREELIST 32
#define META_OFF_PGID 40
#define META_OFF_TXID 48
#define META_OFF_CHECKSUM 56

/* A freelist page holding 0xFFFF ids or more keeps the count in its
 * first id. */
#define FREELIST_COUNT_OVERFLOW 0xFFFF

/* The check walks a page again when bolt would, up to this many visits
 * per page of the file in all. */
#define CHECK_VISITS_PER_PAGE 4

#define FNV64_OFFSET 0xcbf29ce484222325ull
#define FNV64_PRIME 0x100000001b3ull

/* One page as read: where it starts, the file's bytes from there. */
struct bpage {
	uint64_t id;                 /* the page asked for */
	uint64_t hid;                /* the id its header says */
	const uint8_t *p;
	size_t avail;
	uint16_t flags;
	uint16_t count;
	uint32_t overflow;
};

static int
bb_fail(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (errlen > 0) {
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return CAIRN_ECORRUPT;
}

static uint64_t
fnv64a(const uint8_t *p, size_t n)
{
	uint64_t h = FNV64_OFFSET;

	for (size_t i = 0; i < n; i++) {
		h ^= p[i];
		h *= FNV64_PRIME;
	}
	return h;
}

/* meta.validate(): 0, or bolt's error text. */
static const char *
meta_invalid(const uint8_t *m)
{
	uint64_t sum = le_get64(m + META_OFF_CHECKSUM);

	if (le_get32(m + META_OFF_MAGIC) != META_MAGIC)
		return "invalid database";
	if (le_get32(m + META_OFF_VERSION) != META_VERSION)
		return "version mismatch";
	if (sum != 0 && sum != fnv64a(m, META_SUM_BYTES))
		return "checksum error";
	return NULL;
}

int
bbolt_open_mem(struct bbolt *db, const uint8_t *p, size_t len, char *err, size_t errlen)
{
	const uint8_t *m0, *m1, *m;
	const char *e0, *e1;
	uint32_t ps = BBOLT_HEAD_BYTES;

	memset(db, 0, sizeof(*db));
	/* db.Open: the first 4 KiB, meta page 0's page size if it is valid. */
	if (len < BBOLT_HEAD_BYTES)
		return bb_fail(err, errlen, "invalid database");
	m0 = p + PAGE_HEADER_BYTES;
	if (meta_invalid(m0) == NULL)
		ps = le_get32(m0 + META_OFF_PAGE_SIZE);
	if (ps < BBOLT_PAGE_BYTES_MIN || ps > BBOLT_PAGE_BYTES_MAX)
		return bb_fail(err, errlen, "invalid page size %u", ps);
	/* db.mmap: two pages at least, both meta pages read. */
	if (len / 2 < ps)
		return bb_fail(err, errlen, "file size too small");
	m1 = p + ps + PAGE_HEADER_BYTES;
	e0 = meta_invalid(m0);
	e1 = meta_invalid(m1);
	if (e0 != NULL && e1 != NULL)
		return bb_fail(err, errlen, "%s", e0);
	/* db.meta(): the higher txid if valid, else the other. */
	m = le_get64(m1 + META_OFF_TXID) > le_get64(m0 + META_OFF_TXID) ? m1 : m0;
	if (meta_invalid(m) != NULL)
		m = m == m0 ? m1 : m0;
	db->p = p;
	db->len = len;
	db->page_size = ps;
	db->pages = len / ps;
	db->root = le_get64(m + META_OFF_ROOT);
	db->freelist = le_get64(m + META_OFF_FREELIST);
	db->pgid = le_get64(m + META_OFF_PGID);
	db->txid = le_get64(m + META_OFF_TXID);
	if (db->pgid > db->pages)
		return bb_fail(err, errlen, "high water mark %llu past the file's %llu pages",
		    (unsigned long long)db->pgid, (unsigned long long)db->pages);
	return 0;
}

int
bbolt_open(struct bbolt *db, const char *path, size_t tail_bytes, char *err, size_t errlen)
{
	struct stat st;
	void *map;
	size_t len;
	int fd = open(path, O_RDONLY | O_CLOEXEC), rc;

	memset(db, 0, sizeof(*db));
	if (fd < 0 || fstat(fd, &st) != 0) {
		snprintf(err, errlen, "open %s: %s", path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return CAIRN_EIO;
	}
	len = (size_t)st.st_size;
	len = len > tail_bytes ? len - tail_bytes : 0;
	if (len < BBOLT_HEAD_BYTES) {
		close(fd);
		return bb_fail(err, errlen, "invalid database");
	}
	map = mmap(NULL, len, PROT_READ, MAP_PRIVATE, fd, 0);
	close(fd);
	if (map == MAP_FAILED) {
		snprintf(err, errlen, "mmap %s: %s", path, strerror(errno));
		return CAIRN_EIO;
	}
	rc = bbolt_open_mem(db, map, len, err, errlen);
	if (rc != 0) {
		munmap(map, len);
		memset(db, 0, sizeof(*db));
		return rc;
	}
	db->map_len = len;
	return 0;
}

void
bbolt_close(struct bbolt *db)
{
	if (db->map_len > 0)
		munmap((void *)(uintptr_t)db->p, db->map_len);
	memset(db, 0, sizeof(*db));
}

uint64_t
bbolt_size(const struct bbolt *db)
{
	return db->pgid * db->page_size;
}

void
bbolt_root(const struct bbolt *db, struct bbolt_bucket *b)
{
	*b = (struct bbolt_bucket){ .root = db->root };
}

/* The header of the page at p (avail bytes of the file from there), which
 * must lie within the file. */
static int
page_parse(struct bpage *pg, uint64_t id, const uint8_t *p, size_t avail, char *err,
    size_t errlen)
{
	if (avail < PAGE_HEADER_BYTES)
		return bb_fail(err, errlen, "page %llu: its header past the end of the file",
		    (unsigned long long)id);
	*pg = (struct bpage){ .id = id, .hid = le_get64(p), .p = p, .avail = avail,
		.flags = (uint16_t)(p[8] | p[9] << 8), .count = (uint16_t)(p[10] | p[11] << 8),
		.overflow = le_get32(p + 12) };
	return 0;
}

/* A branch or leaf page's elements lie within the file. */
static int
page_elems(const struct bpage *pg, char *err, size_t errlen)
{
	if ((size_t)pg->count * ELEM_BYTES > pg->avail - PAGE_HEADER_BYTES)
		return bb_fail(err, errlen, "page %llu: %u elements past the end of the file",
		    (unsigned long long)pg->id, pg->count);
	return 0;
}

/* Page id of the file. */
static int
page_at(const struct bbolt *db, uint64_t id, struct bpage *pg, char *err, size_t errlen)
{
	if (id >= db->pages)
		return bb_fail(err, errlen, "page %llu: past the end of the file (%llu pages)",
		    (unsigned long long)id, (unsigned long long)db->pages);
	return page_parse(pg, id, db->p + id * db->page_size, db->len - id * db->page_size,
	    err, errlen);
}

/* A leaf element: its flags, key and value, within the file. */
static int
leaf_elem(const struct bpage *pg, unsigned i, uint32_t *flags, const uint8_t **k,
    size_t *kn, const uint8_t **v, size_t *vn, char *err, size_t errlen)
{
	size_t off = PAGE_HEADER_BYTES + (size_t)i * ELEM_BYTES;
	const uint8_t *e = pg->p + off;
	uint64_t pos = le_get32(e + 4), ks = le_get32(e + 8), vs = le_get32(e + 12);

	CAIRN_ASSERT(i < pg->count);
	*flags = le_get32(e);
	/* An empty key and value are never read, wherever they point. */
	if (ks + vs == 0) {
		*k = *v = e;
		*kn = *vn = 0;
		return 0;
	}
	if (off + pos + ks + vs > pg->avail)
		return bb_fail(err, errlen, "page %llu: element %u past the end of the file",
		    (unsigned long long)pg->id, i);
	*k = e + pos;
	*kn = (size_t)ks;
	*v = e + pos + ks;
	*vn = (size_t)vs;
	return 0;
}

/* A branch element's child page (its key is not needed to walk); the
 * elements were found within the file (page_elems). */
static uint64_t
branch_child(const struct bpage *pg, unsigned i)
{
	CAIRN_ASSERT(i < pg->count);
	return le_get64(pg->p + PAGE_HEADER_BYTES + (size_t)i * ELEM_BYTES + 8);
}

/* One walk: the pages seen (a bit each), the callback. */
struct walk {
	const struct bbolt *db;
	uint8_t *seen;
	bool skip_seen;              /* a page seen before: passed over, not an error */
	bbolt_fn *fn;
	void *arg;
	char *err;
	size_t errlen;
};

static int
walk_leaf(struct walk *w, const struct bpage *pg)
{
	for (unsigned i = 0; i < pg->count; i++) {
		uint32_t flags = 0;
		const uint8_t *k = NULL, *v = NULL;
		size_t kn = 0, vn = 0;
		int rc = leaf_elem(pg, i, &flags, &k, &kn, &v, &vn, w->err, w->errlen);

		if (rc == 0)
			rc = w->fn(w->arg, k, kn, v, vn, (flags & LEAF_BUCKET) != 0);
		if (rc != 0)
			return rc;
	}
	return 0;
}

static int
walk_page(struct walk *w, uint64_t id, int depth)
{
	struct bpage pg;
	int rc;

	if (depth > BBOLT_DEPTH_MAX)
		return bb_fail(w->err, w->errlen, "page %llu: more than %d branch pages deep",
		    (unsigned long long)id, BBOLT_DEPTH_MAX);
	if ((rc = page_at(w->db, id, &pg, w->err, w->errlen)) != 0)
		return rc;
	if ((w->seen[id / 8] & (1u << (id % 8))) && w->skip_seen)
		return 0;
	if (w->seen[id / 8] & (1u << (id % 8)))
		return bb_fail(w->err, w->errlen, "page %llu: multiple references",
		    (unsigned long long)id);
	w->seen[id / 8] |= (uint8_t)(1u << (id % 8));
	if ((rc = page_elems(&pg, w->err, w->errlen)) != 0)
		return rc;
	if (pg.flags & PAGE_LEAF)
		return walk_leaf(w, &pg);
	if (!(pg.flags & PAGE_BRANCH))
		return bb_fail(w->err, w->errlen, "invalid page type: %llu: %x",
		    (unsigned long long)id, pg.flags);
	if (pg.count == 0)
		return bb_fail(w->err, w->errlen, "page %llu: empty branch page",
		    (unsigned long long)id);
	for (unsigned i = 0; i < pg.count; i++)
		if ((rc = walk_page(w, branch_child(&pg, i), depth + 1)) != 0)
			return rc;
	return 0;
}

/* An inline bucket's page, which must be a leaf. */
static int
inline_page(const struct bbolt_bucket *b, struct bpage *pg, char *err, size_t errlen)
{
	int rc = page_parse(pg, 0, b->page, b->page_len, err, errlen);

	if (rc == 0)
		rc = page_elems(pg, err, errlen);
	if (rc == 0 && !(pg->flags & PAGE_LEAF))
		return bb_fail(err, errlen, "inline bucket: page type %x is not a leaf",
		    pg->flags);
	return rc;
}

int
bbolt_foreach(const struct bbolt *db, const struct bbolt_bucket *b, bbolt_fn *fn, void *arg,
    char *err, size_t errlen)
{
	struct walk w = { .db = db, .fn = fn, .arg = arg, .err = err, .errlen = errlen };
	struct bpage pg;
	int rc;

	if (b->root == 0) {
		if ((rc = inline_page(b, &pg, err, errlen)) != 0)
			return rc;
		return walk_leaf(&w, &pg);
	}
	w.seen = xcalloc(db->pages / 8 + 1, 1);
	rc = walk_page(&w, b->root, 0);
	free(w.seen);
	return rc;
}

int
bbolt_child(const struct bbolt *db, const uint8_t *val, size_t val_len,
    struct bbolt_bucket *child, char *err, size_t errlen)
{
	CAIRN_ASSERT(val >= db->p && val + val_len <= db->p + db->len);
	/* An inline page is read within its value: bolt reads it from a copy
	 * of the value when the value is not aligned. */
	if (val_len < BUCKET_HEADER_BYTES)
		return bb_fail(err, errlen, "bucket value of %zu bytes, shorter than its header",
		    val_len);
	*child = (struct bbolt_bucket){ .root = le_get64(val) };
	if (child->root == 0) {
		child->page = val + BUCKET_HEADER_BYTES;
		child->page_len = val_len - BUCKET_HEADER_BYTES;
	}
	return 0;
}

/* bbolt_bucket's search. */
struct find {
	const struct bbolt *db;
	const uint8_t *name;
	size_t name_len;
	struct bbolt_bucket *child;
	bool found;
	int rc;
	char *err;
	size_t errlen;
};

/* Stops the walk (1) at the first record of the name. */
static int
find_one(void *arg, const uint8_t *k, size_t kn, const uint8_t *v, size_t vn, bool bucket)
{
	struct find *f = arg;

	if (kn != f->name_len || (kn > 0 && memcmp(k, f->name, kn) != 0))
		return 0;
	f->found = bucket;
	f->rc = bucket ? bbolt_child(f->db, v, vn, f->child, f->err, f->errlen) : 0;
	return 1;
}

int
bbolt_bucket(const struct bbolt *db, const struct bbolt_bucket *b, const uint8_t *name,
    size_t name_len, struct bbolt_bucket *child, char *err, size_t errlen)
{
	struct find f = { .db = db, .name = name, .name_len = name_len, .child = child,
		.err = err, .errlen = errlen };
	int rc = bbolt_foreach(db, b, find_one, &f, err, errlen);

	if (rc != 0 && rc != 1)
		return rc;
	if (f.rc != 0)
		return f.rc;
	return f.found ? 0 : CAIRN_ENOENT;
}

/* ---- Tx.Check -------------------------------------------------------- */

struct check {
	const struct bbolt *db;
	uint8_t *reachable;          /* a bit per page of the file */
	uint8_t *freed;
	uint8_t *walked;             /* pages whose records were walked */
	uint8_t *visited;            /* pages walked by the check, by the id asked */
	uint8_t *on_path;            /* ... and those above the current one */
	uint64_t visits, visits_max;
	unsigned n;
	char *text;
	size_t len;
};

static bool
bit_get(const uint8_t *set, uint64_t i)
{
	return (set[i / 8] >> (i % 8)) & 1;
}

static void
bit_set(uint8_t *set, uint64_t i)
{
	set[i / 8] |= (uint8_t)(1u << (i % 8));
}

static void
problem(struct check *c, const char *fmt, ...)
{
	char line[BBOLT_ERR_BYTES];
	size_t n;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	c->n++;
	n = strlen(line);
	if (c->len + n + 2 > BBOLT_CHECK_TEXT_BYTES_MAX)
		return;
	if (c->text == NULL)
		c->text = xmalloc(BBOLT_CHECK_TEXT_BYTES_MAX);
	if (c->len > 0)
		c->text[c->len++] = '\n';
	memcpy(c->text + c->len, line, n + 1);
	c->len += n;
}

/* page.typ() */
static void
page_type(uint16_t flags, char *buf, size_t n)
{
	if (flags & PAGE_BRANCH)
		snprintf(buf, n, "branch");
	else if (flags & PAGE_LEAF)
		snprintf(buf, n, "leaf");
	else if (flags & PAGE_META)
		snprintf(buf, n, "meta");
	else if (flags & PAGE_FREELIST)
		snprintf(buf, n, "freelist");
	else
		snprintf(buf, n, "unknown<%02x>", flags);
}

static int
pgid_cmp(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* The freelist page's ids, sorted as bolt sorts them: "already freed" for each repeat; each id
 * within the file marked in c->freed. */
static void
check_freelist(struct check *c)
{
	const struct bbolt *db = c->db;
	char err[BBOLT_ERR_BYTES], type[32];
	struct bpage pg;
	uint64_t count, idx = 0, *ids;

	if (page_at(db, db->freelist, &pg, err, sizeof(err)) != 0) {
		problem(c, "freelist %s", err);
		return;
	}
	if (!(pg.flags & PAGE_FREELIST)) {
		page_type(pg.flags, type, sizeof(type));
		problem(c, "invalid freelist page: %llu, page type is %s",
		    (unsigned long long)db->freelist, type);
		return;
	}
	count = pg.count;
	if (count == FREELIST_COUNT_OVERFLOW && pg.avail >= PAGE_HEADER_BYTES + 8) {
		count = le_get64(pg.p + PAGE_HEADER_BYTES);
		idx = 1;
	}
	if (count > (pg.avail - PAGE_HEADER_BYTES) / 8 - idx) {
		problem(c, "freelist page %llu: %llu ids past the end of the file",
		    (unsigned long long)db->freelist, (unsigned long long)count);
		return;
	}
	ids = xmalloc((size_t)(count > 0 ? count : 1) * sizeof(*ids));
	for (uint64_t i = 0; i < count; i++)
		ids[i] = le_get64(pg.p + PAGE_HEADER_BYTES + (idx + i) * 8);
	qsort(ids, (size_t)count, sizeof(*ids), pgid_cmp);
	for (uint64_t i = 0; i < count; i++) {
		if (i > 0 && ids[i] == ids[i - 1])
			problem(c, "page %llu: already freed", (unsigned long long)ids[i]);
		if (ids[i] < db->pages)
			bit_set(c->freed, ids[i]);
	}
	free(ids);
}

static void check_bucket(struct check *c, const struct bbolt_bucket *b, int nest);


/* Marks the pages a page spans as reachable, by the ids its header gives
 * (as bolt does): "multiple references" for those marked before. Ids past
 * the file are left out (bolt keeps them in a map). */
static void
check_mark(struct check *c, const struct bpage *pg)
{
	uint64_t pages = c->db->pages;

	if (pg->hid >= pages)
		return;
	for (uint64_t i = 0; i <= pg->overflow && i < pages - pg->hid; i++) {
		if (bit_get(c->reachable, pg->hid + i))
			problem(c, "page %lld: multiple references", (long long)(pg->hid + i));
		bit_set(c->reachable, pg->hid + i);
	}
}

/*
 * tx.forEachPage with checkBucket's checks, by the ids the pages' headers
 * give, as bolt. A page reached again is walked again, as bolt does, but
 * neither within its own subtree (bolt would recurse forever) nor once
 * the walk has visited a few times the file's pages (shared subtrees
 * would make it exponential).
 */
static void
check_page(struct check *c, uint64_t id, int depth)
{
	const struct bbolt *db = c->db;
	char err[BBOLT_ERR_BYTES], type[32];
	struct bpage pg;

	if (page_at(db, id, &pg, err, sizeof(err)) != 0) {
		problem(c, "%s", err);
		return;
	}
	if (pg.hid > db->pgid)
		problem(c, "page %lld: out of bounds: %lld", (long long)pg.hid,
		    (long long)db->pgid);
	check_mark(c, &pg);
	if (pg.hid < db->pages && bit_get(c->freed, pg.hid)) {
		problem(c, "page %lld: reachable freed", (long long)pg.hid);
	} else if (!(pg.flags & (PAGE_BRANCH | PAGE_LEAF))) {
		page_type(pg.flags, type, sizeof(type));
		problem(c, "page %lld: invalid type: %s", (long long)pg.hid, type);
	}
	if (!(pg.flags & PAGE_BRANCH) || bit_get(c->on_path, id) ||
	    (bit_get(c->visited, id) && c->visits > c->visits_max))
		return;
	bit_set(c->visited, id);
	c->visits++;
	if (depth >= BBOLT_DEPTH_MAX) {
		problem(c, "page %llu: more than %d branch pages deep", (unsigned long long)id,
		    BBOLT_DEPTH_MAX);
		return;
	}
	if (page_elems(&pg, err, sizeof(err)) != 0) {
		problem(c, "%s", err);
		return;
	}
	bit_set(c->on_path, id);
	for (unsigned i = 0; i < pg.count; i++)
		check_page(c, branch_child(&pg, i), depth + 1);
	c->on_path[id / 8] &= (uint8_t)~(1u << (id % 8));
}

struct check_walk {
	struct check *c;
	int nest;
};

/* Each nested bucket of a bucket, checked in turn. */
static int
check_child(void *arg, const uint8_t *k, size_t kn, const uint8_t *v, size_t vn, bool bucket)
{
	struct check_walk *cw = arg;
	struct bbolt_bucket child;
	char err[BBOLT_ERR_BYTES];

	(void)k;
	(void)kn;
	if (!bucket)
		return 0;
	if (bbolt_child(cw->c->db, v, vn, &child, err, sizeof(err)) != 0) {
		problem(cw->c, "%s", err);
		return 0;
	}
	check_bucket(cw->c, &child, cw->nest + 1);
	return 0;
}

static void
check_bucket(struct check *c, const struct bbolt_bucket *b, int nest)
{
	struct check_walk cw = { .c = c, .nest = nest };
	struct walk w = { .db = c->db, .seen = c->walked, .skip_seen = true, .fn = check_child,
		.arg = &cw };
	char err[BBOLT_ERR_BYTES];
	bool again;

	/* Inline buckets hold no pages (bolt skips them, and their own
	 * nested buckets with them). */
	if (b->root == 0)
		return;
	if (nest > BBOLT_NEST_MAX) {
		problem(c, "page %llu: a bucket more than %d buckets deep",
		    (unsigned long long)b->root, BBOLT_NEST_MAX);
		return;
	}
	again = b->root < c->db->pages && bit_get(c->visited, b->root);
	check_page(c, b->root, 0);
	/* Records are walked once per check whatever refers to their pages
	 * (a bucket reached twice is reported as such above). */
	if (again)
		return;
	w.err = err;
	w.errlen = sizeof(err);
	if (walk_page(&w, b->root, 0) != 0)
		problem(c, "%s", err);
}

unsigned
bbolt_check(const struct bbolt *db, char **text)
{
	struct check c = { .db = db };
	struct bbolt_bucket root;
	char err[BBOLT_ERR_BYTES];
	struct bpage pg;

	c.reachable = xcalloc(db->pages / 8 + 1, 1);
	c.freed = xcalloc(db->pages / 8 + 1, 1);
	c.walked = xcalloc(db->pages / 8 + 1, 1);
	c.visited = xcalloc(db->pages / 8 + 1, 1);
	c.on_path = xcalloc(db->pages / 8 + 1, 1);
	c.visits_max = CHECK_VISITS_PER_PAGE * db->pages;
	bbolt_root(db, &root);
	bit_set(c.reachable, 0);
	bit_set(c.reachable, 1);
	if (db->freelist == BBOLT_NO_FREELIST) {
		/* db.freepages(): whatever the buckets do not reach is free,
		 * so only the buckets' own problems can show (bolt walks them
		 * twice, to the same result). */
		check_bucket(&c, &root, 0);
		for (uint64_t i = 2; i < db->pgid; i++)
			if (!bit_get(c.reachable, i))
				bit_set(c.freed, i);
	} else {
		check_freelist(&c);
		if (page_at(db, db->freelist, &pg, err, sizeof(err)) == 0)
			for (uint64_t i = 0; i <= pg.overflow && i < db->pages - db->freelist; i++)
				bit_set(c.reachable, db->freelist + i);
		check_bucket(&c, &root, 0);
	}
	for (uint64_t i = 0; i < db->pgid; i++)
		if (!bit_get(c.reachable, i) && !bit_get(c.freed, i))
			problem(&c, "page %lld: unreachable unfreed", (long long)i);
	free(c.reachable);
	free(c.freed);
	free(c.walked);
	free(c.visited);
	free(c.on_path);
	*text = c.text;
	return c.n;
}
