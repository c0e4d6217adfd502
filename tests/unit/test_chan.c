/*
 * Tests: channels end to end in one process (and a child for peer death):
 * hello first, typed messages over socket and ring, and every way a hostile
 * peer can break the protocol, each refused before any handler sees it.
 */
#include <CUnit/CUnit.h>
#include <fcntl.h>
#include <pb_encode.h>
#include <signal.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "shared/chan.h"
#include "shared/err.h"
#include "tests/lib/chan_pair.h"
#include "tests/lib/runner.h"

#define RING_BYTES (64u << 10)

static struct chan a, b; /* a: netd, b: raftd */

static int
pair_up(void)
{
	return chan_pair_open(&a, PROC_NETD, &b, PROC_RAFTD, RING_BYTES);
}

static void
close_both(void)
{
	chan_close(&a);
	chan_close(&b);
}

/* Opens a pair and exchanges hellos both ways. */
static void
pair_hello(void)
{
	struct chan_msg m;

	CU_ASSERT_EQUAL_FATAL(pair_up(), 0);
	CU_ASSERT_EQUAL_FATAL(chan_send_hello(&a), 0);
	CU_ASSERT_EQUAL_FATAL(chan_send_hello(&b), 0);
	CU_ASSERT_EQUAL_FATAL(chan_recv(&b, &m), 0);
	CU_ASSERT_EQUAL(m.hdr.type, cairn_ipc_IPC_ANY_HELLO_SEND);
	CU_ASSERT_EQUAL(m.body.hello.pid, getpid());
	chan_msg_release(&m);
	CU_ASSERT_EQUAL_FATAL(chan_recv(&a, &m), 0);
	chan_msg_release(&m);
	CU_ASSERT_TRUE(a.hello_seen && b.hello_seen);
}

/* Sends a raw frame from 'a', bypassing the route table, as a hostile netd. */
static void
raw_send(uint16_t type, uint16_t flags, const void *p, uint32_t len, unsigned via)
{
	struct frame_hdr h = {.length = len, .type = type, .flags = flags};

	CU_ASSERT_EQUAL_FATAL(chan_frame_send(&a, &h, p, via, NULL, 0), 0);
}

/* b must refuse the next frame with a reason containing 'why'. */
static void
expect_refused(const char *why)
{
	struct chan_msg m;

	CU_ASSERT_EQUAL(chan_recv(&b, &m), CAIRN_EPROTO);
	CU_ASSERT_PTR_NOT_NULL(strstr(b.fail_reason, why));
	if (strstr(b.fail_reason, why) == NULL)
		printf("# got reason: %s, expected: %s\n", b.fail_reason, why);
}

static void
test_hello_then_heartbeat_over_ring(void)
{
	cairn_ipc_Heartbeat hb = {.seq = 42};
	struct chan_msg m;

	pair_hello();
	CU_ASSERT_EQUAL(chan_send(&a, cairn_ipc_IPC_CHILD_HEARTBEAT_SEND, 7, &hb), 0);
	/* It went through the ring, not the socket. */
	CU_ASSERT(ring_used_bytes(&b.rx) > 0);
	CU_ASSERT_EQUAL_FATAL(chan_recv(&b, &m), 0);
	CU_ASSERT_EQUAL(m.hdr.type, cairn_ipc_IPC_CHILD_HEARTBEAT_SEND);
	CU_ASSERT_EQUAL(m.hdr.id, 7);
	CU_ASSERT_EQUAL(m.body.heartbeat.seq, 42);
	chan_msg_release(&m);
	CU_ASSERT_EQUAL(chan_recv(&b, &m), CAIRN_EAGAIN);
	close_both();
}

static void
test_wake_only_when_waiting(void)
{
	cairn_ipc_Heartbeat hb = {.seq = 1};
	struct chan_msg m;

	pair_hello();
	/* b drained everything: its waiting flag is armed, so a send wakes it. */
	CU_ASSERT_EQUAL(chan_recv(&b, &m), CAIRN_EAGAIN);
	CU_ASSERT_EQUAL(chan_send(&a, cairn_ipc_IPC_CHILD_HEARTBEAT_SEND, 0, &hb), 0);
	CU_ASSERT_EQUAL(chan_wait(&b, 0), 0);
	/* b is not waiting now: a second send makes no wake-up datagram. */
	CU_ASSERT_EQUAL(chan_send(&a, cairn_ipc_IPC_CHILD_HEARTBEAT_SEND, 0, &hb), 0);
	CU_ASSERT_EQUAL(chan_recv(&b, &m), 0);
	chan_msg_release(&m);
	CU_ASSERT_EQUAL(chan_recv(&b, &m), 0);
	chan_msg_release(&m);
	CU_ASSERT_EQUAL(chan_recv(&b, &m), CAIRN_EAGAIN);
	CU_ASSERT_EQUAL(chan_wait(&b, 0), CAIRN_EAGAIN); /* no stray wake-ups */
	close_both();
}

static void
test_socket_frame_before_ring_frames_comes_first(void)
{
	cairn_ipc_Heartbeat hb = {.seq = 9};
	struct chan_msg m;

	CU_ASSERT_EQUAL_FATAL(pair_up(), 0);
	/* Hello on the socket, then ring frames, all before b reads: b takes
	 * ring frames without a syscall, yet must see the hello first. */
	CU_ASSERT_EQUAL(chan_send_hello(&a), 0);
	CU_ASSERT_EQUAL(chan_send(&a, cairn_ipc_IPC_CHILD_HEARTBEAT_SEND, 0, &hb), 0);
	CU_ASSERT_EQUAL(chan_send(&a, cairn_ipc_IPC_CHILD_HEARTBEAT_SEND, 0, &hb), 0);
	CU_ASSERT_EQUAL_FATAL(chan_recv(&b, &m), 0);
	CU_ASSERT_EQUAL(m.hdr.type, cairn_ipc_IPC_ANY_HELLO_SEND);
	chan_msg_release(&m);
	for (int i = 0; i < 2; i++) {
		CU_ASSERT_EQUAL_FATAL(chan_recv(&b, &m), 0);
		CU_ASSERT_EQUAL(m.hdr.type, cairn_ipc_IPC_CHILD_HEARTBEAT_SEND);
		chan_msg_release(&m);
	}
	close_both();
}

static void
test_lying_socket_counter_cannot_skip_hello(void)
{
	cairn_ipc_Heartbeat hb = {.seq = 9};

	CU_ASSERT_EQUAL_FATAL(pair_up(), 0);
	CU_ASSERT_EQUAL(chan_send_hello(&a), 0);
	/* A hostile peer hides its hello from the counter to jump the queue:
	 * its ring frame is read first and refused, never acted on. */
	atomic_store(&a.tx.ctl->sock_frames, 0);
	CU_ASSERT_EQUAL(chan_send(&a, cairn_ipc_IPC_CHILD_HEARTBEAT_SEND, 0, &hb), 0);
	expect_refused("frame before hello");
	close_both();
}

static void
test_frame_before_hello(void)
{
	cairn_ipc_Heartbeat hb = {.seq = 1};

	CU_ASSERT_EQUAL_FATAL(pair_up(), 0);
	CU_ASSERT_EQUAL(chan_send(&a, cairn_ipc_IPC_CHILD_HEARTBEAT_SEND, 0, &hb), 0);
	expect_refused("frame before hello");
	close_both();
}

static void
test_hello_from_wrong_process_or_version(void)
{
	uint8_t buf[64];
	pb_ostream_t os;
	cairn_ipc_Hello h = {.version = CAIRN_IPC_VERSION, .proc = PROC_STORED, .pid = 1};

	CU_ASSERT_EQUAL_FATAL(pair_up(), 0);
	os = pb_ostream_from_buffer(buf, sizeof(buf));
	CU_ASSERT_FATAL(pb_encode(&os, cairn_ipc_Hello_fields, &h));
	raw_send(cairn_ipc_IPC_ANY_HELLO_SEND, 0, buf, (uint32_t)os.bytes_written, IPC_VIA_SOCKET);
	expect_refused("unexpected process");
	close_both();

	CU_ASSERT_EQUAL_FATAL(pair_up(), 0);
	h.proc = PROC_NETD;
	h.version = CAIRN_IPC_VERSION + 1;
	os = pb_ostream_from_buffer(buf, sizeof(buf));
	CU_ASSERT_FATAL(pb_encode(&os, cairn_ipc_Hello_fields, &h));
	raw_send(cairn_ipc_IPC_ANY_HELLO_SEND, 0, buf, (uint32_t)os.bytes_written, IPC_VIA_SOCKET);
	expect_refused("another IPC version");
	close_both();
}

static void
test_second_hello(void)
{
	pair_hello();
	CU_ASSERT_EQUAL(chan_send_hello(&a), 0);
	expect_refused("second hello");
	close_both();
}

static void
test_bad_headers_on_socket(void)
{
	static const uint8_t junk[8] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
	static const struct {
		uint16_t type, flags;
		uint32_t len;
		const char *why;
	} cases[] = {
		{0, 0, 0, "unknown frame type"},
		{999, 0, 0, "unknown frame type"},
		{cairn_ipc_IPC_CHILD_CONFIG_SET, 0, 0, "not allowed from this sender"},
		{cairn_ipc_IPC_SUPERVISOR_CHANNEL_FAIL, 0, 0, "not allowed to this receiver"},
		{cairn_ipc_IPC_CHILD_HEARTBEAT_SEND, 0, 0, "not allowed on this transport"},
		{cairn_ipc_IPC_ANY_HELLO_SEND, 0x8000, 0, "unknown frame flags"},
		{cairn_ipc_IPC_ANY_HELLO_SEND, 0, 8, "payload does not decode"},
		{cairn_ipc_IPC_ANY_RING_WAKE, 0, 8, "malformed wake-up"},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		CU_ASSERT_EQUAL_FATAL(pair_up(), 0);
		raw_send(cases[i].type, cases[i].flags, junk, cases[i].len, IPC_VIA_SOCKET);
		expect_refused(cases[i].why);
		close_both();
	}
}

static void
test_bad_headers_in_ring(void)
{
	uint8_t big[cairn_ipc_Heartbeat_size + 8];

	memset(big, 0, sizeof(big));
	pair_hello();
	raw_send(777, 0, NULL, 0, IPC_VIA_RING);
	expect_refused("unknown frame type");
	close_both();

	pair_hello();
	raw_send(cairn_ipc_IPC_CHILD_HEARTBEAT_SEND, 0, big, sizeof(big), IPC_VIA_RING);
	expect_refused("longer than its type allows");
	close_both();

	pair_hello();
	raw_send(cairn_ipc_IPC_ANY_HELLO_SEND, 0, NULL, 0, IPC_VIA_RING);
	expect_refused("not allowed on this transport");
	close_both();
}

static void
test_ring_tail_beyond_capacity(void)
{
	pair_hello();
	/* A hostile producer publishes a tail beyond what the ring can hold. */
	atomic_store(&a.tx.ctl->tail, (uint64_t)RING_BYTES * 2);
	expect_refused("beyond capacity or published tail");
	close_both();
}

/* Sends raw datagram bytes from a's socket. */
static void
raw_datagram(const void *p, size_t len)
{
	CU_ASSERT_EQUAL_FATAL(send(a.sock, p, len, 0), (ssize_t)len);
}

static void
test_bad_datagrams(void)
{
	struct frame_hdr h = {.length = 100, .type = cairn_ipc_IPC_ANY_HELLO_SEND};
	static uint8_t huge[CHAN_SOCKET_FRAME_BYTES_MAX + 64];

	CU_ASSERT_EQUAL_FATAL(pair_up(), 0);
	raw_datagram("short", 5);
	expect_refused("shorter than its header");
	close_both();

	CU_ASSERT_EQUAL_FATAL(pair_up(), 0);
	raw_datagram(&h, sizeof(h)); /* says 100 bytes follow, none do */
	expect_refused("does not match its header");
	close_both();

	CU_ASSERT_EQUAL_FATAL(pair_up(), 0);
	memcpy(huge, &h, sizeof(h));
	raw_datagram(huge, sizeof(huge));
	expect_refused("too long");
	close_both();
}

static void
test_unexpected_descriptors_closed(void)
{
	int before, fds[2], rc;
	uint8_t buf[64];
	cairn_ipc_Hello hello = {.version = CAIRN_IPC_VERSION, .proc = PROC_NETD};
	pb_ostream_t os = pb_ostream_from_buffer(buf, sizeof(buf));
	struct frame_hdr h = {.type = cairn_ipc_IPC_ANY_HELLO_SEND};

	CU_ASSERT_EQUAL_FATAL(pair_up(), 0);
	CU_ASSERT_FATAL(pb_encode(&os, cairn_ipc_Hello_fields, &hello));
	h.length = (uint32_t)os.bytes_written;
	CU_ASSERT_EQUAL_FATAL(pipe(fds), 0);
	rc = chan_frame_send(&a, &h, buf, IPC_VIA_SOCKET, fds, 2);
	CU_ASSERT_EQUAL_FATAL(rc, 0);
	close(fds[0]);
	close(fds[1]);
	before = chan_pair_count_fds();
	expect_refused("wrong number of descriptors");
	/* The two passed descriptors arrived and were closed again. */
	CU_ASSERT_EQUAL(chan_pair_count_fds(), before);
	close_both();
}

static void
test_adopt_carries_two_fds(void)
{
	struct chan sup, child;
	cairn_ipc_ChannelAdopt adopt = {.peer = PROC_STORED};
	struct chan_msg m;
	int fds[2];

	CU_ASSERT_EQUAL_FATAL(chan_pair_open(&sup, PROC_SUPERVISOR, &child, PROC_RAFTD, 0), 0);
	CU_ASSERT_EQUAL(chan_send_hello(&sup), 0);
	CU_ASSERT_EQUAL_FATAL(chan_recv(&child, &m), 0);
	chan_msg_release(&m);
	CU_ASSERT_EQUAL_FATAL(pipe(fds), 0);
	CU_ASSERT_EQUAL(chan_send_fds(&sup, cairn_ipc_IPC_CHILD_CHANNEL_ADOPT, 0, &adopt, fds, 2), 0);
	close(fds[0]);
	close(fds[1]);
	CU_ASSERT_EQUAL_FATAL(chan_recv(&child, &m), 0);
	CU_ASSERT_EQUAL(m.nfds, 2);
	CU_ASSERT_EQUAL(m.body.adopt.peer, PROC_STORED);
	CU_ASSERT(fcntl(m.fds[0], F_GETFD) != -1);
	CU_ASSERT(fcntl(m.fds[0], F_GETFD) & FD_CLOEXEC);
	chan_msg_release(&m);
	chan_close(&sup);
	chan_close(&child);
}

/* A channel whose peer has not started yet: a send is refused as
 * closed, whatever the type (netd answers clients before raftd exists). */
static void
test_send_before_open(void)
{
	struct chan never;
	cairn_ipc_Empty empty = cairn_ipc_Empty_init_zero;
	cairn_ipc_Read rd = cairn_ipc_Read_init_zero;

	chan_init(&never);
	CU_ASSERT_EQUAL(chan_send(&never, cairn_ipc_IPC_RAFTD_READ_INDEX_GET, 1, &empty),
	    CAIRN_ECLOSED);
	CU_ASSERT_EQUAL(chan_send(&never, cairn_ipc_IPC_STORED_READ_GET, 2, &rd), CAIRN_ECLOSED);
}

static void
test_peer_death_seen(void)
{
	struct chan_msg m;
	pid_t pid;
	int st;

	CU_ASSERT_EQUAL_FATAL(pair_up(), 0);
	pid = fork();
	CU_ASSERT_FATAL(pid != -1);
	if (pid == 0) {
		chan_close(&b);
		pause();
		_exit(0);
	}
	/* The child holds a's socket too; only its death closes the pair. */
	chan_close(&a);
	CU_ASSERT_EQUAL(chan_wait(&b, 0), CAIRN_EAGAIN);
	kill(pid, SIGKILL);
	waitpid(pid, &st, 0);
	CU_ASSERT_EQUAL(chan_wait(&b, 5000), 0);
	CU_ASSERT_EQUAL(chan_recv(&b, &m), CAIRN_ECLOSED);
	chan_close(&b);
}

static void
test_frames_published_before_death_delivered(void)
{
	cairn_ipc_Heartbeat hb;
	struct chan_msg m;

	pair_hello();
	for (hb.seq = 1; hb.seq <= 3; hb.seq++)
		CU_ASSERT_EQUAL(chan_send(&a, cairn_ipc_IPC_CHILD_HEARTBEAT_SEND, 0, &hb), 0);
	chan_close(&a); /* the producer dies with three frames in the ring */
	for (uint64_t want = 1; want <= 3; want++) {
		CU_ASSERT_EQUAL_FATAL(chan_recv(&b, &m), 0);
		CU_ASSERT_EQUAL(m.body.heartbeat.seq, want);
		chan_msg_release(&m);
	}
	CU_ASSERT_EQUAL(chan_recv(&b, &m), CAIRN_ECLOSED);
	chan_close(&b);
}

static void
test_memfd_checked(void)
{
	int socks[2], memfd, plain;
	struct chan c;

	/* A memfd of the wrong size. */
	CU_ASSERT_EQUAL_FATAL(chan_pair_create(RING_BYTES, socks, &memfd), 0);
	CU_ASSERT_EQUAL(chan_open(&c, PROC_NETD, PROC_RAFTD, socks[0], memfd, RING_BYTES * 2), CAIRN_EPROTO);
	CU_ASSERT_PTR_NOT_NULL(strstr(c.fail_reason, "wrong size"));
	/* An unsealed one: the peer could shrink it under our mapping. */
	plain = memfd_create("x", MFD_CLOEXEC);
	CU_ASSERT_EQUAL(ftruncate(plain, (off_t)chan_mem_bytes(RING_BYTES)), 0);
	CU_ASSERT_EQUAL(chan_open(&c, PROC_NETD, PROC_RAFTD, socks[0], plain, RING_BYTES), CAIRN_EPROTO);
	CU_ASSERT_PTR_NOT_NULL(strstr(c.fail_reason, "not sealed"));
	/* Ours cannot be shrunk. */
	CU_ASSERT_EQUAL(ftruncate(memfd, 4096), -1);
	close(plain);
	close(memfd);
	close(socks[0]);
	close(socks[1]);
}

static CU_TestInfo chan_tests[] = {
	{"hello then heartbeat over the ring", test_hello_then_heartbeat_over_ring},
	{"wake-up only when waiting", test_wake_only_when_waiting},
	{"socket frame sent before ring frames comes first", test_socket_frame_before_ring_frames_comes_first},
	{"a lying socket counter cannot skip the hello", test_lying_socket_counter_cannot_skip_hello},
	{"frame before hello refused", test_frame_before_hello},
	{"hello from wrong process or version refused", test_hello_from_wrong_process_or_version},
	{"second hello refused", test_second_hello},
	{"bad headers on the socket refused", test_bad_headers_on_socket},
	{"bad headers in the ring refused", test_bad_headers_in_ring},
	{"ring tail beyond capacity refused", test_ring_tail_beyond_capacity},
	{"bad datagrams refused", test_bad_datagrams},
	{"unexpected descriptors closed", test_unexpected_descriptors_closed},
	{"adopt carries two descriptors", test_adopt_carries_two_fds},
	{"a send before the channel opens is refused", test_send_before_open},
	{"peer death seen on the socketpair", test_peer_death_seen},
	{"frames published before peer death are delivered", test_frames_published_before_death_delivered},
	{"memfd size and seals checked", test_memfd_checked},
	CU_TEST_INFO_NULL,
};

static CU_SuiteInfo suites[] = {
	{"chan", NULL, NULL, NULL, NULL, chan_tests},
	CU_SUITE_INFO_NULL,
};

int
main(void)
{
	signal(SIGPIPE, SIG_IGN);
	return runner_run(suites);
}
