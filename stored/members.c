/*
 * stored: the members tables (see members.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "raftd/raft_types.h"
#include "stored/member_rec.h"
#include "stored/members.h"
#include "shared/err.h"

#define MEMBER_KEY_BYTES 17

_Static_assert(RAFT_MEMBERS_MAX == 16, "CAIRN_ETOOMANYMEMBERS's text says 16");

/* etcd's key: the ID in hex (types.ID.String()). */
static DBT
member_key(char *buf, uint64_t id)
{
	DBT k = {.data = buf};

	k.size = (uint32_t)snprintf(buf, MEMBER_KEY_BYTES, "%llx", (unsigned long long)id);
	return k;
}

int
members_put(struct mvcc *s, DB_TXN *txn, uint64_t id, const uint8_t *rec, uint32_t len)
{
	char kb[MEMBER_KEY_BYTES];
	DBT k = member_key(kb, id), v = {.data = bdb_mut(rec), .size = len};
	int rc = s->db.members->put(s->db.members, txn, &k, &v, 0);

	return rc == 0 ? 0 : bdb_fail(rc, "members put");
}

static int
members_remove(struct mvcc *s, DB_TXN *txn, uint64_t id)
{
	char kb[MEMBER_KEY_BYTES];
	DBT k = member_key(kb, id), v;
	static const char removed[] = "removed";
	int rc = s->db.members->del(s->db.members, txn, &k, 0);

	if (rc != 0 && rc != DB_NOTFOUND)
		return bdb_fail(rc, "members del");
	v = (DBT){.data = bdb_mut(removed), .size = sizeof(removed) - 1};
	rc = s->db.members_removed->put(s->db.members_removed, txn, &k, &v, 0);
	return rc == 0 ? 0 : bdb_fail(rc, "members_removed put");
}

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
members_count(struct mvcc *s, size_t *n)
{
	*n = 0;
	return members_list(s, member_counted, n);
}

/* UPDATE: the record's peer URLs become the context's; PROMOTE: the
 * learner flag goes. Everything else of the record stays. */
static int
members_merge(struct mvcc *s, DB_TXN *txn, uint8_t op, uint64_t id, const uint8_t *rec,
    uint32_t len, const uint8_t *ctx, uint32_t clen)
{
	const uint32_t drop = op == RAFT_CONF_UPDATE ? MEMBER_F_PEER_URLS : MEMBER_F_IS_LEARNER;
	struct spb out;
	struct member_view v;
	int rc;

	spb_init(&out);
	if ((rc = member_rec_without(rec, len, &drop, 1, &out)) == 0 && op == RAFT_CONF_UPDATE &&
	    (rc = member_rec_view(ctx, clen, &v)) == 0) {
		for (uint32_t i = 0; i < v.nurls; i++)
			spb_bytes(&out, MEMBER_F_PEER_URLS, v.urls[i].p, v.urls[i].n, true);
	}
	if (rc == 0)
		rc = members_put(s, txn, id, out.buf, (uint32_t)out.len);
	spb_free(&out);
	return rc;
}

int
members_apply(struct mvcc *s, DB_TXN *txn, uint8_t op, uint64_t id, const uint8_t *ctx,
    uint32_t len)
{
	const uint8_t *rec;
	uint32_t rlen;
	bool removed, found;
	struct member_view v;
	size_t n;
	int rc = members_get(s, id, &rec, &rlen, &removed);

	if (rc != 0 && rc != CAIRN_ENOENT)
		return rc;
	found = rc == 0 && !removed;
	switch (op) {
	case RAFT_CONF_ADD:
	case RAFT_CONF_ADD_LEARNER:
		if (found)
			return CAIRN_EMEMBEREXIST;
		if ((rc = members_count(s, &n)) != 0)
			return rc;
		return n >= RAFT_MEMBERS_MAX ? CAIRN_ETOOMANYMEMBERS : members_put(s, txn, id, ctx, len);
	case RAFT_CONF_REMOVE:
		return found ? members_remove(s, txn, id) : CAIRN_EMEMBERNOTFOUND;
	case RAFT_CONF_PROMOTE:
		if (!found)
			return CAIRN_EMEMBERNOTFOUND;
		if ((rc = member_rec_view(rec, rlen, &v)) != 0)
			return rc;
		if (!v.learner)
			return CAIRN_ENOTLEARNER;
		return members_merge(s, txn, op, id, rec, rlen, ctx, len);
	case RAFT_CONF_UPDATE:
		return found ? members_merge(s, txn, op, id, rec, rlen, ctx, len) :
		    CAIRN_EMEMBERNOTFOUND;
	}
	return CAIRN_EINVAL;
}

int
members_get(struct mvcc *s, uint64_t id, const uint8_t **out, uint32_t *len, bool *removed)
{
	char kb[MEMBER_KEY_BYTES];
	DBT k = member_key(kb, id);
	int rc = s->db.members->get(s->db.members, s->batch, &k, &s->val, 0);

	*removed = false;
	if (rc == DB_NOTFOUND) {
		rc = s->db.members_removed->get(s->db.members_removed, s->batch, &k, &s->val, 0);
		*removed = rc == 0;
	}
	if (rc == DB_NOTFOUND)
		return CAIRN_ENOENT;
	if (rc != 0)
		return bdb_fail(rc, "members get");
	*out = s->val.data;
	*len = s->val.size;
	return 0;
}

static int
members_walk(struct mvcc *s, DB *db, members_fn *fn, void *arg)
{
	DBT k = {0}, v = {0};
	DBC *c;
	int rc = db->cursor(db, s->batch, &c, 0);

	if (rc != 0)
		return bdb_fail(rc, "members cursor");
	while ((rc = c->get(c, &k, &v, DB_NEXT)) == 0) {
		char kb[MEMBER_KEY_BYTES];
		char *end;
		uint64_t id;

		if (k.size == 0 || k.size >= sizeof(kb)) {
			rc = CAIRN_ECORRUPT;
			break;
		}
		memcpy(kb, k.data, k.size);
		kb[k.size] = '\0';
		id = strtoull(kb, &end, 16);
		if (*end != '\0') {
			rc = CAIRN_ECORRUPT;
			break;
		}
		if ((rc = fn(arg, id, v.data, v.size)) != 0)
			break;
	}
	(void)c->close(c);
	if (rc == DB_NOTFOUND)
		return 0;
	return rc > 0 ? rc : bdb_fail(rc, "members walk");
}

int
members_list(struct mvcc *s, members_fn *fn, void *arg)
{
	return members_walk(s, s->db.members, fn, arg);
}

int
members_list_removed(struct mvcc *s, members_fn *fn, void *arg)
{
	return members_walk(s, s->db.members_removed, fn, arg);
}
