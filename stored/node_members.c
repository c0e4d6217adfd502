/*
 * stored: the members table seen from the node (see node_members.h).
 */
#include <stdlib.h>
#include <string.h>

#include "raftd/raft_types.h"
#include "shared/err.h"
#include "shared/log.h"
#include "shared/xmalloc.h"
#include "stored/members.h"
#include "stored/node_members.h"

/* etcdserverpb.Member's fields, and MemberListResponse's members. */
#define MEMBER_ID 1
#define MEMBER_NAME 2
#define MEMBER_PEER_URLS 3
#define MEMBER_LIST_MEMBERS 2

static int
member_counted(void *arg, uint64_t id, const uint8_t *rec, uint32_t len)
{
	(void)id;
	(void)rec;
	(void)len;
	(*(size_t *)arg)++;
	return 0;
}

int
stored_members_bootstrap(struct stored_node *n)
{
	const struct child *c = n->child;
	struct pbout rec;
	size_t have = 0;
	int rc;

	if (n->store.ci != 0 || c->members_len == 0)
		return 0;
	if ((rc = members_list(&n->store, member_counted, &have)) != 0 || have > 0)
		return rc;
	pbout_init(&rec);
	if ((rc = mvcc_batch_begin(&n->store)) != 0)
		goto fail;
	for (size_t i = 0; i < c->members_len && rc == 0; i++) {
		const cairn_ipc_BootstrapMember *m = &c->members[i];

		pbout_reset(&rec);
		pbout_varint(&rec, MEMBER_ID, m->id);
		pbout_bytes(&rec, MEMBER_NAME, m->name, strlen(m->name), false);
		for (pb_size_t u = 0; u < m->peer_urls_count; u++)
			pbout_bytes(&rec, MEMBER_PEER_URLS, m->peer_urls[u], strlen(m->peer_urls[u]),
			    true);
		rc = members_apply(&n->store, n->store.batch, RAFT_CONF_ADD, m->id, rec.buf,
		    (uint32_t)rec.len);
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
	pbout_free(&rec);
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

int
stored_member_list(struct stored_node *n, struct pbout *out)
{
	struct member_recs *all = xcalloc(1, sizeof(*all));
	int rc = members_list(&n->store, member_kept, all);

	if (rc == 0) {
		qsort(all->m, all->n, sizeof(all->m[0]), member_cmp);
		apply_header(&n->apply, out, 0, true);
		for (size_t i = 0; i < all->n; i++)
			pbout_bytes(out, MEMBER_LIST_MEMBERS, all->m[i].rec, all->m[i].len, true);
	}
	for (size_t i = 0; i < all->n; i++)
		free(all->m[i].rec);
	free(all);
	return rc;
}
