/*
 * supervisor: every etcd 3.4 server flag (etcdmain/config.go's flag set,
 * with the text of etcdmain/help.go) and cairn's own, and the per-type
 * checks of a value string. Integer, boolean and duration syntax follows
 * Go's strconv and time packages because etcd's flag package uses them.
 */
#include <ctype.h>
#include <grp.h>
#include <limits.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "shared/assert.h"
#include "shared/err.h"
#include "shared/go_quote.h"
#include "shared/url.h"
#include "shared/xmalloc.h"
#include "supervisor/config.h"
#include "supervisor/flags.h"

static const char *const state_choices[] = {"new", "existing", NULL};
static const char *const fallback_choices[] = {"exit", "proxy", NULL};
static const char *const proxy_choices[] = {"off", "readonly", "on", NULL};
static const char *const logger_choices[] = {"zap", "capnslog", NULL};
static const char *const compaction_choices[] = {"periodic", "revision", NULL};
static const char *const metrics_choices[] = {"basic", "extensive", NULL};
/* etcd's help lists six levels; pkg/logutil also takes "dpanic". */
static const char *const level_choices[] = {"debug", "info", "warn", "error",
	"dpanic", "panic", "fatal", NULL};
static const char *const freelist_choices[] = {"array", "map", NULL};

#define FL(n, t, g, fl, d, h)                                                  \
	.name = (n), .type = (t), .group = (g), .flags = (fl), .def = (d),     \
	.help = (h)

/* Shorthands for the common flag bits. */
#define IMPL FLAG_F_IMPLEMENTED
#define HIDE FLAG_F_HIDDEN
#define NOYAML FLAG_F_NO_YAML

/* etcd's flags that only warn that they are "no longer supported". */
#define IGNORED(n) {FL(n, FLAG_T_IGNORED, FLAG_G_DEPRECATED, HIDE | NOYAML, "", "")}

const struct flag_def flags_table[] = {
	{FL("config-file", FLAG_T_STRING, FLAG_G_GENERAL, IMPL | HIDE | NOYAML, "",
	    "Path to the server configuration file. Note that if a configuration file is provided, other command line flags and environment variables will be ignored.")},
	{FL("version", FLAG_T_BOOL, FLAG_G_GENERAL, IMPL | HIDE | NOYAML, "false",
	    "Print the version and exit.")},

	{FL("name", FLAG_T_STRING, FLAG_G_MEMBER, IMPL, "default",
	    "Human-readable name for this member."), .bytes_max = CONFIG_NAME_BYTES_MAX - 1},
	/* cairn's default differs from etcd's "${name}.etcd". */
	{FL("data-dir", FLAG_T_STRING, FLAG_G_MEMBER, IMPL, "",
	    "Path to the data directory."), .usage_def = "'${name}.cairn'", .bytes_max = PATH_MAX - 1},
	{FL("wal-dir", FLAG_T_STRING, FLAG_G_MEMBER, 0, "",
	    "Path to the dedicated wal directory.")},
	{FL("snapshot-count", FLAG_T_UINT, FLAG_G_MEMBER, IMPL, "100000",
	    "Number of committed transactions to trigger a snapshot to disk.")},
	{FL("heartbeat-interval", FLAG_T_UINT, FLAG_G_MEMBER, IMPL, "100",
	    "Time (in milliseconds) of a heartbeat interval.")},
	{FL("election-timeout", FLAG_T_UINT, FLAG_G_MEMBER, IMPL, "1000",
	    "Time (in milliseconds) for an election to timeout. See tuning documentation for details.")},
	{FL("initial-election-tick-advance", FLAG_T_BOOL, FLAG_G_MEMBER, 0, "true",
	    "Whether to fast-forward initial election ticks on boot for faster election.")},
	{FL("listen-peer-urls", FLAG_T_URLS, FLAG_G_MEMBER, IMPL, "http://localhost:2380",
	    "List of URLs to listen on for peer traffic."), .url_except = ""},
	{FL("listen-client-urls", FLAG_T_URLS, FLAG_G_MEMBER, IMPL, "http://localhost:2379",
	    "List of URLs to listen on for client traffic."), .url_except = ""},
	{FL("max-snapshots", FLAG_T_UINT, FLAG_G_MEMBER, 0, "5",
	    "Maximum number of snapshot files to retain (0 is unlimited).")},
	{FL("max-wals", FLAG_T_UINT, FLAG_G_MEMBER, 0, "5",
	    "Maximum number of wal files to retain (0 is unlimited).")},
	{FL("quota-backend-bytes", FLAG_T_INT, FLAG_G_MEMBER, 0, "0",
	    "Raise alarms when backend size exceeds the given quota (0 defaults to low space quota).")},
	{FL("backend-batch-interval", FLAG_T_DURATION, FLAG_G_MEMBER, 0, "0s",
	    "BackendBatchInterval is the maximum time before commit the backend transaction."),
	    .usage_def = "''"},
	{FL("backend-batch-limit", FLAG_T_INT, FLAG_G_MEMBER, 0, "0",
	    "BackendBatchLimit is the maximum operations before commit the backend transaction.")},
	{FL("max-txn-ops", FLAG_T_UINT, FLAG_G_MEMBER, IMPL, "128",
	    "Maximum number of operations permitted in a transaction.")},
	{FL("max-request-bytes", FLAG_T_UINT, FLAG_G_MEMBER, IMPL, "1572864",
	    "Maximum client request size in bytes the server will accept.")},
	{FL("max-concurrent-streams", FLAG_T_UINT32, FLAG_G_MEMBER, IMPL, "4294967295",
	    "Maximum concurrent streams that each client can open at a time."),
	    .usage_def = "'math.MaxUint32'"},
	{FL("grpc-keepalive-min-time", FLAG_T_DURATION, FLAG_G_MEMBER, 0, "5s",
	    "Minimum duration interval that a client should wait before pinging server.")},
	{FL("grpc-keepalive-interval", FLAG_T_DURATION, FLAG_G_MEMBER, 0, "2h",
	    "Frequency duration of server-to-client ping to check if a connection is alive (0 to disable).")},
	{FL("grpc-keepalive-timeout", FLAG_T_DURATION, FLAG_G_MEMBER, 0, "20s",
	    "Additional duration of wait before closing a non-responsive connection (0 to disable).")},
	{FL("enable-grpc-gateway", FLAG_T_BOOL, FLAG_G_MEMBER, HIDE, "true",
	    "Enable GRPC gateway.")},

	{FL("initial-advertise-peer-urls", FLAG_T_URLS, FLAG_G_CLUSTERING, IMPL, "http://localhost:2380",
	    "List of this member's peer URLs to advertise to the rest of the cluster."), .url_except = ""},
	/* The default follows --name and the advertised peer URLs. */
	{FL("initial-cluster", FLAG_T_CLUSTER, FLAG_G_CLUSTERING, IMPL, "default=http://localhost:2380",
	    "Initial cluster configuration for bootstrapping.")},
	{FL("initial-cluster-state", FLAG_T_ENUM, FLAG_G_CLUSTERING, FLAG_F_SELECTIVE | IMPL, "new",
	    "Initial cluster state ('new' or 'existing')."), .choices = state_choices},
	{FL("initial-cluster-token", FLAG_T_STRING, FLAG_G_CLUSTERING, IMPL, "etcd-cluster",
	    "Initial cluster token for the etcd cluster during bootstrap.\n"
	    "    Specifying this can protect you from unintended cross-cluster interaction when running multiple clusters.")},
	{FL("advertise-client-urls", FLAG_T_URLS, FLAG_G_CLUSTERING, IMPL, "http://localhost:2379",
	    "List of this member's client URLs to advertise to the public.\n"
	    "    The client URLs advertised should be accessible to machines that talk to etcd cluster. etcd client libraries parse these URLs to connect to the cluster."),
	    .url_except = ""},
	{FL("discovery", FLAG_T_STRING, FLAG_G_CLUSTERING, 0, "",
	    "Discovery URL used to bootstrap the cluster.")},
	{FL("discovery-fallback", FLAG_T_ENUM, FLAG_G_CLUSTERING, FLAG_F_SELECTIVE, "proxy",
	    "Expected behavior ('exit' or 'proxy') when discovery services fails.\n"
	    "    \"proxy\" supports v2 API only."), .choices = fallback_choices},
	{FL("discovery-proxy", FLAG_T_STRING, FLAG_G_CLUSTERING, 0, "",
	    "HTTP proxy to use for traffic to discovery service.")},
	{FL("discovery-srv", FLAG_T_STRING, FLAG_G_CLUSTERING, 0, "",
	    "DNS srv domain used to bootstrap the cluster.")},
	{FL("discovery-srv-name", FLAG_T_STRING, FLAG_G_CLUSTERING, 0, "",
	    "Suffix to the dns srv name queried when bootstrapping.")},
	{FL("strict-reconfig-check", FLAG_T_BOOL, FLAG_G_CLUSTERING, IMPL, "true",
	    "Reject reconfiguration requests that would cause quorum loss.")},
	{FL("pre-vote", FLAG_T_BOOL, FLAG_G_CLUSTERING, IMPL, "false",
	    "Enable to run an additional Raft election phase.")},
	{FL("auto-compaction-retention", FLAG_T_STRING, FLAG_G_CLUSTERING, 0, "0",
	    "Auto compaction retention length. 0 means disable auto compaction.")},
	{FL("auto-compaction-mode", FLAG_T_ENUM, FLAG_G_CLUSTERING, FLAG_F_EMPTY_OK, "periodic",
	    "Interpret 'auto-compaction-retention' one of: periodic|revision. 'periodic' for duration based retention, defaulting to hours if no time unit is provided (e.g. '5m'). 'revision' for revision number based retention."),
	    .choices = compaction_choices},
	{FL("enable-v2", FLAG_T_BOOL, FLAG_G_CLUSTERING, 0, "false",
	    "Accept etcd V2 client requests.")},

	/* In the file, the TLS flags are keys of the two transport-security
	 * mappings (config_yaml.c), or not settable at all. */
	{FL("cert-file", FLAG_T_STRING, FLAG_G_SECURITY, IMPL | NOYAML, "",
	    "Path to the client server TLS cert file.")},
	{FL("key-file", FLAG_T_STRING, FLAG_G_SECURITY, IMPL | NOYAML, "",
	    "Path to the client server TLS key file.")},
	{FL("client-cert-auth", FLAG_T_BOOL, FLAG_G_SECURITY, IMPL | NOYAML, "false",
	    "Enable client cert authentication.")},
	{FL("client-crl-file", FLAG_T_STRING, FLAG_G_SECURITY, IMPL | NOYAML, "",
	    "Path to the client certificate revocation list file.")},
	{FL("client-cert-allowed-hostname", FLAG_T_STRING, FLAG_G_SECURITY, NOYAML, "",
	    "Allowed TLS hostname for client cert authentication.")},
	{FL("trusted-ca-file", FLAG_T_STRING, FLAG_G_SECURITY, IMPL | NOYAML, "",
	    "Path to the client server TLS trusted CA cert file.")},
	{FL("auto-tls", FLAG_T_BOOL, FLAG_G_SECURITY, IMPL | NOYAML, "false",
	    "Client TLS using generated certificates.")},
	{FL("peer-cert-file", FLAG_T_STRING, FLAG_G_SECURITY, NOYAML | IMPL, "",
	    "Path to the peer server TLS cert file.")},
	{FL("peer-key-file", FLAG_T_STRING, FLAG_G_SECURITY, NOYAML | IMPL, "",
	    "Path to the peer server TLS key file.")},
	{FL("peer-client-cert-auth", FLAG_T_BOOL, FLAG_G_SECURITY, NOYAML | IMPL, "false",
	    "Enable peer client cert authentication.")},
	{FL("peer-trusted-ca-file", FLAG_T_STRING, FLAG_G_SECURITY, NOYAML | IMPL, "",
	    "Path to the peer server TLS trusted CA file.")},
	{FL("peer-cert-allowed-cn", FLAG_T_STRING, FLAG_G_SECURITY, NOYAML | IMPL, "",
	    "Required CN for client certs connecting to the peer endpoint.")},
	{FL("peer-cert-allowed-hostname", FLAG_T_STRING, FLAG_G_SECURITY, NOYAML, "",
	    "Allowed TLS hostname for inter peer authentication.")},
	{FL("peer-auto-tls", FLAG_T_BOOL, FLAG_G_SECURITY, NOYAML | IMPL, "false",
	    "Peer TLS using self-generated certificates if --peer-key-file and --peer-cert-file are not provided.")},
	{FL("peer-crl-file", FLAG_T_STRING, FLAG_G_SECURITY, NOYAML | IMPL, "",
	    "Path to the peer certificate revocation list file.")},
	{FL("cipher-suites", FLAG_T_STRINGS, FLAG_G_SECURITY, IMPL, "",
	    "Comma-separated list of supported TLS cipher suites between client/server and peers (empty will be auto-populated by Go).")},
	{FL("cors", FLAG_T_URLS, FLAG_G_SECURITY, 0, "*",
	    "Comma-separated whitelist of origins for CORS, or cross-origin resource sharing, (empty or * means allow all)."),
	    .url_except = "*"},
	{FL("host-whitelist", FLAG_T_STRINGS, FLAG_G_SECURITY, 0, "*",
	    "Acceptable hostnames from HTTP client requests, if server is not secure (empty or * means allow all).")},

	{FL("auth-token", FLAG_T_STRING, FLAG_G_AUTH, IMPL, "simple",
	    "Specify a v3 authentication token type and its options ('simple' or 'jwt').")},
	{FL("bcrypt-cost", FLAG_T_UINT, FLAG_G_AUTH, 0, "10",
	    "Specify the cost / strength of the bcrypt algorithm for hashing auth passwords. Valid values are between 4 and 31."),
	    .usage_def = "10"},
	{FL("auth-token-ttl", FLAG_T_UINT, FLAG_G_AUTH, IMPL, "300",
	    "Time (in seconds) of the auth-token-ttl."), .usage_def = "300"},

	{FL("enable-pprof", FLAG_T_BOOL, FLAG_G_MONITORING, 0, "false",
	    "Enable runtime profiling data via HTTP server. Address is at client URL + \"/debug/pprof/\"")},
	{FL("metrics", FLAG_T_ENUM, FLAG_G_MONITORING, 0, "basic",
	    "Set level of detail for exported metrics, specify 'extensive' to include histogram metrics."),
	    .choices = metrics_choices},
	{FL("listen-metrics-urls", FLAG_T_URLS, FLAG_G_MONITORING, IMPL, "",
	    "List of URLs to listen on for the metrics and health endpoints."), .url_except = ""},

	/* cairn always writes zap-shaped JSON lines; either logger is fine. */
	{FL("logger", FLAG_T_ENUM, FLAG_G_LOGGING, IMPL, "capnslog",
	    "Specify 'zap' for structured logging or 'capnslog'. [WARN] 'capnslog' will be deprecated in v3.5."),
	    .choices = logger_choices},
	{FL("log-outputs", FLAG_T_STRINGS, FLAG_G_LOGGING, IMPL, "default",
	    "Specify 'stdout' or 'stderr' to skip journald logging even when running under systemd, or list of comma separated output targets.")},
	{FL("log-level", FLAG_T_ENUM, FLAG_G_LOGGING, IMPL, "info",
	    "Configures log level. Only supports debug, info, warn, error, panic, or fatal."),
	    .choices = level_choices},

	{FL("proxy", FLAG_T_ENUM, FLAG_G_PROXY, FLAG_F_SELECTIVE, "off",
	    "Proxy mode setting ('off', 'readonly' or 'on')."), .choices = proxy_choices},
	{FL("proxy-failure-wait", FLAG_T_UINT, FLAG_G_PROXY, 0, "5000",
	    "Time (in milliseconds) an endpoint will be held in a failed state."), .usage_def = "5000"},
	{FL("proxy-refresh-interval", FLAG_T_UINT, FLAG_G_PROXY, 0, "30000",
	    "Time (in milliseconds) of the endpoints refresh interval."), .usage_def = "30000"},
	{FL("proxy-dial-timeout", FLAG_T_UINT, FLAG_G_PROXY, 0, "1000",
	    "Time (in milliseconds) for a dial to timeout."), .usage_def = "1000"},
	{FL("proxy-write-timeout", FLAG_T_UINT, FLAG_G_PROXY, 0, "5000",
	    "Time (in milliseconds) for a write to timeout."), .usage_def = "5000"},
	{FL("proxy-read-timeout", FLAG_T_UINT, FLAG_G_PROXY, 0, "0",
	    "Time (in milliseconds) for a read to timeout."), .usage_def = "0"},

	{FL("experimental-initial-corrupt-check", FLAG_T_BOOL, FLAG_G_EXPERIMENTAL, 0, "false",
	    "Enable to check data corruption before serving any client/peer traffic.")},
	{FL("experimental-corrupt-check-time", FLAG_T_DURATION, FLAG_G_EXPERIMENTAL, 0, "0s",
	    "Duration of time between cluster corruption check passes.")},
	{FL("experimental-enable-v2v3", FLAG_T_STRING, FLAG_G_EXPERIMENTAL, 0, "",
	    "Serve v2 requests through the v3 backend under a given prefix.")},
	{FL("experimental-backend-bbolt-freelist-type", FLAG_T_ENUM, FLAG_G_EXPERIMENTAL, 0, "array",
	    "ExperimentalBackendFreelistType specifies the type of freelist that boltdb backend uses(array and map are supported types)."),
	    .choices = freelist_choices},
	{FL("experimental-enable-lease-checkpoint", FLAG_T_BOOL, FLAG_G_EXPERIMENTAL, 0, "false",
	    "ExperimentalEnableLeaseCheckpoint enables primary lessor to persist lease remainingTTL to prevent indefinite auto-renewal of long lived leases.")},
	{FL("experimental-enable-lease-checkpoint-persist", FLAG_T_BOOL, FLAG_G_EXPERIMENTAL, HIDE, "false",
	    "Enable persisting remainingTTL to prevent indefinite auto-renewal of long lived leases.")},
	{FL("experimental-compaction-batch-limit", FLAG_T_INT, FLAG_G_EXPERIMENTAL, 0, "1000",
	    "ExperimentalCompactionBatchLimit sets the maximum revisions deleted in each compaction batch."),
	    .usage_def = "1000"},
	{FL("experimental-peer-skip-client-san-verification", FLAG_T_BOOL, FLAG_G_EXPERIMENTAL, NOYAML, "false",
	    "Skip verification of SAN field in client certificate for peer connections.")},
	{FL("experimental-watch-progress-notify-interval", FLAG_T_DURATION, FLAG_G_EXPERIMENTAL, 0, "10m",
	    "Duration of periodical watch progress notification.")},
	{FL("experimental-warning-apply-duration", FLAG_T_DURATION, FLAG_G_EXPERIMENTAL, 0, "100ms",
	    "Warning is generated if requests take more than this duration.")},
	/* etcd 3.5.14's: not in 3.4's usage, so hidden there. */
	{FL("experimental-snapshot-catchup-entries", FLAG_T_UINT, FLAG_G_EXPERIMENTAL, IMPL | HIDE, "5000",
	    "Number of entries for a slow follower to catch up after compacting the raft storage entries.")},

	{FL("force-new-cluster", FLAG_T_BOOL, FLAG_G_UNSAFE, 0, "false",
	    "Force to create a new one-member cluster.")},
	{FL("unsafe-no-fsync", FLAG_T_BOOL, FLAG_G_UNSAFE, HIDE, "false",
	    "Disables fsync, unsafe, will cause data loss.")},

	{FL("debug", FLAG_T_BOOL, FLAG_G_DEPRECATED, IMPL, "false",
	    "Enable debug-level logging for etcd. [WARN] Will be deprecated in v3.5. Use '--log-level=debug' instead.")},
	{FL("log-package-levels", FLAG_T_STRING, FLAG_G_DEPRECATED, 0, "",
	    "Specify a particular log level for each etcd package (eg: 'etcdmain=CRITICAL,etcdserver=DEBUG').")},
	{FL("log-output", FLAG_T_STRINGS, FLAG_G_DEPRECATED, HIDE, "default",
	    "[TO BE DEPRECATED IN v3.5] use '--log-outputs'.")},
	IGNORED("cluster-active-size"), IGNORED("cluster-remove-delay"),
	IGNORED("cluster-sync-interval"), IGNORED("config"), IGNORED("force"),
	IGNORED("max-result-buffer"), IGNORED("max-retry-attempts"),
	IGNORED("peer-heartbeat-interval"), IGNORED("peer-election-timeout"),
	IGNORED("retry-interval"), IGNORED("snapshot"), IGNORED("v"), IGNORED("vv"),
	IGNORED("test.coverprofile"), IGNORED("test.outputdir"),

	/*
	 * cairn's own flags. The three users are the identities the
	 * supervisor gives its children when it runs as root (see spawn.c);
	 * netd, the only process that parses network bytes, is also shut in
	 * --netd-chroot. --ipc-ring-bytes sizes each shared-memory ring of a
	 * channel; a power of two keeps the ring's index arithmetic a mask.
	 */
	{FL("netd-user", FLAG_T_USER, FLAG_G_CAIRN, IMPL, "",
	    "Run netd as USER[:GROUP] (names or numeric ids) when cairn starts as root; a user alone\n"
	    "    runs with its primary group. Empty: netd keeps cairn's own user and group."),
	    .bytes_max = CONFIG_NAME_BYTES_MAX - 1},
	{FL("raftd-user", FLAG_T_USER, FLAG_G_CAIRN, IMPL, "",
	    "Run raftd as USER[:GROUP], as for --netd-user."), .bytes_max = CONFIG_NAME_BYTES_MAX - 1},
	{FL("stored-user", FLAG_T_USER, FLAG_G_CAIRN, IMPL, "",
	    "Run stored as USER[:GROUP], as for --netd-user."), .bytes_max = CONFIG_NAME_BYTES_MAX - 1},
	{FL("netd-chroot", FLAG_T_ABSPATH, FLAG_G_CAIRN, IMPL, "/var/empty",
	    "Absolute path of the directory netd chroots into after loading its TLS keys."),
	    .bytes_max = PATH_MAX - 1},
	{FL("ipc-ring-bytes", FLAG_T_RING, FLAG_G_CAIRN, IMPL, "2097152",
	    "Data bytes in each shared-memory ring between cairn's processes (two per channel);\n"
	    "    a power of two from 65536 to 268435456, large enough for one request of\n"
	    "    --max-request-bytes and its Raft message.")},
};

const size_t flags_count = sizeof(flags_table) / sizeof(flags_table[0]);

int
flags_find(const char *name, size_t len)
{
	CAIRN_ASSERT(name != NULL);
	for (size_t i = 0; i < flags_count; i++) {
		if (strlen(flags_table[i].name) == len &&
		    memcmp(flags_table[i].name, name, len) == 0)
			return (int)i;
	}
	return -1;
}

void
flags_env_name(const struct flag_def *f, char *dst, size_t cap)
{
	size_t n;

	CAIRN_ASSERT(f != NULL);
	CAIRN_ASSERT(cap > 5);
	n = (size_t)snprintf(dst, cap, "ETCD_%s", f->name);
	for (size_t i = 5; i < n && i < cap; i++)
		dst[i] = dst[i] == '-' ? '_' : (char)toupper((unsigned char)dst[i]);
}

int
flags_find_env(const char *key, size_t len)
{
	char buf[FLAGS_ENV_BYTES_MAX];

	CAIRN_ASSERT(key != NULL);
	for (size_t i = 0; i < flags_count; i++) {
		flags_env_name(&flags_table[i], buf, sizeof(buf));
		if (strlen(buf) == len && memcmp(buf, key, len) == 0)
			return (int)i;
	}
	return -1;
}

bool
flags_is_boolish(const struct flag_def *f)
{
	return f->type == FLAG_T_BOOL || f->type == FLAG_T_IGNORED;
}

int
flags_parse_bool(const char *s, bool *out)
{
	static const char *const yes[] = {"1", "t", "T", "TRUE", "true", "True"};
	static const char *const no[] = {"0", "f", "F", "FALSE", "false", "False"};

	CAIRN_ASSERT(s != NULL);
	for (size_t i = 0; i < sizeof(yes) / sizeof(yes[0]); i++) {
		if (strcmp(s, yes[i]) == 0) {
			*out = true;
			return 0;
		}
		if (strcmp(s, no[i]) == 0) {
			*out = false;
			return 0;
		}
	}
	return CAIRN_EINVAL;
}

/* Go's rule for '_' in integer literals: only between digits, or between
 * a base prefix and a digit. 's' may carry a sign. */
static bool
go_underscore_ok(const char *s)
{
	char saw = '^'; /* '^' start, '0' digit or prefix, '_', '!' other */
	bool hex = false;

	if (*s == '+' || *s == '-')
		s++;
	if (s[0] == '0' && s[1] != '\0' && strchr("bBoOxX", s[1]) != NULL) {
		hex = s[1] == 'x' || s[1] == 'X';
		saw = '0';
		s += 2;
	}
	for (; *s != '\0'; s++) {
		if (isdigit((unsigned char)*s) || (hex && isxdigit((unsigned char)*s))) {
			saw = '0';
		} else if (*s == '_') {
			if (saw != '0')
				return false;
			saw = '_';
		} else {
			if (saw == '_')
				return false;
			saw = '!';
		}
	}
	return saw != '_';
}

/* The value of digit 'c' in any base up to 36, or 99. */
static unsigned
digit_value(char c)
{
	if (isdigit((unsigned char)c))
		return (unsigned)(c - '0');
	if (isalpha((unsigned char)c))
		return (unsigned)(tolower((unsigned char)c) - 'a' + 10);
	return 99;
}

int
flags_parse_uint(const char *s, uint64_t max, uint64_t *out,
    const char **reason)
{
	const char *s0 = s;
	unsigned base = 10;
	uint64_t n = 0;
	bool underscores = false;

	CAIRN_ASSERT(s != NULL);
	CAIRN_ASSERT(out != NULL);
	*reason = "parse error";
	if (*s == '\0')
		return CAIRN_EINVAL;
	if (s[0] == '0') {
		/* Base 0: 0b, 0o, 0x need something after them; a bare
		 * leading zero means octal. */
		char c = (char)tolower((unsigned char)s[1]);
		bool prefix = (c == 'b' || c == 'o' || c == 'x') && s[2] != '\0';

		base = !prefix ? 8 : c == 'b' ? 2 : c == 'o' ? 8 : 16;
		s += prefix ? 2 : 1;
	}
	for (; *s != '\0'; s++) {
		unsigned d = digit_value(*s);

		if (*s == '_') {
			underscores = true;
			continue;
		}
		if (d >= base)
			return CAIRN_EINVAL;
		if (n > (UINT64_MAX - d) / base) {
			*reason = "value out of range";
			return CAIRN_EINVAL;
		}
		n = n * base + d;
	}
	if (underscores && !go_underscore_ok(s0))
		return CAIRN_EINVAL;
	if (n > max) {
		*reason = "value out of range";
		return CAIRN_EINVAL;
	}
	*out = n;
	return 0;
}

int
flags_parse_int(const char *s, int64_t *out, const char **reason)
{
	const uint64_t cutoff = (uint64_t)1 << 63;
	bool neg = false;
	uint64_t un;
	int rc;

	CAIRN_ASSERT(s != NULL);
	CAIRN_ASSERT(out != NULL);
	if (*s == '+' || *s == '-') {
		neg = *s == '-';
		s++;
	}
	rc = flags_parse_uint(s, UINT64_MAX, &un, reason);
	if (rc != 0)
		return rc;
	if ((!neg && un >= cutoff) || (neg && un > cutoff)) {
		*reason = "value out of range";
		return CAIRN_EINVAL;
	}
	/* -(un - 1) - 1 reaches INT64_MIN without overflowing. */
	if (!neg)
		*out = (int64_t)un;
	else
		*out = un == 0 ? 0 : -(int64_t)(un - 1) - 1;
	return 0;
}

/* time.ParseDuration's units; "µs" is written both as U+00B5 and U+03BC. */
static const struct {
	const char *name;
	uint64_t ns;
} duration_units[] = {
	{"ns", 1},
	{"us", 1000},
	{"\xc2\xb5s", 1000},
	{"\xce\xbcs", 1000},
	{"ms", 1000000},
	{"s", 1000000000},
	{"m", 60000000000ull},
	{"h", 3600000000000ull},
};

#define DURATION_LIMIT ((uint64_t)1 << 63)

/* One "<number><unit>" of a duration; adds its nanoseconds to *total. */
static int
duration_part(const char **sp, uint64_t *total)
{
	const char *s = *sp;
	uint64_t v = 0, f = 0, unit = 0;
	double scale = 1;
	bool pre = false, post = false, f_overflow = false;
	size_t ulen = 0;

	for (; isdigit((unsigned char)*s); s++, pre = true) {
		if (v > DURATION_LIMIT / 10)
			return CAIRN_EINVAL;
		v = v * 10 + (uint64_t)(*s - '0');
		if (v > DURATION_LIMIT)
			return CAIRN_EINVAL;
	}
	if (*s == '.') {
		/* Digits past what 63 bits hold are read but not counted. */
		for (s++; isdigit((unsigned char)*s); s++, post = true) {
			if (f_overflow || f > (DURATION_LIMIT - 1) / 10) {
				f_overflow = true;
				continue;
			}
			f = f * 10 + (uint64_t)(*s - '0');
			scale *= 10;
		}
	}
	if (!pre && !post)
		return CAIRN_EINVAL;
	while (s[ulen] != '\0' && s[ulen] != '.' && !isdigit((unsigned char)s[ulen]))
		ulen++;
	for (size_t i = 0; i < sizeof(duration_units) / sizeof(duration_units[0]); i++) {
		if (strlen(duration_units[i].name) == ulen &&
		    memcmp(duration_units[i].name, s, ulen) == 0)
			unit = duration_units[i].ns;
	}
	if (unit == 0 || v > DURATION_LIMIT / unit)
		return CAIRN_EINVAL;
	v *= unit;
	if (f > 0)
		v += (uint64_t)((double)f * ((double)unit / scale));
	if (v > DURATION_LIMIT || *total + v > DURATION_LIMIT)
		return CAIRN_EINVAL;
	*total += v;
	*sp = s + ulen;
	return 0;
}

int
flags_parse_duration(const char *s, int64_t *ns)
{
	uint64_t total = 0;
	bool neg = false;

	CAIRN_ASSERT(s != NULL);
	CAIRN_ASSERT(ns != NULL);
	if (*s == '-' || *s == '+') {
		neg = *s == '-';
		s++;
	}
	if (strcmp(s, "0") == 0) {
		*ns = 0;
		return 0;
	}
	if (*s == '\0')
		return CAIRN_EINVAL;
	while (*s != '\0') {
		if (duration_part(&s, &total) != 0)
			return CAIRN_EINVAL;
	}
	if (!neg && total > DURATION_LIMIT - 1)
		return CAIRN_EINVAL;
	*ns = !neg ? (int64_t)total :
	    total == 0 ? 0 : -(int64_t)(total - 1) - 1;
	return 0;
}

/* Each comma-separated URL, or the flag's one literal exception. */
static int
check_urls(const struct flag_def *f, const char *val, char *why, size_t whylen)
{
	char *copy, *rest, *elem;
	int rc = 0;

	if (f->url_except != NULL && strcmp(val, f->url_except) == 0)
		return 0;
	copy = rest = xstrdup(val);
	while (rc == 0 && (elem = strsep(&rest, ",")) != NULL)
		rc = url_check(url_trim_space(elem), why, whylen);
	free(copy);
	return rc;
}

/* name=URL,... as etcd's types.NewURLsMap reads it; empty parts are
 * skipped and "" is allowed (bootstrapping by discovery). */
static int
check_cluster(const struct flag_def *f, const char *val, char *why,
    size_t whylen)
{
	char *copy, *rest, *elem, *eq, q[FLAGS_WHY_BYTES_MAX];
	int rc = 0;

	copy = rest = xstrdup(val);
	while (rc == 0 && (elem = strsep(&rest, ",")) != NULL) {
		if (*elem == '\0')
			continue;
		eq = strchr(elem, '=');
		if (eq == NULL || eq == elem) {
			go_quote(q, sizeof(q), elem);
			snprintf(why, whylen, "%s is not of the form name=URL", q);
			rc = CAIRN_EINVAL;
			break;
		}
		rc = url_check(url_trim_space(eq + 1), why, whylen);
	}
	free(copy);
	return rc;
}

/* Etcd's selective flags say only "invalid value"; for the others, which
 * etcd checks later with varying words, cairn lists the choices. */
static int
check_enum(const struct flag_def *f, const char *val, char *why, size_t whylen)
{
	size_t n;

	CAIRN_ASSERT(f->choices != NULL);
	if (*val == '\0' && (f->flags & FLAG_F_EMPTY_OK))
		return 0;
	for (size_t i = 0; f->choices[i] != NULL; i++) {
		if (strcmp(val, f->choices[i]) == 0)
			return 0;
	}
	if (f->flags & FLAG_F_SELECTIVE) {
		snprintf(why, whylen, "invalid value");
		return CAIRN_EINVAL;
	}
	n = (size_t)snprintf(why, whylen, "must be one of");
	for (size_t i = 0; f->choices[i] != NULL && n < whylen; i++)
		n += (size_t)snprintf(why + n, whylen - n, "%s%s", i ? ", " : " ",
		    f->choices[i]);
	return CAIRN_EINVAL;
}

/* A decimal user or group id, or -1. (uid_t)-1 is never an id. */
static int64_t
parse_id(const char *s)
{
	uint64_t v = 0;

	if (*s == '\0' || strlen(s) > 10)
		return -1;
	for (; *s != '\0'; s++) {
		if (!isdigit((unsigned char)*s))
			return -1;
		v = v * 10 + (uint64_t)(*s - '0');
	}
	return v < UINT32_MAX ? (int64_t)v : -1;
}

/* The group part of a user spec: a name first, else a numeric id. */
static int
user_group(const char *g, gid_t *gid, char *why, size_t whylen)
{
	struct group *gr;
	char q[FLAGS_WHY_BYTES_MAX];
	int64_t id;

	if (*g == '\0') {
		snprintf(why, whylen, "missing group after ':'");
		return CAIRN_EINVAL;
	}
	if ((gr = getgrnam(g)) != NULL) {
		*gid = gr->gr_gid;
		return 0;
	}
	if ((id = parse_id(g)) >= 0) {
		*gid = (gid_t)id;
		return 0;
	}
	go_quote(q, sizeof(q), g);
	snprintf(why, whylen, "unknown group %s", q);
	return CAIRN_EINVAL;
}

int
flags_user_resolve(const char *spec, uid_t *uid, gid_t *gid, char *why,
    size_t whylen)
{
	char user[CONFIG_NAME_BYTES_MAX], q[FLAGS_WHY_BYTES_MAX];
	const char *colon = strchr(spec, ':');
	size_t ulen = colon != NULL ? (size_t)(colon - spec) : strlen(spec);
	struct passwd *pw;
	bool have_gid = false;
	int64_t id = -1;

	CAIRN_ASSERT(uid != NULL);
	CAIRN_ASSERT(gid != NULL);
	if (ulen == 0 || ulen >= sizeof(user)) {
		snprintf(why, whylen, ulen == 0 ? "missing user" : "user name too long");
		return CAIRN_EINVAL;
	}
	memcpy(user, spec, ulen);
	user[ulen] = '\0';
	/* As chown(1): a name first, then a number. */
	if ((pw = getpwnam(user)) == NULL && (id = parse_id(user)) >= 0)
		pw = getpwuid((uid_t)id);
	if (pw == NULL && id < 0) {
		go_quote(q, sizeof(q), user);
		snprintf(why, whylen, "unknown user %s", q);
		return CAIRN_EINVAL;
	}
	*uid = pw != NULL ? pw->pw_uid : (uid_t)id;
	if (pw != NULL) {
		*gid = pw->pw_gid;
		have_gid = true;
	}
	if (colon != NULL)
		return user_group(colon + 1, gid, why, whylen);
	if (!have_gid) {
		snprintf(why, whylen, "user id %s has no passwd entry to take a group from; give USER:GROUP", user);
		return CAIRN_EINVAL;
	}
	return 0;
}

static int
check_any(const struct flag_def *f, const char *val, char *why, size_t whylen)
{
	return 0;
}

static int
check_bool(const struct flag_def *f, const char *val, char *why, size_t whylen)
{
	bool b;

	if (flags_parse_bool(val, &b) != 0) {
		snprintf(why, whylen, "parse error");
		return CAIRN_EINVAL;
	}
	return 0;
}

static int
check_uint(const struct flag_def *f, const char *val, char *why, size_t whylen)
{
	const char *reason;
	uint64_t v;

	if (flags_parse_uint(val, UINT64_MAX, &v, &reason) != 0) {
		snprintf(why, whylen, "%s", reason);
		return CAIRN_EINVAL;
	}
	return 0;
}

/* etcd's own uint32 value passes strconv's error through unchanged. */
static int
check_uint32(const struct flag_def *f, const char *val, char *why, size_t whylen)
{
	char q[FLAGS_WHY_BYTES_MAX];
	const char *reason;
	uint64_t v;

	if (flags_parse_uint(val, UINT32_MAX, &v, &reason) != 0) {
		go_quote(q, sizeof(q), val);
		snprintf(why, whylen, "strconv.ParseUint: parsing %s: %s", q,
		    strcmp(reason, "parse error") == 0 ? "invalid syntax" : reason);
		return CAIRN_EINVAL;
	}
	return 0;
}

static int
check_int(const struct flag_def *f, const char *val, char *why, size_t whylen)
{
	const char *reason;
	int64_t v;

	if (flags_parse_int(val, &v, &reason) != 0) {
		snprintf(why, whylen, "%s", reason);
		return CAIRN_EINVAL;
	}
	return 0;
}

static int
check_duration(const struct flag_def *f, const char *val, char *why,
    size_t whylen)
{
	int64_t ns;

	if (flags_parse_duration(val, &ns) != 0) {
		snprintf(why, whylen, "parse error");
		return CAIRN_EINVAL;
	}
	return 0;
}

/* Empty: the child keeps the supervisor's identity. */
static int
check_user(const struct flag_def *f, const char *val, char *why, size_t whylen)
{
	uid_t uid;
	gid_t gid;

	if (*val == '\0')
		return 0;
	return flags_user_resolve(val, &uid, &gid, why, whylen);
}

static int
check_abspath(const struct flag_def *f, const char *val, char *why,
    size_t whylen)
{
	if (val[0] != '/') {
		snprintf(why, whylen, "must be an absolute path");
		return CAIRN_EINVAL;
	}
	return 0;
}

static int
check_ring(const struct flag_def *f, const char *val, char *why, size_t whylen)
{
	const char *reason;
	uint64_t v;

	if (flags_parse_uint(val, UINT64_MAX, &v, &reason) != 0) {
		snprintf(why, whylen, "%s", reason);
		return CAIRN_EINVAL;
	}
	if ((v & (v - 1)) != 0 || v < CONFIG_RING_BYTES_MIN || v > CONFIG_RING_BYTES_MAX) {
		snprintf(why, whylen, "must be a power of two from %u to %u",
		    CONFIG_RING_BYTES_MIN, CONFIG_RING_BYTES_MAX);
		return CAIRN_EINVAL;
	}
	return 0;
}

/* One check per type, indexed by enum flag_type. */
static int (*const flag_checks[])(const struct flag_def *, const char *,
    char *, size_t) = {
	[FLAG_T_STRING] = check_any,
	[FLAG_T_BOOL] = check_bool,
	[FLAG_T_UINT] = check_uint,
	[FLAG_T_UINT32] = check_uint32,
	[FLAG_T_INT] = check_int,
	[FLAG_T_DURATION] = check_duration,
	[FLAG_T_URLS] = check_urls,
	[FLAG_T_STRINGS] = check_any,
	[FLAG_T_ENUM] = check_enum,
	[FLAG_T_CLUSTER] = check_cluster,
	[FLAG_T_IGNORED] = check_any,
	[FLAG_T_USER] = check_user,
	[FLAG_T_ABSPATH] = check_abspath,
	[FLAG_T_RING] = check_ring,
};

CAIRN_STATIC_ASSERT(sizeof(flag_checks) / sizeof(flag_checks[0]) == FLAG_T_RING + 1,
    "one check per flag type");

int
flags_check(const struct flag_def *f, const char *val, char *why,
    size_t whylen)
{
	size_t max = f->bytes_max != 0 ? f->bytes_max : FLAGS_VALUE_BYTES_MAX - 1;

	CAIRN_ASSERT(f != NULL);
	CAIRN_ASSERT(val != NULL);
	CAIRN_ASSERT(whylen > 0);
	CAIRN_ASSERT((size_t)f->type < sizeof(flag_checks) / sizeof(flag_checks[0]));
	if (strlen(val) > max) {
		snprintf(why, whylen, "longer than %zu bytes", max);
		return CAIRN_EINVAL;
	}
	return flag_checks[f->type](f, val, why, whylen);
}

/* Headings of --help, in enum flag_group order, as etcd prints them. */
static const struct {
	const char *title;
	const char *after; /* printed after the group's flags */
} flag_groups[FLAG_G_COUNT_] = {
	[FLAG_G_GENERAL] = {NULL, NULL},
	[FLAG_G_MEMBER] = {"Member:", NULL},
	[FLAG_G_CLUSTERING] = {"Clustering:", NULL},
	[FLAG_G_SECURITY] = {"Security:", NULL},
	[FLAG_G_AUTH] = {"Auth:", NULL},
	[FLAG_G_MONITORING] = {"Profiling and Monitoring:", NULL},
	[FLAG_G_LOGGING] = {"Logging:", NULL},
	[FLAG_G_PROXY] = {"v2 Proxy (to be deprecated in v4):", NULL},
	[FLAG_G_EXPERIMENTAL] = {"Experimental feature:", NULL},
	[FLAG_G_UNSAFE] = {"Unsafe feature:",
	    "\nCAUTIOUS with unsafe flag! It may break the guarantees given by the consensus protocol!\n"},
	[FLAG_G_DEPRECATED] = {"TO BE DEPRECATED:\n", NULL},
	[FLAG_G_CAIRN] = {"cairn (not in etcd):", NULL},
};

static const char flags_usage_head[] =
    "Usage:\n"
    "\n"
    "  cairn [flags]\n"
    "    Start a cairn member, a drop-in replacement for an etcd 3.4 server.\n"
    "\n"
    "  cairn --version\n"
    "    Show the version of cairn.\n"
    "\n"
    "  cairn -h | --help\n"
    "    Show the help information about cairn.\n"
    "\n"
    "  cairn --config-file\n"
    "    Path to the server configuration file. Note that if a configuration file is provided, other command line flags and environment variables will be ignored.\n"
    "\n"
    "Each flag may also be given as an ETCD_* environment variable (--snapshot-count as\n"
    "ETCD_SNAPSHOT_COUNT) or as a key of the configuration file. Flags marked\n"
    "(not supported yet) are checked and accepted but do not act yet.\n";

void
flags_usage(FILE *fp)
{
	CAIRN_ASSERT(fp != NULL);
	fputs(flags_usage_head, fp);
	for (int g = FLAG_G_MEMBER; g < FLAG_G_COUNT_; g++) {
		CAIRN_ASSERT(flag_groups[g].title != NULL);
		fprintf(fp, "\n%s\n", flag_groups[g].title);
		for (size_t i = 0; i < flags_count; i++) {
			const struct flag_def *f = &flags_table[i];

			if ((int)f->group != g || (f->flags & FLAG_F_HIDDEN))
				continue;
			if (f->usage_def != NULL)
				fprintf(fp, "  --%s %s", f->name, f->usage_def);
			else
				fprintf(fp, "  --%s '%s'", f->name, f->def);
			fprintf(fp, "%s\n    %s\n",
			    (f->flags & FLAG_F_IMPLEMENTED) ? "" : " (not supported yet)",
			    f->help);
		}
		if (flag_groups[g].after != NULL)
			fputs(flag_groups[g].after, fp);
	}
}
