/*
 * raftd: encoding and decoding of one WAL record (layout in wal.h).
 * No I/O here: the writer and the reader both go through these two.
 */
#ifndef CAIRN_WAL_RECORD_H
#define CAIRN_WAL_RECORD_H

#include <stddef.h>
#include <stdint.h>

#include "raftd/raft_types.h"

#define WAL_RECORD_HDR_BYTES 16
#define WAL_RECORD_ALIGN 8
#define WAL_RECORD_METADATA_BYTES 16        /* cluster id, member id */
#define WAL_RECORD_ENTRY_FIXED_BYTES 17     /* term, index, type */
#define WAL_RECORD_HARDSTATE_BYTES 24
#define WAL_RECORD_SNAPSHOT_FIXED_BYTES 24  /* index, term, n, reserved */
#define WAL_RECORD_MEMBER_BYTES 16          /* id, flags */
#define WAL_RECORD_MEMBER_LEARNER 1u        /* the only flag bit defined */
#define WAL_RECORD_SNAPSHOT_BYTES_MAX (WAL_RECORD_SNAPSHOT_FIXED_BYTES + \
	WAL_RECORD_MEMBER_BYTES * RAFT_MEMBERS_MAX)
/* METADATA is the shortest record, an entry the longest (wal_record.c
 * checks both bounds against every type). */
#define WAL_RECORD_DATA_BYTES_MIN WAL_RECORD_METADATA_BYTES
#define WAL_RECORD_DATA_BYTES_MAX \
	(WAL_RECORD_ENTRY_FIXED_BYTES + RAFT_ENTRY_BYTES_MAX)
#define WAL_RECORD_BYTES_MAX \
	(WAL_RECORD_HDR_BYTES + WAL_RECORD_DATA_BYTES_MAX + WAL_RECORD_ALIGN)

enum wal_record_type {
	WAL_RECORD_METADATA = 1,
	WAL_RECORD_ENTRY = 2,
	WAL_RECORD_HARDSTATE = 3,
	WAL_RECORD_SNAPSHOT = 4,
};

struct wal_record {
	uint32_t type;          /* enum wal_record_type */
	union {
		struct raft_identity id;
		struct raft_entry entry;    /* data borrowed */
		struct raft_hardstate hs;
		struct raft_snapshot_marker snap;
	} u;
};

/* Bytes 'r' takes on disk, header and padding included. An entry must
 * already be within RAFT_ENTRY_BYTES_MAX (asserted). */
size_t wal_record_encoded_bytes(const struct wal_record *r);

/* Writes 'r' at 'dst', which has wal_record_encoded_bytes(r) bytes;
 * returns that size. */
size_t wal_record_encode(uint8_t *dst, const struct wal_record *r);

/* True if 'avail' bytes at 'p' begin with a zero header: the end mark of
 * a preallocated segment (or fewer than a header's bytes are left). */
int wal_record_is_end(const uint8_t *p, size_t avail);

/* 0 if 'c' may be written as a SNAPSHOT record's membership: at most
 * RAFT_MEMBERS_MAX members, ids non-zero and distinct. Otherwise
 * CAIRN_EINVAL, and '*why' names the first problem (a static string).
 * 'c' is borrowed. */
int wal_record_conf_check(const struct raft_conf *c, const char **why);

/* Decodes the record at 'p' ('avail' bytes readable). On 0, '*r' is set
 * (an entry's data points into 'p') and '*size' is its encoded size. On
 * CAIRN_ECORRUPT, '*why' names what is wrong (a static string). */
int wal_record_decode(const uint8_t *p, size_t avail, struct wal_record *r,
    size_t *size, const char **why);

#endif
