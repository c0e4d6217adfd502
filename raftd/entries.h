/*
 * raftd: the in-memory window of the Raft log held by the core. Entries
 * and their data are copied in, through the caller's allocator, and freed
 * when truncated away or when the log is closed. Index 'first' is the
 * first entry held; the one before it is the snapshot (index 0 at start).
 */
#ifndef CAIRN_RAFT_ENTRIES_H
#define CAIRN_RAFT_ENTRIES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "raftd/raft_types.h"

/* Bound on entries held in memory (etcd keeps --snapshot-count entries
 * plus a margin behind a snapshot; compaction lands with snapshots). */
#define RLOG_ENTRIES_MAX (1u << 20)

/* The core's only source of memory. free() gets the size alloc() got. */
struct rlog_alloc {
	void *(*alloc)(void *ctx, size_t bytes);  /* NULL when exhausted */
	void (*free)(void *ctx, void *p, size_t bytes);
	void *ctx;
};

struct rlog {
	struct rlog_alloc a;
	struct raft_entry *ents;   /* ents[i] has index first + i; data owned */
	size_t len;
	size_t cap;
	uint64_t first;            /* index of ents[0] */
	uint64_t prev_term;        /* term of the entry before 'first' */
};

void rlog_init(struct rlog *l, const struct rlog_alloc *a);
void rlog_close(struct rlog *l);
uint64_t rlog_last_index(const struct rlog *l);
uint64_t rlog_last_term(const struct rlog *l);
/* The term at 'index', or false when it is not held (beyond the end, or
 * compacted other than the snapshot index itself). */
bool rlog_term(const struct rlog *l, uint64_t index, uint64_t *term);
/* The entry at 'index' (first <= index <= last). */
const struct raft_entry *rlog_at(const struct rlog *l, uint64_t index);
/* Removes every entry after 'index' (index >= first - 1). */
void rlog_truncate_after(struct rlog *l, uint64_t index);
/* Drops every entry up to 'index' (first <= index <= last). */
void rlog_compact(struct rlog *l, uint64_t index);
/* Empties the log: it now starts after a snapshot at (index, term). */
void rlog_reset(struct rlog *l, uint64_t index, uint64_t term);
/* Appends copies of e[0..n) whose first index is last + 1. Returns 0,
 * CAIRN_EAGAIN (bound reached or allocator exhausted; nothing appended). */
int rlog_append(struct rlog *l, const struct raft_entry *e, size_t n);

#endif
