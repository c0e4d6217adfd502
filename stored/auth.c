/*
 * stored: etcd's auth store (see auth.h): its records, its changes and
 * its checks.
 */
#include <stdlib.h>
#include <string.h>

#include "shared/assert.h"
#include "shared/be.h"
#include "shared/err.h"
#include "shared/log.h"
#include "shared/pbwire.h"
#include "shared/xmalloc.h"
#include "stored/auth.h"
#include "stored/keyrange.h"

#define AUTH_ROOT "root"

/* authpb.User, authpb.UserAddOptions, authpb.Role, authpb.Permission. */
enum { USER_F_NAME = 1, USER_F_PASSWORD = 2, USER_F_ROLES = 3, USER_F_OPTIONS = 4 };
enum { OPTIONS_F_NO_PASSWORD = 1 };
enum { ROLE_F_NAME = 1, ROLE_F_PERMS = 2 };
enum { PERM_F_TYPE = 1, PERM_F_KEY = 2, PERM_F_END = 3 };

struct user_rec {
	struct req_bytes name, password;
	size_t nroles;               /* in a->roles, sorted as etcd keeps them */
	bool options;                /* the record has UserAddOptions */
	bool no_password;
};

struct role_rec {
	struct req_bytes name;
	size_t nperms;               /* in a->perms, in etcd's order */
};

static const struct req_bytes root_name = {.p = (const uint8_t *)AUTH_ROOT, .n = 4};

/* Go's string order (sort.Strings) is the keys' bytewise order. */
static int
bytes_cmp(struct req_bytes x, struct req_bytes y)
{
	return keyrange_cmp(x.p, x.n, y.p, y.n);
}

static DBT
bytes_dbt(struct req_bytes b)
{
	return (DBT){.data = bdb_mut(b.p), .size = b.n};
}

/* Reads the record under 'key' into v. 0, CAIRN_ENOENT, CAIRN_EIO. */
static int
rec_get(DB *db, DB_TXN *txn, struct req_bytes key, DBT *v)
{
	DBT k = bytes_dbt(key);
	int rc = db->get(db, txn, &k, v, 0);

	if (rc == DB_NOTFOUND)
		return CAIRN_ENOENT;
	return rc == 0 ? 0 : bdb_fail(rc, "auth get");
}

static int
rec_put(DB *db, DB_TXN *txn, struct req_bytes key, const void *p, size_t n)
{
	DBT k = bytes_dbt(key), v = {.data = bdb_mut(p), .size = (uint32_t)n};
	int rc = db->put(db, txn, &k, &v, 0);

	return rc == 0 ? 0 : bdb_fail(rc, "auth put");
}

static int
rec_del(DB *db, DB_TXN *txn, struct req_bytes key)
{
	DBT k = bytes_dbt(key);
	int rc = db->del(db, txn, &k, 0);

	return rc == 0 ? 0 : bdb_fail(rc, "auth del");
}

static struct req_bytes
cstr_bytes(const char *s)
{
	return (struct req_bytes){.p = (const uint8_t *)s, .n = (uint32_t)strlen(s)};
}

static void
cache_drop(struct auth *a)
{
	for (unsigned i = 0; i < AUTH_PERMS_CACHED; i++)
		a->cache[i].valid = false;
}

/* etcd's commitRevision: the auth revision moves on with every change
 * that can alter what a token may do. */
static int
revision_commit(struct auth *a, DB_TXN *txn)
{
	uint8_t b[8];
	int rc;

	be_put64(b, a->revision + 1);
	if ((rc = rec_put(a->s->db.auth, txn, cstr_bytes(AUTH_KEY_REVISION), b, 8)) != 0)
		return rc;
	a->revision++; /* the permissions cached are stale from now on */
	return 0;
}

/* ---- Records. */

/* Room for n elements of 'size' bytes in *p (capacity *cap). */
static void
room(void *p, size_t *cap, size_t n, size_t size)
{
	void **v = p;

	if (n > *cap) {
		*cap = n > 2 * *cap ? n : 2 * *cap;
		*v = xrealloc(*v, *cap * size);
	}
}

static struct req_bytes *
roles_room(struct auth *a, size_t n)
{
	room(&a->roles, &a->roles_cap, n, sizeof(*a->roles));
	return a->roles;
}

static struct auth_role_perm *
perms_room(struct auth *a, size_t n)
{
	room(&a->perms, &a->perms_cap, n, sizeof(*a->perms));
	return a->perms;
}

static int
get_bytes(struct pbw_reader *r, enum pbw_type t, struct req_bytes *b)
{
	const uint8_t *p;
	size_t n;

	if (t != PBW_LEN || pbw_get_bytes(r, &p, &n) != 0 || n > UINT32_MAX)
		return CAIRN_ECORRUPT;
	*b = (struct req_bytes){.p = p, .n = (uint32_t)n};
	return 0;
}

/* Decodes an authpb.User; its roles go to a->roles. */
static int
user_decode(struct auth *a, const uint8_t *p, size_t n, struct user_rec *u)
{
	struct pbw_reader r = {.buf = p, .len = n};
	struct req_bytes b;
	uint32_t f;
	enum pbw_type t;
	uint64_t v;

	memset(u, 0, sizeof(*u));
	while (r.off < r.len) {
		if (pbw_get_tag(&r, &f, &t) != 0)
			return CAIRN_ECORRUPT;
		if (f == USER_F_NAME || f == USER_F_PASSWORD || f == USER_F_ROLES ||
		    f == USER_F_OPTIONS) {
			if (get_bytes(&r, t, &b) != 0)
				return CAIRN_ECORRUPT;
		} else if (pbw_skip(&r, t) != 0)
			return CAIRN_ECORRUPT;
		if (f == USER_F_NAME)
			u->name = b;
		else if (f == USER_F_PASSWORD)
			u->password = b;
		else if (f == USER_F_ROLES) {
			roles_room(a, u->nroles + 1)[u->nroles] = b;
			u->nroles++;
		}
		else if (f == USER_F_OPTIONS) {
			struct pbw_reader o = {.buf = b.p, .len = b.n};

			u->options = true;
			while (o.off < o.len) {
				if (pbw_get_tag(&o, &f, &t) != 0)
					return CAIRN_ECORRUPT;
				if (f != OPTIONS_F_NO_PASSWORD || t != PBW_VARINT) {
					if (pbw_skip(&o, t) != 0)
						return CAIRN_ECORRUPT;
				} else if (pbw_get_varint(&o, &v) != 0)
					return CAIRN_ECORRUPT;
				else
					u->no_password = v != 0;
			}
		}
	}
	return 0;
}

/* 0, CAIRN_EUSERNOTFOUND, CAIRN_ECORRUPT, CAIRN_EIO. */
static int
user_read(struct auth *a, DB_TXN *txn, struct req_bytes name, struct user_rec *u)
{
	int rc = rec_get(a->s->db.auth_users, txn, name, &a->user);

	if (rc != 0)
		return rc == CAIRN_ENOENT ? CAIRN_EUSERNOTFOUND : rc;
	if (user_decode(a, a->user.data, a->user.size, u) != 0) {
		log_warnx("auth: user record of %.*s is corrupt", (int)name.n, name.p);
		return CAIRN_ECORRUPT;
	}
	return 0;
}

/* Encodes u (its roles in a->roles) into a->rec as etcd's gogo Marshal
 * does. */
static void
user_encode(struct auth *a, const struct user_rec *u)
{
	static const uint8_t no_password[] = {OPTIONS_F_NO_PASSWORD << 3 | PBW_VARINT, 1};

	spb_reset(&a->rec);
	spb_bytes(&a->rec, USER_F_NAME, u->name.p, u->name.n, false);
	spb_bytes(&a->rec, USER_F_PASSWORD, u->password.p, u->password.n, false);
	for (size_t i = 0; i < u->nroles; i++)
		spb_bytes(&a->rec, USER_F_ROLES, a->roles[i].p, a->roles[i].n, true);
	if (u->options)
		spb_bytes(&a->rec, USER_F_OPTIONS, no_password,
		    u->no_password ? sizeof(no_password) : 0, true);
}

/* Writes u, a change: the auth revision moves on. */
static int
user_save(struct auth *a, DB_TXN *txn, const struct user_rec *u)
{
	int rc;

	user_encode(a, u);
	if ((rc = rec_put(a->s->db.auth_users, txn, u->name, a->rec.buf, a->rec.len)) != 0)
		return rc;
	return revision_commit(a, txn);
}

/* Decodes an authpb.Role; its permissions go to a->perms. */
static int
role_decode(struct auth *a, const uint8_t *p, size_t n, struct role_rec *ro)
{
	struct pbw_reader r = {.buf = p, .len = n};
	struct req_bytes b;
	uint32_t f;
	enum pbw_type t;
	uint64_t v;

	memset(ro, 0, sizeof(*ro));
	while (r.off < r.len) {
		if (pbw_get_tag(&r, &f, &t) != 0)
			return CAIRN_ECORRUPT;
		if (f != ROLE_F_NAME && f != ROLE_F_PERMS) {
			if (pbw_skip(&r, t) != 0)
				return CAIRN_ECORRUPT;
			continue;
		}
		if (get_bytes(&r, t, &b) != 0)
			return CAIRN_ECORRUPT;
		if (f == ROLE_F_NAME) {
			ro->name = b;
			continue;
		}
		struct auth_role_perm *pm = &perms_room(a, ro->nperms + 1)[ro->nperms];
		struct pbw_reader q = {.buf = b.p, .len = b.n};

		ro->nperms++;
		memset(pm, 0, sizeof(*pm));
		while (q.off < q.len) {
			if (pbw_get_tag(&q, &f, &t) != 0)
				return CAIRN_ECORRUPT;
			if (f == PERM_F_TYPE && t == PBW_VARINT) {
				if (pbw_get_varint(&q, &v) != 0)
					return CAIRN_ECORRUPT;
				pm->type = (uint32_t)v;
			} else if (f == PERM_F_KEY || f == PERM_F_END) {
				if (get_bytes(&q, t, f == PERM_F_KEY ? &pm->key : &pm->end) != 0)
					return CAIRN_ECORRUPT;
			} else if (pbw_skip(&q, t) != 0)
				return CAIRN_ECORRUPT;
		}
	}
	return 0;
}

/* 0, CAIRN_EROLENOTFOUND, CAIRN_ECORRUPT, CAIRN_EIO. */
static int
role_read(struct auth *a, DB_TXN *txn, struct req_bytes name, struct role_rec *ro)
{
	int rc = rec_get(a->s->db.auth_roles, txn, name, &a->role);

	if (rc != 0)
		return rc == CAIRN_ENOENT ? CAIRN_EROLENOTFOUND : rc;
	if (role_decode(a, a->role.data, a->role.size, ro) != 0) {
		log_warnx("auth: role record of %.*s is corrupt", (int)name.n, name.p);
		return CAIRN_ECORRUPT;
	}
	return 0;
}

/* authpb.Permission into o (reset first). */
static void
perm_encode(struct spb *o, const struct auth_role_perm *pm)
{
	spb_reset(o);
	spb_varint(o, PERM_F_TYPE, pm->type);
	spb_bytes(o, PERM_F_KEY, pm->key.p, pm->key.n, false);
	spb_bytes(o, PERM_F_END, pm->end.p, pm->end.n, false);
}

/* Writes ro (its permissions in a->perms), a change: the auth revision
 * moves on. */
static int
role_save(struct auth *a, DB_TXN *txn, const struct role_rec *ro)
{
	int rc;

	spb_reset(&a->rec);
	spb_bytes(&a->rec, ROLE_F_NAME, ro->name.p, ro->name.n, false);
	for (size_t i = 0; i < ro->nperms; i++) {
		perm_encode(&a->perm, &a->perms[i]);
		spb_bytes(&a->rec, ROLE_F_PERMS, a->perm.buf, a->perm.len, true);
	}
	if ((rc = rec_put(a->s->db.auth_roles, txn, ro->name, a->rec.buf, a->rec.len)) != 0)
		return rc;
	return revision_commit(a, txn);
}

static bool
user_has_role(const struct auth *a, const struct user_rec *u, struct req_bytes role)
{
	for (size_t i = 0; i < u->nroles; i++)
		if (req_bytes_eq(a->roles[i], role))
			return true;
	return false;
}

/* Drops 'role' from u's roles; whether it was there. */
static bool
user_drop_role(struct auth *a, struct user_rec *u, struct req_bytes role)
{
	size_t kept = 0;

	for (size_t i = 0; i < u->nroles; i++)
		if (!req_bytes_eq(a->roles[i], role))
			a->roles[kept++] = a->roles[i];
	if (kept == u->nroles)
		return false;
	u->nroles = kept;
	return true;
}

/* ---- Opening. */

int
auth_reload(struct auth *a)
{
	int rc = rec_get(a->s->db.auth, NULL, cstr_bytes(AUTH_KEY_ENABLED), &a->user);

	cache_drop(a);
	if (rc != 0 && rc != CAIRN_ENOENT)
		return rc;
	a->enabled = rc == 0 && a->user.size == 1 && ((uint8_t *)a->user.data)[0] == 1;
	rc = rec_get(a->s->db.auth, NULL, cstr_bytes(AUTH_KEY_REVISION), &a->user);
	if (rc != 0 && rc != CAIRN_ENOENT)
		return rc;
	/* etcd writes revision 1 when it creates the store; cairn writes it
	 * with the first change, and reads its absence as 1. */
	a->revision = 1;
	if (rc == 0 && a->user.size != 8)
		return CAIRN_ECORRUPT;
	if (rc == 0)
		a->revision = be_get64(a->user.data);
	return 0;
}

int
auth_open(struct auth *a, struct mvcc *s)
{
	memset(a, 0, sizeof(*a));
	a->s = s;
	spb_init(&a->rec);
	spb_init(&a->perm);
	a->user.flags = DB_DBT_REALLOC;
	a->role.flags = DB_DBT_REALLOC;
	a->curkey.flags = DB_DBT_REALLOC;
	for (unsigned i = 0; i < AUTH_PERMS_CACHED; i++)
		auth_perms_init(&a->cache[i].perms);
	return auth_reload(a);
}

void
auth_close(struct auth *a)
{
	for (unsigned i = 0; i < AUTH_PERMS_CACHED; i++) {
		auth_perms_free(&a->cache[i].perms);
		free(a->cache[i].name);
	}
	spb_free(&a->rec);
	spb_free(&a->perm);
	free(a->user.data);
	free(a->role.data);
	free(a->curkey.data);
	free(a->roles);
	free(a->perms);
	memset(a, 0, sizeof(*a));
}

/* ---- Changes. */

static int
enabled_put(struct auth *a, DB_TXN *txn, bool on)
{
	const uint8_t v = on ? 1 : 0;
	int rc = rec_put(a->s->db.auth, txn, cstr_bytes(AUTH_KEY_ENABLED), &v, 1);

	if (rc == 0)
		a->enabled = on;
	return rc;
}

int
auth_enable(struct auth *a, DB_TXN *txn)
{
	struct user_rec u;
	int rc;

	if (a->enabled)
		return 0; /* etcd: "authentication is already enabled", ignored */
	rc = user_read(a, txn, root_name, &u);
	if (rc == CAIRN_EUSERNOTFOUND)
		return CAIRN_EROOTUSERNOTEXIST;
	if (rc != 0)
		return rc;
	if (!user_has_role(a, &u, root_name))
		return CAIRN_EROOTROLENOTEXIST;
	/* etcd 3.4 does not move the auth revision here. */
	return enabled_put(a, txn, true);
}

int
auth_disable(struct auth *a, DB_TXN *txn)
{
	int rc;

	if (!a->enabled)
		return 0;
	if ((rc = enabled_put(a, txn, false)) != 0)
		return rc;
	return revision_commit(a, txn);
}

int
auth_user_add(struct auth *a, DB_TXN *txn, struct req_bytes name, struct req_bytes hash,
    bool no_password)
{
	struct user_rec u;
	int rc;

	if (name.n == 0)
		return CAIRN_EUSEREMPTY;
	rc = user_read(a, txn, name, &u);
	if (rc == 0)
		return CAIRN_EUSEREXIST;
	if (rc != CAIRN_EUSERNOTFOUND)
		return rc;
	/* etcd always writes the options it was given, or defaults. */
	u = (struct user_rec){.name = name, .password = no_password ? (struct req_bytes){0} :
	    hash, .options = true, .no_password = no_password};
	return user_save(a, txn, &u);
}

int
auth_user_delete(struct auth *a, DB_TXN *txn, struct req_bytes name)
{
	struct user_rec u;
	int rc;

	if (a->enabled && req_bytes_eq(name, root_name))
		return CAIRN_EAUTHMGMT;
	rc = user_read(a, txn, name, &u);
	if (rc != 0 || (rc = rec_del(a->s->db.auth_users, txn, name)) != 0)
		return rc;
	return revision_commit(a, txn);
}

int
auth_user_passwd(struct auth *a, DB_TXN *txn, struct req_bytes name, struct req_bytes hash)
{
	struct user_rec u;
	int rc = user_read(a, txn, name, &u);

	if (rc != 0)
		return rc;
	u.name = name;
	u.password = hash;
	return user_save(a, txn, &u);
}

int
auth_user_grant(struct auth *a, DB_TXN *txn, struct req_bytes user, struct req_bytes role)
{
	struct user_rec u;
	struct role_rec ro;
	size_t at;
	int rc = user_read(a, txn, user, &u);

	if (rc != 0)
		return rc;
	/* etcd lets the root role be granted before it exists. */
	if (!req_bytes_eq(role, root_name)) {
		rc = role_read(a, txn, role, &ro);
		if (rc != 0)
			return rc;
	}
	for (at = 0; at < u.nroles && bytes_cmp(a->roles[at], role) < 0; at++)
		;
	if (at < u.nroles && req_bytes_eq(a->roles[at], role))
		return 0; /* etcd: already granted, ignored */
	roles_room(a, u.nroles + 1);
	memmove(&a->roles[at + 1], &a->roles[at], (u.nroles - at) * sizeof(*a->roles));
	a->roles[at] = role;
	u.nroles++;
	return user_save(a, txn, &u);
}

int
auth_user_revoke(struct auth *a, DB_TXN *txn, struct req_bytes user, struct req_bytes role)
{
	struct user_rec u;
	int rc;

	if (a->enabled && req_bytes_eq(user, root_name) && req_bytes_eq(role, root_name))
		return CAIRN_EAUTHMGMT;
	rc = user_read(a, txn, user, &u);
	if (rc != 0)
		return rc;
	if (!user_drop_role(a, &u, role))
		return CAIRN_EROLENOTGRANTED;
	return user_save(a, txn, &u);
}

int
auth_role_add(struct auth *a, DB_TXN *txn, struct req_bytes name)
{
	struct role_rec ro;
	int rc;

	if (name.n == 0)
		return CAIRN_EROLEEMPTY;
	rc = role_read(a, txn, name, &ro);
	if (rc == 0)
		return CAIRN_EROLEEXIST;
	if (rc != CAIRN_EROLENOTFOUND)
		return rc;
	ro = (struct role_rec){.name = name};
	return role_save(a, txn, &ro);
}

int
auth_role_delete(struct auth *a, DB_TXN *txn, struct req_bytes name)
{
	struct role_rec ro;
	struct user_rec u;
	DBC *c = NULL;
	int rc, brc;

	if (a->enabled && req_bytes_eq(name, root_name))
		return CAIRN_EAUTHMGMT;
	rc = role_read(a, txn, name, &ro);
	if (rc != 0 || (rc = rec_del(a->s->db.auth_roles, txn, name)) != 0)
		return rc;
	/* Every user holding the role loses it, written through the cursor. */
	if ((brc = a->s->db.auth_users->cursor(a->s->db.auth_users, txn, &c, 0)) != 0)
		return bdb_fail(brc, "auth users cursor");
	while ((brc = c->get(c, &a->curkey, &a->user, DB_NEXT)) == 0) {
		if ((rc = user_decode(a, a->user.data, a->user.size, &u)) != 0)
			break;
		if (!user_drop_role(a, &u, name))
			continue;
		u.name = (struct req_bytes){.p = a->curkey.data, .n = a->curkey.size};
		user_encode(a, &u);
		DBT v = {.data = a->rec.buf, .size = (uint32_t)a->rec.len};
		if ((brc = c->put(c, &a->curkey, &v, DB_CURRENT)) != 0) {
			rc = bdb_fail(brc, "auth users put");
			break;
		}
	}
	if (rc == 0 && brc != DB_NOTFOUND)
		rc = bdb_fail(brc, "auth users walk");
	if ((brc = c->close(c)) != 0 && rc == 0)
		rc = bdb_fail(brc, "auth users cursor close");
	if (rc != 0)
		return rc;
	return revision_commit(a, txn);
}

/* etcd's order of a role's permissions: by key alone (sort.Search then
 * sort.Sort, which keeps an added one after others with its key). */
int
auth_role_grant(struct auth *a, DB_TXN *txn, struct req_bytes role, uint32_t type,
    struct req_bytes key, struct req_bytes end)
{
	struct role_rec ro;
	size_t at;
	int rc = role_read(a, txn, role, &ro);

	if (rc != 0)
		return rc;
	for (at = 0; at < ro.nperms && bytes_cmp(a->perms[at].key, key) < 0; at++)
		;
	/* etcd looks only at the first permission with this key. */
	if (at < ro.nperms && req_bytes_eq(a->perms[at].key, key) && req_bytes_eq(a->perms[at].end, end)) {
		a->perms[at].type = type;
	} else {
		while (at < ro.nperms && bytes_cmp(a->perms[at].key, key) == 0)
			at++;
		perms_room(a, ro.nperms + 1);
		memmove(&a->perms[at + 1], &a->perms[at], (ro.nperms - at) * sizeof(*a->perms));
		a->perms[at] = (struct auth_role_perm){.type = type, .key = key, .end = end};
		ro.nperms++;
	}
	ro.name = role;
	return role_save(a, txn, &ro);
}

int
auth_role_revoke(struct auth *a, DB_TXN *txn, struct req_bytes role, struct req_bytes key,
    struct req_bytes end)
{
	struct role_rec ro;
	size_t kept = 0;
	int rc = role_read(a, txn, role, &ro);

	if (rc != 0)
		return rc;
	for (size_t i = 0; i < ro.nperms; i++)
		if (!req_bytes_eq(a->perms[i].key, key) || !req_bytes_eq(a->perms[i].end, end))
			a->perms[kept++] = a->perms[i];
	if (kept == ro.nperms)
		return CAIRN_EPERMNOTGRANTED;
	ro.nperms = kept;
	ro.name = role;
	return role_save(a, txn, &ro);
}

/* ---- Reads. */

int
auth_user_get(struct auth *a, DB_TXN *txn, struct req_bytes name, uint32_t field,
    struct spb *out)
{
	struct user_rec u;
	int rc = user_read(a, txn, name, &u);

	if (rc != 0)
		return rc;
	for (size_t i = 0; i < u.nroles; i++)
		spb_bytes(out, field, a->roles[i].p, a->roles[i].n, true);
	return 0;
}

int
auth_role_get(struct auth *a, DB_TXN *txn, struct req_bytes name, uint32_t field,
    struct spb *out)
{
	struct role_rec ro;
	int rc = role_read(a, txn, name, &ro);

	if (rc != 0)
		return rc;
	for (size_t i = 0; i < ro.nperms; i++) {
		perm_encode(&a->perm, &a->perms[i]);
		spb_bytes(out, field, a->perm.buf, a->perm.len, true);
	}
	return 0;
}

/* Each key of db, in order (etcd's bucket order is the same bytes
 * order), as a string field. */
static int
names_list(struct auth *a, DB *db, DB_TXN *txn, uint32_t field, struct spb *out)
{
	DBC *c = NULL;
	int rc = 0, brc;

	if ((brc = db->cursor(db, txn, &c, 0)) != 0)
		return bdb_fail(brc, "auth cursor");
	while ((brc = c->get(c, &a->curkey, &a->role, DB_NEXT)) == 0)
		spb_bytes(out, field, a->curkey.data, a->curkey.size, true);
	if (brc != DB_NOTFOUND)
		rc = bdb_fail(brc, "auth walk");
	if ((brc = c->close(c)) != 0 && rc == 0)
		rc = bdb_fail(brc, "auth cursor close");
	return rc;
}

int
auth_user_list(struct auth *a, DB_TXN *txn, uint32_t field, struct spb *out)
{
	return names_list(a, a->s->db.auth_users, txn, field, out);
}

int
auth_role_list(struct auth *a, DB_TXN *txn, uint32_t field, struct spb *out)
{
	return names_list(a, a->s->db.auth_roles, txn, field, out);
}

int
auth_user_hash(struct auth *a, DB_TXN *txn, struct req_bytes name, struct req_bytes *hash)
{
	struct user_rec u;
	int rc;

	if (!a->enabled)
		return CAIRN_EAUTHNOTENABLED;
	rc = user_read(a, txn, name, &u);
	if (rc == CAIRN_EUSERNOTFOUND || (rc == 0 && u.no_password))
		return CAIRN_EAUTHFAILED;
	if (rc != 0)
		return rc;
	*hash = u.password;
	return 0;
}

/* ---- Checks. */

bool
auth_has_role(struct auth *a, DB_TXN *txn, struct req_bytes user, struct req_bytes role)
{
	struct user_rec u;

	return user_read(a, txn, user, &u) == 0 && user_has_role(a, &u, role);
}

int
auth_check_admin(struct auth *a, DB_TXN *txn, struct req_bytes user)
{
	struct user_rec u;
	int rc;

	if (!a->enabled)
		return 0;
	if (user.n == 0)
		return CAIRN_EUSEREMPTY;
	rc = user_read(a, txn, user, &u);
	if (rc != 0)
		return rc;
	return user_has_role(a, &u, root_name) ? 0 : CAIRN_EPERMDENIED;
}

/* The user's merged permissions at the current auth revision, from the
 * cache or read from its roles (etcd's getMergedPerms). */
static int
perms_of(struct auth *a, DB_TXN *txn, struct req_bytes user, struct auth_cached **out)
{
	struct auth_cached *c;
	struct user_rec u;
	struct role_rec ro;
	int rc;

	for (unsigned i = 0; i < AUTH_PERMS_CACHED; i++) {
		c = &a->cache[i];
		if (c->valid && c->revision == a->revision && c->name_len == user.n &&
		    (user.n == 0 || memcmp(c->name, user.p, user.n) == 0)) {
			*out = c;
			return 0;
		}
	}
	c = &a->cache[a->cache_next];
	a->cache_next = (a->cache_next + 1) % AUTH_PERMS_CACHED;
	c->valid = false;
	auth_perms_reset(&c->perms);
	rc = user_read(a, txn, user, &u);
	if (rc != 0 && rc != CAIRN_EUSERNOTFOUND)
		return rc;
	c->found = rc == 0;
	c->root = c->found && user_has_role(a, &u, root_name);
	/* u's roles point into a->user, which role_read() leaves alone. */
	for (size_t i = 0; c->found && !c->root && i < u.nroles; i++) {
		rc = role_read(a, txn, a->roles[i], &ro);
		if (rc == CAIRN_EROLENOTFOUND)
			continue; /* etcd skips a role that is gone */
		if (rc != 0)
			return rc;
		for (size_t j = 0; j < ro.nperms; j++)
			auth_perms_add(&c->perms, a->perms[j].type, a->perms[j].key.p,
			    a->perms[j].key.n, a->perms[j].end.p, a->perms[j].end.n);
	}
	auth_perms_seal(&c->perms);
	free(c->name);
	c->name = xmalloc(user.n + 1);
	if (user.n > 0)
		memcpy(c->name, user.p, user.n);
	c->name_len = user.n;
	c->revision = a->revision;
	c->valid = true;
	*out = c;
	return 0;
}

int
auth_check_op(struct auth *a, DB_TXN *txn, struct req_bytes user, uint64_t rev,
    uint32_t type, struct req_bytes key, struct req_bytes end)
{
	struct auth_cached *c;
	int rc;

	CAIRN_ASSERT(type == AUTH_PERM_READ || type == AUTH_PERM_WRITE);
	if (!a->enabled)
		return 0;
	if (rev == 0)
		return CAIRN_EUSEREMPTY;
	if (rev < a->revision)
		return CAIRN_EAUTHOLDREV;
	if ((rc = perms_of(a, txn, user, &c)) != 0)
		return rc;
	if (!c->found)
		return CAIRN_EPERMDENIED;
	if (c->root)
		return 0;
	return auth_perms_allow(&c->perms, type, key.p, key.n, end.p, end.n) ? 0 :
	    CAIRN_EPERMDENIED;
}
