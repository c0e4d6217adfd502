/*
 * cairnctl: field lookups over borrowed protobuf bytes (pbview.h), on
 * the wire reader of shared/pbwire.h. Malformed bytes read as absent
 * fields: a printer shows zeros rather than crash.
 */
#include "ctl/pbview.h"
#include "shared/pbwire.h"

struct pbv
pbv_of(const uint8_t *p, size_t n)
{
	return (struct pbv){ p, n, true };
}

uint64_t
pbv_varint(struct pbv m, uint32_t field)
{
	struct pbw_reader r = { m.p, m.n, 0 };
	struct pbw_field f;
	uint64_t v = 0;

	while (pbw_next(&r, &f) == 1)
		if (f.number == field && f.type == PBW_VARINT)
			v = f.v;
	return v;
}

struct pbv
pbv_bytes(struct pbv m, uint32_t field)
{
	struct pbw_reader r = { m.p, m.n, 0 };
	struct pbw_field f;
	struct pbv out = { NULL, 0, false };

	while (pbw_next(&r, &f) == 1)
		if (f.number == field && f.type == PBW_LEN)
			out = (struct pbv){ f.p, f.n, true };
	return out;
}

bool
pbv_next(struct pbv m, uint32_t field, size_t *off, struct pbv *out)
{
	struct pbw_reader r = { m.p, m.n, *off };
	struct pbw_field f;

	while (pbw_next(&r, &f) == 1) {
		if (f.number == field && f.type == PBW_LEN) {
			*off = r.off;
			*out = (struct pbv){ f.p, f.n, true };
			return true;
		}
	}
	*off = m.n;
	return false;
}

size_t
pbv_count(struct pbv m, uint32_t field)
{
	struct pbw_reader r = { m.p, m.n, 0 };
	struct pbw_field f;
	size_t n = 0;

	while (pbw_next(&r, &f) == 1)
		if (f.number == field)
			n++;
	return n;
}

bool
pbv_valid(struct pbv m)
{
	struct pbw_reader r = { m.p, m.n, 0 };
	struct pbw_field f;
	int rc;

	while ((rc = pbw_next(&r, &f)) == 1)
		;
	return rc == 0;
}
