/*
 * raftd: one WAL record to and from bytes: fixed little-endian fields,
 * CRC-32C over everything but the checksum itself, 8-byte alignment.
 */
#include <string.h>

#include "raftd/crc32c.h"
#include "raftd/wal_record.h"
#include "shared/assert.h"
#include "shared/err.h"

static void
put_u32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static void
put_u64(uint8_t *p, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static uint32_t
get_u32(const uint8_t *p)
{
	uint32_t v = 0;

	for (int i = 3; i >= 0; i--)
		v = (v << 8) | p[i];
	return v;
}

static uint64_t
get_u64(const uint8_t *p)
{
	uint64_t v = 0;

	for (int i = 7; i >= 0; i--)
		v = (v << 8) | p[i];
	return v;
}

static size_t
pad8(size_t n)
{
	return (n + WAL_RECORD_ALIGN - 1) & ~(size_t)(WAL_RECORD_ALIGN - 1);
}

static size_t
data_bytes(const struct wal_record *r)
{
	switch (r->type) {
	case WAL_RECORD_ENTRY:
		CAIRN_ASSERT(r->u.entry.len <= RAFT_ENTRY_BYTES_MAX);
		return WAL_RECORD_ENTRY_FIXED_BYTES + r->u.entry.len;
	case WAL_RECORD_HARDSTATE:
		return WAL_RECORD_HARDSTATE_BYTES;
	case WAL_RECORD_METADATA:
	case WAL_RECORD_SNAPSHOT:
		return WAL_RECORD_PAIR_BYTES;
	}
	CAIRN_ASSERT(!"unknown record type");
	return 0;
}

size_t
wal_record_encoded_bytes(const struct wal_record *r)
{
	return WAL_RECORD_HDR_BYTES + pad8(data_bytes(r));
}

/* The checksum covers length, type and reserved (bytes 0-3 and 8-15 of
 * the header) and the data, so a damaged length is caught as well. */
static uint32_t
record_crc(const uint8_t *hdr, const uint8_t *data, size_t len)
{
	uint32_t c = crc32c(hdr, 4);

	c = crc32c_extend(c, hdr + 8, 8);
	return crc32c_extend(c, data, len);
}

static void
encode_data(uint8_t *d, const struct wal_record *r)
{
	switch (r->type) {
	case WAL_RECORD_METADATA:
		put_u64(d, r->u.id.cluster_id);
		put_u64(d + 8, r->u.id.member_id);
		break;
	case WAL_RECORD_ENTRY:
		put_u64(d, r->u.entry.term);
		put_u64(d + 8, r->u.entry.index);
		d[16] = r->u.entry.type;
		if (r->u.entry.len > 0)
			memcpy(d + 17, r->u.entry.data, r->u.entry.len);
		break;
	case WAL_RECORD_HARDSTATE:
		put_u64(d, r->u.hs.term);
		put_u64(d + 8, r->u.hs.vote);
		put_u64(d + 16, r->u.hs.commit);
		break;
	case WAL_RECORD_SNAPSHOT:
		put_u64(d, r->u.snap.index);
		put_u64(d + 8, r->u.snap.term);
		break;
	}
}

size_t
wal_record_encode(uint8_t *dst, const struct wal_record *r)
{
	size_t len = data_bytes(r), total = WAL_RECORD_HDR_BYTES + pad8(len);

	memset(dst, 0, total);
	put_u32(dst, (uint32_t)len);
	put_u32(dst + 8, r->type);
	encode_data(dst + WAL_RECORD_HDR_BYTES, r);
	put_u32(dst + 4, record_crc(dst, dst + WAL_RECORD_HDR_BYTES, len));
	return total;
}

int
wal_record_is_end(const uint8_t *p, size_t avail)
{
	if (avail < WAL_RECORD_HDR_BYTES)
		return 1;
	for (size_t i = 0; i < WAL_RECORD_HDR_BYTES; i++)
		if (p[i] != 0)
			return 0;
	return 1;
}

/* The data of a record whose checksum matched: the length must fit the
 * type, since a writer bug is as fatal as a bad disk. */
static int
decode_data(const uint8_t *d, size_t len, struct wal_record *r,
    const char **why)
{
	size_t want = r->type == WAL_RECORD_HARDSTATE ?
	    WAL_RECORD_HARDSTATE_BYTES : WAL_RECORD_PAIR_BYTES;

	if (r->type == WAL_RECORD_ENTRY) {
		r->u.entry.term = get_u64(d);
		r->u.entry.index = get_u64(d + 8);
		r->u.entry.type = d[16];
		r->u.entry.len = (uint32_t)(len - WAL_RECORD_ENTRY_FIXED_BYTES);
		r->u.entry.data = d + WAL_RECORD_ENTRY_FIXED_BYTES;
		if (len < WAL_RECORD_ENTRY_FIXED_BYTES ||
		    r->u.entry.type < RAFT_ENTRY_NORMAL ||
		    r->u.entry.type > RAFT_ENTRY_EMPTY) {
			*why = "bad entry";
			return CAIRN_ECORRUPT;
		}
		return 0;
	}
	if (len != want) {
		*why = "bad length for record type";
		return CAIRN_ECORRUPT;
	}
	if (r->type == WAL_RECORD_METADATA)
		r->u.id = (struct raft_identity){get_u64(d), get_u64(d + 8)};
	else if (r->type == WAL_RECORD_SNAPSHOT)
		r->u.snap = (struct raft_snapshot_marker){get_u64(d),
		    get_u64(d + 8)};
	else
		r->u.hs = (struct raft_hardstate){get_u64(d), get_u64(d + 8),
		    get_u64(d + 16)};
	return 0;
}

int
wal_record_decode(const uint8_t *p, size_t avail, struct wal_record *r,
    size_t *size, const char **why)
{
	uint32_t len, type;

	*why = "short header";
	if (avail < WAL_RECORD_HDR_BYTES)
		return CAIRN_ECORRUPT;
	len = get_u32(p);
	type = get_u32(p + 8);
	*why = "bad header";
	if (len < WAL_RECORD_DATA_BYTES_MIN || len > WAL_RECORD_DATA_BYTES_MAX)
		return CAIRN_ECORRUPT;
	if (type < WAL_RECORD_METADATA || type > WAL_RECORD_SNAPSHOT ||
	    get_u32(p + 12) != 0)
		return CAIRN_ECORRUPT;
	*size = WAL_RECORD_HDR_BYTES + pad8(len);
	*why = "record runs past the end of the file";
	if (*size > avail)
		return CAIRN_ECORRUPT;
	*why = "checksum mismatch";
	if (record_crc(p, p + WAL_RECORD_HDR_BYTES, len) != get_u32(p + 4))
		return CAIRN_ECORRUPT;
	*why = "nonzero padding";
	for (size_t i = WAL_RECORD_HDR_BYTES + len; i < *size; i++)
		if (p[i] != 0)
			return CAIRN_ECORRUPT;
	r->type = type;
	return decode_data(p + WAL_RECORD_HDR_BYTES, len, r, why);
}
