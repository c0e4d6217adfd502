/*
 * stored: a leader's snapshot received for Raft's InstallSnapshot, staged
 * beside the store (in member/db, stored's working directory), then
 * installed in place of it when raftd says the snapshot stands.
 *
 * Receiving: netd hands the snapshot's bytes (stored/snapshot.h's
 * stream, as the leader's stored wrote it) in order into
 * SNAP_STAGE_DIR/stream; once the last byte is in, the stream is
 * restored into SNAP_STAGE_DIR/db (its SHA-256 checked, Berkeley DB's
 * catastrophic recovery run), the restored store's consistent index read,
 * and SNAP_STAGE_DIR/ready written with it: only then is the stage whole.
 *
 * Installing replaces the store's files (cairn.db, log.*) by the staged
 * ones, with the store closed, in steps that a crash anywhere lets
 * snap_stage_recover finish at the next start:
 *   1. SNAP_INSTALL_MARK is written: the store in "." is void from here;
 *   2. the old files go, then SNAP_STAGE_DIR/moving is written;
 *   3. the staged files are renamed into ".";
 *   4. SNAP_INSTALL_MARK goes, then the stage.
 */
#ifndef CAIRN_STORED_SNAP_STAGE_H
#define CAIRN_STORED_SNAP_STAGE_H

#include <pb.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SNAP_STAGE_DIR "snap.recv"
#define SNAP_STAGE_STREAM SNAP_STAGE_DIR "/stream"
#define SNAP_STAGE_DB SNAP_STAGE_DIR "/db"
#define SNAP_STAGE_READY SNAP_STAGE_DIR "/ready"
#define SNAP_STAGE_MOVING SNAP_STAGE_DIR "/moving"
#define SNAP_INSTALL_MARK "snap.install"
/* The largest snapshot stored takes (a bound on what netd may make it
 * write). */
#define SNAP_STAGE_BYTES_MAX (64ull << 30)

struct snap_stage {
	int fd;                      /* SNAP_STAGE_DIR/stream; -1 when none */
	uint64_t got;                /* bytes written so far */
	uint64_t total;              /* the snapshot's size, as its first part said */
};

void snap_stage_init(struct snap_stage *st);
/* Takes the bytes at 'offset' of a snapshot of 'total' bytes (n chunks,
 * checked by the caller, 'len' bytes in all); a part at offset 0 starts a
 * new one, dropping whatever was staged. Once the last byte is in, the
 * snapshot is restored and checked: *ready is then set, *ci is its
 * consistent index. Returns 0; CAIRN_EINVAL for a part out of order or
 * sizes beyond their bounds (the part is ignored); CAIRN_ECORRUPT for a
 * snapshot that does not restore (dropped; err says why); CAIRN_EIO. */
int snap_stage_part(struct snap_stage *st, pb_bytes_array_t *const *parts, pb_size_t n,
    size_t len, uint64_t offset, uint64_t total, bool *ready, uint64_t *ci, char *err,
    size_t errlen);
/* Drops a snapshot being received and any stage. */
void snap_stage_drop(struct snap_stage *st);
/* The consistent index of the staged store, 0 when none is whole. */
uint64_t snap_stage_ready(void);
/* Replaces the store's files by the staged ones (the store closed).
 * 0, or CAIRN_EIO (logged): the next start finishes it. */
int snap_stage_install(void);
/* Before the store opens: finishes an install cut short; drops a stage
 * that was never whole. 0, or CAIRN_EIO (logged). */
int snap_stage_recover(void);

#endif
