/*
 * stored: members-table records (see member_rec.h).
 */
#include <string.h>

#include "shared/err.h"
#include "shared/pbwire.h"
#include "stored/member_rec.h"

int
member_rec_view(const uint8_t *rec, uint32_t len, struct member_view *v)
{
	struct pbw_reader rd = {.buf = rec, .len = len};
	struct pbw_field f;
	int rc;

	memset(v, 0, sizeof(*v));
	while ((rc = pbw_next(&rd, &f)) == 1) {
		if (f.number == MEMBER_F_IS_LEARNER && f.type == PBW_VARINT)
			v->learner = f.v != 0;
		else if (f.number == MEMBER_F_NAME && f.type == PBW_LEN)
			v->started = f.n > 0;
		else if (f.number == MEMBER_F_PEER_URLS && f.type == PBW_LEN &&
		    v->nurls < MEMBER_REC_URLS_MAX)
			v->urls[v->nurls++] = (struct req_bytes){f.p, (uint32_t)f.n};
	}
	return rc == 0 ? 0 : CAIRN_ECORRUPT;
}

int
member_rec_without(const uint8_t *rec, uint32_t len, const uint32_t *drop, size_t ndrop,
    struct spb *out)
{
	struct pbw_reader rd = {.buf = rec, .len = len};
	struct pbw_field f;
	size_t at = 0;
	int rc;

	while ((rc = pbw_next(&rd, &f)) == 1) {
		bool keep = true;

		for (size_t i = 0; i < ndrop; i++)
			keep = keep && f.number != drop[i];
		if (keep) {
			memcpy(spb_room(out, rd.off - at), rec + at, rd.off - at);
			out->len += rd.off - at;
		}
		at = rd.off;
	}
	return rc == 0 ? 0 : CAIRN_ECORRUPT;
}
