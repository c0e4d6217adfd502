/*
 * stored: watchers over the channel to netd: WatchCreate, cancel and
 * progress requests in; created, events, progress and compaction
 * notices out (IPC_NETD_WATCH_EVENTS), a frame at a time within the
 * ring's bound, split only between revisions.
 */
#ifndef CAIRN_STORED_NODE_WATCH_H
#define CAIRN_STORED_NODE_WATCH_H

#include "stored/node.h"

/* Bytes of encoded events in one frame (the route allows 2 MiB + 4 KiB);
 * a single revision larger than this still goes alone. */
#define STORED_WATCH_FRAME_BYTES (1u << 20)
/* etcd's --experimental-watch-progress-notify-interval default. */
#define STORED_WATCH_PROGRESS_MS (10 * 60 * 1000)
/* The pause between catch-up steps of lagging watchers. */
#define STORED_WATCH_SYNC_PAUSE_MS 1

int stored_watch_start(struct stored_node *n);
void stored_watch_stop(struct stored_node *n);
int stored_watch_frame(struct stored_node *n, const struct chan_msg *m);
/* After a batch: the synced watchers get its revisions. */
void stored_watch_notify(struct stored_node *n);
/* The store was replaced (a leader's snapshot): watchers catch up. */
void stored_watch_restore(struct stored_node *n);
/* netd restarted: its watchers are gone with it. */
void stored_watch_reset(struct stored_node *n);

#endif
