/*
 * netd: the metrics page (see metrics.h). Values are written as Go's
 * Prometheus client writes a float64 (shortest form, an exponent from
 * 1e21 on, or from 1e6 on for whole numbers written as such by Go's 'g').
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "netd/metrics.h"
#include "netd/netd.h"
#include "netd/svc.h"

/* rcore_role's leader (raftd/core.h), as RaftStatus carries it. */
#define ROLE_LEADER 3

/* A whole number as Go's strconv.FormatFloat(v, 'g', -1, 64): digits up
 * to 6 of them before the point, else d.ddde+XX without trailing zeros. */
static void
metrics_value(char *buf, size_t cap, int64_t v)
{
	char digits[32];
	int n, exp, last;

	if (v > -1000000 && v < 1000000) {
		snprintf(buf, cap, "%" PRId64, v);
		return;
	}
	n = snprintf(digits, sizeof(digits), "%" PRIu64, (uint64_t)(v < 0 ? -v : v));
	exp = n - 1;
	for (last = n - 1; last > 0 && digits[last] == '0'; last--)
		;
	snprintf(buf, cap, "%s%c%s%.*s", v < 0 ? "-" : "", digits[0], last > 0 ? "." : "",
	    last, digits + 1);
	snprintf(buf + strlen(buf), cap - strlen(buf), "e+%02d", exp);
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

void
metrics_write(const struct netd *n, struct evbuffer *out)
{
	char labels[64];

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
