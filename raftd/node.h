/*
 * raftd: this member's Raft node: the core, its WAL in member/wal, the
 * clock that ticks it, and its two channels: netd (peer messages in and
 * out, client proposals and read-index requests) and stored (committed
 * entries out, applied and durable indexes back). Frames only feed the
 * core; raftd_node_flush() runs once their batch is read, so that many
 * proposals or appends share one fdatasync (group commit). Each update
 * goes: WAL append, one fdatasync, then messages, then entries to apply
 * (DESIGN.md sections 3 and 4).
 */
#ifndef CAIRN_RAFTD_NODE_H
#define CAIRN_RAFTD_NODE_H

#include <event2/event.h>
#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include "raftd/core.h"
#include "raftd/peer_codec.h"
#include "raftd/wal.h"
#include "raftd/wal_fs.h"
#include "shared/child.h"
#include "shared/histogram.h"

/* Replies owed to netd while its ring is full; beyond this (a netd that
 * stopped reading) the oldest are dropped and netd's requests time out. */
#define RAFTD_REPLIES_MAX 4096
/* Linearizable reads waiting for the next read-index round. */
#define RAFTD_READS_MAX 4096
/* etcd's maxGapBetweenApplyAndCommitIndex: proposals are refused with
 * "too many requests" while stored is this far behind the commit. */
#define RAFTD_APPLY_GAP_MAX 5000
/* etcd's default --snapshot-count, when the supervisor sends 0. */
#define RAFTD_SNAPSHOT_COUNT_DEFAULT 100000

/* A reply to one request of netd's (IPC_NETD_PROPOSAL_FAIL or
 * IPC_NETD_READ_INDEX_SET). */
struct raftd_reply {
	uint64_t id;
	uint64_t index;
	uint32_t code;
	uint16_t type;
};

/* Client proposals held while the member knows no leader (etcd's
 * proposals block until one is known, up to the request timeout): at
 * most this many, of at most this many bytes in all; beyond, "no leader"
 * at once. */
#define RAFTD_HELD_MAX 1024
#define RAFTD_HELD_BYTES_MAX (32u << 20)

/* netd's read requests answered by one read-index round, in arrival
 * order, each with the tick it arrived at. */
struct raftd_reads {
	uint64_t ids[RAFTD_READS_MAX];
	uint64_t since[RAFTD_READS_MAX];
	size_t n;
};

/* A proposal held for a leader: netd's request id, the tick it came at,
 * the envelope and the request (owned). */
struct raftd_held {
	uint64_t id;
	uint64_t since;
	uint8_t *data;
	uint32_t len;
};

struct raftd_node {
	struct child *child;
	struct wal_fs fs;            /* member/wal, opened before privdrop */
	struct wal *wal;
	struct rcore core;
	uint64_t cluster_id;         /* as the WAL says */
	struct raft_hardstate hs_synced; /* term and vote last made durable */
	struct event *tick_ev;
	enum rcore_role role;        /* as last logged */
	uint64_t leader;
	struct peer_msg pm;          /* the last peer message decoded */
	uint64_t snap_failed[RCORE_MEMBERS_MAX]; /* snapshots not sent, to report */
	size_t nsnap_failed;
	/* netd */
	uint8_t *prop_buf;           /* owned: an envelope and one request */
	uint32_t max_request_bytes;
	struct raftd_reply replies[RAFTD_REPLIES_MAX]; /* a ring */
	size_t replies_head, replies_n;
	struct raftd_reads reads_waiting;  /* for the next round */
	struct raftd_reads reads_asked;    /* in the round 'read_ctx' */
	uint64_t read_ctx;           /* the round in flight; 0: none */
	uint64_t read_seq;
	unsigned read_ticks;         /* ticks the round has taken */
	unsigned request_ticks;      /* etcd's request timeout, in ticks */
	uint64_t ticks;              /* ticks since start: the clock of what waits */
	struct raftd_held held[RAFTD_HELD_MAX]; /* a ring, oldest first */
	size_t held_head, held_n, held_bytes;
	/* etcd's MoveLeader under way (one at a time): netd's request id,
	 * the target, and the ticks it has taken; id 0: none. */
	struct {
		uint64_t id, to;
		unsigned ticks;
	} transfer;
	/* stored */
	bool stored_ready;           /* it said where it stands */
	bool stored_snap_due;        /* it must hear of core.snap first */
	bool stored_installing;      /* it was told to install core.snap: no
	                              * entries until it says where it stands */
	uint64_t apply_sent;         /* last entry handed to stored */
	uint64_t stored_applied;
	uint64_t stored_durable;
	uint64_t snapshot_count;
	/* Raft status last sent, and to whom it is owed */
	struct {
		uint64_t term, leader;
		enum rcore_role role;
	} status;
	bool status_due[PROC_COUNT];
	/* For /metrics (raftd_node_metrics). */
	struct histogram wal_fsync;  /* hist_disk_seconds */
	uint64_t proposals_failed;   /* refused to netd */
	/* Heartbeat to answer, per member (slot id 0: free): the last
	 * heartbeat's time until its answer. */
	struct raftd_rtt {
		uint64_t id;
		struct timespec sent;
		bool waiting;
		struct histogram h;  /* hist_rtt_seconds */
	} rtt[RCORE_MEMBERS_MAX];
};

/* Before the privilege drop: makes and opens member/wal (given to
 * raftd's user). 0, or CAIRN_EIO (logged). */
int raftd_node_prepare(struct raftd_node *n, struct child *c);
/* Opens or creates the WAL, starts the core from it and the tick timer.
 * 0, or an error (logged): the process then exits and is restarted. */
int raftd_node_start(struct raftd_node *n);
/* A frame from netd or stored, checked in full before it reaches the
 * core. 0, or CAIRN_EPROTO (logged) to cut the sender off. */
int raftd_node_frame(struct raftd_node *n, enum cairn_proc from, const struct chan_msg *m);
/* The channel to 'peer' came up: netd's old requests are forgotten;
 * stored must say where it stands before it gets entries. */
void raftd_node_peer_up(struct raftd_node *n, enum cairn_proc peer);
/* Carries out what the frames and ticks so far asked for: read-index
 * rounds, the core's updates, entries for stored, owed replies and status. */
void raftd_node_flush(struct raftd_node *n);
void raftd_node_stop(struct raftd_node *n);
/* fdatasyncs the WAL, timed for /metrics: 0 or wal_sync's error. */
int raftd_wal_sync(struct raftd_node *n);
/* A heartbeat went to 'to' / its answer came: the round trip. */
void raftd_rtt_sent(struct raftd_node *n, uint64_t to);
void raftd_rtt_answered(struct raftd_node *n, uint64_t from);
/* etcd's proposal counters and WAL fsync latencies, for netd. */
void raftd_node_metrics(const struct raftd_node *n, cairn_ipc_Metrics *m);

/* node_hold.c: proposals that wait for a leader. Holds the proposal
 * data[len] (copied) of netd's request 'id': 0, or CAIRN_ENOLEADER when
 * the bounds are full. */
int raftd_hold_add(struct raftd_node *n, uint64_t id, const uint8_t *data, uint32_t len);
/* Once a leader is known, proposes what was held, oldest first. */
void raftd_hold_release(struct raftd_node *n);
/* Fails what has waited the request timeout (etcd's context error). */
void raftd_hold_tick(struct raftd_node *n);
/* Forgets everything held, unanswered (a new netd). */
void raftd_hold_reset(struct raftd_node *n);

/* node_netd.c */
/* Queues a reply of 'type' for netd's request 'id'. */
void raftd_netd_reply(struct raftd_node *n, uint16_t type, uint64_t id, int code,
    uint64_t index);
void raftd_netd_reset(struct raftd_node *n);
void raftd_netd_send_msgs(struct raftd_node *n, const struct rmsg *msgs, size_t nmsgs);
int raftd_netd_propose(struct raftd_node *n, uint64_t id, const cairn_ipc_Proposal *p,
    bool reply);
/* stored's checked membership change for netd's request 'id'; refused
 * to netd at once, or answered by stored once applied. */
void raftd_netd_propose_conf(struct raftd_node *n, uint64_t id, const cairn_ipc_ConfProposal *p);
void raftd_netd_read(struct raftd_node *n, uint64_t id);
void raftd_netd_reads_start(struct raftd_node *n);
void raftd_netd_reads_done(struct raftd_node *n, const struct rcore_read *r, size_t nr);
/* The leader refused membership changes this member forwarded: each
 * fails the netd request its envelope names. */
void raftd_netd_refused(struct raftd_node *n, const struct rcore_refusal *r, size_t nr);
void raftd_netd_reads_tick(struct raftd_node *n);
/* etcd's MoveLeader: request 'id' of netd, to member 'to'; answered once
 * 'to' leads (checked at each tick), or with why not. */
void raftd_netd_transfer(struct raftd_node *n, uint64_t id, uint64_t to);
void raftd_netd_transfer_tick(struct raftd_node *n);
void raftd_netd_flush_replies(struct raftd_node *n);
void raftd_status_flush(struct raftd_node *n);

/* node_stored.c */
int raftd_stored_resume(struct raftd_node *n, const cairn_ipc_Applied *a);
int raftd_stored_progress(struct raftd_node *n, const cairn_ipc_Applied *a);
void raftd_stored_installed(struct raftd_node *n);
void raftd_stored_pump(struct raftd_node *n);
void raftd_stored_compact(struct raftd_node *n);

#endif
