/*
 * stored: when leases expire (etcd's lessor). Only the leader's stored
 * keeps time: becoming leader, it gives every lease its remaining TTL
 * plus an election timeout from now (etcd's Promote); a follower's leases
 * never expire. The leader proposes a revoke for each expired lease
 * through Raft and, if the revoke does not come back applied, proposes
 * it again after LESSOR_RETRY_MS; keep-alives renew a lease to its TTL.
 * Times are milliseconds of a monotonic clock the caller reads.
 */
#ifndef CAIRN_STORED_LESSOR_H
#define CAIRN_STORED_LESSOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "stored/mvcc.h"

/* etcd's expiredLeaseRetryInterval. */
#define LESSOR_RETRY_MS 3000
/* Leases the store tracks: etcd has no bound, cairn this one. */
#define LESSOR_LEASES_MAX 1000000

struct lessor;

/* Reads every lease of the store. NULL on a store error (logged). */
struct lessor *lessor_new(struct mvcc *s);
void lessor_free(struct lessor *l);

void lessor_promote(struct lessor *l, int64_t now, int64_t extend);
void lessor_demote(struct lessor *l);
bool lessor_is_primary(const struct lessor *l);

/* After a grant or a revoke was applied (on every member). */
void lessor_granted(struct lessor *l, int64_t id, int64_t ttl, int64_t now);
void lessor_revoked(struct lessor *l, int64_t id);

/* A keep-alive (leader only): *ttl the lease's TTL. Errors:
 * CAIRN_ELEASENOTFOUND, CAIRN_ENOTLEADER. */
int lessor_renew(struct lessor *l, int64_t id, int64_t now, int64_t *ttl);
/* TimeToLive's TTL: whole seconds left (-1 when expired), and the
 * granted TTL. CAIRN_ELEASENOTFOUND. */
int lessor_remaining(const struct lessor *l, int64_t id, int64_t now, int64_t *left,
    int64_t *granted);
/* Up to max leases that expired by 'now' and are not being revoked
 * (leader only); each is then left alone for LESSOR_RETRY_MS. */
size_t lessor_expired(struct lessor *l, int64_t now, int64_t *ids, size_t max);
size_t lessor_count(const struct lessor *l);
/* Every lease's ID into ids (room for lessor_count), soonest expiry first
 * (etcd's Leases order), equal expiries by ID. Returns how many. */
size_t lessor_by_expiry(const struct lessor *l, int64_t *ids);

#endif
