/*
 * stored: what the MVCC modules share beyond mvcc.h: reading a revision's
 * key-value, the live index, and recording a change.
 */
#ifndef CAIRN_STORED_MVCC_IMPL_H
#define CAIRN_STORED_MVCC_IMPL_H

#include "stored/mvcc.h"

/* The live index's record: the key's latest revision, big-endian. */
#define LIVE_REV_BYTES 16

/* Reads the key-value written at rev (not a tombstone) into 'into' and
 * decodes it into *kv (pointing into 'into'). CAIRN_ECORRUPT when absent
 * or undecodable: the index said it was there. */
int mvcc_kv_at(struct mvcc *s, DB_TXN *txn, struct mvcc_rev rev, DBT *into,
    struct mvcc_kv *kv);
/* The key's latest revision when live: 0, CAIRN_ENOENT, CAIRN_EIO. */
int mvcc_live_get(struct mvcc *s, DB_TXN *txn, const uint8_t *key, uint32_t key_len,
    struct mvcc_rev *rev);
/* Records a change at rev: the key table, the history, the live index
 * (set, or removed for a tombstone). kv->key is the key. */
int mvcc_record(struct mvcc *s, DB_TXN *txn, struct mvcc_rev rev, const struct mvcc_kv *kv,
    bool tomb);
/* The same but the key table (written by the caller): the history and
 * the live index. */
int mvcc_record_index(struct mvcc *s, DB_TXN *txn, struct mvcc_rev rev, const uint8_t *key,
    uint32_t key_len, bool tomb);

#endif
