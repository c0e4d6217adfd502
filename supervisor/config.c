/*
 * supervisor: builds the member's configuration the way etcd 3.4 does:
 * Go flag syntax on the command line, then ETCD_* variables for what the
 * command line left unset, or else only --config-file. Then it derives the
 * typed values cairn uses and notes every flag it does not implement yet.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "shared/assert.h"
#include "raftd/raft_types.h"
#include "shared/err.h"
#include "shared/frame.h"
#include "shared/go_quote.h"
#include "shared/raft_peer.h"
#include "shared/xmalloc.h"
#include "supervisor/config.h"
#include "supervisor/config_priv.h"
#include "supervisor/flags.h"

/* The data directory is "<name>" plus this, where etcd uses ".etcd". */
#define CONFIG_DATA_DIR_SUFFIX ".cairn"

/* The index of a flag cairn's code names; a typo is a programmer error. */
static size_t
flag_index(const char *name)
{
	int idx = flags_find(name, strlen(name));

	CAIRN_ASSERT(idx >= 0);
	return (size_t)idx;
}

const char *
config_value(const struct config *cfg, size_t idx)
{
	CAIRN_ASSERT(idx < flags_count);
	if (cfg->entries == NULL || cfg->entries[idx].value == NULL)
		return flags_table[idx].def;
	return cfg->entries[idx].value;
}

static const char *
value_of(const struct config *cfg, const char *name)
{
	return config_value(cfg, flag_index(name));
}

void
config_entry_set(struct config *cfg, size_t idx, const char *val,
    enum config_source src)
{
	struct config_entry *e;
	bool b;

	CAIRN_ASSERT(idx < cfg->entries_len);
	CAIRN_ASSERT(val != NULL);
	e = &cfg->entries[idx];
	free(e->value);
	if (flags_table[idx].type == FLAG_T_BOOL) {
		CAIRN_ASSERT(flags_parse_bool(val, &b) == 0);
		val = b ? "true" : "false";
	}
	e->value = xstrdup(val);
	e->src = src;
}

void
config_notice(struct config *cfg, const char *fmt, ...)
{
	va_list ap;

	CAIRN_ASSERT(cfg->notices_len <= CONFIG_NOTICES_MAX);
	if (cfg->notices_len == CONFIG_NOTICES_MAX)
		return;
	if (cfg->notices_len == CONFIG_NOTICES_MAX - 1) {
		snprintf(cfg->notices[cfg->notices_len++], CONFIG_NOTICE_BYTES_MAX,
		    "more than %d configuration notices; the rest were dropped",
		    CONFIG_NOTICES_MAX - 1);
		return;
	}
	va_start(ap, fmt);
	vsnprintf(cfg->notices[cfg->notices_len++], CONFIG_NOTICE_BYTES_MAX, fmt, ap);
	va_end(ap);
}

/* Stores 'val' for flag 'f' given as argv "-name"; etcd's messages. */
static int
argv_set(struct config *cfg, size_t idx, const char *val, char *err,
    size_t errlen)
{
	const struct flag_def *f = &flags_table[idx];
	char why[FLAGS_WHY_BYTES_MAX], q[FLAGS_WHY_BYTES_MAX];

	if (flags_check(f, val, why, sizeof(why)) != 0) {
		go_quote(q, sizeof(q), val);
		if (flags_is_boolish(f))
			snprintf(err, errlen, "invalid boolean value %s for -%s: %s", q, f->name, why);
		else
			snprintf(err, errlen, "invalid value %s for flag -%s: %s", q, f->name, why);
		return CAIRN_EINVAL;
	}
	config_entry_set(cfg, idx, val, CONFIG_SRC_FLAG);
	return 0;
}

/*
 * Go's flag.FlagSet.parseOne: reads the flag at argv[*i] and moves *i past
 * it and its value. Sets *done at the first argument that is not a flag
 * (after consuming a "--"), or at -h/-help, which etcd answers at once.
 */
static int
argv_one(struct config *cfg, int argc, char *const argv[], int *i,
    bool *done, char *err, size_t errlen)
{
	const char *s = argv[*i], *name = s + 1, *eq, *val;
	size_t nlen;
	int idx;

	if (strlen(s) < 2 || s[0] != '-') {
		*done = true;
		return 0;
	}
	if (*name == '-' && *++name == '\0') {
		(*i)++;
		*done = true;
		return 0;
	}
	if (*name == '-' || *name == '=') {
		snprintf(err, errlen, "bad flag syntax: %s", s);
		return CAIRN_EINVAL;
	}
	eq = strchr(name, '=');
	nlen = eq != NULL ? (size_t)(eq - name) : strlen(name);
	if ((idx = flags_find(name, nlen)) < 0) {
		if ((nlen == 4 && memcmp(name, "help", 4) == 0) || (nlen == 1 && *name == 'h')) {
			cfg->action = CONFIG_SHOW_HELP;
			*done = true;
			return 0;
		}
		snprintf(err, errlen, "flag provided but not defined: -%.*s", (int)nlen, name);
		return CAIRN_EINVAL;
	}
	/* A boolean takes only "--flag" or "--flag=value". */
	if (eq != NULL)
		val = eq + 1;
	else if (flags_is_boolish(&flags_table[idx]))
		val = "true";
	else if (*i + 1 < argc)
		val = argv[++*i];
	else {
		snprintf(err, errlen, "flag needs an argument: -%s", flags_table[idx].name);
		return CAIRN_EINVAL;
	}
	(*i)++;
	return argv_set(cfg, (size_t)idx, val, err, errlen);
}

/* The command line, then etcd's refusal of a positional argument. */
static int
config_argv(struct config *cfg, int argc, char *const argv[], char *err,
    size_t errlen)
{
	bool done = false;
	int i = 1, rc;

	while (i < argc && !done) {
		if ((rc = argv_one(cfg, argc, argv, &i, &done, err, errlen)) != 0)
			return rc;
	}
	if (cfg->action == CONFIG_SHOW_HELP || i >= argc)
		return 0;
	/* etcd runs its gateway and grpc-proxy commands from argv[1]. */
	if (i == 1 && (strcmp(argv[1], "gateway") == 0 || strcmp(argv[1], "grpc-proxy") == 0))
		snprintf(err, errlen, "the '%s' command is not supported yet", argv[1]);
	else
		snprintf(err, errlen, "'%s' is not a valid flag", argv[i]);
	return CAIRN_EINVAL;
}

/* With a config file etcd ignores every other flag: back to defaults,
 * except the flags that chose this path. */
static void
config_reset_for_file(struct config *cfg)
{
	size_t keep_file = flag_index("config-file");

	for (size_t i = 0; i < cfg->entries_len; i++) {
		if (i == keep_file)
			continue;
		free(cfg->entries[i].value);
		cfg->entries[i].value = NULL;
		cfg->entries[i].src = CONFIG_SRC_DEFAULT;
	}
}

/* --config-file (or ETCD_CONFIG_FILE) replaces flags and variables. */
static int
config_sources(struct config *cfg, char *const envp[], char *err,
    size_t errlen)
{
	size_t idx = flag_index("config-file");
	const char *path = config_value(cfg, idx), *env;
	char q[FLAGS_WHY_BYTES_MAX];

	if (*path == '\0' && (env = env_get(envp, "ETCD_CONFIG_FILE")) != NULL &&
	    *env != '\0') {
		if (strlen(env) >= FLAGS_VALUE_BYTES_MAX) {
			snprintf(err, errlen, "ETCD_CONFIG_FILE is longer than %u bytes",
			    FLAGS_VALUE_BYTES_MAX - 1);
			return CAIRN_EINVAL;
		}
		config_entry_set(cfg, idx, env, CONFIG_SRC_ENV);
		path = config_value(cfg, idx);
	}
	if (*path == '\0')
		return env_apply(cfg, envp, err, errlen);
	config_reset_for_file(cfg);
	go_quote(q, sizeof(q), path);
	config_notice(cfg, "Loading server configuration from %s. Other configuration "
	    "command line flags and environment variables will be ignored if provided.", q);
	return config_yaml_load(cfg, path, err, errlen);
}

/* Formats a bad value found after the fact, naming where it came from. */
static int
value_error(const struct config *cfg, size_t idx, const char *why, char *err,
    size_t errlen)
{
	const struct flag_def *f = &flags_table[idx];
	char q[FLAGS_WHY_BYTES_MAX], env[FLAGS_ENV_BYTES_MAX];

	go_quote(q, sizeof(q), config_value(cfg, idx));
	flags_env_name(f, env, sizeof(env));
	switch (cfg->entries[idx].src) {
	case CONFIG_SRC_ENV:
		snprintf(err, errlen, "invalid value %s for %s: %s", q, env, why);
		break;
	case CONFIG_SRC_FILE:
		snprintf(err, errlen, "invalid value %s for key %s in %s: %s", q,
		    f->name, value_of(cfg, "config-file"), why);
		break;
	default:
		snprintf(err, errlen, "invalid value %s for flag -%s: %s", q, f->name, why);
		break;
	}
	return CAIRN_EINVAL;
}

/* Resolves one --<proc>-user into 'u'. The value was checked when it was
 * set; only a change in the user database since then fails here. */
static int
finish_user(struct config *cfg, const char *flag, struct config_user *u,
    char *err, size_t errlen)
{
	size_t idx = flag_index(flag);
	const char *spec = config_value(cfg, idx);
	char why[FLAGS_WHY_BYTES_MAX];

	memset(u, 0, sizeof(*u));
	if (*spec == '\0')
		return 0;
	CAIRN_ASSERT(strlen(spec) < sizeof(u->spec));
	if (flags_user_resolve(spec, &u->uid, &u->gid, why, sizeof(why)) != 0)
		return value_error(cfg, idx, why, err, errlen);
	snprintf(u->spec, sizeof(u->spec), "%s", spec);
	u->set = true;
	return 0;
}

/* The log level: --debug wins, as with etcd's capnslog logger. */
static void
finish_log_level(struct config *cfg)
{
	const char *level = value_of(cfg, "log-level");
	bool debug = false;

	CAIRN_ASSERT(flags_parse_bool(value_of(cfg, "debug"), &debug) == 0);
	if (strcmp(level, "dpanic") == 0)
		cfg->log_level = LOG_PANIC; /* cairn has no dpanic level */
	else
		CAIRN_ASSERT(log_level_parse(level, &cfg->log_level) == 0);
	if (debug)
		cfg->log_level = LOG_DEBUG;
}

/* etcd's default initial cluster is "<name>=<each advertised peer URL>",
 * and empty when a discovery method is given instead. */
static void
finish_initial_cluster(struct config *cfg)
{
	size_t idx = flag_index("initial-cluster");
	char *urls, *rest, *u, *out;
	size_t cap, len = 0;

	if (cfg->entries[idx].src != CONFIG_SRC_DEFAULT)
		return;
	if (*value_of(cfg, "discovery") != '\0' || *value_of(cfg, "discovery-srv") != '\0' ||
	    *value_of(cfg, "discovery-srv-name") != '\0') {
		config_entry_set(cfg, idx, "", CONFIG_SRC_DEFAULT);
		return;
	}
	urls = rest = xstrdup(value_of(cfg, "initial-advertise-peer-urls"));
	cap = strlen(urls) + 1;
	for (const char *p = urls; p != NULL; p = strchr(p + 1, ','))
		cap += strlen(cfg->name) + 2; /* "name=" and a comma per URL */
	out = xcalloc(1, cap);
	while ((u = strsep(&rest, ",")) != NULL) {
		if (*u == '\0')
			continue;
		len += (size_t)snprintf(out + len, cap - len, "%s%s=%s",
		    len > 0 ? "," : "", cfg->name, u);
		CAIRN_ASSERT(len < cap);
	}
	config_entry_set(cfg, idx, out, CONFIG_SRC_DEFAULT);
	free(out);
	free(urls);
}

/* One notice per flag that is set but not acted on yet. */
static void
finish_notices(struct config *cfg)
{
	const char *outputs = value_of(cfg, "log-outputs");
	char *copy, *rest, *o;

	for (size_t i = 0; i < cfg->entries_len; i++) {
		const struct flag_def *f = &flags_table[i];

		if (cfg->entries[i].src == CONFIG_SRC_DEFAULT || (f->flags & FLAG_F_IMPLEMENTED))
			continue;
		if (f->type == FLAG_T_IGNORED)
			config_notice(cfg, "flag \"-%s\" is no longer supported - ignoring.", f->name);
		else
			config_notice(cfg, "--%s is not supported yet", f->name);
	}
	copy = rest = xstrdup(outputs);
	while ((o = strsep(&rest, ",")) != NULL) {
		if (strcmp(o, "default") != 0 && strcmp(o, "stderr") != 0) {
			config_notice(cfg, "--log-outputs=%s is not supported yet; cairn logs to stderr",
			    outputs);
			break;
		}
	}
	free(copy);
}

/* etcd's bound on --election-timeout (embed.Config.Validate). */
#define CONFIG_ELECTION_MS_MAX 50000

static uint64_t
finish_uint(const struct config *cfg, const char *flag)
{
	const char *reason;
	uint64_t v;

	CAIRN_ASSERT(flags_parse_uint(value_of(cfg, flag), UINT64_MAX, &v, &reason) == 0);
	return v;
}

/* --max-request-bytes bounds a Raft entry (with RAFT_ENTRY_ENVELOPE_BYTES
 * of envelope); one such entry, in its peer message, must fit a ring. */
static int
finish_request_bytes(struct config *cfg, char *err, size_t errlen)
{
	uint64_t req = finish_uint(cfg, "max-request-bytes"), need;

	if (req == 0 || req + RAFT_ENTRY_ENVELOPE_BYTES > RAFT_ENTRY_BYTES_MAX) {
		snprintf(err, errlen, "--max-request-bytes %llu is out of range: cairn takes 1 to %u",
		    (unsigned long long)req, RAFT_ENTRY_BYTES_MAX - RAFT_ENTRY_ENVELOPE_BYTES);
		return CAIRN_EINVAL;
	}
	need = frame_ring_bytes((uint32_t)(RAFT_PEER_MSG_OVERHEAD_BYTES + req + RAFT_ENTRY_ENVELOPE_BYTES));
	if (cfg->ring_bytes < need) {
		uint64_t ring = CONFIG_RING_BYTES_MIN;

		while (ring < need)
			ring *= 2;
		snprintf(err, errlen, "--ipc-ring-bytes %u is too small for --max-request-bytes "
		    "%llu: give at least %llu", cfg->ring_bytes, (unsigned long long)req,
		    (unsigned long long)ring);
		return CAIRN_EINVAL;
	}
	cfg->max_request_bytes = (uint32_t)req;
	return 0;
}

/* The Raft timings, with etcd's checks and messages. */
static int
finish_raft(struct config *cfg, char *err, size_t errlen)
{
	uint64_t hb = finish_uint(cfg, "heartbeat-interval");
	uint64_t el = finish_uint(cfg, "election-timeout");
	const char *reason;

	CAIRN_ASSERT(flags_parse_bool(value_of(cfg, "pre-vote"), &cfg->pre_vote) == 0);
	CAIRN_ASSERT(flags_parse_bool(value_of(cfg, "strict-reconfig-check"),
	    &cfg->strict_reconfig_check) == 0);
	cfg->snapshot_count = finish_uint(cfg, "snapshot-count");
	cfg->catchup_entries = finish_uint(cfg, "experimental-snapshot-catchup-entries");
	CAIRN_ASSERT(flags_parse_int(value_of(cfg, "quota-backend-bytes"),
	    &cfg->quota_backend_bytes, &reason) == 0);
	if (hb == 0 || 5 * hb > el) {
		snprintf(err, errlen, "error verifying flags, --election-timeout[%llums] should be "
		    "at least as 5 times as --heartbeat-interval[%llums]. See 'cairn --help'.",
		    (unsigned long long)el, (unsigned long long)hb);
		return CAIRN_EINVAL;
	}
	if (el > CONFIG_ELECTION_MS_MAX) {
		snprintf(err, errlen, "error verifying flags, --election-timeout[%llums] is too long, "
		    "and should be set less than %dms. See 'cairn --help'.",
		    (unsigned long long)el, CONFIG_ELECTION_MS_MAX);
		return CAIRN_EINVAL;
	}
	cfg->heartbeat_ms = (uint32_t)hb;
	cfg->election_ms = (uint32_t)el;
	return finish_request_bytes(cfg, err, errlen);
}

/* netd's limits on a client's requests. etcd takes any Go uint for
 * --max-txn-ops; more than UINT32_MAX operations can never fit a request,
 * so the bound changes nothing. */
static void
finish_limits(struct config *cfg)
{
	uint64_t ops = finish_uint(cfg, "max-txn-ops"), ttl = finish_uint(cfg, "auth-token-ttl");
	const char *reason;
	uint64_t streams;

	cfg->max_txn_ops = ops > UINT32_MAX ? UINT32_MAX : (uint32_t)ops;
	CAIRN_ASSERT(flags_parse_uint(value_of(cfg, "max-concurrent-streams"), UINT32_MAX,
	    &streams, &reason) == 0);
	cfg->max_concurrent_streams = (uint32_t)streams;
	/* etcd takes any uint; beyond a day a token outlives any sane session. */
	cfg->auth_token_ttl = ttl > CONFIG_TOKEN_TTL_MAX ? CONFIG_TOKEN_TTL_MAX : (uint32_t)ttl;
}

/* The typed values, from the final text of every flag. */
static int
config_finish(struct config *cfg, char *err, size_t errlen)
{
	const char *name = value_of(cfg, "name"), *dir = value_of(cfg, "data-dir");
	const char *reason;
	uint64_t ring;
	int rc;

	CAIRN_ASSERT(strlen(name) < sizeof(cfg->name));
	snprintf(cfg->name, sizeof(cfg->name), "%s", name);
	if (*dir == '\0') {
		snprintf(cfg->data_dir, sizeof(cfg->data_dir), "%s%s", name,
		    CONFIG_DATA_DIR_SUFFIX);
		config_entry_set(cfg, flag_index("data-dir"), cfg->data_dir, CONFIG_SRC_DEFAULT);
	} else {
		CAIRN_ASSERT(strlen(dir) < sizeof(cfg->data_dir));
		snprintf(cfg->data_dir, sizeof(cfg->data_dir), "%s", dir);
	}
	finish_log_level(cfg);
	CAIRN_ASSERT(flags_parse_uint(value_of(cfg, "ipc-ring-bytes"),
	    CONFIG_RING_BYTES_MAX, &ring, &reason) == 0);
	cfg->ring_bytes = (uint32_t)ring;
	if ((rc = finish_user(cfg, "netd-user", &cfg->netd_user, err, errlen)) != 0 ||
	    (rc = finish_user(cfg, "raftd-user", &cfg->raftd_user, err, errlen)) != 0 ||
	    (rc = finish_user(cfg, "stored-user", &cfg->stored_user, err, errlen)) != 0)
		return rc;
	CAIRN_ASSERT(strlen(value_of(cfg, "netd-chroot")) < sizeof(cfg->netd_chroot));
	snprintf(cfg->netd_chroot, sizeof(cfg->netd_chroot), "%s", value_of(cfg, "netd-chroot"));
	if ((rc = finish_raft(cfg, err, errlen)) != 0)
		return rc;
	finish_limits(cfg);
	finish_initial_cluster(cfg);
	finish_notices(cfg);
	return 0;
}

int
config_parse(struct config *cfg, int argc, char *const argv[],
    char *const envp[], char *err, size_t errlen)
{
	bool version = false;
	int rc;

	CAIRN_ASSERT(cfg != NULL);
	CAIRN_ASSERT(argc >= 1);
	CAIRN_ASSERT(err != NULL);
	CAIRN_ASSERT(errlen > 0);
	memset(cfg, 0, sizeof(*cfg));
	err[0] = '\0';
	cfg->entries = xcalloc(flags_count, sizeof(*cfg->entries));
	cfg->entries_len = flags_count;
	if ((rc = config_argv(cfg, argc, argv, err, errlen)) != 0)
		return rc;
	if (cfg->action == CONFIG_SHOW_HELP)
		return 0;
	/* As etcd: --version is answered after the whole command line parsed,
	 * before any variable or file is read. */
	CAIRN_ASSERT(flags_parse_bool(value_of(cfg, "version"), &version) == 0);
	if (version) {
		cfg->action = CONFIG_SHOW_VERSION;
		return 0;
	}
	if ((rc = config_sources(cfg, envp, err, errlen)) != 0)
		return rc;
	return config_finish(cfg, err, errlen);
}

void
config_free(struct config *cfg)
{
	CAIRN_ASSERT(cfg != NULL);
	CAIRN_ASSERT(cfg->entries != NULL || cfg->entries_len == 0);
	for (size_t i = 0; i < cfg->entries_len; i++)
		free(cfg->entries[i].value);
	free(cfg->entries);
	memset(cfg, 0, sizeof(*cfg));
}

const char *
config_get(const struct config *cfg, const char *flag, enum config_source *src)
{
	int idx;

	CAIRN_ASSERT(cfg != NULL);
	CAIRN_ASSERT(flag != NULL);
	if ((idx = flags_find(flag, strlen(flag))) < 0)
		return NULL;
	if (src != NULL)
		*src = cfg->entries != NULL ? cfg->entries[idx].src : CONFIG_SRC_DEFAULT;
	return config_value(cfg, (size_t)idx);
}

void
config_usage(FILE *fp)
{
	flags_usage(fp);
}
