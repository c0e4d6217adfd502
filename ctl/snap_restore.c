/*
 * cairnctl: snapshot restore into a new data dir for a new cluster. The
 * membership comes from the flags by the supervisor's own rules
 * (supervisor/members.c: etcd's checks, IDs and messages); the store is
 * the snapshot's (cairn's stream restored, ctl/snap_cairn.c, or etcd's
 * buckets imported, ctl/snap_etcd.c) with its members replaced and its
 * consistent index reset to 0, so the new Raft log (a WAL holding only
 * the bootstrap membership at index 0, as raftd writes for a new member)
 * is applied from its first entry. Built in a directory beside the
 * target and renamed into place, so a failure leaves nothing behind.
 */
#include <errno.h>
#include <ftw.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <mbedtls/sha256.h>

#include "ctl/ctl.h"
#include "ctl/snap.h"
#include "ctl/zaplog.h"
#include "raftd/wal.h"
#include "raftd/wal_fs_posix.h"
#include "shared/err.h"
#include "shared/go_quote.h"
#include "shared/xmalloc.h"
#include "stored/spb.h"
#include "stored/bdb.h"
#include "stored/member_rec.h"
#include "stored/members.h"
#include "stored/meta.h"
#include "stored/mvcc.h"
#include "stored/snapshot.h"
#include "supervisor/config.h"
#include "supervisor/members.h"

static bool
snap_exists(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0;
}

static int
snap_rm_one(const char *p, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	return remove(p);
}

/* etcd seeks to where the SHA-256 would start before anything else: a
 * file shorter than one fails there. */
static bool
snap_too_short(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && st.st_size < SNAPSHOT_SHA256_BYTES;
}

/* etcd's hasChecksum: a SHA-256 after a multiple of 512 bytes. */
static bool
snap_has_hash(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && st.st_size % SNAPSHOT_ALIGN_BYTES == SNAPSHOT_SHA256_BYTES;
}

/* etcd's check of a snapshot's trailing SHA-256 (its "expected sha256
 * ..., got ..." text, Go's %v of the byte slices). 0, or -1 with err. */
static int
snap_check_hash(const char *path, char *err, size_t errlen)
{
	FILE *f = fopen(path, "rb");
	mbedtls_sha256_context ctx;
	uint8_t buf[64 << 10], want[SNAPSHOT_SHA256_BYTES], got[SNAPSHOT_SHA256_BYTES];
	struct stat st;
	off_t left;
	size_t n;

	if (f == NULL || fstat(fileno(f), &st) != 0) {
		snprintf(err, errlen, "open %s: %s", path, ctl_strerror(errno));
		if (f != NULL)
			fclose(f);
		return -1;
	}
	mbedtls_sha256_init(&ctx);
	mbedtls_sha256_starts_ret(&ctx, 0);
	for (left = st.st_size - SNAPSHOT_SHA256_BYTES; left > 0; left -= (off_t)n) {
		n = fread(buf, 1, left < (off_t)sizeof(buf) ? (size_t)left : sizeof(buf), f);
		if (n == 0)
			break;
		mbedtls_sha256_update_ret(&ctx, buf, n);
	}
	n = fread(want, 1, sizeof(want), f);
	fclose(f);
	mbedtls_sha256_finish_ret(&ctx, got);
	mbedtls_sha256_free(&ctx);
	if (left > 0 || n != sizeof(want)) {
		snprintf(err, errlen, "read %s: short file", path);
		return -1;
	}
	if (memcmp(want, got, sizeof(want)) == 0)
		return 0;
	size_t k = (size_t)snprintf(err, errlen, "expected sha256 [");
	for (size_t i = 0; i < sizeof(want) && k < errlen; i++)
		k += (size_t)snprintf(err + k, errlen - k, "%s%u", i > 0 ? " " : "", want[i]);
	if (k < errlen)
		k += (size_t)snprintf(err + k, errlen - k, "], got [");
	for (size_t i = 0; i < sizeof(got) && k < errlen; i++)
		k += (size_t)snprintf(err + k, errlen - k, "%s%u", i > 0 ? " " : "", got[i]);
	if (k < errlen)
		snprintf(err + k, errlen - k, "]");
	return -1;
}

/* The line etcd's membership code logs for each member a restore adds
 * (scripts and etcd's own tests look for "added member"). */
static void
snap_log_members(const struct members *ms)
{
	for (size_t i = 0; i < ms->n; i++) {
		char cluster[20], peer[20];
		const char *urls[MEMBER_URLS_MAX];

		for (size_t u = 0; u < ms->m[i].urls_len; u++)
			urls[u] = ms->m[i].urls[u];

		snprintf(cluster, sizeof(cluster), "%llx", (unsigned long long)ms->cluster_id);
		snprintf(peer, sizeof(peer), "%llx", (unsigned long long)ms->m[i].id);
		zaplog_begin("info", true, "membership/cluster.go:392", "added member");
		zaplog_str("cluster-id", cluster);
		zaplog_str("local-member-id", "0");
		zaplog_str("added-peer-id", peer);
		zaplog_strs("added-peer-peer-urls", urls, ms->m[i].urls_len);
		zaplog_end();
	}
}

/* The membership of the flags, as cairn would bootstrap with them. */
static int
snap_members(const struct snap_restore_cfg *cfg, struct members *ms, char *err, size_t errlen)
{
	const char *args[] = {
		"cairn", "--name", cfg->name, "--initial-cluster", cfg->initial_cluster,
		"--initial-cluster-token", cfg->token, "--initial-advertise-peer-urls",
		cfg->peer_urls,
	};
	char *argv[10] = { NULL };
	char *envp[] = { NULL };
	struct config c;
	int rc;

	/* config_parse takes a main()'s argv. */
	for (size_t i = 0; i < 9; i++)
		argv[i] = xstrdup(args[i]);
	memset(&c, 0, sizeof(c));
	rc = config_parse(&c, 9, argv, envp, err, errlen);
	for (size_t i = 0; i < 9; i++)
		free(argv[i]);
	if (rc == 0)
		rc = members_from_config(&c, ms, err, errlen);
	config_free(&c);
	return rc == 0 ? 0 : -1;
}

/* Empties the members tables (a table by its name). */
static int
snap_truncate(struct mvcc *s, DB_TXN *txn, const char *want)
{
	const char *name;
	DB *db;
	u_int32_t n;

	for (size_t i = 0; (db = bdb_db_at(&s->db, i, &name)) != NULL; i++)
		if (name != NULL && strcmp(name, want) == 0)
			return db->truncate(db, txn, &n, 0) == 0 ? 0 : CAIRN_EIO;
	return CAIRN_ENOENT;
}

/* The store's members become the flags', its consistent index and term
 * 0 (its revision stays). */
static int
snap_fix_store(const char *db_dir, const struct members *ms, char *err, size_t errlen)
{
	struct mvcc s;
	struct spb rec;
	int rc;

	if (mvcc_open(&s, db_dir, NULL, err, errlen) != 0)
		return -1;
	spb_init(&rec);
	if ((rc = mvcc_batch_begin(&s)) != 0)
		goto out;
	rc = snap_truncate(&s, s.batch, "members");
	if (rc == 0)
		rc = snap_truncate(&s, s.batch, "members_removed");
	for (size_t i = 0; i < ms->n && rc == 0; i++) {
		spb_reset(&rec);
		spb_varint(&rec, MEMBER_F_ID, ms->m[i].id);
		spb_bytes(&rec, MEMBER_F_NAME, ms->m[i].name, strlen(ms->m[i].name), false);
		for (size_t u = 0; u < ms->m[i].urls_len; u++)
			spb_bytes(&rec, MEMBER_F_PEER_URLS, ms->m[i].urls[u],
			    strlen(ms->m[i].urls[u]), true);
		rc = members_put(&s, s.batch, ms->m[i].id, rec.buf, (uint32_t)rec.len);
	}
	if (rc == 0)
		rc = meta_save_apply(&s, s.batch, 0, 0, s.rev);
	if (rc == 0)
		rc = mvcc_batch_commit(&s);
	else
		mvcc_batch_abort(&s);
	if (rc == 0)
		rc = bdb_sync(&s.db);
out:
	spb_free(&rec);
	mvcc_close(&s);
	if (rc != 0)
		snprintf(err, errlen, "cannot rewrite the restored store's members: %s",
		    err_str(rc));
	return rc == 0 ? 0 : -1;
}

/* A WAL for the member: its identity and the membership at index 0. */
static int
snap_write_wal(const char *dir, const struct members *ms, char *err, size_t errlen)
{
	struct raft_identity id = { .cluster_id = ms->cluster_id,
		.member_id = ms->m[ms->self].id };
	struct raft_snapshot_marker marker = { 0 };
	struct wal_fs fs;
	struct wal *w = NULL;
	int rc;

	for (size_t i = 0; i < ms->n; i++)
		marker.conf.m[marker.conf.n++].id = ms->m[i].id;
	wal_fs_posix_new(&fs, dir);
	rc = wal_fs_posix_prepare(&fs, false, 0, 0);
	if (rc == 0)
		rc = wal_create(&fs, &id, NULL, &w);
	if (rc == 0)
		rc = wal_append_snapshot(w, &marker);
	if (rc == 0)
		rc = wal_sync(w);
	if (w != NULL)
		wal_close(w);
	wal_fs_posix_free(&fs);
	if (rc != 0)
		snprintf(err, errlen, "cannot write the WAL in %s: %s", dir, err_str(rc));
	return rc == 0 ? 0 : -1;
}

/* The store from the snapshot in db_dir (its SHA-256 checked before):
 * everything after it is the same for both formats. */
static int
snap_write_store(const struct snap_restore_cfg *cfg, enum snap_kind kind, const char *db_dir,
    char *err, size_t errlen)
{
	if (kind == SNAP_CAIRN)
		return snap_cairn_restore(cfg->path, db_dir, err, errlen);
	return snap_etcd_restore(cfg->path, db_dir, snap_has_hash(cfg->path), err, errlen);
}

static void
snap_log(const char *caller, const char *msg, const struct snap_restore_cfg *cfg,
    const char *data_dir, const char *wal_dir, const char *snap_dir)
{
	zaplog_begin("info", true, caller, msg);
	zaplog_str("path", cfg->path);
	zaplog_str("wal-dir", wal_dir);
	zaplog_str("data-dir", data_dir);
	zaplog_str("snap-dir", snap_dir);
	zaplog_end();
}

int
snap_restore(const struct snap_restore_cfg *cfg, char *err, size_t errlen)
{
	char data_dir[PATH_MAX], wal_dir[PATH_MAX + 16], snap_dir[PATH_MAX + 16];
	char tmp[PATH_MAX + 64], path[PATH_MAX + 96], q[PATH_MAX + 8];
	struct members ms;
	enum snap_kind kind;
	bool own_wal;

	if (snap_members(cfg, &ms, err, errlen) != 0)
		return -1;
	snprintf(data_dir, sizeof(data_dir), "%s", cfg->data_dir[0] != '\0' ? cfg->data_dir : "");
	if (data_dir[0] == '\0')
		snprintf(data_dir, sizeof(data_dir), "%s.etcd", cfg->name);
	if (snap_exists(data_dir)) {
		go_quote(q, sizeof(q), data_dir);
		snprintf(err, errlen, "data-dir %s exists", q);
		return -1;
	}
	own_wal = cfg->wal_dir[0] != '\0';
	if (own_wal && snap_exists(cfg->wal_dir)) {
		go_quote(q, sizeof(q), cfg->wal_dir);
		snprintf(err, errlen, "wal-dir %s exists", q);
		return -1;
	}
	if (own_wal)
		snprintf(wal_dir, sizeof(wal_dir), "%s", cfg->wal_dir);
	else
		snprintf(wal_dir, sizeof(wal_dir), "%s/member/wal", data_dir);
	snprintf(snap_dir, sizeof(snap_dir), "%s/member/snap", data_dir);
	snap_log("snapshot/v3_snapshot.go:296", "restoring snapshot", cfg, data_dir, wal_dir, snap_dir);
	if (access(cfg->path, R_OK) != 0) {
		snprintf(err, errlen, "open %s: %s", cfg->path, ctl_strerror(errno));
		return -1;
	}
	if (snap_too_short(cfg->path)) {
		snprintf(err, errlen, "seek %s: invalid argument", cfg->path);
		return -1;
	}
	/* etcd checks the hash before it reads anything (a file whose first
	 * page was overwritten is "expected sha256 ..."). */
	if (!cfg->skip_hash_check && !snap_has_hash(cfg->path)) {
		snprintf(err, errlen, "snapshot missing hash but --skip-hash-check=false");
		return -1;
	}
	if (!cfg->skip_hash_check && snap_check_hash(cfg->path, err, errlen) != 0)
		return -1;
	kind = snap_kind_of(cfg->path);
	if (kind == SNAP_UNKNOWN) {
		snprintf(err, errlen, "%s: not a cairn or etcd snapshot", cfg->path);
		return -1;
	}
	snprintf(tmp, sizeof(tmp), "%s.cairnctl-restore-%ld", data_dir, (long)getpid());
	snprintf(path, sizeof(path), "%s/member", tmp);
	if (mkdir(tmp, 0700) != 0 || mkdir(path, 0700) != 0) {
		snprintf(err, errlen, "mkdir %s: %s", path, ctl_strerror(errno));
		goto fail;
	}
	snprintf(path, sizeof(path), "%s/member/db", tmp);
	if (mkdir(path, 0700) != 0) {
		snprintf(err, errlen, "mkdir %s: %s", path, ctl_strerror(errno));
		goto fail;
	}
	if (snap_write_store(cfg, kind, path, err, errlen) != 0 ||
	    snap_fix_store(path, &ms, err, errlen) != 0)
		goto fail;
	snap_log_members(&ms);
	if (!own_wal) {
		snprintf(path, sizeof(path), "%s/member/wal", tmp);
		if (snap_write_wal(path, &ms, err, errlen) != 0)
			goto fail;
	}
	if (rename(tmp, data_dir) != 0) {
		snprintf(err, errlen, "rename %s %s: %s", tmp, data_dir, ctl_strerror(errno));
		goto fail;
	}
	if (own_wal && snap_write_wal(wal_dir, &ms, err, errlen) != 0) {
		nftw(data_dir, snap_rm_one, 16, FTW_DEPTH | FTW_PHYS);
		nftw(wal_dir, snap_rm_one, 16, FTW_DEPTH | FTW_PHYS);
		return -1;
	}
	snap_log("snapshot/v3_snapshot.go:309", "restored snapshot", cfg, data_dir, wal_dir, snap_dir);
	return 0;
fail:
	nftw(tmp, snap_rm_one, 16, FTW_DEPTH | FTW_PHYS);
	return -1;
}
