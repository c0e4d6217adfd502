/*
 * Fuzz target: the IPC frames one process takes from another (what a
 * compromised netd can send raftd and stored): a header judged by the
 * route table, then the payload decoded with the route's message, as
 * chan_recv does. Input: 2 bytes of type, 1 of sender, 1 of receiver,
 * then the payload.
 */
#include <string.h>

#include <pb_decode.h>

#include "shared/ipc_route.h"
#include "tests/fuzz/fuzz.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct frame_hdr h;
	const struct ipc_route *r;
	const char *why;
	union ipc_msg m;
	pb_istream_t is;

	if (size < 4)
		return 0;
	memset(&h, 0, sizeof(h));
	h.type = (uint16_t)(data[0] | data[1] << 8);
	h.length = (uint32_t)(size - 4);
	if (ipc_route_check(&h, (enum cairn_proc)(data[2] % PROC_COUNT),
	    (enum cairn_proc)(data[3] % PROC_COUNT), IPC_VIA_SOCKET | IPC_VIA_RING, &r, &why) != 0)
		return 0;
	memset(&m, 0, sizeof(m));
	is = pb_istream_from_buffer(data + 4, size - 4);
	(void)pb_decode(&is, r->fields, &m);
	pb_release(r->fields, &m);
	return 0;
}
