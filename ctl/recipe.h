/*
 * cairnctl: clientv3's concurrency recipes that etcdctl's lock and elect
 * run over the KV and Watch APIs (clientv3/concurrency: Mutex, Election,
 * waitDeletes), on the session of ctl/session.h. A call made once the
 * process was interrupted (SIGINT/SIGTERM) fails with "context canceled",
 * as etcdctl's cancelled context makes it fail.
 */
#ifndef CAIRN_CTL_RECIPE_H
#define CAIRN_CTL_RECIPE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ctl/pbview.h"
#include "shared/gclient.h"

/* The longest error text of a recipe. */
#define RECIPE_ERR_BYTES_MAX (GC_MESSAGE_BYTES_MAX + 128)

/* concurrency.Mutex: its key ("<name>/<lease in hex>"), the revision
 * that created it, and the revision of the header Lock ended with. */
struct recipe_mutex {
	char *pfx, *key;               /* owned */
	int64_t rev;
	int64_t hdr_rev;
};

/* concurrency.Election of this session. */
struct recipe_election {
	char *pfx, *key;               /* owned; key NULL when not leader */
	int64_t rev;
	bool leader;                   /* e.leaderSession != nil */
};

/* Mutex.Lock for lock name 'name' (borrowed): waits until the key of the
 * session is the oldest of the name's. 0, or -1 with err filled (the key
 * deleted again, as Lock does on failure). */
int recipe_lock(struct recipe_mutex *m, const char *name, char *err, size_t errlen);
/* Mutex.Unlock (not cancelled by an interrupt). 0, or -1 with err. */
int recipe_unlock(struct recipe_mutex *m, char *err, size_t errlen);
/* Frees what m owns. */
void recipe_mutex_close(struct recipe_mutex *m);

/* Election.Campaign(val) in election 'name' (borrowed): waits until the
 * session leads. 0, or -1 with err filled (resigned if interrupted). */
int recipe_campaign(struct recipe_election *e, const char *name, const char *val, char *err,
    size_t errlen);
/* Election.Resign (not cancelled by an interrupt). 0, or -1 with err. */
int recipe_resign(struct recipe_election *e, char *err, size_t errlen);
void recipe_election_close(struct recipe_election *e);

/* Receives each clientv3.GetResponse that Election.Observe sends, as a
 * RangeResponse's bytes (borrowed for the call). */
typedef void recipe_observe_fn(void *arg, struct pbv resp);
/* Election.Observe of election 'name' until interrupted (0) or until its
 * channel closes by itself (-1: etcdctl's "observer lost"). */
int recipe_observe(const char *name, recipe_observe_fn *fn, void *arg);

/* Range of key alone, as clientv3's Get(ctx, key), untimed. 0 with r
 * filled (valid until the next call), or -1 with err. */
int recipe_get(const char *key, struct gc_result *r, char *err, size_t errlen);

#endif
