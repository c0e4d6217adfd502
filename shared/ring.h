/*
 * All processes: a single-producer single-consumer ring of frames in shared
 * memory (DESIGN.md section 2). The other side may be hostile (netd), so
 * every position read from shared memory is checked against our own private
 * copy before use, and frames are copied out before anyone decodes them.
 */
#ifndef CAIRN_RING_H
#define CAIRN_RING_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "shared/frame.h"

#define RING_CACHELINE 64
/* Bytes of shared memory holding one ring's positions and flags. */
#define RING_CTL_BYTES 256

/* The shared part of a ring. Positions count bytes since the start and
 * never wrap in practice (2^64); the index in data is pos & (cap - 1). */
struct ring_ctl {
	_Alignas(RING_CACHELINE) _Atomic uint64_t tail; /* producer's, release */
	/* Producer's: frames (not wake-ups) it sent on the socket, bumped
	 * after each send and before any later tail; next to tail, which the
	 * consumer loads anyway. */
	_Atomic uint64_t sock_frames;
	_Alignas(RING_CACHELINE) _Atomic uint64_t head; /* consumer's, release */
	_Alignas(RING_CACHELINE) _Atomic uint32_t consumer_waiting;
	_Atomic uint32_t producer_waiting;
};
CAIRN_STATIC_ASSERT(sizeof(struct ring_ctl) <= RING_CTL_BYTES, "ring control block fits");

/* One end of a ring; private to the process that holds it. */
struct ring {
	struct ring_ctl *ctl; /* shared, borrowed */
	uint8_t *data;        /* shared, borrowed; cap bytes */
	uint64_t cap;         /* power of two, from our own configuration */
	uint64_t pos;         /* our position: tail (producer) or head (consumer) */
	bool producer;
};

/* Attaches to a ring whose control block and data the caller mapped.
 * 'cap' must be a power of two >= 64. The ring must be fresh (zeroed). */
void ring_init(struct ring *r, struct ring_ctl *ctl, uint8_t *data, uint64_t cap,
    bool producer);

/* Producer. Copies header and payload into the ring and publishes them.
 * Returns 0; CAIRN_EAGAIN when there is no room yet (nothing written);
 * CAIRN_ETOOBIG when the frame can never fit; CAIRN_ECORRUPT when the
 * consumer's published head is impossible. */
int ring_write(struct ring *r, const struct frame_hdr *h, const void *payload);

/* Producer, after one or more writes: true when the consumer said it is
 * waiting, in which case the flag is cleared and the caller must wake it. */
bool ring_consumer_wake_needed(struct ring *r);

/* Producer with no room: announces it waits for room. Returns false when
 * room for 'bytes' appeared meanwhile (retry at once), true when the caller
 * may sleep until the consumer wakes it. */
bool ring_producer_wait(struct ring *r, uint64_t bytes);

/* Consumer. Reads and checks the next header into *h without consuming it.
 * Returns 0; CAIRN_EAGAIN when the ring is empty; CAIRN_ECORRUPT when the
 * published tail or the header's length cannot be right. */
int ring_peek(struct ring *r, struct frame_hdr *h);

/* Consumer, after ring_peek returned 0 and the caller accepted *h: copies
 * h->length payload bytes into 'payload' and releases the frame's space. */
void ring_take(struct ring *r, const struct frame_hdr *h, void *payload);

/* Consumer, after one or more takes: true when the producer waits for room
 * (the flag is cleared and the caller must wake it). */
bool ring_producer_wake_needed(struct ring *r);

/* Consumer about to sleep: sets the waiting flag, then looks once more.
 * Returns true when still empty (sleep until woken), false when a frame
 * arrived meanwhile (the flag is cleared; read again). */
bool ring_consumer_wait(struct ring *r);

/* Bytes published and not yet consumed, as this side sees them. */
uint64_t ring_used_bytes(const struct ring *r);

#endif
