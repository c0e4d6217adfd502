/*
 * raftd and stored: the envelope of a client's write in a Raft entry
 * (RAFT_ENTRY_NORMAL): the member whose netd took the request and that
 * netd's request id, then the request itself, opaque to raftd. stored
 * applies the request and sends the result to that member's netd
 * (DESIGN.md section 3). An entry with no data is the leader's no-op.
 */
#ifndef CAIRN_ENTRY_ENVELOPE_H
#define CAIRN_ENTRY_ENVELOPE_H

#include <stdbool.h>
#include <stdint.h>

#include "shared/le.h"

/* u64 LE member ID, u64 LE request id. */
#define ENTRY_ENVELOPE_BYTES 16u

struct entry_envelope {
	uint64_t member_id;
	uint64_t request_id;
	const uint8_t *req;  /* borrowed from the entry's data */
	uint32_t len;
};

/* Writes the envelope's head into buf (ENTRY_ENVELOPE_BYTES); the request
 * follows it. */
static inline void
entry_envelope_put(uint8_t *buf, uint64_t member_id, uint64_t request_id)
{
	le_put64(buf, member_id);
	le_put64(buf + 8, request_id);
}

/* Reads an entry's data; false when it is too short to be an envelope. */
static inline bool
entry_envelope_get(const uint8_t *data, uint32_t len, struct entry_envelope *out)
{
	if (len < ENTRY_ENVELOPE_BYTES)
		return false;
	out->member_id = le_get64(data);
	out->request_id = le_get64(data + 8);
	out->req = data + ENTRY_ENVELOPE_BYTES;
	out->len = len - ENTRY_ENVELOPE_BYTES;
	return true;
}

#endif
