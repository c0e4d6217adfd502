/*
 * cairnctl: auth enable and disable, and the user commands (etcdctl's
 * auth_command.go and user_command.go): their flags, checks and
 * messages, the password prompts, the Auth calls and their answers.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctl/askpass.h"
#include "ctl/auth.h"
#include "ctl/commands.h"
#include "shared/xmalloc.h"

/* The longest password read from standard input (longer: cut). */
#define AUTH_PASSWORD_BYTES_MAX 4096

/* Request field numbers (rpc.proto, auth.proto). */
enum {
	USER_ADD_NAME = 1, USER_ADD_PASSWORD = 2, USER_ADD_OPTIONS = 3,
	USER_OPTIONS_NO_PASSWORD = 1,
	USER_NAME = 1, /* UserGet, UserDelete */
	USER_PASSWD_NAME = 1, USER_PASSWD_PASSWORD = 2,
	USER_GRANT_USER = 1, USER_GRANT_ROLE = 2,
	USER_REVOKE_NAME = 1, USER_REVOKE_ROLE = 2,
	ROLE_ADD_NAME = 1,
	ROLE_GET_ROLE = 1,
	USER_GET_ROLES = 2,
};

#define AUTH_PATH(m) "/etcdserverpb.Auth/" m

/* etcdctl shares --interactive between user add and user passwd. */
static bool user_interactive, user_no_password, user_detail;
static char *user_new_password;

struct ctl_flag user_add_flags[] = {
	{ "interactive", 0, CTL_FLAG_BOOL, "true",
	  "Read password from stdin instead of interactive terminal", &user_interactive, false },
	{ "new-user-password", 0, CTL_FLAG_STRING, "",
	  "Supply password from the command line flag", &user_new_password, false },
	{ "no-password", 0, CTL_FLAG_BOOL, "false",
	  "Create a user without password (CN based auth only)", &user_no_password, false },
	{ 0 },
};

struct ctl_flag user_get_flags[] = {
	{ "detail", 0, CTL_FLAG_BOOL, "false", "Show permissions of roles granted to the user",
	  &user_detail, false },
	{ 0 },
};

struct ctl_flag user_passwd_flags[] = {
	{ "interactive", 0, CTL_FLAG_BOOL, "true",
	  "If true, read password from stdin instead of interactive terminal",
	  &user_interactive, false },
	{ 0 },
};

/* A proto3 string field: left out when empty. */
void
auth_put_str(struct pbout *o, uint32_t field, const char *s)
{
	if (s[0] != '\0')
		pbout_bytes(o, field, s, strlen(s));
}

/* Calls 'path' with req and frees req; exits with clientv3's error text
 * on failure. */
static struct pbv
auth_call(const char *path, struct pbout *req, enum ctl_retry retry, struct gc_result *r)
{
	client_call(path, req, retry, r);
	if (req->len > 0)
		explicit_bzero(req->buf, req->len);
	pbout_close(req);
	return pbv_of(r->msg, r->len);
}

int
auth_enable_run(int argc, char **argv)
{
	char err[GC_MESSAGE_BYTES_MAX + 128];
	struct pbout none = { 0 };
	struct gc_result r;
	int rc;

	(void)argv;
	if (argc != 0)
		ctl_fail(CTL_EXIT_BAD_ARGS, "auth enable command does not accept any arguments");
	client_open();
	/* etcdctl makes the root role and grants it to root when that is
	 * all AuthEnable lacks, then tries again. */
	for (;;) {
		struct pbout req = { 0 };

		rc = client_try(AUTH_PATH("AuthEnable"), &none, CTL_RETRY_NEVER, &r, err,
		    sizeof(err));
		if (rc == 0 || strcmp(err, "etcdserver: root user does not have root role") != 0)
			break;
		auth_put_str(&req, ROLE_ADD_NAME, "root");
		rc = client_try(AUTH_PATH("RoleAdd"), &req, CTL_RETRY_NEVER, &r, err, sizeof(err));
		pbout_close(&req);
		if (rc != 0)
			break;
		auth_put_str(&req, USER_GRANT_USER, "root");
		auth_put_str(&req, USER_GRANT_ROLE, "root");
		rc = client_try(AUTH_PATH("UserGrantRole"), &req, CTL_RETRY_NEVER, &r, err,
		    sizeof(err));
		pbout_close(&req);
		if (rc != 0)
			break;
	}
	if (rc != 0)
		ctl_fail(CTL_EXIT_ERROR, "%s", err);
	/* Whatever -w says. */
	puts("Authentication Enabled");
	client_close();
	return CTL_EXIT_SUCCESS;
}

int
auth_disable_run(int argc, char **argv)
{
	struct pbout none = { 0 };
	struct gc_result r;

	(void)argv;
	if (argc != 0)
		ctl_fail(CTL_EXIT_BAD_ARGS, "auth disable command does not accept any arguments");
	client_open();
	client_call(AUTH_PATH("AuthDisable"), &none, CTL_RETRY_NEVER, &r);
	puts("Authentication Disabled");
	client_close();
	return CTL_EXIT_SUCCESS;
}

/* etcdctl's readPasswordInteractive: twice, the same, not empty. */
static void
user_ask_password(const char *name, char *dst, size_t cap)
{
	char again[AUTH_PASSWORD_BYTES_MAX], err[256];
	char *prompt;
	size_t len = strlen(name) + 64;

	prompt = xmalloc(len);
	snprintf(prompt, len, "Password of %s: ", name);
	if (askpass_ask(prompt, dst, cap, err, sizeof(err)) != 0)
		ctl_fail(CTL_EXIT_BAD_ARGS, "failed to ask password: %s", err);
	if (dst[0] == '\0')
		ctl_fail(CTL_EXIT_BAD_ARGS, "empty password");
	snprintf(prompt, len, "Type password of %s again for confirmation: ", name);
	if (askpass_ask(prompt, again, sizeof(again), err, sizeof(err)) != 0)
		ctl_fail(CTL_EXIT_BAD_ARGS, "failed to ask password: %s", err);
	free(prompt);
	if (strcmp(dst, again) != 0)
		ctl_fail(CTL_EXIT_BAD_ARGS, "given passwords are different");
	explicit_bzero(again, sizeof(again));
}

/* The new password of user add (no name:password given) or passwd. */
static void
user_read_password(const char *name, char *dst, size_t cap)
{
	if (user_interactive)
		user_ask_password(name, dst, cap);
	else
		askpass_scan(dst, cap);
}

int
user_add_run(int argc, char **argv)
{
	char read[AUTH_PASSWORD_BYTES_MAX] = "";
	const char *password = "";
	struct pbout req = { 0 }, opts = { 0 };
	struct gc_result r;
	char *name, *colon;
	struct pbv resp;

	if (argc != 1)
		ctl_fail(CTL_EXIT_BAD_ARGS, "user add command requires user name as its argument");
	name = argv[0];
	if (!user_no_password && user_new_password[0] != '\0') {
		password = user_new_password;
	} else if (!user_no_password && (colon = strchr(name, ':')) != NULL) {
		*colon = '\0';
		password = colon + 1;
		if (name[0] == '\0')
			ctl_fail(CTL_EXIT_BAD_ARGS, "empty user name is not allowed");
	} else if (!user_no_password) {
		user_read_password(name, read, sizeof(read));
		password = read;
	}
	client_open();
	auth_put_str(&req, USER_ADD_NAME, name);
	auth_put_str(&req, USER_ADD_PASSWORD, password);
	/* clientv3 always sends the options, empty or not. */
	if (user_no_password)
		pbout_varint(&opts, USER_OPTIONS_NO_PASSWORD, 1);
	pbout_msg(&req, USER_ADD_OPTIONS, &opts);
	pbout_close(&opts);
	explicit_bzero(read, sizeof(read));
	resp = auth_call(AUTH_PATH("UserAdd"), &req, CTL_RETRY_NEVER, &r);
	print_auth_done(global_format(), "etcdserverpb.AuthUserAddResponse", resp,
	    "User %s created\n", name);
	client_close();
	return CTL_EXIT_SUCCESS;
}

int
user_delete_run(int argc, char **argv)
{
	struct pbout req = { 0 };
	struct gc_result r;
	struct pbv resp;

	if (argc != 1)
		ctl_fail(CTL_EXIT_BAD_ARGS,
		    "user delete command requires user name as its argument");
	client_open();
	auth_put_str(&req, USER_NAME, argv[0]);
	resp = auth_call(AUTH_PATH("UserDelete"), &req, CTL_RETRY_NEVER, &r);
	print_auth_done(global_format(), "etcdserverpb.AuthUserDeleteResponse", resp,
	    "User %s deleted\n", argv[0]);
	client_close();
	return CTL_EXIT_SUCCESS;
}

int
user_get_run(int argc, char **argv)
{
	struct pbout req = { 0 };
	struct gc_result r;
	struct pbv resp, role;
	enum ctl_format f;
	uint8_t *copy;
	size_t off = 0;

	if (argc != 1)
		ctl_fail(CTL_EXIT_BAD_ARGS, "user get command requires user name as its argument");
	client_open();
	f = global_format();
	auth_put_str(&req, USER_NAME, argv[0]);
	resp = auth_call(AUTH_PATH("UserGet"), &req, CTL_RETRY_UNAVAILABLE, &r);
	if (!user_detail) {
		print_auth_user_get(f, argv[0], resp);
		client_close();
		return CTL_EXIT_SUCCESS;
	}
	/* Each granted role, got in turn (the answer is kept: the next
	 * call reuses r). */
	copy = xmalloc(resp.n + 1);
	if (resp.n > 0)
		memcpy(copy, resp.p, resp.n);
	resp = pbv_of(copy, resp.n);
	printf("User: %s\n", argv[0]);
	while (pbv_next(resp, USER_GET_ROLES, &off, &role)) {
		char *name = xmalloc(role.n + 1);

		memcpy(name, role.p, role.n);
		name[role.n] = '\0';
		putchar('\n');
		auth_put_str(&req, ROLE_GET_ROLE, name);
		print_auth_role_get(f, name,
		    auth_call(AUTH_PATH("RoleGet"), &req, CTL_RETRY_UNAVAILABLE, &r));
		free(name);
	}
	free(copy);
	client_close();
	return CTL_EXIT_SUCCESS;
}

int
user_list_run(int argc, char **argv)
{
	struct pbout none = { 0 };
	struct gc_result r;

	(void)argv;
	if (argc != 0)
		ctl_fail(CTL_EXIT_BAD_ARGS, "user list command requires no arguments");
	client_open();
	print_auth_user_list(global_format(),
	    auth_call(AUTH_PATH("UserList"), &none, CTL_RETRY_UNAVAILABLE, &r));
	client_close();
	return CTL_EXIT_SUCCESS;
}

int
user_passwd_run(int argc, char **argv)
{
	char password[AUTH_PASSWORD_BYTES_MAX];
	struct pbout req = { 0 };
	struct gc_result r;
	struct pbv resp;

	if (argc != 1)
		ctl_fail(CTL_EXIT_BAD_ARGS,
		    "user passwd command requires user name as its argument");
	user_read_password(argv[0], password, sizeof(password));
	client_open();
	auth_put_str(&req, USER_PASSWD_NAME, argv[0]);
	auth_put_str(&req, USER_PASSWD_PASSWORD, password);
	explicit_bzero(password, sizeof(password));
	resp = auth_call(AUTH_PATH("UserChangePassword"), &req, CTL_RETRY_NEVER, &r);
	print_auth_done(global_format(), "etcdserverpb.AuthUserChangePasswordResponse", resp,
	    "Password updated\n");
	client_close();
	return CTL_EXIT_SUCCESS;
}

int
user_grant_role_run(int argc, char **argv)
{
	struct pbout req = { 0 };
	struct gc_result r;
	struct pbv resp;

	if (argc != 2)
		ctl_fail(CTL_EXIT_BAD_ARGS, "user grant command requires user name and role name "
		    "as its argument");
	client_open();
	auth_put_str(&req, USER_GRANT_USER, argv[0]);
	auth_put_str(&req, USER_GRANT_ROLE, argv[1]);
	resp = auth_call(AUTH_PATH("UserGrantRole"), &req, CTL_RETRY_NEVER, &r);
	print_auth_done(global_format(), "etcdserverpb.AuthUserGrantRoleResponse", resp,
	    "Role %s is granted to user %s\n", argv[1], argv[0]);
	client_close();
	return CTL_EXIT_SUCCESS;
}

int
user_revoke_role_run(int argc, char **argv)
{
	struct pbout req = { 0 };
	struct gc_result r;
	struct pbv resp;

	if (argc != 2)
		ctl_fail(CTL_EXIT_BAD_ARGS, "user revoke-role requires user name and role name "
		    "as its argument");
	client_open();
	auth_put_str(&req, USER_REVOKE_NAME, argv[0]);
	auth_put_str(&req, USER_REVOKE_ROLE, argv[1]);
	resp = auth_call(AUTH_PATH("UserRevokeRole"), &req, CTL_RETRY_NEVER, &r);
	print_auth_done(global_format(), "etcdserverpb.AuthUserRevokeRoleResponse", resp,
	    "Role %s is revoked from user %s\n", argv[1], argv[0]);
	client_close();
	return CTL_EXIT_SUCCESS;
}
