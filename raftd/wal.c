/*
 * raftd: the WAL's write side: buffered appends, group commit (one
 * fdatasync per ready batch, thesis §10.2.1 on batching), release of
 * segments covered by a snapshot.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "raftd/wal_impl.h"
#include "shared/assert.h"
#include "shared/err.h"
#include "shared/log.h"
#include "shared/xmalloc.h"

struct wal *
wal_alloc(const struct wal_fs *fs, const struct wal_options *opt)
{
	struct wal *w = xcalloc(1, sizeof(*w));

	CAIRN_ASSERT(fs != NULL && fs->ops != NULL);
	w->fs = fs;
	w->segment_bytes = opt && opt->segment_bytes ? opt->segment_bytes :
	    WAL_SEGMENT_BYTES_DEFAULT;
	CAIRN_ASSERT(w->segment_bytes >= WAL_SEGMENT_BYTES_MIN);
	w->buf_cap = WAL_WRITE_BUF_BYTES + WAL_RECORD_BYTES_MAX;
	w->buf = xmalloc(w->buf_cap);
	return w;
}

static bool
wal_has_segments(const struct wal_fs *fs)
{
	char **names;
	size_t n;
	bool found = false;
	uint64_t seq, first;

	if (fs->ops->list(fs->ctx, &names, &n) != 0)
		return false;
	for (size_t i = 0; i < n; i++)
		if (wal_segment_parse(names[i], &seq, &first) == 0)
			found = true;
	wal_fs_names_free(names, n);
	return found;
}

int
wal_create(const struct wal_fs *fs, const struct raft_identity *id,
    const struct wal_options *opt, struct wal **out)
{
	struct wal *w = wal_alloc(fs, opt);
	int rc;

	CAIRN_ASSERT(id != NULL && out != NULL);
	*out = NULL;
	w->id = *id;
	if ((rc = fs->ops->mkdir(fs->ctx)) != 0)
		goto fail;
	if (wal_has_segments(fs)) {
		log_warnx("wal: create: segments already exist");
		rc = CAIRN_EINVAL;
		goto fail;
	}
	/* The first segment appears complete or not at all: prepared under
	 * a temporary name, then renamed. */
	if ((rc = wal_segment_prepare(w)) != 0)
		goto fail;
	if ((rc = wal_segment_install(w, 0, 1)) != 0)
		goto fail;
	if ((rc = wal_segment_prepare(w)) != 0)
		goto fail;
	*out = w;
	return 0;
fail:
	wal_close(w);
	return rc;
}

/* Writes what is buffered to the current segment (no sync). */
int
wal_flush(struct wal *w)
{
	int rc;

	if (w->buf_len == 0)
		return 0;
	rc = w->fs->ops->pwrite(w->fs->ctx, w->cur, w->buf, w->buf_len,
	    w->cur_written);
	if (rc != 0) {
		w->failed = true;
		return rc;
	}
	w->cur_written += w->buf_len;
	w->buf_len = 0;
	return 0;
}

/* Buffers one record, rolling over first if it would not fit. A record
 * larger than a whole segment goes alone into a fresh one, which then
 * grows past its preallocated size. */
int
wal_put(struct wal *w, const struct wal_record *r)
{
	size_t size = wal_record_encoded_bytes(r);
	uint64_t pos = w->cur_written + w->buf_len;
	int rc;

	CAIRN_ASSERT(size <= WAL_RECORD_BYTES_MAX);
	if (pos + size > w->segment_bytes && pos > w->cur_base) {
		if ((rc = wal_segment_roll(w)) != 0) {
			w->failed = true;
			return rc;
		}
	}
	if (w->buf_len + size > w->buf_cap - WAL_RECORD_BYTES_MAX &&
	    (rc = wal_flush(w)) != 0)
		return rc;
	w->buf_len += wal_record_encode(w->buf + w->buf_len, r);
	w->unsynced = true;
	return 0;
}

int
wal_append_entries(struct wal *w, const struct raft_entry *e, size_t n)
{
	struct wal_record r = {.type = WAL_RECORD_ENTRY};
	int rc;

	CAIRN_ASSERT(w != NULL);
	CAIRN_ASSERT(n == 0 || e != NULL);
	if (w->failed)
		return CAIRN_EIO;
	for (size_t i = 0; i < n; i++)
		if (e[i].len > RAFT_ENTRY_BYTES_MAX)
			return CAIRN_ETOOBIG;
	for (size_t i = 0; i < n; i++) {
		r.u.entry = e[i];
		if ((rc = wal_put(w, &r)) != 0)
			return rc;
		w->last_index = e[i].index;
	}
	return 0;
}

int
wal_append_hardstate(struct wal *w, const struct raft_hardstate *hs)
{
	struct wal_record r = {.type = WAL_RECORD_HARDSTATE, .u.hs = *hs};
	int rc;

	if (w->failed)
		return CAIRN_EIO;
	if ((rc = wal_put(w, &r)) == 0)
		w->hs = *hs;
	return rc;
}

int
wal_append_snapshot(struct wal *w, const struct raft_snapshot_marker *m)
{
	struct wal_record r = {.type = WAL_RECORD_SNAPSHOT, .u.snap = *m};
	const char *why;
	int rc;

	CAIRN_ASSERT(w != NULL && m != NULL);
	if (w->failed)
		return CAIRN_EIO;
	/* Refused here rather than written: wal_open would reject it as
	 * corrupt, and rollover would copy it into every later segment. */
	if (wal_record_conf_check(&m->conf, &why) != 0) {
		log_warnx("wal: snapshot marker at %" PRIu64 " refused: %s",
		    m->index, why);
		return CAIRN_EINVAL;
	}
	if ((rc = wal_put(w, &r)) == 0) {
		w->snap = *m;
		if (w->last_index < m->index)
			w->last_index = m->index;
	}
	return rc;
}

/* A failed fdatasync is not retried: after it the kernel may have
 * dropped the dirty pages and a second call could falsely succeed
 * (PostgreSQL's "fsyncgate", 2018). */
int
wal_sync(struct wal *w)
{
	int rc;

	CAIRN_ASSERT(w != NULL);
	if (w->failed)
		return CAIRN_EIO;
	if (!w->unsynced)
		return 0;
	if ((rc = wal_flush(w)) != 0)
		return rc;
	if ((rc = w->fs->ops->sync(w->fs->ctx, w->cur)) != 0) {
		w->failed = true;
		return rc;
	}
	w->unsynced = false;
	return 0;
}

/* Segment i holds only entries below the first index of segment i+1
 * (that name is last_index + 1 at the time it was started), so it is
 * covered when segs[i + 1].first_index <= index + 1. */
int
wal_release_before(struct wal *w, uint64_t index)
{
	const struct wal_fs *fs = w->fs;
	size_t k = 0, done;
	int rc;

	/* Releasing past the snapshot would lose live entries. */
	CAIRN_ASSERT(index <= w->snap.index);
	if ((rc = wal_sync(w)) != 0)
		return rc;
	while (k + 1 < w->segs_n && w->segs[k + 1].first_index <= index + 1)
		k++;
	for (done = 0; done < k; done++) {
		rc = fs->ops->unlink(fs->ctx, w->segs[done].name);
		if (rc != 0)
			break;
		log_info("wal: released segment %s", w->segs[done].name);
	}
	memmove(w->segs, w->segs + done, (w->segs_n - done) * sizeof(*w->segs));
	w->segs_n -= done;
	if (rc == 0 && done > 0)
		rc = fs->ops->sync_dir(fs->ctx);
	return rc;
}

size_t
wal_segment_count(const struct wal *w)
{
	return w->segs_n;
}

void
wal_close(struct wal *w)
{
	if (w == NULL)
		return;
	if (w->cur != NULL)
		w->fs->ops->close(w->fs->ctx, w->cur);
	if (w->next != NULL)
		w->fs->ops->close(w->fs->ctx, w->next);
	free(w->segs);
	free(w->buf);
	free(w);
}
