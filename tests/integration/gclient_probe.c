/*
 * Tests: drives shared/gclient.h against a real server (cairn or etcd),
 * printing what came back, for tests/integration/gclient.sh to compare.
 * Usage: gclient_probe ENDPOINTS CONNS COMMAND [ARGS]; ENDPOINTS is a
 * comma-separated list. Commands:
 *   put K V          Put: "OK" and the header's revision
 *   get K            Range of K: "K=V" per key, then "count N"
 *   many N           N Puts at once (keys many/0..N-1), then a Range of
 *                    the prefix: "N ok, E failed" and the count
 *   watch K N        a Watch of prefix K, then N Puts K0..K(N-1) on the
 *                    same client: each event's key, then "N events"
 *   call PATH        a unary call with an empty request: "status S MSG"
 *   deadline         a Range with a 300 ms deadline: "status S MSG"
 *   hold K           a Watch of prefix K: "ready" once created, then
 *                    waits (60 s at most) for the stream to end: "watch
 *                    ended: status S MSG"
 * TLS from the environment: GC_CERT, GC_KEY, GC_CA (files), GC_INSECURE
 * (set: skip the server's verification), as etcdctl's flags; and
 * GC_KEEPALIVE, GC_KEEPALIVE_TIMEOUT (ms), as --keepalive-time/-timeout.
 * Messages are hand-encoded (shared/pbwire.h); exit 0 unless the client
 * itself failed.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "shared/gclient.h"
#include "shared/pbwire.h"
#include "shared/xmalloc.h"

#define BUF_BYTES 4096
#define KV_PUT "/etcdserverpb.KV/Put"
#define KV_RANGE "/etcdserverpb.KV/Range"
#define WATCH "/etcdserverpb.Watch/Watch"

static struct gc_client *client;
static struct event_base *base;

/* A message of length-delimited fields (numbers, contents). */
static size_t
enc_bytes(uint8_t *out, const uint32_t *fields, const char *const *vals, size_t n)
{
	size_t len = 0;

	for (size_t i = 0; i < n; i++) {
		size_t vl = strlen(vals[i]);

		len += pbw_put_varint(out + len, PBW_TAG(fields[i], PBW_LEN));
		len += pbw_put_varint(out + len, vl);
		memcpy(out + len, vals[i], vl);
		len += vl;
	}
	return len;
}

static size_t
enc_put(uint8_t *out, const char *k, const char *v)
{
	return enc_bytes(out, (uint32_t[]){1, 2}, (const char *[]){k, v}, 2);
}

/* A Range of a prefix ("\xff"-free keys: end = key with its last byte + 1). */
static size_t
enc_prefix(uint8_t *out, const char *k)
{
	char end[BUF_BYTES];
	size_t n = strlen(k);

	memcpy(end, k, n + 1);
	end[n - 1]++;
	return enc_bytes(out, (uint32_t[]){1, 2}, (const char *[]){k, end}, 2);
}

/* field 'want' of a message: its payload (PBW_LEN) or value. */
static int
field(const uint8_t *p, size_t len, uint32_t want, struct pbw_field *out)
{
	struct pbw_reader r = {.buf = p, .len = len};
	int rc;

	while ((rc = pbw_next(&r, out)) == 1)
		if (out->number == want)
			return 0;
	return -1;
}

static void
print_status(const struct gc_result *r)
{
	printf("status %d %s\n", r->status, r->message);
}

static int
cmd_put(const char *k, const char *v)
{
	uint8_t buf[BUF_BYTES];
	struct gc_result r;
	struct pbw_field hdr, rev;

	if (gc_call(client, KV_PUT, buf, enc_put(buf, k, v), 5000, &r) != 0)
		return 1;
	if (r.status != GC_OK) {
		print_status(&r);
		return 0;
	}
	if (field(r.msg, r.len, 1, &hdr) == 0 && field(hdr.p, hdr.n, 3, &rev) == 0)
		printf("OK %llu\n", (unsigned long long)rev.v);
	return 0;
}

/* Prints each kv of a RangeResponse, then its count. */
static void
print_range(const struct gc_result *r)
{
	struct pbw_reader rd = {.buf = r->msg, .len = r->len};
	struct pbw_field f, k, v;
	uint64_t count = 0;

	while (pbw_next(&rd, &f) == 1) {
		if (f.number == 2 && f.type == PBW_LEN && field(f.p, f.n, 1, &k) == 0) {
			if (field(f.p, f.n, 5, &v) != 0)
				v.n = 0;
			printf("%.*s=%.*s\n", (int)k.n, (const char *)k.p, (int)v.n, (const char *)v.p);
		}
		if (f.number == 4)
			count = f.v;
	}
	printf("count %llu\n", (unsigned long long)count);
}

static int
cmd_get(const char *k)
{
	uint8_t buf[BUF_BYTES];
	struct gc_result r;

	if (gc_call(client, KV_RANGE, buf, enc_bytes(buf, (uint32_t[]){1},
	    (const char *[]){k}, 1), 5000, &r) != 0)
		return 1;
	if (r.status != GC_OK)
		print_status(&r);
	else
		print_range(&r);
	return 0;
}

static int many_left, many_ok, many_failed;

static void
many_done(void *arg, const struct gc_result *r)
{
	(void)arg;
	if (r->status == GC_OK)
		many_ok++;
	else {
		if (many_failed++ == 0)
			print_status(r);
	}
	many_left--;
}

static int
cmd_many(int n)
{
	uint8_t buf[BUF_BYTES];
	struct gc_result r;

	many_left = n;
	for (int i = 0; i < n; i++) {
		char k[32], v[32];

		snprintf(k, sizeof(k), "many/%d", i);
		snprintf(v, sizeof(v), "v%d", i);
		if (gc_unary(client, KV_PUT, buf, enc_put(buf, k, v), 10000, many_done, NULL) != 0)
			return 1;
	}
	while (many_left > 0)
		event_base_loop(base, EVLOOP_ONCE);
	printf("%d ok, %d failed\n", many_ok, many_failed);
	if (gc_call(client, KV_RANGE, buf, enc_prefix(buf, "many/"), 5000, &r) != 0)
		return 1;
	{
		struct pbw_field c;

		printf("count %llu\n", field(r.msg, r.len, 4, &c) == 0 ?
		    (unsigned long long)c.v : 0ULL);
	}
	return 0;
}

static int watch_want, watch_seen;
static bool watch_created, watch_ended;

static void
watch_msg(void *arg, struct gc_stream *s, const uint8_t *msg, size_t len)
{
	struct pbw_reader rd = {.buf = msg, .len = len};
	struct pbw_field f, kv, k;

	(void)arg;
	(void)s;
	while (pbw_next(&rd, &f) == 1) {
		if (f.number == 3 && f.v)
			watch_created = true;
		if (f.number == 11 && field(f.p, f.n, 2, &kv) == 0 && field(kv.p, kv.n, 1, &k) == 0) {
			printf("event %.*s\n", (int)k.n, (const char *)k.p);
			watch_seen++;
		}
	}
}

static void
watch_end(void *arg, struct gc_stream *s, const struct gc_result *r)
{
	(void)arg;
	(void)s;
	printf("watch ended: ");
	print_status(r);
	watch_ended = true;
}

/* A Watch of prefix k, once created (or ended); NULL if the client
 * refused it. */
static struct gc_stream *
watch_open(const char *k)
{
	uint8_t create[BUF_BYTES], buf[BUF_BYTES];
	size_t clen = enc_prefix(create, k), len = 0;
	struct gc_stream *s = gc_stream_open(client, WATCH, watch_msg, watch_end, NULL);

	if (s == NULL)
		return NULL;
	/* WatchRequest{create_request = 1: WatchCreateRequest}. */
	len += pbw_put_varint(buf + len, PBW_TAG(1, PBW_LEN));
	len += pbw_put_varint(buf + len, clen);
	memcpy(buf + len, create, clen);
	len += clen;
	if (gc_stream_send(s, buf, len) != 0)
		return NULL;
	while (!watch_created && !watch_ended)
		event_base_loop(base, EVLOOP_ONCE);
	return s;
}

static int
cmd_watch(const char *k, int n)
{
	uint8_t buf[BUF_BYTES];
	struct gc_stream *s = watch_open(k);

	if (s == NULL)
		return 1;
	for (int i = 0; i < n && !watch_ended; i++) {
		char key[64];
		struct gc_result r;

		snprintf(key, sizeof(key), "%s%d", k, i);
		if (gc_call(client, KV_PUT, buf, enc_put(buf, key, "w"), 5000, &r) != 0)
			return 1;
	}
	watch_want = n;
	while (watch_seen < watch_want && !watch_ended)
		event_base_loop(base, EVLOOP_ONCE);
	printf("%d events\n", watch_seen);
	if (!watch_ended)
		gc_stream_cancel(s);
	return 0;
}

static void
hold_end(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	(void)arg;
	watch_ended = true;
	printf("still open\n");
}

static int
cmd_hold(const char *k)
{
	struct timeval tv = {60, 0};
	struct event *limit = evtimer_new(base, hold_end, NULL);

	if (limit == NULL || watch_open(k) == NULL)
		return 1;
	printf("ready\n");
	fflush(stdout);
	evtimer_add(limit, &tv);
	while (!watch_ended)
		event_base_loop(base, EVLOOP_ONCE);
	event_free(limit);
	return 0;
}

static int
cmd_call(const char *path)
{
	struct gc_result r;

	if (gc_call(client, path, NULL, 0, 5000, &r) != 0)
		return 1;
	print_status(&r);
	return 0;
}

static int
cmd_deadline(void)
{
	uint8_t buf[BUF_BYTES];
	struct gc_result r;

	if (gc_call(client, KV_RANGE, buf, enc_bytes(buf, (uint32_t[]){1},
	    (const char *[]){"k"}, 1), 300, &r) != 0)
		return 1;
	print_status(&r);
	return 0;
}

int
main(int argc, char **argv)
{
	const char *eps[GC_ENDPOINTS_MAX];
	struct gc_options o = {.endpoints = eps};
	char err[256], *list, *tok, *save = NULL;
	int rc = 2;

	if (argc < 4) {
		fprintf(stderr, "usage: gclient_probe ENDPOINTS CONNS COMMAND [ARGS]\n");
		return 2;
	}
	list = xstrdup(argv[1]);
	for (tok = strtok_r(list, ",", &save); tok != NULL && o.nendpoints < GC_ENDPOINTS_MAX;
	    tok = strtok_r(NULL, ",", &save))
		eps[o.nendpoints++] = tok;
	o.conns = (unsigned)atoi(argv[2]);
	o.dial_timeout_ms = 3000;
	o.cert_file = getenv("GC_CERT");
	o.key_file = getenv("GC_KEY");
	o.ca_file = getenv("GC_CA");
	o.insecure_skip_verify = getenv("GC_INSECURE") != NULL;
	o.keepalive_time_ms = getenv("GC_KEEPALIVE") ? (unsigned)atoi(getenv("GC_KEEPALIVE")) : 0;
	o.keepalive_timeout_ms = getenv("GC_KEEPALIVE_TIMEOUT") ?
	    (unsigned)atoi(getenv("GC_KEEPALIVE_TIMEOUT")) : 0;
	if ((base = event_base_new()) == NULL ||
	    (client = gc_client_new(base, &o, err, sizeof(err))) == NULL) {
		fprintf(stderr, "gclient_probe: %s\n", err);
		return 2;
	}
	if (strcmp(argv[3], "put") == 0 && argc == 6)
		rc = cmd_put(argv[4], argv[5]);
	else if (strcmp(argv[3], "get") == 0 && argc == 5)
		rc = cmd_get(argv[4]);
	else if (strcmp(argv[3], "many") == 0 && argc == 5)
		rc = cmd_many(atoi(argv[4]));
	else if (strcmp(argv[3], "watch") == 0 && argc == 6)
		rc = cmd_watch(argv[4], atoi(argv[5]));
	else if (strcmp(argv[3], "call") == 0 && argc == 5)
		rc = cmd_call(argv[4]);
	else if (strcmp(argv[3], "deadline") == 0 && argc == 4)
		rc = cmd_deadline();
	else if (strcmp(argv[3], "hold") == 0 && argc == 5)
		rc = cmd_hold(argv[4]);
	else
		fprintf(stderr, "gclient_probe: unknown command\n");
	gc_client_free(client);
	event_base_free(base);
	free(list);
	return rc;
}
