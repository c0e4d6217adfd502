/*
 * stored: the auth requests and the permission checks at apply, as etcd
 * 3.4's authApplierV3 and applierV3backend make them
 * (etcdserver/apply_auth.go, apply.go).
 */
#include <stdio.h>
#include <string.h>

#include "shared/be.h"
#include "shared/err.h"
#include "shared/password.h"
#include "stored/apply_impl.h"
#include "stored/lease.h"

/* The list field of AuthUserGetResponse, AuthUserListResponse,
 * AuthRoleGetResponse, AuthRoleListResponse; AuthenticateResponse's token. */
#define AUTH_RESP_LIST 2
#define AUTH_RESP_TOKEN 2
/* A simple token's index part: "." and up to 20 digits. */
#define TOKEN_INDEX_BYTES 24

static const struct req_bytes no_bytes;

/* etcd's needAdminPermission: the changes, and the two lists. */
static bool
needs_admin(enum req_type t)
{
	switch (t) {
	case REQ_AUTH_ENABLE: case REQ_AUTH_DISABLE: case REQ_USER_ADD: case REQ_USER_DELETE:
	case REQ_USER_PASSWD: case REQ_USER_GRANT: case REQ_USER_REVOKE: case REQ_ROLE_ADD:
	case REQ_ROLE_GRANT: case REQ_ROLE_REVOKE: case REQ_ROLE_DELETE: case REQ_USER_LIST:
	case REQ_ROLE_LIST:
		return true;
	default:
		return false;
	}
}

struct lease_check {
	struct apply *a;
	DB_TXN *txn;
	const struct req *r;
};

static int
lease_key_check(void *arg, const uint8_t *key, uint32_t key_len)
{
	struct lease_check *c = arg;

	return auth_check_op(&c->a->auth, c->txn, c->r->username, c->r->auth_revision,
	    AUTH_PERM_WRITE, (struct req_bytes){.p = key, .n = key_len}, no_bytes);
}

/* etcd's checkLeasePuts: whoever attaches to or revokes a lease must be
 * allowed to write every key attached to it. */
static int
check_lease_puts(struct apply *a, DB_TXN *txn, const struct req *r, int64_t lease)
{
	struct lease_check c = {.a = a, .txn = txn, .r = r};
	int rc;

	if (lease == 0 || !a->auth.enabled)
		return 0;
	rc = lease_keys(a->s, txn, lease, lease_key_check, &c);
	return rc == CAIRN_ELEASENOTFOUND ? 0 : rc;
}

static int
check(struct apply *a, DB_TXN *txn, const struct req *r, uint32_t type, struct req_bytes key,
    struct req_bytes end)
{
	return auth_check_op(&a->auth, txn, r->username, r->auth_revision, type, key, end);
}

/* etcd's checkTxnReqsPermission over one branch. Unlike etcd 3.4.23,
 * which looks at the top level only, nested transactions are checked
 * too (as later etcd releases do): a nested txn must not be a way around
 * the permissions. */
static int check_txn(struct apply *a, DB_TXN *txn, const struct req *r, const struct req_txn *t);

static int
check_ops(struct apply *a, DB_TXN *txn, const struct req *r, const struct req_op *ops, size_t n)
{
	int rc = 0;

	for (size_t i = 0; i < n && rc == 0; i++) {
		const struct req_op *op = &ops[i];

		switch (op->type) {
		case REQ_OP_RANGE:
			rc = check(a, txn, r, AUTH_PERM_READ, op->u.range.key, op->u.range.end);
			break;
		case REQ_OP_PUT:
			rc = check(a, txn, r, AUTH_PERM_WRITE, op->u.put.key, no_bytes);
			break;
		case REQ_OP_DELETE:
			if (op->u.del.prev_kv)
				rc = check(a, txn, r, AUTH_PERM_READ, op->u.del.key, op->u.del.end);
			if (rc == 0)
				rc = check(a, txn, r, AUTH_PERM_WRITE, op->u.del.key, op->u.del.end);
			break;
		case REQ_OP_TXN:
			rc = check_txn(a, txn, r, op->u.txn);
			break;
		}
	}
	return rc;
}

static int
check_txn(struct apply *a, DB_TXN *txn, const struct req *r, const struct req_txn *t)
{
	int rc = 0;

	for (size_t i = 0; i < t->ncmp && rc == 0; i++)
		rc = check(a, txn, r, AUTH_PERM_READ, t->cmp[i].key, t->cmp[i].end);
	if (rc == 0)
		rc = check_ops(a, txn, r, t->success, t->nsuccess);
	if (rc == 0)
		rc = check_ops(a, txn, r, t->failure, t->nfailure);
	return rc;
}

int
apply_auth_check(struct apply *a, DB_TXN *txn, const struct req *r)
{
	struct auth *au = &a->auth;
	int rc = 0;

	if (!au->enabled)
		return 0;
	if (needs_admin(r->type))
		return auth_check_admin(au, txn, r->username);
	switch (r->type) {
	case REQ_RANGE:
		return check(a, txn, r, AUTH_PERM_READ, r->u.range.key, r->u.range.end);
	case REQ_PUT:
		if ((rc = check(a, txn, r, AUTH_PERM_WRITE, r->u.put.key, no_bytes)) != 0 ||
		    (rc = check_lease_puts(a, txn, r, r->u.put.lease)) != 0)
			return rc;
		return r->u.put.prev_kv ? check(a, txn, r, AUTH_PERM_READ, r->u.put.key, no_bytes) : 0;
	case REQ_DELETE:
		if ((rc = check(a, txn, r, AUTH_PERM_WRITE, r->u.del.key, r->u.del.end)) != 0)
			return rc;
		return r->u.del.prev_kv ?
		    check(a, txn, r, AUTH_PERM_READ, r->u.del.key, r->u.del.end) : 0;
	case REQ_TXN:
		return check_txn(a, txn, r, &r->u.txn);
	case REQ_LEASE_REVOKE:
		return check_lease_puts(a, txn, r, r->u.revoke.id);
	case REQ_USER_GET:
		/* Anyone may read their own user. */
		rc = auth_check_admin(au, txn, r->username);
		if (rc != 0 && req_bytes_eq(r->u.auth.name, r->username))
			rc = 0;
		return rc;
	case REQ_ROLE_GET:
		/* ... and the roles they hold. */
		rc = auth_check_admin(au, txn, r->username);
		if (rc != 0 && auth_has_role(au, txn, r->username, r->u.auth.name))
			rc = 0;
		return rc;
	default:
		return 0;
	}
}

/* The hash a new or changed password is kept as: the one netd made
 * before proposing (etcd 3.5's hashedPassword), or made here, as etcd 3.4
 * does at apply, with a salt every member derives alike from the entry
 * (index, term): members' stores stay equal byte for byte. */
static int
password_of(const struct req_auth *q, uint64_t index, uint64_t term, char *buf,
    struct req_bytes *hash)
{
	uint8_t salt[PASSWORD_SALT_BYTES];
	size_t n;
	int rc;

	if (q->hashed.n > 0) {
		*hash = q->hashed;
		return 0;
	}
	be_put64(salt, index);
	be_put64(salt + 8, term);
	if ((rc = password_hash(q->password.p, q->password.n, PASSWORD_COST_DEFAULT, salt, buf,
	    &n)) != 0)
		return rc;
	*hash = (struct req_bytes){.p = (const uint8_t *)buf, .n = (uint32_t)n};
	return 0;
}

/* etcd's Authenticate at apply: the password was checked before the
 * proposal; here only the user is. A simple token gets the entry's index
 * as etcd's simple token provider gives it ("prefix.index"); netd makes
 * other kinds of token itself. */
static int
apply_authenticate(struct apply *a, DB_TXN *txn, const struct req_auth *q, uint64_t index,
    struct spb *out)
{
	char tail[TOKEN_INDEX_BYTES];
	struct req_bytes hash;
	struct spb tok;
	int rc, n;

	if ((rc = auth_user_hash(&a->auth, txn, q->name, &hash)) != 0)
		return rc;
	if (q->token.n == 0)
		return 0;
	n = snprintf(tail, sizeof(tail), ".%llu", (unsigned long long)index);
	spb_init(&tok);
	memcpy(spb_room(&tok, q->token.n), q->token.p, q->token.n);
	tok.len += q->token.n;
	memcpy(spb_room(&tok, (size_t)n), tail, (size_t)n);
	tok.len += (size_t)n;
	spb_bytes(out, AUTH_RESP_TOKEN, tok.buf, tok.len, false);
	spb_free(&tok);
	return 0;
}

/* etcd's invalidateUser: the user's simple tokens go, on every member. */
static void
apply_user_revoked(struct apply *a, struct req_bytes name)
{
	if (a->user_hook != NULL)
		a->user_hook(a->user_arg, name.p, name.n);
}

int
apply_auth(struct apply *a, struct mvcc_wtxn *w, const struct req *r, uint64_t index,
    uint64_t term, struct spb *out)
{
	const struct req_auth *q = &r->u.auth;
	struct auth *au = &a->auth;
	char buf[PASSWORD_HASH_BYTES_MAX];
	struct req_bytes hash = {0};
	DB_TXN *txn = w->txn;
	int rc;

	apply_header(a, out, apply_rev(a, w), true);
	switch (r->type) {
	case REQ_AUTH_ENABLE:
		return auth_enable(au, txn);
	case REQ_AUTH_DISABLE:
		return auth_disable(au, txn);
	case REQ_AUTHENTICATE:
		return apply_authenticate(a, txn, q, index, out);
	case REQ_USER_ADD:
		/* auth_user_add() refuses it too; before a bcrypt hash here. */
		if (q->name.n == 0)
			return CAIRN_EUSEREMPTY;
		if (!q->no_password && (rc = password_of(q, index, term, buf, &hash)) != 0)
			return rc;
		return auth_user_add(au, txn, q->name, hash, q->no_password);
	case REQ_USER_DELETE:
		if ((rc = auth_user_delete(au, txn, q->name)) == 0)
			apply_user_revoked(a, q->name);
		return rc;
	case REQ_USER_GET:
		return auth_user_get(au, txn, q->name, AUTH_RESP_LIST, out);
	case REQ_USER_PASSWD:
		if ((rc = password_of(q, index, term, buf, &hash)) != 0)
			return rc;
		if ((rc = auth_user_passwd(au, txn, q->name, hash)) == 0)
			apply_user_revoked(a, q->name);
		return rc;
	case REQ_USER_GRANT:
		return auth_user_grant(au, txn, q->name, q->role);
	case REQ_USER_REVOKE:
		return auth_user_revoke(au, txn, q->name, q->role);
	case REQ_USER_LIST:
		return auth_user_list(au, txn, AUTH_RESP_LIST, out);
	case REQ_ROLE_LIST:
		return auth_role_list(au, txn, AUTH_RESP_LIST, out);
	case REQ_ROLE_ADD:
		return auth_role_add(au, txn, q->name);
	case REQ_ROLE_DELETE:
		return auth_role_delete(au, txn, q->name);
	case REQ_ROLE_GET:
		return auth_role_get(au, txn, q->name, AUTH_RESP_LIST, out);
	case REQ_ROLE_GRANT:
		return auth_role_grant(au, txn, q->name, q->perm_type, q->key, q->end);
	case REQ_ROLE_REVOKE:
		return auth_role_revoke(au, txn, q->name, q->key, q->end);
	default:
		return CAIRN_EINVAL;
	}
}
