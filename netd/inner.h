/*
 * netd: a client's call that netd serves with requests of its own, one
 * after another, as etcd's server runs its Lock and Election services
 * over an in-process client. Each request's answer goes to the step the
 * call named; a call may also keep one watcher of its own. Requests carry
 * the user of the call's token, so auth judges them as the client's.
 */
#ifndef CAIRN_NETD_INNER_H
#define CAIRN_NETD_INNER_H

#include <stddef.h>
#include <stdint.h>

#include <pb.h>

#include "shared/pbout.h"
#include "shared/proto/ipc.pb.h"
#include "shared/req.h"

struct gstream;
struct netd;
struct pending;

/* A step: the answer of the call's last request, code 0 with stored's
 * response resp[len] (borrowed for the call), or the CAIRN_E* code it
 * failed with. Called only while the call is unanswered. */
typedef void inner_step_fn(struct gstream *s, int code, const uint8_t *resp, size_t len);
/* The call's watcher: code 0 with a revision's events (the encoding of
 * WatchResponse.events, borrowed) at the store's revision 'rev'; or the
 * watcher ended (code: why). */
typedef void inner_events_fn(struct gstream *s, int code, int64_t rev, const uint8_t *events,
    size_t len);
/* Frees a call's state as its stream goes (answered or not): it may send
 * a detached request to undo what the call left (a lock's key). */
typedef void inner_free_fn(struct gstream *s, void *ctx);

struct inner {
	inner_step_fn *next;        /* what the request in flight answers to */
	struct pending *watch;      /* the call's watcher, or NULL */
	inner_events_fn *on_events;
	void *ctx;                  /* the service's state, freed by ctx_free */
	inner_free_fn *ctx_free;
};

/* The call's state, made on first use (owned by s, freed with it). */
struct inner *inner_of(struct gstream *s);

/* Proposes the request msg (borrowed) as field 'field' of an
 * InternalRaftRequest; its answer goes to next. A request that cannot be
 * sent goes to next at once with its code. */
void inner_propose(struct gstream *s, enum req_type field, const struct pbout *msg,
    inner_step_fn *next);
/* The same for a linearizable RangeRequest. */
void inner_read(struct gstream *s, const struct pbout *range, inner_step_fn *next);
/* A proposal whose answer nobody waits for (a clean-up as the stream
 * goes). Returns 0, or why it was not sent. */
int inner_propose_detached(struct gstream *s, enum req_type field, const struct pbout *msg);

/* Watches key[klen] (keys up to range_end[elen], etcd's conventions)
 * from revision 'rev' on; events go to fn. One watcher per call: any
 * earlier one is cancelled. One that cannot be made goes to fn at once
 * with its code. */
void inner_watch(struct gstream *s, const uint8_t *key, size_t klen, const uint8_t *end,
    size_t elen, int64_t rev, inner_events_fn *fn);
/* Cancels the call's watcher, if any. */
void inner_unwatch(struct gstream *s);

/* The stream goes: its watcher is cancelled, its state freed. */
void inner_free(struct gstream *s);

/* backend.c: stored's Result (code, and checked-or-not chunks) for the
 * call's request; a watcher's frame. */
void inner_answer(struct gstream *s, int code, pb_bytes_array_t *const *parts, size_t n);
void inner_events(struct netd *n, struct pending *p, const cairn_ipc_WatchEvents *ev);

#endif
