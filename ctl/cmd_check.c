/*
 * cairnctl: check perf and check datascale (etcdctl's check.go): a load
 * of puts under a prefix that must be empty, its progress bar, then the
 * keys deleted (compacted and defragmented if asked) and the verdict in
 * etcdctl's words and thresholds.
 */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>

#include "ctl/check.h"
#include "ctl/commands.h"
#include "ctl/goquote.h"
#include "ctl/watcher.h"
#include "shared/assert.h"
#include "shared/xmalloc.h"

/* check's timeouts: the first Get of perf is under its duration; the
 * delete, compaction and defragmentation under 30 s. */
#define CHECK_CLEANUP_MS 30000
/* perf's verdict: throughput above 90% of the rate, the slowest put
 * within 500 ms, the standard deviation within 100 ms. */
#define CHECK_RATE_RATIO_MIN 0.9
#define CHECK_SLOWEST_SEC_MAX 0.5
#define CHECK_STDDEV_SEC_MAX 0.1
#define CHECK_PERF_KEY_BYTES 256
#define CHECK_PERF_VALUE_BYTES 1024
#define CHECK_SCALE_KEY_BYTES 512
#define CHECK_SCALE_VALUE_BYTES 512
#define CHECK_SCALE_KV_BYTES 1024
#define CHECK_MB (1024.0 * 1024.0)

/* RangeRequest, DeleteRangeRequest, CompactionRequest, their answers. */
enum {
	RANGE_KEY = 1, RANGE_END = 2, RANGE_LIMIT = 3, RANGE_KVS = 2,
	DEL_KEY = 1, DEL_END = 2,
	COMPACT_REV = 1, COMPACT_PHYSICAL = 2,
	RESP_HEADER = 1, HDR_REVISION = 3,
};

/* etcdctl's workload models. */
struct check_model {
	const char *name;
	unsigned limit, clients, duration_sec; /* perf */
	unsigned scale_limit, scale_clients;   /* datascale */
};

static const struct check_model check_models[] = {
	{ "s", 150, 50, 60, 10000, 50 },
	{ "m", 1000, 200, 60, 100000, 200 },
	{ "l", 8000, 500, 60, 1000000, 500 },
	{ "xl", 15000, 1000, 60, 3000000, 1000 },
};

/* The aliases etcdctl takes for each. */
static const struct {
	const char *alias, *model;
} check_aliases[] = {
	{ "s", "s" }, { "small", "s" }, { "m", "m" }, { "medium", "m" },
	{ "l", "l" }, { "large", "l" }, { "xl", "xl" }, { "xLarge", "xl" },
};

static char *perf_load, *perf_prefix, *scale_load, *scale_prefix;
static bool check_compact, check_defrag;

struct ctl_flag check_perf_flags[] = {
	{ "auto-compact", 0, CTL_FLAG_BOOL, "false",
	  "Compact storage with last revision after test is finished.", &check_compact, false },
	{ "auto-defrag", 0, CTL_FLAG_BOOL, "false", "Defragment storage after test is finished.",
	  &check_defrag, false },
	{ "load", 0, CTL_FLAG_STRING, "s",
	  "The performance check's workload model. Accepted workloads: s(small), m(medium), "
	  "l(large), xl(xLarge)", &perf_load, false },
	{ "prefix", 0, CTL_FLAG_STRING, "/etcdctl-check-perf/",
	  "The prefix for writing the performance check's keys.", &perf_prefix, false },
	{ 0 },
};

struct ctl_flag check_datascale_flags[] = {
	{ "auto-compact", 0, CTL_FLAG_BOOL, "false",
	  "Compact storage with last revision after test is finished.", &check_compact, false },
	{ "auto-defrag", 0, CTL_FLAG_BOOL, "false", "Defragment storage after test is finished.",
	  &check_defrag, false },
	{ "load", 0, CTL_FLAG_STRING, "s",
	  "The datascale check's workload model. Accepted workloads: s(small), m(medium), "
	  "l(large), xl(xLarge)", &scale_load, false },
	{ "prefix", 0, CTL_FLAG_STRING, "/etcdctl-check-datascale/",
	  "The prefix for writing the datascale check's keys.", &scale_prefix, false },
	{ 0 },
};

/* The model named by --load, or exits as etcdctl does. */
static const struct check_model *
check_model(const char *load)
{
	for (size_t i = 0; i < sizeof(check_aliases) / sizeof(check_aliases[0]); i++) {
		if (strcmp(check_aliases[i].alias, load) != 0)
			continue;
		for (size_t j = 0; j < sizeof(check_models) / sizeof(check_models[0]); j++)
			if (strcmp(check_models[j].name, check_aliases[i].model) == 0)
				return &check_models[j];
	}
	ctl_fail(CTL_EXIT_BAD_FEATURE, "unknown load option %s", load);
}

/* The prefix's range: key and end into req (clientv3's WithPrefix). */
static void
check_prefix_range(struct pbout *req, uint32_t fkey, uint32_t fend, const char *prefix)
{
	size_t plen = strlen(prefix), elen;
	char *end;

	if (plen == 0) {
		pbout_bytes(req, fkey, "", 1);
		pbout_bytes(req, fend, "", 1);
		return;
	}
	end = xmalloc(plen + 1);
	elen = watcher_prefix_end(prefix, plen, end);
	pbout_bytes(req, fkey, prefix, plen);
	pbout_bytes(req, fend, end, elen);
	free(end);
}

/* The clients' Get of one key under the prefix: exits as etcdctl does
 * when there is one or the call fails. timeout_ms 0: none. */
static void
check_prefix_empty(const char *prefix, uint64_t timeout_ms)
{
	char err[GC_MESSAGE_BYTES_MAX + 128];
	struct pbout req = { 0 };
	struct gc_result r;
	int rc;

	check_prefix_range(&req, RANGE_KEY, RANGE_END, prefix);
	pbout_varint(&req, RANGE_LIMIT, 1);
	rc = client_try_ms("/etcdserverpb.KV/Range", &req, CTL_RETRY_UNAVAILABLE, timeout_ms, &r,
	    err, sizeof(err));
	pbout_close(&req);
	if (rc != 0)
		ctl_fail(CTL_EXIT_ERROR, "%s", err);
	if (pbv_count(pbv_of(r.msg, r.len), RANGE_KVS) > 0) {
		fflush(stdout);
		fputs("Error: prefix ", stderr);
		goquote_write(stderr, (const uint8_t *)prefix, strlen(prefix));
		fprintf(stderr, " has keys. Delete with etcdctl del --prefix %s first\n", prefix);
		exit(CTL_EXIT_INVALID_INPUT);
	}
}

/* The clients' Delete of the prefix, then compaction and defragmentation
 * when asked (etcdctl's compact and defrag helpers). timeout_ms 0:
 * none. */
static void
check_cleanup(const char *prefix, uint64_t timeout_ms)
{
	char err[GC_MESSAGE_BYTES_MAX + 128];
	struct pbout req = { 0 };
	struct gc_result r;
	int64_t rev;
	int rc;

	check_prefix_range(&req, DEL_KEY, DEL_END, prefix);
	rc = client_try_ms("/etcdserverpb.KV/DeleteRange", &req, CTL_RETRY_NEVER, timeout_ms, &r,
	    err, sizeof(err));
	pbout_close(&req);
	if (rc != 0)
		ctl_fail(CTL_EXIT_ERROR, "%s", err);
	rev = (int64_t)pbv_varint(pbv_bytes(pbv_of(r.msg, r.len), RESP_HEADER), HDR_REVISION);
	if (check_compact) {
		printf("Compacting with revision %" PRId64 "\n", rev);
		fflush(stdout);
		if (rev != 0)
			pbout_varint(&req, COMPACT_REV, (uint64_t)rev);
		pbout_varint(&req, COMPACT_PHYSICAL, 1);
		rc = client_try_ms("/etcdserverpb.KV/Compact", &req, CTL_RETRY_NEVER,
		    CHECK_CLEANUP_MS, &r, err, sizeof(err));
		pbout_close(&req);
		if (rc != 0)
			ctl_fail(CTL_EXIT_ERROR, "%s", err);
		printf("Compacted with revision %" PRId64 "\n", rev);
		fflush(stdout);
	}
	if (!check_defrag)
		return;
	for (size_t i = 0; i < ctl_g.endpoints.n; i++) {
		const char *ep = ctl_g.endpoints.v[i];

		fputs("Defragmenting ", stdout);
		goquote_write(stdout, (const uint8_t *)ep, strlen(ep));
		putchar('\n');
		fflush(stdout);
		rc = client_dial(ep, err, sizeof(err));
		if (rc == 0) {
			rc = client_try_ms("/etcdserverpb.Maintenance/Defragment", &req,
			    CTL_RETRY_NEVER, CHECK_CLEANUP_MS, &r, err, sizeof(err));
			client_undial();
		}
		if (rc != 0)
			ctl_fail(CTL_EXIT_ERROR, "%s", err);
		fputs("Defragmented ", stdout);
		goquote_write(stdout, (const uint8_t *)ep, strlen(ep));
		putchar('\n');
		fflush(stdout);
	}
}

/* The load's clients: check's clients[i] = cc.mustClient(), as many
 * connections of one client, authenticated as the client is. */
static struct client_peer *
check_clients(unsigned n)
{
	char err[GC_MESSAGE_BYTES_MAX + 128];
	struct client_peer_opts o = {
		.endpoints = (const char *const *)ctl_g.endpoints.v, .n = ctl_g.endpoints.n,
		.conns = n, .cert = ctl_g.cert, .key = ctl_g.key, .cacert = ctl_g.cacert,
		.insecure_skip_verify = ctl_g.insecure_skip_verify, .auth = true,
	};
	struct client_peer *p;
	int code;

	client_open();
	if ((code = client_peer_new(&o, &p, err, sizeof(err))) != 0)
		ctl_fail(code, "%s", err);
	return p;
}

/* The report's errors, as etcdctl prints them. */
static void
check_print_errors(const struct check_stats *st)
{
	puts("FAIL: too many errors");
	for (size_t i = 0; i < st->nerrs; i++)
		printf("FAIL: ERROR(%s) -> %" PRId64 "\n", st->errs[i].text, st->errs[i].n);
}

/* Go's %f: NaN and the infinities by their Go names. */
static void
check_gof(char *dst, size_t cap, double v)
{
	if (isnan(v))
		snprintf(dst, cap, "NaN");
	else if (isinf(v))
		snprintf(dst, cap, v > 0 ? "+Inf" : "-Inf");
	else
		snprintf(dst, cap, "%f", v);
}

/* perf's verdict lines; false when it failed. */
static bool
check_perf_verdict(const struct check_stats *st, unsigned limit)
{
	char f[64];
	bool ok = true;

	if (st->nerrs != 0) {
		check_print_errors(st);
		ok = false;
	}
	if (st->rps / limit <= CHECK_RATE_RATIO_MIN) {
		printf("FAIL: Throughput too low: %d writes/s\n", (int)st->rps + 1);
		ok = false;
	} else {
		printf("PASS: Throughput is %d writes/s\n", (int)st->rps + 1);
	}
	check_gof(f, sizeof(f), st->slowest);
	if (st->slowest > CHECK_SLOWEST_SEC_MAX) {
		printf("Slowest request took too long: %ss\n", f);
		ok = false;
	} else {
		printf("PASS: Slowest request took %ss\n", f);
	}
	check_gof(f, sizeof(f), st->stddev);
	if (st->stddev > CHECK_STDDEV_SEC_MAX) {
		printf("Stddev too high: %ss\n", f);
		ok = false;
	} else {
		printf("PASS: Stddev is %ss\n", f);
	}
	return ok;
}

/* perf's bar: one step a second, as its goroutine's time.Sleep loop. */
struct check_ticker {
	struct pbar *bar;
	struct event *ev;
	unsigned left;
};

static void
check_tick(evutil_socket_t fd, short what, void *arg)
{
	struct check_ticker *t = arg;
	struct timeval sec = { 1, 0 };

	(void)fd;
	(void)what;
	pbar_add(t->bar, 1);
	if (--t->left == 0) {
		pbar_finish(t->bar);
		return;
	}
	evtimer_add(t->ev, &sec);
}

int
check_perf_run(int argc, char **argv)
{
	const struct check_model *m = check_model(perf_load);
	struct check_ticker t = { 0 };
	struct timeval sec = { 1, 0 };
	struct check_stats st;
	struct client_peer *p;
	struct check_load l = { 0 };

	(void)argc;
	(void)argv;
	p = check_clients(m->clients);
	check_prefix_empty(perf_prefix, (uint64_t)m->duration_sec * 1000);
	t.bar = pbar_start(client_base(), m->duration_sec);
	t.left = m->duration_sec;
	t.ev = evtimer_new(client_base(), check_tick, &t);
	CAIRN_ASSERT(t.ev != NULL);
	evtimer_add(t.ev, &sec);
	l.clients = m->clients;
	l.rate = m->limit;
	l.duration_ms = (int64_t)m->duration_sec * 1000;
	l.prefix = perf_prefix;
	l.ksize = CHECK_PERF_KEY_BYTES;
	l.vsize = CHECK_PERF_VALUE_BYTES;
	check_load_run(p, &l, &st);
	check_cleanup(perf_prefix, CHECK_CLEANUP_MS);
	/* The bar's goroutine may be done or not: etcdctl ends either way. */
	if (!check_perf_verdict(&st, m->limit)) {
		puts("FAIL");
		fflush(stdout);
		exit(CTL_EXIT_ERROR);
	}
	puts("PASS");
	fflush(stdout);
	event_free(t.ev);
	pbar_free(t.bar);
	client_peer_free(p);
	client_close();
	return CTL_EXIT_SUCCESS;
}

int
check_datascale_run(int argc, char **argv)
{
	const struct check_model *m = check_model(scale_load);
	struct check_load l = { 0 };
	struct check_stats st;
	struct client_peer *p;
	double before, after;
	char mb[64];

	(void)argc;
	(void)argv;
	p = check_clients(m->scale_clients);
	check_prefix_empty(scale_prefix, 0);
	before = check_memory_bytes(ctl_g.endpoints.v[0], ctl_g.cert, ctl_g.key);
	if (before == 0) {
		puts("FAIL: Could not read process_resident_memory_bytes before the put operations.");
		fflush(stdout);
		exit(CTL_EXIT_ERROR);
	}
	printf("Start data scale check for work load [%u key-value pairs, %u bytes per "
	    "key-value, %u concurrent clients].\n", m->scale_limit, CHECK_SCALE_KV_BYTES,
	    m->scale_clients);
	fflush(stdout);
	l.clients = m->scale_clients;
	l.count = m->scale_limit;
	l.prefix = scale_prefix;
	l.ksize = CHECK_SCALE_KEY_BYTES;
	l.vsize = CHECK_SCALE_VALUE_BYTES;
	l.bar = pbar_start(client_base(), m->scale_limit);
	check_load_run(p, &l, &st);
	pbar_finish(l.bar);
	after = check_memory_bytes(ctl_g.endpoints.v[0], ctl_g.cert, ctl_g.key);
	if (after == 0) {
		puts("FAIL: Could not read process_resident_memory_bytes after the put operations.");
		fflush(stdout);
		exit(CTL_EXIT_ERROR);
	}
	check_cleanup(scale_prefix, 0);
	if (st.nerrs != 0) {
		check_print_errors(&st);
		fflush(stdout);
		exit(CTL_EXIT_ERROR);
	}
	/* strconv.FormatFloat(mb, 'f', 2, 64). */
	if (isfinite((after - before) / CHECK_MB))
		snprintf(mb, sizeof(mb), "%.2f", (after - before) / CHECK_MB);
	else
		check_gof(mb, sizeof(mb), (after - before) / CHECK_MB);
	printf("PASS: Approximate system memory used : %s MB.\n", mb);
	fflush(stdout);
	pbar_free(l.bar);
	client_peer_free(p);
	client_close();
	return CTL_EXIT_SUCCESS;
}
