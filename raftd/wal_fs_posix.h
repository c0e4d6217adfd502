/*
 * raftd: the product wal_fs, over one real directory (member/wal).
 */
#ifndef CAIRN_WAL_FS_POSIX_H
#define CAIRN_WAL_FS_POSIX_H

#include <stdbool.h>
#include <sys/types.h>

#include "raftd/wal_fs.h"

/* Fills 'fs' with the POSIX operations on directory 'dir' (copied). The
 * directory need not exist yet (the mkdir operation creates it). Free
 * with wal_fs_posix_free. */
void wal_fs_posix_new(struct wal_fs *fs, const char *dir);
void wal_fs_posix_free(struct wal_fs *fs);

/* Makes the directory (if missing) and opens it, so that later
 * operations need no path; with 'give', the directory and its files then
 * belong to uid:gid. For raftd before it drops privileges: the data dir
 * above may be closed to its user. 0 or CAIRN_EIO (logged). */
int wal_fs_posix_prepare(struct wal_fs *fs, bool give, uid_t uid, gid_t gid);

#endif
