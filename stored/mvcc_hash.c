/*
 * stored: etcd 3.4's HashKV(rev) (mvcc/kvstore.go's HashByRev): a CRC-32C
 * over the word "key" and then, in revision order, every key-table record
 * (revision bytes, then value) at or below rev, except, at or below the
 * compaction, those that are not their key's newest revision at or below
 * rev or are tombstones (etcd's "keep" at rev; etcd skips nothing when no
 * key is live at rev). Equal on every member that applied the same
 * entries, whether or not its compaction pass is done.
 */
#include <string.h>

#include "stored/hist_order.h"
#include "stored/keyrange.h"
#include "stored/kv_codec.h"
#include "stored/meta.h"
#include "stored/mvcc_impl.h"
#include "stored/rev_codec.h"
#include "shared/crc32c.h"
#include "shared/err.h"

/* Whether revision r of key is in etcd's keep set at 'at': the key's
 * newest at or below 'at', and not a tombstone. */
static int
hash_kept(struct mvcc *s, const uint8_t *key, uint32_t key_len, int64_t at,
    struct mvcc_rev rev, bool *kept)
{
	uint8_t *seek = mvcc_scratch(s, (size_t)key_len + HIST_REV_BYTES);
	DBT k = {.data = seek, .size = key_len + HIST_REV_BYTES}, v = {0};
	DBC *c;
	const uint8_t *fk;
	uint32_t fk_len;
	struct mvcc_rev found;
	int rc = s->db.hist->cursor(s->db.hist, s->batch, &c, 0);

	if (rc != 0)
		return bdb_fail(rc, "hist cursor");
	hist_key_put(seek, key, key_len, (struct mvcc_rev){.main = at + 1});
	rc = c->get(c, &k, &v, DB_SET_RANGE);
	rc = rc == 0 ? c->get(c, &k, &v, DB_PREV) : rc == DB_NOTFOUND ?
	    c->get(c, &k, &v, DB_LAST) : rc;
	*kept = rc == 0 && hist_key_get(k.data, k.size, &fk, &fk_len, &found) &&
	    v.size == 1 && ((uint8_t *)v.data)[0] != MVCC_REV_TOMB_MARK &&
	    keyrange_cmp(fk, fk_len, key, key_len) == 0 &&
	    found.main == rev.main && found.sub == rev.sub;
	(void)c->close(c);
	return rc == 0 || rc == DB_NOTFOUND ? 0 : bdb_fail(rc, "hist seek");
}

static int
hash_count(void *arg, const struct mvcc_kv *kv)
{
	(void)arg;
	(void)kv;
	return 0;
}

/* Whether any key is live at rev (etcd's keep set is not empty). */
static int
hash_keeps_any(struct mvcc *s, int64_t rev, bool *any)
{
	static const uint8_t all[1] = {0};
	struct mvcc_range_req r = {.key = all, .key_len = 0, .end = all, .end_len = 1,
	    .rev = rev, .count_only = true};
	struct mvcc_range_res res;
	int rc = mvcc_range(s, NULL, &r, hash_count, NULL, &res);

	*any = rc == 0 && res.count > 0;
	return rc;
}

int
mvcc_hash_kv(struct mvcc *s, int64_t rev, uint32_t *hash, int64_t *compact_rev)
{
	DBC *c;
	DBT k = {0}, v = {0};
	bool skip = false;
	uint32_t h;
	int rc;

	if (rev <= 0)
		rev = s->rev;
	if (rev > s->rev)
		return CAIRN_EFUTUREREV;
	if (rev <= s->compact_rev)
		return CAIRN_ECOMPACTED;
	if (s->compact_rev > 0 && (rc = hash_keeps_any(s, rev, &skip)) != 0)
		return rc;
	h = crc32c("key", 3);
	if ((rc = s->db.key->cursor(s->db.key, s->batch, &c, 0)) != 0)
		return bdb_fail(rc, "key cursor");
	while ((rc = c->get(c, &k, &v, DB_NEXT)) == 0) {
		struct mvcc_rev r;
		struct mvcc_kv kv;
		bool tomb, kept = true;

		if (rev_get(k.data, k.size, &r, &tomb) != 0 || kv_decode(v.data, v.size, &kv) != 0) {
			rc = CAIRN_ECORRUPT;
			break;
		}
		if (r.main > rev)
			break;
		if (skip && r.main <= s->compact_rev &&
		    (tomb || (rc = hash_kept(s, kv.key, kv.key_len, rev, r, &kept)) != 0 || !kept)) {
			if (rc != 0)
				break;
			continue;
		}
		h = crc32c_extend(h, k.data, k.size);
		h = crc32c_extend(h, v.data, v.size);
	}
	(void)c->close(c);
	if (rc != 0 && rc != DB_NOTFOUND)
		return rc == CAIRN_ECORRUPT || rc > 0 ? rc : bdb_fail(rc, "key walk");
	*hash = h;
	*compact_rev = s->compact_rev;
	return 0;
}

int
mvcc_hash(struct mvcc *s, uint32_t *hash)
{
	uint32_t h = 0;
	int rc = 0;

	for (size_t i = 0; i < BDB_DBS && rc == 0; i++) {
		const char *name;
		DB *db = bdb_db_at(&s->db, i, &name);
		DBT k = {0}, v = {0};
		DBC *c;

		h = crc32c_extend(h, name, strlen(name));
		if ((rc = db->cursor(db, s->batch, &c, 0)) != 0)
			return bdb_fail(rc, "hash cursor");
		while ((rc = c->get(c, &k, &v, DB_NEXT)) == 0) {
			if (db == s->db.meta && meta_hash_ignored(k.data, k.size))
				continue;
			h = crc32c_extend(h, k.data, k.size);
			h = crc32c_extend(h, v.data, v.size);
		}
		(void)c->close(c);
		rc = rc == DB_NOTFOUND ? 0 : bdb_fail(rc, "hash walk");
	}
	if (rc == 0)
		*hash = h;
	return rc;
}
