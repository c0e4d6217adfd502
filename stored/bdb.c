/*
 * stored: the Berkeley DB environment and databases (see bdb.h).
 */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "stored/bdb.h"
#include "stored/hist_order.h"
#include "shared/assert.h"
#include "shared/err.h"
#include "shared/log.h"

int
bdb_fail(int rc, const char *what)
{
	log_warnx("berkeley db: %s: %s", what, db_strerror(rc));
	return CAIRN_EIO;
}

static int
bdb_env_open(struct bdb *b, const char *dir, uint32_t cache, char *err, size_t errlen)
{
	const uint32_t flags = DB_CREATE | DB_INIT_TXN | DB_INIT_LOCK | DB_INIT_LOG |
	    DB_INIT_MPOOL | DB_RECOVER | DB_PRIVATE;
	int rc;

	if ((rc = db_env_create(&b->env, 0)) != 0) {
		snprintf(err, errlen, "db_env_create: %s", db_strerror(rc));
		return CAIRN_EIO;
	}
	if ((rc = b->env->set_cachesize(b->env, 0, cache, 1)) != 0 ||
	    (rc = b->env->set_lg_bsize(b->env, BDB_LOG_BUFFER_BYTES)) != 0 ||
	    (rc = b->env->set_lg_max(b->env, BDB_LOG_FILE_BYTES)) != 0 ||
	    (rc = b->env->set_flags(b->env, DB_TXN_NOSYNC, 1)) != 0 ||
	    (rc = b->env->log_set_config(b->env, DB_LOG_AUTO_REMOVE, 1)) != 0 ||
	    (rc = b->env->open(b->env, dir, flags, 0600)) != 0) {
		snprintf(err, errlen, "cannot open the database environment in %s: %s",
		    dir, db_strerror(rc));
		return CAIRN_EIO;
	}
	return 0;
}

/* One B-tree of the file; 'cmp' orders its keys (NULL: bytewise). */
static int
bdb_db_open(struct bdb *b, DB **db, const char *name, uint32_t dbflags,
    int (*cmp)(DB *, const DBT *, const DBT *), char *err, size_t errlen)
{
	int rc;

	if ((rc = db_create(db, b->env, 0)) != 0 ||
	    (dbflags != 0 && (rc = (*db)->set_flags(*db, dbflags)) != 0) ||
	    (cmp != NULL && (rc = (*db)->set_bt_compare(*db, cmp)) != 0) ||
	    (rc = (*db)->open(*db, NULL, BDB_FILE, name, DB_BTREE,
	    DB_CREATE | DB_AUTO_COMMIT, 0600)) != 0) {
		snprintf(err, errlen, "cannot open database %s of %s: %s", name, BDB_FILE,
		    db_strerror(rc));
		return CAIRN_EIO;
	}
	return 0;
}

/* Every database of the file, in etcd's bucket order (bytewise by name):
 * what opening, closing, defragmenting and hashing go through. */
static const struct {
	const char *name;
	size_t off;                  /* of its DB * in struct bdb */
	uint32_t flags;
	int (*cmp)(DB *, const DBT *, const DBT *);
} bdb_dbs[] = {
	{"alarm", offsetof(struct bdb, alarm), 0, NULL},
	{"auth", offsetof(struct bdb, auth), 0, NULL},
	{"authRoles", offsetof(struct bdb, auth_roles), 0, NULL},
	{"authUsers", offsetof(struct bdb, auth_users), 0, NULL},
	{"hist", offsetof(struct bdb, hist), 0, hist_order},
	{"key", offsetof(struct bdb, key), 0, NULL},
	{"lease", offsetof(struct bdb, lease), 0, NULL},
	{"leasekeys", offsetof(struct bdb, leasekeys), 0, NULL},
	{"live", offsetof(struct bdb, live), DB_RECNUM, NULL},
	{"members", offsetof(struct bdb, members), 0, NULL},
	{"members_removed", offsetof(struct bdb, members_removed), 0, NULL},
	{"meta", offsetof(struct bdb, meta), 0, NULL},
};

CAIRN_STATIC_ASSERT(sizeof(bdb_dbs) / sizeof(bdb_dbs[0]) == BDB_DBS, "one entry per DB");

static DB **
bdb_slot(const struct bdb *b, size_t i)
{
	return (DB **)((char *)(uintptr_t)b + bdb_dbs[i].off);
}

DB *
bdb_db_at(const struct bdb *b, size_t i, const char **name)
{
	if (i >= BDB_DBS)
		return NULL;
	if (name != NULL)
		*name = bdb_dbs[i].name;
	return *bdb_slot(b, i);
}

int
bdb_open(struct bdb *b, const char *dir, const struct bdb_options *o, char *err,
    size_t errlen)
{
	uint32_t cache = o != NULL && o->cache_bytes > 0 ? o->cache_bytes :
	    BDB_CACHE_BYTES_DEFAULT;
	int rc;

	memset(b, 0, sizeof(*b));
	if (mkdir(dir, 0700) == -1 && errno != EEXIST) {
		snprintf(err, errlen, "cannot create %s: %s", dir, strerror(errno));
		return CAIRN_EIO;
	}
	rc = bdb_env_open(b, dir, cache, err, errlen);
	for (size_t i = 0; i < BDB_DBS && rc == 0; i++)
		rc = bdb_db_open(b, bdb_slot(b, i), bdb_dbs[i].name, bdb_dbs[i].flags,
		    bdb_dbs[i].cmp, err, errlen);
	if (rc != 0)
		bdb_close(b);
	return rc;
}

void
bdb_close(struct bdb *b)
{
	for (size_t i = 0; i < BDB_DBS; i++) {
		DB **db = bdb_slot(b, i);

		if (*db != NULL)
			(void)(*db)->close(*db, 0);
		*db = NULL;
	}
	if (b->env != NULL)
		(void)b->env->close(b->env, 0);
	b->env = NULL;
}

int
bdb_begin(struct bdb *b, DB_TXN **txn)
{
	int rc = b->env->txn_begin(b->env, NULL, txn, 0);

	return rc == 0 ? 0 : bdb_fail(rc, "txn_begin");
}

int
bdb_commit(DB_TXN *txn)
{
	int rc = txn->commit(txn, 0);

	return rc == 0 ? 0 : bdb_fail(rc, "txn commit");
}

void
bdb_abort(DB_TXN *txn)
{
	int rc = txn->abort(txn);

	if (rc != 0)
		(void)bdb_fail(rc, "txn abort");
}

int
bdb_sync(struct bdb *b)
{
	int rc = b->env->log_flush(b->env, NULL);

	return rc == 0 ? 0 : bdb_fail(rc, "log flush");
}

int
bdb_checkpoint(struct bdb *b)
{
	int rc = b->env->txn_checkpoint(b->env, 0, 0, 0);

	return rc == 0 ? 0 : bdb_fail(rc, "checkpoint");
}
