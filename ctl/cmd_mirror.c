/*
 * cairnctl: make-mirror (etcdctl's make_mirror_command.go over clientv3's
 * mirror.Syncer): the source's keys at one revision copied to the
 * destination, then its changes replayed there from the next revision,
 * one Txn per revision, the count of keys synced printed every 30 s.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/queue.h>

#include <event2/event.h>

#include "ctl/commands.h"
#include "ctl/watcher.h"
#include "shared/assert.h"
#include "shared/xmalloc.h"

/* clientv3/mirror's batchLimit: keys per Range of the first copy. */
#define MIRROR_BATCH_LIMIT 1000
/* etcdctl prints the count this often. */
#define MIRROR_PRINT_SEC 30
/* The longest destination endpoint, its scheme added. */
#define MIRROR_ENDPOINT_BYTES_MAX (GC_ENDPOINT_BYTES_MAX + 16)

/* RangeRequest, RangeResponse, KeyValue, PutRequest, DeleteRangeRequest,
 * RequestOp and TxnRequest field numbers (rpc.proto, kv.proto). */
enum {
	RANGE_KEY = 1, RANGE_END = 2, RANGE_LIMIT = 3, RANGE_REV = 4,
	RESP_HEADER = 1, HDR_REVISION = 3, RANGE_KVS = 2, RANGE_MORE = 3,
	KV_KEY = 1, KV_MOD = 3, KV_VALUE = 5,
	PUT_KEY = 1, PUT_VALUE = 2, DEL_KEY = 1,
	OP_PUT = 2, OP_DEL = 3, TXN_SUCCESS = 2,
};

static char *mm_prefix, *mm_dest_prefix, *mm_cert, *mm_key, *mm_cacert;
static bool mm_no_dest_prefix, mm_insecure_tr;

struct ctl_flag make_mirror_flags[] = {
	{ "dest-cacert", 0, CTL_FLAG_STRING, "",
	  "Verify certificates of TLS enabled secure servers using this CA bundle", &mm_cacert,
	  false },
	{ "dest-cert", 0, CTL_FLAG_STRING, "",
	  "Identify secure client using this TLS certificate file for the destination cluster",
	  &mm_cert, false },
	{ "dest-insecure-transport", 0, CTL_FLAG_BOOL, "true",
	  "Disable transport security for client connections", &mm_insecure_tr, false },
	{ "dest-key", 0, CTL_FLAG_STRING, "", "Identify secure client using this TLS key file",
	  &mm_key, false },
	{ "dest-prefix", 0, CTL_FLAG_STRING, "",
	  "destination prefix to mirror a prefix to a different prefix in the destination "
	  "cluster", &mm_dest_prefix, false },
	{ "no-dest-prefix", 0, CTL_FLAG_BOOL, "false",
	  "mirror key-values to the root of the destination cluster", &mm_no_dest_prefix, false },
	{ "prefix", 0, CTL_FLAG_STRING, "", "Key-value prefix to mirror", &mm_prefix, false },
	{ 0 },
};

/* A watch answer waiting for its Txns (an owned copy): the destination
 * is written in the main flow, never inside the loop's callbacks. */
struct mirror_item {
	STAILQ_ENTRY(mirror_item) entry;
	uint8_t *msg;
	size_t len;
	int64_t compact_revision;
};

static struct {
	struct client_peer *dest;
	const char *dest_prefix;     /* what replaces the prefix */
	int64_t total;               /* keys synced, as etcdctl counts them */
	struct event *ticker;        /* owned: prints the total */
	bool ended;                  /* the watch's channel closed */
	STAILQ_HEAD(, mirror_item) queue;
} mirror = { .queue = STAILQ_HEAD_INITIALIZER(mirror.queue) };

static void
mirror_tick(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	(void)arg;
	printf("%" PRId64 "\n", mirror.total);
	fflush(stdout);
}

/* etcdctl's modifyPrefix, strings.Replace(key, prefix, dest, 1): the
 * first occurrence of the prefix is replaced (the keys synced all start
 * with it; an empty prefix matches at the start). A key without it, which
 * only a wrong source would send, is copied as it is, as Replace does.
 * Returns key' (owned). */
static uint8_t *
mirror_key(struct pbv key, size_t *len)
{
	size_t plen = strlen(mm_prefix), dlen = strlen(mirror.dest_prefix), at;
	const uint8_t *hit = plen == 0 ? key.p : memmem(key.p, key.n, mm_prefix, plen);
	uint8_t *k;

	if (hit == NULL) {
		*len = key.n;
		k = xmalloc(key.n + 1);
		if (key.n > 0)
			memcpy(k, key.p, key.n);
		return k;
	}
	at = plen == 0 ? 0 : (size_t)(hit - key.p);
	*len = key.n - plen + dlen;
	k = xmalloc(*len + 1);
	if (at > 0)
		memcpy(k, key.p, at);
	memcpy(k + at, mirror.dest_prefix, dlen);
	if (key.n > at + plen)
		memcpy(k + at + dlen, key.p + at + plen, key.n - at - plen);
	return k;
}

/* A call to the destination under context.TODO(); exits as etcdctl does
 * when it fails. */
static void
mirror_dest_call(const char *path, const struct pbout *req)
{
	char err[GC_MESSAGE_BYTES_MAX + 128];
	struct gc_result r;

	if (client_peer_try(mirror.dest, path, req, CTL_RETRY_NEVER, 0, &r, err,
	    sizeof(err)) != 0)
		ctl_fail(CTL_EXIT_ERROR, "%s", err);
}

/* dc.Put(key', value) of one key of the first copy. */
static void
mirror_put(struct pbv kv)
{
	struct pbout req = { 0 };
	struct pbv v = pbv_bytes(kv, KV_VALUE);
	size_t klen;
	uint8_t *k = mirror_key(pbv_bytes(kv, KV_KEY), &klen);

	pbout_bytes(&req, PUT_KEY, k, klen);
	if (v.n > 0)
		pbout_bytes(&req, PUT_VALUE, v.p, v.n);
	mirror_dest_call("/etcdserverpb.KV/Put", &req);
	pbout_close(&req);
	free(k);
	mirror.total++;
}

/* The keys under the prefix at rev, MIRROR_BATCH_LIMIT at a time (the
 * whole key space from "\0" for an empty prefix), each put to the
 * destination. */
static void
mirror_pages(int64_t rev)
{
	char err[GC_MESSAGE_BYTES_MAX + 128];
	size_t plen = strlen(mm_prefix), klen, elen;
	char *end = xmalloc(plen + 1);
	uint8_t *key = (uint8_t *)xstrdup(mm_prefix);
	struct pbout req = { 0 };
	struct gc_result r;

	klen = plen > 0 ? plen : 1;
	elen = watcher_prefix_end(mm_prefix, plen, end);
	for (;;) {
		struct pbv resp, kv, lk, last = { 0 };
		size_t off = 0;
		uint8_t *page;

		pbout_bytes(&req, RANGE_KEY, key, klen);
		pbout_bytes(&req, RANGE_END, end, elen);
		pbout_varint(&req, RANGE_LIMIT, MIRROR_BATCH_LIMIT);
		if (rev != 0)
			pbout_varint(&req, RANGE_REV, (uint64_t)rev);
		if (client_try_untimed("/etcdserverpb.KV/Range", &req, CTL_RETRY_UNAVAILABLE, &r,
		    err, sizeof(err)) != 0)
			ctl_fail(CTL_EXIT_ERROR, "%s", err);
		pbout_close(&req);
		/* r is reused by the puts: the page is kept aside. */
		page = xmalloc(r.len + 1);
		if (r.len > 0)
			memcpy(page, r.msg, r.len);
		resp = pbv_of(page, r.len);
		while (pbv_next(resp, RANGE_KVS, &off, &kv)) {
			mirror_put(kv);
			last = kv;
		}
		if (pbv_varint(resp, RANGE_MORE) == 0 || !last.present) {
			free(page);
			break;
		}
		/* The next page starts just past the last key. */
		lk = pbv_bytes(last, KV_KEY);
		free(key);
		key = xmalloc(lk.n + 1);
		if (lk.n > 0)
			memcpy(key, lk.p, lk.n);
		key[lk.n] = '\0';
		klen = lk.n + 1;
		free(page);
	}
	free(key);
	free(end);
}

/*
 * The Syncer's SyncBase: the source's revision (its Get of "foo"), then
 * its keys at that revision (mirror_pages). The prefix flags are checked
 * between the two, where etcdctl checks them. Returns the revision.
 */
static int64_t
mirror_base(void)
{
	char err[GC_MESSAGE_BYTES_MAX + 128];
	struct pbout req = { 0 };
	struct gc_result r;
	int64_t rev;
	int rc;

	pbout_bytes(&req, RANGE_KEY, "foo", 3);
	rc = client_try_untimed("/etcdserverpb.KV/Range", &req, CTL_RETRY_UNAVAILABLE, &r, err,
	    sizeof(err));
	pbout_close(&req);
	rev = rc == 0 ? (int64_t)pbv_varint(pbv_bytes(pbv_of(r.msg, r.len), RESP_HEADER),
	    HDR_REVISION) : 0;
	if (mm_no_dest_prefix && mm_dest_prefix[0] != '\0')
		ctl_fail(CTL_EXIT_BAD_ARGS, "`--dest-prefix` and `--no-dest-prefix` cannot be set "
		    "at the same time, choose one");
	mirror.dest_prefix = !mm_no_dest_prefix && mm_dest_prefix[0] == '\0' ? mm_prefix :
	    mm_dest_prefix;
	if (rc != 0)
		ctl_fail(CTL_EXIT_ERROR, "%s", err);
	mirror_pages(rev);
	return rev;
}

static void
mirror_resp(void *arg, const struct watcher_resp *r)
{
	struct mirror_item *it = xcalloc(1, sizeof(*it));

	(void)arg;
	it->len = r->msg.n;
	it->msg = xmalloc(it->len + 1);
	if (it->len > 0)
		memcpy(it->msg, r->msg.p, it->len);
	it->compact_revision = r->compact_revision;
	STAILQ_INSERT_TAIL(&mirror.queue, it, entry);
}

static void
mirror_end(void *arg)
{
	(void)arg;
	mirror.ended = true;
}

/* One Txn of the operations of one revision. */
static void
mirror_commit(struct pbout *txn, size_t *nops)
{
	if (*nops == 0)
		return;
	mirror_dest_call("/etcdserverpb.KV/Txn", txn);
	pbout_close(txn);
	*nops = 0;
}

/* A watch answer replayed: its events as puts and deletes of key', in
 * one Txn per revision. */
static void
mirror_replay(const struct mirror_item *it)
{
	struct pbv m = pbv_of(it->msg, it->len), ev;
	struct pbout txn = { 0 };
	int64_t last = 0;
	size_t off = 0, nops = 0;

	if (it->compact_revision != 0)
		ctl_fail(CTL_EXIT_ERROR, "etcdserver: mvcc: required revision has been compacted");
	while (pbv_next(m, WATCHER_RESP_EVENTS, &off, &ev)) {
		struct pbv kv = pbv_bytes(ev, WATCHER_EV_KV), v = pbv_bytes(kv, KV_VALUE);
		int64_t next = (int64_t)pbv_varint(kv, KV_MOD);
		struct pbout op = { 0 }, body = { 0 };
		size_t klen;
		uint8_t *k;

		if (last != 0 && next > last)
			mirror_commit(&txn, &nops);
		last = next;
		k = mirror_key(pbv_bytes(kv, KV_KEY), &klen);
		pbout_bytes(&body, PUT_KEY, k, klen);
		if (pbv_varint(ev, WATCHER_EV_TYPE) == WATCHER_EV_PUT) {
			if (v.n > 0)
				pbout_bytes(&body, PUT_VALUE, v.p, v.n);
			pbout_msg(&op, OP_PUT, &body);
		} else {
			pbout_msg(&op, OP_DEL, &body);
		}
		pbout_msg(&txn, TXN_SUCCESS, &op);
		nops++;
		mirror.total++;
		pbout_close(&op);
		pbout_close(&body);
		free(k);
	}
	mirror_commit(&txn, &nops);
	pbout_close(&txn);
}

/* The Syncer's SyncUpdates: a watch of the prefix from rev + 1, each
 * answer replayed, until its channel closes. */
static void
mirror_updates(int64_t rev)
{
	size_t plen = strlen(mm_prefix), elen;
	char *key = xmalloc(plen + 1), *end = xmalloc(plen + 1);
	struct mirror_item *it;
	struct watcher *w;

	/* clientv3's WithPrefix of "": the key "\0" and all after it. */
	memcpy(key, mm_prefix, plen);
	key[plen] = '\0';
	elen = watcher_prefix_end(mm_prefix, plen, end);
	w = watcher_new(false);
	(void)watcher_watch(w, (const uint8_t *)key, plen > 0 ? plen : 1, (const uint8_t *)end,
	    elen, rev + 1, false, mirror_resp, mirror_end, NULL);
	free(key);
	free(end);
	while (!mirror.ended || !STAILQ_EMPTY(&mirror.queue)) {
		if ((it = STAILQ_FIRST(&mirror.queue)) == NULL) {
			event_base_loop(client_base(), EVLOOP_ONCE);
			continue;
		}
		STAILQ_REMOVE_HEAD(&mirror.queue, entry);
		mirror_replay(it);
		free(it->msg);
		free(it);
	}
	watcher_free(w);
}

/* cc.mustClient() for the destination: its own TLS flags (no global
 * ones, no credentials); without --dest-insecure-transport and any file,
 * TLS all the same (a scheme-less endpoint taken as https). */
static void
mirror_dest_open(const char *ep)
{
	char err[GC_MESSAGE_BYTES_MAX + 128], with_scheme[MIRROR_ENDPOINT_BYTES_MAX];
	const char *eps[1] = { ep };
	struct client_peer_opts o = {
		.endpoints = eps, .n = 1, .conns = 1, .cert = mm_cert, .key = mm_key,
		.cacert = mm_cacert,
	};
	bool files = mm_cert[0] != '\0' || mm_key[0] != '\0' || mm_cacert[0] != '\0';
	int code;

	if (!mm_insecure_tr && !files && strstr(ep, "://") == NULL) {
		snprintf(with_scheme, sizeof(with_scheme), "https://%s", ep);
		eps[0] = with_scheme;
	}
	if ((code = client_peer_new(&o, &mirror.dest, err, sizeof(err))) != 0)
		ctl_fail(code, "%s", err);
}

int
make_mirror_run(int argc, char **argv)
{
	struct timeval every = { MIRROR_PRINT_SEC, 0 };
	int64_t rev;

	if (argc != 1)
		ctl_fail(CTL_EXIT_BAD_ARGS, "make-mirror takes one destination argument");
	mirror_dest_open(argv[0]);
	client_open();
	mirror.ticker = event_new(client_base(), -1, EV_PERSIST, mirror_tick, NULL);
	CAIRN_ASSERT(mirror.ticker != NULL);
	event_add(mirror.ticker, &every);
	rev = mirror_base();
	mirror_updates(rev);
	event_free(mirror.ticker);
	client_peer_free(mirror.dest);
	client_close();
	/* The watch's channel closed without an error: etcdctl's
	 * ExitWithError of a nil error. */
	ctl_fail(CTL_EXIT_ERROR, "<nil>");
}
