/*
 * Fuzz target: the peer transport's frame decoder (netd/peer_frame.c),
 * which reads what another member's netd (or anyone who reaches the peer
 * port) sends. A frame that decodes must stay within raft_peer.h's bounds
 * (entries, chunks, snapshot members, a lease relay's answer chunks, a
 * snapshot part's chunks),
 * encode again, and decode from that
 * encoding to the very same bytes.
 */
#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>
#include <pb_decode.h>

#include "netd/peer.h"
#include "netd/peer_frame.h"
#include "shared/assert.h"
#include "shared/le.h"
#include "tests/fuzz/fuzz.h"

/* Encodes f and returns the frame's bytes (length prefix off) in *out. */
static size_t
encode(const cairn_peer_PeerFrame *f, uint8_t **out)
{
	struct evbuffer *b = evbuffer_new();
	size_t n;

	CAIRN_ASSERT(b != NULL);
	CAIRN_ASSERT(peer_frame_put(b, f) == 0);
	n = evbuffer_get_length(b);
	CAIRN_ASSERT(n >= PEER_LEN_BYTES);
	*out = malloc(n);
	CAIRN_ASSERT(*out != NULL);
	evbuffer_remove(b, *out, n);
	evbuffer_free(b);
	CAIRN_ASSERT(le_get32(*out) == n - PEER_LEN_BYTES);
	return n;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	cairn_peer_PeerFrame f, g;
	uint8_t *a, *b;
	size_t na, nb;

	if (peer_frame_decode(data, size, &f) != 0)
		return 0;
	if (f.has_msg) {
		CAIRN_ASSERT(f.msg.entries_count <= RAFT_PEER_ENTRIES_MAX);
		for (pb_size_t i = 0; i < f.msg.entries_count; i++)
			CAIRN_ASSERT(f.msg.entries[i].data_count <= RAFT_PEER_ENTRY_CHUNKS_MAX + 1);
		CAIRN_ASSERT(!f.msg.has_snap || f.msg.snap.members_count <= RAFT_PEER_MEMBERS_MAX);
	}
	if (f.has_relay && f.relay.has_result)
		CAIRN_ASSERT(f.relay.result.data_count <= RAFT_PEER_ENTRY_CHUNKS_MAX + 1);
	if (f.has_snap)
		CAIRN_ASSERT(f.snap.data_count <=
		    RAFT_PEER_SNAP_PART_BYTES_MAX / RAFT_PEER_CHUNK_BYTES + 1);
	na = encode(&f, &a);
	CAIRN_ASSERT(peer_frame_decode(a + PEER_LEN_BYTES, na - PEER_LEN_BYTES, &g) == 0);
	nb = encode(&g, &b);
	CAIRN_ASSERT(na == nb && memcmp(a, b, na) == 0);
	pb_release(cairn_peer_PeerFrame_fields, &g);
	pb_release(cairn_peer_PeerFrame_fields, &f);
	free(a);
	free(b);
	return 0;
}
