/*
 * raftd: the channel to stored. Committed entries go to stored in index
 * order, each once per channel: stored says where it stands (APPLY_RESUME)
 * whenever the channel comes up, and raftd sends from there, so a
 * restarted stored or raftd loses and repeats nothing. stored's progress
 * comes back as applied and durable indexes; the log is compacted every
 * --snapshot-count entries, never beyond what stored holds on disk
 * (DESIGN.md section 5). Entries wait in the core's log while stored's
 * ring is full: back-pressure, never loss.
 */
#include <pb_decode.h>

#include "raftd/node.h"
#include "shared/err.h"
#include "shared/log.h"
#include "shared/raft_peer.h"

static struct chan *
stored_chan(struct raftd_node *n)
{
	return &n->child->peers[PROC_STORED].ch;
}

int
raftd_stored_resume(struct raftd_node *n, const cairn_ipc_Applied *a)
{
	struct log_fields f;

	if (a->durable > a->applied) {
		log_warnx("stored says it has more on disk than it applied");
		return CAIRN_EPROTO;
	}
	log_fields_init(&f);
	log_field_int(&f, "applied", (long long)a->applied);
	log_field_int(&f, "durable", (long long)a->durable);
	log_field_int(&f, "commit", (long long)n->core.hs.commit);
	/* After an install, stored holds a copy of the leader's store, which
	 * may be ahead of our log. */
	if (n->stored_installing)
		log_infof(&f, "stored installed the leader's snapshot");
	else if (a->applied > rlog_last_index(&n->core.log))
		log_warnxf(&f, "stored has applied entries this member's log does not hold");
	else
		log_infof(&f, "stored resumes applying");
	n->apply_sent = a->applied;
	n->stored_ready = true;
	n->stored_installing = false;
	if (a->applied >= n->core.snap.meta.index)
		n->stored_snap_due = false; /* it has the snapshot's state already */
	n->stored_applied = a->applied;
	n->stored_durable = a->durable;
	return 0;
}

int
raftd_stored_progress(struct raftd_node *n, const cairn_ipc_Applied *a)
{
	/* While it installs, it may still report what it did before. */
	if ((!n->stored_ready && !n->stored_installing) || a->durable > a->applied ||
	    a->applied > n->apply_sent) {
		log_warnx("stored reports entries it was not sent");
		return CAIRN_EPROTO;
	}
	n->stored_applied = a->applied;
	if (a->durable > n->stored_durable)
		n->stored_durable = a->durable;
	return 0;
}

/* The leader's snapshot replaced the log: stored hears of it before any
 * later entry. */
void
raftd_stored_installed(struct raftd_node *n)
{
	n->stored_snap_due = true;
}

/* Tells stored that the state it must hold is the snapshot's: after a
 * leader's snapshot, or when stored stands before the log's first entry
 * (it lost what it said was durable: a loud warning, for the operator). */
static int
stored_send_snapshot(struct raftd_node *n)
{
	cairn_ipc_RaftSnapshotMeta pb = cairn_ipc_RaftSnapshotMeta_init_zero;
	int rc;

	if (!n->stored_snap_due)
		log_warnx("stored stands at %llu, before the log's first entry %llu: "
		    "it must install the snapshot at %llu",
		    (unsigned long long)n->apply_sent, (unsigned long long)n->core.log.first,
		    (unsigned long long)n->core.snap.meta.index);
	peer_snap_encode(&n->core.snap, &pb);
	rc = chan_send(stored_chan(n), cairn_ipc_IPC_STORED_SNAPSHOT_INSTALL, 0, &pb);
	pb_release(cairn_ipc_RaftSnapshotMeta_fields, &pb);
	/* Nothing more until it says where it stands (APPLY_RESUME): once
	 * it installed, or at once if it holds that state already. */
	if (rc == 0) {
		n->stored_snap_due = false;
		n->stored_ready = false;
		n->stored_installing = true;
	}
	return rc;
}

/* The next run of entries after apply_sent: at most a message's worth
 * (one entry alone may be larger). */
static size_t
stored_batch(const struct raftd_node *n, uint64_t upto)
{
	uint64_t bytes = 0;
	size_t k = 0;

	while (k < RAFT_PEER_ENTRIES_MAX && n->apply_sent + k < upto) {
		const struct raft_entry *e = rlog_at(&n->core.log, n->apply_sent + k + 1);

		if (k > 0 && bytes + e->len > n->core.cfg.max_msg_bytes)
			break;
		bytes += e->len;
		k++;
	}
	return k;
}

void
raftd_stored_pump(struct raftd_node *n)
{
	while (n->stored_ready && chan_is_open(stored_chan(n))) {
		cairn_ipc_ApplyEntries pb = cairn_ipc_ApplyEntries_init_zero;
		uint64_t upto = n->core.applied;
		size_t k;
		int rc;

		if (n->stored_snap_due || n->apply_sent + 1 < n->core.log.first)
			rc = stored_send_snapshot(n);
		else if (n->apply_sent >= upto)
			return;
		else {
			k = stored_batch(n, upto);
			peer_entries_encode(rlog_at(&n->core.log, n->apply_sent + 1), k,
			    &pb.entries, &pb.entries_count);
			rc = chan_send(stored_chan(n), cairn_ipc_IPC_STORED_ENTRIES_APPLY, 0, &pb);
			pb_release(cairn_ipc_ApplyEntries_fields, &pb);
			if (rc == 0)
				n->apply_sent += k;
		}
		if (rc == CAIRN_ETOOBIG)
			fatalx("committed entries after %llu do not fit the ring to stored",
			    (unsigned long long)n->apply_sent);
		if (rc != 0)
			return; /* full: stored's next read wakes us; closed: its restart */
	}
}

/* etcd's snapshot trigger, bounded by what stored holds on disk: the log
 * before that point is no longer needed to rebuild stored. Sooner when
 * the core wants a snapshot for a member that joins and holds nothing
 * (it asks again at its next probe if this one cannot be taken yet). */
void
raftd_stored_compact(struct raftd_node *n)
{
	uint64_t at = n->stored_durable < n->core.applied ? n->stored_durable : n->core.applied;
	bool wanted = rcore_snapshot_wanted(&n->core);
	struct raft_snapshot_marker m;
	struct log_fields f;
	int rc;

	if (at <= n->core.snap.meta.index ||
	    (!wanted && at - n->core.snap.meta.index < n->snapshot_count))
		return;
	if ((rc = rcore_compact(&n->core, at, 0, &m)) != 0) {
		log_warnx("cannot compact the log at %llu: %s", (unsigned long long)at, err_str(rc));
		return;
	}
	if ((rc = wal_append_snapshot(n->wal, &m)) != 0 || (rc = raftd_wal_sync(n)) != 0 ||
	    (rc = wal_release_before(n->wal, m.index)) != 0)
		fatalx("cannot write the WAL: %s", err_str(rc));
	log_fields_init(&f);
	log_field_int(&f, "snapshot-index", (long long)m.index);
	log_field_int(&f, "snapshot-term", (long long)m.term);
	log_field_int(&f, "wal-segments", (long long)wal_segment_count(n->wal));
	log_infof(&f, "compacted the log");
}
