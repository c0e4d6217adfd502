/*
 * stored: the members table seen from the node (see node_members.h).
 */
#include <stdlib.h>
#include <string.h>

#include "raftd/raft_types.h"
#include "shared/assert.h"
#include "shared/chan.h"
#include "shared/err.h"
#include "shared/log.h"
#include "shared/raft_peer.h"
#include "shared/xmalloc.h"
#include "stored/member_rec.h"
#include "stored/member_check.h"
#include "stored/members.h"
#include "stored/node_apply.h"
#include "stored/node_members.h"

/* MemberListResponse's members (and Remove's, Update's, Promote's);
 * MemberAddResponse's member and members. */
#define MEMBER_LIST_MEMBERS 2
#define MEMBER_ADD_MEMBER 2
#define MEMBER_ADD_MEMBERS 3

int
stored_members_bootstrap(struct stored_node *n)
{
	const struct child *c = n->child;
	struct spb rec;
	size_t have = 0;
	int rc;

	if (n->store.ci != 0 || c->members_len == 0)
		return 0;
	if ((rc = members_count(&n->store, &have)) != 0 || have > 0)
		return rc;
	spb_init(&rec);
	if ((rc = mvcc_batch_begin(&n->store)) != 0)
		goto fail;
	for (size_t i = 0; i < c->members_len && rc == 0; i++) {
		const cairn_ipc_BootstrapMember *m = &c->members[i];

		spb_reset(&rec);
		spb_varint(&rec, MEMBER_F_ID, m->id);
		spb_bytes(&rec, MEMBER_F_NAME, m->name, strlen(m->name), false);
		for (pb_size_t u = 0; u < m->peer_urls_count; u++)
			spb_bytes(&rec, MEMBER_F_PEER_URLS, m->peer_urls[u], strlen(m->peer_urls[u]),
			    true);
		rc = members_put(&n->store, n->store.batch, m->id, rec.buf, (uint32_t)rec.len);
	}
	/* Not synced: a crash before the next sync finds the store new
	 * again, and this runs again. */
	if (rc == 0)
		rc = mvcc_batch_commit(&n->store);
	else
		mvcc_batch_abort(&n->store);
	if (rc == 0)
		log_info("wrote the %zu bootstrap members", c->members_len);
fail:
	spb_free(&rec);
	return rc;
}

struct member_rec {
	uint64_t id;
	uint8_t *rec; /* owned */
	uint32_t len;
};

struct member_recs {
	struct member_rec m[STORED_MEMBER_LIST_MAX];
	size_t n;
};

static int
member_kept(void *arg, uint64_t id, const uint8_t *rec, uint32_t len)
{
	struct member_recs *all = arg;
	struct member_rec *m;

	if (all->n == STORED_MEMBER_LIST_MAX)
		return CAIRN_ETOOBIG;
	m = &all->m[all->n++];
	m->id = id;
	m->len = len;
	m->rec = xmalloc(len > 0 ? len : 1);
	memcpy(m->rec, rec, len);
	return 0;
}

static int
member_cmp(const void *a, const void *b)
{
	uint64_t x = ((const struct member_rec *)a)->id, y = ((const struct member_rec *)b)->id;

	return x < y ? -1 : x > y;
}

/* The members by ascending ID, as field 'field' of out. */
static int
members_write(struct stored_node *n, struct spb *out, uint32_t field)
{
	struct member_recs *all = xcalloc(1, sizeof(*all));
	int rc = members_list(&n->store, member_kept, all);

	if (rc == 0) {
		qsort(all->m, all->n, sizeof(all->m[0]), member_cmp);
		for (size_t i = 0; i < all->n; i++)
			spb_bytes(out, field, all->m[i].rec, all->m[i].len, true);
	}
	for (size_t i = 0; i < all->n; i++)
		free(all->m[i].rec);
	free(all);
	return rc;
}

int
stored_member_list(struct stored_node *n, struct spb *out)
{
	apply_header(&n->apply, out, 0, true);
	return members_write(n, out, MEMBER_LIST_MEMBERS);
}

struct removed_ids {
	struct spb *out;
	size_t n;
};

static int
removed_id(void *arg, uint64_t id, const uint8_t *rec, uint32_t len)
{
	struct removed_ids *r = arg;

	(void)rec, (void)len;
	if (r->n == MEMBERS_REMOVED_MAX)
		return CAIRN_ETOOBIG; /* enough: the walk stops */
	r->n++;
	spb_varint(r->out, MEMBERS_REMOVED_FIELD, id);
	return 0;
}

int
stored_members_removed(struct stored_node *n, struct spb *out)
{
	struct removed_ids r = {.out = out};
	int rc = members_list_removed(&n->store, removed_id, &r);

	return rc == CAIRN_ETOOBIG ? 0 : rc;
}

/* What raftd proposes for a change: the record a new member starts
 * with; the new peer URLs of an update; the ID alone otherwise. */
static void
member_change_context(const cairn_ipc_MemberChange *in, cairn_ipc_ConfProposal *p)
{
	struct spb rec;

	spb_init(&rec);
	spb_varint(&rec, MEMBER_F_ID, in->id);
	if (in->op != RAFT_CONF_REMOVE && in->op != RAFT_CONF_PROMOTE)
		for (pb_size_t i = 0; i < in->peer_urls_count; i++)
			spb_bytes(&rec, MEMBER_F_PEER_URLS, in->peer_urls[i],
			    strlen(in->peer_urls[i]), true);
	spb_varint(&rec, MEMBER_F_IS_LEARNER, in->op == RAFT_CONF_ADD_LEARNER);
	/* At most 8 URLs of 255 bytes: well within the field's bound. */
	CAIRN_ASSERT(rec.len <= sizeof(p->member.bytes));
	memcpy(p->member.bytes, rec.buf, rec.len);
	p->member.size = (pb_size_t)rec.len;
	p->op = in->op;
	p->id = in->id;
	spb_free(&rec);
}

int
stored_member_change(struct stored_node *n, uint64_t id, const cairn_ipc_MemberChange *in)
{
	struct req_bytes user = {.p = in->username.bytes, .n = in->username.size};
	struct req_bytes urls[MEMBER_REC_URLS_MAX];
	struct member_change c = {.op = (uint8_t)in->op, .id = in->id, .urls = urls,
	    .nurls = in->peer_urls_count, .strict = n->child->cfg.strict_reconfig_check};
	/* netd checked MemberAdd's URLs (etcd takes an update's as given). */
	bool adds = in->op == RAFT_CONF_ADD || in->op == RAFT_CONF_ADD_LEARNER;
	cairn_ipc_ConfProposal p = cairn_ipc_ConfProposal_init_zero;
	int code;

	if (in->op < RAFT_CONF_ADD || in->op > RAFT_CONF_PROMOTE || in->id == 0 ||
	    in->peer_urls_count > MEMBER_REC_URLS_MAX || (adds && in->peer_urls_count == 0)) {
		log_warnx("refusing a malformed membership change from netd");
		return CAIRN_EPROTO;
	}
	for (pb_size_t i = 0; i < in->peer_urls_count; i++)
		urls[i] = (struct req_bytes){(const uint8_t *)in->peer_urls[i],
		    (uint32_t)strlen(in->peer_urls[i])};
	spb_reset(&n->resp);
	/* etcd's checkMembershipOperationPermission, then its checks. */
	if ((code = auth_check_admin(&n->apply.auth, NULL, user)) == 0)
		code = member_check(&n->store, &c);
	if (code == 0) {
		member_change_context(in, &p);
		code = chan_send(&n->child->peers[PROC_RAFTD].ch, cairn_ipc_IPC_RAFTD_CONF_SEND, id, &p);
		if (code != 0)
			code = code == CAIRN_EAGAIN ? CAIRN_ETOOMANYREQ : CAIRN_ENOLEADER;
	}
	if (code != 0)
		stored_answer(n, id, code, "a membership check");
	return 0;
}

int
stored_member_changed(struct stored_node *n, uint8_t op, const uint8_t *member, uint32_t len,
    struct spb *out)
{
	bool add = op == RAFT_CONF_ADD || op == RAFT_CONF_ADD_LEARNER;

	/* MemberAddResponse: the new member (2) as proposed, then all (3);
	 * the others' responses: all (2). */
	apply_header(&n->apply, out, 0, true);
	if (add)
		spb_bytes(out, MEMBER_ADD_MEMBER, member, len, true);
	return members_write(n, out, add ? MEMBER_ADD_MEMBERS : MEMBER_LIST_MEMBERS);
}
