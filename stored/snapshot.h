/*
 * stored: a consistent copy of the whole store as a byte stream (etcd's
 * Maintenance.Snapshot, and the data of Raft's InstallSnapshot), and its
 * restore into a new member/db. The copy is Berkeley DB's hot backup
 * (database files, then the log that covers them), written as records:
 *   {u8 1, u16 LE name length, name, u64 LE offset, u32 LE length, bytes}
 * one per piece of a file (a log file's all-zero blocks left out: the
 * restored file has holes there), then {u8 2}, zero bytes up to a multiple of
 * 512, then the SHA-256 of everything before it (32 bytes), as etcd ends
 * its snapshots with one (etcdctl takes a snapshot whose size is 32 past
 * a multiple of 512 as one that has its SHA-256). Restoring
 * writes the files and runs Berkeley DB's catastrophic recovery on them:
 * the store as of the last transaction the copied log holds, with its
 * consistent index.
 */
#ifndef CAIRN_STORED_SNAPSHOT_H
#define CAIRN_STORED_SNAPSHOT_H

#include <stddef.h>
#include <stdint.h>

#include "stored/mvcc.h"

#define SNAPSHOT_SHA256_BYTES 32
#define SNAPSHOT_ALIGN_BYTES 512
/* A file name in a snapshot: the store's own file and log files. */
#define SNAPSHOT_NAME_BYTES_MAX 64
/* The largest piece a record may carry (restore refuses more). */
#define SNAPSHOT_PIECE_BYTES_MAX (1u << 20)
/* Log files go in pieces of this, all-zero ones left out. */
#define SNAPSHOT_ZERO_BLOCK_BYTES (64u << 10)

/* Takes bytes of the stream, in order; nonzero stops the copy. */
typedef int snapshot_sink_fn(void *arg, const uint8_t *p, size_t n);
/* Gives exactly n bytes of the stream into p: 0, or nonzero at its end
 * or on an error. */
typedef int snapshot_source_fn(void *arg, uint8_t *p, size_t n);

/* Streams a copy of the store (outside any batch). Returns 0, CAIRN_EIO,
 * or what the sink returned. */
int snapshot_write(struct mvcc *s, snapshot_sink_fn *sink, void *arg);

/* Restores a stream into 'dir' (a new, empty directory), then recovers
 * it. Returns 0, or CAIRN_ECORRUPT (a malformed stream or a wrong
 * SHA-256: 'dir' must be thrown away) or CAIRN_EIO, with err filled. */
int snapshot_restore(snapshot_source_fn *src, void *arg, const char *dir, char *err,
    size_t errlen);

#endif
