/*
 * stored: etcd's revision keys of the key table (mvcc/revision.go): 8
 * bytes big-endian main, '_', 8 bytes big-endian sub, and for a tombstone
 * a trailing 't' (mvcc/kvstore.go, markTombstone). Big-endian makes the
 * bytewise order of non-negative revisions their numeric order.
 */
#ifndef CAIRN_STORED_REV_CODEC_H
#define CAIRN_STORED_REV_CODEC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "shared/assert.h"
#include "shared/be.h"
#include "shared/err.h"
#include "stored/mvcc_types.h"

#define MVCC_REV_SEP '_'

/* Writes rev's key at buf (room for MVCC_REV_TOMB_BYTES when 'tomb', else
 * MVCC_REV_BYTES) and returns its length, one of those two. */
static inline size_t
rev_put(uint8_t *buf, struct mvcc_rev rev, bool tomb)
{
	CAIRN_ASSERT(buf != NULL);
	be_put64(buf, (uint64_t)rev.main);
	buf[8] = MVCC_REV_SEP;
	be_put64(buf + 9, (uint64_t)rev.sub);
	if (!tomb)
		return MVCC_REV_BYTES;
	buf[MVCC_REV_BYTES] = MVCC_REV_TOMB_MARK;
	return MVCC_REV_TOMB_BYTES;
}

/* Reads a revision key of 'len' bytes. etcd reads any bytes blindly; a
 * key table record of another length, or with a wrong separator or mark,
 * can only be corruption: CAIRN_ECORRUPT, and *rev and *tomb unchanged. */
static inline int
rev_get(const uint8_t *buf, size_t len, struct mvcc_rev *rev, bool *tomb)
{
	CAIRN_ASSERT(buf != NULL || len == 0);
	if (len != MVCC_REV_BYTES && len != MVCC_REV_TOMB_BYTES)
		return CAIRN_ECORRUPT;
	if (buf[8] != MVCC_REV_SEP)
		return CAIRN_ECORRUPT;
	if (len == MVCC_REV_TOMB_BYTES && buf[MVCC_REV_BYTES] != MVCC_REV_TOMB_MARK)
		return CAIRN_ECORRUPT;
	rev->main = (int64_t)be_get64(buf);
	rev->sub = (int64_t)be_get64(buf + 9);
	*tomb = len == MVCC_REV_TOMB_BYTES;
	return 0;
}

#endif
