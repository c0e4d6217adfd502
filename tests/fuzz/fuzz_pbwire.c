/*
 * Fuzz target: the hand-written protobuf reader (shared/pbwire.c) that
 * netd and stored use where nanopb would copy (watch creates, tokens,
 * leases, alarms). Every message is walked field by field, nested
 * length-delimited fields too (to a bounded depth); every read must stay
 * within the input and every refusal leave the reader where it was; and
 * pbw_next, over the same bytes, reads the same fields or refuses too.
 */
#include "shared/assert.h"
#include "shared/pbwire.h"
#include "tests/fuzz/fuzz.h"

#define WALK_DEPTH_MAX 8

/* pbw_next over the same message: the fields it reads are those the
 * piecewise walk reads, payloads inside the input; -1 when it refuses. */
static long
count_next(const uint8_t *p, size_t len)
{
	struct pbw_reader r = {.buf = p, .len = len};
	struct pbw_field f;
	long n = 0;
	int rc;

	while ((rc = pbw_next(&r, &f)) == 1) {
		CAIRN_ASSERT(f.type != PBW_LEN || (f.p >= p && f.p + f.n <= p + len));
		n++;
	}
	return rc == 0 ? n : -1;
}

static void
walk(const uint8_t *p, size_t len, int depth)
{
	struct pbw_reader r = {.buf = p, .len = len};
	long fields = 0, next = count_next(p, len);
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
			CAIRN_ASSERT(next == -1);
			return;
		}
		if (type == PBW_LEN) {
			at = r.off;
			if (pbw_get_bytes(&r, &sub, &n) != 0) {
				CAIRN_ASSERT(r.off == at);
				CAIRN_ASSERT(next == -1);
				return;
			}
			CAIRN_ASSERT(sub >= p && sub + n <= p + len);
			if (depth < WALK_DEPTH_MAX)
				walk(sub, n, depth + 1);
		} else if (pbw_skip(&r, type) != 0) {
			CAIRN_ASSERT(next == -1);
			return;
		}
		CAIRN_ASSERT(r.off <= r.len);
		fields++;
	}
	CAIRN_ASSERT(next == fields);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	walk(data, size, 0);
	return 0;
}
