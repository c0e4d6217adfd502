/*
 * netd: etcd's v3electionpb.Election service, as etcd 3.4's server runs
 * it over clientv3/concurrency's Election: a candidate's key is
 * name/LEASE holding its value; the first created leads, the others wait
 * for the keys before theirs to go. Proclaim and Resign act on a leader
 * key only while it is still created at its revision. Observe streams
 * the leader's key: each change of its value, then the next leader.
 */
#include <stdlib.h>
#include <string.h>

#include <pb_encode.h>

#include "netd/grpc.h"
#include "netd/inner.h"
#include "netd/netd.h"
#include "netd/recipe.h"
#include "netd/svc.h"
#include "shared/log.h"

/* Request and response fields (v3election.proto). */
#define CAMPAIGN_NAME 1
#define CAMPAIGN_LEASE 2
#define CAMPAIGN_VALUE 3
#define LKEY_NAME 1
#define LKEY_KEY 2
#define LKEY_REV 3
#define LKEY_LEASE 4
#define PROCLAIM_LEADER 1
#define PROCLAIM_VALUE 2
#define RESIGN_LEADER 1
#define LEADER_NAME 1
#define RESP_HEADER 1
#define CAMPAIGN_RESP_LEADER 2
#define LEADER_RESP_KV 2

/* ---- Campaign ------------------------------------------------------------ */

static void
campaign_elected(struct gstream *s, struct recipe *r)
{
	struct pbout o = {0}, lk = {0};

	r->hold = RECIPE_HOLD_NONE;
	pbout_bytes(&lk, LKEY_NAME, r->name.p, r->name.n);
	pbout_bytes(&lk, LKEY_KEY, r->key.p, r->key.n);
	if (r->rev != 0)
		pbout_varint(&lk, LKEY_REV, (uint64_t)r->rev);
	if (r->lease != 0)
		pbout_varint(&lk, LKEY_LEASE, (uint64_t)r->lease);
	/* etcd answers with the header of the campaign's first Txn. */
	pbout_bytes(&o, RESP_HEADER, r->hdr.p, r->hdr.n);
	pbout_msg(&o, CAMPAIGN_RESP_LEADER, &lk);
	grpc_reply(s, o.buf, o.len);
	pbout_close(&lk);
	pbout_close(&o);
}

static void
campaign_wait(struct gstream *s, struct recipe *r)
{
	r->hold = RECIPE_HOLD_RESIGN;
	recipe_wait_deletes(s, r, r->rev - 1, campaign_elected);
}

static void
campaign_proclaimed(struct gstream *s, int code, const uint8_t *resp, size_t len)
{
	struct recipe *r = recipe_of(s);
	struct rpb_bytes hdr;
	bool succeeded;

	/* etcd resigns when the proclamation fails, not when the key is
	 * no longer ours. */
	r->hold = code != 0 ? RECIPE_HOLD_RESIGN : RECIPE_HOLD_NONE;
	if (recipe_txn_answer(s, code, resp, len, &hdr, &succeeded) != 0)
		return;
	if (!succeeded)
		recipe_fail(s, CAIRN_EELECTNOTLEADER);
	else
		campaign_wait(s, r);
}

/* The key's Put if it is still created at r->rev. */
static void
election_proclaim_txn(struct pbout *txn, struct recipe *r)
{
	struct pbout put = {0};
	struct rpb_txn_op op = {RPB_OP_PUT, &put};

	rpb_put(&put, recipe_bytes(&r->key), recipe_bytes(&r->value), r->lease);
	rpb_txn_if_created(txn, recipe_bytes(&r->key), r->rev, &op, 1, NULL, 0);
	pbout_close(&put);
}

static void
campaign_txned(struct gstream *s, int code, const uint8_t *resp, size_t len)
{
	struct recipe *r = recipe_of(s);
	struct rpb_bytes m = {.p = resp, .n = len}, hdr, range, kv, value = {0};
	struct pbout txn = {0};
	bool succeeded;

	if (recipe_txn_answer(s, code, resp, len, &hdr, &succeeded) != 0)
		return;
	recipe_buf_set(&r->hdr, hdr.p, hdr.n);
	r->rev = rpb_header_revision(hdr);
	if (succeeded) {
		campaign_wait(s, r);
		return;
	}
	/* Our key was there: campaign on from its revision, with our value. */
	if (rpb_txn_range(m, 0, &range) != 1 || rpb_range_first(range, &kv) != 1) {
		recipe_fail(s, CAIRN_EIO);
		return;
	}
	r->rev = rpb_int(kv, RPB_KV_CREATE);
	(void)rpb_last(kv, RPB_KV_VALUE, &value);
	if (value.n == r->value.n && (value.n == 0 || memcmp(value.p, r->value.p, value.n) == 0)) {
		campaign_wait(s, r);
		return;
	}
	election_proclaim_txn(&txn, r);
	inner_propose(s, REQ_TXN, &txn, campaign_proclaimed);
	pbout_close(&txn);
}

static void
campaign_txn(struct gstream *s, struct recipe *r)
{
	struct pbout put = {0}, get = {0}, txn = {0};
	struct rpb_txn_op then = {RPB_OP_PUT, &put}, otherwise = {RPB_OP_RANGE, &get};

	recipe_keys(r);
	rpb_put(&put, recipe_bytes(&r->key), recipe_bytes(&r->value), r->lease);
	rpb_get(&get, recipe_bytes(&r->key));
	rpb_txn_if_created(&txn, recipe_bytes(&r->key), 0, &then, 1, &otherwise, 1);
	inner_propose(s, REQ_TXN, &txn, campaign_txned);
	pbout_close(&put);
	pbout_close(&get);
	pbout_close(&txn);
}

int
svc_election_campaign(struct gstream *s, const uint8_t *msg, size_t len)
{
	static const enum pbw_type types[] = {PBW_LEN, PBW_VARINT, PBW_LEN};
	struct rpb_bytes m = {.p = msg, .n = len}, name = {0}, value = {0};
	struct recipe *r;

	if (recipe_decode(s, m, types, 3) != 0)
		return 0;
	r = recipe_new(s);
	(void)rpb_last(m, CAMPAIGN_NAME, &name);
	(void)rpb_last(m, CAMPAIGN_VALUE, &value);
	recipe_buf_set(&r->name, name.p, name.n);
	recipe_buf_set(&r->value, value.p, value.n);
	r->lease = rpb_int(m, CAMPAIGN_LEASE);
	recipe_session(s, r, campaign_txn);
	return 0;
}

/* ---- Proclaim and Resign -------------------------------------------------- */

/* A request's LeaderKey (field 'field') into a new recipe: the recipe,
 * or NULL with the call answered. */
static struct recipe *
election_resume(struct gstream *s, struct rpb_bytes m, uint32_t field)
{
	static const enum pbw_type types[] = {PBW_LEN, PBW_LEN, PBW_VARINT, PBW_VARINT};
	struct rpb_bytes lk, name = {0}, key = {0};
	struct recipe *r;

	if (rpb_last(m, field, &lk) != 1) {
		recipe_fail(s, CAIRN_ELEADERKEYMISSING);
		return NULL;
	}
	if (recipe_decode(s, lk, types, 4) != 0)
		return NULL;
	r = recipe_new(s);
	(void)rpb_last(lk, LKEY_NAME, &name);
	(void)rpb_last(lk, LKEY_KEY, &key);
	recipe_buf_set(&r->name, name.p, name.n);
	recipe_buf_set(&r->key, key.p, key.n);
	r->rev = rpb_int(lk, LKEY_REV);
	r->lease = rpb_int(lk, LKEY_LEASE);
	return r;
}

static void
election_proclaim_done(struct gstream *s, int code, const uint8_t *resp, size_t len)
{
	struct rpb_bytes hdr;
	bool succeeded;

	if (recipe_txn_answer(s, code, resp, len, &hdr, &succeeded) != 0)
		return;
	if (!succeeded)
		recipe_fail(s, CAIRN_EELECTNOTLEADER);
	else
		recipe_reply_header(s, hdr);
}

static void
election_proclaim(struct gstream *s, struct recipe *r)
{
	struct pbout txn = {0};

	election_proclaim_txn(&txn, r);
	inner_propose(s, REQ_TXN, &txn, election_proclaim_done);
	pbout_close(&txn);
}

int
svc_election_proclaim(struct gstream *s, const uint8_t *msg, size_t len)
{
	static const enum pbw_type types[] = {PBW_LEN, PBW_LEN};
	struct rpb_bytes m = {.p = msg, .n = len}, value = {0};
	struct recipe *r;

	if (recipe_decode(s, m, types, 2) != 0 ||
	    (r = election_resume(s, m, PROCLAIM_LEADER)) == NULL)
		return 0;
	(void)rpb_last(m, PROCLAIM_VALUE, &value);
	recipe_buf_set(&r->value, value.p, value.n);
	/* etcd's server makes a session even here: a lease of its own when
	 * the leader key names none, which the Put then takes. */
	recipe_session(s, r, election_proclaim);
	return 0;
}

static void
election_resign_done(struct gstream *s, int code, const uint8_t *resp, size_t len)
{
	struct rpb_bytes hdr;
	bool succeeded;

	/* Not the leader any more: nothing to resign, no error. */
	if (recipe_txn_answer(s, code, resp, len, &hdr, &succeeded) == 0)
		recipe_reply_header(s, hdr);
}

static void
election_resign(struct gstream *s, struct recipe *r)
{
	struct pbout txn = {0};

	recipe_resign_txn(&txn, r);
	inner_propose(s, REQ_TXN, &txn, election_resign_done);
	pbout_close(&txn);
}

int
svc_election_resign(struct gstream *s, const uint8_t *msg, size_t len)
{
	static const enum pbw_type types[] = {PBW_LEN};
	struct rpb_bytes m = {.p = msg, .n = len};
	struct recipe *r;

	if (recipe_decode(s, m, types, 1) != 0 ||
	    (r = election_resume(s, m, RESIGN_LEADER)) == NULL)
		return 0;
	recipe_session(s, r, election_resign);
	return 0;
}

/* ---- Leader ---------------------------------------------------------------- */

/* The election's name of a LeaderRequest into a new recipe's pfx: the
 * recipe, or NULL with the call answered. */
static struct recipe *
election_named(struct gstream *s, const uint8_t *msg, size_t len)
{
	static const enum pbw_type types[] = {PBW_LEN};
	struct rpb_bytes m = {.p = msg, .n = len}, name = {0};
	struct recipe *r;

	if (recipe_decode(s, m, types, 1) != 0)
		return NULL;
	r = recipe_new(s);
	(void)rpb_last(m, LEADER_NAME, &name);
	recipe_buf_set(&r->name, name.p, name.n);
	recipe_keys(r);
	return r;
}

/* A LeaderResponse of header hdr and kv, encoded into o. */
static void
election_leader_resp(struct pbout *o, struct rpb_bytes hdr, struct rpb_bytes kv)
{
	pbout_bytes(o, RESP_HEADER, hdr.p, hdr.n);
	pbout_bytes(o, LEADER_RESP_KV, kv.p, kv.n);
}

static void
election_leader_got(struct gstream *s, int code, const uint8_t *resp, size_t len)
{
	struct rpb_bytes m = {.p = resp, .n = len}, hdr, kv;
	struct pbout o = {0};
	int rc;

	if (code == 0)
		code = rpb_header(m, &hdr);
	if (code == 0 && (rc = rpb_range_first(m, &kv)) != 1)
		code = rc == 0 ? CAIRN_EELECTNOLEADER : CAIRN_EIO;
	if (code != 0) {
		recipe_fail(s, code);
		return;
	}
	election_leader_resp(&o, hdr, kv);
	grpc_reply(s, o.buf, o.len);
	pbout_close(&o);
}

int
svc_election_leader(struct gstream *s, const uint8_t *msg, size_t len)
{
	struct recipe *r = election_named(s, msg, len);
	struct pbout o = {0};

	if (r == NULL)
		return 0;
	rpb_prefix_first(&o, recipe_bytes(&r->pfx), false, 0);
	inner_read(s, &o, election_leader_got);
	pbout_close(&o);
	return 0;
}

/* ---- Observe ----------------------------------------------------------------- */

static void observe_read(struct gstream *s, struct recipe *r);

/* The stream ends as etcd's does when its observer stops: status OK. */
static void
observe_end(struct gstream *s, int code)
{
	log_debug("an election observer ends: %s", err_str(code));
	grpc_finish(s, GRPC_OK, "");
}

/* Sends a LeaderResponse: header hdr, or one of netd's at revision rev. */
static bool
observe_send(struct gstream *s, struct rpb_bytes hdr, int64_t rev, struct rpb_bytes kv)
{
	etcdserverpb_ResponseHeader h = etcdserverpb_ResponseHeader_init_zero;
	uint8_t buf[etcdserverpb_ResponseHeader_size];
	pb_ostream_t os = pb_ostream_from_buffer(buf, sizeof(buf));
	struct pbout o = {0};
	int rc;

	if (hdr.p == NULL) {
		svc_header(s->n, &h);
		h.revision = rev;
		if (!pb_encode(&os, etcdserverpb_ResponseHeader_fields, &h))
			fatalx("cannot encode a ResponseHeader");
		hdr = (struct rpb_bytes){.p = buf, .n = os.bytes_written};
	}
	election_leader_resp(&o, hdr, kv);
	rc = grpc_send(s, o.buf, o.len);
	pbout_close(&o);
	if (rc != 0)
		grpc_finish(s, GRPC_RESOURCE_EXHAUSTED, err_str(CAIRN_ETOOMANYREQ));
	return rc == 0;
}

/* The leader's key changed (its new value goes out) or went (the next
 * leader is read). */
static void
observe_key_event(struct gstream *s, int code, int64_t rev, const uint8_t *events, size_t len)
{
	struct recipe *r = recipe_of(s);
	struct rpb_bytes all = {.p = events, .n = len}, ev, kv;
	int rc;

	if (code != 0) {
		observe_end(s, code);
		return;
	}
	for (unsigned i = 0; (rc = rpb_find(all, RPB_WATCH_EVENTS, i, &ev)) == 1; i++) {
		if (rpb_int(ev, RPB_EVENT_TYPE) == RPB_EVENT_DELETE) {
			inner_unwatch(s);
			observe_read(s, r);
			return;
		}
		if (rpb_find(ev, RPB_EVENT_KV, 0, &kv) == 1 &&
		    !observe_send(s, (struct rpb_bytes){0}, rev, kv))
			return;
	}
}

/* Watches the leader's key kv after revision rev. */
static void
observe_follow(struct gstream *s, struct rpb_bytes kv, int64_t rev)
{
	struct rpb_bytes key;

	if (rpb_find(kv, RPB_KV_KEY, 0, &key) != 1) {
		observe_end(s, CAIRN_EIO);
		return;
	}
	inner_watch(s, key.p, key.n, NULL, 0, rev + 1, observe_key_event);
}

/* No leader was: the first Put under the prefix is the next one. */
static void
observe_first_put(struct gstream *s, int code, int64_t rev, const uint8_t *events, size_t len)
{
	struct rpb_bytes all = {.p = events, .n = len}, ev, kv;
	int64_t mod;

	(void)rev;
	if (code != 0) {
		observe_end(s, code);
		return;
	}
	for (unsigned i = 0; rpb_find(all, RPB_WATCH_EVENTS, i, &ev) == 1; i++) {
		if (rpb_int(ev, RPB_EVENT_TYPE) == RPB_EVENT_DELETE ||
		    rpb_find(ev, RPB_EVENT_KV, 0, &kv) != 1)
			continue;
		/* etcd's header: the Put's own revision. */
		mod = rpb_int(kv, RPB_KV_MOD);
		inner_unwatch(s);
		if (observe_send(s, (struct rpb_bytes){0}, mod, kv))
			observe_follow(s, kv, mod);
		return;
	}
}

static void
observe_got(struct gstream *s, int code, const uint8_t *resp, size_t len)
{
	struct recipe *r = recipe_of(s);
	struct rpb_bytes m = {.p = resp, .n = len}, hdr, kv;
	uint8_t *end;
	size_t end_len;
	int64_t rev;
	int rc = 0;

	if (code == 0)
		code = rpb_header(m, &hdr);
	if (code == 0 && (rc = rpb_range_first(m, &kv)) != 1 && rc != 0)
		code = CAIRN_EIO;
	if (code != 0) {
		observe_end(s, code);
		return;
	}
	rev = rpb_header_revision(hdr);
	if (rc == 1) {
		if (observe_send(s, hdr, 0, kv))
			observe_follow(s, kv, rev);
		return;
	}
	end = rpb_prefix_end_new(recipe_bytes(&r->pfx), &end_len);
	inner_watch(s, r->pfx.p, r->pfx.n, end, end_len, rev, observe_first_put);
	free(end);
}

static void
observe_read(struct gstream *s, struct recipe *r)
{
	struct pbout o = {0};

	rpb_prefix_first(&o, recipe_bytes(&r->pfx), false, 0);
	inner_read(s, &o, observe_got);
	pbout_close(&o);
}

static int
observe_message(struct gstream *s, const uint8_t *msg, size_t len)
{
	struct recipe *r;

	/* A server-streaming call has one request. */
	if (s->inner != NULL)
		return 0;
	if ((r = election_named(s, msg, len)) != NULL)
		observe_read(s, r);
	return 0;
}

const struct grpc_stream_ops svc_election_observe_ops = {
	.message = observe_message,
};
