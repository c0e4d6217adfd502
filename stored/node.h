/*
 * stored: the storage process's state: the MVCC store in member/db, the
 * applier, and the channel work: committed entries from raftd applied in
 * order, one Berkeley DB transaction per frame of entries; results to the
 * netd of this member for the requests it proposed; applied and durable
 * indexes back to raftd (DESIGN.md sections 3 and 5).
 */
#ifndef CAIRN_STORED_NODE_H
#define CAIRN_STORED_NODE_H

#include <event2/event.h>
#include <stdint.h>

#include "shared/child.h"
#include "shared/histogram.h"
#include "stored/apply.h"
#include "stored/mvcc.h"
#include "stored/spb.h"
#include "stored/snap_stage.h"
#include "shared/req.h"

/* How often the store's log is made durable and reported (the applied
 * entries are in raftd's WAL meanwhile), and how often a checkpoint lets
 * a restart skip recovery. */
#define STORED_SYNC_MS 100
/* raftd hears of applied entries with each sync (every STORED_SYNC_MS),
 * or once this many more are applied: it needs them only to bound the
 * gap to the commit (RAFTD_APPLY_GAP_MAX) and to compact its log, and a
 * report per applied batch would wake it once per client write. */
#define STORED_REPORT_ENTRIES 1000
/* How often netd hears of the store's size and revisions, if changed. */
#define STORED_STATUS_MS 100
#define STORED_CHECKPOINT_MS 30000
/* Compaction: history records per step (about 6 ms of work each, within
 * issue 4's 10 ms stall: bench/store_bench), and the pause between steps. */
#define STORED_COMPACT_RECORDS 500
#define STORED_COMPACT_PAUSE_MS 1
/* Defragment calls waiting for the pass under way (more are refused with
 * CAIRN_ETOOMANYREQ). */
#define STORED_DEFRAG_WAITERS 16
/* A NOSPACE alarm stored proposed and that was not raised is proposed
 * again after this long. */
#define STORED_ALARM_RETRY_MS 3000
/* Users whose tokens went (StoreStatus.revoked_users) that netd is told
 * of; beyond, it drops every token. The longest name told (a longer one
 * counts as more than the list holds). */
#define STORED_REVOKED_MAX 8
#define STORED_REVOKED_NAME_BYTES 256

struct stored_node {
	struct child *child;
	/* The store made durable (stored_sync), as etcd's backend commits,
	 * for /metrics: hist_disk_seconds. */
	struct histogram commits;
	struct mvcc store;
	struct apply apply;
	struct req_arena arena;
	struct spb resp;           /* one request's response */
	uint64_t members_rev;        /* StoreStatus.members_rev */
	struct spb results;        /* a frame's results for netd: {u64 id,
	                              * u32 code, u32 len, bytes}... */
	size_t result_part;          /* bytes of the first result already sent */
	struct stored_read *reads;   /* reads waiting for their index */
	size_t nreads, reads_cap;
	uint64_t durable;            /* last index made durable */
	uint64_t reported_applied, reported_durable;
	bool report_due;
	bool stuck;                  /* an entry could not be applied */
	struct event *sync_ev, *checkpoint_ev, *compact_ev;
	struct watch_hub *watch;     /* netd's watchers */
	struct spb watch_list, watch_one; /* events being encoded */
	struct event *watch_sync_ev, *watch_progress_ev;
	cairn_ipc_StoreStatus status_sent; /* what netd last heard */
	struct {                     /* users whose tokens went (apply's user_hook) */
		uint64_t count;      /* since the start */
		uint8_t name[STORED_REVOKED_MAX][STORED_REVOKED_NAME_BYTES];
		size_t len[STORED_REVOKED_MAX]; /* name[count % MAX] the last */
	} revoked;
	bool status_due;
	bool size_due;               /* netd heard an old size: measure it */
	struct event *status_ev;
	struct lessor *lessor;       /* lease expiry, kept by the leader */
	struct event *lease_ev;
	struct event *defrag_ev;     /* the next defragmentation step */
	uint64_t defrag_waiters[STORED_DEFRAG_WAITERS]; /* Defragment calls waiting */
	size_t ndefrag_waiters;
	int64_t nospace_proposed_ms; /* when a NOSPACE alarm was last proposed */
	struct snap_stage stage;     /* a leader's snapshot being received */
	uint64_t install_due;        /* raftd's snapshot index, waiting for a
	                              * stage that covers it; 0: none */
	struct {                     /* a snapshot being sent to netd */
		bool active;
		uint64_t id;         /* the call it answers */
		int fd;              /* the copy, written first (unlinked) */
		uint64_t off, size;  /* sent so far, in all */
		unsigned credit;     /* parts netd asked for and has not had */
		uint8_t *buf;        /* one part read back (owned) */
	} snap;
};

/* The monotonic clock, in milliseconds. */
int64_t stored_now_ms(void);
int stored_node_prepare(struct stored_node *n, struct child *c);
int stored_node_start(struct stored_node *n);
int stored_node_frame(struct stored_node *n, enum cairn_proc from, const struct chan_msg *m);
void stored_node_peer_up(struct stored_node *n, enum cairn_proc peer);
void stored_node_flush(struct stored_node *n);
/* Its figures for netd's /metrics. */
void stored_node_metrics(const struct stored_node *n, cairn_ipc_Metrics *m);
void stored_node_stop(struct stored_node *n);

#endif
