/*
 * Tests: the SPSC ring on its own, in one process: wrap-around, back-pressure
 * when full, the waiting flags, and every header that cannot be right.
 */
#include <CUnit/CUnit.h>
#include <stdlib.h>
#include <string.h>

#include "shared/err.h"
#include "shared/ring.h"
#include "tests/lib/runner.h"

#define CAP 256u

static struct ring_ctl *ctl;
static uint8_t *data;
static struct ring prod, cons;

static int
setup(void)
{
	ctl = aligned_alloc(RING_CACHELINE, RING_CTL_BYTES);
	data = malloc(CAP);
	memset(ctl, 0, RING_CTL_BYTES);
	memset(data, 0xee, CAP);
	ring_init(&prod, ctl, data, CAP, true);
	ring_init(&cons, ctl, data, CAP, false);
	return 0;
}

static int
teardown(void)
{
	free(ctl);
	free(data);
	return 0;
}

static int
put(uint32_t len, uint8_t fill, uint64_t id)
{
	uint8_t payload[CAP];
	struct frame_hdr h = {.length = len, .type = 3, .id = id};

	memset(payload, fill, len);
	return ring_write(&prod, &h, payload);
}

/* Takes one frame and checks its length, fill byte and id. */
static void
get_expect(uint32_t len, uint8_t fill, uint64_t id)
{
	uint8_t payload[CAP];
	struct frame_hdr h;

	CU_ASSERT_EQUAL_FATAL(ring_peek(&cons, &h), 0);
	CU_ASSERT_EQUAL(h.length, len);
	CU_ASSERT_EQUAL(h.id, id);
	ring_take(&cons, &h, payload);
	for (uint32_t i = 0; i < len; i++)
		if (payload[i] != fill) {
			CU_FAIL("payload byte differs");
			break;
		}
}

static void
test_roundtrip_and_empty(void)
{
	struct frame_hdr h;

	setup();
	CU_ASSERT_EQUAL(ring_peek(&cons, &h), CAIRN_EAGAIN);
	CU_ASSERT_EQUAL(put(0, 0, 1), 0);
	CU_ASSERT_EQUAL(put(5, 0xab, 2), 0);
	CU_ASSERT_EQUAL(ring_used_bytes(&cons), FRAME_HDR_BYTES + 24);
	get_expect(0, 0, 1);
	get_expect(5, 0xab, 2);
	CU_ASSERT_EQUAL(ring_peek(&cons, &h), CAIRN_EAGAIN);
	CU_ASSERT_EQUAL(ring_used_bytes(&prod), 0);
	teardown();
}

static void
test_wrap_around_random_sizes(void)
{
	uint64_t st = runner_seed(), taken = 0;

	setup();
	/* Frames of every size keep the ring partly full, so they straddle
	 * the end of the buffer at every offset. */
	for (uint64_t i = 0; i < 20000; i++) {
		uint32_t len = (uint32_t)(runner_rand(&st) % 100);
		unsigned extra = (unsigned)(runner_rand(&st) % 3);

		while (CAP - ring_used_bytes(&prod) < frame_ring_bytes(len) || extra-- > 0) {
			struct frame_hdr h;
			uint8_t p[CAP];

			if (ring_peek(&cons, &h) == CAIRN_EAGAIN)
				break;
			ring_take(&cons, &h, p);
			CU_ASSERT_FATAL(h.id == taken);
			CU_ASSERT_FATAL(h.length == 0 || p[0] == (uint8_t)h.id);
			CU_ASSERT_FATAL(h.length == 0 || p[h.length - 1] == (uint8_t)h.id);
			taken++;
		}
		CU_ASSERT_EQUAL_FATAL(put(len, (uint8_t)i, i), 0);
	}
	CU_ASSERT(prod.pos > 100 * CAP);
	teardown();
}

static void
test_full_ring_back_pressure(void)
{
	uint64_t tail_before;
	int n = 0;

	setup();
	while (put(40, 7, (uint64_t)n) == 0)
		n++;
	/* 40 bytes + 16 header = 56 per frame: 4 fit in 256. */
	CU_ASSERT_EQUAL(n, 4);
	tail_before = atomic_load(&ctl->tail);
	CU_ASSERT_EQUAL(put(40, 7, 99), CAIRN_EAGAIN);
	CU_ASSERT_EQUAL(atomic_load(&ctl->tail), tail_before); /* nothing written */
	/* The producer announces it waits; the consumer must then wake it. */
	CU_ASSERT_TRUE(ring_producer_wait(&prod, frame_ring_bytes(40)));
	CU_ASSERT_EQUAL(atomic_load(&ctl->producer_waiting), 1);
	get_expect(40, 7, 0);
	CU_ASSERT_TRUE(ring_producer_wake_needed(&cons));
	CU_ASSERT_FALSE(ring_producer_wake_needed(&cons)); /* one wake only */
	CU_ASSERT_EQUAL(put(40, 8, 4), 0);
	for (int i = 1; i < 4; i++)
		get_expect(40, 7, (uint64_t)i);
	get_expect(40, 8, 4);
	teardown();
}

static void
test_producer_wait_sees_room(void)
{
	setup();
	CU_ASSERT_EQUAL(put(40, 1, 1), 0);
	/* Room exists: no sleeping, no flag left behind. */
	CU_ASSERT_FALSE(ring_producer_wait(&prod, frame_ring_bytes(40)));
	CU_ASSERT_EQUAL(atomic_load(&ctl->producer_waiting), 0);
	teardown();
}

static void
test_consumer_waiting_flag(void)
{
	setup();
	CU_ASSERT_TRUE(ring_consumer_wait(&cons));
	CU_ASSERT_EQUAL(atomic_load(&ctl->consumer_waiting), 1);
	CU_ASSERT_EQUAL(put(3, 1, 1), 0);
	CU_ASSERT_TRUE(ring_consumer_wake_needed(&prod));
	CU_ASSERT_FALSE(ring_consumer_wake_needed(&prod));
	CU_ASSERT_EQUAL(put(3, 1, 2), 0);
	/* Not waiting: no wake-up needed. */
	CU_ASSERT_FALSE(ring_consumer_wake_needed(&prod));
	/* Data is there: the consumer must not sleep, and clears its flag. */
	CU_ASSERT_FALSE(ring_consumer_wait(&cons));
	CU_ASSERT_EQUAL(atomic_load(&ctl->consumer_waiting), 0);
	teardown();
}

static void
test_too_big_frame(void)
{
	uint8_t big[CAP] = {0};
	struct frame_hdr h = {.length = CAP - FRAME_HDR_BYTES + 1, .type = 3};

	setup();
	CU_ASSERT_EQUAL(ring_write(&prod, &h, big), CAIRN_ETOOBIG);
	h.length = CAP - FRAME_HDR_BYTES; /* exactly the whole ring fits */
	CU_ASSERT_EQUAL(ring_write(&prod, &h, big), 0);
	teardown();
}

/* Publishes a raw header at the consumer's position and a raw tail, as a
 * hostile producer could. */
static void
forge(uint32_t len, uint64_t tail)
{
	struct frame_hdr h = {.length = len, .type = 3};

	memcpy(data + (cons.pos & (CAP - 1)), &h, sizeof(h));
	atomic_store(&ctl->tail, tail);
}

static void
test_corrupt_headers_refused(void)
{
	struct frame_hdr h;

	setup();
	forge(0, CAP + 8); /* more published than the ring holds */
	CU_ASSERT_EQUAL(ring_peek(&cons, &h), CAIRN_ECORRUPT);
	forge(0, 8); /* less than a header */
	CU_ASSERT_EQUAL(ring_peek(&cons, &h), CAIRN_ECORRUPT);
	forge(0, 20); /* not frame-aligned */
	CU_ASSERT_EQUAL(ring_peek(&cons, &h), CAIRN_ECORRUPT);
	forge(8, 16); /* length beyond the published tail */
	CU_ASSERT_EQUAL(ring_peek(&cons, &h), CAIRN_ECORRUPT);
	forge(0xffffffffu, CAP); /* length beyond capacity */
	CU_ASSERT_EQUAL(ring_peek(&cons, &h), CAIRN_ECORRUPT);
	forge(0, (uint64_t)-16); /* tail behind our head */
	CU_ASSERT_EQUAL(ring_peek(&cons, &h), CAIRN_ECORRUPT);
	forge(8, 24); /* a right one is accepted */
	CU_ASSERT_EQUAL(ring_peek(&cons, &h), 0);
	CU_ASSERT_EQUAL(h.length, 8);
	teardown();
}

static void
test_corrupt_head_refused_by_producer(void)
{
	setup();
	CU_ASSERT_EQUAL(put(8, 1, 1), 0);
	atomic_store(&ctl->head, 1024); /* ahead of our tail */
	CU_ASSERT_EQUAL(put(8, 1, 2), CAIRN_ECORRUPT);
	atomic_store(&ctl->head, (uint64_t)-(int64_t)CAP); /* too far behind */
	CU_ASSERT_EQUAL(put(8, 1, 2), CAIRN_ECORRUPT);
	atomic_store(&ctl->head, 0);
	CU_ASSERT_EQUAL(put(8, 1, 2), 0);
	teardown();
}

static CU_TestInfo ring_tests[] = {
	{"round trip and empty", test_roundtrip_and_empty},
	{"wrap-around with random sizes", test_wrap_around_random_sizes},
	{"full ring: back-pressure, nothing lost", test_full_ring_back_pressure},
	{"producer wait sees room", test_producer_wait_sees_room},
	{"consumer waiting flag", test_consumer_waiting_flag},
	{"frame larger than the ring", test_too_big_frame},
	{"corrupt headers refused", test_corrupt_headers_refused},
	{"impossible head refused by producer", test_corrupt_head_refused_by_producer},
	CU_TEST_INFO_NULL,
};

static CU_SuiteInfo suites[] = {
	{"ring", NULL, NULL, NULL, NULL, ring_tests},
	CU_SUITE_INFO_NULL,
};

int
main(void)
{
	return runner_run(suites);
}
