/*
 * stored: a leader's snapshot, received and installed (see node_snap.h).
 */
#include <stdio.h>

#include "stored/node_apply.h"
#include "stored/node_lease.h"
#include "stored/node_maint.h"
#include "stored/node_read.h"
#include "stored/node_snap.h"
#include "stored/node_watch.h"
#include "stored/snap_stage.h"
#include "shared/assert.h"
#include "shared/chunks.h"
#include "shared/err.h"
#include "shared/log.h"
#include "shared/raft_peer.h"

CAIRN_STATIC_ASSERT(STORED_RESULT_FRAME_BYTES <= RAFT_PEER_SNAP_PART_BYTES_MAX,
    "a snapshot's part read out by stored fits the part netd passes on");

/* raftd hears where the store stands now, as after a restart. */
static void
snap_resume(struct stored_node *n)
{
	cairn_ipc_Applied a = {.applied = n->store.ci, .durable = n->durable};

	if (chan_send(&n->child->peers[PROC_RAFTD].ch, cairn_ipc_IPC_RAFTD_APPLY_RESUME, 0, &a) != 0)
		log_warnx("cannot tell raftd where the store stands");
	n->reported_applied = a.applied;
	n->reported_durable = a.durable;
	n->report_due = false;
}

/* Closes the store, puts the staged one in its place, and opens that:
 * what the node keeps of the store is read again from it. */
static void
snap_swap(struct stored_node *n)
{
	char err[512];
	int rc;

	stored_maint_abort(n, CAIRN_EAGAIN);
	stored_lease_stop(n);
	mvcc_close(&n->store);
	if ((rc = snap_stage_install()) != 0)
		fatalx("cannot install the leader's snapshot: %s", err_str(rc));
	if (mvcc_open(&n->store, ".", NULL, err, sizeof(err)) != 0)
		fatalx("cannot open the installed snapshot: %s", err);
	if (apply_reload(&n->apply) != 0)
		fatalx("cannot read the installed snapshot's alarms and auth");
	if (stored_lease_start(n) != 0)
		fatalx("cannot read the installed snapshot's leases");
	/* Recovery at the install left everything on disk. */
	n->durable = n->store.ci;
	n->members_rev++;
	n->status_due = true;
	n->stuck = false;
	stored_watch_restore(n);
	stored_reads_serve(n);
	stored_node_compact_soon(n);
}

/* Installs the stage (it covers 'index'), then tells raftd. */
static void
snap_install(struct stored_node *n, uint64_t index)
{
	struct log_fields f;

	snap_swap(n);
	n->install_due = 0;
	log_fields_init(&f);
	log_field_int(&f, "snapshot-index", (long long)index);
	log_field_int(&f, "consistent-index", (long long)n->store.ci);
	log_field_int(&f, "revision", (long long)n->store.rev);
	log_infof(&f, "installed the leader's snapshot");
	snap_resume(n);
	stored_node_flush(n);
}

int
stored_snap_part(struct stored_node *n, uint64_t id, const cairn_ipc_SnapshotPart *in)
{
	const char *why;
	char err[256];
	size_t len;
	uint64_t ci = 0;
	bool ready;
	int rc;

	if ((why = chunks_check(in->data, in->data_count, RAFT_PEER_SNAP_PART_BYTES_MAX, &len)) !=
	    NULL) {
		log_warnx("refusing a snapshot's part from netd: %s", why);
		return CAIRN_EPROTO;
	}
	rc = snap_stage_part(&n->stage, in->data, in->data_count, len, in->offset, in->total,
	    &ready, &ci, err, sizeof(err));
	if (rc != 0)
		log_warnx("a leader's snapshot (%llu bytes) at byte %llu: %s",
		    (unsigned long long)in->total, (unsigned long long)in->offset, err);
	else if (in->offset == 0)
		log_info("receiving a leader's snapshot of %llu bytes",
		    (unsigned long long)in->total);
	if (ready)
		log_info("received a leader's snapshot at index %llu", (unsigned long long)ci);
	spb_reset(&n->resp);
	stored_result_keep(n, id, rc, &n->resp);
	stored_node_flush(n);
	if (ready && n->install_due != 0 && ci >= n->install_due)
		snap_install(n, n->install_due);
	return 0;
}

int
stored_snap_install(struct stored_node *n, const cairn_ipc_RaftSnapshotMeta *m)
{
	uint64_t staged;

	if (n->store.ci >= m->index) {
		/* Installed before a restart of raftd's, or ours. */
		n->install_due = 0;
		snap_resume(n);
		return 0;
	}
	if ((staged = snap_stage_ready()) >= m->index) {
		snap_install(n, m->index);
		return 0;
	}
	/* A newer snapshot is coming (it replaced the one raftd took), or
	 * netd lied: raftd sends nothing until one covering it is staged. */
	log_warnx("raftd installed a snapshot at %llu, and stored holds no copy of the "
	    "leader's store that covers it yet (staged: %llu): it waits for one",
	    (unsigned long long)m->index, (unsigned long long)staged);
	n->install_due = m->index;
	return 0;
}
