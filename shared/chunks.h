/*
 * netd, raftd and stored: bytes longer than nanopb's 16-bit bytes field
 * (Debian's pb_size_t) travel as a repeated bytes field of chunks of
 * RAFT_PEER_CHUNK_BYTES: all full but the last, which is not empty; no
 * chunk at all for no bytes (RaftEntry.data, Proposal.data).
 */
#ifndef CAIRN_CHUNKS_H
#define CAIRN_CHUNKS_H

#include <pb.h>
#include <stddef.h>
#include <stdint.h>

/* Copies data into heap chunks in *out (pb_release of the enclosing
 * message frees them); *out is NULL and *count 0 for no bytes. */
void chunks_put(const uint8_t *data, uint32_t len, pb_bytes_array_t ***out,
    pb_size_t *count);

/* Checks the shape of n chunks holding at most 'max' bytes in all and sets
 * *len to their total. Returns NULL, or a string literal saying what is
 * wrong (for the log). */
const char *chunks_check(pb_bytes_array_t *const *data, pb_size_t n, size_t max,
    size_t *len);

/* Copies the bytes of n checked chunks to dst, which holds their total. */
void chunks_join(pb_bytes_array_t *const *data, pb_size_t n, uint8_t *dst);

#endif
