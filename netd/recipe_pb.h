/*
 * netd: the etcd requests the Lock and Election services make (etcd's
 * clientv3/concurrency recipes: a Txn on a key's create revision, the
 * first or last key of a prefix by create revision), and the fields they
 * read of the answers, by hand over the wire format (keys and values
 * may be longer than nanopb's bounds; nothing is copied to read them).
 */
#ifndef CAIRN_NETD_RECIPE_PB_H
#define CAIRN_NETD_RECIPE_PB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "shared/pbout.h"
#include "shared/pbwire.h"

/* Borrowed bytes of a message. */
struct rpb_bytes {
	const uint8_t *p;
	size_t n;
};

/* ---- requests (each appended to an empty writer) ------------------------ */

/* clientv3's prefix end of pfx (new, the caller's; *len set): pfx less
 * its trailing 0xff bytes, the last one left plus one; "\0" (every key
 * from pfx on) when none is left. */
uint8_t *rpb_prefix_end_new(struct rpb_bytes pfx, size_t *len);
/* A PutRequest of key = value with 'lease' (0: none). */
void rpb_put(struct pbout *o, struct rpb_bytes key, struct rpb_bytes value, int64_t lease);
/* A DeleteRangeRequest of one key. */
void rpb_delete(struct pbout *o, struct rpb_bytes key);
/* A RangeRequest of one key. */
void rpb_get(struct pbout *o, struct rpb_bytes key);
/* A RangeRequest of the keys under prefix pfx, limit 1, sorted by create
 * revision: ascending (clientv3's WithFirstCreate) or descending
 * (WithLastCreate); max_create_rev > 0 adds WithMaxCreateRev. */
void rpb_prefix_first(struct pbout *o, struct rpb_bytes pfx, bool last, int64_t max_create_rev);
/* A LeaseGrantRequest of ttl_sec with id. */
void rpb_lease_grant(struct pbout *o, int64_t ttl_sec, int64_t id);

/* A TxnRequest: if create_revision(key) == rev then the 'then' ops else
 * the 'otherwise' ops; each op is a request made above, its RequestOp
 * field given ('RPB_OP_*'). */
enum rpb_op { RPB_OP_RANGE = 1, RPB_OP_PUT = 2, RPB_OP_DELETE = 3 };
struct rpb_txn_op {
	enum rpb_op op;
	const struct pbout *req;
};
void rpb_txn_if_created(struct pbout *o, struct rpb_bytes key, int64_t rev,
    const struct rpb_txn_op *then, size_t nthen, const struct rpb_txn_op *otherwise,
    size_t notherwise);

/* ---- answers ------------------------------------------------------------ */

/* Finds field 'field' (its nth occurrence, from 0) of msg: 1 with *f set,
 * 0 when absent, or CAIRN_ECORRUPT. A length-delimited f is borrowed from
 * msg. */
int rpb_find(struct rpb_bytes msg, uint32_t field, unsigned nth, struct rpb_bytes *f);
/* The last occurrence of the length-delimited field 'field' (protobuf:
 * the last one counts): as rpb_find. */
int rpb_last(struct rpb_bytes msg, uint32_t field, struct rpb_bytes *f);
/* Checks a request as grpc-go's unmarshalling would: a readable message
 * whose fields 1..n have the wire types types[0..n) (others skipped).
 * Returns NULL, or what is wrong (shared/req.h's REQ_WHY_*). */
const char *rpb_check(struct rpb_bytes msg, const enum pbw_type *types, size_t n);
/* The varint field 'field' of msg (its last occurrence), 0 when absent or
 * unreadable. */
int64_t rpb_int(struct rpb_bytes msg, uint32_t field);

/* The ResponseHeader of a response (field 1 of every etcd response):
 * 0 with *hdr (empty when absent), or CAIRN_ECORRUPT. */
int rpb_header(struct rpb_bytes resp, struct rpb_bytes *hdr);
/* A header's revision. */
int64_t rpb_header_revision(struct rpb_bytes hdr);
/* The first KeyValue of a RangeResponse: 1, 0 when it has none, or
 * CAIRN_ECORRUPT. */
int rpb_range_first(struct rpb_bytes range, struct rpb_bytes *kv);
/* The RangeResponse of the i-th ResponseOp of a TxnResponse: 1, 0 when
 * absent, or CAIRN_ECORRUPT. */
int rpb_txn_range(struct rpb_bytes txn, unsigned i, struct rpb_bytes *range);

/* mvccpb.KeyValue and mvccpb.Event fields. */
enum {
	RPB_KV_KEY = 1, RPB_KV_CREATE = 2, RPB_KV_MOD = 3, RPB_KV_VALUE = 5,
	RPB_EVENT_TYPE = 1, RPB_EVENT_KV = 2,
	RPB_EVENT_DELETE = 1,
	RPB_TXN_SUCCEEDED = 2,
	RPB_LEASE_GRANT_ID = 2,
	RPB_WATCH_EVENTS = 11, /* WatchResponse.events: what a watcher's events are */
};

#endif
