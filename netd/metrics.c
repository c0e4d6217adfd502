/*
 * netd: the metrics page (see metrics.h). Values are written as Go's
 * Prometheus client writes a float64 (shortest form, an exponent from
 * 1e21 on, or from 1e6 on for whole numbers written as such by Go's 'g').
 */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <stdbool.h>
#include <string.h>

#include "shared/assert.h"
#include "shared/err.h"

#include "netd/grpc.h"
#include "netd/metrics.h"
#include "netd/netd.h"
#include "netd/svc.h"
#include "shared/proc_stats.h"

/* rcore_role's leader (raftd/core.h), as RaftStatus carries it. */
#define ROLE_LEADER 3

/* A float as Go's strconv.FormatFloat(v, 'g', -1, 64), as Prometheus'
 * client writes every value: the shortest digits that read back as v,
 * with an exponent when it is below -4 or from 6 on (1e+06, 2.5e-05). */
static void
metrics_float(char *buf, size_t cap, double v)
{
	char e[40], digits[24], *p;
	int prec, exp, nd = 0;
	size_t o = 0;

	if (v == 0 || !isfinite(v)) {
		snprintf(buf, cap, "%s", v == 0 ? "0" : isnan(v) ? "NaN" : v > 0 ? "+Inf" : "-Inf");
		return;
	}
	for (prec = 0; prec < 17; prec++) {
		snprintf(e, sizeof(e), "%.*e", prec, v);
		if (strtod(e, NULL) == v)
			break;
	}
	/* e is [-]d[.ddd]e±XX: its digits, without trailing zeros, and exponent. */
	for (p = e + (e[0] == '-'); *p != 'e'; p++)
		if (*p != '.')
			digits[nd++] = *p;
	while (nd > 1 && digits[nd - 1] == '0')
		nd--;
	digits[nd] = '\0';
	exp = atoi(p + 1);
	if (v < 0)
		o += (size_t)snprintf(buf + o, cap - o, "-");
	if (exp < -4 || exp >= 6) {
		snprintf(buf + o, cap - o, "%c%s%se%c%02d", digits[0], nd > 1 ? "." : "", digits + 1,
		    exp < 0 ? '-' : '+', exp < 0 ? -exp : exp);
		return;
	}
	if (exp < 0) { /* 0.000ddd */
		o += (size_t)snprintf(buf + o, cap - o, "0.");
		for (int z = 0; z < -exp - 1 && o < cap; z++)
			o += (size_t)snprintf(buf + o, cap - o, "0");
		snprintf(buf + o, cap - o, "%s", digits);
	} else if (nd <= exp + 1) { /* ddd000 */
		o += (size_t)snprintf(buf + o, cap - o, "%s", digits);
		for (int z = 0; z < exp + 1 - nd && o < cap; z++)
			o += (size_t)snprintf(buf + o, cap - o, "0");
	} else { /* dd.ddd */
		snprintf(buf + o, cap - o, "%.*s.%s", exp + 1, digits, digits + exp + 1);
	}
}

/* A whole number, as Go writes it as a float64. */
static void
metrics_value(char *buf, size_t cap, int64_t v)
{
	metrics_float(buf, cap, (double)v);
}

static void
metrics_one(struct evbuffer *out, const char *name, const char *type, const char *help,
    const char *labels, int64_t v)
{
	char value[40];

	metrics_value(value, sizeof(value), v);
	evbuffer_add_printf(out, "# HELP %s %s\n# TYPE %s %s\n%s%s %s\n", name, help, name, type,
	    name, labels, value);
}

/* A counter per member of the peer transport, as etcd's rafthttp
 * CounterVec: a series for each member once it counted something. */
static uint64_t peer_recv(const struct peer_out *p) { return p->recv_bytes; }
static uint64_t peer_sent(const struct peer_out *p) { return p->sent_bytes; }
static uint64_t peer_dropped(const struct peer_out *p) { return p->dropped; }

static void
metrics_peers(struct evbuffer *out, const struct netd *n, const char *name, const char *help,
    const char *label, uint64_t (*get)(const struct peer_out *))
{
	bool head = false;

	for (size_t i = 0; i < n->peers.nout; i++) {
		const struct peer_out *p = &n->peers.out[i];
		uint64_t v = get(p);
		char value[40];

		if (v == 0 || p->id == 0) /* 0: a removed member's slot */
			continue;
		if (!head)
			evbuffer_add_printf(out, "# HELP %s %s\n# TYPE %s counter\n", name, help, name);
		head = true;
		metrics_value(value, sizeof(value), (int64_t)v);
		evbuffer_add_printf(out, "%s{%s=\"%" PRIx64 "\"} %s\n", name, label, p->id, value);
	}
}

/* ---- what netd counts ---------------------------------------------------- */

static size_t
metrics_method_index(const struct grpc_method *m)
{
	size_t n;
	const struct grpc_method *all = grpc_methods_all(&n);

	CAIRN_ASSERT(m >= all && m < all + n);
	return (size_t)(m - all);
}

void
metrics_call_started(struct netd *n, const struct grpc_method *m)
{
	n->metrics.started[metrics_method_index(m)]++;
}

void
metrics_call_handled(struct netd *n, const struct grpc_method *m, unsigned code, double seconds)
{
	size_t i = metrics_method_index(m);

	n->metrics.handled[i][code < METRICS_GRPC_CODES ? code : GRPC_UNKNOWN]++;
	hist_observe(&n->metrics.handling[i], &hist_default_seconds, seconds < 0 ? 0 : seconds);
}

void
metrics_take(struct netd *n, enum cairn_proc from, const cairn_ipc_Metrics *m)
{
	/* The route let only these send it; proc says nothing more. */
	if (from == PROC_SUPERVISOR || from == PROC_RAFTD || from == PROC_STORED)
		n->metrics.of[from] = *m;
}

/* ---- writing ----------------------------------------------------------------- */

static void
metrics_head(struct evbuffer *out, const char *name, const char *type, const char *help)
{
	evbuffer_add_printf(out, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

/* One histogram's series; 'labels' are the others than le, "" or "a=\"b\"". */
static void
metrics_hist(struct evbuffer *out, const char *name, const char *labels,
    const struct hist_bounds *b, const uint64_t *counts, size_t ncounts, double sum,
    uint64_t count)
{
	const char *sep = labels[0] != '\0' ? "," : "";
	uint64_t cum = 0;
	char le[40], v[40];

	for (unsigned i = 0; i < b->n; i++) {
		cum += i < ncounts ? counts[i] : 0;
		snprintf(le, sizeof(le), "%g", b->le[i]);
		metrics_value(v, sizeof(v), (int64_t)cum);
		evbuffer_add_printf(out, "%s_bucket{%s%sle=\"%s\"} %s\n", name, labels, sep, le, v);
	}
	metrics_value(v, sizeof(v), (int64_t)count);
	evbuffer_add_printf(out, "%s_bucket{%s%sle=\"+Inf\"} %s\n", name, labels, sep, v);
	metrics_float(v, sizeof(v), sum);
	evbuffer_add_printf(out, "%s_sum%s%s%s %s\n", name, labels[0] != '\0' ? "{" : "", labels,
	    labels[0] != '\0' ? "}" : "", v);
	metrics_value(v, sizeof(v), (int64_t)count);
	evbuffer_add_printf(out, "%s_count%s%s%s %s\n", name, labels[0] != '\0' ? "{" : "", labels,
	    labels[0] != '\0' ? "}" : "", v);
}

static void
metrics_hist_pb(struct evbuffer *out, const char *name, const char *help,
    const cairn_ipc_Histogram *h)
{
	metrics_head(out, name, "histogram", help);
	metrics_hist(out, name, "", &hist_disk_seconds, h->counts, h->counts_count, h->sum,
	    h->count);
}

/* Go's codes.Code.String(). */
static const char *const grpc_code_names[METRICS_GRPC_CODES] = {"OK", "Canceled", "Unknown",
	"InvalidArgument", "DeadlineExceeded", "NotFound", "AlreadyExists", "PermissionDenied",
	"ResourceExhausted", "FailedPrecondition", "Aborted", "OutOfRange", "Unimplemented",
	"Internal", "Unavailable", "DataLoss", "Unauthenticated"};

/* grpc_method="Put",grpc_service="etcdserverpb.KV",grpc_type="unary" */
static void
metrics_method_labels(const struct grpc_method *m, char *buf, size_t cap)
{
	const char *slash = strrchr(m->path, '/');
	const char *type = m->unary != NULL ? "unary" : (strcmp(slash + 1, "Snapshot") == 0 ||
	    strcmp(slash + 1, "Observe") == 0) ? "server_stream" : "bidi_stream";

	snprintf(buf, cap, "grpc_method=\"%s\",grpc_service=\"%.*s\",grpc_type=\"%s\"",
	    slash + 1, (int)(slash - m->path - 1), m->path + 1, type);
}

/* go-grpc-prometheus's series, every method's from the start. */
static void
metrics_grpc(const struct netd *n, struct evbuffer *out)
{
	size_t len;
	const struct grpc_method *all = grpc_methods_all(&len);
	char labels[256], v[40];

	metrics_head(out, "grpc_server_handled_total", "counter", "Total number of RPCs "
	    "completed on the server, regardless of success or failure.");
	for (size_t i = 0; i < len; i++) {
		metrics_method_labels(&all[i], labels, sizeof(labels));
		for (int c = 0; c < METRICS_GRPC_CODES; c++) {
			metrics_value(v, sizeof(v), (int64_t)n->metrics.handled[i][c]);
			evbuffer_add_printf(out, "grpc_server_handled_total{grpc_code=\"%s\",%s} %s\n",
			    grpc_code_names[c], labels, v);
		}
	}
	metrics_head(out, "grpc_server_handling_seconds", "histogram", "Histogram of response "
	    "latency (seconds) of gRPC that had been application-level handled by the server.");
	for (size_t i = 0; i < len; i++) {
		const struct histogram *h = &n->metrics.handling[i];

		metrics_method_labels(&all[i], labels, sizeof(labels));
		metrics_hist(out, "grpc_server_handling_seconds", labels, &hist_default_seconds,
		    h->counts, hist_default_seconds.n + 1, h->sum, h->count);
	}
	metrics_head(out, "grpc_server_started_total", "counter", "Total number of RPCs started "
	    "on the server.");
	for (size_t i = 0; i < len; i++) {
		metrics_method_labels(&all[i], labels, sizeof(labels));
		metrics_value(v, sizeof(v), (int64_t)n->metrics.started[i]);
		evbuffer_add_printf(out, "grpc_server_started_total{%s} %s\n", labels, v);
	}
}

/* How a member's process_* figure is made of its processes' figures. */
enum proc_fold { FOLD_SUM, FOLD_MIN, FOLD_NETD };

/*
 * process_*: the member as a whole, one series each as etcd's one process
 * reports them (tools read the first process_resident_memory_bytes line,
 * etcdctl check datascale among them, and dashboards sum by member):
 * CPU, fds and memory summed, the earliest start time, the limits netd's
 * (the process that holds the clients' sockets). Each cairn process's own
 * figures as cairn_process_* (label process).
 */
static void
metrics_processes(const struct netd *n, struct evbuffer *out)
{
	static const struct {
		const char *name, *type, *help;
		enum proc_fold fold;
	} fam[] = {
		{"process_cpu_seconds_total", "counter", "Total user and system CPU time spent in "
		    "seconds.", FOLD_SUM},
		{"process_max_fds", "gauge", "Maximum number of open file descriptors.", FOLD_NETD},
		{"process_open_fds", "gauge", "Number of open file descriptors.", FOLD_SUM},
		{"process_resident_memory_bytes", "gauge", "Resident memory size in bytes.",
		    FOLD_SUM},
		{"process_start_time_seconds", "gauge", "Start time of the process since unix epoch "
		    "in seconds.", FOLD_MIN},
		{"process_virtual_memory_bytes", "gauge", "Virtual memory size in bytes.", FOLD_SUM},
		{"process_virtual_memory_max_bytes", "gauge", "Maximum amount of virtual memory "
		    "available in bytes.", FOLD_NETD},
	};
	enum { NFAM = sizeof(fam) / sizeof(fam[0]) };
	cairn_ipc_ProcStats st[PROC_COUNT];
	bool have[PROC_COUNT];
	double x[PROC_COUNT][NFAM];
	char v[40];

	for (int p = 0; p < PROC_COUNT; p++) {
		st[p] = n->metrics.of[p].stats;
		have[p] = n->metrics.of[p].has_stats;
	}
	proc_stats_read(&st[PROC_NETD]);
	have[PROC_NETD] = true;
	for (int p = 0; p < PROC_COUNT; p++) {
		double row[NFAM] = {st[p].cpu_seconds, (double)st[p].max_fds,
		    (double)st[p].open_fds, (double)st[p].resident_bytes, st[p].start_time_seconds,
		    (double)st[p].virtual_bytes, (double)st[p].virtual_max_bytes};

		memcpy(x[p], row, sizeof(row));
	}
	for (size_t f = 0; f < NFAM; f++) {
		double total = x[PROC_NETD][f];

		for (int p = 0; p < PROC_COUNT; p++) {
			if (!have[p] || p == PROC_NETD)
				continue;
			if (fam[f].fold == FOLD_SUM)
				total += x[p][f];
			else if (fam[f].fold == FOLD_MIN && x[p][f] > 0 && x[p][f] < total)
				total = x[p][f];
		}
		metrics_head(out, fam[f].name, fam[f].type, fam[f].help);
		metrics_float(v, sizeof(v), total);
		evbuffer_add_printf(out, "%s %s\n", fam[f].name, v);
	}
	for (size_t f = 0; f < NFAM; f++) {
		char name[64];

		snprintf(name, sizeof(name), "cairn_%s", fam[f].name);
		metrics_head(out, name, fam[f].type, fam[f].help);
		for (int p = 0; p < PROC_COUNT; p++) {
			if (!have[p])
				continue;
			metrics_float(v, sizeof(v), x[p][f]);
			evbuffer_add_printf(out, "%s{process=\"%s\"} %s\n", name, proc_name(p), v);
		}
	}
}

/* etcd's rafthttp prober's histogram, a series per member (label To);
 * raftd measures a heartbeat to its answer. */
static void
metrics_peer_rtt(struct evbuffer *out, const cairn_ipc_Metrics *r)
{
	char labels[40];

	if (r->peer_rtt_count == 0)
		return;
	metrics_head(out, "etcd_network_peer_round_trip_time_seconds", "histogram",
	    "Round-Trip-Time histogram between peers");
	for (pb_size_t i = 0; i < r->peer_rtt_count; i++) {
		const cairn_ipc_Histogram *h = &r->peer_rtt[i].rtt;

		snprintf(labels, sizeof(labels), "To=\"%" PRIx64 "\"", r->peer_rtt[i].to);
		metrics_hist(out, "etcd_network_peer_round_trip_time_seconds", labels,
		    &hist_rtt_seconds, h->counts, h->counts_count, h->sum, h->count);
	}
}

/* raftd's and stored's figures. */
static void
metrics_server(const struct netd *n, struct evbuffer *out)
{
	const cairn_ipc_Metrics *r = &n->metrics.of[PROC_RAFTD], *st = &n->metrics.of[PROC_STORED];
	int64_t quota = n->c->cfg.quota_backend_bytes;

	metrics_hist_pb(out, "etcd_disk_backend_commit_duration_seconds", "The latency "
	    "distributions of commit called by backend.", &st->backend_commit);
	metrics_hist_pb(out, "etcd_disk_wal_fsync_duration_seconds", "The latency distributions "
	    "of fsync called by WAL.", &r->wal_fsync);
	metrics_peer_rtt(out, r);
	metrics_one(out, "etcd_network_client_grpc_received_bytes_total", "counter", "The total "
	    "number of bytes received from grpc clients.", "", (int64_t)n->metrics.received_bytes);
	metrics_one(out, "etcd_network_client_grpc_sent_bytes_total", "counter", "The total "
	    "number of bytes sent to grpc clients.", "", (int64_t)n->metrics.sent_bytes);
	metrics_one(out, "etcd_server_proposals_applied_total", "gauge", "The total number of "
	    "consensus proposals applied.", "", (int64_t)r->proposals_applied);
	metrics_one(out, "etcd_server_proposals_committed_total", "gauge", "The total number of "
	    "consensus proposals committed.", "", (int64_t)r->proposals_committed);
	metrics_one(out, "etcd_server_proposals_failed_total", "counter", "The total number of "
	    "failed proposals seen.", "", (int64_t)r->proposals_failed);
	metrics_one(out, "etcd_server_proposals_pending", "gauge", "The current number of "
	    "pending proposals to commit.", "", (int64_t)r->proposals_pending);
	/* etcd's: its default when 0, -1 for none. */
	metrics_one(out, "etcd_server_quota_backend_bytes", "gauge", "Current backend storage "
	    "quota size in bytes.", "", quota == 0 ? 2147483648LL : quota < 0 ? -1 : quota);
}

void
metrics_write(const struct netd *n, struct evbuffer *out)
{
	char labels[64];

	metrics_server(n, out);
	metrics_grpc(n, out);
	metrics_processes(n, out);

	metrics_one(out, "etcd_cluster_version", "gauge", "Which version is running. 1 for "
	    "'cluster_version' label with current cluster version", "{cluster_version=\"3.4\"}", 1);
	metrics_one(out, "etcd_debugging_mvcc_current_revision", "gauge",
	    "The current revision of store.", "", n->store.revision);
	metrics_one(out, "etcd_mvcc_db_total_size_in_bytes", "gauge", "Total size of the "
	    "underlying database physically allocated in bytes.", "", n->store.db_size);
	metrics_one(out, "etcd_mvcc_db_total_size_in_use_in_bytes", "gauge", "Total size of "
	    "the underlying database logically in use in bytes.", "", n->store.db_size_in_use);
	metrics_peers(out, n, "etcd_network_peer_received_bytes_total", "The total number of "
	    "bytes received from peers.", "From", peer_recv);
	metrics_peers(out, n, "etcd_network_peer_sent_bytes_total", "The total number of bytes "
	    "sent to peers.", "To", peer_sent);
	metrics_peers(out, n, "etcd_network_peer_sent_failures_total", "The total number of send "
	    "failures from peers.", "To", peer_dropped);
	metrics_one(out, "etcd_server_has_leader", "gauge", "Whether or not a leader exists. "
	    "1 is existence, 0 is not.", "", n->raft.leader != 0);
	snprintf(labels, sizeof(labels), "{server_id=\"%016" PRIx64 "\"}", n->raft.member_id);
	metrics_one(out, "etcd_server_id", "gauge", "Server or member ID in hexadecimal format. "
	    "1 for 'server_id' label with current ID.", labels, 1);
	metrics_one(out, "etcd_server_is_leader", "gauge", "Whether or not this member is a "
	    "leader. 1 if is, 0 otherwise.", "", n->raft.role == ROLE_LEADER);
	metrics_one(out, "etcd_server_leader_changes_seen_total", "counter", "The number of "
	    "leader changes seen.", "", (int64_t)n->leader_changes);
	metrics_one(out, "etcd_server_version", "gauge", "Which version is running. 1 for "
	    "'server_version' label with current version.", "{server_version=\"" SVC_ETCD_VERSION
	    "\"}", 1);
}
