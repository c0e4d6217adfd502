/*
 * Fuzz target: the hand-written protobuf reader (shared/pbwire.c) that
 * netd and stored use where nanopb would copy (watch creates, tokens,
 * leases, alarms). Every message is walked field by field, nested
 * length-delimited fields too (to a bounded depth); every read must stay
 * within the input and every refusal leave the reader where it was.
 */
#include "shared/assert.h"
#include "shared/pbwire.h"
#include "tests/fuzz/fuzz.h"

#define WALK_DEPTH_MAX 8

static void
walk(const uint8_t *p, size_t len, int depth)
{
	struct pbw_reader r = {.buf = p, .len = len};
	uint64_t v[4];

	(void)pbw_get_varints(p, len, v, 4);
	while (r.off < r.len) {
		size_t at = r.off;
		uint32_t field;
		enum pbw_type type;
		const uint8_t *sub;
		size_t n;

		if (pbw_get_tag(&r, &field, &type) != 0) {
			CAIRN_ASSERT(r.off == at);
			return;
		}
		if (type == PBW_LEN) {
			at = r.off;
			if (pbw_get_bytes(&r, &sub, &n) != 0) {
				CAIRN_ASSERT(r.off == at);
				return;
			}
			CAIRN_ASSERT(sub >= p && sub + n <= p + len);
			if (depth < WALK_DEPTH_MAX)
				walk(sub, n, depth + 1);
		} else if (pbw_skip(&r, type) != 0) {
			return;
		}
		CAIRN_ASSERT(r.off <= r.len);
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	walk(data, size, 0);
	return 0;
}
