/*
 * stored: one user's key permissions, merged from all its roles, and the
 * check of a request's key or range against them, with etcd 3.4's
 * semantics (auth/range_perm_cache.go and pkg/adt's interval tree): a
 * range is allowed when the permitted intervals it meets cover it without
 * a gap. Pure: no store, no I/O.
 */
#ifndef CAIRN_STORED_AUTH_PERM_H
#define CAIRN_STORED_AUTH_PERM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* authpb.Permission.Type. */
enum auth_perm_type { AUTH_PERM_READ = 0, AUTH_PERM_WRITE = 1, AUTH_PERM_READWRITE = 2 };

/* One interval [begin, end) of keys; end "at infinity" when end_inf.
 * Offsets into the set's bytes, which may move while it grows. */
struct auth_ivl {
	uint32_t begin, begin_len;
	uint32_t end, end_len;
	bool end_inf;
};

struct auth_ivls {
	struct auth_ivl *v;
	size_t n, cap;
};

/* etcd's unifiedRangePermissions: read and write intervals, each list
 * sorted by its begin key once auth_perms_seal() ran. */
struct auth_perms {
	struct auth_ivls read, write;
	uint8_t *bytes;              /* owned: every begin and end key */
	size_t len, cap;
};

void auth_perms_init(struct auth_perms *p);
void auth_perms_free(struct auth_perms *p);
/* Forgets every interval; keeps the memory. */
void auth_perms_reset(struct auth_perms *p);
/* Adds a permission as a role holds it: 'end' empty is the single key
 * 'key', "\0" every key from 'key' on (etcd's --from-key). The bytes are
 * copied. Types other than enum auth_perm_type add nothing. */
void auth_perms_add(struct auth_perms *p, uint32_t type, const uint8_t *key, uint32_t key_len,
    const uint8_t *end, uint32_t end_len);
/* Sorts the lists; call after the last auth_perms_add(). */
void auth_perms_seal(struct auth_perms *p);
/* Whether a request on 'key' (end empty) or on [key, end) (end "\0": to
 * the last key) is allowed 'type' (AUTH_PERM_READ or AUTH_PERM_WRITE)
 * access, as etcd's isRangeOpPermitted decides it. */
bool auth_perms_allow(const struct auth_perms *p, uint32_t type, const uint8_t *key,
    uint32_t key_len, const uint8_t *end, uint32_t end_len);

#endif
