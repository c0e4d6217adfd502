/*
 * netd: what the Lock and Election services share, as etcd's server
 * runs them over its clientv3/concurrency recipes: a call's state, the
 * session lease (granted when the request names none), waiting until no
 * key of a prefix created before ours is left, answers and errors, and
 * undoing what a call leaves if its client goes away while it waits.
 */
#ifndef CAIRN_NETD_RECIPE_H
#define CAIRN_NETD_RECIPE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "netd/recipe_pb.h"

struct gstream;

/* etcd's concurrency session TTL, for a lease the server grants itself. */
#define RECIPE_SESSION_TTL_SEC 60
/* Bytes of a lease ID in Go's %x, with a sign. */
#define RECIPE_LEASE_HEX_BYTES 17

/* Owned bytes. */
struct recipe_buf {
	uint8_t *p;
	size_t n;
};

/* What a call undoes when its stream goes while it waits. */
enum recipe_hold {
	RECIPE_HOLD_NONE,
	RECIPE_HOLD_DELETE,         /* its key (a lock waiter's: etcd's Unlock) */
	RECIPE_HOLD_RESIGN,         /* its key if still created at 'rev' (a candidate's) */
};

struct recipe;
typedef void recipe_fn(struct gstream *s, struct recipe *r);

struct recipe {
	struct recipe_buf name;     /* the lock's or election's name */
	struct recipe_buf pfx;      /* name + "/" */
	struct recipe_buf key;      /* the call's key: pfx + the lease in hex */
	struct recipe_buf value;    /* a candidate's value */
	int64_t lease;              /* the session's lease */
	int64_t rev;                /* the key's create revision */
	struct recipe_buf hdr;      /* a ResponseHeader to answer with */
	enum recipe_hold hold;
	recipe_fn *then;            /* the step after the session or the wait */
	int64_t wait_rev;           /* the wait: no key of pfx created at or below */
	struct recipe_buf wait_hdr; /* ... the header of the read that found none */
};

/* The call's state, made with the stream's inner state (freed with it,
 * undoing what 'hold' says). */
struct recipe *recipe_new(struct gstream *s);
/* The state of a call made by recipe_new. */
struct recipe *recipe_of(struct gstream *s);

/* Copies p[n] into b (freeing what it held). */
void recipe_buf_set(struct recipe_buf *b, const uint8_t *p, size_t n);
/* b borrowed as rpb_bytes. */
struct rpb_bytes recipe_bytes(const struct recipe_buf *b);
/* Sets r->pfx from r->name, and r->key from the pfx and r->lease. */
void recipe_keys(struct recipe *r);

/* Decodes a request (grpc-go's checks, rpb_check): 0, or -1 with the
 * call answered. */
int recipe_decode(struct gstream *s, struct rpb_bytes msg, const enum pbw_type *types,
    size_t n);

/* Goes on with 'then' once r->lease is a lease: granted now (60 s) when
 * the request gave none. */
void recipe_session(struct gstream *s, struct recipe *r, recipe_fn *then);
/* Goes on with 'then' once no key of r->pfx created at or below 'rev'
 * is left (etcd's waitDeletes), r->wait_hdr the last read's header. On
 * an error the call fails; a lock keeps its hold (etcd unlocks), a
 * candidate drops it (etcd resigns only when cancelled). */
void recipe_wait_deletes(struct gstream *s, struct recipe *r, int64_t rev, recipe_fn *then);

/* The Txn that resigns r's key: deleted if still created at r->rev. */
void recipe_resign_txn(struct pbout *txn, const struct recipe *r);
/* Answers with a message of a header (field 1) and nothing else. */
void recipe_reply_header(struct gstream *s, struct rpb_bytes hdr);
/* Fails the call with 'code' as etcd's services do: its text, gRPC's
 * UNKNOWN (the in-process client's errors carry no status). */
void recipe_fail(struct gstream *s, int code);
/* A step's answer as a Txn's: 0 with its header and whether it
 * succeeded; or the call failed (-1). */
int recipe_txn_answer(struct gstream *s, int code, const uint8_t *resp, size_t len,
    struct rpb_bytes *hdr, bool *succeeded);

#endif
