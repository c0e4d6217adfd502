/*
 * cairnctl: etcd's snapshot files (bbolt, ctl/bbolt.h): their status as
 * etcdctl's snapshot status computes it (clientv3/snapshot Status), and
 * their buckets imported into a new cairn store (stored/mvcc_import.h)
 * for snapshot restore, revisions, leases, auth and alarms included.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "ctl/bbolt.h"
#include "ctl/ctl.h"
#include "ctl/snap.h"
#include "ctl/zaplog.h"
#include "shared/be.h"
#include "shared/crc32c.h"
#include "shared/err.h"
#include "shared/xmalloc.h"
#include "stored/mvcc.h"
#include "stored/mvcc_import.h"
#include "stored/rev_codec.h"
#include "stored/snapshot.h"

/* etcd's bucket of revisions, whose last key is the status's revision. */
#define SNAP_KEY_BUCKET "key"

/* Opens the file and runs bolt's check (etcdctl's status refuses a file
 * that fails it; restore does too). */
static int
snap_bolt_open(struct bbolt *db, const char *path, size_t tail, char *err, size_t errlen)
{
	char *text = NULL;
	unsigned n;

	if (bbolt_open(db, path, tail, err, errlen) != 0)
		return -1;
	n = bbolt_check(db, &text);
	if (n == 0)
		return 0;
	snprintf(err, errlen, "snapshot file integrity check failed. %u errors found.\n%s", n,
	    text != NULL ? text : "");
	free(text);
	bbolt_close(db);
	return -1;
}

/* Status: the walk over every bucket. */
struct snap_sum {
	const struct bbolt *db;
	struct snap_status *st;
	uint32_t h;
	bool key_bucket;
	char *err;
	size_t errlen;
};

static int
snap_sum_record(void *arg, const uint8_t *k, size_t kn, const uint8_t *v, size_t vn,
    bool bucket)
{
	struct snap_sum *s = arg;

	/* bolt's ForEach gives a nested bucket's value as nil. */
	s->h = crc32c_extend(s->h, k, kn);
	if (!bucket)
		s->h = crc32c_extend(s->h, v, vn);
	if (s->key_bucket) {
		/* etcd's bytesToRev reads 17 bytes (and panics on fewer). */
		if (kn < MVCC_REV_BYTES) {
			snprintf(s->err, s->errlen, "key bucket: a key of %zu bytes is no revision",
			    kn);
			return CAIRN_ECORRUPT;
		}
		s->st->revision = (int64_t)be_get64(k);
	}
	s->st->total_key++;
	return 0;
}

static int
snap_sum_bucket(void *arg, const uint8_t *k, size_t kn, const uint8_t *v, size_t vn,
    bool bucket)
{
	struct snap_sum *s = arg;
	struct bbolt_bucket b;

	if (!bucket) {
		snprintf(s->err, s->errlen, "cannot get hash of bucket %.*s", (int)kn,
		    (const char *)k);
		return CAIRN_ECORRUPT;
	}
	if (bbolt_child(s->db, v, vn, &b, s->err, s->errlen) != 0)
		return CAIRN_ECORRUPT;
	s->h = crc32c_extend(s->h, k, kn);
	s->key_bucket = kn == strlen(SNAP_KEY_BUCKET) && memcmp(k, SNAP_KEY_BUCKET, kn) == 0;
	return bbolt_foreach(s->db, &b, snap_sum_record, s, s->err, s->errlen);
}

int
snap_etcd_status(const char *path, struct snap_status *st, char *err, size_t errlen)
{
	struct bbolt db;
	struct bbolt_bucket root;
	struct snap_sum s = { .db = &db, .st = st, .err = err, .errlen = errlen };
	struct stat sb;
	int rc;

	memset(st, 0, sizeof(*st));
	/* bolt's Open writes the first pages of an empty file, which a file
	 * opened read-only refuses. */
	if (stat(path, &sb) == 0 && sb.st_size == 0) {
		snprintf(err, errlen, "write %s: bad file descriptor", path);
		return -1;
	}
	if (snap_bolt_open(&db, path, 0, err, errlen) != 0)
		return -1;
	st->total_size = (int64_t)bbolt_size(&db);
	bbolt_root(&db, &root);
	rc = bbolt_foreach(&db, &root, snap_sum_bucket, &s, err, errlen);
	st->hash = s.h;
	bbolt_close(&db);
	return rc == 0 ? 0 : -1;
}

/* Restore: each bucket the store takes, record by record. */
struct snap_import {
	const struct bbolt *db;
	struct mvcc_import im;
	const uint8_t *bucket;
	size_t bucket_len;
	char *err;
	size_t errlen;
};

static int
snap_import_record(void *arg, const uint8_t *k, size_t kn, const uint8_t *v, size_t vn,
    bool bucket)
{
	struct snap_import *si = arg;
	int rc;

	if (bucket) {
		snprintf(si->err, si->errlen, "bucket %.*s holds a bucket: not an etcd snapshot",
		    (int)si->bucket_len, (const char *)si->bucket);
		return CAIRN_ECORRUPT;
	}
	rc = mvcc_import_record(&si->im, si->bucket, si->bucket_len, k, kn, v, vn);
	if (rc != 0)
		snprintf(si->err, si->errlen, "bucket %.*s: a record cairn cannot take: %s",
		    (int)si->bucket_len, (const char *)si->bucket, err_str(rc));
	return rc;
}

static int
snap_import_bucket(void *arg, const uint8_t *k, size_t kn, const uint8_t *v, size_t vn,
    bool bucket)
{
	struct snap_import *si = arg;
	struct bbolt_bucket b;

	if (!bucket) {
		snprintf(si->err, si->errlen, "%.*s: a record outside any bucket: not an etcd "
		    "snapshot", (int)kn, (const char *)k);
		return CAIRN_ECORRUPT;
	}
	if (!mvcc_import_takes(k, kn))
		return 0;
	if (bbolt_child(si->db, v, vn, &b, si->err, si->errlen) != 0)
		return CAIRN_ECORRUPT;
	si->bucket = k;
	si->bucket_len = kn;
	return bbolt_foreach(si->db, &b, snap_import_record, si, si->err, si->errlen);
}

/* What etcd's store logs as it opens the restored backend. */
static void
snap_import_log(const struct mvcc *s, const struct mvcc_import *im)
{
	if (im->finished >= 0) {
		zaplog_begin("info", true, "mvcc/kvstore.go:388", "restored last compact revision");
		zaplog_str("meta-bucket-name", "meta");
		zaplog_str("meta-bucket-name-key", "finishedCompactRev");
		zaplog_uint("restored-compact-revision", (uint64_t)im->finished);
		zaplog_end();
	}
	if (s->compact_rev > s->compact_done_rev) {
		zaplog_begin("info", true, "mvcc/kvstore.go:468", "resume scheduled compaction");
		zaplog_str("meta-bucket-name", "meta");
		zaplog_str("meta-bucket-name-key", "scheduledCompactRev");
		zaplog_uint("scheduled-compact-revision", (uint64_t)s->compact_rev);
		zaplog_end();
	}
}

int
snap_etcd_restore(const char *path, const char *db_dir, bool has_hash, char *err, size_t errlen)
{
	struct bbolt db;
	struct bbolt_bucket root;
	struct snap_import si = { .db = &db, .err = err, .errlen = errlen };
	struct mvcc s;
	int rc;

	if (snap_bolt_open(&db, path, has_hash ? SNAPSHOT_SHA256_BYTES : 0, err, errlen) != 0)
		return -1;
	if (mvcc_open(&s, db_dir, NULL, err, errlen) != 0) {
		bbolt_close(&db);
		return -1;
	}
	mvcc_import_begin(&si.im, &s);
	bbolt_root(&db, &root);
	rc = bbolt_foreach(&db, &root, snap_import_bucket, &si, err, errlen);
	if (rc == 0 && (rc = mvcc_import_end(&si.im)) != 0)
		snprintf(err, errlen, "cannot write the restored store: %s", err_str(rc));
	if (rc != 0)
		mvcc_import_abort(&si.im);
	else
		snap_import_log(&s, &si.im);
	mvcc_close(&s);
	bbolt_close(&db);
	return rc == 0 ? 0 : -1;
}
