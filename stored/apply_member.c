/*
 * stored: a member's published attributes (REQ_MEMBER_ATTR): its name
 * and client URLs replace those in its record of the members table, as
 * etcd's applier updates a member's Attributes; its ID, peer URLs and
 * learner flag (what membership entries set) are kept. A member that is
 * not there (removed meanwhile) is left alone, as etcd ignores it.
 */
#include <string.h>

#include "shared/err.h"
#include "shared/pbwire.h"
#include "stored/apply_impl.h"
#include "stored/members.h"
#include "stored/pbout.h"
#include "raftd/raft_types.h"

/* etcdserverpb.Member's fields. */
#define MEMBER_NAME 2
#define MEMBER_CLIENT_URLS 4

int
apply_member_attr(struct apply *a, struct mvcc_wtxn *w, const struct req *r)
{
	const struct req_member_attr *m = &r->u.member;
	const uint8_t *rec;
	struct pbw_reader rd;
	struct pbw_field f;
	struct pbout out;
	uint32_t len;
	bool removed;
	int rc = members_get(a->s, m->id, &rec, &len, &removed);

	if (rc == CAIRN_ENOENT || (rc == 0 && removed))
		return 0;
	if (rc != 0)
		return rc;
	pbout_init(&out);
	/* The record's other fields as they are (rec is borrowed from the
	 * store until its next read: copied before writing). */
	rd = (struct pbw_reader){.buf = rec, .len = len};
	for (size_t at = 0; (rc = pbw_next(&rd, &f)) == 1; at = rd.off) {
		if (f.number != MEMBER_NAME && f.number != MEMBER_CLIENT_URLS) {
			memcpy(pbout_room(&out, rd.off - at), rec + at, rd.off - at);
			out.len += rd.off - at;
		}
	}
	if (rc != 0) {
		rc = CAIRN_ECORRUPT;
		goto fail;
	}
	pbout_bytes(&out, MEMBER_NAME, m->name.p, m->name.n, false);
	for (uint32_t i = 0; i < m->nurls; i++)
		pbout_bytes(&out, MEMBER_CLIENT_URLS, m->urls[i].p, m->urls[i].n, true);
	rc = members_apply(a->s, w->txn, RAFT_CONF_UPDATE, m->id, out.buf, (uint32_t)out.len);
fail:
	pbout_free(&out);
	return rc;
}
