/*
 * cairnctl: lock and elect (etcdctl's lock_command.go, elect_command.go):
 * a named lock held until SIGINT/SIGTERM or while a command runs, and
 * leader election (campaign, or -l to observe), over clientv3's
 * concurrency recipes (ctl/recipe.c) on a session (ctl/session.c).
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctl/commands.h"
#include "ctl/goexec.h"
#include "ctl/print.h"
#include "ctl/recipe.h"
#include "ctl/session.h"
#include "shared/assert.h"
#include "shared/xmalloc.h"

/* Room for "ETCD_LOCK_REV=<int64>". */
#define LOCK_ENV_REV_BYTES 48
/* RangeResponse's kvs (rpc.proto). */
#define LOCK_RANGE_KVS 2

static int64_t lock_ttl;
static bool elect_listen;

struct ctl_flag lock_flags[] = {
	{ "ttl", 0, CTL_FLAG_INT64, "10", "timeout for session", &lock_ttl, false },
	{ 0 },
};

struct ctl_flag elect_flags[] = {
	{ "listen", 'l', CTL_FLAG_BOOL, "false", "observation mode", &elect_listen, false },
	{ 0 },
};

/* Flushed at once: etcdctl writes each answer unbuffered, and is often
 * read while it still runs. */
static void
lock_print_get(struct pbv resp)
{
	print_range(global_format(), resp, false);
	fflush(stdout);
}

/* Waits for an interrupt (etcdctl's donec) or the session's end. */
static void
lock_wait(void)
{
	while (!session_interrupted() && !session_done())
		session_wait();
}

/* lockUntilSignal with a command: it runs while the lock is held, the
 * lock is released, and its failure (or the release's) is the error. */
static void
lock_exec(struct recipe_mutex *m, int argc, char **argv)
{
	char rev_env[LOCK_ENV_REV_BYTES];
	char err[GOEXEC_ERR_BYTES_MAX], uerr[RECIPE_ERR_BYTES_MAX];
	size_t klen = strlen("ETCD_LOCK_KEY=") + strlen(m->key) + 1;
	char *key_env = xmalloc(klen);
	char *extra[3] = { key_env, rev_env, NULL };
	char **cmd = xcalloc((size_t)argc + 1, sizeof(*cmd));
	int rc;

	for (int i = 0; i < argc; i++)
		cmd[i] = argv[i];
	snprintf(key_env, klen, "ETCD_LOCK_KEY=%s", m->key);
	snprintf(rev_env, sizeof(rev_env), "ETCD_LOCK_REV=%" PRId64, m->hdr_rev);
	rc = goexec_run(client_base(), cmd, extra, false, err, sizeof(err));
	free(cmd);
	free(key_env);
	if (recipe_unlock(m, uerr, sizeof(uerr)) != 0 && rc == 0)
		ctl_fail(CTL_EXIT_ERROR, "%s", uerr);
	if (rc != 0)
		ctl_fail(CTL_EXIT_ERROR, "%s", err);
}

int
lock_run(int argc, char **argv)
{
	char err[RECIPE_ERR_BYTES_MAX];
	struct recipe_mutex m = { 0 };
	struct gc_result r;

	if (argc == 0)
		ctl_fail(CTL_EXIT_BAD_ARGS, "lock takes a lock name argument and an optional "
		    "command to execute");
	client_open();
	if (session_open(lock_ttl, err, sizeof(err)) != 0)
		ctl_fail(CTL_EXIT_ERROR, "%s", err);
	session_catch_signals();
	if (recipe_lock(&m, argv[0], err, sizeof(err)) != 0)
		ctl_fail(CTL_EXIT_ERROR, "%s", err);
	if (argc > 1) {
		lock_exec(&m, argc - 1, argv + 1);
		recipe_mutex_close(&m);
		client_close();
		return CTL_EXIT_SUCCESS;
	}
	if (recipe_get(m.key, &r, err, sizeof(err)) != 0)
		ctl_fail(CTL_EXIT_ERROR, "%s", err);
	if (pbv_count(pbv_of(r.msg, r.len), LOCK_RANGE_KVS) == 0)
		ctl_fail(CTL_EXIT_ERROR, "lock lost on init");
	lock_print_get(pbv_of(r.msg, r.len));
	lock_wait();
	if (!session_interrupted())
		ctl_fail(CTL_EXIT_ERROR, "session expired");
	if (recipe_unlock(&m, err, sizeof(err)) != 0)
		ctl_fail(CTL_EXIT_ERROR, "%s", err);
	recipe_mutex_close(&m);
	client_close();
	return CTL_EXIT_SUCCESS;
}

static void
elect_print(void *arg, struct pbv resp)
{
	(void)arg;
	lock_print_get(resp);
}

/* etcdctl's observe. */
static void
elect_observe(const char *name)
{
	char err[RECIPE_ERR_BYTES_MAX];

	if (session_open(SESSION_TTL_DEFAULT, err, sizeof(err)) != 0)
		ctl_fail(CTL_EXIT_ERROR, "%s", err);
	session_catch_signals();
	if (recipe_observe(name, elect_print, NULL) != 0)
		ctl_fail(CTL_EXIT_ERROR, "elect: observer lost");
}

/* etcdctl's campaign. */
static void
elect_campaign(const char *name, const char *prop)
{
	char err[RECIPE_ERR_BYTES_MAX];
	struct recipe_election e = { 0 };
	struct gc_result r;

	if (session_open(SESSION_TTL_DEFAULT, err, sizeof(err)) != 0)
		ctl_fail(CTL_EXIT_ERROR, "%s", err);
	session_catch_signals();
	if (recipe_campaign(&e, name, prop, err, sizeof(err)) != 0)
		ctl_fail(CTL_EXIT_ERROR, "%s", err);
	if (recipe_get(e.key, &r, err, sizeof(err)) != 0)
		ctl_fail(CTL_EXIT_ERROR, "%s", err);
	lock_print_get(pbv_of(r.msg, r.len));
	lock_wait();
	if (!session_interrupted())
		ctl_fail(CTL_EXIT_ERROR, "elect: session expired");
	if (recipe_resign(&e, err, sizeof(err)) != 0)
		ctl_fail(CTL_EXIT_ERROR, "%s", err);
	recipe_election_close(&e);
}

int
elect_run(int argc, char **argv)
{
	if (argc != 1 && argc != 2)
		ctl_fail(CTL_EXIT_BAD_ARGS, "elect takes one election name argument and an optional "
		    "proposal argument");
	client_open();
	if (argc == 1) {
		if (!elect_listen)
			ctl_fail(CTL_EXIT_BAD_ARGS, "no proposal argument but -l not set");
		elect_observe(argv[0]);
	} else {
		if (elect_listen)
			ctl_fail(CTL_EXIT_BAD_ARGS, "proposal given but -l is set");
		elect_campaign(argv[0], argv[1]);
	}
	client_close();
	return CTL_EXIT_SUCCESS;
}
