/*
 * All processes: a channel between two cairn processes: one SOCK_SEQPACKET
 * socket (hello, control frames, wake-ups, descriptor passing, peer death)
 * and, between children, one sealed memfd holding two SPSC rings, one per
 * direction (the bulk path). The supervisor's control channels have no
 * memfd. Every received frame is checked, copied out, then decoded.
 */
#ifndef CAIRN_CHAN_H
#define CAIRN_CHAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "shared/frame.h"
#include "shared/ipc_route.h"
#include "shared/proc.h"
#include "shared/ring.h"

/* Descriptors a frame may carry. */
#define CHAN_FDS_MAX 2
/* The largest frame sent on a socket (header included). */
#define CHAN_SOCKET_FRAME_BYTES_MAX (64u << 10)
/* The memfd starts with a page of ring control blocks, then the data. */
#define CHAN_MEM_CTL_BYTES 4096u
#define CHAN_FAIL_REASON_BYTES 160

struct chan {
	int sock;            /* SOCK_SEQPACKET, owned; -1 when closed */
	int memfd;           /* sealed memfd, owned; -1 for control channels */
	uint8_t *map;        /* the memfd's mapping; NULL without rings */
	size_t map_bytes;
	struct ring tx;      /* frames we produce */
	struct ring rx;      /* frames we consume */
	enum cairn_proc self;
	enum cairn_proc peer;
	bool hello_seen;     /* the peer's hello arrived and was right */
	uint64_t sock_frames_rx; /* socket frames (not wake-ups) received */
	uint8_t *rx_buf;     /* copy-out buffer, owned */
	uint8_t *tx_buf;     /* encode buffer, owned */
	size_t buf_bytes;    /* size of each buffer */
	char fail_reason[CHAN_FAIL_REASON_BYTES];
};

/* One received, checked and decoded message. */
struct chan_msg {
	struct frame_hdr hdr;
	const struct ipc_route *route;
	union ipc_msg body;
	int fds[CHAN_FDS_MAX]; /* owned by the message until taken (set to -1) */
	unsigned nfds;
};

/* Judges a received header before its payload is copied; 0 to accept. */
typedef int chan_accept_fn(struct chan *ch, const struct frame_hdr *h,
    unsigned via, void *arg);

/* Size of the memfd for rings of 'ring_bytes' each. */
size_t chan_mem_bytes(uint32_t ring_bytes);

/* Creates a socketpair and (ring_bytes > 0) a zeroed memfd sealed against
 * shrinking and growing, so no side can make the other fault on it. On
 * success the caller owns socks[0], socks[1] and *memfd (-1 if none). */
int chan_pair_create(uint32_t ring_bytes, int socks[2], int *memfd);

/* Opens our end: maps and checks the memfd (exact size, seals). Takes
 * ownership of 'sock' and 'memfd' on success only. */
int chan_open(struct chan *ch, enum cairn_proc self, enum cairn_proc peer,
    int sock, int memfd, uint32_t ring_bytes);

/* Marks a channel closed without opening it (so chan_close is safe). */
void chan_init(struct chan *ch);
/* Closes the descriptors and unmaps; safe on a closed channel. */
void chan_close(struct chan *ch);
bool chan_is_open(const struct chan *ch);

/* Records why the channel failed; returns CAIRN_EPROTO. */
int chan_fail(struct chan *ch, const char *reason);

/* Sends our hello (version, process, pid); the first frame on a channel. */
int chan_send_hello(struct chan *ch);

/* Encodes 'msg' per the route of 'type' and sends it on the route's
 * transport (the ring when the route allows it and the channel has one).
 * 'msg' is borrowed. Returns 0, CAIRN_EAGAIN (ring or socket full: retry
 * after the next wake-up; nothing was sent), CAIRN_ECLOSED, CAIRN_ETOOBIG. */
int chan_send(struct chan *ch, unsigned type, uint64_t id, const void *msg);
/* The same on the socket, passing 'nfds' descriptors (borrowed). */
int chan_send_fds(struct chan *ch, unsigned type, uint64_t id,
    const void *msg, const int *fds, unsigned nfds);

/* Receives the next message: from the socket first, then from the ring.
 * Returns 0 with *m filled (release it with chan_msg_release);
 * CAIRN_EAGAIN when nothing is left (the waiting flag is armed, so the
 * caller may sleep on ch->sock); CAIRN_ECLOSED when the peer is gone;
 * CAIRN_EPROTO when the peer broke the protocol (ch->fail_reason says how;
 * the caller must close the channel and report it). */
int chan_recv(struct chan *ch, struct chan_msg *m);
void chan_msg_release(struct chan_msg *m);

/* Frame level, for the message layer, tests and benchmarks. */
int chan_frame_send(struct chan *ch, const struct frame_hdr *h,
    const void *payload, unsigned via, const int *fds, unsigned nfds);
/* Receives one frame into buf (cap bytes), calling 'accept' on its header
 * before the payload is copied. Wake-ups are consumed here. Descriptors
 * that came with it are stored in fds/nfds (may be NULL: then refused). */
int chan_frame_recv(struct chan *ch, struct frame_hdr *h, uint8_t *buf,
    size_t cap, chan_accept_fn *accept, void *arg, int *fds, unsigned *nfds,
    unsigned *via);

/* Waits up to timeout_ms (-1: forever) for the socket to become readable. */
int chan_wait(struct chan *ch, int timeout_ms);

#endif
