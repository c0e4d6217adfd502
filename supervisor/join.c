/*
 * supervisor: joining a running cluster (--initial-cluster-state existing
 * and no WAL yet), as etcd's NewServer does: netd alone asks the other
 * members' peer URLs for the cluster's membership (netd/peer_join.h);
 * with its answer the supervisor checks --initial-cluster against it and
 * takes the cluster's IDs (members_join_assign), then starts a new netd,
 * raftd (a WAL with no membership: the leader's snapshot brings it) and
 * stored. The answer came through netd, so it is checked as hostile: the
 * IPC bounds hold, and a member list that does not match --initial-cluster
 * stops the member with etcd's error.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "shared/log.h"
#include "supervisor/join.h"
#include "supervisor/supervisor.h"

/* The remote members as members_join_assign takes them. */
static size_t
join_remote(const cairn_ipc_JoinInfo *info, struct member *remote)
{
	size_t n = 0;

	for (pb_size_t i = 0; i < info->members_count && n < RAFT_MEMBERS_MAX; i++) {
		const cairn_ipc_BootstrapMember *b = &info->members[i];
		struct member *m = &remote[n++];

		memset(m, 0, sizeof(*m));
		m->id = b->id;
		snprintf(m->name, sizeof(m->name), "%s", b->name);
		for (pb_size_t u = 0; u < b->peer_urls_count && u < MEMBER_URLS_MAX; u++)
			snprintf(m->urls[m->urls_len++], sizeof(m->urls[0]), "%s", b->peer_urls[u]);
		members_sort_urls(m);
	}
	return n;
}

/* As etcd stops: a fatal "discovery failed" with the error. */
static void
join_fail(struct supervisor *s, const char *err)
{
	struct log_fields f;

	log_fields_init(&f);
	log_field_str(&f, "error", err);
	log_errorxf(&f, "discovery failed");
	loop_stop(s, 1);
}

void
join_answer(struct supervisor *s, const cairn_ipc_JoinInfo *info)
{
	static struct member remote[RAFT_MEMBERS_MAX];
	struct sup_child *netd = &s->children[PROC_NETD];
	char err[1024];
	struct log_fields f;
	size_t n;

	if (!s->joining || s->stopping)
		return;
	s->joining = false;
	if (info->members_count == 0) {
		join_fail(s, "cannot fetch cluster info from peer urls: could not retrieve cluster "
		    "information from the given URLs");
		return;
	}
	n = join_remote(info, remote);
	if (info->cluster_id == 0 ||
	    members_join_assign(s->ms, remote, n, info->cluster_id, err, sizeof(err)) != 0) {
		join_fail(s, info->cluster_id == 0 ? "cannot fetch cluster info from peer urls: "
		    "no cluster ID" : err);
		return;
	}
	snprintf(err, sizeof(err), "%llx", (unsigned long long)s->ms->cluster_id);
	log_fields_init(&f);
	log_field_str(&f, "cluster-id", err);
	snprintf(err, sizeof(err), "%llx", (unsigned long long)s->ms->m[s->ms->self].id);
	log_field_str(&f, "local-member-id", err);
	log_infof(&f, "joining the running cluster");
	s->join = true;
	supervisor_configure_children(s);
	/* A new netd, configured with the cluster's IDs: the old one exits
	 * (loop.c starts the new one at once), raftd and stored start now. */
	s->join_netd_restart = true;
	if (netd->pid != 0 && kill(netd->pid, SIGTERM) != 0)
		log_warn("cannot stop the netd that asked");
	for (int p = PROC_RAFTD; p < PROC_COUNT && !s->stopping; p++)
		if (spawn_child(s, (enum cairn_proc)p) != 0)
			loop_stop(s, 1);
}
