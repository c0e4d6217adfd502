/*
 * netd: the peer transport's frames (see peer_frame.c).
 */
#ifndef CAIRN_NETD_PEER_FRAME_H
#define CAIRN_NETD_PEER_FRAME_H

#include <stddef.h>
#include <stdint.h>

#include "shared/proto/peer.pb.h"

struct evbuffer;
struct bufferevent;

/* Decodes the frame p[0..len) (its length prefix taken off) into *f,
 * after checking that its repeated fields stay within raft_peer.h's
 * bounds, so that nanopb allocates no more than a real message needs.
 * 0 (the caller pb_release()s *f), or CAIRN_EPROTO with nothing held. */
int peer_frame_decode(const uint8_t *p, size_t len, cairn_peer_PeerFrame *f);
/* Appends f to out as a frame: its length, then the PeerFrame. 0, or
 * CAIRN_ETOOBIG (over PEER_FRAME_BYTES_MAX), CAIRN_EIO. */
int peer_frame_put(struct evbuffer *out, const cairn_peer_PeerFrame *f);

/* The next whole frame in bev's input (at most 'max' bytes): 1 with *p
 * and *len set (drain PEER_LEN_BYTES + *len after use), 0 while it is not
 * all in (the read watermark then waits for it), -1 when it is over 'max'. */
int peer_frame_next(struct bufferevent *bev, uint32_t max, uint8_t **p, uint32_t *len);

#endif
