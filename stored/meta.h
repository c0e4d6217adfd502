/*
 * stored: the meta database, etcd's keys and formats: consistent_index
 * (8 bytes big-endian), scheduledCompactRev and finishedCompactRev (a
 * revision, rev_codec.h); and cairn's own: term and the current revision
 * (8 bytes big-endian each), kept so that start-up reads, never scans.
 */
#ifndef CAIRN_STORED_META_H
#define CAIRN_STORED_META_H

#include "stored/mvcc.h"

/* Whether the meta record 'key' is one Hash leaves out, as etcd's
 * DefaultIgnores do (3.5's): the consistent index and the term, which
 * move with entries that change nothing else. */
bool meta_hash_ignored(const void *key, uint32_t len);
/* Whether the meta record 'key' is a compaction revision (etcd's
 * scheduledCompactRev, or finishedCompactRev: *finished). */
bool meta_compact_key(const void *key, uint32_t len, bool *finished);
/* Reads the meta records into s (defaults for a new store). */
int meta_load(struct mvcc *s);
/* Writes consistent index, term and revision within txn. */
int meta_save_apply(struct mvcc *s, DB_TXN *txn, uint64_t index, uint64_t term, int64_t rev);
/* Writes a compaction revision (scheduled or finished) within txn. */
int meta_save_compact(struct mvcc *s, DB_TXN *txn, bool finished, int64_t rev);

#endif
