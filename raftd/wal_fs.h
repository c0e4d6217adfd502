/*
 * raftd: the file-system interface the WAL does all its I/O through, so
 * that a simulated disk (tests/lib/sim_fs.c) can stand in for the real one
 * (wal_fs_posix.c) and crash, losing what was never synced.
 * Every name is a plain file name inside the one WAL directory.
 */
#ifndef CAIRN_WAL_FS_H
#define CAIRN_WAL_FS_H

#include <stddef.h>
#include <stdint.h>

/* Bound on one file name in the WAL directory. */
#define WAL_FS_NAME_BYTES_MAX 64

/* An open file; each implementation defines it. */
struct wal_file;

/* Every operation returns 0 or a CAIRN_E* code: CAIRN_ENOENT for a missing
 * file or directory, CAIRN_EIO for any other failure. After a failed
 * write or sync the caller must treat the file's contents as unknown. */
struct wal_fs_ops {
	/* Creates the WAL directory if it does not exist and makes that
	 * durable (the parent directory is synced). */
	int (*mkdir)(void *ctx);
	/* Opens 'name'; with 'create' it must not exist yet and is created
	 * empty. The new name is durable only after sync_dir. */
	int (*open)(void *ctx, const char *name, int create,
	    struct wal_file **out);
	/* Writes all 'len' bytes of 'buf' at 'off', growing the file. */
	int (*pwrite)(void *ctx, struct wal_file *f, const void *buf,
	    size_t len, uint64_t off);
	/* Reads up to 'len' bytes at 'off'; '*got' is short only at EOF. */
	int (*pread)(void *ctx, struct wal_file *f, void *buf, size_t len,
	    uint64_t off, size_t *got);
	/* Makes the file's data (and its size) durable: fdatasync. */
	int (*sync)(void *ctx, struct wal_file *f);
	/* Reserves space so the file is at least 'size' bytes long; bytes
	 * beyond what was written read back as zeros. */
	int (*prealloc)(void *ctx, struct wal_file *f, uint64_t size);
	int (*truncate)(void *ctx, struct wal_file *f, uint64_t size);
	int (*size)(void *ctx, struct wal_file *f, uint64_t *out);
	/* Closes 'f' (taken). Never fails: durability comes from sync. */
	void (*close)(void *ctx, struct wal_file *f);
	/* The names in the directory, in no order: '*names' is an array of
	 * '*n' xmalloc'ed strings, owned by the caller (wal_fs_names_free). */
	int (*list)(void *ctx, char ***names, size_t *n);
	int (*unlink)(void *ctx, const char *name);
	/* Atomically replaces 'to' by 'from'; durable after sync_dir. */
	int (*rename)(void *ctx, const char *from, const char *to);
	/* Makes creations, renames and unlinks in the directory durable. */
	int (*sync_dir)(void *ctx);
};

/* A file system: operations and their state (borrowed by the WAL). */
struct wal_fs {
	const struct wal_fs_ops *ops;
	void *ctx;
};

/* Frees what the list operation returned. */
void wal_fs_names_free(char **names, size_t n);

#endif
