/*
 * stored: the members tables (see members.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "raftd/raft_types.h"
#include "stored/members.h"
#include "shared/err.h"

#define MEMBER_KEY_BYTES 17

/* etcd's key: the ID in hex (types.ID.String()). */
static DBT
member_key(char *buf, uint64_t id)
{
	DBT k = {.data = buf};

	k.size = (uint32_t)snprintf(buf, MEMBER_KEY_BYTES, "%llx", (unsigned long long)id);
	return k;
}

int
members_apply(struct mvcc *s, DB_TXN *txn, uint8_t op, uint64_t id, const uint8_t *ctx,
    uint32_t len)
{
	char kb[MEMBER_KEY_BYTES];
	DBT k = member_key(kb, id), v = {.data = bdb_mut(ctx), .size = len};
	static const char removed[] = "removed";
	int rc;

	if (op != RAFT_CONF_REMOVE) {
		rc = s->db.members->put(s->db.members, txn, &k, &v, 0);
		return rc == 0 ? 0 : bdb_fail(rc, "members put");
	}
	rc = s->db.members->del(s->db.members, txn, &k, 0);
	if (rc != 0 && rc != DB_NOTFOUND)
		return bdb_fail(rc, "members del");
	v = (DBT){.data = bdb_mut(removed), .size = sizeof(removed) - 1};
	rc = s->db.members_removed->put(s->db.members_removed, txn, &k, &v, 0);
	return rc == 0 ? 0 : bdb_fail(rc, "members_removed put");
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

int
members_list(struct mvcc *s, members_fn *fn, void *arg)
{
	DBT k = {0}, v = {0};
	DBC *c;
	int rc = s->db.members->cursor(s->db.members, s->batch, &c, 0);

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
