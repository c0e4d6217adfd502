/*
 * stored: the storage process's node (see node.h): opening the store,
 * timers, and the frames from raftd.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <pb_decode.h>

#include "stored/node.h"
#include "stored/node_apply.h"
#include "stored/node_auth.h"
#include "stored/node_lease.h"
#include "stored/node_maint.h"
#include "stored/node_members.h"
#include "stored/node_read.h"
#include "stored/node_snap.h"
#include "stored/node_watch.h"
#include "stored/snap_stage.h"
#include "shared/chan.h"
#include "shared/err.h"
#include "shared/log.h"

#define STORED_DB_DIR "member/db"

static void
db_path(const struct stored_node *n, char *buf, size_t cap)
{
	snprintf(buf, cap, "%s/%s", n->child->cfg.data_dir, STORED_DB_DIR);
}

/* member/db is made before the privilege drop and given to stored's
 * user, who may not pass through member/ (0700, the supervisor's): the
 * process works in member/db from here on, and opens the store as ".". */
int64_t
stored_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int
stored_node_prepare(struct stored_node *n, struct child *c)
{
	char path[sizeof(c->cfg.data_dir) + sizeof(STORED_DB_DIR) + 1];

	memset(n, 0, sizeof(*n));
	n->child = c;
	n->snap.fd = -1;
	snap_stage_init(&n->stage);
	db_path(n, path, sizeof(path));
	if (mkdir(path, 0700) != 0 && errno != EEXIST) {
		log_warnx("cannot create %s: %s", path, strerror(errno));
		return CAIRN_EIO;
	}
	if (c->cfg.drop_privs && chown(path, c->cfg.uid, c->cfg.gid) != 0) {
		log_warnx("cannot give %s to stored's user: %s", path, strerror(errno));
		return CAIRN_EIO;
	}
	if (chdir(path) != 0) {
		log_warnx("cannot enter %s: %s", path, strerror(errno));
		return CAIRN_EIO;
	}
	return 0;
}

/* etcd's minimum lease TTL: 1.5 election timeouts, in whole seconds. */
static int64_t
stored_lease_min_ttl(const cairn_ipc_RaftConfig *rc)
{
	uint32_t ticks = rc->heartbeat_ms > 0 ? rc->election_ms / rc->heartbeat_ms : 10;
	double secs = (double)(3 * ticks / 2) * rc->heartbeat_ms / 1000.0;

	return (int64_t)ceil(secs);
}

static void
stored_sync(evutil_socket_t fd, short what, void *arg)
{
	struct stored_node *n = arg;
	struct timespec start;

	(void)fd;
	(void)what;
	if (n->store.ci <= n->durable)
		return;
	clock_gettime(CLOCK_MONOTONIC, &start);
	if (bdb_sync(&n->store.db) != 0)
		fatalx("cannot make the store durable");
	hist_observe_since(&n->commits, &hist_disk_seconds, &start);
	n->durable = n->store.ci;
	n->report_due = true;
	stored_node_flush(n);
}

void
stored_node_metrics(const struct stored_node *n, cairn_ipc_Metrics *m)
{
	m->has_backend_commit = true;
	hist_to_pb(&n->commits, &hist_disk_seconds, &m->backend_commit);
}

/* apply's user_hook: netd drops the user's tokens when it hears. */
static void
stored_user_revoked(void *arg, const uint8_t *name, size_t len)
{
	struct stored_node *n = arg;
	size_t i;

	if (len > STORED_REVOKED_NAME_BYTES) {
		n->revoked.count += STORED_REVOKED_MAX + 1; /* netd drops them all */
		return;
	}
	i = (size_t)(++n->revoked.count % STORED_REVOKED_MAX);
	memcpy(n->revoked.name[i], name, len);
	n->revoked.len[i] = len;
}

/* The last users whose tokens went, oldest first, into st. */
static void
stored_status_revoked(const struct stored_node *n, cairn_ipc_StoreStatus *st)
{
	uint64_t c = n->revoked.count, k = c < STORED_REVOKED_MAX ? c : STORED_REVOKED_MAX;

	st->tokens_revoked = c;
	st->revoked_users_count = 0;
	for (uint64_t j = c - k + 1; j <= c && k > 0; j++) {
		size_t i = (size_t)(j % STORED_REVOKED_MAX);
		pb_bytes_array_t *b = (pb_bytes_array_t *)&st->revoked_users[st->revoked_users_count++];

		b->size = (pb_size_t)n->revoked.len[i];
		memcpy(b->bytes, n->revoked.name[i], n->revoked.len[i]);
	}
}

/* The store's revisions and size to netd; the size as last measured
 * unless 'measure'. */
static void
stored_status_send(struct stored_node *n, bool measure)
{
	cairn_ipc_StoreStatus st = {.revision = n->store.rev,
	    .compact_revision = n->store.compact_rev, .applied = n->store.ci,
	    .nospace = n->apply.nospace, .auth_enabled = n->apply.auth.enabled,
	    .auth_revision = n->apply.auth.revision, .members_rev = n->members_rev,
	    .db_size = n->status_sent.db_size, .db_size_in_use = n->status_sent.db_size_in_use};

	stored_status_revoked(n, &st);
	if (n->store.batch != NULL || !chan_is_open(&n->child->peers[PROC_NETD].ch) ||
	    (measure && mvcc_db_size(&n->store, &st.db_size, &st.db_size_in_use) != 0))
		return;
	if (chan_send(&n->child->peers[PROC_NETD].ch, cairn_ipc_IPC_NETD_STORE_STATUS_SET, 0,
	    &st) == 0) {
		n->status_sent = st;
		n->status_due = n->status_due && !measure;
		n->size_due = !measure;
	}
}

/* The timer: the size too, when something changed. */
static void
stored_status(evutil_socket_t fd, short what, void *arg)
{
	struct stored_node *n = arg;

	(void)fd;
	(void)what;
	/* Sizes change only with what is applied (compaction and
	 * defragmentation steps, too, come after entries): nothing new
	 * applied, nothing to tell, and no free list to walk. */
	if (!n->status_due && !n->size_due && n->store.ci == n->status_sent.applied &&
	    n->members_rev == n->status_sent.members_rev &&
	    n->store.compact_rev == n->status_sent.compact_revision && !n->store.pass.active)
		return;
	stored_status_send(n, true);
}

static void
stored_checkpoint(evutil_socket_t fd, short what, void *arg)
{
	struct stored_node *n = arg;

	(void)fd;
	(void)what;
	if (bdb_checkpoint(&n->store.db) != 0)
		log_warnx("checkpoint failed: the next start recovers more");
}

static void
stored_compact(evutil_socket_t fd, short what, void *arg)
{
	struct stored_node *n = arg;
	bool done;

	(void)fd;
	(void)what;
	if (mvcc_compact_step(&n->store, STORED_COMPACT_RECORDS, &done) != 0)
		fatalx("compaction failed");
	if (!done) {
		struct timeval tv = {0, STORED_COMPACT_PAUSE_MS * 1000};

		event_add(n->compact_ev, &tv);
	} else {
		log_info("finished compaction at revision %lld", (long long)n->store.compact_rev);
		n->status_due = true; /* the store's size changed */
	}
}

void
stored_node_compact_soon(struct stored_node *n)
{
	struct timeval tv = {0, 0};

	if (n->store.pass.active && !event_pending(n->compact_ev, EV_TIMEOUT, NULL))
		event_add(n->compact_ev, &tv);
}

static struct event *
stored_timer(struct stored_node *n, unsigned ms, bool persist, event_callback_fn fn)
{
	struct timeval tv = {ms / 1000, (ms % 1000) * 1000};
	struct event *ev = event_new(n->child->base, -1, persist ? EV_PERSIST : 0, fn, n);

	if (ev == NULL || (persist && event_add(ev, &tv) == -1))
		fatalx("cannot start the store's timers");
	return ev;
}

int
stored_node_start(struct stored_node *n)
{
	char err[512];
	struct log_fields f;
	int rc;

	if ((rc = snap_stage_recover()) != 0)
		return rc;
	if ((rc = mvcc_open(&n->store, ".", NULL, err, sizeof(err))) != 0) {
		log_warnx("%s", err);
		return rc;
	}
	if ((rc = apply_init(&n->apply, &n->store)) != 0) {
		log_warnx("cannot read the store's alarms");
		return rc;
	}
	if ((rc = stored_members_bootstrap(n)) != 0) {
		log_warnx("cannot write the bootstrap members");
		return rc;
	}
	n->members_rev = 1;
	n->apply.lease_min_ttl = stored_lease_min_ttl(&n->child->cfg.raft);
	n->apply.quota_bytes = apply_quota_bytes(n->child->cfg.quota_backend_bytes);
	req_arena_init(&n->arena);
	spb_init(&n->resp);
	spb_init(&n->results);
	/* What recovery restored is on disk. */
	n->durable = n->store.ci;
	n->sync_ev = stored_timer(n, STORED_SYNC_MS, true, stored_sync);
	n->checkpoint_ev = stored_timer(n, STORED_CHECKPOINT_MS, true, stored_checkpoint);
	n->status_ev = stored_timer(n, STORED_STATUS_MS, true, stored_status);
	n->apply.user_hook = stored_user_revoked;
	n->apply.user_arg = n;
	n->compact_ev = stored_timer(n, 0, false, stored_compact);
	stored_watch_start(n);
	if ((rc = stored_lease_start(n)) != 0)
		return rc;
	log_fields_init(&f);
	log_field_int(&f, "consistent-index", (long long)n->store.ci);
	log_field_int(&f, "revision", (long long)n->store.rev);
	log_field_int(&f, "compact-revision", (long long)n->store.compact_rev);
	log_infof(&f, "opened the store");
	stored_node_compact_soon(n);
	return 0;
}

int
stored_node_frame(struct stored_node *n, enum cairn_proc from, const struct chan_msg *m)
{
	const cairn_ipc_RaftStatus *st = &m->body.status;

	switch (m->hdr.type) {
	case cairn_ipc_IPC_STORED_ENTRIES_APPLY:
		return stored_apply_entries(n, &m->body.apply);
	case cairn_ipc_IPC_STORED_SNAPSHOT_INSTALL:
		return stored_snap_install(n, &m->body.snap);
	case cairn_ipc_IPC_STORED_SNAPSHOT_RECV:
		return stored_snap_part(n, m->hdr.id, &m->body.part);
	case cairn_ipc_IPC_STORED_READ_GET:
		return stored_read_frame(n, m->hdr.id, &m->body.read);
	case cairn_ipc_IPC_STORED_MAINT_DO:
		return stored_maint_frame(n, m->hdr.id, &m->body.maint);
	case cairn_ipc_IPC_STORED_MEMBER_CHANGE:
		return stored_member_change(n, m->hdr.id, &m->body.change);
	case cairn_ipc_IPC_STORED_AUTH_CHECK:
		return stored_auth_check(n, m->hdr.id, &m->body.auth);
	case cairn_ipc_IPC_STORED_LEASE_GET:
		return stored_lease_frame(n, m->hdr.id, &m->body.lease);
	case cairn_ipc_IPC_STORED_WATCH_CREATE:
	case cairn_ipc_IPC_STORED_WATCH_CANCEL:
	case cairn_ipc_IPC_STORED_WATCH_PROGRESS:
	case cairn_ipc_IPC_STORED_WATCH_HOLD:
		return stored_watch_frame(n, m);
	case cairn_ipc_IPC_CHILD_RAFT_STATUS_SET:
		n->apply.term = st->term;
		n->apply.member_id = st->member_id;
		n->apply.cluster_id = st->cluster_id;
		stored_lease_role(n, st->role);
		return 0;
	default:
		log_warnx("unexpected %s from %s", ipc_type_name(m->hdr.type), proc_name(from));
		return CAIRN_EPROTO;
	}
}

void
stored_node_peer_up(struct stored_node *n, enum cairn_proc peer)
{
	cairn_ipc_Applied a = {.applied = n->store.ci, .durable = n->durable};

	if (peer == PROC_NETD) {
		stored_watch_reset(n);
		stored_reads_reset(n);
		n->status_due = true;
	}
	if (peer != PROC_RAFTD)
		return;
	/* raftd sends entries from here on: a new channel, a fresh start. */
	if (chan_send(&n->child->peers[PROC_RAFTD].ch, cairn_ipc_IPC_RAFTD_APPLY_RESUME, 0,
	    &a) != 0)
		log_warnx("cannot tell raftd where the store stands");
	n->reported_applied = a.applied;
	n->reported_durable = a.durable;
	n->report_due = false;
}

void
stored_node_flush(struct stored_node *n)
{
	cairn_ipc_Applied a = {.applied = n->store.ci, .durable = n->durable};
	struct chan *ch = &n->child->peers[PROC_RAFTD].ch;

	/* An alarm or auth switched: netd hears it before the answers that
	 * follow from it (/health, a request's user), not at the next tick;
	 * a new revision too (the headers netd makes, Status), its size
	 * measured at the tick. */
	if (n->apply.nospace != n->status_sent.nospace ||
	    n->apply.auth.enabled != n->status_sent.auth_enabled ||
	    n->revoked.count != n->status_sent.tokens_revoked)
		stored_status_send(n, true);
	else if (n->store.rev != n->status_sent.revision)
		stored_status_send(n, false);
	stored_send_results(n);
	stored_maint_send(n);
	if (!n->report_due || !chan_is_open(ch))
		return;
	if (a.applied == n->reported_applied && a.durable == n->reported_durable) {
		n->report_due = false;
		return;
	}
	/* Only applied moved, by less than STORED_REPORT_ENTRIES: with the
	 * next sync (report_due stays set). */
	if (a.durable == n->reported_durable && a.applied > n->reported_applied &&
	    a.applied - n->reported_applied < STORED_REPORT_ENTRIES)
		return;
	if (chan_send(ch, cairn_ipc_IPC_RAFTD_APPLIED_SET, 0, &a) == 0) {
		n->reported_applied = a.applied;
		n->reported_durable = a.durable;
		n->report_due = false;
	}
}

void
stored_node_stop(struct stored_node *n)
{
	struct event *evs[] = {n->sync_ev, n->checkpoint_ev, n->compact_ev, n->status_ev};

	for (size_t i = 0; i < sizeof(evs) / sizeof(evs[0]); i++)
		if (evs[i] != NULL)
			event_free(evs[i]);
	stored_watch_stop(n);
	stored_lease_stop(n);
	stored_maint_stop(n);
	if (n->stage.fd >= 0)
		close(n->stage.fd); /* received in part: dropped at the next start */
	stored_reads_reset(n);
	free(n->reads);
	if (n->store.db.env == NULL)
		return;
	apply_free(&n->apply);
	req_arena_free(&n->arena);
	spb_free(&n->resp);
	spb_free(&n->results);
	mvcc_close(&n->store);
}
