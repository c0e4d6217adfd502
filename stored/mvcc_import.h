/*
 * stored (linked into cairnctl): filling a new, empty store from etcd's
 * buckets, as cairnctl snapshot restore reads them from an etcd snapshot.
 */
#ifndef CAIRN_STORED_MVCC_IMPORT_H
#define CAIRN_STORED_MVCC_IMPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "stored/mvcc.h"

/*
 * The tables etcd and stored share (bdb.h) take etcd's records as they
 * are, checked first; what stored derives at a write it derives here: the
 * key index (hist, live) from the key table, each lease's keys
 * (leasekeys) from the live keys, the current revision and the
 * compaction's (etcd's mvcc/kvstore.go restore).
 */

/* Records written per Berkeley DB transaction. */
#define MVCC_IMPORT_BATCH_RECORDS 1024

struct mvcc_import {
	struct mvcc *s;
	DB_TXN *txn;                 /* the open batch, or NULL */
	unsigned batched;            /* records in it */
	struct mvcc_rev last;        /* the last key record's revision */
	bool any;                    /* a key record came */
	int64_t scheduled;           /* compaction revisions; -1: none */
	int64_t finished;
	uint64_t leases_missing;     /* live keys naming a lease that does not exist */
};

/* Whether the store takes etcd's bucket 'name': key, meta, lease, alarm,
 * auth, authUsers and authRoles. The others (members and
 * members_removed, which a restore replaces; cluster; any other) are not
 * the store's. */
bool mvcc_import_takes(const uint8_t *name, size_t name_len);

/* Starts filling s, a store just created (nothing in it). */
void mvcc_import_begin(struct mvcc_import *im, struct mvcc *s);

/*
 * One record of etcd's bucket 'bucket' (one mvcc_import_takes takes),
 * all bytes borrowed. The key bucket's records must come in bolt's order
 * (ascending revisions): each is written as it is, with its key's
 * history and live entry. From meta only the compaction revisions are
 * taken, from auth its flag and revision; the other records of meta and
 * auth are etcd's own and left out. Errors: CAIRN_ECORRUPT (a record
 * that is not etcd's format: a revision key of the wrong length or out of
 * order, a value that does not decode, a lease whose ID is not its key),
 * CAIRN_EIO. After an error, abort.
 */
int mvcc_import_record(struct mvcc_import *im, const uint8_t *bucket, size_t bucket_len,
    const uint8_t *key, size_t key_len, const uint8_t *val, size_t val_len);

/*
 * Attaches each live key to its lease (as etcd's restore, when the lease
 * exists; the others are counted in leases_missing), writes the
 * revisions (the current one is the last key record's, or the
 * compaction's when above it; a compaction scheduled and not finished
 * resumes when the store next opens) and commits. 0 or CAIRN_EIO
 * (then abort).
 */
int mvcc_import_end(struct mvcc_import *im);
/* Drops the open batch; what was committed stays (the caller throws the
 * store away). */
void mvcc_import_abort(struct mvcc_import *im);

#endif
