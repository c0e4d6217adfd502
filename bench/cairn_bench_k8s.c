/*
 * cairn-bench: the k8s profile, the load a Kubernetes API server puts on
 * etcd through its storage layer (k8s.io/apiserver's etcd3 store).
 *
 * Keys: /registry/<resource>/default/<resource>-<8 digits> under
 * --resources prefixes (pods, configmaps, secrets, services, endpoints,
 * deployments, replicasets, leases, then crd-N), --objects objects each
 * put before the timed run (a name space of twice that, so creates and
 * deletes have room), values --object-size random bytes. Events under
 * /registry/events/default/ with --event-size values.
 *
 * The mix, one op drawn at a time, its resource uniform:
 *   40% get     Range of one existing key, linearizable (a quorum read)
 *   30% update  Txn{mod_revision(key) = the revision last seen; Put; else
 *               Get}; on a conflict the Else read's revision, and again
 *               (up to 5 tries), as GuaranteedUpdate does
 *   10% create  Txn{create_revision(key) = 0; Put}, a free name
 *   10% delete  Txn{mod_revision(key) = rev; DeleteRange; else Get}
 *    5% list    a paginated list of one resource: Range{prefix, limit
 *               --page-size} (each answer carries the count), then from
 *               the last key + "\0" at the first page's revision until
 *               'more' is false; one op for the whole list
 *    5% event   Txn{create_revision = 0; Put with a lease}: a lease of
 *               --event-ttl s is granted for every --events-per-lease
 *               events, as the API server's lease manager reuses leases
 * and one watch per resource prefix and on the events prefix, kept open
 * on one Watch stream from the revision after set-up, its events
 * counted: at the end each prefix must have seen one event per write
 * that succeeded on it (missing ones are DATA_LOSS errors).
 */
#include <stdlib.h>
#include <string.h>

#include "bench/cairn_bench.h"
#include "shared/assert.h"
#include "shared/xmalloc.h"

#define K8S_RESOURCES_MAX 64
#define K8S_OBJECTS_MAX 1000000
#define K8S_OBJECT_BYTES_MAX (1024u * 1024)
#define K8S_PAGE_MAX 100000
#define K8S_UPDATE_TRIES 5
/* Random names tried to find an object that exists (or a free name). */
#define K8S_PROBES 16
#define K8S_KEY_BYTES_MAX 128
#define K8S_WATCH_CREATE_MS 10000

enum k8s_op { K8S_GET, K8S_UPDATE, K8S_CREATE, K8S_DELETE, K8S_LIST, K8S_EVENT, K8S_OPS };

static const char *const k8s_op_names[K8S_OPS] = {
	"get", "update", "create", "delete", "list", "event",
};
/* Percentages, in enum order. */
static const unsigned k8s_mix[K8S_OPS] = { 40, 30, 10, 10, 5, 5 };

static const char *const k8s_kinds[] = {
	"pods", "configmaps", "secrets", "services", "endpoints", "deployments", "replicasets",
	"leases",
};

/* What the bench last saw of one object: the revision of what it saw
 * (newer news wins), whether it exists, its mod revision. */
struct k8s_obj {
	int64_t seen_rev, mod_rev;
	bool exists, creating;
};

struct k8s_res {
	char prefix[64];
	size_t plen;
	struct k8s_obj *objs;      /* owned: names 0 .. nnames - 1 */
	uint64_t writes, seen;     /* writes that succeeded; watch events */
	int64_t watch_id;
};

/* One slot's op under way. */
struct k8s_slot {
	enum k8s_op op;
	unsigned res;
	uint64_t name;
	unsigned tries;
	int64_t rev;               /* update/delete: the compared revision; list: its revision */
	uint8_t last[K8S_KEY_BYTES_MAX + 1];
	size_t last_len;
};

static uint64_t k8s_nres_flag, k8s_objects, k8s_object_size, k8s_event_size, k8s_page,
    k8s_per_lease, k8s_event_ttl;

struct ctl_flag k8s_flags[] = {
	{ "resources", 0, CTL_FLAG_UINT64, "8", "Resource prefixes (pods, configmaps, ...)",
	  &k8s_nres_flag, false },
	{ "objects", 0, CTL_FLAG_UINT64, "200", "Objects per resource, created before the run",
	  &k8s_objects, false },
	{ "object-size", 0, CTL_FLAG_UINT64, "2048", "Bytes of an object's value",
	  &k8s_object_size, false },
	{ "event-size", 0, CTL_FLAG_UINT64, "1024", "Bytes of an event's value",
	  &k8s_event_size, false },
	{ "page-size", 0, CTL_FLAG_UINT64, "500", "Objects per page of a list (Range limit)",
	  &k8s_page, false },
	{ "events-per-lease", 0, CTL_FLAG_UINT64, "100", "Events attached to one lease",
	  &k8s_per_lease, false },
	{ "event-ttl", 0, CTL_FLAG_UINT64, "3600", "TTL of the events' leases, in seconds",
	  &k8s_event_ttl, false },
	{ NULL, 0, 0, NULL, NULL, NULL, false },
};

static struct {
	struct bench *b;
	struct k8s_res res[K8S_RESOURCES_MAX + 1]; /* the last: events */
	unsigned nres;             /* resources, events not counted */
	uint64_t nnames;           /* names per resource */
	struct k8s_slot *slots;    /* owned: per driver slot */
	uint8_t *val;              /* owned: max(object, event) size random bytes */
	unsigned series[K8S_OPS], s_watch;
	int64_t lease;
	uint64_t lease_used;
	bool granting;
	char run_id[17];           /* events' names: unique per run */
	struct gc_stream *watch;
	unsigned watches_created;
	bool all_created, all_seen, closing;
} k8s;

/* The key of name n of resource r (r == nres: an event). */
static size_t
k8s_key(unsigned r, uint64_t n, uint8_t *key)
{
	int len;

	if (r == k8s.nres)
		len = snprintf((char *)key, K8S_KEY_BYTES_MAX, "%sev-%s-%012llu",
		    k8s.res[r].prefix, k8s.run_id, (unsigned long long)n);
	else
		len = snprintf((char *)key, K8S_KEY_BYTES_MAX, "%sobj-%08llu", k8s.res[r].prefix,
		    (unsigned long long)n);
	CAIRN_ASSERT(len > 0 && len < K8S_KEY_BYTES_MAX);
	return (size_t)len;
}

/* The end of a prefix's range: its last byte plus one. */
static void
k8s_prefix_end(const struct k8s_res *res, uint8_t *end)
{
	memcpy(end, res->prefix, res->plen);
	end[res->plen - 1]++;
}

/* Newer news of an object: what a write or read at revision rev said. */
static void
k8s_learn(struct k8s_obj *o, int64_t rev, bool exists, int64_t mod_rev)
{
	if (rev < o->seen_rev)
		return;
	o->seen_rev = rev;
	o->exists = exists;
	o->mod_rev = exists ? mod_rev : 0;
}

/* A name of resource r that exists (want true) or is free; -1 if the
 * probes found none. */
static int64_t
k8s_pick(unsigned r, bool want)
{
	for (unsigned i = 0; i < K8S_PROBES; i++) {
		uint64_t n = drive_rand(&k8s.b->rng) % k8s.nnames;
		const struct k8s_obj *o = &k8s.res[r].objs[n];

		if (want ? o->exists : (!o->exists && !o->creating))
			return (int64_t)n;
	}
	return -1;
}

static void k8s_send(struct bench_slot *s);

static void
k8s_end(struct bench_slot *s, int status, const char *message)
{
	drive_op_end(s, k8s.series[k8s.slots[s->idx].op], status, message);
}

/* A write on resource r succeeded: its watch owes one more event. */
static void
k8s_wrote(unsigned r)
{
	k8s.res[r].writes++;
	k8s.all_seen = false;
}

static void
k8s_reply_get(struct bench_slot *s, const struct gc_result *r)
{
	struct k8s_slot *ks = &k8s.slots[s->idx];
	struct msg_range_resp rr;

	if (r->status != GC_OK) {
		k8s_end(s, r->status, r->message);
		return;
	}
	if (msg_range_resp(r->msg, r->len, &rr) != 0) {
		k8s_end(s, GC_INTERNAL, "a RangeResponse that does not parse");
		return;
	}
	k8s_learn(&k8s.res[ks->res].objs[ks->name], rr.revision, rr.nkvs > 0, rr.last.mod_rev);
	k8s_end(s, GC_OK, "");
}

/* update and delete: the Txn's answer; a conflict tries again. */
static void
k8s_reply_cas(struct bench_slot *s, const struct gc_result *r)
{
	struct k8s_slot *ks = &k8s.slots[s->idx];
	struct k8s_obj *o = &k8s.res[ks->res].objs[ks->name];
	struct msg_range_resp rr;
	int64_t rev;
	bool ok;

	if (r->status != GC_OK) {
		k8s_end(s, r->status, r->message);
		return;
	}
	if (msg_txn_resp(r->msg, r->len, &ok, &rev, &rr) != 0) {
		k8s_end(s, GC_INTERNAL, "a TxnResponse that does not parse");
		return;
	}
	if (ok) {
		k8s_learn(o, rev, ks->op == K8S_UPDATE, rev);
		k8s_wrote(ks->res);
		k8s_end(s, GC_OK, "");
		return;
	}
	/* The Else branch's Get: the object as it is now. */
	k8s_learn(o, rev, rr.nkvs > 0, rr.last.mod_rev);
	if (rr.nkvs == 0) {
		report_counter(&k8s.b->rep, "not_found", 1);
		k8s_end(s, GC_OK, "");
		return;
	}
	report_counter(&k8s.b->rep, "conflicts", 1);
	if (++ks->tries >= K8S_UPDATE_TRIES) {
		k8s_end(s, BENCH_ABORTED, "k8s: too many conflicts (Txn compare failed 5 times)");
		return;
	}
	ks->rev = rr.last.mod_rev;
	k8s_send(s);
}

static void
k8s_reply_create(struct bench_slot *s, const struct gc_result *r)
{
	struct k8s_slot *ks = &k8s.slots[s->idx];
	struct msg_range_resp rr;
	int64_t rev;
	bool ok;

	if (ks->op == K8S_CREATE)
		k8s.res[ks->res].objs[ks->name].creating = false;
	if (r->status != GC_OK) {
		k8s_end(s, r->status, r->message);
		return;
	}
	if (msg_txn_resp(r->msg, r->len, &ok, &rev, &rr) != 0) {
		k8s_end(s, GC_INTERNAL, "a TxnResponse that does not parse");
		return;
	}
	if (ok)
		k8s_wrote(ks->op == K8S_EVENT ? k8s.nres : ks->res);
	else
		report_counter(&k8s.b->rep, "already_exists", 1);
	if (ks->op == K8S_CREATE) /* an old run's object, if not ok: seen later */
		k8s_learn(&k8s.res[ks->res].objs[ks->name], rev, true, ok ? rev : 0);
	k8s_end(s, GC_OK, "");
}

static void
k8s_reply_list(struct bench_slot *s, const struct gc_result *r)
{
	struct k8s_slot *ks = &k8s.slots[s->idx];
	struct msg_range_resp rr;

	if (r->status != GC_OK) {
		k8s_end(s, r->status, r->message);
		return;
	}
	if (msg_range_resp(r->msg, r->len, &rr) != 0) {
		k8s_end(s, GC_INTERNAL, "a RangeResponse that does not parse");
		return;
	}
	report_counter(&k8s.b->rep, "list_pages", 1);
	report_counter(&k8s.b->rep, "list_objects", rr.nkvs);
	if (!rr.more || rr.nkvs == 0) {
		k8s_end(s, GC_OK, "");
		return;
	}
	if (rr.last.klen > K8S_KEY_BYTES_MAX) {
		k8s_end(s, GC_INTERNAL, "k8s: a listed key longer than the bench makes");
		return;
	}
	/* The next page: from the last key + "\0", at the first page's revision. */
	if (ks->rev == 0)
		ks->rev = rr.revision;
	memcpy(ks->last, rr.last.key, rr.last.klen);
	ks->last[rr.last.klen] = 0;
	ks->last_len = rr.last.klen + 1;
	k8s_send(s);
}

static void
k8s_reply_grant(struct bench_slot *s, const struct gc_result *r)
{
	uint64_t id;

	k8s.granting = false;
	if (r->status != GC_OK) {
		k8s_end(s, r->status, r->message);
		return;
	}
	if (msg_varint(r->msg, r->len, 2, &id) != 0 || id == 0) {
		k8s_end(s, GC_INTERNAL, "a LeaseGrantResponse without an ID");
		return;
	}
	k8s.lease = (int64_t)id;
	k8s.lease_used = 0;
	report_counter(&k8s.b->rep, "leases_granted", 1);
	k8s_send(s);
}

/* Txn{create_revision(key) = 0; Put(key, size bytes, lease)}. */
static void
k8s_send_create(struct bench_slot *s, unsigned r, uint64_t name, size_t size, int64_t lease)
{
	uint8_t key[K8S_KEY_BYTES_MAX];
	size_t klen = k8s_key(r, name, key);
	struct pbout txn = {0}, put = {0};

	msg_compare_rev(&txn, key, klen, 1, 0);
	msg_put(&put, key, klen, k8s.val, size, lease);
	msg_txn_op(&txn, 2, 2, &put);
	drive_call(s, BENCH_PATH_TXN, &txn, k8s_reply_create);
	pbout_close(&put);
	pbout_close(&txn);
}

/* Txn{mod_revision(key) = rev; Put or DeleteRange; else Get}. */
static void
k8s_send_cas(struct bench_slot *s, const struct k8s_slot *ks)
{
	uint8_t key[K8S_KEY_BYTES_MAX];
	size_t klen = k8s_key(ks->res, ks->name, key);
	struct pbout txn = {0}, op = {0}, get = {0};
	struct msg_range q = { .key = key, .klen = klen };

	msg_compare_rev(&txn, key, klen, 2, ks->rev);
	if (ks->op == K8S_UPDATE) {
		msg_put(&op, key, klen, k8s.val, k8s_object_size, 0);
		msg_txn_op(&txn, 2, 2, &op);
	} else {
		msg_delete(&op, key, klen);
		msg_txn_op(&txn, 2, 3, &op);
	}
	msg_range(&get, &q);
	msg_txn_op(&txn, 3, 1, &get);
	drive_call(s, BENCH_PATH_TXN, &txn, k8s_reply_cas);
	pbout_close(&get);
	pbout_close(&op);
	pbout_close(&txn);
}

/* A list's next page: the first from the prefix, later ones from the
 * last key + "\0" at the first page's revision. */
static void
k8s_send_list(struct bench_slot *s, const struct k8s_slot *ks)
{
	const struct k8s_res *res = &k8s.res[ks->res];
	uint8_t end[sizeof(res->prefix)];
	struct pbout o = {0};
	struct msg_range q = { .end = end, .elen = res->plen, .limit = (int64_t)k8s_page,
	    .revision = ks->rev };

	k8s_prefix_end(res, end);
	if (ks->last_len > 0) {
		q.key = ks->last;
		q.klen = ks->last_len;
	} else {
		q.key = (const uint8_t *)res->prefix;
		q.klen = res->plen;
	}
	msg_range(&o, &q);
	drive_call(s, BENCH_PATH_RANGE, &o, k8s_reply_list);
	pbout_close(&o);
}

/* Sends the next call of the slot's op. */
static void
k8s_send(struct bench_slot *s)
{
	struct k8s_slot *ks = &k8s.slots[s->idx];
	uint8_t key[K8S_KEY_BYTES_MAX];
	struct pbout o = {0};

	switch (ks->op) {
	case K8S_GET: {
		struct msg_range q = { .key = key, .klen = k8s_key(ks->res, ks->name, key) };

		msg_range(&o, &q);
		drive_call(s, BENCH_PATH_RANGE, &o, k8s_reply_get);
		pbout_close(&o);
		break;
	}
	case K8S_UPDATE:
	case K8S_DELETE:
		k8s_send_cas(s, ks);
		break;
	case K8S_CREATE:
		k8s_send_create(s, ks->res, ks->name, k8s_object_size, 0);
		break;
	case K8S_LIST:
		k8s_send_list(s, ks);
		break;
	case K8S_EVENT:
		if (k8s.lease_used >= k8s_per_lease && !k8s.granting) {
			k8s.granting = true;
			pbout_varint(&o, 1, k8s_event_ttl);
			drive_call(s, BENCH_PATH_GRANT, &o, k8s_reply_grant);
			pbout_close(&o);
			break;
		}
		k8s.lease_used++;
		k8s_send_create(s, k8s.nres, ks->name, k8s_event_size, k8s.lease);
		break;
	case K8S_OPS:
		CAIRN_ASSERT(0);
	}
}

/* A name for the slot's op: an object that exists for get, update and
 * delete, a free name for create; an op without one turns into a create
 * (no object) or a get (no free name). */
static int64_t
k8s_name(struct k8s_slot *ks, uint64_t seq)
{
	int64_t name;

	if (ks->op == K8S_EVENT)
		return (int64_t)seq;
	if (ks->op == K8S_LIST)
		return 0;
	if (ks->op != K8S_CREATE && (name = k8s_pick(ks->res, true)) >= 0)
		return name;
	if (ks->op != K8S_GET) {
		ks->op = K8S_CREATE;
		if ((name = k8s_pick(ks->res, false)) >= 0)
			return name;
	}
	ks->op = K8S_GET;
	return (int64_t)(drive_rand(&k8s.b->rng) % k8s.nnames);
}

/* An op drawn from the mix. */
static void
k8s_issue(struct bench_slot *s, uint64_t seq)
{
	struct k8s_slot *ks = &k8s.slots[s->idx];
	unsigned pct = (unsigned)(drive_rand(&s->b->rng) % 100), acc = 0;

	memset(ks, 0, sizeof(*ks));
	for (ks->op = K8S_GET; ks->op < K8S_EVENT; ks->op++)
		if (pct < (acc += k8s_mix[ks->op]))
			break;
	ks->res = (unsigned)(drive_rand(&s->b->rng) % k8s.nres);
	ks->name = (uint64_t)k8s_name(ks, seq);
	if (ks->op == K8S_CREATE)
		k8s.res[ks->res].objs[ks->name].creating = true;
	if (ks->op == K8S_UPDATE || ks->op == K8S_DELETE)
		ks->rev = k8s.res[ks->res].objs[ks->name].mod_rev;
	k8s_send(s);
}

/* ---- set-up: objects, a lease, the watches -------------------------------- */

static void
k8s_reply_preload(struct bench_slot *s, const struct gc_result *r)
{
	struct k8s_obj *o = &k8s.res[s->seq / k8s_objects].objs[s->seq % k8s_objects];
	int64_t rev;

	if (r->status != GC_OK) {
		drive_op_end(s, 0, r->status, r->message);
		return;
	}
	rev = msg_header_revision(r->msg, r->len);
	k8s_learn(o, rev, true, rev);
	drive_op_end(s, 0, GC_OK, "");
}

/* Object seq % objects of resource seq / objects, put as it is (a run
 * after another finds its objects there). */
static void
k8s_preload_issue(struct bench_slot *s, uint64_t seq)
{
	uint8_t key[K8S_KEY_BYTES_MAX];
	size_t klen = k8s_key((unsigned)(seq / k8s_objects), seq % k8s_objects, key);
	struct pbout o = {0};

	msg_put(&o, key, klen, k8s.val, k8s_object_size, 0);
	drive_call(s, BENCH_PATH_PUT, &o, k8s_reply_preload);
	pbout_close(&o);
}

static void
k8s_check_seen(void)
{
	for (unsigned r = 0; r <= k8s.nres; r++)
		if (k8s.res[r].seen < k8s.res[r].writes)
			return;
	k8s.all_seen = true;
}

static void
k8s_watch_msg(void *arg, struct gc_stream *gs, const uint8_t *msg, size_t len)
{
	struct pbw_reader rd = { msg, len, 0 };
	struct pbw_field f;
	uint64_t id = 0, created = 0, nevents = 0;

	(void)arg;
	(void)gs;
	while (pbw_next(&rd, &f) == 1) {
		if (f.number == 2 && f.type == PBW_VARINT)
			id = f.v;
		else if (f.number == 3 && f.type == PBW_VARINT)
			created = f.v;
		else if (f.number == 11 && f.type == PBW_LEN)
			nevents++;
	}
	/* Created answers come in the order of the creates. */
	if (created && k8s.watches_created <= k8s.nres) {
		k8s.res[k8s.watches_created].watch_id = (int64_t)id;
		if (++k8s.watches_created == k8s.nres + 1)
			k8s.all_created = true;
	}
	if (nevents == 0)
		return;
	for (unsigned r = 0; r <= k8s.nres; r++) {
		if (k8s.res[r].watch_id == (int64_t)id) {
			k8s.res[r].seen += nevents;
			break;
		}
	}
	report_counter(&k8s.b->rep, "watch_events", nevents);
	k8s_check_seen();
}

static void
k8s_watch_end(void *arg, struct gc_stream *gs, const struct gc_result *r)
{
	(void)arg;
	(void)gs;
	k8s.watch = NULL;
	if (!k8s.closing)
		report_error(&k8s.b->rep, k8s.s_watch, r->status != GC_OK ? r->status :
		    GC_UNKNOWN, r->status != GC_OK ? r->message : "the server ended the Watch stream");
}

/* One watch per prefix from revision 'from'. */
static int
k8s_watch_open(struct bench *b, int64_t from)
{
	if ((k8s.watch = gc_stream_open(b->gc, BENCH_PATH_WATCH, k8s_watch_msg, k8s_watch_end,
	    NULL)) == NULL)
		drive_fatalx("the client refused a Watch stream");
	for (unsigned r = 0; r <= k8s.nres; r++) {
		struct pbout req = {0}, create = {0};
		uint8_t end[sizeof(k8s.res[r].prefix)];

		k8s.res[r].watch_id = -1;
		k8s_prefix_end(&k8s.res[r], end);
		pbout_bytes(&create, 1, k8s.res[r].prefix, k8s.res[r].plen);
		pbout_bytes(&create, 2, end, k8s.res[r].plen);
		pbout_varint(&create, 3, (uint64_t)from);
		pbout_msg(&req, 1, &create);
		if (gc_stream_send(k8s.watch, req.buf, req.len) != 0)
			drive_fatalx("the Watch stream ended");
		pbout_close(&create);
		pbout_close(&req);
	}
	return drive_wait(b, &k8s.all_created, K8S_WATCH_CREATE_MS);
}

/* Objects, the first lease, the watches. 0, or -1. */
static int
k8s_setup(struct bench *b)
{
	struct gc_result r;
	struct pbout o = {0};
	uint64_t id, t0 = drive_now_ns();
	unsigned s = report_series(&b->rep, "preload", true);

	drive_progress_start(b, "k8s objects", k8s.nres * k8s_objects);
	drive_run(b, (unsigned)b->f.clients, k8s_preload_issue, k8s.nres * k8s_objects, 0, 0);
	drive_progress_stop(b);
	if (report_errors(&b->rep) > 0) {
		fprintf(stderr, "cairn-bench: k8s: %llu objects not created\n",
		    (unsigned long long)report_errors(&b->rep));
		report_print_text(&b->rep, stderr);
		return -1;
	}
	fprintf(stderr, "k8s: %llu objects of %u resources put in %.3f s\n",
	    (unsigned long long)b->rep.series[s].count, k8s.nres,
	    (double)(drive_now_ns() - t0) / 1e9);
	pbout_varint(&o, 1, k8s_event_ttl);
	if (gc_call(b->gc, BENCH_PATH_GRANT, o.buf, o.len, BENCH_CALL_TIMEOUT_MS, &r) != 0 ||
	    r.status != GC_OK || msg_varint(r.msg, r.len, 2, &id) != 0 || id == 0)
		drive_fatalx("cannot grant a lease: %s", r.message);
	pbout_close(&o);
	k8s.lease = (int64_t)id;
	if (k8s_watch_open(b, msg_header_revision(r.msg, r.len) + 1) != 0) {
		fprintf(stderr, "cairn-bench: k8s: the watches were not created\n");
		return -1;
	}
	return 0;
}

static int
k8s_init(struct bench *b)
{
	size_t vmax = k8s_object_size > k8s_event_size ? k8s_object_size : k8s_event_size;

	if (k8s_nres_flag == 0 || k8s_nres_flag > K8S_RESOURCES_MAX || k8s_objects == 0 ||
	    k8s_objects > K8S_OBJECTS_MAX || vmax > K8S_OBJECT_BYTES_MAX || k8s_page == 0 ||
	    k8s_page > K8S_PAGE_MAX || k8s_per_lease == 0 || k8s_event_ttl == 0) {
		fprintf(stderr, "cairn-bench: k8s: want 1 to %d resources, 1 to %d objects, sizes "
		    "to %u, a page of 1 to %d, positive --events-per-lease and --event-ttl\n",
		    K8S_RESOURCES_MAX, K8S_OBJECTS_MAX, K8S_OBJECT_BYTES_MAX, K8S_PAGE_MAX);
		return -1;
	}
	memset(&k8s, 0, sizeof(k8s));
	k8s.b = b;
	k8s.nres = (unsigned)k8s_nres_flag;
	k8s.nnames = 2 * k8s_objects;
	for (unsigned r = 0; r <= k8s.nres; r++) {
		struct k8s_res *res = &k8s.res[r];
		char kind[24];

		if (r == k8s.nres)
			snprintf(kind, sizeof(kind), "events");
		else if (r < sizeof(k8s_kinds) / sizeof(k8s_kinds[0]))
			snprintf(kind, sizeof(kind), "%s", k8s_kinds[r]);
		else
			snprintf(kind, sizeof(kind), "crd-%u", r);
		snprintf(res->prefix, sizeof(res->prefix), "/registry/%s/default/", kind);
		res->plen = strlen(res->prefix);
		if (r < k8s.nres)
			res->objs = xcalloc(k8s.nnames, sizeof(*res->objs));
	}
	snprintf(k8s.run_id, sizeof(k8s.run_id), "%016llx",
	    (unsigned long long)drive_rand(&b->rng));
	k8s.val = xmalloc(vmax > 0 ? vmax : 1);
	for (size_t i = 0; i < vmax; i++)
		k8s.val[i] = (uint8_t)drive_rand(&b->rng);
	k8s.slots = xcalloc(b->f.clients, sizeof(*k8s.slots));
	return 0;
}

static void
k8s_drain(struct bench *b)
{
	char msg[GC_MESSAGE_BYTES_MAX];
	uint64_t missing = 0, writes = 0;

	k8s_check_seen();
	(void)drive_wait(b, &k8s.all_seen, BENCH_WATCH_DRAIN_MS);
	for (unsigned r = 0; r <= k8s.nres; r++) {
		writes += k8s.res[r].writes;
		if (k8s.res[r].seen < k8s.res[r].writes)
			missing += k8s.res[r].writes - k8s.res[r].seen;
	}
	report_counter(&b->rep, "writes", writes);
	snprintf(msg, sizeof(msg), "k8s: %llu watch events of %llu writes did not arrive",
	    (unsigned long long)missing, (unsigned long long)writes);
	for (uint64_t i = 0; i < missing; i++)
		report_error(&b->rep, k8s.s_watch, BENCH_DATA_LOSS, msg);
}

int
k8s_run(struct bench *b, int argc, char **argv)
{
	int rc = -1;

	(void)argc;
	(void)argv;
	if (k8s_init(b) != 0)
		return -1;
	if (k8s_setup(b) == 0) {
		/* The set-up's figures are not the run's. */
		report_free(&b->rep);
		report_init(&b->rep, b->command, b->f.precise);
		for (unsigned i = 0; i < K8S_OPS; i++)
			k8s.series[i] = report_series(&b->rep, k8s_op_names[i], true);
		k8s.s_watch = report_series(&b->rep, "watch", false);
		drive_measured(b, k8s_issue);
		k8s_drain(b);
		rc = 0;
	}
	k8s.closing = true;
	if (k8s.watch != NULL)
		gc_stream_cancel(k8s.watch);
	for (unsigned r = 0; r < k8s.nres; r++)
		free(k8s.res[r].objs);
	free(k8s.slots);
	free(k8s.val);
	return rc;
}
