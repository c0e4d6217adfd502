/*
 * raftd: the write-ahead log in member/wal. It makes entries, hard state
 * and snapshot markers durable before anything that depends on them is
 * sent (thesis §3.8 and figure 3.1: persistent state is updated on stable
 * storage before responding to RPCs).
 *
 * Files: segments named "%016llx-%016llx.wal" (sequence number, index of
 * the first entry appended to it), each preallocated to segment_bytes.
 * The next segment is prepared as "next.tmp" (preallocated, metadata
 * written and synced) and renamed into place at rollover.
 *
 * Record layout, all integers little-endian, every record 8-byte aligned:
 *   u32 length     bytes of data (WAL_RECORD_DATA_BYTES_MIN..._MAX)
 *   u32 crc        CRC-32C over length, type, reserved and data
 *   u32 type       enum wal_record_type; 0 never valid
 *   u32 reserved   0
 *   u8  data[length], then zeros up to the next multiple of 8
 * A zero header marks the end of written data in a preallocated segment.
 * Data by type:
 *   METADATA   u64 cluster_id, u64 member_id (first record of a segment)
 *   ENTRY      u64 term, u64 index, u8 type, payload (length - 17 bytes)
 *   HARDSTATE  u64 term, u64 vote, u64 commit
 *   SNAPSHOT   u64 index, u64 term, u32 n, u32 reserved (0), then n times
 *              { u64 id, u64 flags }: the membership as of index.
 *              length is exactly 24 + 16 * n, n <= RAFT_MEMBERS_MAX;
 *              ids are non-zero and distinct; flags bit 0 = learner,
 *              every other bit 0. n may be 0: rollover copies the
 *              all-zero marker while the log has no snapshot yet.
 * Every segment after the first starts with METADATA, then the current
 * SNAPSHOT marker (membership included) and HARDSTATE, so old segments
 * can go without losing either.
 */
#ifndef CAIRN_WAL_H
#define CAIRN_WAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "raftd/raft_types.h"
#include "raftd/wal_fs.h"

#define WAL_SEGMENT_BYTES_DEFAULT (64ull << 20)
/* Small enough for rollover tests, large enough for metadata. */
#define WAL_SEGMENT_BYTES_MIN 4096ull
/* Bound on the text of an open error. */
#define WAL_ERR_BYTES_MAX 256

struct wal_options {
	uint64_t segment_bytes;     /* 0: WAL_SEGMENT_BYTES_DEFAULT */
};

/* What wal_open found. All of it is owned by this struct. */
struct wal_recovered {
	struct raft_identity id;
	struct raft_hardstate hs;   /* all zero when none was written */
	struct raft_snapshot_marker snap;   /* all zero when none */
	/* Entries after snap.index, in index order, consecutive; each
	 * entry's data is owned here (freed by wal_recovered_free). */
	struct raft_entry *entries;
	size_t entries_n;
	size_t entries_cap;
};

struct wal;

/* Creates a new, empty WAL in the fs's directory (made if missing) for
 * member 'id' (copied). 'fs' is borrowed and must outlive the WAL; 'opt'
 * is copied and may be NULL. Fails with CAIRN_EINVAL if segments already
 * exist, CAIRN_EIO on I/O errors. On success '*out' is the caller's. */
int wal_create(const struct wal_fs *fs, const struct raft_identity *id,
    const struct wal_options *opt, struct wal **out);

/* Opens an existing WAL and reads it all into 'rec' (initialised here,
 * the caller frees it with wal_recovered_free, also on error). A torn
 * tail of the last segment is zeroed, synced and logged. Errors:
 * CAIRN_ENOENT (no WAL), CAIRN_ECORRUPT with 'err' (errlen bytes,
 * borrowed) set to "wal: corrupt record in <file> at offset <n>: <what>",
 * CAIRN_EIO. The WAL appends after the last valid record. */
int wal_open(const struct wal_fs *fs, const struct wal_options *opt,
    struct wal **out, struct wal_recovered *rec, char *err, size_t errlen);
void wal_recovered_free(struct wal_recovered *rec);

/* Appends records without syncing; the data is copied. An entry whose
 * index is not after the last one replaces it and every later one (log
 * truncation, thesis §3.5). CAIRN_ETOOBIG for an entry above
 * RAFT_ENTRY_BYTES_MAX (nothing of that call is appended), CAIRN_EINVAL
 * for a snapshot marker whose conf is invalid (more than RAFT_MEMBERS_MAX
 * members, an id 0 or a duplicate id; nothing is appended, the WAL stays
 * usable), CAIRN_EIO when a write failed: the WAL is then unusable and
 * the process must restart and recover. */
int wal_append_entries(struct wal *w, const struct raft_entry *e, size_t n);
int wal_append_hardstate(struct wal *w, const struct raft_hardstate *hs);
int wal_append_snapshot(struct wal *w, const struct raft_snapshot_marker *m);

/* Group commit: makes everything appended so far durable with one
 * fdatasync. Only after it returns 0 may messages depending on those
 * records leave. An fdatasync error is never retried (the kernel may
 * have dropped the dirty pages): CAIRN_EIO, and the WAL stays failed. */
int wal_sync(struct wal *w);

/* Removes whole segments whose entries are all at or below 'index',
 * never the current segment. 'index' must not exceed the last snapshot
 * marker appended (asserted). Syncs first, so the marker is durable
 * before any segment goes. */
int wal_release_before(struct wal *w, uint64_t index);

/* The number of segment files (for tests and metrics). */
size_t wal_segment_count(const struct wal *w);

/* Closes the WAL without syncing (anything unsynced may be lost). */
void wal_close(struct wal *w);

#endif
