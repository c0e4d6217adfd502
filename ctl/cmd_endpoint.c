/*
 * cairnctl: endpoint health, status and hashkv (etcdctl's ep_command.go):
 * each endpoint asked on a connection of its own (--cluster: the client
 * URLs of the member list), the answers as etcdctl 3.4's printers give
 * them, its epHealth, epStatus and epHashKV structs for -w json.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <event2/buffer.h>

#include "ctl/commands.h"
#include "ctl/endpoint.h"
#include "ctl/goquote.h"
#include "ctl/gotext.h"
#include "ctl/humanize.h"
#include "ctl/pb_gojson.h"
#include "ctl/print.h"
#include "ctl/tablew.h"
#include "netd/gw_json.h"
#include "netd/gw_schema.h"
#include "shared/assert.h"
#include "shared/xmalloc.h"

/* StatusResponse, HashKVResponse and the header (rpc.proto). */
enum {
	RESP_HEADER = 1,
	HEADER_MEMBER_ID = 2,
	STATUS_VERSION = 2, STATUS_DB_SIZE = 3, STATUS_LEADER = 4, STATUS_RAFT_INDEX = 5,
	STATUS_RAFT_TERM = 6, STATUS_APPLIED = 7, STATUS_ERRORS = 8, STATUS_LEARNER = 10,
	HASHKV_REV = 1, HASHKV_HASH = 2,
	RANGE_KEY = 1,
	LIST_MEMBERS = 2, MEMBER_CLIENT_URLS = 4,
};

/* The columns of etcdctl's endpoint tables. */
#define EP_HEALTH_COLUMNS 4
#define EP_STATUS_COLUMNS 10
#define EP_HASHKV_COLUMNS 2
/* Room for humanize.Bytes' text. */
#define EP_SIZE_BYTES 32

bool endpoint_cluster;
static int64_t endpoint_hashkv_rev;

struct ctl_flag endpoint_flags[] = {
	{ "cluster", 0, CTL_FLAG_BOOL, "false", "use all endpoints from the cluster member list",
	  &endpoint_cluster, false },
	{ 0 },
};

struct ctl_flag endpoint_hashkv_flags[] = {
	{ "rev", 0, CTL_FLAG_INT64, "0", "maximum revision to hash (default: all revisions)",
	  &endpoint_hashkv_rev, false },
	{ 0 },
};

/* One endpoint's answer (or failure). */
struct endpoint_result {
	char *ep;               /* borrowed from the list */
	bool health;
	char took[GOTEXT_DURATION_BYTES];
	char error[GC_MESSAGE_BYTES_MAX + 128];
	int64_t elapsed_ns;     /* connecting and asking: the order of answers */
	uint8_t *msg;           /* the answer (owned), status and hashkv */
	size_t len;
};

void
endpoint_list_free(struct endpoint_list *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
	l->v = NULL;
	l->n = 0;
}

/* The client URLs of the member list (etcdctl asks it without auth). 0,
 * or -1 with err filled. */
static int
endpoint_from_members(struct endpoint_list *l, char *err, size_t errlen)
{
	struct pbout req = { 0 };
	struct gc_result r;
	struct pbv resp, m;
	size_t off = 0;
	int code;

	code = client_connect((const char *const *)ctl_g.endpoints.v, ctl_g.endpoints.n, false,
	    err, errlen);
	if (code != 0)
		ctl_fail(CTL_EXIT_ERROR, "%s", err);
	if (client_try("/etcdserverpb.Cluster/MemberList", &req, CTL_RETRY_UNAVAILABLE, &r, err,
	    errlen) != 0) {
		client_disconnect();
		return -1;
	}
	resp = pbv_of(r.msg, r.len);
	while (pbv_next(resp, LIST_MEMBERS, &off, &m)) {
		size_t uoff = 0;
		struct pbv u;

		while (pbv_next(m, MEMBER_CLIENT_URLS, &uoff, &u)) {
			char *s = xmalloc(u.n + 1);

			if (u.n > 0)
				memcpy(s, u.p, u.n);
			s[u.n] = '\0';
			l->v = xrealloc(l->v, (l->n + 1) * sizeof(*l->v));
			l->v[l->n++] = s;
		}
	}
	client_disconnect();
	return 0;
}

void
endpoint_targets(struct endpoint_list *l, bool connect)
{
	char err[GC_MESSAGE_BYTES_MAX + 128];

	CAIRN_ASSERT(l->n == 0);
	if (!endpoint_cluster) {
		for (size_t i = 0; i < ctl_g.endpoints.n; i++) {
			l->v = xrealloc(l->v, (l->n + 1) * sizeof(*l->v));
			l->v[l->n++] = xstrdup(ctl_g.endpoints.v[i]);
		}
		if (connect)
			client_open();
		return;
	}
	/* etcdctl connects first (an error there wins), then lists. */
	if (endpoint_from_members(l, err, sizeof(err)) != 0) {
		if (connect)
			client_open();
		ctl_fail(CTL_EXIT_ERROR, "failed to fetch endpoints from etcd cluster member "
		    "list: %s", err);
	}
	if (connect)
		client_open();
}

/* ---- health ------------------------------------------------------------ */

/* One endpoint as epHealthCommandFunc's goroutine does: a client of its
 * own (with auth), Get("health"); "permission denied" is healthy. */
static void
endpoint_health_one(struct endpoint_result *e)
{
	struct pbout req = { 0 };
	struct gc_result r;
	int64_t start = ctl_now_ns(), st;
	const char *eps[1] = { e->ep };
	int code;

	code = client_connect(eps, 1, true, e->error, sizeof(e->error));
	if (code == CTL_EXIT_BAD_ARGS)
		ctl_fail(code, "%s", e->error);
	if (code != 0) {
		e->elapsed_ns = ctl_now_ns() - start;
		return;
	}
	pbout_bytes(&req, RANGE_KEY, "health", strlen("health"));
	st = ctl_now_ns();
	if (client_try("/etcdserverpb.KV/Range", &req, CTL_RETRY_UNAVAILABLE, &r, e->error,
	    sizeof(e->error)) == 0 || strcmp(e->error, "etcdserver: permission denied") == 0) {
		e->health = true;
		e->error[0] = '\0';
	}
	gotext_duration(e->took, sizeof(e->took), ctl_now_ns() - st);
	e->elapsed_ns = ctl_now_ns() - start;
	pbout_close(&req);
	client_disconnect();
}

/* Answers in the order they came (the goroutines' channel): by time. */
static int
endpoint_by_elapsed(const void *a, const void *b)
{
	const struct endpoint_result *x = a, *y = b;

	return (x->elapsed_ns > y->elapsed_ns) - (x->elapsed_ns < y->elapsed_ns);
}

static void
endpoint_json_string(const char *s)
{
	struct evbuffer *b = evbuffer_new();

	CAIRN_ASSERT(b != NULL);
	gwj_string(b, s, strlen(s));
	fwrite(evbuffer_pullup(b, -1), 1, evbuffer_get_length(b), stdout);
	evbuffer_free(b);
}

static void
endpoint_quoted(const char *s)
{
	goquote_write(stdout, (const uint8_t *)s, strlen(s));
}

static void
endpoint_health_table(const struct endpoint_result *res, size_t n)
{
	static const char *const hdr[EP_HEALTH_COLUMNS] = { "endpoint", "health", "took",
		"error" };
	struct tablew *t = tablew_new(EP_HEALTH_COLUMNS, hdr);

	for (size_t i = 0; i < n; i++) {
		const char *row[EP_HEALTH_COLUMNS] = { res[i].ep, res[i].health ? "true" : "false",
			res[i].took, res[i].error };

		tablew_append(t, row);
	}
	tablew_render(t, stdout);
	tablew_free(t);
}

static void
endpoint_health_print(enum ctl_format f, const struct endpoint_result *res, size_t n)
{
	switch (f) {
	case CTL_OUT_SIMPLE:
		for (size_t i = 0; i < n; i++) {
			if (res[i].error[0] == '\0')
				fprintf(stderr, "%s is healthy: successfully committed proposal: "
				    "took = %s\n", res[i].ep, res[i].took);
			else
				fprintf(stderr, "%s is unhealthy: failed to commit proposal: %s\n",
				    res[i].ep, res[i].error);
		}
		return;
	case CTL_OUT_FIELDS:
		for (size_t i = 0; i < n; i++) {
			fputs("\"Endpoint\" : ", stdout);
			endpoint_quoted(res[i].ep);
			printf("\n\"Health\" : %s\n\"Took\" : %s\n\"Error\" : %s\n\n",
			    res[i].health ? "true" : "false", res[i].took, res[i].error);
		}
		return;
	case CTL_OUT_JSON:
		putchar('[');
		for (size_t i = 0; i < n; i++) {
			fputs(i > 0 ? ",{\"endpoint\":" : "{\"endpoint\":", stdout);
			endpoint_json_string(res[i].ep);
			printf(",\"health\":%s,\"took\":", res[i].health ? "true" : "false");
			endpoint_json_string(res[i].took);
			if (res[i].error[0] != '\0') {
				fputs(",\"error\":", stdout);
				endpoint_json_string(res[i].error);
			}
			putchar('}');
		}
		puts("]");
		return;
	case CTL_OUT_TABLE:
		endpoint_health_table(res, n);
		return;
	default:
		print_unsupported(f);
	}
}

int
endpoint_health_run(int argc, char **argv)
{
	struct endpoint_list l = { 0 };
	struct endpoint_result *res;
	enum ctl_format f;
	bool errs = false;

	(void)argc;
	(void)argv;
	client_prepare();
	f = global_format();
	endpoint_targets(&l, false);
	res = xcalloc(l.n + 1, sizeof(*res));
	for (size_t i = 0; i < l.n; i++) {
		res[i].ep = l.v[i];
		endpoint_health_one(&res[i]);
		errs = errs || res[i].error[0] != '\0';
	}
	qsort(res, l.n, sizeof(*res), endpoint_by_elapsed);
	endpoint_health_print(f, res, l.n);
	free(res);
	endpoint_list_free(&l);
	if (errs)
		ctl_fail(CTL_EXIT_ERROR, "unhealthy cluster");
	return CTL_EXIT_SUCCESS;
}

/* ---- status and hashkv ------------------------------------------------- */

/* Asks each endpoint 'path' over a connection to it alone (clientv3's
 * Maintenance dial), keeping the answers; a failure is reported on
 * stderr with etcdctl's words ('what': "status", "hash") and its text
 * kept in last_err. The number of answers. */
static size_t
endpoint_ask_each(const struct endpoint_list *l, const char *path, const struct pbout *req,
    const char *what, struct endpoint_result *res, char *last_err, size_t errlen)
{
	size_t n = 0;

	for (size_t i = 0; i < l->n; i++) {
		char err[GC_MESSAGE_BYTES_MAX + 128];
		struct gc_result r;
		int rc = client_dial(l->v[i], err, sizeof(err));

		if (rc == 0) {
			rc = client_try(path, req, CTL_RETRY_UNAVAILABLE, &r, err, sizeof(err));
			/* The answer is the dialled connection's: kept before it goes. */
			if (rc == 0) {
				res[n].ep = l->v[i];
				res[n].msg = xmalloc(r.len + 1);
				if (r.len > 0)
					memcpy(res[n].msg, r.msg, r.len);
				res[n++].len = r.len;
			}
			client_undial();
		}
		if (rc == 0)
			continue;
		fprintf(stderr, "Failed to get the %s of endpoint %s (%s)\n", what, l->v[i], err);
		snprintf(last_err, errlen, "%s", err);
	}
	return n;
}

/* "name":<the message as etcdctl's json prints it>. */
static void
endpoint_json_pb(const char *msg, const struct endpoint_result *e)
{
	const struct pbs_message *m = pbs_message_find(&pbs_etcd, msg);

	CAIRN_ASSERT(m != NULL);
	if (pb_gojson_write(stdout, &pbs_etcd, m, e->msg, e->len) != 0)
		ctl_fail(CTL_EXIT_ERROR, "malformed %s from the server", msg);
}

/* Each answer as {"Endpoint":...,"<key>":<msg>}, in a list. */
static void
endpoint_json_list(const struct endpoint_result *res, size_t n, const char *key,
    const char *msg)
{
	putchar('[');
	for (size_t i = 0; i < n; i++) {
		fputs(i > 0 ? ",{\"Endpoint\":" : "{\"Endpoint\":", stdout);
		endpoint_json_string(res[i].ep);
		printf(",\"%s\":", key);
		endpoint_json_pb(msg, &res[i]);
		putchar('}');
	}
	puts("]");
}

/* makeEndpointStatusTable's row (cells owned by the caller). */
static void
endpoint_status_row(const struct endpoint_result *e, char **row)
{
	struct pbv r = pbv_of(e->msg, e->len), s;
	uint64_t id = pbv_varint(pbv_bytes(r, RESP_HEADER), HEADER_MEMBER_ID);
	char size[EP_SIZE_BYTES];
	size_t off = 0;
	char *errs = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&errs, &len);

	CAIRN_ASSERT(out != NULL);
	for (bool first = true; pbv_next(r, STATUS_ERRORS, &off, &s); first = false) {
		if (!first)
			fputs(", ", out);
		if (s.n > 0)
			fwrite(s.p, 1, s.n, out);
	}
	fclose(out);
	humanize_bytes(size, sizeof(size), pbv_varint(r, STATUS_DB_SIZE));
	row[0] = xstrdup(e->ep);
	if (asprintf(&row[1], "%" PRIx64, id) < 0)
		CAIRN_ASSERT(0);
	s = pbv_bytes(r, STATUS_VERSION);
	row[2] = xmalloc(s.n + 1);
	if (s.n > 0)
		memcpy(row[2], s.p, s.n);
	row[2][s.n] = '\0';
	row[3] = xstrdup(size);
	row[4] = xstrdup(pbv_varint(r, STATUS_LEADER) == id ? "true" : "false");
	row[5] = xstrdup(pbv_varint(r, STATUS_LEARNER) != 0 ? "true" : "false");
	if (asprintf(&row[6], "%" PRIu64, pbv_varint(r, STATUS_RAFT_TERM)) < 0 ||
	    asprintf(&row[7], "%" PRIu64, pbv_varint(r, STATUS_RAFT_INDEX)) < 0 ||
	    asprintf(&row[8], "%" PRIu64, pbv_varint(r, STATUS_APPLIED)) < 0)
		CAIRN_ASSERT(0);
	row[9] = errs;
}

static void
endpoint_status_fields(const struct endpoint_result *e)
{
	struct pbv r = pbv_of(e->msg, e->len), s;
	size_t off = 0;

	print_fields_header(pbv_bytes(r, RESP_HEADER));
	s = pbv_bytes(r, STATUS_VERSION);
	fputs("\"Version\" : ", stdout);
	goquote_write(stdout, s.p, s.n);
	printf("\n\"DBSize\" : %" PRId64 "\n", (int64_t)pbv_varint(r, STATUS_DB_SIZE));
	printf("\"Leader\" : %" PRIu64 "\n", pbv_varint(r, STATUS_LEADER));
	printf("\"IsLearner\" : %s\n", pbv_varint(r, STATUS_LEARNER) != 0 ? "true" : "false");
	printf("\"RaftIndex\" : %" PRIu64 "\n", pbv_varint(r, STATUS_RAFT_INDEX));
	printf("\"RaftTerm\" : %" PRIu64 "\n", pbv_varint(r, STATUS_RAFT_TERM));
	printf("\"RaftAppliedIndex\" : %" PRIu64 "\n", pbv_varint(r, STATUS_APPLIED));
	/* fmt.Println of a []string: [a b]. */
	fputs("\"Errors\" : [", stdout);
	for (bool first = true; pbv_next(r, STATUS_ERRORS, &off, &s); first = false) {
		if (!first)
			putchar(' ');
		if (s.n > 0)
			fwrite(s.p, 1, s.n, stdout);
	}
	fputs("]\n\"Endpoint\" : ", stdout);
	endpoint_quoted(e->ep);
	fputs("\n\n", stdout);
}

static void
endpoint_status_print(enum ctl_format f, const struct endpoint_result *res, size_t n)
{
	static const char *const hdr[EP_STATUS_COLUMNS] = { "endpoint", "ID", "version",
		"db size", "is leader", "is learner", "raft term", "raft index",
		"raft applied index", "errors" };
	struct tablew *t = f == CTL_OUT_TABLE ? tablew_new(EP_STATUS_COLUMNS, hdr) : NULL;

	if (f == CTL_OUT_JSON) {
		endpoint_json_list(res, n, "Status", "etcdserverpb.StatusResponse");
		return;
	}
	if (f == CTL_OUT_PROTOBUF)
		print_unsupported(f);
	for (size_t i = 0; i < n; i++) {
		char *row[EP_STATUS_COLUMNS];

		if (f == CTL_OUT_FIELDS) {
			endpoint_status_fields(&res[i]);
			continue;
		}
		endpoint_status_row(&res[i], row);
		if (t != NULL)
			tablew_append(t, (const char *const *)row);
		else
			printf("%s, %s, %s, %s, %s, %s, %s, %s, %s, %s\n", row[0], row[1], row[2],
			    row[3], row[4], row[5], row[6], row[7], row[8], row[9]);
		for (size_t k = 0; k < EP_STATUS_COLUMNS; k++)
			free(row[k]);
	}
	if (t != NULL) {
		tablew_render(t, stdout);
		tablew_free(t);
	}
}

static void
endpoint_results_free(struct endpoint_result *res, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(res[i].msg);
	free(res);
}

int
endpoint_status_run(int argc, char **argv)
{
	struct endpoint_list l = { 0 };
	struct endpoint_result *res;
	struct pbout req = { 0 };
	char err[GC_MESSAGE_BYTES_MAX + 128] = "";
	enum ctl_format f;
	size_t n;

	(void)argc;
	(void)argv;
	client_prepare();
	f = global_format();
	endpoint_targets(&l, true);
	res = xcalloc(l.n + 1, sizeof(*res));
	n = endpoint_ask_each(&l, "/etcdserverpb.Maintenance/Status", &req, "status", res, err,
	    sizeof(err));
	endpoint_status_print(f, res, n);
	endpoint_results_free(res, n);
	endpoint_list_free(&l);
	client_close();
	/* etcdctl exits 1 without a word of its own. */
	return err[0] != '\0' ? CTL_EXIT_ERROR : CTL_EXIT_SUCCESS;
}

static void
endpoint_hashkv_print(enum ctl_format f, const struct endpoint_result *res, size_t n)
{
	static const char *const hdr[EP_HASHKV_COLUMNS] = { "endpoint", "hash" };
	struct tablew *t;

	switch (f) {
	case CTL_OUT_SIMPLE:
		for (size_t i = 0; i < n; i++)
			printf("%s, %" PRIu32 "\n", res[i].ep,
			    (uint32_t)pbv_varint(pbv_of(res[i].msg, res[i].len), HASHKV_HASH));
		return;
	case CTL_OUT_FIELDS:
		for (size_t i = 0; i < n; i++) {
			struct pbv r = pbv_of(res[i].msg, res[i].len);

			print_fields_header(pbv_bytes(r, RESP_HEADER));
			fputs("\"Endpoint\" : ", stdout);
			endpoint_quoted(res[i].ep);
			printf("\n\"Hash\" : %" PRIu32 "\n\n",
			    (uint32_t)pbv_varint(r, HASHKV_HASH));
		}
		return;
	case CTL_OUT_JSON:
		endpoint_json_list(res, n, "HashKV", "etcdserverpb.HashKVResponse");
		return;
	case CTL_OUT_TABLE:
		t = tablew_new(EP_HASHKV_COLUMNS, hdr);
		for (size_t i = 0; i < n; i++) {
			char hash[sizeof("4294967295")];
			const char *row[EP_HASHKV_COLUMNS] = { res[i].ep, hash };

			snprintf(hash, sizeof(hash), "%" PRIu32,
			    (uint32_t)pbv_varint(pbv_of(res[i].msg, res[i].len), HASHKV_HASH));
			tablew_append(t, row);
		}
		tablew_render(t, stdout);
		tablew_free(t);
		return;
	default:
		print_unsupported(f);
	}
}

int
endpoint_hashkv_run(int argc, char **argv)
{
	struct endpoint_list l = { 0 };
	struct endpoint_result *res;
	struct pbout req = { 0 };
	char err[GC_MESSAGE_BYTES_MAX + 128] = "";
	enum ctl_format f;
	size_t n;

	(void)argc;
	(void)argv;
	client_prepare();
	f = global_format();
	endpoint_targets(&l, true);
	if (endpoint_hashkv_rev != 0)
		pbout_varint(&req, HASHKV_REV, (uint64_t)endpoint_hashkv_rev);
	res = xcalloc(l.n + 1, sizeof(*res));
	n = endpoint_ask_each(&l, "/etcdserverpb.Maintenance/HashKV", &req, "hash", res, err,
	    sizeof(err));
	pbout_close(&req);
	endpoint_hashkv_print(f, res, n);
	endpoint_results_free(res, n);
	endpoint_list_free(&l);
	client_close();
	if (err[0] != '\0')
		ctl_fail(CTL_EXIT_ERROR, "%s", err);
	return CTL_EXIT_SUCCESS;
}
