/*
 * cairn: the supervisor. Parses etcd's flags, environment and config file,
 * lays out the data dir, then fork+execs cairn-netd, cairn-raftd and
 * cairn-stored with their channels and restarts whichever dies. It never
 * parses network input.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <limits.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "shared/err.h"
#include "shared/log.h"
#include "shared/assert.h"
#include "shared/cipher_suites.h"
#include "shared/jwt.h"
#include "supervisor/flags.h"
#include "supervisor/members.h"
#include "supervisor/supervisor.h"

extern char **environ;

static void
print_version(void)
{
	struct utsname u;

	uname(&u);
	printf("cairn Version: %s\n", PACKAGE_VERSION);
	printf("etcd API Version: %s\n", CAIRN_ETCD_API_VERSION);
	printf("OS/Arch: linux/%s\n", strcmp(u.machine, "x86_64") == 0 ? "amd64" : u.machine);
}

/* Checks what the parser cannot: identities need root to be taken. */
static int
check_identity(const struct config *cfg, char *err, size_t errlen)
{
	static const char *const flags[] = {"netd-user", "raftd-user", "stored-user"};
	const struct config_user *users[] = {&cfg->netd_user, &cfg->raftd_user, &cfg->stored_user};

	for (int i = 0; i < 3; i++) {
		if (users[i]->set && geteuid() != 0) {
			snprintf(err, errlen, "--%s needs cairn to be started as root", flags[i]);
			return CAIRN_EINVAL;
		}
	}
	return 0;
}

/* As etcd: once a member has a WAL, the bootstrap flags no longer
 * matter (raftd takes who it is from the WAL), so their errors do not. */
static bool
has_wal(const struct config *cfg)
{
	char path[PATH_MAX + 16];
	struct stat st;

	snprintf(path, sizeof(path), "%s/member/wal", cfg->data_dir);
	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

/* The bootstrap membership; none (and no error) when a WAL exists and
 * the flags do not make sense any more. */
static int
bootstrap_members(const struct config *cfg, struct members *ms, char *err, size_t errlen)
{
	if (members_from_config(cfg, ms, err, errlen) == 0)
		return 0;
	memset(ms, 0, sizeof(*ms));
	return has_wal(cfg) ? 0 : CAIRN_EINVAL;
}

/* What raftd needs beyond the common part (stored reads the timings:
 * etcd's minimum lease TTL follows from them). */
static void
child_raft_config(const struct config *cfg, const struct members *ms, bool join,
    cairn_ipc_RaftConfig *rc)
{
	rc->join = join;
	if (ms->n > 0) {
		rc->member_id = ms->m[ms->self].id;
		rc->cluster_id = ms->cluster_id;
	}
	for (size_t i = 0; i < ms->n; i++)
		rc->members[rc->members_count++] = ms->m[i].id;
	rc->heartbeat_ms = cfg->heartbeat_ms;
	rc->election_ms = cfg->election_ms;
	rc->snapshot_count = cfg->snapshot_count;
	rc->catchup_entries = cfg->catchup_entries;
	rc->pre_vote = cfg->pre_vote;
	rc->max_request_bytes = cfg->max_request_bytes;
}

/* A TLS file's path for netd, which reads it from another directory:
 * made absolute ("" stays ""). */
static void
tls_path(char *out, size_t cap, const char *path)
{
	char cwd[PATH_MAX];
	int n;

	if (path == NULL || path[0] == '\0' || path[0] == '/' || getcwd(cwd, sizeof(cwd)) == NULL)
		n = -1;
	else
		n = snprintf(out, cap, "%s/%s", cwd, path);
	if (n < 0 || (size_t)n >= cap) /* too long: netd says what it cannot open */
		snprintf(out, cap, "%s", path != NULL ? path : "");
}

/* etcd's check: an https client (peer) URL needs a certificate and its
 * key, or --auto-tls (--peer-auto-tls). And cairn's own: no https metrics
 * URL yet. */
static bool
listeners_refused(const struct config *cfg, const struct listen_set *ls)
{
	bool none = config_get(cfg, "cert-file", NULL)[0] == '\0' &&
	    config_get(cfg, "key-file", NULL)[0] == '\0', self, peer_none;

	/* --auto-tls makes the certificate first, as etcd's ClientSelfCert. */
	CAIRN_ASSERT(flags_parse_bool(config_get(cfg, "auto-tls", NULL), &self) == 0);
	none = none && !self;
	CAIRN_ASSERT(flags_parse_bool(config_get(cfg, "peer-auto-tls", NULL), &self) == 0);
	peer_none = config_get(cfg, "peer-cert-file", NULL)[0] == '\0' &&
	    config_get(cfg, "peer-key-file", NULL)[0] == '\0' && !self;

	for (size_t i = 0; i < ls->len; i++) {
		if (ls->socks[i].info.tls && ls->socks[i].info.kind ==
		    cairn_ipc_Listener_Kind_METRICS) {
			log_errorx("%s: cairn serves --listen-metrics-urls over http only, for now",
			    ls->socks[i].info.url);
			return true;
		}
		if (peer_none && ls->socks[i].info.tls && ls->socks[i].info.kind ==
		    cairn_ipc_Listener_Kind_PEER) {
			log_errorx("TLS key/cert (--peer-cert-file, --peer-key-file) must be provided "
			    "for peer url %s with HTTPS scheme", ls->socks[i].info.url);
			return true;
		}
		if (none && ls->socks[i].info.tls && ls->socks[i].info.kind ==
		    cairn_ipc_Listener_Kind_CLIENT) {
			log_errorx("TLS key/cert (--cert-file, --key-file) must be provided for "
			    "client url %s with HTTPS scheme", ls->socks[i].info.url);
			return true;
		}
	}
	return false;
}

/* etcd's check of --cipher-suites, made at start whether TLS is used
 * or not. */
static bool
cipher_suites_bad(const struct config *cfg)
{
	int ids[CIPHER_SUITES_MAX + 1];
	char err[128];
	size_t n;

	if (cipher_suites_parse(config_get(cfg, "cipher-suites", NULL), ids, &n, err,
	    sizeof(err)) == 0)
		return false;
	log_errorx("%s", err);
	return true;
}

/* --advertise-client-urls for netd's publication. */
static void
child_client_urls(const struct config *cfg, cairn_ipc_NetdConfig *nc)
{
	static struct member urls; /* 2 KiB of URLs: off the stack */
	char err[256];

	CAIRN_STATIC_ASSERT(sizeof(nc->client_urls) / sizeof(nc->client_urls[0]) ==
	    MEMBER_URLS_MAX, "one bound for a member's URLs");
	if (members_parse_urls("advertise-client-urls", config_get(cfg, "advertise-client-urls",
	    NULL), "http://localhost:2379", &urls, err, sizeof(err)) != 0) {
		log_warnx("%s: the member publishes no client URLs", err);
		return;
	}
	for (size_t i = 0; i < urls.urls_len; i++)
		snprintf(nc->client_urls[nc->client_urls_count++], sizeof(nc->client_urls[0]), "%s",
		    urls.urls[i]);
}

/* What netd needs beyond the common part: its limits, TLS files, and how
 * many listening sockets follow its configuration. */
static void
child_netd_config(const struct config *cfg, const struct listen_set *ls,
    cairn_ipc_NetdConfig *nc)
{
	nc->listeners = (uint32_t)ls->len;
	nc->max_concurrent_streams = cfg->max_concurrent_streams;
	nc->max_request_bytes = cfg->max_request_bytes;
	nc->max_txn_ops = cfg->max_txn_ops;
	nc->request_timeout_ms = 5000 + 2 * cfg->election_ms;
	nc->election_ms = cfg->election_ms;
	tls_path(nc->cert_file, sizeof(nc->cert_file), config_get(cfg, "cert-file", NULL));
	tls_path(nc->key_file, sizeof(nc->key_file), config_get(cfg, "key-file", NULL));
	tls_path(nc->trusted_ca_file, sizeof(nc->trusted_ca_file),
	    config_get(cfg, "trusted-ca-file", NULL));
	tls_path(nc->client_crl_file, sizeof(nc->client_crl_file),
	    config_get(cfg, "client-crl-file", NULL));
	CAIRN_ASSERT(flags_parse_bool(config_get(cfg, "client-cert-auth", NULL),
	    &nc->client_cert_auth) == 0);
	snprintf(nc->cipher_suites, sizeof(nc->cipher_suites), "%s",
	    config_get(cfg, "cipher-suites", NULL));
	CAIRN_ASSERT(flags_parse_bool(config_get(cfg, "auto-tls", NULL), &nc->auto_tls) == 0);
	nc->auth_token_ttl = cfg->auth_token_ttl;
	snprintf(nc->auth_token, sizeof(nc->auth_token), "%s", config_get(cfg, "auth-token", NULL));
	child_client_urls(cfg, nc);
	tls_path(nc->peer_cert_file, sizeof(nc->peer_cert_file),
	    config_get(cfg, "peer-cert-file", NULL));
	tls_path(nc->peer_key_file, sizeof(nc->peer_key_file), config_get(cfg, "peer-key-file", NULL));
	tls_path(nc->peer_trusted_ca_file, sizeof(nc->peer_trusted_ca_file),
	    config_get(cfg, "peer-trusted-ca-file", NULL));
	tls_path(nc->peer_crl_file, sizeof(nc->peer_crl_file), config_get(cfg, "peer-crl-file", NULL));
	CAIRN_ASSERT(flags_parse_bool(config_get(cfg, "peer-client-cert-auth", NULL),
	    &nc->peer_client_cert_auth) == 0);
	CAIRN_ASSERT(flags_parse_bool(config_get(cfg, "peer-auto-tls", NULL),
	    &nc->peer_auto_tls) == 0);
	snprintf(nc->peer_cert_allowed_cn, sizeof(nc->peer_cert_allowed_cn), "%s",
	    config_get(cfg, "peer-cert-allowed-cn", NULL));
}

/* The bootstrap members as stored gets them. */
static void
child_members(struct supervisor *s, const struct members *ms)
{
	CAIRN_STATIC_ASSERT(sizeof(s->members) / sizeof(s->members[0]) == RAFT_MEMBERS_MAX,
	    "one bound for the bootstrap members");
	s->members_len = 0;
	for (size_t i = 0; i < ms->n; i++) {
		cairn_ipc_BootstrapMember *b = &s->members[s->members_len++];

		*b = (cairn_ipc_BootstrapMember)cairn_ipc_BootstrapMember_init_zero;
		b->id = ms->m[i].id;
		snprintf(b->name, sizeof(b->name), "%s", ms->m[i].name);
		for (size_t u = 0; u < ms->m[i].urls_len && u < MEMBER_URLS_MAX; u++)
			snprintf(b->peer_urls[b->peer_urls_count++], sizeof(b->peer_urls[0]), "%s",
			    ms->m[i].urls[u]);
	}
}

/* The part of the configuration each child gets. */
static void
child_configs(struct supervisor *s, const struct members *ms)
{
	const struct config *cfg = s->cfg;
	const struct config_user *users[PROC_COUNT] = {
		[PROC_NETD] = &cfg->netd_user,
		[PROC_RAFTD] = &cfg->raftd_user,
		[PROC_STORED] = &cfg->stored_user,
	};

	for (int p = PROC_NETD; p < PROC_COUNT; p++) {
		cairn_ipc_ChildConfig *cc = &s->children[p].cfg;

		*cc = (cairn_ipc_ChildConfig)cairn_ipc_ChildConfig_init_zero;
		snprintf(cc->name, sizeof(cc->name), "%s", cfg->name);
		snprintf(cc->data_dir, sizeof(cc->data_dir), "%s", cfg->data_dir);
		cc->log_level = (uint32_t)cfg->log_level;
		cc->ring_bytes = cfg->ring_bytes;
		cc->heartbeat_ms = SUPERVISOR_HEARTBEAT_MS;
		cc->drop_privs = users[p]->set;
		cc->uid = (uint32_t)users[p]->uid;
		cc->gid = (uint32_t)users[p]->gid;
		if (p == PROC_RAFTD || p == PROC_STORED) {
			cc->has_raft = true;
			child_raft_config(cfg, ms, s->join, &cc->raft);
		}
		/* stored writes them into a new store; netd dials their peer URLs. */
		if (p == PROC_STORED || p == PROC_NETD)
			cc->bootstrap_members = (uint32_t)s->members_len;
		if (p == PROC_NETD) {
			cc->has_netd = true;
			child_netd_config(cfg, &s->listeners, &cc->netd);
			cc->netd.join = s->joining;
		}
		if (p == PROC_STORED)
			cc->strict_reconfig_check = cfg->strict_reconfig_check;
		/* stored checks the quota at apply, netd before proposing. */
		if (p == PROC_NETD || p == PROC_STORED)
			cc->quota_backend_bytes = cfg->quota_backend_bytes;
		if (p == PROC_NETD && users[p]->set)
			snprintf(cc->chroot_dir, sizeof(cc->chroot_dir), "%s", cfg->netd_chroot);
		else if (geteuid() == 0 && !users[p]->set)
			log_warnx("%s runs as root: give --%s-user to separate it", proc_name(p), proc_name(p));
	}
}

void
supervisor_configure_children(struct supervisor *s)
{
	child_members(s, s->ms);
	child_configs(s, s->ms);
}

static void
log_start(const struct config *cfg)
{
	struct log_fields f;

	for (size_t i = 0; i < cfg->notices_len; i++)
		log_info("%s", cfg->notices[i]);
	log_fields_init(&f);
	log_field_str(&f, "cairn-version", PACKAGE_VERSION);
	log_field_str(&f, "etcd-api-version", CAIRN_ETCD_API_VERSION);
	log_field_str(&f, "name", cfg->name);
	log_field_str(&f, "data-dir", cfg->data_dir);
	log_infof(&f, "starting cairn");
}

/* etcd's check of --auth-token at start: its type, and for jwt its
 * options and keys (netd reads them again; these are wiped at once). */
static bool
auth_token_bad(const struct config *cfg)
{
	static struct jwt j;
	char err[512];
	int rc = jwt_init(&j, config_get(cfg, "auth-token", NULL), err, sizeof(err));

	jwt_free(&j);
	if (rc == 0)
		return false;
	log_errorx("%s", err);
	return true;
}

static int
run(const struct config *cfg, struct members *ms)
{
	static struct supervisor s;
	char err[LISTEN_ERR_BYTES_MAX];

	s.cfg = cfg;
	s.ms = ms;
	/* etcd asks the running cluster for its IDs before it writes a WAL. */
	s.joining = ms->n > 0 && !has_wal(cfg) &&
	    strcmp(config_get(cfg, "initial-cluster-state", NULL), "existing") == 0;
	listen_init(&s.listeners);
	for (int p = 0; p < PROC_COUNT; p++) {
		s.children[p].owner = &s;
		s.children[p].proc = (enum cairn_proc)p;
		chan_init(&s.children[p].ctl);
		restart_init(&s.children[p].policy);
	}
	if (spawn_find_exes(&s) != 0)
		return 1;
	log_start(cfg);
	/* As etcd: a bad or busy address stops the member before anything
	 * is written or started. */
	if (listen_add_urls(&s.listeners, cairn_ipc_Listener_Kind_PEER,
	    config_get(cfg, "listen-peer-urls", NULL), err, sizeof(err)) != 0 ||
	    listen_add_urls(&s.listeners, cairn_ipc_Listener_Kind_CLIENT,
	    config_get(cfg, "listen-client-urls", NULL), err, sizeof(err)) != 0 ||
	    listen_add_urls(&s.listeners, cairn_ipc_Listener_Kind_METRICS,
	    config_get(cfg, "listen-metrics-urls", NULL), err, sizeof(err)) != 0) {
		log_errorx("%s", err);
		listen_close(&s.listeners);
		return 1;
	}
	if (listeners_refused(cfg, &s.listeners) || cipher_suites_bad(cfg) || auth_token_bad(cfg)) {
		listen_close(&s.listeners);
		return 1;
	}
	if (datadir_prepare(cfg) != 0) {
		log_errorx("cannot prepare the data dir %s", cfg->data_dir);
		listen_close(&s.listeners);
		return 1;
	}
	supervisor_configure_children(&s);
	signal(SIGPIPE, SIG_IGN);
	s.base = event_base_new();
	if (s.base == NULL)
		fatalx("event_base_new");
	loop_setup(&s);
	/* Joining: netd alone until the cluster told its IDs (join.c). */
	for (int p = PROC_NETD; p < (s.joining ? PROC_NETD + 1 : PROC_COUNT) && !s.stopping; p++)
		if (spawn_child(&s, (enum cairn_proc)p) != 0)
			loop_stop(&s, 1);
	event_base_dispatch(s.base);
	listen_close(&s.listeners);
	log_info("stopped");
	return s.exit_status;
}

int
main(int argc, char **argv)
{
	static struct config cfg;
	static struct members ms;
	char err[512];
	int status;

	log_init("supervisor", LOG_INFO);
	if (config_parse(&cfg, argc, argv, environ, err, sizeof(err)) != 0 ||
	    check_identity(&cfg, err, sizeof(err)) != 0) {
		fprintf(stderr, "cairn: %s\n", err);
		config_free(&cfg);
		return 1;
	}
	if (cfg.action == CONFIG_SHOW_HELP) {
		config_usage(stdout);
		status = 0;
	} else if (cfg.action == CONFIG_SHOW_VERSION) {
		print_version();
		status = 0;
	} else if (bootstrap_members(&cfg, &ms, err, sizeof(err)) != 0) {
		fprintf(stderr, "cairn: %s\n", err);
		status = 1;
	} else {
		log_set_level(cfg.log_level);
		status = run(&cfg, &ms);
	}
	config_free(&cfg);
	return status;
}
