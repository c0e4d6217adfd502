/*
 * netd, raftd and stored: chunked bytes (see chunks.h).
 */
#include <stdbool.h>
#include <string.h>

#include "shared/chunks.h"
#include "shared/raft_peer.h"
#include "shared/xmalloc.h"

void
chunks_put(const uint8_t *data, uint32_t len, pb_bytes_array_t ***out, pb_size_t *count)
{
	uint32_t n = (len + RAFT_PEER_CHUNK_BYTES - 1) / RAFT_PEER_CHUNK_BYTES;

	*out = NULL;
	*count = 0;
	if (n == 0)
		return;
	*out = xcalloc(n, sizeof(**out));
	for (uint32_t c = 0; c < n; c++) {
		uint32_t off = c * RAFT_PEER_CHUNK_BYTES;
		uint32_t clen = len - off < RAFT_PEER_CHUNK_BYTES ? len - off : RAFT_PEER_CHUNK_BYTES;
		pb_bytes_array_t *b = xmalloc(PB_BYTES_ARRAY_T_ALLOCSIZE(clen));

		b->size = (pb_size_t)clen;
		memcpy(b->bytes, data + off, clen);
		(*out)[c] = b;
		*count = (pb_size_t)(c + 1);
	}
}

const char *
chunks_check(pb_bytes_array_t *const *data, pb_size_t n, size_t max, size_t *len)
{
	size_t total = 0;

	*len = 0;
	if ((size_t)n > (max + RAFT_PEER_CHUNK_BYTES - 1) / RAFT_PEER_CHUNK_BYTES)
		return "data longer than allowed";
	if (n > 0 && data == NULL)
		return "data missing";
	for (pb_size_t c = 0; c < n; c++) {
		const pb_bytes_array_t *b = data[c];
		bool last = c + 1 == n;

		if (b == NULL || b->size == 0 || b->size > RAFT_PEER_CHUNK_BYTES ||
		    (!last && b->size != RAFT_PEER_CHUNK_BYTES))
			return "data in malformed chunks";
		total += b->size;
	}
	if (total > max)
		return "data longer than allowed";
	*len = total;
	return NULL;
}

void
chunks_join(pb_bytes_array_t *const *data, pb_size_t n, uint8_t *dst)
{
	for (pb_size_t c = 0; c < n; c++)
		memcpy(dst + (size_t)c * RAFT_PEER_CHUNK_BYTES, data[c]->bytes, data[c]->size);
}
