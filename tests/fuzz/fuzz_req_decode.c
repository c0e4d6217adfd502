/*
 * Fuzz target: stored's decoder of every etcd request
 * (shared/req_decode.c), which reads InternalRaftRequests a compromised
 * netd or a peer could shape. Whatever the bytes, it decodes or refuses,
 * within its arena, and a decoded request holds only bytes of the input.
 */
#include "shared/assert.h"
#include "shared/req.h"
#include "tests/fuzz/fuzz.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct req_arena a;
	struct req r;
	const char *why = NULL;

	req_arena_init(&a);
	if (req_decode(data, size, REQ_TXN_OPS_MAX, &a, &r, &why) != 0)
		CAIRN_ASSERT(why != NULL); /* a refusal always says why */
	req_arena_free(&a);
	return 0;
}
