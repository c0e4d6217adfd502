/*
 * stored: applying a decoded request (req.h) to the store as etcd 3.4's
 * applier does, and encoding its etcdserverpb response. Writes go in one
 * write transaction recorded with the Raft entry's index and term; a
 * request refused (etcd's checks run before anything is written) still
 * records the entry, so that it is never applied twice.
 */
#ifndef CAIRN_STORED_APPLY_H
#define CAIRN_STORED_APPLY_H

#include <stdint.h>

#include "stored/auth.h"
#include "stored/mvcc.h"
#include "stored/spb.h"
#include "shared/req.h"

struct apply_kvs;

struct apply {
	struct mvcc *s;
	uint64_t cluster_id;         /* for response headers */
	uint64_t member_id;
	uint64_t term;               /* the member's current Raft term */
	int64_t lease_min_ttl;       /* etcd's minimum lease TTL, seconds */
	/* Told of each lease granted (ttl > 0) or revoked (ttl 0) once
	 * applied; may be NULL. */
	void (*lease_hook)(void *arg, int64_t id, int64_t ttl);
	void *lease_arg;
	/* Told of each user whose tokens must go (deleted, or given a new
	 * password) once applied; may be NULL. */
	void (*user_hook)(void *arg, const uint8_t *name, size_t len);
	void *user_arg;
	bool nospace;                /* a NOSPACE alarm is raised: no puts */
	bool corrupt;                /* a CORRUPT alarm: nothing but alarms */
	int64_t quota_bytes;         /* etcd's backend quota; <= 0: none */
	bool quota_exceeded;         /* the last request went past it */
	struct auth auth;            /* users, roles, and their checks */
	struct spb ops[REQ_TXN_DEPTH_MAX + 1];   /* a txn's responses, per depth */
	struct spb op[REQ_TXN_DEPTH_MAX + 1];    /* one response, per depth */
	struct spb prev;           /* a delete's prev_kvs */
	struct apply_kvs *kvs;       /* a sorted or filtered range's key-values */
};

/* Also reads the raised alarms and the auth state: CAIRN_EIO when it
 * cannot. No quota until a->quota_bytes is set (apply_quota_bytes()). */
int apply_init(struct apply *a, struct mvcc *s);
void apply_free(struct apply *a);
/* etcd's quota from --quota-backend-bytes: 0 is etcd's default (2 GiB),
 * below 0 none. */
int64_t apply_quota_bytes(int64_t flag);
/* Reads them again: after a batch was aborted, what the applier keeps in
 * memory may be ahead of the store. */
int apply_reload(struct apply *a);

/* Applies r, the Raft entry (index, term), and encodes its response into
 * out (reset first): a RangeResponse, PutResponse, DeleteRangeResponse,
 * TxnResponse, CompactionResponse, LeaseGrantResponse, LeaseRevokeResponse,
 * AlarmResponse or the Auth* response of an auth request. While auth is
 * enabled, the request's user (r->username, checked at r->auth_revision)
 * must be allowed it, as etcd checks. Returns 0, or etcd's error for the
 * request (CAIRN_ECOMPACTED, CAIRN_EFUTUREREV, CAIRN_ELEASENOTFOUND,
 * CAIRN_EPERMDENIED, ...) with out empty; CAIRN_EIO and CAIRN_ECORRUPT
 * mean the store failed. */
int apply_request(struct apply *a, const struct req *r, uint64_t index, uint64_t term,
    struct spb *out);

/* etcd's ResponseHeader as field 1: cluster and member IDs, term, and
 * 'rev'; with the revision alone unless 'top' (a txn's inner responses). */
void apply_header(const struct apply *a, struct spb *out, int64_t rev, bool top);

/* A read outside Raft (serializable, or at a read index): a Range (else
 * CAIRN_EINVAL), checked against its user's permissions as etcd's
 * doSerialize does. */
int apply_read(struct apply *a, const struct req *r, struct spb *out);

#endif
