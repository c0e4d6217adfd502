/*
 * cairnctl: the role commands (etcdctl's role_command.go): add, delete,
 * get, list, grant-permission and revoke-permission with their key
 * ranges (--prefix, --from-key), checks, messages and answers.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctl/auth.h"
#include "ctl/commands.h"
#include "shared/xmalloc.h"

/* Request field numbers (rpc.proto, auth.proto). */
enum {
	ROLE_NAME = 1, /* RoleAdd's name, RoleGet's and RoleDelete's role */
	ROLE_GRANT_NAME = 1, ROLE_GRANT_PERM = 2,
	PERM_TYPE = 1, PERM_KEY = 2, PERM_RANGE_END = 3,
	ROLE_REVOKE_ROLE = 1, ROLE_REVOKE_KEY = 2, ROLE_REVOKE_RANGE_END = 3,
};

#define ROLE_PATH(m) "/etcdserverpb.Auth/" m

/* Shared by grant-permission and revoke-permission, as in etcdctl. */
static bool role_prefix, role_from_key;

struct ctl_flag role_grant_flags[] = {
	{ "from-key", 0, CTL_FLAG_BOOL, "false",
	  "grant a permission of keys that are greater than or equal to the given key using "
	  "byte compare", &role_from_key, false },
	{ "prefix", 0, CTL_FLAG_BOOL, "false", "grant a prefix permission", &role_prefix, false },
	{ 0 },
};

struct ctl_flag role_revoke_flags[] = {
	{ "from-key", 0, CTL_FLAG_BOOL, "false",
	  "revoke a permission of keys that are greater than or equal to the given key using "
	  "byte compare", &role_from_key, false },
	{ "prefix", 0, CTL_FLAG_BOOL, "false", "revoke a prefix permission", &role_prefix, false },
	{ 0 },
};

/* A key range as permRange makes it from key [endkey]. */
struct role_range {
	const char *key;
	size_t keylen;
	char *end; /* owned */
	size_t endlen;
};

static char *
role_dup(const char *p, size_t n)
{
	char *s = xmalloc(n + 1);

	memcpy(s, p, n);
	s[n] = '\0';
	return s;
}

/* etcdctl's permRange over args[0..n) (n >= 1: the key, the end key, and
 * anything after, which etcdctl ignores); exits 128 as it does. */
static void
role_perm_range(char **args, int n, struct role_range *rg)
{
	static const char zero[1] = { '\0' };

	rg->key = args[0];
	rg->keylen = strlen(args[0]);
	rg->end = role_dup("", 0);
	rg->endlen = 0;
	if (rg->keylen == 0) {
		if (role_prefix && role_from_key)
			ctl_fail(CTL_EXIT_BAD_ARGS,
			    "--from-key and --prefix flags are mutually exclusive");
		/* The empty key is ["\0", ...): with either flag, every key. */
		rg->key = zero;
		rg->keylen = 1;
		if (role_prefix || role_from_key) {
			free(rg->end);
			rg->end = role_dup(zero, 1);
			rg->endlen = 1;
		}
		return;
	}
	if (n == 1) {
		if (role_prefix && role_from_key)
			ctl_fail(CTL_EXIT_BAD_ARGS,
			    "--from-key and --prefix flags are mutually exclusive");
		free(rg->end);
		if (role_prefix) {
			rg->end = print_auth_prefix_end(rg->key, rg->keylen, &rg->endlen);
		} else if (role_from_key) {
			rg->end = role_dup(zero, 1);
			rg->endlen = 1;
		} else {
			rg->end = role_dup("", 0);
		}
		return;
	}
	if (role_prefix)
		ctl_fail(CTL_EXIT_BAD_ARGS, "unexpected endkey argument with --prefix flag");
	if (role_from_key)
		ctl_fail(CTL_EXIT_BAD_ARGS, "unexpected endkey argument with --from-key flag");
	free(rg->end);
	rg->endlen = strlen(args[1]);
	rg->end = role_dup(args[1], rg->endlen);
}

/* clientv3.StrToPermissionType: Go's strings.ToUpper of s (whose only
 * non-ASCII letters to upper-case ASCII are U+0131 and U+017F) among the
 * type names; -1 for none. */
static int
role_perm_type(const char *s)
{
	static const char *const names[] = { "READ", "WRITE", "READWRITE" };
	size_t n = strlen(s), k = 0;
	char *up = xmalloc(n + 1);
	int type = -1;

	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == 0xc4 && (unsigned char)s[i + 1] == 0xb1) {
			up[k++] = 'I';
			i++;
		} else if (c == 0xc5 && (unsigned char)s[i + 1] == 0xbf) {
			up[k++] = 'S';
			i++;
		} else {
			up[k++] = c >= 'a' && c <= 'z' ? (char)(c - 'a' + 'A') : (char)c;
		}
	}
	up[k] = '\0';
	for (int t = 0; t < (int)(sizeof(names) / sizeof(names[0])); t++)
		if (strcmp(up, names[t]) == 0)
			type = t;
	free(up);
	return type;
}

/* Calls 'path' with req (freed) and returns the answer; exits with
 * clientv3's error text on failure. */
static struct pbv
role_call(const char *path, struct pbout *req, enum ctl_retry retry, struct gc_result *r)
{
	client_call(path, req, retry, r);
	pbout_close(req);
	return pbv_of(r->msg, r->len);
}

/* add, delete and get take one argument, the role's name. */
static void
role_one_arg(int argc, const char *cmd)
{
	if (argc != 1)
		ctl_fail(CTL_EXIT_BAD_ARGS, "role %s command requires role name as its argument",
		    cmd);
}

int
role_add_run(int argc, char **argv)
{
	struct pbout req = { 0 };
	struct gc_result r;
	struct pbv resp;

	role_one_arg(argc, "add");
	client_open();
	auth_put_str(&req, ROLE_NAME, argv[0]);
	resp = role_call(ROLE_PATH("RoleAdd"), &req, CTL_RETRY_NEVER, &r);
	print_auth_done(global_format(), "etcdserverpb.AuthRoleAddResponse", resp,
	    "Role %s created\n", argv[0]);
	client_close();
	return CTL_EXIT_SUCCESS;
}

int
role_delete_run(int argc, char **argv)
{
	struct pbout req = { 0 };
	struct gc_result r;
	struct pbv resp;

	role_one_arg(argc, "delete");
	client_open();
	auth_put_str(&req, ROLE_NAME, argv[0]);
	resp = role_call(ROLE_PATH("RoleDelete"), &req, CTL_RETRY_NEVER, &r);
	print_auth_done(global_format(), "etcdserverpb.AuthRoleDeleteResponse", resp,
	    "Role %s deleted\n", argv[0]);
	client_close();
	return CTL_EXIT_SUCCESS;
}

int
role_get_run(int argc, char **argv)
{
	struct pbout req = { 0 };
	struct gc_result r;
	struct pbv resp;

	role_one_arg(argc, "get");
	client_open();
	auth_put_str(&req, ROLE_NAME, argv[0]);
	resp = role_call(ROLE_PATH("RoleGet"), &req, CTL_RETRY_UNAVAILABLE, &r);
	print_auth_role_get(global_format(), argv[0], resp);
	client_close();
	return CTL_EXIT_SUCCESS;
}

int
role_list_run(int argc, char **argv)
{
	struct pbout none = { 0 };
	struct gc_result r;

	(void)argv;
	if (argc != 0)
		ctl_fail(CTL_EXIT_BAD_ARGS, "role list command requires no arguments");
	client_open();
	print_auth_role_list(global_format(),
	    role_call(ROLE_PATH("RoleList"), &none, CTL_RETRY_UNAVAILABLE, &r));
	client_close();
	return CTL_EXIT_SUCCESS;
}

int
role_grant_run(int argc, char **argv)
{
	struct pbout req = { 0 }, perm = { 0 };
	struct role_range rg;
	struct gc_result r;
	struct pbv resp;
	int type;

	if (argc < 3)
		ctl_fail(CTL_EXIT_BAD_ARGS, "role grant command requires role name, permission "
		    "type, and key [endkey] as its argument");
	if ((type = role_perm_type(argv[1])) < 0)
		ctl_fail(CTL_EXIT_BAD_ARGS, "invalid permission type: %s", argv[1]);
	role_perm_range(argv + 2, argc - 2, &rg);
	client_open();
	auth_put_str(&req, ROLE_GRANT_NAME, argv[0]);
	if (type != 0)
		pbout_varint(&perm, PERM_TYPE, (uint64_t)type);
	pbout_bytes(&perm, PERM_KEY, rg.key, rg.keylen);
	if (rg.endlen > 0)
		pbout_bytes(&perm, PERM_RANGE_END, rg.end, rg.endlen);
	/* clientv3 always sends the permission. */
	pbout_msg(&req, ROLE_GRANT_PERM, &perm);
	pbout_close(&perm);
	free(rg.end);
	resp = role_call(ROLE_PATH("RoleGrantPermission"), &req, CTL_RETRY_NEVER, &r);
	print_auth_done(global_format(), "etcdserverpb.AuthRoleGrantPermissionResponse", resp,
	    "Role %s updated\n", argv[0]);
	client_close();
	return CTL_EXIT_SUCCESS;
}

int
role_revoke_run(int argc, char **argv)
{
	struct pbout req = { 0 };
	struct role_range rg;
	struct gc_result r;
	struct pbv resp;

	if (argc < 2)
		ctl_fail(CTL_EXIT_BAD_ARGS, "role revoke-permission command requires role name "
		    "and key [endkey] as its argument");
	role_perm_range(argv + 1, argc - 1, &rg);
	client_open();
	auth_put_str(&req, ROLE_REVOKE_ROLE, argv[0]);
	pbout_bytes(&req, ROLE_REVOKE_KEY, rg.key, rg.keylen);
	if (rg.endlen > 0)
		pbout_bytes(&req, ROLE_REVOKE_RANGE_END, rg.end, rg.endlen);
	resp = role_call(ROLE_PATH("RoleRevokePermission"), &req, CTL_RETRY_NEVER, &r);
	/* The key as given (not the "\0" the empty one becomes). */
	print_auth_revoke(global_format(), argv[0], argv[1], rg.end, rg.endlen, resp);
	free(rg.end);
	client_close();
	return CTL_EXIT_SUCCESS;
}
