/*
 * Tests: 10 million frames of random sizes from a producer process to a
 * consumer process over one channel's ring, with a small ring so that
 * frames wrap and the producer blocks on a full ring constantly. Every
 * frame must arrive, in order, with its length and checksum intact.
 */
#include <CUnit/CUnit.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "shared/chan.h"
#include "shared/err.h"
#include "tests/lib/chan_pair.h"
#include "tests/lib/runner.h"

#define STRESS_RING_BYTES (64u << 10)
#define STRESS_FRAMES_DEFAULT 10000000ull
#define STRESS_SMALL_MAX 512u
#define STRESS_LARGE_MAX (16u << 10)
#define STRESS_WAIT_MS 10000
#define STRESS_TYPE cairn_ipc_IPC_CHILD_HEARTBEAT_SEND

static uint64_t
stress_frames(void)
{
	const char *s = getenv("CAIRN_STRESS_FRAMES");

	return s ? strtoull(s, NULL, 0) : STRESS_FRAMES_DEFAULT;
}

/* Frame seq's length: mostly small, one in a hundred up to 16 KiB. */
static uint32_t
stress_len(uint64_t seed, uint64_t seq)
{
	uint64_t st = seed ^ (seq * 0x9e3779b97f4a7c15ULL);
	uint64_t r = runner_rand(&st);

	if (r % 100 == 0)
		return (uint32_t)((r >> 8) % STRESS_LARGE_MAX);
	return (uint32_t)((r >> 8) % STRESS_SMALL_MAX);
}

/* A 64-bit checksum of p[0..n), word by word then the tail. */
static uint64_t
stress_sum(const uint8_t *p, size_t n)
{
	uint64_t h = 0xcbf29ce484222325ULL, w;
	size_t i = 0;

	for (; i + 8 <= n; i += 8) {
		memcpy(&w, p + i, 8);
		h = (h ^ w) * 0x100000001b3ULL;
	}
	for (; i < n; i++)
		h = (h ^ p[i]) * 0x100000001b3ULL;
	return h;
}

/* Fills a payload; when long enough its first 8 bytes are the checksum of
 * the rest, so the consumer checks integrity without regenerating it. */
static void
stress_fill(uint8_t *p, uint32_t len, uint64_t seq)
{
	uint64_t w = seq * 0xff51afd7ed558ccdULL + 1, sum;

	for (uint32_t i = 0; i < len; i++) {
		if (i % 8 == 0)
			w = w * 6364136223846793005ULL + 1442695040888963407ULL;
		p[i] = (uint8_t)(w >> (8 * (i % 8)));
	}
	if (len >= 8) {
		sum = stress_sum(p + 8, len - 8);
		memcpy(p, &sum, 8);
	}
}

static int
stress_accept(struct chan *ch, const struct frame_hdr *h, unsigned via, void *arg)
{
	if (h->type != STRESS_TYPE || via != IPC_VIA_RING || h->length >= STRESS_LARGE_MAX)
		return chan_fail(ch, "unexpected frame");
	return 0;
}

/* The producer process: returns the exit status. */
static int
stress_produce(struct chan *ch, uint64_t seed, uint64_t n)
{
	static uint8_t p[STRESS_LARGE_MAX];
	struct frame_hdr h = {.type = STRESS_TYPE};

	for (uint64_t seq = 0; seq < n; seq++) {
		int rc;

		h.length = stress_len(seed, seq);
		h.id = seq;
		stress_fill(p, h.length, seq);
		while ((rc = chan_frame_send(ch, &h, p, IPC_VIA_RING, NULL, 0)) == CAIRN_EAGAIN) {
			struct frame_hdr w;
			unsigned via;

			/* Full: sleep until the consumer frees room and wakes us. */
			if (chan_wait(ch, STRESS_WAIT_MS) != 0)
				return 2;
			if (chan_frame_recv(ch, &w, p, 0, stress_accept, NULL, NULL, NULL, &via) != CAIRN_EAGAIN)
				return 3;
		}
		if (rc != 0)
			return 4;
	}
	return 0;
}

/* The consumer: returns frames received in order and intact. */
static uint64_t
stress_consume(struct chan *ch, uint64_t seed, uint64_t n)
{
	static uint8_t p[STRESS_LARGE_MAX];
	struct frame_hdr h;
	uint64_t seq = 0, sum;
	unsigned via;
	int rc;

	while (seq < n) {
		rc = chan_frame_recv(ch, &h, p, sizeof(p), stress_accept, NULL, NULL, NULL, &via);
		if (rc == CAIRN_EAGAIN) {
			if (chan_wait(ch, STRESS_WAIT_MS) != 0)
				break;
			continue;
		}
		if (rc != 0 || h.id != seq || h.length != stress_len(seed, seq))
			break;
		if (h.length >= 8) {
			memcpy(&sum, p, 8);
			if (sum != stress_sum(p + 8, h.length - 8))
				break;
		}
		seq++;
	}
	return seq;
}

static void
test_ten_million_frames_two_processes(void)
{
	struct chan prod, cons;
	uint64_t seed = runner_seed(), n = stress_frames(), got;
	pid_t pid;
	int st;

	CU_ASSERT_EQUAL_FATAL(chan_pair_open(&prod, PROC_NETD, &cons, PROC_RAFTD,
	    STRESS_RING_BYTES), 0);
	pid = fork();
	CU_ASSERT_FATAL(pid != -1);
	if (pid == 0) {
		chan_close(&cons);
		_exit(stress_produce(&prod, seed, n));
	}
	chan_close(&prod);
	got = stress_consume(&cons, seed, n);
	CU_ASSERT_EQUAL(got, n);
	if (got != n)
		printf("# stopped at frame %llu of %llu\n", (unsigned long long)got,
		    (unsigned long long)n);
	if (got != n)
		kill(pid, SIGKILL);
	CU_ASSERT_EQUAL(waitpid(pid, &st, 0), pid);
	CU_ASSERT(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	chan_close(&cons);
}

static CU_TestInfo stress_tests[] = {
	{"10 million frames between two processes, in order, intact",
	    test_ten_million_frames_two_processes},
	CU_TEST_INFO_NULL,
};

static CU_SuiteInfo suites[] = {
	{"ring_stress", NULL, NULL, NULL, NULL, stress_tests},
	CU_SUITE_INFO_NULL,
};

int
main(void)
{
	return runner_run(suites);
}
