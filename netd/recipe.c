/*
 * netd: the Lock and Election services' shared steps (see recipe.h),
 * after etcd 3.4's clientv3/concurrency: NewSession (a lease granted
 * when none is given, its keep-alive orphaned at once), waitDeletes,
 * and the clean-up of a waiter whose client is gone.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "netd/grpc.h"
#include "netd/inner.h"
#include "netd/netd.h"
#include "netd/recipe.h"
#include "netd/svc.h"
#include "shared/assert.h"
#include "shared/log.h"
#include "shared/xmalloc.h"

static void
recipe_buf_free(struct recipe_buf *b)
{
	free(b->p);
	b->p = NULL;
	b->n = 0;
}

void
recipe_buf_set(struct recipe_buf *b, const uint8_t *p, size_t n)
{
	uint8_t *c = xmalloc(n > 0 ? n : 1);

	if (n > 0)
		memcpy(c, p, n);
	free(b->p);
	b->p = c;
	b->n = n;
}

struct rpb_bytes
recipe_bytes(const struct recipe_buf *b)
{
	return (struct rpb_bytes){.p = b->p, .n = b->n};
}

void
recipe_keys(struct recipe *r)
{
	char hex[RECIPE_LEASE_HEX_BYTES + 1];
	size_t hl;

	/* Go's %x of the int64 lease: a sign, then the magnitude. */
	if (r->lease < 0)
		snprintf(hex, sizeof(hex), "-%" PRIx64, (uint64_t)0 - (uint64_t)r->lease);
	else
		snprintf(hex, sizeof(hex), "%" PRIx64, (uint64_t)r->lease);
	hl = strlen(hex);
	recipe_buf_set(&r->pfx, r->name.p, r->name.n);
	r->pfx.p = xrealloc(r->pfx.p, r->pfx.n + 1 + hl);
	r->pfx.p[r->pfx.n++] = '/';
	recipe_buf_set(&r->key, r->pfx.p, r->pfx.n);
	r->key.p = xrealloc(r->key.p, r->key.n + hl);
	memcpy(r->key.p + r->key.n, hex, hl);
	r->key.n += hl;
}

void
recipe_resign_txn(struct pbout *txn, const struct recipe *r)
{
	struct pbout del = {0};
	struct rpb_txn_op op = {RPB_OP_DELETE, &del};

	rpb_delete(&del, recipe_bytes(&r->key));
	rpb_txn_if_created(txn, recipe_bytes(&r->key), r->rev, &op, 1, NULL, 0);
	pbout_close(&del);
}

/* The stream goes: undo what the call holds, free its state. */
static void
recipe_free(struct gstream *s, void *ctx)
{
	struct recipe *r = ctx;
	struct pbout del = {0}, txn = {0};
	int rc = 0;

	if (r->hold == RECIPE_HOLD_DELETE) {
		rpb_delete(&del, recipe_bytes(&r->key));
		rc = inner_propose_detached(s, REQ_DELETE, &del);
	} else if (r->hold == RECIPE_HOLD_RESIGN) {
		recipe_resign_txn(&txn, r);
		rc = inner_propose_detached(s, REQ_TXN, &txn);
	}
	if (rc != 0)
		log_warnx("cannot remove the key of an abandoned lock or campaign: %s",
		    err_str(rc));
	pbout_close(&del);
	pbout_close(&txn);
	recipe_buf_free(&r->name);
	recipe_buf_free(&r->pfx);
	recipe_buf_free(&r->key);
	recipe_buf_free(&r->value);
	recipe_buf_free(&r->hdr);
	recipe_buf_free(&r->wait_hdr);
	free(r);
}

struct recipe *
recipe_new(struct gstream *s)
{
	struct inner *in = inner_of(s);

	CAIRN_ASSERT(in->ctx == NULL);
	in->ctx = xcalloc(1, sizeof(struct recipe));
	in->ctx_free = recipe_free;
	return in->ctx;
}

struct recipe *
recipe_of(struct gstream *s)
{
	CAIRN_ASSERT(s->inner != NULL && s->inner->ctx != NULL);
	return s->inner->ctx;
}

int
recipe_decode(struct gstream *s, struct rpb_bytes msg, const enum pbw_type *types, size_t n)
{
	char text[GRPC_MESSAGE_BYTES_MAX];
	const char *why = rpb_check(msg, types, n);

	if (why == NULL)
		return 0;
	snprintf(text, sizeof(text), "grpc: error unmarshalling request: %s", why);
	grpc_reply_status(s, GRPC_INTERNAL, text);
	return -1;
}

void
recipe_fail(struct gstream *s, int code)
{
	CAIRN_ASSERT(code != 0);
	grpc_reply_status(s, GRPC_UNKNOWN, err_str(code));
}

void
recipe_reply_header(struct gstream *s, struct rpb_bytes hdr)
{
	struct pbout o = {0};

	pbout_bytes(&o, 1, hdr.p, hdr.n);
	grpc_reply(s, o.buf, o.len);
	pbout_close(&o);
}

int
recipe_txn_answer(struct gstream *s, int code, const uint8_t *resp, size_t len,
    struct rpb_bytes *hdr, bool *succeeded)
{
	struct rpb_bytes m = {.p = resp, .n = len};

	if (code == 0)
		code = rpb_header(m, hdr);
	if (code != 0) {
		recipe_fail(s, code);
		return -1;
	}
	*succeeded = rpb_int(m, RPB_TXN_SUCCEEDED) != 0;
	return 0;
}

/* ---- the session -------------------------------------------------------- */

static void
recipe_granted(struct gstream *s, int code, const uint8_t *resp, size_t len)
{
	struct recipe *r = recipe_of(s);

	if (code != 0) {
		recipe_fail(s, code);
		return;
	}
	r->lease = rpb_int((struct rpb_bytes){.p = resp, .n = len}, RPB_LEASE_GRANT_ID);
	r->then(s, r);
}

void
recipe_session(struct gstream *s, struct recipe *r, recipe_fn *then)
{
	struct pbout o = {0};
	int64_t id;

	if (r->lease != 0) {
		then(s, r);
		return;
	}
	r->then = then;
	while ((id = svc_lease_new_id(s->n)) == 0)
		;
	rpb_lease_grant(&o, RECIPE_SESSION_TTL_SEC, id);
	inner_propose(s, REQ_LEASE_GRANT, &o, recipe_granted);
	pbout_close(&o);
}

/* ---- waiting for the keys before ours ----------------------------------- */

static void recipe_wait_read(struct gstream *s, struct recipe *r);

static void
recipe_wait_failed(struct gstream *s, struct recipe *r, int code)
{
	if (r->hold == RECIPE_HOLD_RESIGN)
		r->hold = RECIPE_HOLD_NONE;
	recipe_fail(s, code);
}

/* A revision's events on the key waited for: a delete reads again. */
static void
recipe_wait_event(struct gstream *s, int code, int64_t rev, const uint8_t *events, size_t len)
{
	struct recipe *r = recipe_of(s);
	struct rpb_bytes all = {.p = events, .n = len}, ev;
	int rc;

	(void)rev;
	if (code != 0) {
		recipe_wait_failed(s, r, code);
		return;
	}
	for (unsigned i = 0; (rc = rpb_find(all, RPB_WATCH_EVENTS, i, &ev)) == 1; i++) {
		if (rpb_int(ev, RPB_EVENT_TYPE) == RPB_EVENT_DELETE) {
			inner_unwatch(s);
			recipe_wait_read(s, r);
			return;
		}
	}
	if (rc != 0)
		recipe_wait_failed(s, r, CAIRN_EIO);
}

static void
recipe_wait_got(struct gstream *s, int code, const uint8_t *resp, size_t len)
{
	struct recipe *r = recipe_of(s);
	struct rpb_bytes m = {.p = resp, .n = len}, hdr, kv, key;
	int rc;

	if (code == 0)
		code = rpb_header(m, &hdr);
	if (code != 0) {
		recipe_wait_failed(s, r, code);
		return;
	}
	if ((rc = rpb_range_first(m, &kv)) == 0) {
		recipe_buf_set(&r->wait_hdr, hdr.p, hdr.n);
		r->then(s, r);
		return;
	}
	if (rc != 1 || rpb_find(kv, RPB_KV_KEY, 0, &key) != 1) {
		recipe_wait_failed(s, r, CAIRN_EIO);
		return;
	}
	/* The newest key before ours: wait for its delete from the
	 * revision just read on. */
	inner_watch(s, key.p, key.n, NULL, 0, rpb_header_revision(hdr), recipe_wait_event);
}

static void
recipe_wait_read(struct gstream *s, struct recipe *r)
{
	struct pbout o = {0};

	rpb_prefix_first(&o, recipe_bytes(&r->pfx), true, r->wait_rev);
	inner_read(s, &o, recipe_wait_got);
	pbout_close(&o);
}

void
recipe_wait_deletes(struct gstream *s, struct recipe *r, int64_t rev, recipe_fn *then)
{
	r->wait_rev = rev;
	r->then = then;
	recipe_wait_read(s, r);
}
