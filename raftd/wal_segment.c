/*
 * raftd: WAL segment files: their names, the prepared next segment
 * ("next.tmp": preallocated, metadata synced, renamed into place at
 * rollover, like etcd's file pipeline) and the rollover itself.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "raftd/wal_impl.h"
#include "shared/assert.h"
#include "shared/err.h"
#include "shared/log.h"
#include "shared/xmalloc.h"

#define WAL_SEGMENT_HEX_DIGITS 16
#define WAL_SEGMENT_NAME_LEN (2 * WAL_SEGMENT_HEX_DIGITS + 1 + 4)

void
wal_segment_name(char *buf, uint64_t seq, uint64_t first_index)
{
	snprintf(buf, WAL_FS_NAME_BYTES_MAX, "%016" PRIx64 "-%016" PRIx64
	    WAL_SEGMENT_SUFFIX, seq, first_index);
}

static int
parse_hex(const char *s, uint64_t *out)
{
	*out = 0;
	for (int i = 0; i < WAL_SEGMENT_HEX_DIGITS; i++) {
		char c = s[i];
		unsigned d;

		if (c >= '0' && c <= '9')
			d = (unsigned)(c - '0');
		else if (c >= 'a' && c <= 'f')
			d = (unsigned)(c - 'a' + 10);
		else
			return CAIRN_EINVAL;
		*out = (*out << 4) | d;
	}
	return 0;
}

/* Only the exact form wal_segment_name makes is a segment. */
int
wal_segment_parse(const char *name, uint64_t *seq, uint64_t *first_index)
{
	if (strlen(name) != WAL_SEGMENT_NAME_LEN ||
	    name[WAL_SEGMENT_HEX_DIGITS] != '-' ||
	    strcmp(name + 2 * WAL_SEGMENT_HEX_DIGITS + 1,
	    WAL_SEGMENT_SUFFIX) != 0)
		return CAIRN_EINVAL;
	if (parse_hex(name, seq) != 0)
		return CAIRN_EINVAL;
	return parse_hex(name + WAL_SEGMENT_HEX_DIGITS + 1, first_index);
}

void
wal_segment_push(struct wal *w, uint64_t seq, uint64_t first_index)
{
	struct wal_segment *s;

	if (w->segs_n == w->segs_cap) {
		w->segs_cap = w->segs_cap ? 2 * w->segs_cap : 8;
		w->segs = xrealloc(w->segs, w->segs_cap * sizeof(*w->segs));
	}
	s = &w->segs[w->segs_n++];
	s->seq = seq;
	s->first_index = first_index;
	wal_segment_name(s->name, seq, first_index);
}

/* Makes WAL_NEXT_NAME ready: preallocated, its METADATA record written
 * and synced, so that every segment visible under a .wal name starts
 * with a durable METADATA record. */
int
wal_segment_prepare(struct wal *w)
{
	const struct wal_fs *fs = w->fs;
	uint8_t rec[WAL_RECORD_HDR_BYTES + WAL_RECORD_METADATA_BYTES];
	struct wal_record r = {.type = WAL_RECORD_METADATA, .u.id = w->id};
	size_t len;
	int rc;

	CAIRN_ASSERT(w->next == NULL);
	CAIRN_ASSERT(wal_record_encoded_bytes(&r) == sizeof(rec));
	rc = fs->ops->unlink(fs->ctx, WAL_NEXT_NAME);
	if (rc != 0 && rc != CAIRN_ENOENT)
		return rc;
	if ((rc = fs->ops->open(fs->ctx, WAL_NEXT_NAME, 1, &w->next)) != 0)
		return rc;
	len = wal_record_encode(rec, &r);
	if ((rc = fs->ops->prealloc(fs->ctx, w->next, w->segment_bytes)) != 0)
		return rc;
	if ((rc = fs->ops->pwrite(fs->ctx, w->next, rec, len, 0)) != 0)
		return rc;
	return fs->ops->sync(fs->ctx, w->next);
}

/* Renames the prepared file into place as the current segment. */
int
wal_segment_install(struct wal *w, uint64_t seq, uint64_t first_index)
{
	const struct wal_fs *fs = w->fs;
	int rc;

	CAIRN_ASSERT(w->next != NULL);
	CAIRN_ASSERT(w->buf_len == 0);
	wal_segment_push(w, seq, first_index);
	rc = fs->ops->rename(fs->ctx, WAL_NEXT_NAME,
	    w->segs[w->segs_n - 1].name);
	if (rc == 0)
		rc = fs->ops->sync_dir(fs->ctx);
	if (rc != 0) {
		w->segs_n--;
		return rc;
	}
	if (w->cur != NULL)
		fs->ops->close(fs->ctx, w->cur);
	w->cur = w->next;
	w->next = NULL;
	w->cur_written = WAL_RECORD_HDR_BYTES + WAL_RECORD_METADATA_BYTES;
	w->cur_base = w->cur_written;
	return 0;
}

/* Finishes the current segment and starts the next. The finished one is
 * synced before the next becomes visible, so every segment but the last
 * is wholly durable: the reader relies on that (wal_scan.c). The new
 * segment repeats the snapshot marker and hard state, so that releasing
 * older segments never loses them. */
int
wal_segment_roll(struct wal *w)
{
	struct wal_record snap = {.type = WAL_RECORD_SNAPSHOT, .u.snap = w->snap};
	struct wal_record hs = {.type = WAL_RECORD_HARDSTATE, .u.hs = w->hs};
	const struct wal_fs *fs = w->fs;
	uint64_t seq = w->segs[w->segs_n - 1].seq + 1;
	int rc;

	if ((rc = wal_flush(w)) != 0)
		return rc;
	if ((rc = fs->ops->sync(fs->ctx, w->cur)) != 0)
		return rc;
	if (w->next == NULL && (rc = wal_segment_prepare(w)) != 0)
		return rc;
	if ((rc = wal_segment_install(w, seq, w->last_index + 1)) != 0)
		return rc;
	log_info("wal: started segment %s", w->segs[w->segs_n - 1].name);
	if ((rc = wal_put(w, &snap)) != 0 || (rc = wal_put(w, &hs)) != 0)
		return rc;
	w->cur_base = w->cur_written + w->buf_len;
	w->unsynced = true;
	return wal_segment_prepare(w);
}
