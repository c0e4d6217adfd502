/*
 * raftd: this member's Raft node: the core, its WAL in member/wal, and
 * the clock that ticks it. Every event ends with raftd_node_drive(),
 * which carries out the core's updates in the order that keeps
 * acknowledged writes safe: WAL append, one fdatasync, then messages,
 * then entries to apply (DESIGN.md section 4).
 */
#ifndef CAIRN_RAFTD_NODE_H
#define CAIRN_RAFTD_NODE_H

#include <event2/event.h>
#include <stdint.h>

#include "raftd/core.h"
#include "raftd/peer_codec.h"
#include "raftd/wal.h"
#include "raftd/wal_fs.h"
#include "shared/child.h"

struct raftd_node {
	struct child *child;
	struct wal_fs fs;            /* member/wal, opened before privdrop */
	struct wal *wal;
	struct rcore core;
	struct event *tick_ev;
	enum rcore_role role;        /* as last logged */
	uint64_t leader;
	struct peer_msg pm;          /* the last peer message decoded */
};

/* Before the privilege drop: makes and opens member/wal (given to
 * raftd's user). 0, or CAIRN_EIO (logged). */
int raftd_node_prepare(struct raftd_node *n, struct child *c);
/* Opens or creates the WAL, starts the core from it and the tick timer.
 * 0, or an error (logged): the process then exits and is restarted. */
int raftd_node_start(struct raftd_node *n);
void raftd_node_drive(struct raftd_node *n);
/* A frame from netd: a peer's message, checked in full before the core
 * sees it. 0, or CAIRN_EPROTO (logged) to cut netd off. */
int raftd_node_frame(struct raftd_node *n, enum cairn_proc from, const struct chan_msg *m);
void raftd_node_stop(struct raftd_node *n);

#endif
