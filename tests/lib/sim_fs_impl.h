/*
 * Tests: the in-memory wal_fs's internals, shared by sim_fs.c (the
 * operations) and sim_fs_crash.c (crash, faults, test access).
 */
#ifndef CAIRN_TEST_SIM_FS_IMPL_H
#define CAIRN_TEST_SIM_FS_IMPL_H

#include "tests/lib/sim_fs.h"

struct sim_inode {
	uint8_t *data;          /* written bytes */
	size_t len;
	size_t cap;
	uint8_t *synced;        /* bytes as of the last sync */
	size_t synced_len;
};

struct sim_dirent {
	char name[WAL_FS_NAME_BYTES_MAX];
	struct sim_inode *ino;  /* owned by sim_fs.inodes */
};

struct sim_dir {
	struct sim_dirent ents[SIM_FS_NAMES_MAX];
	size_t n;
};

struct sim_fs {
	struct sim_dir cur;
	struct sim_dir durable;
	bool exists;
	bool exists_durable;
	struct sim_inode **inodes;  /* every inode ever made, freed at the end */
	size_t inodes_n;
	size_t inodes_cap;
	uint64_t rng;
	uint64_t countdown;
	uint64_t ops;
};

struct wal_file {
	struct sim_inode *ino;
};

/* Counts one operation; CAIRN_EIO when the countdown hits zero,
 * CAIRN_ENOENT when the directory does not exist. */
int sim_fs_op(struct sim_fs *s);
struct sim_dirent *sim_fs_lookup(struct sim_dir *d, const char *name);
/* Sets the written length, zero-filling growth. */
void sim_fs_resize(struct sim_inode *ino, size_t len);

#endif
