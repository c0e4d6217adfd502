/*
 * raftd: opening a WAL: find the segments, read each through
 * wal_scan_segment and wal_recover_record, repair a torn tail of the last
 * segment and nothing else, then get ready to append after it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "raftd/wal_recover.h"
#include "shared/assert.h"
#include "shared/err.h"
#include "shared/log.h"
#include "shared/xmalloc.h"

#define WAL_ZERO_CHUNK_BYTES 4096u

/* One open in progress. */
struct wal_reader {
	struct wal *w;
	struct wal_recover rc;
	uint8_t *buf;               /* the segment being read */
	size_t buf_cap;
	char *err;                  /* borrowed from the caller */
	size_t errlen;
};

static int
reader_corrupt(struct wal_reader *rd, const char *name, size_t off,
    const char *why, size_t valid_off)
{
	if (valid_off != 0)
		snprintf(rd->err, rd->errlen, "wal: corrupt record in %s at "
		    "offset %zu: %s; a valid record follows at offset %zu",
		    name, off, why, valid_off);
	else
		snprintf(rd->err, rd->errlen, "wal: corrupt record in %s at "
		    "offset %zu: %s", name, off, why);
	return CAIRN_ECORRUPT;
}

static int
segment_cmp(const void *a, const void *b)
{
	const struct wal_segment *x = a, *y = b;

	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* Collects the segments in sequence order and removes leftover prepared
 * files: those were never part of the log. */
static int
reader_list(struct wal_reader *rd)
{
	const struct wal_fs *fs = rd->w->fs;
	char **names;
	size_t n;
	uint64_t seq, first;
	int rc;

	if ((rc = fs->ops->list(fs->ctx, &names, &n)) != 0)
		return rc;
	for (size_t i = 0; i < n && rc == 0; i++) {
		size_t len = strlen(names[i]), sfx = strlen(WAL_TMP_SUFFIX);

		if (wal_segment_parse(names[i], &seq, &first) == 0)
			wal_segment_push(rd->w, seq, first);
		else if (len > sfx &&
		    strcmp(names[i] + len - sfx, WAL_TMP_SUFFIX) == 0)
			rc = fs->ops->unlink(fs->ctx, names[i]);
	}
	wal_fs_names_free(names, n);
	if (rc != 0)
		return rc;
	if (rd->w->segs_n == 0)
		return CAIRN_ENOENT;
	qsort(rd->w->segs, rd->w->segs_n, sizeof(*rd->w->segs), segment_cmp);
	for (size_t i = 1; i < rd->w->segs_n; i++)
		if (rd->w->segs[i].seq != rd->w->segs[i - 1].seq + 1)
			return reader_corrupt(rd, rd->w->segs[i].name, 0,
			    "the segment before it is missing", 0);
	return 0;
}

/* Reads one whole segment into rd->buf; '*n' gets its size. */
static int
reader_load(struct wal_reader *rd, struct wal_file *f, size_t *n)
{
	const struct wal_fs *fs = rd->w->fs;
	uint64_t size;
	size_t got;
	int rc;

	if ((rc = fs->ops->size(fs->ctx, f, &size)) != 0)
		return rc;
	if (size > rd->buf_cap) {
		free(rd->buf);
		rd->buf_cap = (size_t)size;
		rd->buf = xmalloc(rd->buf_cap);
	}
	if ((rc = fs->ops->pread(fs->ctx, f, rd->buf, size, 0, &got)) != 0)
		return rc;
	if (got != size)
		return CAIRN_EIO;
	*n = (size_t)size;
	return 0;
}

/* Zeros a torn tail [from, n) of the last segment and syncs it. */
static int
reader_repair(struct wal_reader *rd, struct wal_file *f, const char *name,
    size_t from, size_t n, const char *why)
{
	static const uint8_t zeros[WAL_ZERO_CHUNK_BYTES];
	const struct wal_fs *fs = rd->w->fs;
	int rc;

	while (n > from && rd->buf[n - 1] == 0)
		n--;
	log_warnx("wal: truncating torn tail of %s at offset %zu (%zu bytes, "
	    "%s)", name, from, n - from, why);
	for (size_t off = from; off < n; off += WAL_ZERO_CHUNK_BYTES) {
		size_t len = n - off < WAL_ZERO_CHUNK_BYTES ? n - off :
		    WAL_ZERO_CHUNK_BYTES;

		if ((rc = fs->ops->pwrite(fs->ctx, f, zeros, len, off)) != 0)
			return rc;
	}
	return fs->ops->sync(fs->ctx, f);
}

/* Reads segment 'i'; the last one stays open as the current segment. */
static int
reader_segment(struct wal_reader *rd, size_t i)
{
	struct wal *w = rd->w;
	const char *name = w->segs[i].name;
	bool last = i + 1 == w->segs_n;
	struct wal_file *f = NULL;
	struct wal_scan res;
	size_t n;
	int rc;

	if ((rc = w->fs->ops->open(w->fs->ctx, name, 0, &f)) != 0)
		return rc;
	if ((rc = reader_load(rd, f, &n)) != 0)
		goto fail;
	rd->rc.seg_records = 0;
	rc = wal_scan_segment(rd->buf, n, wal_recover_record, &rd->rc, &res);
	if (rc == 0 && rd->rc.seg_records == 0)
		res = (struct wal_scan){.why = "segment without metadata"};
	if (rc != 0 || rd->rc.seg_records == 0 || (res.torn && !last)) {
		rc = reader_corrupt(rd, name, rc ? res.bad_off : res.end,
		    res.why, res.valid_off);
		goto fail;
	}
	if (res.torn && (rc = reader_repair(rd, f, name, res.end, n,
	    res.why)) != 0)
		goto fail;
	if (!last) {
		w->fs->ops->close(w->fs->ctx, f);
		return 0;
	}
	w->cur = f;
	w->cur_written = res.end;
	return 0;
fail:
	w->fs->ops->close(w->fs->ctx, f);
	return rc;
}

/* Positions the writer after the last record of the log. */
static int
reader_finish(struct wal_reader *rd, struct wal_recovered *rec)
{
	struct wal *w = rd->w;
	const char *why;
	uint64_t size;
	int rc;

	if (wal_recover_finish(&rd->rc, &why) != 0)
		return reader_corrupt(rd, w->segs[0].name, 0, why, 0);
	w->id = rec->id;
	w->hs = rec->hs;
	w->snap = rec->snap;
	w->last_index = rec->entries_n > 0 ?
	    rec->entries[rec->entries_n - 1].index : rec->snap.index;
	w->cur_base = WAL_RECORD_HDR_BYTES + WAL_RECORD_METADATA_BYTES;
	if ((rc = w->fs->ops->size(w->fs->ctx, w->cur, &size)) != 0)
		return rc;
	if (size < w->segment_bytes &&
	    (rc = w->fs->ops->prealloc(w->fs->ctx, w->cur, w->segment_bytes)))
		return rc;
	return wal_segment_prepare(w);
}

int
wal_open(const struct wal_fs *fs, const struct wal_options *opt,
    struct wal **out, struct wal_recovered *rec, char *err, size_t errlen)
{
	struct wal_reader rd = {.err = err, .errlen = errlen};
	int rc;

	CAIRN_ASSERT(out != NULL && rec != NULL);
	CAIRN_ASSERT(err != NULL && errlen > 0);
	*out = NULL;
	memset(rec, 0, sizeof(*rec));
	err[0] = '\0';
	rd.w = wal_alloc(fs, opt);
	rd.rc.rec = rec;
	if ((rc = reader_list(&rd)) != 0)
		goto fail;
	for (size_t i = 0; i < rd.w->segs_n; i++)
		if ((rc = reader_segment(&rd, i)) != 0)
			goto fail;
	if ((rc = reader_finish(&rd, rec)) != 0)
		goto fail;
	free(rd.buf);
	*out = rd.w;
	return 0;
fail:
	if (err[0] == '\0')
		snprintf(err, errlen, "wal: open failed: %s", err_str(rc));
	free(rd.buf);
	wal_close(rd.w);
	return rc;
}
