/*
 * stored: snapshots of the store (see snapshot.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <mbedtls/sha256.h>

#include "stored/snapshot.h"
#include "shared/assert.h"
#include "shared/err.h"
#include "shared/le.h"
#include "shared/log.h"
#include "shared/xmalloc.h"

#define REC_PIECE 1
#define REC_END 2

/* ---- writing -------------------------------------------------------- */

struct snap_out {
	snapshot_sink_fn *sink;
	void *arg;
	mbedtls_sha256_context sha;
	uint64_t total;              /* bytes emitted */
	int rc;                      /* the sink's first refusal */
};

/* Berkeley DB's backup runs one environment at a time: the stream being
 * written is found here from its callbacks. */
static struct snap_out *snap_current;

static void
snap_emit(struct snap_out *o, const uint8_t *p, size_t n)
{
	if (o->rc != 0 || n == 0)
		return;
	mbedtls_sha256_update_ret(&o->sha, p, n);
	o->total += n;
	o->rc = o->sink(o->arg, p, n);
}

static int
snap_open(DB_ENV *env, const char *name, const char *target, void **handle)
{
	(void)env;
	(void)target;
	*handle = xstrdup(name);
	return 0;
}

static bool
snap_zero(const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i] != 0)
			return false;
	return true;
}

static int
snap_piece(DB_ENV *env, uint32_t gbytes, uint32_t bytes, uint32_t size, uint8_t *buf,
    void *handle)
{
	struct snap_out *o = snap_current;
	const char *name = handle;
	size_t nl = strlen(name);
	uint64_t off = (uint64_t)gbytes * (1ull << 30) + bytes;
	uint8_t head[1 + 2 + SNAPSHOT_NAME_BYTES_MAX + 8 + 4];
	size_t h = 0;

	bool log = strncmp(name, "log.", 4) == 0;
	uint32_t step = log ? SNAPSHOT_ZERO_BLOCK_BYTES : SNAPSHOT_PIECE_BYTES_MAX;

	(void)env;
	if (nl > SNAPSHOT_NAME_BYTES_MAX)
		return EINVAL;
	for (uint32_t done = 0; done < size || (size == 0 && done == 0); ) {
		uint32_t n = size - done < step ? size - done : step;

		/* A log file is as large as Berkeley DB's --lg_max from its
		 * start, mostly zeros past its last record (16 MiB for a few
		 * KB): its zero blocks are left out, and read back as holes
		 * (recovery ends the log at the first zero record anyway). */
		if (log && off + done > 0 && snap_zero(buf + done, n)) {
			done += n;
			continue;
		}
		h = 0;
		head[h++] = REC_PIECE;
		head[h++] = (uint8_t)nl;
		head[h++] = (uint8_t)(nl >> 8);
		memcpy(head + h, name, nl);
		h += nl;
		le_put64(head + h, off + done);
		h += 8;
		le_put32(head + h, n);
		h += 4;
		snap_emit(o, head, h);
		snap_emit(o, buf + done, n);
		done += n;
		if (size == 0)
			break;
	}
	return o->rc != 0 ? EIO : 0;
}

static int
snap_close(DB_ENV *env, const char *name, void *handle)
{
	(void)env;
	(void)name;
	free(handle);
	return 0;
}

int
snapshot_write(struct mvcc *s, snapshot_sink_fn *sink, void *arg)
{
	struct snap_out o = {.sink = sink, .arg = arg};
	static const uint8_t zeros[SNAPSHOT_ALIGN_BYTES];
	uint8_t end = REC_END, sum[SNAPSHOT_SHA256_BYTES];
	int rc;

	CAIRN_ASSERT(s->batch == NULL && snap_current == NULL);
	/* Everything committed goes in: the log buffer first; a checkpoint
	 * lets the log files the copy need not carry go. */
	if ((rc = bdb_sync(&s->db)) != 0 || (rc = bdb_checkpoint(&s->db)) != 0)
		return rc;
	mbedtls_sha256_init(&o.sha);
	mbedtls_sha256_starts_ret(&o.sha, 0);
	snap_current = &o;
	rc = s->db.env->set_backup_callbacks(s->db.env, snap_open, snap_piece, snap_close);
	if (rc == 0)
		rc = s->db.env->backup(s->db.env, "snapshot", DB_BACKUP_SINGLE_DIR);
	(void)s->db.env->set_backup_callbacks(s->db.env, NULL, NULL, NULL);
	snap_current = NULL;
	if (rc != 0 && o.rc == 0)
		o.rc = bdb_fail(rc, "backup");
	snap_emit(&o, &end, 1);
	snap_emit(&o, zeros, (SNAPSHOT_ALIGN_BYTES - o.total % SNAPSHOT_ALIGN_BYTES) %
	    SNAPSHOT_ALIGN_BYTES);
	mbedtls_sha256_finish_ret(&o.sha, sum);
	mbedtls_sha256_free(&o.sha);
	if (o.rc == 0)
		o.rc = sink(arg, sum, sizeof(sum));
	return o.rc;
}

/* ---- restoring ------------------------------------------------------ */

struct snap_in {
	snapshot_source_fn *src;
	void *arg;
	mbedtls_sha256_context sha;
	uint64_t total;              /* bytes read */
};

static int
snap_read(struct snap_in *in, void *p, size_t n)
{
	if (n == 0)
		return 0;
	if (in->src(in->arg, p, n) != 0)
		return CAIRN_ECORRUPT;
	mbedtls_sha256_update_ret(&in->sha, p, n);
	in->total += n;
	return 0;
}

/* A file name a snapshot may carry: no path, nothing hidden. */
static bool
snap_name_ok(const char *name, size_t n)
{
	if (n == 0 || name[0] == '.')
		return false;
	for (size_t i = 0; i < n; i++)
		if (name[i] == '/' || name[i] == '\0')
			return false;
	return true;
}

static int
snap_restore_piece(struct snap_in *in, const char *dir, uint8_t *buf, char *err,
    size_t errlen)
{
	uint8_t lb[2], ob[12];
	char name[SNAPSHOT_NAME_BYTES_MAX + 1], path[4096];
	size_t nl;
	uint64_t off;
	uint32_t len;
	int fd;

	if (snap_read(in, lb, 2) != 0)
		return CAIRN_ECORRUPT;
	nl = (size_t)lb[0] | (size_t)lb[1] << 8;
	if (nl > SNAPSHOT_NAME_BYTES_MAX || snap_read(in, name, nl) != 0 ||
	    snap_read(in, ob, 12) != 0)
		return CAIRN_ECORRUPT;
	name[nl] = '\0';
	off = le_get64(ob);
	len = le_get32(ob + 8);
	if (!snap_name_ok(name, nl) || len > SNAPSHOT_PIECE_BYTES_MAX ||
	    off > (1ull << 40) || snap_read(in, buf, len) != 0) {
		snprintf(err, errlen, "malformed snapshot record");
		return CAIRN_ECORRUPT;
	}
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0 || pwrite(fd, buf, len, (off_t)off) != (ssize_t)len) {
		snprintf(err, errlen, "cannot write %s: %s", path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return CAIRN_EIO;
	}
	return close(fd) == 0 ? 0 : CAIRN_EIO;
}

/* Catastrophic recovery of the restored files (a hot backup's rule). */
static int
snap_recover(const char *dir, char *err, size_t errlen)
{
	DB_ENV *env;
	int rc = db_env_create(&env, 0);

	if (rc == 0)
		rc = env->open(env, dir, DB_CREATE | DB_INIT_TXN | DB_INIT_LOCK | DB_INIT_LOG |
		    DB_INIT_MPOOL | DB_RECOVER_FATAL | DB_PRIVATE, 0600);
	if (rc == 0)
		rc = env->txn_checkpoint(env, 0, 0, 0);
	if (env != NULL)
		(void)env->close(env, 0);
	if (rc != 0) {
		snprintf(err, errlen, "cannot recover the restored store: %s", db_strerror(rc));
		return CAIRN_EIO;
	}
	return 0;
}

/* The zero bytes after the end record, up to a multiple of 512. */
static int
snap_read_padding(struct snap_in *in, uint8_t *buf, char *err, size_t errlen)
{
	size_t n = (SNAPSHOT_ALIGN_BYTES - in->total % SNAPSHOT_ALIGN_BYTES) % SNAPSHOT_ALIGN_BYTES;

	if (snap_read(in, buf, n) != 0)
		return CAIRN_ECORRUPT;
	for (size_t i = 0; i < n; i++)
		if (buf[i] != 0) {
			snprintf(err, errlen, "snapshot's padding is not zero");
			return CAIRN_ECORRUPT;
		}
	return 0;
}

int
snapshot_restore(snapshot_source_fn *src, void *arg, const char *dir, char *err,
    size_t errlen)
{
	struct snap_in in = {.src = src, .arg = arg};
	uint8_t *buf = xmalloc(SNAPSHOT_PIECE_BYTES_MAX), kind, want[SNAPSHOT_SHA256_BYTES],
	    got[SNAPSHOT_SHA256_BYTES];
	int rc = 0;

	mbedtls_sha256_init(&in.sha);
	mbedtls_sha256_starts_ret(&in.sha, 0);
	snprintf(err, errlen, "truncated snapshot");
	while (rc == 0) {
		if (snap_read(&in, &kind, 1) != 0) {
			rc = CAIRN_ECORRUPT;
			break;
		}
		if (kind == REC_END) {
			rc = snap_read_padding(&in, buf, err, errlen);
			break;
		}
		rc = kind == REC_PIECE ? snap_restore_piece(&in, dir, buf, err, errlen) :
		    CAIRN_ECORRUPT;
	}
	free(buf);
	mbedtls_sha256_finish_ret(&in.sha, got);
	mbedtls_sha256_free(&in.sha);
	if (rc != 0)
		return rc;
	if (src(arg, want, sizeof(want)) != 0 || memcmp(want, got, sizeof(got)) != 0) {
		snprintf(err, errlen, "snapshot's SHA-256 does not match its contents");
		return CAIRN_ECORRUPT;
	}
	return snap_recover(dir, err, errlen);
}
