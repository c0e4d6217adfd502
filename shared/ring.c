/*
 * All processes: the SPSC frame ring. The producer copies a frame in and
 * publishes its tail with a release store; the consumer loads the tail with
 * acquire, checks the header against what was published, and copies the
 * frame out. Sleeping uses a waiting flag and a seq_cst fence on each side,
 * so a wake-up is sent only when the other side may actually be asleep.
 */
#include <string.h>

#include "shared/assert.h"
#include "shared/err.h"
#include "shared/ring.h"

void
ring_init(struct ring *r, struct ring_ctl *ctl, uint8_t *data, uint64_t cap,
    bool producer)
{
	CAIRN_ASSERT(cap >= 64);
	CAIRN_ASSERT((cap & (cap - 1)) == 0);
	r->ctl = ctl;
	r->data = data;
	r->cap = cap;
	r->producer = producer;
	/* Every ring starts in a fresh, zeroed memfd: position 0, never a value
	 * read from memory the other side may already have written. */
	r->pos = 0;
}

/* Copies n bytes to the ring at position pos, wrapping at the end. */
static void
ring_copy_in(struct ring *r, uint64_t pos, const void *src, uint64_t n)
{
	uint64_t off = pos & (r->cap - 1);
	uint64_t first = r->cap - off < n ? r->cap - off : n;

	memcpy(r->data + off, src, first);
	if (first < n)
		memcpy(r->data, (const uint8_t *)src + first, n - first);
}

/* Copies n bytes out of the ring from position pos, wrapping at the end. */
static void
ring_copy_out(const struct ring *r, uint64_t pos, void *dst, uint64_t n)
{
	uint64_t off = pos & (r->cap - 1);
	uint64_t first = r->cap - off < n ? r->cap - off : n;

	memcpy(dst, r->data + off, first);
	if (first < n)
		memcpy((uint8_t *)dst + first, r->data, n - first);
}

/* Producer: bytes free, or -1 when the consumer's head cannot be right. */
static int64_t
ring_free_bytes(const struct ring *r)
{
	uint64_t head = atomic_load_explicit(&r->ctl->head, memory_order_acquire);
	uint64_t used = r->pos - head;

	/* The head may not pass our tail nor fall more than cap behind it. */
	if (used > r->cap)
		return -1;
	return (int64_t)(r->cap - used);
}

int
ring_write(struct ring *r, const struct frame_hdr *h, const void *payload)
{
	uint64_t need = frame_ring_bytes(h->length);
	int64_t room;

	CAIRN_ASSERT(r->producer);
	CAIRN_ASSERT(h->length == 0 || payload != NULL);
	if (need > r->cap)
		return CAIRN_ETOOBIG;
	room = ring_free_bytes(r);
	if (room < 0)
		return CAIRN_ECORRUPT;
	if ((uint64_t)room < need)
		return CAIRN_EAGAIN;
	ring_copy_in(r, r->pos, h, FRAME_HDR_BYTES);
	if (h->length > 0)
		ring_copy_in(r, r->pos + FRAME_HDR_BYTES, payload, h->length);
	r->pos += need;
	atomic_store_explicit(&r->ctl->tail, r->pos, memory_order_release);
	return 0;
}

bool
ring_consumer_wake_needed(struct ring *r)
{
	CAIRN_ASSERT(r->producer);
	/* Pairs with the fence in ring_consumer_wait: either the consumer sees
	 * our tail, or we see its flag. */
	atomic_thread_fence(memory_order_seq_cst);
	if (atomic_load_explicit(&r->ctl->consumer_waiting, memory_order_relaxed) == 0)
		return false;
	return atomic_exchange_explicit(&r->ctl->consumer_waiting, 0,
	    memory_order_relaxed) != 0;
}

bool
ring_producer_wait(struct ring *r, uint64_t bytes)
{
	int64_t room;

	CAIRN_ASSERT(r->producer);
	atomic_store_explicit(&r->ctl->producer_waiting, 1, memory_order_relaxed);
	atomic_thread_fence(memory_order_seq_cst);
	room = ring_free_bytes(r);
	/* A corrupt head is reported by the next ring_write; do not sleep on it. */
	if (room < 0 || (uint64_t)room >= bytes) {
		atomic_store_explicit(&r->ctl->producer_waiting, 0, memory_order_relaxed);
		return false;
	}
	return true;
}

int
ring_peek(struct ring *r, struct frame_hdr *h)
{
	uint64_t tail = atomic_load_explicit(&r->ctl->tail, memory_order_acquire);
	uint64_t avail = tail - r->pos;

	CAIRN_ASSERT(!r->producer);
	if (avail == 0)
		return CAIRN_EAGAIN;
	/* The producer publishes whole, aligned frames, never more than cap. */
	if (avail > r->cap || avail < FRAME_HDR_BYTES || avail % FRAME_ALIGN != 0)
		return CAIRN_ECORRUPT;
	ring_copy_out(r, r->pos, h, FRAME_HDR_BYTES);
	/* Checked on our private copy: the producer may change the ring now. */
	if (frame_ring_bytes(h->length) > avail)
		return CAIRN_ECORRUPT;
	return 0;
}

void
ring_take(struct ring *r, const struct frame_hdr *h, void *payload)
{
	CAIRN_ASSERT(!r->producer);
	CAIRN_ASSERT(frame_ring_bytes(h->length) <= r->cap);
	if (h->length > 0)
		ring_copy_out(r, r->pos + FRAME_HDR_BYTES, payload, h->length);
	r->pos += frame_ring_bytes(h->length);
	atomic_store_explicit(&r->ctl->head, r->pos, memory_order_release);
}

bool
ring_producer_wake_needed(struct ring *r)
{
	CAIRN_ASSERT(!r->producer);
	atomic_thread_fence(memory_order_seq_cst);
	if (atomic_load_explicit(&r->ctl->producer_waiting, memory_order_relaxed) == 0)
		return false;
	return atomic_exchange_explicit(&r->ctl->producer_waiting, 0,
	    memory_order_relaxed) != 0;
}

bool
ring_consumer_wait(struct ring *r)
{
	CAIRN_ASSERT(!r->producer);
	atomic_store_explicit(&r->ctl->consumer_waiting, 1, memory_order_relaxed);
	atomic_thread_fence(memory_order_seq_cst);
	if (atomic_load_explicit(&r->ctl->tail, memory_order_acquire) != r->pos) {
		atomic_store_explicit(&r->ctl->consumer_waiting, 0, memory_order_relaxed);
		return false;
	}
	return true;
}

uint64_t
ring_used_bytes(const struct ring *r)
{
	if (r->producer)
		return r->pos - atomic_load_explicit(&r->ctl->head, memory_order_acquire);
	return atomic_load_explicit(&r->ctl->tail, memory_order_acquire) - r->pos;
}
