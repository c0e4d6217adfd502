/*
 * stored: the order of the key index's history (the hist database): a
 * record's key is the user key followed by 16 bytes of revision (main,
 * sub, big-endian); records sort by user key (bytewise, a prefix first,
 * as etcd orders keys), then by revision. A plain bytewise order would not
 * do: "a" + revision would sort after "a\x00".
 */
#ifndef CAIRN_STORED_HIST_ORDER_H
#define CAIRN_STORED_HIST_ORDER_H

#include <db.h>
#include <stdint.h>

#include "stored/mvcc_types.h"

#define HIST_REV_BYTES 16

/* Berkeley DB's bt_compare for hist. */
int hist_order(DB *db, const DBT *a, const DBT *b);

/* Writes key + revision into buf (key_len + HIST_REV_BYTES bytes). */
void hist_key_put(uint8_t *buf, const uint8_t *key, uint32_t key_len, struct mvcc_rev rev);
/* Splits a hist record key; false when it is shorter than a revision. */
bool hist_key_get(const uint8_t *buf, uint32_t len, const uint8_t **key,
    uint32_t *key_len, struct mvcc_rev *rev);

#endif
