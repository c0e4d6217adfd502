/*
 * Tests and the simulator: an in-memory wal_fs whose crash keeps only
 * what was synced. Each file holds its written bytes and its synced
 * bytes; the directory holds its current names and the names as of the
 * last directory sync. Fault injection works by countdown.
 */
#ifndef CAIRN_TEST_SIM_FS_H
#define CAIRN_TEST_SIM_FS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "raftd/wal_fs.h"

/* Bound on the names in the one directory. */
#define SIM_FS_NAMES_MAX 256

struct sim_fs;

/* 'seed' drives the torn-write choices of sim_fs_crash. */
struct sim_fs *sim_fs_new(uint64_t seed);
void sim_fs_free(struct sim_fs *s);

/* Fills 'fs' with operations on 's' (borrowed: 's' must outlive it). */
void sim_fs_wal_fs(struct sim_fs *s, struct wal_fs *fs);

/* Power loss: names not made durable by a directory sync vanish (and
 * unlinks not made durable come back), every file goes back to its
 * synced bytes. With 'torn', a seeded-random prefix of each file's
 * unsynced bytes survives, as a write cut short would leave. Open files
 * of the old life must not be used any more except to close them. */
void sim_fs_crash(struct sim_fs *s, bool torn);

/* The n-th operation from now (1: the next one) fails with CAIRN_EIO
 * and changes nothing; 0 turns fault injection off. */
void sim_fs_fail_after(struct sim_fs *s, uint64_t n);

/* Test access to a file's current bytes: '*data' is borrowed until the
 * next operation. CAIRN_ENOENT if there is no such name. */
int sim_fs_peek(struct sim_fs *s, const char *name, const uint8_t **data,
    size_t *len);

/* Replaces a file's bytes as if the disk had always held them (written
 * and synced): for corruption tests. 'data' is copied. */
int sim_fs_poke(struct sim_fs *s, const char *name, const uint8_t *data,
    size_t len);

/* Operations done so far (for fault-injection sweeps). */
uint64_t sim_fs_op_count(const struct sim_fs *s);

#endif
