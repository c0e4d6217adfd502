/*
 * stored: defragmentation and the size of the store. etcd rewrites its
 * whole file while every request waits; cairn compacts one database at a
 * time, a few pages per step, each step in Berkeley DB's own short
 * transactions, and applying and reading go on between steps.
 */
#include <stdlib.h>
#include <string.h>

#include "stored/mvcc_impl.h"
#include "shared/assert.h"
#include "shared/err.h"

#define DEFRAG_ROUNDS_MAX 8

static DB *
defrag_db(struct mvcc *s, unsigned i)
{
	return bdb_db_at(&s->db, i, NULL);
}

void
mvcc_defrag_begin(struct mvcc *s)
{
	s->defrag.active = true;
	s->defrag.db = 0;
	s->defrag.next.size = 0;
	s->defrag.pages_freed = 0;
	s->defrag.round_freed = 0;
	s->defrag.rounds = 0;
}

int
mvcc_defrag_step(struct mvcc *s, unsigned pages, bool *done)
{
	DB *db = defrag_db(s, s->defrag.db);
	DB_COMPACT c = {.compact_pages = pages};
	DBT end = {.flags = DB_DBT_MALLOC};
	int rc;

	CAIRN_ASSERT(s->batch == NULL);
	*done = !s->defrag.active;
	if (*done)
		return 0;
	rc = db->compact(db, NULL, s->defrag.next.size > 0 ? &s->defrag.next : NULL, NULL, &c,
	    DB_FREE_SPACE, &end);
	if (rc != 0) {
		free(end.data);
		return bdb_fail(rc, "compact");
	}
	s->defrag.pages_freed += c.compact_pages_free + c.compact_pages_truncated;
	s->defrag.round_freed += c.compact_pages_free + c.compact_pages_truncated;
	/* The database is done when the step stopped short of its page
	 * budget; else the next step starts where this one ended. */
	if (c.compact_pages_examine < pages || end.size == 0) {
		free(end.data);
		s->defrag.next.size = 0;
		if (defrag_db(s, ++s->defrag.db) != NULL)
			return 0;
		/* The databases share the file: pages one round moved down free
		 * the end of the file for the next. Rounds go on while they free
		 * pages, up to a bound. */
		if (s->defrag.round_freed > 0 && ++s->defrag.rounds < DEFRAG_ROUNDS_MAX) {
			s->defrag.db = 0;
			s->defrag.round_freed = 0;
			return 0;
		}
		s->defrag.active = false;
		*done = true;
		return 0;
	}
	free(s->defrag.next.data);
	s->defrag.next.data = end.data;
	s->defrag.next.size = end.size;
	return 0;
}

/* The file's pages, written to disk or still only in the cache (the
 * last page number), as etcd's dbSize counts bbolt's, and their size. */
static int
file_pages(struct mvcc *s, int64_t *pages, uint32_t *psize)
{
	DB_MPOOLFILE *mpf = s->db.meta->get_mpf(s->db.meta);
	db_pgno_t last;
	int rc;

	if ((rc = mpf->get_last_pgno(mpf, &last)) != 0 ||
	    (rc = s->db.meta->get_pagesize(s->db.meta, psize)) != 0)
		return bdb_fail(rc, "file size");
	*pages = (int64_t)last + 1;
	return 0;
}

/* An empty store's pages: a meta and a root page for each database and
 * for the file's own list of them. */
#define EMPTY_STORE_PAGES ((int64_t)(BDB_DBS + 1) * 2)

int
mvcc_quota_bytes(struct mvcc *s, int64_t *size)
{
	uint32_t psize;
	int64_t pages;
	int rc = file_pages(s, &pages, &psize);

	*size = 0;
	if (rc == 0 && pages > EMPTY_STORE_PAGES)
		*size = (pages - EMPTY_STORE_PAGES) * (int64_t)psize;
	return rc;
}

int
mvcc_db_size(struct mvcc *s, int64_t *size, int64_t *in_use)
{
	DB_BTREE_STAT *st;
	uint32_t psize;
	int64_t pages;
	int rc;

	if ((rc = file_pages(s, &pages, &psize)) != 0)
		return rc;
	*size = pages * (int64_t)psize;
	/* The free list is the file's, whichever database reports it. */
	if ((rc = s->db.meta->stat(s->db.meta, s->batch, &st, 0)) != 0)
		return bdb_fail(rc, "stat");
	*in_use = *size - (int64_t)st->bt_free * (int64_t)psize;
	free(st);
	return 0;
}
