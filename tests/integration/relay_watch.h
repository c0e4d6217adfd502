/*
 * Tests: relay_netd's watchers: a spool file SEQ.watch becomes a
 * WatchCreate to stored, and stored's WatchEvents become lines of
 * NAME.out.
 */
#ifndef CAIRN_RELAY_WATCH_H
#define CAIRN_RELAY_WATCH_H

#include <stdint.h>

#include "shared/child.h"

/* Sends the watcher 'path' describes, as id seq. The file holds four
 * lines: key, range end (empty: the key alone; "\0" is written "\\0"),
 * start revision, flags (any of: p prev_kv, P noput, D nodelete, n
 * progress_notify). 0, CAIRN_EAGAIN (try again), CAIRN_ENOENT, or
 * CAIRN_EINVAL for a malformed file. */
int relay_watch_send(struct child *c, const char *path, uint64_t seq);

/* Lines for stored's news of watcher seq: "watch SEQ created REV", "watch
 * SEQ refused REASON", "watch SEQ compacted REV", "watch SEQ progress
 * REV", and per event "event SEQ PUT|DELETE KEY VALUE MODREV [prev=V]". */
void relay_watch_events(uint64_t seq, const cairn_ipc_WatchEvents *ev,
    void (*line)(void *arg, const char *line), void *arg);

#endif
