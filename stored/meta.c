/*
 * stored: the meta records (see meta.h).
 */
#include <string.h>

#include "stored/meta.h"
#include "stored/rev_codec.h"
#include "shared/be.h"
#include "shared/err.h"

#define META_CI "consistent_index"
#define META_TERM "term"
#define META_REV "cairn_rev"
#define META_SCHED "scheduledCompactRev"
#define META_FINISHED "finishedCompactRev"

/* Reads record 'name' into buf (exactly len bytes). 0, CAIRN_ENOENT, or
 * CAIRN_ECORRUPT / CAIRN_EIO. */
static int
meta_get(struct mvcc *s, const char *name, uint8_t *buf, uint32_t len)
{
	DBT k = {.data = bdb_mut(name), .size = (uint32_t)strlen(name)};
	DBT v = {.data = buf, .ulen = len, .flags = DB_DBT_USERMEM};
	int rc = s->db.meta->get(s->db.meta, NULL, &k, &v, 0);

	if (rc == DB_NOTFOUND)
		return CAIRN_ENOENT;
	if (rc == DB_BUFFER_SMALL || (rc == 0 && v.size != len))
		return CAIRN_ECORRUPT;
	return rc == 0 ? 0 : bdb_fail(rc, "meta get");
}

static int
meta_put(struct mvcc *s, DB_TXN *txn, const char *name, const uint8_t *buf, uint32_t len)
{
	DBT k = {.data = bdb_mut(name), .size = (uint32_t)strlen(name)};
	DBT v = {.data = bdb_mut(buf), .size = len};
	int rc = s->db.meta->put(s->db.meta, txn, &k, &v, 0);

	return rc == 0 ? 0 : bdb_fail(rc, "meta put");
}

static int
meta_get_u64(struct mvcc *s, const char *name, uint64_t *v, uint64_t dflt)
{
	uint8_t b[8];
	int rc = meta_get(s, name, b, sizeof(b));

	*v = rc == 0 ? be_get64(b) : dflt;
	return rc == CAIRN_ENOENT ? 0 : rc;
}

static int
meta_get_rev(struct mvcc *s, const char *name, int64_t *main)
{
	uint8_t b[MVCC_REV_BYTES];
	struct mvcc_rev rev;
	bool tomb;
	int rc = meta_get(s, name, b, sizeof(b));

	*main = -1;
	if (rc == CAIRN_ENOENT)
		return 0;
	if (rc == 0 && (rc = rev_get(b, sizeof(b), &rev, &tomb)) == 0)
		*main = rev.main;
	return rc;
}

int
meta_load(struct mvcc *s)
{
	uint64_t rev;
	int rc;

	if ((rc = meta_get_u64(s, META_CI, &s->ci, 0)) != 0 ||
	    (rc = meta_get_u64(s, META_TERM, &s->term, 0)) != 0 ||
	    (rc = meta_get_u64(s, META_REV, &rev, 1)) != 0 ||
	    (rc = meta_get_rev(s, META_SCHED, &s->compact_rev)) != 0 ||
	    (rc = meta_get_rev(s, META_FINISHED, &s->compact_done_rev)) != 0)
		return rc;
	s->rev = (int64_t)rev;
	/* A compaction scheduled but not finished resumes (etcd does the same). */
	s->pass.active = s->compact_rev > s->compact_done_rev;
	return 0;
}

int
meta_save_apply(struct mvcc *s, DB_TXN *txn, uint64_t index, uint64_t term, int64_t rev)
{
	uint8_t b[8];
	int rc;

	be_put64(b, index);
	if ((rc = meta_put(s, txn, META_CI, b, 8)) != 0)
		return rc;
	be_put64(b, term);
	if ((rc = meta_put(s, txn, META_TERM, b, 8)) != 0)
		return rc;
	be_put64(b, (uint64_t)rev);
	return meta_put(s, txn, META_REV, b, 8);
}

int
meta_save_compact(struct mvcc *s, DB_TXN *txn, bool finished, int64_t rev)
{
	uint8_t b[MVCC_REV_TOMB_BYTES];
	size_t n = rev_put(b, (struct mvcc_rev){.main = rev}, false);

	return meta_put(s, txn, finished ? META_FINISHED : META_SCHED, b, (uint32_t)n);
}

bool
meta_hash_ignored(const void *key, uint32_t len)
{
	return (len == sizeof(META_CI) - 1 && memcmp(key, META_CI, len) == 0) ||
	    (len == sizeof(META_TERM) - 1 && memcmp(key, META_TERM, len) == 0);
}

bool
meta_compact_key(const void *key, uint32_t len, bool *finished)
{
	*finished = len == sizeof(META_FINISHED) - 1 && memcmp(key, META_FINISHED, len) == 0;
	return *finished ||
	    (len == sizeof(META_SCHED) - 1 && memcmp(key, META_SCHED, len) == 0);
}
