/*
 * raftd: one WAL record to and from bytes: fixed little-endian fields,
 * CRC-32C over everything but the checksum itself, 8-byte alignment.
 */
#include <string.h>

#include "shared/crc32c.h"
#include "raftd/wal_record.h"
#include "shared/assert.h"
#include "shared/err.h"
#include "shared/le.h"

CAIRN_STATIC_ASSERT(WAL_RECORD_DATA_BYTES_MIN <= WAL_RECORD_ENTRY_FIXED_BYTES &&
    WAL_RECORD_DATA_BYTES_MIN <= WAL_RECORD_HARDSTATE_BYTES &&
    WAL_RECORD_DATA_BYTES_MIN <= WAL_RECORD_SNAPSHOT_FIXED_BYTES,
    "a record type is shorter than WAL_RECORD_DATA_BYTES_MIN");
CAIRN_STATIC_ASSERT(WAL_RECORD_SNAPSHOT_BYTES_MAX <= WAL_RECORD_DATA_BYTES_MAX,
    "a full membership does not fit WAL_RECORD_DATA_BYTES_MAX");

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
		return WAL_RECORD_METADATA_BYTES;
	case WAL_RECORD_SNAPSHOT:
		CAIRN_ASSERT(r->u.snap.conf.n <= RAFT_MEMBERS_MAX);
		return WAL_RECORD_SNAPSHOT_FIXED_BYTES +
		    (size_t)r->u.snap.conf.n * WAL_RECORD_MEMBER_BYTES;
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

int
wal_record_conf_check(const struct raft_conf *c, const char **why)
{
	*why = "membership has too many members";
	if (c->n > RAFT_MEMBERS_MAX)
		return CAIRN_EINVAL;
	for (uint32_t i = 0; i < c->n; i++) {
		*why = "membership has a member id 0";
		if (c->m[i].id == 0)
			return CAIRN_EINVAL;
		/* Quadratic, but n is at most RAFT_MEMBERS_MAX. */
		*why = "membership has a duplicate member id";
		for (uint32_t j = 0; j < i; j++)
			if (c->m[j].id == c->m[i].id)
				return CAIRN_EINVAL;
	}
	return 0;
}

/* The writer must never produce what the reader rejects: a marker that
 * got here unchecked is a bug in the WAL (wal_append_snapshot checks). */
static void
encode_snapshot(uint8_t *d, const struct raft_snapshot_marker *m)
{
	const char *why;

	CAIRN_ASSERT(wal_record_conf_check(&m->conf, &why) == 0);
	le_put64(d, m->index);
	le_put64(d + 8, m->term);
	le_put32(d + 16, m->conf.n);
	le_put32(d + 20, 0);
	d += WAL_RECORD_SNAPSHOT_FIXED_BYTES;
	for (uint32_t i = 0; i < m->conf.n; i++) {
		le_put64(d, m->conf.m[i].id);
		le_put64(d + 8, m->conf.m[i].learner ?
		    WAL_RECORD_MEMBER_LEARNER : 0);
		d += WAL_RECORD_MEMBER_BYTES;
	}
}

static void
encode_data(uint8_t *d, const struct wal_record *r)
{
	switch (r->type) {
	case WAL_RECORD_METADATA:
		le_put64(d, r->u.id.cluster_id);
		le_put64(d + 8, r->u.id.member_id);
		break;
	case WAL_RECORD_ENTRY:
		le_put64(d, r->u.entry.term);
		le_put64(d + 8, r->u.entry.index);
		d[16] = r->u.entry.type;
		if (r->u.entry.len > 0)
			memcpy(d + 17, r->u.entry.data, r->u.entry.len);
		break;
	case WAL_RECORD_HARDSTATE:
		le_put64(d, r->u.hs.term);
		le_put64(d + 8, r->u.hs.vote);
		le_put64(d + 16, r->u.hs.commit);
		break;
	case WAL_RECORD_SNAPSHOT:
		encode_snapshot(d, &r->u.snap);
		break;
	}
}

size_t
wal_record_encode(uint8_t *dst, const struct wal_record *r)
{
	size_t len = data_bytes(r), total = WAL_RECORD_HDR_BYTES + pad8(len);

	memset(dst, 0, total);
	le_put32(dst, (uint32_t)len);
	le_put32(dst + 8, r->type);
	encode_data(dst + WAL_RECORD_HDR_BYTES, r);
	le_put32(dst + 4, record_crc(dst, dst + WAL_RECORD_HDR_BYTES, len));
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

/* The length is checked before any field is read: a checksum only
 * proves the bytes are as written, and a writer bug is as fatal as a bad
 * disk. */
static int
decode_entry(const uint8_t *d, size_t len, struct raft_entry *e,
    const char **why)
{
	*why = "bad entry";
	if (len < WAL_RECORD_ENTRY_FIXED_BYTES)
		return CAIRN_ECORRUPT;
	e->term = le_get64(d);
	e->index = le_get64(d + 8);
	e->type = d[16];
	e->len = (uint32_t)(len - WAL_RECORD_ENTRY_FIXED_BYTES);
	e->data = d + WAL_RECORD_ENTRY_FIXED_BYTES;
	if (e->type < RAFT_ENTRY_NORMAL || e->type > RAFT_ENTRY_EMPTY)
		return CAIRN_ECORRUPT;
	return 0;
}

static int
decode_member(const uint8_t *d, struct raft_member *m, const char **why)
{
	uint64_t flags = le_get64(d + 8);

	*why = "membership member has unknown flags";
	if ((flags & ~(uint64_t)WAL_RECORD_MEMBER_LEARNER) != 0)
		return CAIRN_ECORRUPT;
	m->id = le_get64(d);
	m->learner = (flags & WAL_RECORD_MEMBER_LEARNER) != 0;
	return 0;
}

/* The marker and the membership as of its index; the same rules as
 * wal_record_conf_check, so whatever was appended reads back. */
static int
decode_snapshot(const uint8_t *d, size_t len, struct raft_snapshot_marker *m,
    const char **why)
{
	uint32_t n;

	*why = "bad length for record type";
	if (len < WAL_RECORD_SNAPSHOT_FIXED_BYTES)
		return CAIRN_ECORRUPT;
	n = le_get32(d + 16);
	*why = "membership has too many members";
	if (n > RAFT_MEMBERS_MAX)
		return CAIRN_ECORRUPT;
	*why = "bad length for record type";
	if (len != WAL_RECORD_SNAPSHOT_FIXED_BYTES +
	    (size_t)n * WAL_RECORD_MEMBER_BYTES)
		return CAIRN_ECORRUPT;
	*why = "nonzero reserved field in snapshot record";
	if (le_get32(d + 20) != 0)
		return CAIRN_ECORRUPT;
	memset(m, 0, sizeof(*m));
	m->index = le_get64(d);
	m->term = le_get64(d + 8);
	m->conf.n = n;
	for (uint32_t i = 0; i < n; i++)
		if (decode_member(d + WAL_RECORD_SNAPSHOT_FIXED_BYTES +
		    (size_t)i * WAL_RECORD_MEMBER_BYTES, &m->conf.m[i], why) != 0)
			return CAIRN_ECORRUPT;
	return wal_record_conf_check(&m->conf, why) == 0 ? 0 : CAIRN_ECORRUPT;
}

static int
decode_metadata(const uint8_t *d, size_t len, struct raft_identity *id,
    const char **why)
{
	*why = "bad length for record type";
	if (len != WAL_RECORD_METADATA_BYTES)
		return CAIRN_ECORRUPT;
	id->cluster_id = le_get64(d);
	id->member_id = le_get64(d + 8);
	return 0;
}

static int
decode_hardstate(const uint8_t *d, size_t len, struct raft_hardstate *hs,
    const char **why)
{
	*why = "bad length for record type";
	if (len != WAL_RECORD_HARDSTATE_BYTES)
		return CAIRN_ECORRUPT;
	hs->term = le_get64(d);
	hs->vote = le_get64(d + 8);
	hs->commit = le_get64(d + 16);
	return 0;
}

/* The data of a record whose checksum matched. */
static int
decode_data(const uint8_t *d, size_t len, struct wal_record *r,
    const char **why)
{
	switch (r->type) {
	case WAL_RECORD_METADATA:
		return decode_metadata(d, len, &r->u.id, why);
	case WAL_RECORD_ENTRY:
		return decode_entry(d, len, &r->u.entry, why);
	case WAL_RECORD_HARDSTATE:
		return decode_hardstate(d, len, &r->u.hs, why);
	case WAL_RECORD_SNAPSHOT:
		return decode_snapshot(d, len, &r->u.snap, why);
	}
	CAIRN_ASSERT(!"the header check let an unknown type through");
	return CAIRN_ECORRUPT;
}

int
wal_record_decode(const uint8_t *p, size_t avail, struct wal_record *r,
    size_t *size, const char **why)
{
	uint32_t len, type;

	*why = "short header";
	if (avail < WAL_RECORD_HDR_BYTES)
		return CAIRN_ECORRUPT;
	len = le_get32(p);
	type = le_get32(p + 8);
	*why = "bad header";
	if (len < WAL_RECORD_DATA_BYTES_MIN || len > WAL_RECORD_DATA_BYTES_MAX)
		return CAIRN_ECORRUPT;
	if (type < WAL_RECORD_METADATA || type > WAL_RECORD_SNAPSHOT ||
	    le_get32(p + 12) != 0)
		return CAIRN_ECORRUPT;
	*size = WAL_RECORD_HDR_BYTES + pad8(len);
	*why = "record runs past the end of the file";
	if (*size > avail)
		return CAIRN_ECORRUPT;
	*why = "checksum mismatch";
	if (record_crc(p, p + WAL_RECORD_HDR_BYTES, len) != le_get32(p + 4))
		return CAIRN_ECORRUPT;
	*why = "nonzero padding";
	for (size_t i = WAL_RECORD_HDR_BYTES + len; i < *size; i++)
		if (p[i] != 0)
			return CAIRN_ECORRUPT;
	r->type = type;
	return decode_data(p + WAL_RECORD_HDR_BYTES, len, r, why);
}
