/*
 * raftd: this member's Raft node; see node.h.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "raftd/alloc_heap.h"
#include "raftd/node.h"
#include "raftd/wal_fs_posix.h"
#include "shared/assert.h"
#include "shared/chan.h"
#include "shared/entry_envelope.h"
#include "shared/err.h"
#include "shared/frame.h"
#include "shared/raft_peer.h"
#include "shared/log.h"
#include "shared/xmalloc.h"

#define RAFTD_WAL_DIR "member/wal"

static void
log_field_id(struct log_fields *f, const char *key, uint64_t id)
{
	char buf[20];

	snprintf(buf, sizeof(buf), "%llx", (unsigned long long)id);
	log_field_str(f, key, buf);
}

int
raftd_node_prepare(struct raftd_node *n, struct child *c)
{
	char path[sizeof(c->cfg.data_dir) + sizeof(RAFTD_WAL_DIR) + 1];
	int rc;

	memset(n, 0, sizeof(*n));
	n->child = c;
	c->state = n;
	snprintf(path, sizeof(path), "%s/%s", c->cfg.data_dir, RAFTD_WAL_DIR);
	wal_fs_posix_new(&n->fs, path);
	rc = wal_fs_posix_prepare(&n->fs, c->cfg.drop_privs, c->cfg.uid, c->cfg.gid);
	if (rc != 0)
		log_warnx("cannot prepare the WAL directory %s", path);
	return rc;
}

/* Entry bytes per append: etcd's 1 MiB, or less if the ring is smaller
 * (one larger entry still goes alone: the supervisor made the ring hold
 * one of --max-request-bytes). */
static uint32_t
raftd_msg_bytes(uint32_t ring_bytes)
{
	uint64_t room = ring_bytes - frame_ring_bytes(RAFT_PEER_MSG_OVERHEAD_BYTES);

	return room < RCORE_MSG_BYTES_DEFAULT ? (uint32_t)room : RCORE_MSG_BYTES_DEFAULT;
}

/* etcd's ElectionTick: the election timeout in heartbeats. */
static struct rcore_config
raftd_core_config(const cairn_ipc_RaftConfig *rc, uint32_t ring_bytes, uint64_t member_id)
{
	struct rcore_config cfg = {
		.id = member_id,
		.heartbeat_ticks = 1,
		.election_ticks = rc->election_ms / rc->heartbeat_ms,
		.seed = member_id ^ (uint64_t)getpid(),
		.check_quorum = true, /* as etcd's server always sets */
		.pre_vote = rc->pre_vote,
		.max_entry_bytes = rc->max_request_bytes > 0 ?
		    rc->max_request_bytes + RAFT_ENTRY_ENVELOPE_BYTES : 0,
		.max_msg_bytes = raftd_msg_bytes(ring_bytes),
		.catchup_entries = rc->catchup_entries, /* 0: the core's default */
		.alloc = alloc_heap,
	};

	if (cfg.election_ticks < 2)
		cfg.election_ticks = 2;
	return cfg;
}

/* The membership to start from when the WAL has no snapshot: the
 * bootstrap members the supervisor computed from --initial-cluster. */
static void
raftd_bootstrap_conf(const cairn_ipc_RaftConfig *rc, struct raft_conf *conf)
{
	memset(conf, 0, sizeof(*conf));
	for (pb_size_t i = 0; i < rc->members_count && i < RAFT_MEMBERS_MAX; i++)
		conf->m[conf->n++].id = rc->members[i];
}

static void
raftd_log_recovered(const struct wal_recovered *rec)
{
	struct log_fields f;

	log_fields_init(&f);
	log_field_int(&f, "term", (long long)rec->hs.term);
	log_field_int(&f, "commit", (long long)rec->hs.commit);
	log_field_int(&f, "snapshot-index", (long long)rec->snap.index);
	log_field_int(&f, "entries", (long long)rec->entries_n);
	log_infof(&f, "recovered the WAL");
}

/* Opens the WAL, or creates it for a new member. As with etcd, an
 * existing WAL says who this member is; the bootstrap flags then do not
 * matter (they may have changed, or be absent). */
static int
raftd_open_wal(struct raftd_node *n, struct wal_recovered *rec)
{
	const cairn_ipc_RaftConfig *rc = &n->child->cfg.raft;
	struct raft_identity id = {.cluster_id = rc->cluster_id, .member_id = rc->member_id};
	char err[WAL_ERR_BYTES_MAX];
	int r = wal_open(&n->fs, NULL, &n->wal, rec, err, sizeof(err));

	if (r == CAIRN_ENOENT) {
		if (rc->member_id == 0 || (rc->members_count == 0 && !rc->join)) {
			log_warnx("no WAL and no bootstrap membership from the supervisor");
			return CAIRN_EINVAL;
		}
		log_info("creating a new WAL");
		rec->id = id;
		/* The bootstrap membership goes in as a marker at index 0, so
		 * that the WAL alone says who the members are from then on. A
		 * member that joins a running cluster starts with none: the
		 * leader's snapshot brings it (raftd/core_replicate.c). */
		if (!rc->join)
			raftd_bootstrap_conf(rc, &rec->snap.conf);
		if ((r = wal_create(&n->fs, &id, NULL, &n->wal)) == 0 &&
		    (r = wal_append_snapshot(n->wal, &rec->snap)) == 0)
			r = raftd_wal_sync(n);
		return r;
	}
	if (r == CAIRN_ECORRUPT)
		log_warnx("%s", err);
	if (r != 0)
		return r;
	if (rc->member_id != 0 && rec->id.member_id != id.member_id)
		log_info("the WAL's member ID %llx stands; the flags would make %llx",
		    (unsigned long long)rec->id.member_id, (unsigned long long)id.member_id);
	raftd_log_recovered(rec);
	return 0;
}

static void
raftd_tick(evutil_socket_t fd, short what, void *arg)
{
	struct raftd_node *n = arg;

	(void)fd;
	(void)what;
	n->ticks++;
	rcore_tick(&n->core);
	raftd_hold_tick(n);
	raftd_netd_reads_tick(n);
	raftd_netd_transfer_tick(n);
	raftd_node_flush(n);
}

/* etcd's request timeout (5 s + 2 election timeouts), in ticks. */
static unsigned
raftd_request_ticks(const cairn_ipc_RaftConfig *rc)
{
	return (5000 + 2 * rc->election_ms) / rc->heartbeat_ms;
}

/* What the node keeps beside the core, from the configuration. */
static void
raftd_node_setup(struct raftd_node *n, const cairn_ipc_RaftConfig *rc)
{
	n->max_request_bytes = rc->max_request_bytes > 0 ? rc->max_request_bytes :
	    RAFT_ENTRY_BYTES_MAX - RAFT_ENTRY_ENVELOPE_BYTES;
	n->prop_buf = xmalloc(ENTRY_ENVELOPE_BYTES + (size_t)n->max_request_bytes);
	n->request_ticks = raftd_request_ticks(rc);
	n->snapshot_count = rc->snapshot_count > 0 ? rc->snapshot_count :
	    RAFTD_SNAPSHOT_COUNT_DEFAULT;
	n->status.role = n->core.role;
	n->status.term = n->core.hs.term;
	n->status.leader = n->core.leader;
}

int
raftd_node_start(struct raftd_node *n)
{
	const cairn_ipc_RaftConfig *rc = &n->child->cfg.raft;
	struct rcore_config cfg;
	struct rcore_start start;
	struct wal_recovered rec;
	struct timeval tv = {rc->heartbeat_ms / 1000, (rc->heartbeat_ms % 1000) * 1000};
	int r;

	if (rc->heartbeat_ms == 0 || rc->election_ms == 0) {
		log_warnx("no Raft timings from the supervisor");
		return CAIRN_EINVAL;
	}
	memset(&rec, 0, sizeof(rec));
	if ((r = raftd_open_wal(n, &rec)) != 0) {
		wal_recovered_free(&rec);
		log_warnx("cannot open the WAL: %s", err_str(r));
		return r;
	}
	cfg = raftd_core_config(rc, n->child->cfg.ring_bytes, rec.id.member_id);
	start = (struct rcore_start){.hs = rec.hs, .snap.meta = rec.snap, .ents = rec.entries,
	    .n = rec.entries_n, .applied = rec.snap.index};
	n->cluster_id = rec.id.cluster_id;
	n->hs_synced = rec.hs;
	r = rcore_init(&n->core, &cfg, &start);
	wal_recovered_free(&rec);
	if (r != 0) {
		log_warnx("the Raft core refuses what the WAL holds: %s", err_str(r));
		return r;
	}
	raftd_node_setup(n, rc);
	peer_msg_init(&n->pm);
	n->tick_ev = event_new(n->child->base, -1, EV_PERSIST, raftd_tick, n);
	if (n->tick_ev == NULL || event_add(n->tick_ev, &tv) == -1)
		fatalx("cannot start the Raft clock");
	return 0;
}

/* Logs changes of role and leader, as etcd's raft does. */
static void
raftd_log_role(struct raftd_node *n, const struct rcore_update *u)
{
	struct log_fields f;

	if (u->role == n->role && u->leader == n->leader)
		return;
	log_fields_init(&f);
	log_field_id(&f, "member-id", n->core.cfg.id);
	log_field_int(&f, "term", (long long)u->hs.term);
	if (u->leader != 0)
		log_field_id(&f, "leader", u->leader);
	if (u->role == RCORE_LEADER && n->role != RCORE_LEADER)
		log_infof(&f, "became leader");
	else if (u->leader == 0)
		log_infof(&f, "no leader");
	else if (u->leader != n->leader)
		log_infof(&f, "leader changed");
	n->role = u->role;
	n->leader = u->leader;
}

int
raftd_wal_sync(struct raftd_node *n)
{
	struct timespec start;
	int r;

	clock_gettime(CLOCK_MONOTONIC, &start);
	r = wal_sync(n->wal);
	hist_observe_since(&n->wal_fsync, &hist_disk_seconds, &start);
	return r;
}

/* The slot of member id, taken if new (the oldest slots are members
 * removed since: reused once all are taken). */
static struct raftd_rtt *
raftd_rtt_slot(struct raftd_node *n, uint64_t id)
{
	struct raftd_rtt *free_slot = NULL;

	for (size_t i = 0; i < RCORE_MEMBERS_MAX; i++) {
		if (n->rtt[i].id == id)
			return &n->rtt[i];
		if (n->rtt[i].id == 0 && free_slot == NULL)
			free_slot = &n->rtt[i];
	}
	if (free_slot == NULL)
		return NULL;
	*free_slot = (struct raftd_rtt){.id = id};
	return free_slot;
}

void
raftd_rtt_sent(struct raftd_node *n, uint64_t to)
{
	struct raftd_rtt *r = raftd_rtt_slot(n, to);

	if (r == NULL)
		return;
	clock_gettime(CLOCK_MONOTONIC, &r->sent);
	r->waiting = true;
}

void
raftd_rtt_answered(struct raftd_node *n, uint64_t from)
{
	struct raftd_rtt *r = raftd_rtt_slot(n, from);

	if (r == NULL || !r->waiting)
		return;
	r->waiting = false;
	hist_observe_since(&r->h, &hist_rtt_seconds, &r->sent);
}

void
raftd_node_metrics(const struct raftd_node *n, cairn_ipc_Metrics *m)
{
	uint64_t last = rlog_last_index(&n->core.log);

	m->proposals_committed = n->core.hs.commit;
	m->proposals_applied = n->core.applied;
	m->proposals_pending = last > n->core.hs.commit ? last - n->core.hs.commit : 0;
	m->proposals_failed = n->proposals_failed;
	m->has_wal_fsync = true;
	hist_to_pb(&n->wal_fsync, &hist_disk_seconds, &m->wal_fsync);
	CAIRN_STATIC_ASSERT(sizeof(m->peer_rtt) / sizeof(m->peer_rtt[0]) >= RCORE_MEMBERS_MAX,
	    "a round trip histogram for each member");
	for (size_t i = 0; i < RCORE_MEMBERS_MAX; i++) {
		if (n->rtt[i].id == 0 || n->rtt[i].h.count == 0)
			continue;
		m->peer_rtt[m->peer_rtt_count].to = n->rtt[i].id;
		m->peer_rtt[m->peer_rtt_count].has_rtt = true;
		hist_to_pb(&n->rtt[i].h, &hist_rtt_seconds, &m->peer_rtt[m->peer_rtt_count].rtt);
		m->peer_rtt_count++;
	}
}

/*
 * Persists what the update says, with one fdatasync (group commit). A
 * hard state whose term and vote are unchanged (a new commit index only)
 * is written without one, as etcd's raft (MustSync): the entries it
 * commits are durable already, and a commit index lost in a crash is
 * learnt again (stored skips what it applied). The next fdatasync takes
 * it along. A failed write or sync is never retried: the process exits
 * and recovers from what is on disk (an fsync error may have lost pages).
 */
static void
raftd_persist(struct raftd_node *n, const struct rcore_update *u)
{
	bool sync = u->snapshot != NULL || u->n > 0;
	int r = 0;

	if (u->snapshot == NULL && u->n == 0 && !u->hs_changed)
		return;
	if (u->snapshot != NULL)
		r = wal_append_snapshot(n->wal, &u->snapshot->meta);
	if (r == 0 && u->n > 0)
		r = wal_append_entries(n->wal, u->entries, u->n);
	if (r == 0 && u->hs_changed) {
		r = wal_append_hardstate(n->wal, &u->hs);
		sync = sync || u->hs.term != n->hs_synced.term || u->hs.vote != n->hs_synced.vote;
	}
	if (r == 0 && sync && (r = raftd_wal_sync(n)) == 0)
		n->hs_synced = u->hs;
	if (r != 0)
		fatalx("cannot write the WAL: %s", err_str(r));
}

/* Committed entries are not handed over here: stored takes them from
 * the log at its own pace (node_stored.c), after the update is durable. */
static void
raftd_node_drive(struct raftd_node *n)
{
	while (rcore_has_update(&n->core)) {
		struct rcore_update u;

		rcore_update(&n->core, &u);
		/* A leader sends before its own fdatasync, so that followers
		 * write in parallel with it (Raft's thesis, 10.2.1): it counts
		 * itself for commitment only once durable (rcore_advance). A
		 * follower or candidate answers only after: its answers promise
		 * what it wrote. */
		if (u.role == RCORE_LEADER)
			raftd_netd_send_msgs(n, u.msgs, u.nmsgs);
		raftd_persist(n, &u);
		if (u.role != RCORE_LEADER)
			raftd_netd_send_msgs(n, u.msgs, u.nmsgs);
		if (u.snapshot != NULL)
			raftd_stored_installed(n);
		raftd_netd_reads_done(n, u.reads, u.nreads);
		raftd_netd_refused(n, u.refused, u.nrefused);
		raftd_log_role(n, &u);
		rcore_advance(&n->core, &u);
		for (size_t i = 0; i < n->nsnap_failed; i++)
			rcore_snapshot_status(&n->core, n->snap_failed[i], false);
		n->nsnap_failed = 0;
	}
}

void
raftd_node_flush(struct raftd_node *n)
{
	raftd_hold_release(n);
	raftd_netd_reads_start(n);
	raftd_node_drive(n);
	raftd_stored_pump(n);
	raftd_stored_compact(n);
	raftd_netd_flush_replies(n);
	raftd_status_flush(n);
}

static int
raftd_peer_recv(struct raftd_node *n, const cairn_ipc_RaftMsg *in)
{
	const char *why;

	if (peer_msg_decode(in, n->core.cfg.id, &n->pm, &why) != 0) {
		log_warnx("refusing a peer message from netd: %s", why);
		return CAIRN_EPROTO;
	}
	if (n->pm.m.type == RMSG_HEARTBEAT_RESP)
		raftd_rtt_answered(n, n->pm.m.from);
	rcore_step(&n->core, &n->pm.m);
	return 0;
}

/* The route table lets each type through only from its sender. */
int
raftd_node_frame(struct raftd_node *n, enum cairn_proc from, const struct chan_msg *m)
{
	switch (m->hdr.type) {
	case cairn_ipc_IPC_RAFTD_PEER_RECV:
		return raftd_peer_recv(n, &m->body.raft);
	case cairn_ipc_IPC_RAFTD_PROPOSAL_SEND:
		/* stored's (lease expiry) want no reply: it proposes again. */
		return raftd_netd_propose(n, from == PROC_NETD ? m->hdr.id : 0, &m->body.proposal,
		    from == PROC_NETD);
	case cairn_ipc_IPC_RAFTD_READ_INDEX_GET:
		raftd_netd_read(n, m->hdr.id);
		return 0;
	case cairn_ipc_IPC_RAFTD_TRANSFER_GET:
		raftd_netd_transfer(n, m->hdr.id, m->body.transfer.to);
		return 0;
	case cairn_ipc_IPC_RAFTD_CONF_SEND:
		raftd_netd_propose_conf(n, m->hdr.id, &m->body.conf);
		return 0;
	case cairn_ipc_IPC_RAFTD_SNAPSHOT_STATUS:
		/* netd's word on a snapshot: sent whole, the leader probes from
		 * after it; not, it sends another after a heartbeat's answer. */
		rcore_snapshot_status(&n->core, m->body.snap_status.to, m->body.snap_status.ok);
		return 0;
	case cairn_ipc_IPC_RAFTD_APPLY_RESUME:
		return raftd_stored_resume(n, &m->body.applied);
	case cairn_ipc_IPC_RAFTD_APPLIED_SET:
		return raftd_stored_progress(n, &m->body.applied);
	default:
		log_warnx("unexpected %s from %s", ipc_type_name(m->hdr.type), proc_name(from));
		return CAIRN_EPROTO;
	}
}

void
raftd_node_peer_up(struct raftd_node *n, enum cairn_proc peer)
{
	if (peer == PROC_NETD)
		raftd_netd_reset(n);
	if (peer == PROC_STORED)
		n->stored_ready = n->stored_installing = false;
	n->status_due[peer] = true;
	raftd_status_flush(n);
}

void
raftd_node_stop(struct raftd_node *n)
{
	if (n->tick_ev != NULL)
		event_free(n->tick_ev);
	n->tick_ev = NULL;
	if (n->wal != NULL) {
		rcore_close(&n->core);
		wal_close(n->wal);
		peer_msg_close(&n->pm);
	}
	n->wal = NULL;
	raftd_hold_reset(n);
	free(n->prop_buf);
	n->prop_buf = NULL;
	wal_fs_posix_free(&n->fs);
}
