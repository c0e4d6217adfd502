/*
 * stored: opening the MVCC store and its meta records (see mvcc.h).
 */
#include <stdlib.h>
#include <string.h>

#include "stored/meta.h"
#include "stored/mvcc.h"
#include "shared/err.h"
#include "shared/log.h"
#include "shared/xmalloc.h"

uint8_t *
mvcc_scratch(struct mvcc *s, size_t n)
{
	if (n > s->cap) {
		s->buf = xrealloc(s->buf, n);
		s->cap = n;
	}
	return s->buf;
}

int
mvcc_open(struct mvcc *s, const char *dir, const struct bdb_options *o, char *err,
    size_t errlen)
{
	int rc;

	memset(s, 0, sizeof(*s));
	s->val.flags = DB_DBT_REALLOC;
	s->val2.flags = DB_DBT_REALLOC;
	if ((rc = bdb_open(&s->db, dir, o, err, errlen)) != 0)
		return rc;
	if ((rc = meta_load(s)) != 0) {
		snprintf(err, errlen, "cannot read the store's meta records in %s", dir);
		mvcc_close(s);
	}
	return rc;
}

void
mvcc_close(struct mvcc *s)
{
	/* A checkpoint at a clean stop: the next start recovers nothing. */
	if (s->db.env != NULL && (bdb_sync(&s->db) != 0 || bdb_checkpoint(&s->db) != 0))
		log_warnx("the store was closed without a checkpoint: the next start recovers");
	bdb_close(&s->db);
	free(s->buf);
	free(s->val.data);
	free(s->val2.data);
	free(s->pass.key);
	free(s->defrag.next.data);
	memset(s, 0, sizeof(*s));
}
