/*
 * stored: leases as etcd 3.4 keeps them: granted with an ID the API layer
 * chose (the same on every member), attached to keys by put, revoked with
 * all their keys deleted in one revision. Expiry is decided elsewhere
 * (only on the leader) and arrives here as a revoke.
 */
#ifndef CAIRN_STORED_LEASE_H
#define CAIRN_STORED_LEASE_H

#include <stdint.h>

#include "stored/mvcc.h"

/* etcd's MaxLeaseTTL: 9,000,000,000 seconds. */
#define LEASE_TTL_MAX 9000000000LL

struct lease_rec {
	int64_t id;
	int64_t ttl;           /* granted, seconds */
	int64_t remaining;     /* etcd's RemainingTTL checkpoint; 0: none */
};

/* Grants lease id (non-zero) for ttl seconds, raised to min_ttl as etcd
 * does. Errors: CAIRN_ELEASEEXIST, CAIRN_ELEASETTLTOOLARGE. No revision. */
int lease_grant(struct mvcc_wtxn *w, int64_t id, int64_t ttl, int64_t min_ttl);
/* Revokes lease id: every attached key deleted (one revision for all),
 * then the lease. *deleted counts the keys. CAIRN_ELEASENOTFOUND. */
int lease_revoke(struct mvcc_wtxn *w, int64_t id, int64_t *deleted);
/* Decodes a lease record (leasepb.Lease): 0 or CAIRN_ECORRUPT. */
int lease_decode(const uint8_t *buf, size_t len, struct lease_rec *l);
/* Reads lease id (txn may be NULL). 0 or CAIRN_ELEASENOTFOUND. */
int lease_get(struct mvcc *s, DB_TXN *txn, int64_t id, struct lease_rec *out);
/* Each key attached to lease id, in key order. */
typedef int lease_key_fn(void *arg, const uint8_t *key, uint32_t key_len);
int lease_keys(struct mvcc *s, DB_TXN *txn, int64_t id, lease_key_fn *fn, void *arg);
/* Each lease, by ID. */
typedef int lease_fn(void *arg, const struct lease_rec *l);
int lease_list(struct mvcc *s, DB_TXN *txn, lease_fn *fn, void *arg);

/* For the store's writes: moves key from lease 'from' to lease 'to'
 * (either may be 0: none). */
int lease_move_key(struct mvcc *s, DB_TXN *txn, const uint8_t *key, uint32_t key_len,
    int64_t from, int64_t to);

#endif
