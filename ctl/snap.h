/*
 * cairnctl: snapshot files without a server: what a file holds (cairn's
 * own format, stored/snapshot.h, or an etcd bbolt file), its status as
 * etcdctl's snapshot status reports it, and restoring it into a new data
 * dir (ctl/snap_cairn.c, ctl/snap_etcd.c, ctl/snap_restore.c).
 */
#ifndef CAIRN_CTL_SNAP_H
#define CAIRN_CTL_SNAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The longest error text. */
#define SNAP_ERR_BYTES_MAX 1024

/* etcdctl's snapshot.Status. */
struct snap_status {
	uint32_t hash;
	int64_t revision;
	int64_t total_key;
	int64_t total_size;
};

enum snap_kind {
	SNAP_UNKNOWN,
	SNAP_CAIRN,
	SNAP_BBOLT,
};

/* What the file at path holds, from its first byte: a cairn stream
 * starts with 1, a bbolt file with page 0's id (0); any other file, an
 * empty one too, is taken as bbolt, for the bbolt reader to refuse with
 * bolt's words. SNAP_UNKNOWN when it cannot be read (errno set). */
enum snap_kind snap_kind_of(const char *path);

/* A cairn snapshot's status: restored into a temporary directory and
 * read there (the hash is the store's Maintenance.Hash, the keys every
 * record of its tables, the size its database file's). 0, or -1 with err
 * filled. */
int snap_cairn_status(const char *path, struct snap_status *st, char *err, size_t errlen);

/* Restores the cairn snapshot at path into db_dir (a new, empty
 * directory), checking its SHA-256. 0, or -1 with err filled. */
int snap_cairn_restore(const char *path, const char *db_dir, char *err, size_t errlen);

/* An etcd snapshot's status, as etcdctl's: bolt's check first, then a
 * CRC-32C over each bucket's name and its records, every record counted,
 * the revision the last of the key bucket's, the size bolt's high water
 * mark. 0, or -1 with err filled. */
int snap_etcd_status(const char *path, struct snap_status *st, char *err, size_t errlen);

/* Imports the etcd snapshot at path into a new store in db_dir (a new,
 * empty directory): the file less its SHA-256 when it has one
 * (has_hash; the caller checked it), bolt's check first, then every
 * record of the buckets cairn's store takes. 0, or -1 with err filled
 * (db_dir is then to be thrown away). */
int snap_etcd_restore(const char *path, const char *db_dir, bool has_hash, char *err,
    size_t errlen);

/* etcdctl's snapshot restore flags. */
struct snap_restore_cfg {
	const char *path;
	const char *name;
	const char *data_dir;      /* "" : <name>.etcd, as etcdctl */
	const char *wal_dir;       /* "" : <data-dir>/member/wal */
	const char *initial_cluster;
	const char *token;
	const char *peer_urls;
	bool skip_hash_check;
};

/* Writes a new data dir for a new cluster from the snapshot: the store
 * with its revisions, the membership of the flags (new member and
 * cluster IDs), its consistent index reset, and a WAL that says who the
 * member is. Built beside the data dir and renamed into place: on error
 * nothing is left. 0, or -1 with err filled with etcdctl's text where it
 * has one. */
int snap_restore(const struct snap_restore_cfg *cfg, char *err, size_t errlen);

#endif
