/*
 * raftd: reads the records of one segment in memory and decides how the
 * segment ends: cleanly, in a torn tail, or in corruption.
 *
 * The rule. Records are written in order and a crash loses only bytes
 * after the last fdatasync, so what a crash leaves is a prefix of valid
 * records followed by bytes that were never made durable: the tail of the
 * last batch. A damaged record that is followed, anywhere later in the
 * same segment, by a valid record cannot be such a tail: something was
 * written after it, so the damage hit data that was already in place.
 * That is corruption, and so is any damage in a segment other than the
 * last, because a segment is synced in full before its successor becomes
 * visible (wal_segment_roll). Only in the last segment, and only when
 * nothing valid follows the first bad byte, is the rest a torn tail that
 * may be zeroed. The caller applies the "last segment" half.
 */
#include <string.h>

#include "raftd/wal_impl.h"
#include "shared/assert.h"
#include "shared/err.h"

/* The first 8-byte aligned offset after 'off' where a valid record
 * starts, or 0 if none does. */
static size_t
scan_find_valid(const uint8_t *buf, size_t n, size_t off)
{
	struct wal_record r;
	const char *why;
	size_t size;

	for (size_t q = off + WAL_RECORD_ALIGN; q + WAL_RECORD_HDR_BYTES <= n;
	    q += WAL_RECORD_ALIGN)
		if (!wal_record_is_end(buf + q, n - q) &&
		    wal_record_decode(buf + q, n - q, &r, &size, &why) == 0)
			return q;
	return 0;
}

static bool
scan_all_zero(const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i] != 0)
			return false;
	return true;
}

int
wal_scan_segment(const uint8_t *buf, size_t n, wal_scan_fn fn, void *arg,
    struct wal_scan *res)
{
	struct wal_record r;
	const char *why = "garbage after the last record";
	size_t off = 0, size;
	int rc;

	CAIRN_ASSERT(buf != NULL || n == 0);
	memset(res, 0, sizeof(*res));
	while (!wal_record_is_end(buf + off, n - off)) {
		if (wal_record_decode(buf + off, n - off, &r, &size, &why) != 0)
			break;
		if ((rc = fn(arg, &r, off, &res->why)) != 0) {
			res->bad_off = off;
			return rc;
		}
		off += size;
		CAIRN_ASSERT(off <= n);
		why = "garbage after the last record";
	}
	res->end = off;
	res->why = why;
	if ((res->valid_off = scan_find_valid(buf, n, off)) != 0) {
		res->bad_off = off;
		return CAIRN_ECORRUPT;
	}
	res->torn = !scan_all_zero(buf + off, n - off);
	return 0;
}
