/*
 * raftd: the product wal_fs, over one real directory (member/wal).
 */
#ifndef CAIRN_WAL_FS_POSIX_H
#define CAIRN_WAL_FS_POSIX_H

#include "raftd/wal_fs.h"

/* Fills 'fs' with the POSIX operations on directory 'dir' (copied). The
 * directory need not exist yet (the mkdir operation creates it). Free
 * with wal_fs_posix_free. */
void wal_fs_posix_new(struct wal_fs *fs, const char *dir);
void wal_fs_posix_free(struct wal_fs *fs);

#endif
