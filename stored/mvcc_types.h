/*
 * stored: the types of the MVCC store shared by its modules: revisions
 * and key-values as etcd 3.4 has them (mvccpb.KeyValue).
 */
#ifndef CAIRN_MVCC_TYPES_H
#define CAIRN_MVCC_TYPES_H

#include <stdbool.h>
#include <stdint.h>

/* A revision: one main revision per write transaction, a sub revision per
 * change within it (etcd's revision{main, sub}). */
struct mvcc_rev {
	int64_t main;
	int64_t sub;
};

/* etcd's on-disk revision: 8 bytes big-endian main, '_', 8 bytes
 * big-endian sub; a tombstone's has a 't' after it. */
#define MVCC_REV_BYTES 17
#define MVCC_REV_TOMB_BYTES 18
#define MVCC_REV_TOMB_MARK 't'

/* One key-value (mvccpb.KeyValue). Byte fields are borrowed: from the
 * caller when writing, from the store's buffer when read. */
struct mvcc_kv {
	const uint8_t *key;
	uint32_t key_len;
	const uint8_t *value;
	uint32_t value_len;
	int64_t create_rev;
	int64_t mod_rev;
	int64_t version;
	int64_t lease;
};

#endif
