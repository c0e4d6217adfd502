/*
 * stored: the MVCC key-value store with etcd 3.4's semantics on Berkeley
 * DB (bdb.h): revisions, generations ended by tombstones, ranges at any
 * revision not compacted. One write transaction is one main revision and
 * one Berkeley DB transaction, which also records the consistent index
 * (the Raft entry applied) and its term: replaying an entry at or below it
 * changes nothing.
 */
#ifndef CAIRN_STORED_MVCC_H
#define CAIRN_STORED_MVCC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "stored/bdb.h"
#include "stored/mvcc_types.h"

struct mvcc {
	struct bdb db;
	int64_t rev;                 /* current main revision (1 when empty, as etcd) */
	int64_t compact_rev;         /* last compaction scheduled: reads below
	                              * it fail; -1: none */
	int64_t compact_done_rev;    /* last compaction finished; -1: none */
	uint64_t ci;                 /* consistent index: last entry applied */
	uint64_t term;
	uint8_t *buf;                /* owned scratch: hist keys, encodings */
	size_t cap;
	DBT val;                     /* values read (DB_DBT_REALLOC, owned) */
	DBT val2;                    /* ... a second one, for a prev value */
	DB_TXN *batch;               /* open batch of write transactions */
	bool batch_dirty;            /* meta records to write at its commit */
	struct {                     /* an online defragmentation */
		bool active;
		unsigned db;         /* which database is being compacted */
		DBT next;            /* where its next step starts (owned) */
		uint64_t pages_freed;
		uint64_t round_freed;    /* in the current round of all databases */
		unsigned rounds;
	} defrag;
	struct {                     /* the physical pass of a compaction */
		bool active;
		uint8_t *key;        /* where the next step starts (owned) */
		uint32_t len, cap;   /* ... a hist record key; len 0: the start */
	} pass;
};

/* Called with each key-value a read or a write shows; kv's bytes are
 * valid only during the call. Nonzero stops the walk and is returned. */
typedef int mvcc_kv_fn(void *arg, const struct mvcc_kv *kv);

int mvcc_open(struct mvcc *s, const char *dir, const struct bdb_options *o,
    char *err, size_t errlen);
void mvcc_close(struct mvcc *s);

/* A write transaction: one request, one main revision. */
struct mvcc_wtxn {
	struct mvcc *s;
	DB_TXN *txn;                 /* its own, or the batch's */
	int64_t main;                /* the revision its changes get */
	int64_t sub;                 /* changes so far */
};

/*
 * A batch: the write transactions of several Raft entries applied in one
 * Berkeley DB transaction, committed once (the consistent index then
 * names the batch's last entry). Between begin and commit every write and
 * read of the store goes through the batch. A write transaction that
 * fails within a batch fails the batch: abort it, and the entries are
 * applied again from the consistent index.
 */
int mvcc_batch_begin(struct mvcc *s);
int mvcc_batch_commit(struct mvcc *s);
void mvcc_batch_abort(struct mvcc *s);

int mvcc_write_begin(struct mvcc *s, struct mvcc_wtxn *w);
/* etcd's PutRequest, as far as the store is concerned. */
struct mvcc_put_req {
	const uint8_t *key;
	uint32_t key_len;
	const uint8_t *value;
	uint32_t value_len;
	int64_t lease;               /* 0: none */
	bool ignore_value;           /* keep the current value */
	bool ignore_lease;           /* keep the current lease */
};

/* etcd's put: a new version of the key; 'prev' (may be NULL) sees the
 * key's previous value, if any, before it is replaced. Errors:
 * CAIRN_ELEASENOTFOUND (the lease does not exist), CAIRN_EKEYNOTFOUND
 * (ignore_value or ignore_lease on a key that does not exist). */
int mvcc_put(struct mvcc_wtxn *w, const struct mvcc_put_req *r, mvcc_kv_fn *prev, void *arg);
/* etcd's delete range over [key, end) (keyrange.h conventions): a
 * tombstone for each live key; 'prev' (may be NULL) sees each deleted
 * key-value. *deleted counts them. */
int mvcc_delete_range(struct mvcc_wtxn *w, const uint8_t *key, uint32_t key_len,
    const uint8_t *end, uint32_t end_len, int64_t *deleted, mvcc_kv_fn *prev, void *arg);
/* Commits with the Raft entry (index, term) that made it; the revision
 * moves on only if something changed. */
int mvcc_write_end(struct mvcc_wtxn *w, uint64_t index, uint64_t term);
void mvcc_write_abort(struct mvcc_wtxn *w);

struct mvcc_range_req {
	const uint8_t *key;
	uint32_t key_len;
	const uint8_t *end;          /* keyrange.h conventions */
	uint32_t end_len;
	int64_t rev;                 /* <= 0: the current revision */
	int64_t limit;               /* <= 0: no limit */
	bool count_only;
};

struct mvcc_range_res {
	int64_t rev;                 /* the revision read at */
	int64_t count;               /* keys in the range at rev, whatever the limit */
	bool more;                   /* more keys than returned */
};

/* etcd's range: each key-value in order to fn (none when count_only).
 * Within write transaction w (its own changes visible), or alone when w
 * is NULL. Errors: CAIRN_ECOMPACTED, CAIRN_EFUTUREREV, CAIRN_EIO, or
 * what fn returned. */
int mvcc_range(struct mvcc *s, struct mvcc_wtxn *w, const struct mvcc_range_req *r,
    mvcc_kv_fn *fn, void *arg, struct mvcc_range_res *res);

/* etcd's compaction at rev: from now on reads below rev fail with
 * CAIRN_ECOMPACTED; the revisions no read at or above rev needs (every
 * revision of a key older than its newest at or below rev, and that one
 * too when it is a tombstone) are removed by mvcc_compact_step(), a
 * little at a time. Errors: CAIRN_ECOMPACTED (rev not above the last
 * compaction), CAIRN_EFUTUREREV. Recorded with its Raft entry. */
int mvcc_compact(struct mvcc *s, int64_t rev, uint64_t index, uint64_t term);
/* One step of the physical pass: at most 'records' history records in
 * one transaction. *done when the compaction is finished (also when none
 * is under way). A pass cut short by a crash resumes after mvcc_open. */
int mvcc_compact_step(struct mvcc *s, unsigned records, bool *done);

/* Defragmentation without stopping the world: begin, then steps between
 * batches, each compacting at most 'pages' pages of one database in its
 * own short transactions and returning the free pages at the end of the
 * file to the file system (DB->compact with DB_FREE_SPACE). *done when
 * every database was compacted. Not within a batch. */
void mvcc_defrag_begin(struct mvcc *s);
int mvcc_defrag_step(struct mvcc *s, unsigned pages, bool *done);
/* What --quota-backend-bytes is held against: the file's size less that
 * of an empty store (26 pages: a meta and a root page per database).
 * etcd's bbolt starts at 6 pages, so a quota of a few pages (etcd's own
 * tests use 13) means data etcd would take; cairn's fixed pages would
 * exceed it before any key was written. Cheap (the last page's number):
 * asked for every write. */
int mvcc_quota_bytes(struct mvcc *s, int64_t *size);
/* The store's file size, and the bytes of it in use (etcd's dbSize and
 * dbSizeInUse). */
int mvcc_db_size(struct mvcc *s, int64_t *size, int64_t *in_use);

/* etcd's HashKV at rev (<= 0: the current revision): *hash, and the
 * compaction revision it was taken against. Errors: CAIRN_EFUTUREREV,
 * CAIRN_ECOMPACTED. Walks the whole key table: for maintenance calls. */
int mvcc_hash_kv(struct mvcc *s, int64_t rev, uint32_t *hash, int64_t *compact_rev);

/* etcd's Hash (Maintenance.Hash): a CRC-32C over every database of the
 * store, each database's name then its records (key, value) in order,
 * leaving out the consistent index and term. Equal on members that
 * applied the same entries; unchanged by restarts and defragmentation.
 * Walks the whole store: for maintenance calls. */
int mvcc_hash(struct mvcc *s, uint32_t *hash);
/* For the modules of the store: the scratch buffer, at least n bytes. */
uint8_t *mvcc_scratch(struct mvcc *s, size_t n);

#endif
