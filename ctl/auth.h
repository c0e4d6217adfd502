/*
 * cairnctl: the printers of the auth, user and role commands
 * (ctl/print_auth.c), as etcdctl's printers of those answers.
 */
#ifndef CAIRN_CTL_AUTH_H
#define CAIRN_CTL_AUTH_H

#include "ctl/print.h"

/*
 * An answer that only says a change was made (UserAdd, RoleDelete, ...):
 * the simple form is the line fmt makes (etcdctl's printf), the fields
 * form the header, json and protobuf the message 'msg'
 * ("etcdserverpb.AuthUserAddResponse"); table exits "not supported".
 */
__attribute__((format(printf, 4, 5))) void print_auth_done(enum ctl_format f, const char *msg,
    struct pbv r, const char *fmt, ...);

/* user get (name as asked), user list, role get, role list: etcdctl's
 * printers of AuthUserGetResponse, AuthUserListResponse,
 * AuthRoleGetResponse and AuthRoleListResponse. */
void print_auth_user_get(enum ctl_format f, const char *name, struct pbv r);
void print_auth_user_list(enum ctl_format f, struct pbv r);
void print_auth_role_get(enum ctl_format f, const char *name, struct pbv r);
void print_auth_role_list(enum ctl_format f, struct pbv r);

/* role revoke-permission: the key as given, the range end sent (end[endlen],
 * "\0" of length 1 for an open end). */
void print_auth_revoke(enum ctl_format f, const char *role, const char *key, const char *end,
    size_t endlen, struct pbv r);

/* Appends a proto3 string field to o (ctl/cmd_auth.c): left out when
 * s is empty. */
void auth_put_str(struct pbout *o, uint32_t field, const char *s);

/* clientv3.GetPrefixRangeEnd: key[n] with its last byte below 0xff
 * incremented and what follows dropped; "\0" when every byte is 0xff.
 * Returns a new string (the caller frees it) of *outlen bytes. */
char *print_auth_prefix_end(const char *key, size_t n, size_t *outlen);

#endif
