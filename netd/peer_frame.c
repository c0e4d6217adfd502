/*
 * netd: the peer transport's frames (shared/proto/peer.proto): checked
 * and decoded, encoded. Apart from the connections (peer.c) so that the
 * fuzz target takes the same code.
 */
#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <pb_decode.h>
#include <pb_encode.h>

#include "netd/peer.h"
#include "netd/peer_frame.h"
#include "shared/err.h"
#include "shared/le.h"
#include "shared/log.h"
#include "shared/pbwire.h"
#include "shared/xmalloc.h"

/* PeerFrame, RaftMsg, RaftEntry and RaftSnapshotMeta field numbers the
 * pre-check counts (peer.proto, ipc.proto). */
#define FRAME_F_MSG 2
#define FRAME_F_RELAY 3
#define FRAME_F_SNAP 5
#define PART_F_DATA 1
#define RELAY_F_RESULT 3
#define RESULT_F_DATA 2
#define MSG_F_ENTRIES 12
#define MSG_F_SNAP 13
#define ENTRY_F_DATA 4
#define SNAP_F_MEMBERS 3

/* Counts of repeated fields nanopb would allocate for, checked before it
 * does: a frame of tiny repeated fields must not make netd allocate
 * millions of entries. 0, or CAIRN_EPROTO. */
static int
peer_count(const uint8_t *p, size_t len, uint32_t field, size_t max, size_t *n)
{
	struct pbw_reader r = {.buf = p, .len = len};
	struct pbw_field f;
	int rc;

	*n = 0;
	while ((rc = pbw_next(&r, &f)) == 1)
		if (f.number == field && ++*n > max)
			return CAIRN_EPROTO;
	return rc == 0 ? 0 : CAIRN_EPROTO;
}

/* The n-th (from 0) occurrence of a length-delimited field. */
static int
peer_nth(const uint8_t *p, size_t len, uint32_t field, size_t nth, const uint8_t **sub,
    size_t *sn)
{
	struct pbw_reader r = {.buf = p, .len = len};
	struct pbw_field f;
	int rc;

	while ((rc = pbw_next(&r, &f)) == 1) {
		if (f.number == field && f.type == PBW_LEN && nth-- == 0) {
			*sub = f.p;
			*sn = f.n;
			return 0;
		}
	}
	return rc == 0 ? CAIRN_ENOENT : CAIRN_EPROTO;
}

/* A lease relay's answer: its chunks as many as a Result may have. */
static int
peer_precheck_relay(const uint8_t *p, size_t len)
{
	const uint8_t *relay, *res;
	size_t rn, sn, n;

	if (peer_count(p, len, FRAME_F_RELAY, 1, &n) != 0)
		return CAIRN_EPROTO;
	if (n == 0)
		return 0;
	if (peer_nth(p, len, FRAME_F_RELAY, 0, &relay, &rn) != 0 ||
	    peer_count(relay, rn, RELAY_F_RESULT, 1, &n) != 0)
		return CAIRN_EPROTO;
	if (n == 1 && (peer_nth(relay, rn, RELAY_F_RESULT, 0, &res, &sn) != 0 ||
	    peer_count(res, sn, RESULT_F_DATA, RAFT_PEER_ENTRY_CHUNKS_MAX + 1, &n) != 0))
		return CAIRN_EPROTO;
	return 0;
}

/* A snapshot's part: its chunks as many as a part may have. */
static int
peer_precheck_part(const uint8_t *p, size_t len)
{
	const uint8_t *part;
	size_t pn, n;

	if (peer_count(p, len, FRAME_F_SNAP, 1, &n) != 0)
		return CAIRN_EPROTO;
	if (n == 0)
		return 0;
	if (peer_nth(p, len, FRAME_F_SNAP, 0, &part, &pn) != 0 ||
	    peer_count(part, pn, PART_F_DATA,
	    RAFT_PEER_SNAP_PART_BYTES_MAX / RAFT_PEER_CHUNK_BYTES + 1, &n) != 0)
		return CAIRN_EPROTO;
	return 0;
}

static int
peer_precheck(const uint8_t *p, size_t len)
{
	const uint8_t *msg, *sub;
	size_t mn, sn, n, entries;

	if (peer_count(p, len, FRAME_F_MSG, 1, &n) != 0 || peer_precheck_relay(p, len) != 0 ||
	    peer_precheck_part(p, len) != 0)
		return CAIRN_EPROTO;
	if (n == 0)
		return 0;
	if (peer_nth(p, len, FRAME_F_MSG, 0, &msg, &mn) != 0 ||
	    peer_count(msg, mn, MSG_F_ENTRIES, RAFT_PEER_ENTRIES_MAX, &entries) != 0 ||
	    peer_count(msg, mn, MSG_F_SNAP, 1, &n) != 0)
		return CAIRN_EPROTO;
	if (n == 1 && (peer_nth(msg, mn, MSG_F_SNAP, 0, &sub, &sn) != 0 ||
	    peer_count(sub, sn, SNAP_F_MEMBERS, RAFT_PEER_MEMBERS_MAX, &n) != 0))
		return CAIRN_EPROTO;
	for (size_t i = 0; i < entries; i++) {
		if (peer_nth(msg, mn, MSG_F_ENTRIES, i, &sub, &sn) != 0 ||
		    peer_count(sub, sn, ENTRY_F_DATA, RAFT_PEER_ENTRY_CHUNKS_MAX + 1, &n) != 0)
			return CAIRN_EPROTO;
	}
	return 0;
}

int
peer_frame_put(struct evbuffer *out, const cairn_peer_PeerFrame *f)
{
	size_t size;
	uint8_t *buf;
	pb_ostream_t os;
	int rc = 0;

	if (!pb_get_encoded_size(&size, cairn_peer_PeerFrame_fields, f) ||
	    size > PEER_FRAME_BYTES_MAX)
		return CAIRN_ETOOBIG;
	buf = xmalloc(PEER_LEN_BYTES + size);
	le_put32(buf, (uint32_t)size);
	os = pb_ostream_from_buffer(buf + PEER_LEN_BYTES, size);
	if (!pb_encode(&os, cairn_peer_PeerFrame_fields, f) || os.bytes_written != size)
		rc = CAIRN_EIO;
	else if (evbuffer_add(out, buf, PEER_LEN_BYTES + size) != 0)
		fatalx("evbuffer_add");
	free(buf);
	return rc;
}

int
peer_frame_decode(const uint8_t *p, size_t len, cairn_peer_PeerFrame *f)
{
	pb_istream_t is = pb_istream_from_buffer(p, len);

	*f = (cairn_peer_PeerFrame)cairn_peer_PeerFrame_init_zero;
	if (len > PEER_FRAME_BYTES_MAX || peer_precheck(p, len) != 0)
		return CAIRN_EPROTO;
	if (!pb_decode(&is, cairn_peer_PeerFrame_fields, f)) {
		pb_release(cairn_peer_PeerFrame_fields, f);
		return CAIRN_EPROTO;
	}
	return 0;
}

/* The next whole frame in 'in' (at most 'max' bytes): 1 with *p and *len
 * set (drain PEER_LEN_BYTES + *len after use), 0 while it is not all in
 * (the read watermark then waits for it), -1 when it is over 'max'. */
int
peer_frame_next(struct bufferevent *bev, uint32_t max, uint8_t **p, uint32_t *len)
{
	struct evbuffer *in = bufferevent_get_input(bev);
	uint8_t lenb[PEER_LEN_BYTES];

	if (evbuffer_copyout(in, lenb, sizeof(lenb)) != (ssize_t)sizeof(lenb))
		return 0;
	*len = le_get32(lenb);
	if (*len > max)
		return -1;
	if (evbuffer_get_length(in) < PEER_LEN_BYTES + (size_t)*len) {
		bufferevent_setwatermark(bev, EV_READ, PEER_LEN_BYTES + (size_t)*len, 0);
		return 0;
	}
	bufferevent_setwatermark(bev, EV_READ, 0, 0);
	*p = evbuffer_pullup(in, PEER_LEN_BYTES + (ssize_t)*len) + PEER_LEN_BYTES;
	return 1;
}
