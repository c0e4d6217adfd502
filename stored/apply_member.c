/*
 * stored: a member's published attributes (REQ_MEMBER_ATTR): its name
 * and client URLs replace those in its record of the members table, as
 * etcd's applier updates a member's Attributes; its ID, peer URLs and
 * learner flag (what membership entries set) are kept. A member that is
 * not there (removed meanwhile) is left alone, as etcd ignores it.
 */
#include <string.h>

#include "shared/err.h"
#include "stored/apply_impl.h"
#include "stored/member_rec.h"
#include "stored/members.h"
#include "stored/spb.h"

int
apply_member_attr(struct apply *a, struct mvcc_wtxn *w, const struct req *r)
{
	static const uint32_t drop[] = {MEMBER_F_NAME, MEMBER_F_CLIENT_URLS};
	const struct req_member_attr *m = &r->u.member;
	const uint8_t *rec;
	struct spb out;
	uint32_t len;
	bool removed;
	int rc = members_get(a->s, m->id, &rec, &len, &removed);

	if (rc == CAIRN_ENOENT || (rc == 0 && removed))
		return 0;
	if (rc != 0)
		return rc;
	spb_init(&out);
	/* The record's other fields as they are (rec is borrowed from the
	 * store until its next read: copied before writing). */
	if ((rc = member_rec_without(rec, len, drop, 2, &out)) == 0) {
		spb_bytes(&out, MEMBER_F_NAME, m->name.p, m->name.n, false);
		for (uint32_t i = 0; i < m->nurls; i++)
			spb_bytes(&out, MEMBER_F_CLIENT_URLS, m->urls[i].p, m->urls[i].n, true);
		rc = members_put(a->s, w->txn, m->id, out.buf, (uint32_t)out.len);
	}
	spb_free(&out);
	return rc;
}
