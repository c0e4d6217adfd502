/*
 * netd and raftd: the bounds of one Raft peer message (RaftMsg of
 * shared/proto/ipc.proto) on its way between them, in either direction
 * (IPC_RAFTD_PEER_RECV, IPC_NETD_PEER_SEND). raftd/peer_codec.c checks
 * that they agree with the core's own bounds (raftd/core.h).
 */
#ifndef CAIRN_RAFT_PEER_H
#define CAIRN_RAFT_PEER_H

#include <pb.h>
#include <stdint.h>

#include "shared/assert.h"
#include "shared/frame.h"

/* stored's answer to netd's MEMBER_PEERS: after the MemberListResponse,
 * the removed members' IDs as this field, at most this many (netd tells
 * them they were removed; one removed beyond these finds no peer that
 * takes it, and is not told). */
#define MEMBERS_REMOVED_FIELD 1000
#define MEMBERS_REMOVED_MAX 1024

/* Entries in one message: RCORE_APPEND_ENTRIES_MAX. */
#define RAFT_PEER_ENTRIES_MAX 64
/* Members in a snapshot's membership: RAFT_MEMBERS_MAX. */
#define RAFT_PEER_MEMBERS_MAX 16
/* One entry's data: RAFT_ENTRY_BYTES_MAX. */
#define RAFT_PEER_ENTRY_BYTES_MAX (2u << 20)
/*
 * All entry data of one message. The core never builds more: an append
 * of several entries holds at most max_msg_bytes of data (1 MiB unless
 * configured), one of a single entry at most RAFT_ENTRY_BYTES_MAX, and a
 * forwarded proposal is one entry. A larger message (max_msg_bytes set
 * above this) is refused by the encoder with CAIRN_ETOOBIG.
 */
#define RAFT_PEER_DATA_BYTES_MAX RAFT_PEER_ENTRY_BYTES_MAX
/* nanopb's bytes carry at most PB_SIZE_MAX (65535) bytes, so an entry's
 * data travels in chunks of this size, the last one shorter. */
#define RAFT_PEER_CHUNK_BYTES (32u << 10)
#define RAFT_PEER_ENTRY_CHUNKS_MAX (RAFT_PEER_ENTRY_BYTES_MAX / RAFT_PEER_CHUNK_BYTES)
/* A snapshot's data travels in parts of at most this (SnapshotPart: the
 * leader's stored reads it out in parts of this size). */
#define RAFT_PEER_SNAP_PART_BYTES_MAX (1u << 20)
/* Terms and indexes are refused above this: it leaves the core 2^63 of
 * room for every "+ 1" and "+ n" (no honest cluster gets near it: a
 * million entries a second take 290,000 years). */
#define RAFT_PEER_TERM_MAX ((uint64_t)INT64_MAX)
#define RAFT_PEER_INDEX_MAX ((uint64_t)INT64_MAX)

/*
 * The encoded worst case, counted generously: every field present, each
 * varint at its widest (10 bytes for 64 bits, 5 for 32 bits and for a
 * length), every tag one byte (field numbers below 16).
 */
#define RAFT_PEER_WIRE_U64 11u            /* tag + varint */
#define RAFT_PEER_WIRE_U32 6u
#define RAFT_PEER_WIRE_BOOL 2u
#define RAFT_PEER_WIRE_LEN 6u             /* tag + length of a nested field */
#define RAFT_PEER_WIRE_MEMBER \
	(RAFT_PEER_WIRE_LEN + RAFT_PEER_WIRE_U64 + RAFT_PEER_WIRE_BOOL)
#define RAFT_PEER_WIRE_SNAP (RAFT_PEER_WIRE_LEN + 3 * RAFT_PEER_WIRE_U64 + \
	RAFT_PEER_MEMBERS_MAX * RAFT_PEER_WIRE_MEMBER)
/* An entry without its chunks. */
#define RAFT_PEER_WIRE_ENTRY \
	(RAFT_PEER_WIRE_LEN + 2 * RAFT_PEER_WIRE_U64 + RAFT_PEER_WIRE_U32)
/* Each entry ends with at most one chunk that is not full. */
#define RAFT_PEER_CHUNKS_MAX \
	(RAFT_PEER_DATA_BYTES_MAX / RAFT_PEER_CHUNK_BYTES + RAFT_PEER_ENTRIES_MAX)
#define RAFT_PEER_WIRE_MSG_OVERHEAD (RAFT_PEER_WIRE_U32 + \
	9 * RAFT_PEER_WIRE_U64 + RAFT_PEER_WIRE_BOOL + RAFT_PEER_WIRE_SNAP + \
	RAFT_PEER_ENTRIES_MAX * RAFT_PEER_WIRE_ENTRY + \
	RAFT_PEER_CHUNKS_MAX * RAFT_PEER_WIRE_LEN)
/* Room for everything but the data (3,394 bytes by the count above). */
#define RAFT_PEER_MSG_OVERHEAD_BYTES 4096u

/* The route bound of both IPC types: 2 MiB + 4 KiB. */
#define RAFT_PEER_MSG_BYTES_MAX (RAFT_PEER_DATA_BYTES_MAX + RAFT_PEER_MSG_OVERHEAD_BYTES)
/*
 * The smallest ring (--ipc-ring-bytes, a power of two) that carries the
 * largest message. A smaller ring carries the smaller ones; for a message
 * too large for it, chan_send returns CAIRN_ETOOBIG (nothing is cut).
 */
#define RAFT_PEER_RING_BYTES_MIN (4u << 20)

CAIRN_STATIC_ASSERT(RAFT_PEER_WIRE_MSG_OVERHEAD <= RAFT_PEER_MSG_OVERHEAD_BYTES,
    "the worst-case RaftMsg fits RAFT_PEER_MSG_BYTES_MAX");
CAIRN_STATIC_ASSERT(RAFT_PEER_CHUNK_BYTES <= PB_SIZE_MAX,
    "a chunk fits nanopb's bytes");
CAIRN_STATIC_ASSERT(RAFT_PEER_ENTRY_BYTES_MAX % RAFT_PEER_CHUNK_BYTES == 0,
    "whole chunks make the largest entry");
CAIRN_STATIC_ASSERT(RAFT_PEER_ENTRY_CHUNKS_MAX <= 64,
    "ipc.options max_count of RaftEntry.data");
CAIRN_STATIC_ASSERT(RAFT_PEER_MSG_BYTES_MAX <= FRAME_PAYLOAD_BYTES_MAX,
    "a RaftMsg is a legal frame");
CAIRN_STATIC_ASSERT(FRAME_HDR_BYTES + RAFT_PEER_MSG_BYTES_MAX + FRAME_ALIGN <=
    RAFT_PEER_RING_BYTES_MIN, "the largest RaftMsg fits the smallest ring for it");

#endif
