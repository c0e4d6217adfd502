/*
 * cairnctl: watches as clientv3's watcher makes them for etcdctl (watch,
 * and the lock and election recipes): several watches on one Watch
 * stream, created one at a time, their answers dispatched by watch ID,
 * progress notifications to every watch, and a stream that breaks opened
 * again and its watches resumed from the revision after the last one
 * they saw; a stream that ends for good ends every watch with its error.
 */
#ifndef CAIRN_CTL_WATCHER_H
#define CAIRN_CTL_WATCHER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ctl/pbview.h"
#include "shared/gclient.h"

/* The longest error text a watch ends with. */
#define WATCHER_ERR_BYTES_MAX (GC_MESSAGE_BYTES_MAX + 128)

/* WatchResponse's and mvccpb.Event's field numbers (rpc.proto, kv.proto). */
enum {
	WATCHER_RESP_HEADER = 1, WATCHER_RESP_ID = 2, WATCHER_RESP_CREATED = 3,
	WATCHER_RESP_CANCELED = 4, WATCHER_RESP_COMPACT = 5, WATCHER_RESP_REASON = 6,
	WATCHER_RESP_FRAGMENT = 7, WATCHER_RESP_EVENTS = 11,
	WATCHER_EV_TYPE = 1, WATCHER_EV_KV = 2, WATCHER_EV_PREV_KV = 3,
	WATCHER_EV_PUT = 0, WATCHER_EV_DELETE = 1,
};

/*
 * One clientv3.WatchResponse as it reaches a watch's channel. msg is the
 * server's WatchResponse (header, events, compact revision, canceled,
 * created: read with pbview); for the answer clientv3 makes itself when
 * the stream failed (closeErr), msg is empty and synthetic is set (its
 * Events is nil, not empty). err is resp.Err() ("" when nil). Borrowed
 * for the callback's duration.
 */
struct watcher_resp {
	struct pbv msg;
	bool synthetic;
	bool canceled, created, progress;
	int64_t compact_revision;
	const char *err;
};

struct watcher;
struct watcher_sub;

/* A watch's answers; then, once, its channel closes (end), after which
 * the watch is freed. Neither may free the watcher or cancel a watch. */
typedef void watcher_resp_fn(void *arg, const struct watcher_resp *r);
typedef void watcher_end_fn(void *arg);

/* A watcher on the open client's connection (ctl/ctl.h's client_gc);
 * require_leader as clientv3.WithRequireLeader (etcdctl's watch): the
 * server ends its stream when the member has no leader, and the watches
 * end with "etcdserver: no leader". */
struct watcher *watcher_new(bool require_leader);
/* Cancels every watch (no end callbacks) and frees w. */
void watcher_free(struct watcher *w);

/*
 * clientv3's Watch(ctx, key, WithRange(end), WithRev(rev), WithPrevKV()):
 * key[klen] and end[elen] copied (elen 0: the key alone). Answers go to
 * resp, then end runs once the channel closes. Returns the watch, owned
 * by w until its end or watcher_cancel.
 */
struct watcher_sub *watcher_watch(struct watcher *w, const uint8_t *key, size_t klen,
    const uint8_t *end, size_t elen, int64_t rev, bool prev_kv, watcher_resp_fn *resp,
    watcher_end_fn *end_fn, void *arg);
/* Whether the server has answered the watch's creation, or it ended (when
 * clientv3's Watch returns). */
bool watcher_returned(const struct watcher_sub *ws);
/* The watch's context is cancelled: the server is told, no callback runs
 * any more, ws is freed. Not from a callback. */
void watcher_cancel(struct watcher_sub *ws);
/* clientv3's RequestProgress: a progress request on w's stream. */
void watcher_progress(struct watcher *w);

/* clientv3's GetPrefixRangeEnd (WithPrefix's range end): key[klen] with
 * its last byte below 0xff plus one and what follows cut, or "\0" when
 * there is none. end has room for klen + 1 bytes; returns its length. */
size_t watcher_prefix_end(const char *key, size_t klen, char *end);

/* The revision of the header of response msg (0 when absent). */
int64_t watcher_header_revision(struct pbv msg);

#endif
