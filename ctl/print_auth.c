/*
 * cairnctl: the answers of auth, user and role in etcdctl's formats:
 * simple (printer_simple.go's lines), fields (the header, and roles'
 * permissions), json and protobuf (print_rpc); table prints none of them.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctl/auth.h"
#include "ctl/goquote.h"
#include "shared/xmalloc.h"

/* Field numbers of the auth answers (rpc.proto) and authpb.Permission. */
enum {
	AUTH_HEADER = 1,
	AUTH_USER_GET_ROLES = 2,
	AUTH_USER_LIST_USERS = 2,
	AUTH_ROLE_GET_PERM = 2,
	AUTH_ROLE_LIST_ROLES = 2,
	PERM_TYPE = 1, PERM_KEY = 2, PERM_RANGE_END = 3,
};

/* authpb.Permission_Type. */
enum { PERM_READ = 0, PERM_WRITE = 1, PERM_READWRITE = 2 };

static void
print_auth_raw(struct pbv b)
{
	if (b.n > 0)
		fwrite(b.p, 1, b.n, stdout);
}

/* The fields printer's header, or the formats every answer shares. */
static void
print_auth_other(enum ctl_format f, const char *msg, struct pbv r)
{
	if (f == CTL_OUT_FIELDS)
		print_fields_header(pbv_bytes(r, AUTH_HEADER));
	else
		print_rpc(f, msg, r);
}

void
print_auth_done(enum ctl_format f, const char *msg, struct pbv r, const char *fmt, ...)
{
	va_list ap;

	if (f != CTL_OUT_SIMPLE) {
		print_auth_other(f, msg, r);
		return;
	}
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
}

void
print_auth_user_get(enum ctl_format f, const char *name, struct pbv r)
{
	struct pbv role;
	size_t off = 0;

	/* etcdctl's fields printer has no UserGet: "not supported". */
	if (f != CTL_OUT_SIMPLE) {
		print_rpc(f, "etcdserverpb.AuthUserGetResponse", r);
		return;
	}
	printf("User: %s\nRoles:", name);
	while (pbv_next(r, AUTH_USER_GET_ROLES, &off, &role)) {
		putchar(' ');
		print_auth_raw(role);
	}
	putchar('\n');
}

/* Each string of field 'field' on its own line. */
static void
print_auth_lines(struct pbv r, uint32_t field)
{
	struct pbv s;
	size_t off = 0;

	while (pbv_next(r, field, &off, &s)) {
		print_auth_raw(s);
		putchar('\n');
	}
}

void
print_auth_user_list(enum ctl_format f, struct pbv r)
{
	if (f != CTL_OUT_SIMPLE)
		print_rpc(f, "etcdserverpb.AuthUserListResponse", r);
	else
		print_auth_lines(r, AUTH_USER_LIST_USERS);
}

void
print_auth_role_list(enum ctl_format f, struct pbv r)
{
	struct pbv s;
	size_t off = 0;

	if (f == CTL_OUT_SIMPLE) {
		print_auth_lines(r, AUTH_ROLE_LIST_ROLES);
		return;
	}
	if (f != CTL_OUT_FIELDS) {
		print_rpc(f, "etcdserverpb.AuthRoleListResponse", r);
		return;
	}
	print_fields_header(pbv_bytes(r, AUTH_HEADER));
	fputs("\"Roles\" :", stdout);
	while (pbv_next(r, AUTH_ROLE_LIST_ROLES, &off, &s)) {
		putchar(' ');
		goquote_write(stdout, s.p, s.n);
	}
	putchar('\n');
}

char *
print_auth_prefix_end(const char *key, size_t n, size_t *outlen)
{
	char *end = xmalloc(n + 1);

	memcpy(end, key, n);
	for (size_t i = n; i > 0; i--) {
		if ((unsigned char)end[i - 1] < 0xff) {
			end[i - 1]++;
			*outlen = i;
			return end;
		}
	}
	end[0] = '\0';
	*outlen = 1;
	return end;
}

/* One permission's line in etcdctl's simple RoleGet: the key, or its
 * range (with the prefix it stands for). */
static void
print_auth_perm_line(struct pbv perm)
{
	struct pbv key = pbv_bytes(perm, PERM_KEY), end = pbv_bytes(perm, PERM_RANGE_END);
	size_t plen;
	char *pfx;

	putchar('\t');
	if (end.n == 0) {
		print_auth_raw(key);
		putchar('\n');
		return;
	}
	putchar('[');
	print_auth_raw(key);
	if (end.n == 1 && end.p[0] == '\0') {
		fputs(", <open ended>", stdout);
	} else {
		fputs(", ", stdout);
		print_auth_raw(end);
		putchar(')');
	}
	pfx = print_auth_prefix_end((const char *)key.p, key.n, &plen);
	if (plen == end.n && memcmp(pfx, end.p, plen) == 0) {
		fputs(" (prefix ", stdout);
		print_auth_raw(key);
		putchar(')');
	}
	free(pfx);
	putchar('\n');
}

/* The permissions of r whose type is 'either' or READWRITE. */
static void
print_auth_perms(struct pbv r, uint64_t either)
{
	struct pbv perm;
	size_t off = 0;

	while (pbv_next(r, AUTH_ROLE_GET_PERM, &off, &perm)) {
		uint64_t t = pbv_varint(perm, PERM_TYPE);

		if (t == either || t == PERM_READWRITE)
			print_auth_perm_line(perm);
	}
}

void
print_auth_role_get(enum ctl_format f, const char *name, struct pbv r)
{
	static const char *const types[] = { "READ", "WRITE", "READWRITE" };
	struct pbv perm;
	size_t off = 0;

	if (f == CTL_OUT_SIMPLE) {
		printf("Role %s\nKV Read:\n", name);
		print_auth_perms(r, PERM_READ);
		fputs("KV Write:\n", stdout);
		print_auth_perms(r, PERM_WRITE);
		return;
	}
	if (f != CTL_OUT_FIELDS) {
		print_rpc(f, "etcdserverpb.AuthRoleGetResponse", r);
		return;
	}
	print_fields_header(pbv_bytes(r, AUTH_HEADER));
	while (pbv_next(r, AUTH_ROLE_GET_PERM, &off, &perm)) {
		uint64_t t = pbv_varint(perm, PERM_TYPE);
		struct pbv key = pbv_bytes(perm, PERM_KEY), end = pbv_bytes(perm, PERM_RANGE_END);

		/* Println's two operands: a space between, so two. An
		 * unknown type prints as its number (proto's EnumName). */
		if (t <= PERM_READWRITE)
			printf("\"PermType\" :  %s\n", types[t]);
		else
			printf("\"PermType\" :  %d\n", (int32_t)t);
		fputs("\"Key\" : ", stdout);
		goquote_write(stdout, key.p, key.n);
		fputs("\n\"RangeEnd\" : ", stdout);
		goquote_write(stdout, end.p, end.n);
		putchar('\n');
	}
}

void
print_auth_revoke(enum ctl_format f, const char *role, const char *key, const char *end,
    size_t endlen, struct pbv r)
{
	const char *msg = "etcdserverpb.AuthRoleRevokePermissionResponse";

	if (f != CTL_OUT_SIMPLE)
		print_auth_other(f, msg, r);
	else if (endlen == 0)
		printf("Permission of key %s is revoked from role %s\n", key, role);
	else if (endlen == 1 && end[0] == '\0')
		printf("Permission of range [%s, <open ended> is revoked from role %s\n", key, role);
	else
		printf("Permission of range [%s, %.*s) is revoked from role %s\n", key, (int)endlen,
		    end, role);
}
