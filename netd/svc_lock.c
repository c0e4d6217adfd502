/*
 * netd: etcd's v3lockpb.Lock service, as etcd 3.4's server runs it over
 * clientv3/concurrency's Mutex: the lock's key is name/LEASE (a lease
 * granted for 60 s when the request names none); whoever's key of the
 * prefix was created first holds the lock, the others wait for the keys
 * before theirs to go. A waiter whose client goes away deletes its key.
 * Unlock deletes the key. Errors come as UNKNOWN with etcd's texts.
 */
#include <stdlib.h>

#include "netd/grpc.h"
#include "netd/inner.h"
#include "netd/recipe.h"
#include "netd/svc.h"

/* LockRequest, UnlockRequest and LockResponse fields. */
#define LOCK_NAME 1
#define LOCK_LEASE 2
#define UNLOCK_KEY 1
#define LOCK_RESP_HEADER 1
#define LOCK_RESP_KEY 2

static void
lock_reply(struct gstream *s, struct recipe *r, const struct recipe_buf *hdr)
{
	struct pbout o = {0};

	r->hold = RECIPE_HOLD_NONE;
	pbout_bytes(&o, LOCK_RESP_HEADER, hdr->p, hdr->n);
	pbout_bytes(&o, LOCK_RESP_KEY, r->key.p, r->key.n);
	grpc_reply(s, o.buf, o.len);
	pbout_close(&o);
}

static void
lock_acquired(struct gstream *s, struct recipe *r)
{
	lock_reply(s, r, &r->wait_hdr);
}

/* The Txn's answer: our key's create revision, and the prefix's owner. */
static void
lock_txned(struct gstream *s, int code, const uint8_t *resp, size_t len)
{
	struct recipe *r = recipe_of(s);
	struct rpb_bytes m = {.p = resp, .n = len}, hdr, range, kv;
	bool succeeded;
	int rc;

	if (recipe_txn_answer(s, code, resp, len, &hdr, &succeeded) != 0)
		return;
	recipe_buf_set(&r->hdr, hdr.p, hdr.n);
	r->rev = rpb_header_revision(hdr);
	if (!succeeded) {
		/* The key was there already (this lease holds or waits). */
		if (rpb_txn_range(m, 0, &range) != 1 || rpb_range_first(range, &kv) != 1) {
			recipe_fail(s, CAIRN_EIO);
			return;
		}
		r->rev = rpb_int(kv, RPB_KV_CREATE);
	}
	if ((rc = rpb_txn_range(m, 1, &range)) != 1) {
		recipe_fail(s, CAIRN_EIO);
		return;
	}
	rc = rpb_range_first(range, &kv);
	if (rc == 0 || (rc == 1 && rpb_int(kv, RPB_KV_CREATE) == r->rev)) {
		lock_reply(s, r, &r->hdr);
		return;
	}
	if (rc != 1) {
		recipe_fail(s, CAIRN_EIO);
		return;
	}
	r->hold = RECIPE_HOLD_DELETE;
	recipe_wait_deletes(s, r, r->rev - 1, lock_acquired);
}

/* Puts our key unless it is there, and reads the prefix's first key. */
static void
lock_txn(struct gstream *s, struct recipe *r)
{
	struct pbout put = {0}, get = {0}, owner = {0}, txn = {0};
	struct rpb_txn_op then[2] = {{RPB_OP_PUT, &put}, {RPB_OP_RANGE, &owner}};
	struct rpb_txn_op otherwise[2] = {{RPB_OP_RANGE, &get}, {RPB_OP_RANGE, &owner}};

	recipe_keys(r);
	rpb_put(&put, recipe_bytes(&r->key), (struct rpb_bytes){0}, r->lease);
	rpb_get(&get, recipe_bytes(&r->key));
	rpb_prefix_first(&owner, recipe_bytes(&r->pfx), false, 0);
	rpb_txn_if_created(&txn, recipe_bytes(&r->key), 0, then, 2, otherwise, 2);
	inner_propose(s, REQ_TXN, &txn, lock_txned);
	pbout_close(&put);
	pbout_close(&get);
	pbout_close(&owner);
	pbout_close(&txn);
}

int
svc_lock_lock(struct gstream *s, const uint8_t *msg, size_t len)
{
	static const enum pbw_type types[] = {PBW_LEN, PBW_VARINT};
	struct rpb_bytes m = {.p = msg, .n = len}, name = {0};
	struct recipe *r;

	if (recipe_decode(s, m, types, 2) != 0)
		return 0;
	r = recipe_new(s);
	(void)rpb_last(m, LOCK_NAME, &name);
	recipe_buf_set(&r->name, name.p, name.n);
	r->lease = rpb_int(m, LOCK_LEASE);
	recipe_session(s, r, lock_txn);
	return 0;
}

static void
lock_unlocked(struct gstream *s, int code, const uint8_t *resp, size_t len)
{
	struct rpb_bytes hdr;

	if (code == 0)
		code = rpb_header((struct rpb_bytes){.p = resp, .n = len}, &hdr);
	if (code != 0)
		recipe_fail(s, code);
	else
		recipe_reply_header(s, hdr);
}

int
svc_lock_unlock(struct gstream *s, const uint8_t *msg, size_t len)
{
	static const enum pbw_type types[] = {PBW_LEN};
	struct rpb_bytes m = {.p = msg, .n = len}, key = {0};
	struct pbout del = {0};

	if (recipe_decode(s, m, types, 1) != 0)
		return 0;
	(void)rpb_last(m, UNLOCK_KEY, &key);
	if (key.n == 0) {
		recipe_fail(s, CAIRN_EKEYEMPTY);
		return 0;
	}
	rpb_delete(&del, key);
	inner_propose(s, REQ_DELETE, &del, lock_unlocked);
	pbout_close(&del);
	return 0;
}
