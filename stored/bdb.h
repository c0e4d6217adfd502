/*
 * stored: the Berkeley DB environment in member/db and the databases of
 * the store, all in one file (cairn.db), each a B-tree:
 *   key    etcd's: revision (rev_codec.h) -> mvccpb.KeyValue
 *   meta   etcd's: consistent index, term, revisions (meta.h)
 *   hist   the key index: user key + revision -> tombstone flag, ordered
 *          by key then revision: every revision of every key
 *   live   the key index at the current revision: user key -> its latest
 *          revision, live keys only, with record numbers (DB_RECNUM) so a
 *          range's count costs O(log n)
 *   lease  etcd's: lease ID (8 bytes big-endian) -> leasepb.Lease
 *   leasekeys  lease ID + user key -> (empty): the keys attached to each
 *          lease, kept so that neither start-up nor a revoke scans keys
 *   alarm  etcd's: an encoded AlarmMember {memberID, alarm} -> (empty)
 *   members, members_removed  etcd's: member ID in hex -> the member as
 *          netd proposed it (etcd's JSON), or "removed"
 *   auth, authUsers, authRoles  etcd's: the enabled flag and the auth
 *          revision; user name -> authpb.User; role name -> authpb.Role
 * Transactions commit into the log buffer alone (DB_TXN_NOSYNC), which is
 * safe because the Raft log is the durable record: each transaction
 * carries the consistent index of what it applied, so whatever a crash
 * takes back (recovery restores the last transaction whose log reached
 * the disk, whole), raftd hands over again from there. stored reports to
 * raftd as durable only what bdb_sync() flushed, and raftd keeps its log
 * above that (DESIGN.md section 5).
 */
#ifndef CAIRN_STORED_BDB_H
#define CAIRN_STORED_BDB_H

#include <db.h>
#include <stddef.h>
#include <stdint.h>

#define BDB_FILE "cairn.db"
/* Mpool cache; most of the store's memory. */
#define BDB_CACHE_BYTES_DEFAULT (64u << 20)
#define BDB_LOG_BUFFER_BYTES (1u << 20)
#define BDB_LOG_FILE_BYTES (16u << 20)

/* Berkeley DB's DBT holds a void * even for bytes it only reads. */
static inline void *
bdb_mut(const void *p)
{
	return (void *)(uintptr_t)p;
}

struct bdb {
	DB_ENV *env;
	DB *key;
	DB *meta;
	DB *hist;
	DB *live;
	DB *lease;
	DB *leasekeys;
	DB *alarm;
	DB *members;
	DB *members_removed;
	DB *auth;
	DB *auth_users;
	DB *auth_roles;
};

/* The databases of struct bdb. */
#define BDB_DBS 12

struct bdb_options {
	uint32_t cache_bytes;        /* 0: BDB_CACHE_BYTES_DEFAULT */
};

/* Opens (creating if needed, recovering after a crash) the environment in
 * 'dir' and its databases. Returns 0, or CAIRN_EIO with err filled. */
int bdb_open(struct bdb *b, const char *dir, const struct bdb_options *o,
    char *err, size_t errlen);
/* Closes everything; safe on a failed or closed bdb. */
void bdb_close(struct bdb *b);
/* Database i (0 <= i < BDB_DBS), in etcd's bucket order (bytewise by
 * name), and its name (may be NULL); NULL past the last. */
DB *bdb_db_at(const struct bdb *b, size_t i, const char **name);

/* Transactions: begin, commit, abort. Errors are CAIRN_EIO (logged). */
int bdb_begin(struct bdb *b, DB_TXN **txn);
int bdb_commit(DB_TXN *txn);
void bdb_abort(DB_TXN *txn);
/* Makes every committed transaction durable (flushes and syncs the log). */
int bdb_sync(struct bdb *b);
/* A checkpoint: lets recovery start later and old log files go. */
int bdb_checkpoint(struct bdb *b);

/* A Berkeley DB return code other than 0 and DB_NOTFOUND, as a cairn
 * error (CAIRN_EIO), logged with what was being done. */
int bdb_fail(int rc, const char *what);

#endif
