/*
 * raftd: the WAL's internals, shared by wal.c (appends and sync),
 * wal_segment.c (files and rollover), wal_scan.c and wal_read.c (open).
 * Not for use outside the WAL.
 */
#ifndef CAIRN_WAL_IMPL_H
#define CAIRN_WAL_IMPL_H

#include <stdbool.h>

#include "raftd/wal.h"
#include "raftd/wal_record.h"

#define WAL_SEGMENT_SUFFIX ".wal"
#define WAL_NEXT_NAME "next.tmp"
#define WAL_TMP_SUFFIX ".tmp"
/* Appends are gathered in memory and written in one pwrite at sync, or
 * earlier once this much is pending. */
#define WAL_WRITE_BUF_BYTES (1u << 20)

struct wal_segment {
	uint64_t seq;
	uint64_t first_index;
	char name[WAL_FS_NAME_BYTES_MAX];
};

struct wal {
	const struct wal_fs *fs;            /* borrowed */
	struct raft_identity id;
	uint64_t segment_bytes;
	struct wal_segment *segs;           /* oldest first; last is current */
	size_t segs_n;
	size_t segs_cap;
	struct wal_file *cur;               /* the current segment */
	uint64_t cur_written;               /* bytes of it written to the file */
	uint64_t cur_base;                  /* end of its leading records */
	uint8_t *buf;                       /* pending bytes at cur_written */
	size_t buf_len;
	size_t buf_cap;
	struct wal_file *next;              /* prepared WAL_NEXT_NAME or NULL */
	uint64_t last_index;                /* of the last entry appended */
	struct raft_hardstate hs;           /* last appended, carried over */
	struct raft_snapshot_marker snap;   /* last appended, carried over */
	bool unsynced;                      /* written or buffered since sync */
	bool failed;                        /* an I/O error: refuse all */
};

/* wal.c */
struct wal *wal_alloc(const struct wal_fs *fs, const struct wal_options *opt);
int wal_put(struct wal *w, const struct wal_record *r);
int wal_flush(struct wal *w);

/* wal_segment.c */
void wal_segment_name(char *buf, uint64_t seq, uint64_t first_index);
int wal_segment_parse(const char *name, uint64_t *seq, uint64_t *first_index);
void wal_segment_push(struct wal *w, uint64_t seq, uint64_t first_index);
int wal_segment_prepare(struct wal *w);
int wal_segment_install(struct wal *w, uint64_t seq, uint64_t first_index);
int wal_segment_roll(struct wal *w);

/* wal_scan.c: how one segment's bytes end (see the rule there). */
struct wal_scan {
	size_t end;             /* offset after the last valid record */
	size_t bad_off;         /* on CAIRN_ECORRUPT: where */
	const char *why;        /* on CAIRN_ECORRUPT: what */
	size_t valid_off;       /* a valid record after a bad one, or 0 */
	bool torn;              /* nonzero bytes after 'end', none valid */
};
/* Called per valid record; returns 0 or CAIRN_ECORRUPT with '*why'. */
typedef int (*wal_scan_fn)(void *arg, const struct wal_record *r,
    size_t off, const char **why);
int wal_scan_segment(const uint8_t *buf, size_t n, wal_scan_fn fn, void *arg,
    struct wal_scan *res);

#endif
