/*
 * Tests: the IPC route table covers every IpcType of ipc.proto exactly once,
 * and every route is consistent with the transports' bounds.
 */
#include <CUnit/CUnit.h>

#include "shared/chan.h"
#include "shared/ipc_route.h"
#include "tests/lib/runner.h"

static void
test_every_type_has_exactly_one_route(void)
{
	size_t len;
	const struct ipc_route *t = ipc_route_table(&len);

	for (int type = _cairn_ipc_IpcType_MIN; type <= _cairn_ipc_IpcType_MAX; type++) {
		unsigned n = 0;

		for (size_t i = 0; i < len; i++)
			n += t[i].type == (unsigned)type;
		/* IPC_NONE is never valid on the wire, so it has no route. */
		CU_ASSERT_EQUAL(n, type == cairn_ipc_IPC_NONE ? 0u : 1u);
		CU_ASSERT_STRING_NOT_EQUAL(ipc_type_name((unsigned)type), "unknown");
	}
	CU_ASSERT_EQUAL(len, (size_t)_cairn_ipc_IpcType_MAX);
}

static void
test_routes_fit_their_transports(void)
{
	size_t len;
	const struct ipc_route *t = ipc_route_table(&len);

	for (size_t i = 0; i < len; i++) {
		CU_ASSERT(t[i].senders != 0 && t[i].receivers != 0);
		CU_ASSERT(t[i].via != 0);
		CU_ASSERT(t[i].fields != NULL);
		CU_ASSERT(t[i].max_bytes <= FRAME_PAYLOAD_BYTES_MAX);
		CU_ASSERT(t[i].nfds <= CHAN_FDS_MAX);
		if (t[i].via & IPC_VIA_SOCKET)
			CU_ASSERT(FRAME_HDR_BYTES + t[i].max_bytes <= CHAN_SOCKET_FRAME_BYTES_MAX);
		/* Descriptors travel only on sockets. */
		if (t[i].nfds > 0)
			CU_ASSERT_EQUAL(t[i].via, IPC_VIA_SOCKET);
		/* Rings exist only between children. */
		if (t[i].via & IPC_VIA_RING)
			CU_ASSERT_EQUAL((t[i].senders | t[i].receivers) & PROC_BIT(PROC_SUPERVISOR), 0);
	}
}

static void
test_check_rejects_wrong_direction(void)
{
	const struct ipc_route *r;
	const char *why = NULL;
	struct frame_hdr h = {.type = cairn_ipc_IPC_CHILD_PROCESS_STOP};

	CU_ASSERT_EQUAL(ipc_route_check(&h, PROC_SUPERVISOR, PROC_NETD, IPC_VIA_SOCKET, &r, &why), 0);
	CU_ASSERT_PTR_NOT_NULL(r);
	/* A child may not tell another child to stop. */
	CU_ASSERT_NOT_EQUAL(ipc_route_check(&h, PROC_RAFTD, PROC_NETD, IPC_VIA_SOCKET, &r, &why), 0);
	CU_ASSERT_PTR_NULL(r);
	CU_ASSERT_PTR_NOT_NULL(why);
}

static CU_TestInfo route_tests[] = {
	{"every type has exactly one route", test_every_type_has_exactly_one_route},
	{"routes fit their transports", test_routes_fit_their_transports},
	{"check rejects the wrong direction", test_check_rejects_wrong_direction},
	CU_TEST_INFO_NULL,
};

static CU_SuiteInfo suites[] = {
	{"ipc_route", NULL, NULL, NULL, NULL, route_tests},
	CU_SUITE_INFO_NULL,
};

int
main(void)
{
	return runner_run(suites);
}
