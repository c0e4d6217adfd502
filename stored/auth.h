/*
 * stored: etcd's auth store: users (bcrypt password hashes), roles and
 * their key permissions, the enabled flag and the auth revision, in
 * etcd's tables (auth, authUsers, authRoles; records are authpb.User and
 * authpb.Role as etcd writes them), changed only by applied Raft entries;
 * and the permission checks etcd makes at apply (auth/store.go).
 */
#ifndef CAIRN_STORED_AUTH_H
#define CAIRN_STORED_AUTH_H

#include <stdbool.h>
#include <stdint.h>

#include "stored/auth_perm.h"
#include "stored/mvcc.h"
#include "stored/spb.h"
#include "shared/req.h"

/* etcd's keys in its auth table: the enabled flag (one byte, 1 when
 * enabled) and the auth revision (8 bytes big-endian). */
#define AUTH_KEY_ENABLED "authEnabled"
#define AUTH_KEY_REVISION "authRevision"
#define AUTH_REVISION_BYTES 8

/* Users whose merged permissions are kept between requests. */
#define AUTH_PERMS_CACHED 8

struct auth_cached {
	uint8_t *name;               /* owned */
	uint32_t name_len;
	uint64_t revision;           /* the auth revision they were read at */
	bool valid;
	bool found;                  /* the user exists */
	bool root;                   /* ... and has the root role */
	struct auth_perms perms;
};

/* A permission of a role as read from its record (bytes borrowed). */
struct auth_role_perm {
	uint32_t type;               /* enum auth_perm_type */
	struct req_bytes key, end;
};

struct auth {
	struct mvcc *s;
	bool enabled;
	uint64_t revision;           /* etcd's auth revision (1 for a new store) */
	struct auth_cached cache[AUTH_PERMS_CACHED];
	unsigned cache_next;         /* the entry replaced next */
	struct spb rec;            /* a record being written */
	struct spb perm;           /* one permission of it */
	DBT user, role;              /* the records last read (owned) */
	DBT curkey;                  /* a cursor's key (owned) */
	struct req_bytes *roles;     /* the roles of the user record read */
	size_t roles_cap;
	struct auth_role_perm *perms;    /* the permissions of the role read */
	size_t perms_cap;
};

/* Reads the enabled flag and the revision. CAIRN_EIO when it cannot; 'a'
 * is to be closed either way. */
int auth_open(struct auth *a, struct mvcc *s);
/* Safe on an auth that was zeroed or closed. */
void auth_close(struct auth *a);
/* Reads them again, e.g. after a batch was aborted. */
int auth_reload(struct auth *a);

/*
 * The changes, each within the write transaction txn, each as etcd's
 * authStore method of the same name: the errors are etcd's (below), and
 * a change bumps the auth revision unless etcd's does not (enable, a
 * role granted twice). Names are bytes as the request gave them.
 */
/* CAIRN_EROOTUSERNOTEXIST, CAIRN_EROOTROLENOTEXIST. */
int auth_enable(struct auth *a, DB_TXN *txn);
int auth_disable(struct auth *a, DB_TXN *txn);
/* 'hash' is the bcrypt hash (empty with no_password). CAIRN_EUSEREMPTY,
 * CAIRN_EUSEREXIST. */
int auth_user_add(struct auth *a, DB_TXN *txn, struct req_bytes name, struct req_bytes hash,
    bool no_password);
/* CAIRN_EAUTHMGMT (root while enabled), CAIRN_EUSERNOTFOUND. */
int auth_user_delete(struct auth *a, DB_TXN *txn, struct req_bytes name);
/* CAIRN_EUSERNOTFOUND. */
int auth_user_passwd(struct auth *a, DB_TXN *txn, struct req_bytes name, struct req_bytes hash);
/* CAIRN_EUSERNOTFOUND, CAIRN_EROLENOTFOUND (a role other than root that
 * does not exist). */
int auth_user_grant(struct auth *a, DB_TXN *txn, struct req_bytes user, struct req_bytes role);
/* CAIRN_EAUTHMGMT (root from root while enabled), CAIRN_EUSERNOTFOUND,
 * CAIRN_EROLENOTGRANTED. */
int auth_user_revoke(struct auth *a, DB_TXN *txn, struct req_bytes user, struct req_bytes role);
/* CAIRN_EROLEEMPTY, CAIRN_EROLEEXIST. */
int auth_role_add(struct auth *a, DB_TXN *txn, struct req_bytes name);
/* CAIRN_EAUTHMGMT (root while enabled), CAIRN_EROLENOTFOUND. The role is
 * also taken from every user that had it. */
int auth_role_delete(struct auth *a, DB_TXN *txn, struct req_bytes name);
/* CAIRN_EROLENOTFOUND. A permission on the same key and range end as
 * etcd finds it is updated, else one is added. */
int auth_role_grant(struct auth *a, DB_TXN *txn, struct req_bytes role, uint32_t type,
    struct req_bytes key, struct req_bytes end);
/* CAIRN_EROLENOTFOUND, CAIRN_EPERMNOTGRANTED. */
int auth_role_revoke(struct auth *a, DB_TXN *txn, struct req_bytes role, struct req_bytes key,
    struct req_bytes end);

/*
 * Reads, encoding into out what the response carries: a user's roles
 * (field 'field', one string each), the users' or roles' names, a role's
 * permissions (authpb.Permission each).
 */
/* CAIRN_EUSERNOTFOUND. */
int auth_user_get(struct auth *a, DB_TXN *txn, struct req_bytes name, uint32_t field,
    struct spb *out);
int auth_user_list(struct auth *a, DB_TXN *txn, uint32_t field, struct spb *out);
/* CAIRN_EROLENOTFOUND. */
int auth_role_get(struct auth *a, DB_TXN *txn, struct req_bytes name, uint32_t field,
    struct spb *out);
int auth_role_list(struct auth *a, DB_TXN *txn, uint32_t field, struct spb *out);
/* The user's password hash (borrowed until the next call on a) for an
 * authentication: CAIRN_EAUTHNOTENABLED, CAIRN_EAUTHFAILED (no such user,
 * or one without a password). */
int auth_user_hash(struct auth *a, DB_TXN *txn, struct req_bytes name, struct req_bytes *hash);

/*
 * The checks, as etcd's. Each passes (0) while auth is disabled.
 * auth_check_admin: CAIRN_EUSEREMPTY, CAIRN_EUSERNOTFOUND,
 * CAIRN_EPERMDENIED (no root role). auth_check_op, for 'type' access
 * (AUTH_PERM_READ or AUTH_PERM_WRITE) to a key (end empty) or a range as
 * auth_perms_allow() reads them, by 'user' whose token was checked at
 * auth revision 'rev': CAIRN_EUSEREMPTY (rev 0: no token), CAIRN_EAUTHOLDREV
 * (rev older than the store's), CAIRN_EPERMDENIED.
 */
int auth_check_admin(struct auth *a, DB_TXN *txn, struct req_bytes user);
int auth_check_op(struct auth *a, DB_TXN *txn, struct req_bytes user, uint64_t rev,
    uint32_t type, struct req_bytes key, struct req_bytes end);
/* Whether the user exists and holds the role (etcd's HasRole). */
bool auth_has_role(struct auth *a, DB_TXN *txn, struct req_bytes user, struct req_bytes role);

#endif
