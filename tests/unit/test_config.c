/*
 * Tests: the supervisor's configuration: etcd 3.4's flag syntax, types and
 * messages, ETCD_* variables, --config-file, cairn's own flags, and the
 * notices for what cairn does not implement yet. Temporary files live in
 * a mkdtemp directory made and removed around each case.
 */
#include <CUnit/CUnit.h>
#include <grp.h>
#include <limits.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "shared/err.h"
#include "supervisor/config.h"
#include "supervisor/flags.h"
#include "tests/lib/config_args.h"
#include "tests/lib/runner.h"

#define TEST_ARGS_MAX 256
#define TEST_FILES_MAX 16
#define TEST_ERR_BYTES 512
#define TEST_DIR_BYTES 64
#define TEST_PATH_BYTES 128
#define TEST_ARG_BYTES 160

/* A uid and gid that no passwd or group entry uses (checked). */
#define TEST_FREE_ID 3987654321u

static struct config cfg;
static char err[TEST_ERR_BYTES];
static char tmpdir[TEST_DIR_BYTES];
static char files[TEST_FILES_MAX][TEST_PATH_BYTES];
static size_t files_len;

static void
set_up(void)
{
	memset(&cfg, 0, sizeof(cfg));
	err[0] = '\0';
	files_len = 0;
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/cairn_test_config.XXXXXX");
	CU_ASSERT_FATAL(mkdtemp(tmpdir) != NULL);
}

static void
tear_down(void)
{
	config_free(&cfg);
	for (size_t i = 0; i < files_len; i++)
		unlink(files[i]);
	rmdir(tmpdir);
}

static int
parse_env(char *const envp[], const char *const *args)
{
	return config_parse_args(&cfg, envp, args, err, sizeof(err));
}

#define PARSE(...) parse_env(NULL, (const char *const[]){__VA_ARGS__, NULL})
#define PARSE_ENV(env, ...) parse_env(env, (const char *const[]){__VA_ARGS__, NULL})
#define ENV(...) ((char *const[]){__VA_ARGS__, NULL})

/* Asserts that a parse failed with exactly 'want' in err. */
#define ASSERT_ERR(rc, want)                                                   \
	do {                                                                   \
		CU_ASSERT_EQUAL((rc), CAIRN_EINVAL);                           \
		CU_ASSERT_STRING_EQUAL(err, (want));                           \
	} while (0)

/* The path of 'name' in the temporary directory, to be removed by
 * tear_down; valid until then. */
static const char *
tmp_path(const char *name)
{
	char path[TEST_PATH_BYTES];

	snprintf(path, sizeof(path), "%s/%s", tmpdir, name);
	for (size_t i = 0; i < files_len; i++) {
		if (strcmp(files[i], path) == 0)
			return files[i];
	}
	CU_ASSERT_FATAL(files_len < TEST_FILES_MAX);
	memcpy(files[files_len], path, sizeof(path));
	return files[files_len++];
}

/* Writes 'text' to 'name' in the temporary directory; returns its path. */
static const char *
write_file(const char *name, const char *text)
{
	const char *path = tmp_path(name);
	FILE *fp = fopen(path, "w");

	CU_ASSERT_FATAL(fp != NULL);
	fputs(text, fp);
	fclose(fp);
	return path;
}

/* How many notices contain 'needle'. */
static int
notices_with(const char *needle)
{
	int n = 0;

	for (size_t i = 0; i < cfg.notices_len; i++)
		n += strstr(cfg.notices[i], needle) != NULL;
	return n;
}

static const char *
get(const char *flag)
{
	const char *v = config_get(&cfg, flag, NULL);

	CU_ASSERT_FATAL(v != NULL);
	return v;
}

static enum config_source
src_of(const char *flag)
{
	enum config_source src = CONFIG_SRC_FLAG;

	CU_ASSERT_FATAL(config_get(&cfg, flag, &src) != NULL);
	return src;
}

/* ---- defaults ------------------------------------------------------- */

static void
test_defaults(void)
{
	CU_ASSERT_EQUAL_FATAL(parse_env(NULL, (const char *const[]){NULL}), 0);
	CU_ASSERT_EQUAL(cfg.action, CONFIG_RUN);
	CU_ASSERT_STRING_EQUAL(cfg.name, "default");
	CU_ASSERT_STRING_EQUAL(cfg.data_dir, "default.cairn");
	CU_ASSERT_EQUAL(cfg.log_level, LOG_INFO);
	CU_ASSERT_EQUAL(cfg.ring_bytes, CONFIG_RING_BYTES_DEFAULT);
	CU_ASSERT_STRING_EQUAL(cfg.netd_chroot, "/var/empty");
	CU_ASSERT_FALSE(cfg.netd_user.set);
	CU_ASSERT_FALSE(cfg.raftd_user.set);
	CU_ASSERT_FALSE(cfg.stored_user.set);
	CU_ASSERT_EQUAL(cfg.notices_len, 0);
	CU_ASSERT_STRING_EQUAL(get("snapshot-count"), "100000");
	CU_ASSERT_EQUAL(src_of("snapshot-count"), CONFIG_SRC_DEFAULT);
	CU_ASSERT_STRING_EQUAL(get("data-dir"), "default.cairn");
	CU_ASSERT_STRING_EQUAL(get("initial-cluster"), "default=http://localhost:2380");
	CU_ASSERT_STRING_EQUAL(get("max-concurrent-streams"), "4294967295");
	CU_ASSERT_STRING_EQUAL(get("logger"), "capnslog");
	CU_ASSERT_PTR_NULL(config_get(&cfg, "bogus", NULL));
}

static void
test_data_dir_follows_name(void)
{
	CU_ASSERT_EQUAL_FATAL(PARSE("--name", "infra1"), 0);
	CU_ASSERT_STRING_EQUAL(cfg.name, "infra1");
	CU_ASSERT_STRING_EQUAL(cfg.data_dir, "infra1.cairn");
	CU_ASSERT_STRING_EQUAL(get("data-dir"), "infra1.cairn");
	CU_ASSERT_EQUAL(src_of("data-dir"), CONFIG_SRC_DEFAULT);
	CU_ASSERT_STRING_EQUAL(get("initial-cluster"), "infra1=http://localhost:2380");
	CU_ASSERT_EQUAL_FATAL(PARSE("--name", "a", "--data-dir", "/srv/d"), 0);
	CU_ASSERT_STRING_EQUAL(cfg.data_dir, "/srv/d");
	CU_ASSERT_EQUAL(src_of("data-dir"), CONFIG_SRC_FLAG);
	/* An empty data dir means the default, as in etcd. */
	CU_ASSERT_EQUAL_FATAL(PARSE("--name=b", "--data-dir="), 0);
	CU_ASSERT_STRING_EQUAL(cfg.data_dir, "b.cairn");
	CU_ASSERT_EQUAL_FATAL(PARSE("--name=c", "--initial-advertise-peer-urls=http://a:1,http://b:2"), 0);
	CU_ASSERT_STRING_EQUAL(get("initial-cluster"), "c=http://a:1,c=http://b:2");
	CU_ASSERT_EQUAL_FATAL(PARSE("--name=c", "--discovery-srv=example.com"), 0);
	CU_ASSERT_STRING_EQUAL(get("initial-cluster"), "");
}

static void
test_every_default_is_valid(void)
{
	char why[FLAGS_WHY_BYTES_MAX];

	for (size_t i = 0; i < flags_count; i++) {
		const struct flag_def *f = &flags_table[i];
		char env[FLAGS_ENV_BYTES_MAX];

		CU_ASSERT_EQUAL(flags_check(f, f->def, why, sizeof(why)), 0);
		CU_ASSERT_EQUAL(flags_find(f->name, strlen(f->name)), (int)i);
		flags_env_name(f, env, sizeof(env));
		CU_ASSERT_EQUAL(flags_find_env(env, strlen(env)), (int)i);
		CU_ASSERT(f->type != FLAG_T_ENUM || f->choices != NULL);
		CU_ASSERT(f->help != NULL);
		CU_ASSERT(strlen(env) + 1 < sizeof(env));
	}
}

/* ---- command-line syntax -------------------------------------------- */

static void
test_flag_syntax_forms(void)
{
	CU_ASSERT_EQUAL_FATAL(PARSE("-name", "v1"), 0);
	CU_ASSERT_STRING_EQUAL(cfg.name, "v1");
	CU_ASSERT_EQUAL_FATAL(PARSE("--name", "v2"), 0);
	CU_ASSERT_STRING_EQUAL(cfg.name, "v2");
	CU_ASSERT_EQUAL_FATAL(PARSE("--name=v3"), 0);
	CU_ASSERT_STRING_EQUAL(cfg.name, "v3");
	CU_ASSERT_EQUAL_FATAL(PARSE("-name=v4"), 0);
	CU_ASSERT_STRING_EQUAL(cfg.name, "v4");
	CU_ASSERT_EQUAL(src_of("name"), CONFIG_SRC_FLAG);
	/* The value is the next argument even if it looks like a flag. */
	CU_ASSERT_EQUAL_FATAL(PARSE("--name", "--x"), 0);
	CU_ASSERT_STRING_EQUAL(cfg.name, "--x");
	CU_ASSERT_EQUAL_FATAL(PARSE("--name", "a", "--name", "b"), 0);
	CU_ASSERT_STRING_EQUAL(cfg.name, "b");
	CU_ASSERT_EQUAL_FATAL(PARSE("--name=a=b"), 0);
	CU_ASSERT_STRING_EQUAL(cfg.name, "a=b");
}

static void
test_double_dash_and_positional(void)
{
	CU_ASSERT_EQUAL(PARSE("--name=x", "--"), 0);
	ASSERT_ERR(PARSE("--", "--name=x"), "'--name=x' is not a valid flag");
	ASSERT_ERR(PARSE("foo"), "'foo' is not a valid flag");
	ASSERT_ERR(PARSE("--name=x", "foo", "--bogus"), "'foo' is not a valid flag");
	ASSERT_ERR(PARSE("-"), "'-' is not a valid flag");
	/* A boolean's value must be attached. */
	ASSERT_ERR(PARSE("--enable-v2", "false"), "'false' is not a valid flag");
	ASSERT_ERR(PARSE("gateway", "start"), "the 'gateway' command is not supported yet");
	ASSERT_ERR(PARSE("grpc-proxy"), "the 'grpc-proxy' command is not supported yet");
}

static void
test_bad_flags(void)
{
	ASSERT_ERR(PARSE("--bogus"), "flag provided but not defined: -bogus");
	ASSERT_ERR(PARSE("-bogus"), "flag provided but not defined: -bogus");
	ASSERT_ERR(PARSE("--bogus=1"), "flag provided but not defined: -bogus");
	ASSERT_ERR(PARSE("--name"), "flag needs an argument: -name");
	ASSERT_ERR(PARSE("--data-dir=/x", "-snapshot-count"), "flag needs an argument: -snapshot-count");
	ASSERT_ERR(PARSE("---name=x"), "bad flag syntax: ---name=x");
	ASSERT_ERR(PARSE("-=x"), "bad flag syntax: -=x");
	/* The first error wins, as Go's parser stops there. */
	ASSERT_ERR(PARSE("--snapshot-count=abc", "--bogus"),
	    "invalid value \"abc\" for flag -snapshot-count: parse error");
}

static void
test_bool_forms(void)
{
	static const char *const yes[] = {"1", "t", "T", "TRUE", "true", "True"};
	static const char *const no[] = {"0", "f", "F", "FALSE", "false", "False"};
	char arg[64];

	CU_ASSERT_EQUAL_FATAL(PARSE("--enable-v2"), 0);
	CU_ASSERT_STRING_EQUAL(get("enable-v2"), "true");
	for (size_t i = 0; i < 6; i++) {
		snprintf(arg, sizeof(arg), "--enable-v2=%s", yes[i]);
		CU_ASSERT_EQUAL_FATAL(PARSE(arg), 0);
		CU_ASSERT_STRING_EQUAL(get("enable-v2"), "true");
		snprintf(arg, sizeof(arg), "-strict-reconfig-check=%s", no[i]);
		CU_ASSERT_EQUAL_FATAL(PARSE(arg), 0);
		CU_ASSERT_STRING_EQUAL(get("strict-reconfig-check"), "false");
	}
	ASSERT_ERR(PARSE("--enable-v2=yes"), "invalid boolean value \"yes\" for -enable-v2: parse error");
	ASSERT_ERR(PARSE("--debug="), "invalid boolean value \"\" for -debug: parse error");
}

/* ---- value types ---------------------------------------------------- */

static void
test_uint_values(void)
{
	static const struct {
		const char *in;
		uint64_t want;
	} good[] = {{"0", 0}, {"42", 42}, {"0x10", 16}, {"0X1f", 31}, {"0o17", 15},
		{"017", 15}, {"0b101", 5}, {"1_000", 1000}, {"0x_1F", 31},
		{"18446744073709551615", UINT64_MAX}};
	static const char *const bad[] = {"", "abc", "-1", "+1", "1__0", "_1", "1_",
		"0x", "08", "1.5", " 1"};
	const char *reason;
	uint64_t v;

	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		CU_ASSERT_EQUAL(flags_parse_uint(good[i].in, UINT64_MAX, &v, &reason), 0);
		CU_ASSERT_EQUAL(v, good[i].want);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		CU_ASSERT_EQUAL(flags_parse_uint(bad[i], UINT64_MAX, &v, &reason), CAIRN_EINVAL);
		CU_ASSERT_STRING_EQUAL(reason, "parse error");
	}
	CU_ASSERT_EQUAL(flags_parse_uint("18446744073709551616", UINT64_MAX, &v, &reason), CAIRN_EINVAL);
	CU_ASSERT_STRING_EQUAL(reason, "value out of range");
	CU_ASSERT_EQUAL_FATAL(PARSE("--snapshot-count=0x10"), 0);
	CU_ASSERT_STRING_EQUAL(get("snapshot-count"), "0x10");
	ASSERT_ERR(PARSE("--snapshot-count=abc"), "invalid value \"abc\" for flag -snapshot-count: parse error");
	ASSERT_ERR(PARSE("--max-wals", "99999999999999999999999"),
	    "invalid value \"99999999999999999999999\" for flag -max-wals: value out of range");
}

static void
test_int_and_uint32_values(void)
{
	const char *reason;
	int64_t v;

	CU_ASSERT_EQUAL(flags_parse_int("-5", &v, &reason), 0);
	CU_ASSERT_EQUAL(v, -5);
	CU_ASSERT_EQUAL(flags_parse_int("+0x10", &v, &reason), 0);
	CU_ASSERT_EQUAL(v, 16);
	CU_ASSERT_EQUAL(flags_parse_int("-9223372036854775808", &v, &reason), 0);
	CU_ASSERT_EQUAL(v, INT64_MIN);
	CU_ASSERT_EQUAL(flags_parse_int("9223372036854775807", &v, &reason), 0);
	CU_ASSERT_EQUAL(v, INT64_MAX);
	CU_ASSERT_EQUAL(flags_parse_int("9223372036854775808", &v, &reason), CAIRN_EINVAL);
	CU_ASSERT_STRING_EQUAL(reason, "value out of range");
	CU_ASSERT_EQUAL(flags_parse_int("-", &v, &reason), CAIRN_EINVAL);
	CU_ASSERT_STRING_EQUAL(reason, "parse error");
	CU_ASSERT_EQUAL(PARSE("--quota-backend-bytes=-1"), 0);
	ASSERT_ERR(PARSE("--backend-batch-limit=x"), "invalid value \"x\" for flag -backend-batch-limit: parse error");
	CU_ASSERT_EQUAL(PARSE("--max-concurrent-streams=4294967295"), 0);
	ASSERT_ERR(PARSE("--max-concurrent-streams=abc"), "invalid value \"abc\" for flag "
	    "-max-concurrent-streams: strconv.ParseUint: parsing \"abc\": invalid syntax");
	ASSERT_ERR(PARSE("--max-concurrent-streams=4294967296"), "invalid value \"4294967296\" for flag "
	    "-max-concurrent-streams: strconv.ParseUint: parsing \"4294967296\": value out of range");
}

static void
test_duration_values(void)
{
	static const struct {
		const char *in;
		int64_t ns;
	} good[] = {{"0", 0}, {"-0", 0}, {"300ms", 300000000}, {"1.5h", 5400000000000},
		{"2h45m", 9900000000000}, {"-1s", -1000000000}, {"+5s", 5000000000},
		{"1ns", 1}, {"1us", 1000}, {"1\xc2\xb5s", 1000}, {"1\xce\xbcs", 1000},
		{".5s", 500000000}, {"1.s", 1000000000}, {"1h0m0.5s", 3600500000000},
		{"9223372036854775807ns", INT64_MAX}};
	static const char *const bad[] = {"", "5", "abc", "1x", ".s", "1.5", "-", "+",
		"s", "1s ", "9223372036854775808ns", "2562048h", "00",
		"5124096h" /* wraps 64 bits to a small value */};
	int64_t ns;

	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		CU_ASSERT_EQUAL(flags_parse_duration(good[i].in, &ns), 0);
		CU_ASSERT_EQUAL(ns, good[i].ns);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		CU_ASSERT_EQUAL(flags_parse_duration(bad[i], &ns), CAIRN_EINVAL);
	CU_ASSERT_EQUAL(PARSE("--grpc-keepalive-min-time=2h45m"), 0);
	ASSERT_ERR(PARSE("--grpc-keepalive-min-time=5"),
	    "invalid value \"5\" for flag -grpc-keepalive-min-time: parse error");
}

static void
test_url_values(void)
{
	static const char *const good[] = {"http://a:1", "https://[::1]:2379",
		"unix://localhost:1", "unixs://h:2", "http://a:1,https://b:2", " http://a:1 ",
		"HTTP://a:1", "http://a:", "http://u:p@a:1", "http://a:1?x=1"};
	static const struct {
		const char *in, *want;
	} bad[] = {
		{"foo", "URL scheme must be http, https, unix, or unixs: foo"},
		{"ftp://a:1", "URL scheme must be http, https, unix, or unixs: ftp://a:1"},
		{"http://a:1,,http://b:2", "URL scheme must be http, https, unix, or unixs: "},
		{"http://a", "URL address does not have the form \"host:port\": http://a"},
		{"http://a:1:2", "URL address does not have the form \"host:port\": http://a:1:2"},
		{"http:a:1", "URL address does not have the form \"host:port\": http:a:1"},
		{"http://a[b:1", "URL address does not have the form \"host:port\": http://a[b:1"},
		{"http://[::1]x:1", "parse \"http://[::1]x:1\": invalid port \"x:1\" after host"},
		{"http://a:1/x", "URL must not contain a path: http://a:1/x"},
		{"http://a:1/", "URL must not contain a path: http://a:1/"},
		{"http://%zz:1", "parse \"http://%zz:1\": invalid URL escape \"%zz\""},
		{"http://u%zz@a:1", "parse \"http://u%zz@a:1\": invalid URL escape \"%zz\""},
		{"http://a:x", "parse \"http://a:x\": invalid port \":x\" after host"},
		{"http://a b:1", "parse \"http://a b:1\": invalid character \" \" in host name"},
		{"://a:1", "parse \"://a:1\": missing protocol scheme"},
		{"http://[::1:1", "parse \"http://[::1:1\": missing ']' in host"},
	};
	char arg[256], want[512];

	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		snprintf(arg, sizeof(arg), "--listen-client-urls=%s", good[i]);
		CU_ASSERT_EQUAL(PARSE(arg), 0);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(arg, sizeof(arg), "--advertise-client-urls=%s", bad[i].in);
		snprintf(want, sizeof(want), "invalid value \"%s\" for flag -advertise-client-urls: %s",
		    bad[i].in, bad[i].want);
		ASSERT_ERR(PARSE(arg), want);
	}
	/* Each list flag takes one literal as is: "" or, for --cors, "*". */
	CU_ASSERT_EQUAL(PARSE("--listen-peer-urls="), 0);
	CU_ASSERT_EQUAL(PARSE("--listen-metrics-urls="), 0);
	CU_ASSERT_EQUAL(PARSE("--cors=*"), 0);
	ASSERT_ERR(PARSE("--cors="), "invalid value \"\" for flag -cors: URL scheme must be http, https, unix, or unixs: ");
}

static void
test_enum_values(void)
{
	ASSERT_ERR(PARSE("--initial-cluster-state=foo"),
	    "invalid value \"foo\" for flag -initial-cluster-state: invalid value");
	ASSERT_ERR(PARSE("--discovery-fallback", "x"), "invalid value \"x\" for flag -discovery-fallback: invalid value");
	ASSERT_ERR(PARSE("--proxy=x"), "invalid value \"x\" for flag -proxy: invalid value");
	ASSERT_ERR(PARSE("--logger=foo"), "invalid value \"foo\" for flag -logger: must be one of zap, capnslog");
	ASSERT_ERR(PARSE("--log-level=DEBUG"), "invalid value \"DEBUG\" for flag -log-level: "
	    "must be one of debug, info, warn, error, dpanic, panic, fatal");
	ASSERT_ERR(PARSE("--auto-compaction-mode=x"), "invalid value \"x\" for flag -auto-compaction-mode: "
	    "must be one of periodic, revision");
	ASSERT_ERR(PARSE("--metrics=x"), "invalid value \"x\" for flag -metrics: must be one of basic, extensive");
	ASSERT_ERR(PARSE("--experimental-backend-bbolt-freelist-type=x"), "invalid value \"x\" for flag "
	    "-experimental-backend-bbolt-freelist-type: must be one of array, map");
	CU_ASSERT_EQUAL(PARSE("--initial-cluster-state=existing", "--proxy=readonly",
	    "--logger=zap", "--auto-compaction-mode=", "--metrics=extensive",
	    "--experimental-backend-bbolt-freelist-type=map", "--discovery-fallback=exit"), 0);
	CU_ASSERT_STRING_EQUAL(get("initial-cluster-state"), "existing");
}

static void
test_log_level(void)
{
	static const struct {
		const char *arg;
		enum log_level want;
	} cases[] = {{"--log-level=debug", LOG_DEBUG}, {"--log-level=info", LOG_INFO},
		{"--log-level=warn", LOG_WARN}, {"--log-level=error", LOG_ERROR},
		{"--log-level=dpanic", LOG_PANIC}, {"--log-level=panic", LOG_PANIC},
		{"--log-level=fatal", LOG_FATAL}};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		CU_ASSERT_EQUAL_FATAL(PARSE(cases[i].arg), 0);
		CU_ASSERT_EQUAL(cfg.log_level, cases[i].want);
		CU_ASSERT_EQUAL(cfg.notices_len, 0);
	}
	CU_ASSERT_EQUAL_FATAL(PARSE("--log-level=error", "--debug"), 0);
	CU_ASSERT_EQUAL(cfg.log_level, LOG_DEBUG);
	CU_ASSERT_EQUAL_FATAL(PARSE("--debug=false"), 0);
	CU_ASSERT_EQUAL(cfg.log_level, LOG_INFO);
	CU_ASSERT_EQUAL_FATAL(PARSE("--log-outputs=stderr", "--logger=zap"), 0);
	CU_ASSERT_EQUAL(cfg.notices_len, 0);
	CU_ASSERT_EQUAL_FATAL(PARSE("--log-outputs=stderr,stdout"), 0);
	CU_ASSERT_EQUAL(notices_with("--log-outputs=stderr,stdout is not supported yet"), 1);
}

static void
test_initial_cluster(void)
{
	CU_ASSERT_EQUAL_FATAL(PARSE("--initial-cluster=a=http://x:1,b=https://y:2,"), 0);
	CU_ASSERT_STRING_EQUAL(get("initial-cluster"), "a=http://x:1,b=https://y:2,");
	CU_ASSERT_EQUAL(PARSE("--initial-cluster="), 0);
	ASSERT_ERR(PARSE("--initial-cluster=a"),
	    "invalid value \"a\" for flag -initial-cluster: \"a\" is not of the form name=URL");
	ASSERT_ERR(PARSE("--initial-cluster=a=http://x:1,b=ftp://y:2"),
	    "invalid value \"a=http://x:1,b=ftp://y:2\" for flag -initial-cluster: "
	    "URL scheme must be http, https, unix, or unixs: ftp://y:2");
}

static void
test_value_length_and_quoting(void)
{
	char name[CONFIG_NAME_BYTES_MAX + 8];

	memset(name, 'n', sizeof(name));
	memcpy(name, "--name=", 7);
	name[7 + CONFIG_NAME_BYTES_MAX - 1] = '\0';
	CU_ASSERT_EQUAL(PARSE(name), 0);
	name[7 + CONFIG_NAME_BYTES_MAX - 1] = 'n';
	name[7 + CONFIG_NAME_BYTES_MAX] = '\0';
	CU_ASSERT_EQUAL(PARSE(name), CAIRN_EINVAL);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "for flag -name: longer than 255 bytes"));
	/* A value with a newline still makes one line. */
	ASSERT_ERR(PARSE("--snapshot-count=a\nb\""),
	    "invalid value \"a\\nb\\\"\" for flag -snapshot-count: parse error");
}

/* ---- --help and --version ------------------------------------------- */

static void
test_help(void)
{
	CU_ASSERT_EQUAL(PARSE("-h"), 0);
	CU_ASSERT_EQUAL(cfg.action, CONFIG_SHOW_HELP);
	CU_ASSERT_EQUAL(PARSE("--help"), 0);
	CU_ASSERT_EQUAL(cfg.action, CONFIG_SHOW_HELP);
	CU_ASSERT_EQUAL(PARSE("-help=false"), 0);
	CU_ASSERT_EQUAL(cfg.action, CONFIG_SHOW_HELP);
	/* Help stops the parse: what follows is not read. */
	CU_ASSERT_EQUAL(PARSE("--version", "--help", "--bogus", "positional"), 0);
	CU_ASSERT_EQUAL(cfg.action, CONFIG_SHOW_HELP);
	ASSERT_ERR(PARSE("--bogus", "--help"), "flag provided but not defined: -bogus");
}

static void
test_version(void)
{
	const char *missing = "/nonexistent/cairn.yaml";

	CU_ASSERT_EQUAL(PARSE("--version"), 0);
	CU_ASSERT_EQUAL(cfg.action, CONFIG_SHOW_VERSION);
	/* Variables and the config file are not read for --version. */
	CU_ASSERT_EQUAL(PARSE_ENV(ENV("ETCD_SNAPSHOT_COUNT=abc"), "--name=x", "--version",
	    "--config-file", missing), 0);
	CU_ASSERT_EQUAL(cfg.action, CONFIG_SHOW_VERSION);
	CU_ASSERT_EQUAL(PARSE("--version=false"), 0);
	CU_ASSERT_EQUAL(cfg.action, CONFIG_RUN);
	ASSERT_ERR(PARSE("--version", "--bogus"), "flag provided but not defined: -bogus");
	ASSERT_ERR(PARSE("--version", "foo"), "'foo' is not a valid flag");
	ASSERT_ERR(PARSE("--version", "--snapshot-count=x"), "invalid value \"x\" for flag -snapshot-count: parse error");
	ASSERT_ERR(PARSE("--version=yes"), "invalid boolean value \"yes\" for -version: parse error");
}

static void
test_usage(void)
{
	char *text = NULL;
	size_t len = 0;
	FILE *fp = open_memstream(&text, &len);

	CU_ASSERT_FATAL(fp != NULL);
	config_usage(fp);
	fclose(fp);
	CU_ASSERT_PTR_NOT_NULL(strstr(text, "\nMember:\n  --name 'default'\n    Human-readable name for this member.\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(text, "  --data-dir '${name}.cairn'\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(text, "  --snapshot-count '100000'\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(text, "  --max-snapshots '5' (not supported yet)\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(text, "  --bcrypt-cost 10 (not supported yet)\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(text, "\nv2 Proxy (to be deprecated in v4):\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(text, "  --netd-user ''\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(text, "  --ipc-ring-bytes '2097152'\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(text, "  --netd-chroot '/var/empty'\n"));
	CU_ASSERT_PTR_NULL(strstr(text, "--unsafe-no-fsync"));
	CU_ASSERT_PTR_NULL(strstr(text, "--cluster-active-size"));
	free(text);
}

/* ---- environment ---------------------------------------------------- */

static void
test_env_used(void)
{
	CU_ASSERT_EQUAL_FATAL(PARSE_ENV(ENV("PATH=/bin", "ETCD_NAME=envname",
	    "ETCD_NETD_CHROOT=/srv/empty", "ETCD_DEBUG=1"), "--data-dir=/d"), 0);
	CU_ASSERT_STRING_EQUAL(cfg.name, "envname");
	CU_ASSERT_EQUAL(src_of("name"), CONFIG_SRC_ENV);
	CU_ASSERT_STRING_EQUAL(cfg.netd_chroot, "/srv/empty");
	CU_ASSERT_EQUAL(cfg.log_level, LOG_DEBUG);
	CU_ASSERT_STRING_EQUAL(get("debug"), "true");
	CU_ASSERT_EQUAL(notices_with("recognized and used environment variable ETCD_NAME=envname"), 1);
	CU_ASSERT_EQUAL(notices_with("recognized and used environment variable ETCD_DEBUG=1"), 1);
	CU_ASSERT_EQUAL(cfg.notices_len, 3);
	/* A repeated variable: the first one counts, as with getenv. */
	CU_ASSERT_EQUAL_FATAL(PARSE_ENV(ENV("ETCD_NAME=first", "ETCD_NAME=second"), "--debug=false"), 0);
	CU_ASSERT_STRING_EQUAL(cfg.name, "first");
	CU_ASSERT_EQUAL(cfg.notices_len, 1);
}

static void
test_env_unknown_and_ignored(void)
{
	CU_ASSERT_EQUAL_FATAL(PARSE_ENV(ENV("ETCD_BOGUS=1", "ETCDCTL_API=3",
	    "ETCD_UNSUPPORTED_ARCH=arm64", "ETCD=1", "HOME=/root", "ETCD_NAME="), "--debug"), 0);
	CU_ASSERT_EQUAL(notices_with("unrecognized environment variable ETCD_BOGUS=1"), 1);
	CU_ASSERT_EQUAL(notices_with("ignored empty environment variable ETCD_NAME"), 1);
	CU_ASSERT_EQUAL(cfg.notices_len, 2);
	CU_ASSERT_STRING_EQUAL(cfg.name, "default");
}

static void
test_env_shadowed_by_flag(void)
{
	CU_ASSERT_EQUAL_FATAL(PARSE_ENV(ENV("ETCD_NAME=fromenv", "ETCD_SNAPSHOT_COUNT=abc",
	    "ETCD_MAX_SNAPSHOTS=abc"), "--name", "fromflag", "--snapshot-count=5",
	    "--max-snapshots=6"), 0);
	CU_ASSERT_STRING_EQUAL(cfg.name, "fromflag");
	CU_ASSERT_EQUAL(src_of("name"), CONFIG_SRC_FLAG);
	CU_ASSERT_STRING_EQUAL(get("snapshot-count"), "5");
	CU_ASSERT_EQUAL(cfg.snapshot_count, 5);
	CU_ASSERT_EQUAL(notices_with("conflicting environment variable \"ETCD_NAME\" is shadowed "
	    "by corresponding command-line flag"), 1);
	CU_ASSERT_EQUAL(notices_with("recognized and used"), 0);
	/* Shadowing does not make the not-supported notice twice. */
	CU_ASSERT_EQUAL(notices_with("--max-snapshots is not supported yet"), 1);
}

static void
test_env_bad_values(void)
{
	ASSERT_ERR(PARSE_ENV(ENV("ETCD_SNAPSHOT_COUNT=abc"), "--debug"),
	    "invalid value \"abc\" for ETCD_SNAPSHOT_COUNT: parse error");
	ASSERT_ERR(PARSE_ENV(ENV("ETCD_ENABLE_V2=yes"), "--debug"),
	    "invalid value \"yes\" for ETCD_ENABLE_V2: parse error");
	ASSERT_ERR(PARSE_ENV(ENV("ETCD_INITIAL_CLUSTER_STATE=foo"), "--debug"),
	    "invalid value \"foo\" for ETCD_INITIAL_CLUSTER_STATE: invalid value");
	ASSERT_ERR(PARSE_ENV(ENV("ETCD_IPC_RING_BYTES=3"), "--debug"),
	    "invalid value \"3\" for ETCD_IPC_RING_BYTES: must be a power of two from 65536 to 268435456");
	ASSERT_ERR(PARSE_ENV(ENV("ETCD_STORED_USER=nonexistent_cairn_user"), "--debug"),
	    "invalid value \"nonexistent_cairn_user\" for ETCD_STORED_USER: unknown user \"nonexistent_cairn_user\"");
}

/* ---- not supported yet ---------------------------------------------- */

static void
test_not_supported_notices(void)
{
	CU_ASSERT_EQUAL_FATAL(PARSE_ENV(ENV("ETCD_MAX_WALS=3"), "--max-snapshots=1",
	    "--max-snapshots=2", "--name=x", "--logger=zap", "-v", "-v", "--netd-user=root",
	    "--snapshot-count=3", "--experimental-snapshot-catchup-entries=4"), 0);
	CU_ASSERT_EQUAL(notices_with("--max-snapshots is not supported yet"), 1);
	CU_ASSERT_EQUAL(notices_with("--snapshot-count"), 0);
	CU_ASSERT_EQUAL(notices_with("catchup"), 0);
	CU_ASSERT_EQUAL(cfg.catchup_entries, 4);
	CU_ASSERT_EQUAL(notices_with("--max-wals is not supported yet"), 1);
	CU_ASSERT_EQUAL(notices_with("flag \"-v\" is no longer supported - ignoring."), 1);
	CU_ASSERT_EQUAL(notices_with("--name"), 0);
	CU_ASSERT_EQUAL(notices_with("--logger"), 0);
	CU_ASSERT_EQUAL(notices_with("--netd-user"), 0);
	CU_ASSERT_EQUAL(cfg.notices_len, 4);
}

/* Every flag cairn does not implement, each set to its default: more
 * notices than fit, so the last says the rest were dropped. */
static void
test_notices_are_bounded(void)
{
	static char args[TEST_ARGS_MAX][TEST_ARG_BYTES];
	const char *argv[TEST_ARGS_MAX];
	size_t n = 0;

	for (size_t i = 0; i < flags_count && n < TEST_ARGS_MAX - 1; i++) {
		const struct flag_def *f = &flags_table[i];

		if (f->flags & FLAG_F_IMPLEMENTED)
			continue;
		if (flags_is_boolish(f))
			snprintf(args[n], sizeof(args[n]), "--%s", f->name);
		else
			snprintf(args[n], sizeof(args[n]), "--%s=%s", f->name, f->def);
		argv[n] = args[n];
		n++;
	}
	argv[n] = NULL;
	CU_ASSERT_FATAL(n > CONFIG_NOTICES_MAX);
	CU_ASSERT_EQUAL_FATAL(parse_env(NULL, argv), 0);
	CU_ASSERT_EQUAL(cfg.notices_len, CONFIG_NOTICES_MAX);
	CU_ASSERT_PTR_NOT_NULL(strstr(cfg.notices[CONFIG_NOTICES_MAX - 1], "were dropped"));
	CU_ASSERT_EQUAL(notices_with("were dropped"), 1);
}

/* ---- --config-file ------------------------------------------------- */

static const char good_yaml[] =
    "# a member\n"
    "name: infra1\n"
    "data-dir: /var/lib/infra1\n"
    "log-level: warn\n"
    "log-outputs: [stderr]\n"
    "listen-client-urls: http://10.0.0.1:2379,http://127.0.0.1:2379\n"
    "snapshot-count: 0x10\n"
    "grpc-keepalive-min-time: 5000000000\n"
    "grpc-keepalive-timeout: 30s\n"
    "enable-v2: on\n"
    "initial-cluster-state: 'existing'\n"
    "wal-dir:\n"
    "client-transport-security:\n"
    "  cert-file: /etc/c.pem\n"
    "  key-file: /etc/k.pem\n"
    "  client-cert-auth: yes\n"
    "  trusted-ca-file: /etc/ca.pem\n"
    "  auto-tls: false\n"
    "peer-transport-security:\n"
    "  cert-file: /etc/pc.pem\n"
    "  auto-tls: true\n"
    "netd-user: \"0:0\"\n"
    "ipc-ring-bytes: 131072\n"
    "max-request-bytes: 65536\n"
    "netd-chroot: /var/empty/netd\n";

static void
test_yaml_good_file(void)
{
	const char *path = write_file("good.yaml", good_yaml);
	char notice[TEST_PATH_BYTES + 160];

	CU_ASSERT_EQUAL_FATAL(PARSE("--config-file", path), 0);
	CU_ASSERT_STRING_EQUAL(cfg.name, "infra1");
	CU_ASSERT_STRING_EQUAL(cfg.data_dir, "/var/lib/infra1");
	CU_ASSERT_EQUAL(cfg.log_level, LOG_WARN);
	CU_ASSERT_EQUAL(src_of("name"), CONFIG_SRC_FILE);
	CU_ASSERT_STRING_EQUAL(get("log-outputs"), "stderr");
	CU_ASSERT_STRING_EQUAL(get("listen-client-urls"), "http://10.0.0.1:2379,http://127.0.0.1:2379");
	CU_ASSERT_STRING_EQUAL(get("snapshot-count"), "16");
	CU_ASSERT_STRING_EQUAL(get("grpc-keepalive-min-time"), "5000000000ns");
	CU_ASSERT_STRING_EQUAL(get("grpc-keepalive-timeout"), "30s");
	CU_ASSERT_STRING_EQUAL(get("enable-v2"), "true");
	CU_ASSERT_STRING_EQUAL(get("initial-cluster-state"), "existing");
	CU_ASSERT_EQUAL(src_of("wal-dir"), CONFIG_SRC_DEFAULT);
	CU_ASSERT_STRING_EQUAL(get("cert-file"), "/etc/c.pem");
	CU_ASSERT_STRING_EQUAL(get("key-file"), "/etc/k.pem");
	CU_ASSERT_STRING_EQUAL(get("client-cert-auth"), "true");
	CU_ASSERT_STRING_EQUAL(get("trusted-ca-file"), "/etc/ca.pem");
	CU_ASSERT_STRING_EQUAL(get("auto-tls"), "false");
	CU_ASSERT_STRING_EQUAL(get("peer-cert-file"), "/etc/pc.pem");
	CU_ASSERT_STRING_EQUAL(get("peer-auto-tls"), "true");
	CU_ASSERT_EQUAL(src_of("peer-key-file"), CONFIG_SRC_DEFAULT);
	CU_ASSERT_TRUE(cfg.netd_user.set);
	CU_ASSERT_EQUAL(cfg.netd_user.uid, 0);
	CU_ASSERT_EQUAL(cfg.ring_bytes, 131072);
	CU_ASSERT_STRING_EQUAL(cfg.netd_chroot, "/var/empty/netd");
	snprintf(notice, sizeof(notice), "Loading server configuration from \"%s\". Other configuration "
	    "command line flags and environment variables will be ignored if provided.", path);
	CU_ASSERT_STRING_EQUAL(cfg.notices[0], notice);
	/* --cert-file, --peer-cert-file and --snapshot-count act now. */
	CU_ASSERT_EQUAL(notices_with("--cert-file is not supported yet"), 0);
	CU_ASSERT_EQUAL(notices_with("--peer-cert-file is not supported yet"), 0);
	CU_ASSERT_EQUAL(notices_with("--peer-auto-tls is not supported yet"), 0);
	CU_ASSERT_EQUAL(notices_with("--snapshot-count is not supported yet"), 0);
	CU_ASSERT_EQUAL(notices_with("--name"), 0);
}

/* etcd's checks of the Raft timings, with etcd's messages (seen from
 * etcd 3.4: "error verifying flags, --election-timeout[1000ms] should be
 * at least as 5 times as --heartbeat-interval[300ms]. See 'etcd --help'."). */
static void
test_raft_timings(void)
{
	CU_ASSERT_EQUAL_FATAL(PARSE("--heartbeat-interval", "50", "--election-timeout", "250",
	    "--pre-vote", "--snapshot-count", "7"), 0);
	CU_ASSERT_EQUAL(cfg.heartbeat_ms, 50);
	CU_ASSERT_EQUAL(cfg.election_ms, 250);
	CU_ASSERT_TRUE(cfg.pre_vote);
	CU_ASSERT_EQUAL(cfg.snapshot_count, 7);
	ASSERT_ERR(PARSE("--heartbeat-interval", "300", "--election-timeout", "1000"),
	    "error verifying flags, --election-timeout[1000ms] should be at least as 5 times "
	    "as --heartbeat-interval[300ms]. See 'cairn --help'.");
	ASSERT_ERR(PARSE("--election-timeout", "60000"),
	    "error verifying flags, --election-timeout[60000ms] is too long, and should be set "
	    "less than 50000ms. See 'cairn --help'.");
}

/* The sample shipped in etc/ must stay a valid configuration. */
static void
test_yaml_shipped_sample(void)
{
	const char *src = getenv("CAIRN_SRCDIR");
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/etc/cairn.conf.yml", src ? src : ".");
	CU_ASSERT_EQUAL_FATAL(PARSE("--config-file", path), 0);
	CU_ASSERT_STRING_EQUAL(cfg.data_dir, "/var/lib/cairn/default.cairn");
	CU_ASSERT_TRUE(cfg.stored_user.set);
	CU_ASSERT_STRING_EQUAL(get("initial-cluster"), "default=http://127.0.0.1:2380");
}

static void
test_yaml_ignores_flags_and_env(void)
{
	const char *path = write_file("c.yaml", "name: fromfile\n");
	char var[TEST_PATH_BYTES + 32];

	CU_ASSERT_EQUAL_FATAL(PARSE_ENV(ENV("ETCD_DATA_DIR=/env", "ETCD_BOGUS=1"),
	    "--name=fromflag", "--snapshot-count=3", "--config-file", path), 0);
	CU_ASSERT_STRING_EQUAL(cfg.name, "fromfile");
	CU_ASSERT_STRING_EQUAL(cfg.data_dir, "fromfile.cairn");
	CU_ASSERT_EQUAL(src_of("snapshot-count"), CONFIG_SRC_DEFAULT);
	CU_ASSERT_EQUAL(src_of("config-file"), CONFIG_SRC_FLAG);
	CU_ASSERT_EQUAL(cfg.notices_len, 1);
	/* The flags are still read, so a bad one is still an error. */
	ASSERT_ERR(PARSE("--config-file", path, "--snapshot-count=abc"),
	    "invalid value \"abc\" for flag -snapshot-count: parse error");
	/* ETCD_CONFIG_FILE names the file when the flag does not. */
	snprintf(var, sizeof(var), "ETCD_CONFIG_FILE=%s", path);
	CU_ASSERT_EQUAL_FATAL(PARSE_ENV(ENV("ETCD_NAME=fromenv", var), "--debug"), 0);
	CU_ASSERT_STRING_EQUAL(cfg.name, "fromfile");
	CU_ASSERT_EQUAL(src_of("config-file"), CONFIG_SRC_ENV);
	CU_ASSERT_EQUAL(cfg.log_level, LOG_INFO);
}

/* Parses a config file holding 'text' and checks that the error is the
 * file's path followed by 'want_tail'. */
static void
yaml_expect_err(const char *text, const char *want_tail)
{
	const char *path = write_file("e.yaml", text);
	char want[TEST_PATH_BYTES + TEST_ERR_BYTES];

	snprintf(want, sizeof(want), "%s%s", path, want_tail);
	ASSERT_ERR(PARSE("--config-file", path), want);
}

static void
test_yaml_unknown_keys(void)
{
	yaml_expect_err("name: a\nbogus: 1\n", ":2: unknown key \"bogus\"");
	yaml_expect_err("client-transport-security:\n  cert-file: /x\n  crl-file: /y\n",
	    ":3: unknown key \"client-transport-security.crl-file\"");
	/* Flags whose TLS keys live in the nested mappings. */
	yaml_expect_err("cert-file: /x\n", ":1: unknown key \"cert-file\"");
	yaml_expect_err("config-file: /x\n", ":1: unknown key \"config-file\"");
	yaml_expect_err("name: a\nName: b\n", ":2: duplicate key name");
	yaml_expect_err("[a]: 1\n", ":1: a key must be a string, not a list");
}

static void
test_yaml_wrong_types(void)
{
	yaml_expect_err("name: 123\n", ":1: key name must be a string, not an integer");
	yaml_expect_err("name: true\n", ":1: key name must be a string, not a boolean");
	yaml_expect_err("enable-v2: \"true\"\n", ":1: key enable-v2 must be a boolean, not a string");
	yaml_expect_err("snapshot-count: 1.5\n",
	    ":1: key snapshot-count must be an integer, not a floating-point number");
	yaml_expect_err("snapshot-count: '5'\n", ":1: key snapshot-count must be an integer, not a string");
	yaml_expect_err("log-outputs: stderr\n", ":1: key log-outputs must be a list of strings, not a string");
	yaml_expect_err("log-outputs:\n  - stderr\n  - 3\n",
	    ":3: each item of key log-outputs must be a string, not an integer");
	yaml_expect_err("client-transport-security: foo\n",
	    ":1: key client-transport-security must be a mapping, not a string");
	yaml_expect_err("peer-transport-security:\n  client-cert-auth: 1\n",
	    ":2: key peer-transport-security.client-cert-auth must be a boolean, not an integer");
	yaml_expect_err("proxy: on\n", ":1: key proxy must be a string, not a boolean");
	yaml_expect_err("- a\n- b\n", ":1: the file must be a mapping of keys to values, not a list");
}

static void
test_yaml_bad_values(void)
{
	yaml_expect_err("name: a\ninitial-cluster-state: foo\n",
	    ":2: invalid value \"foo\" for key initial-cluster-state: invalid value");
	yaml_expect_err("listen-peer-urls: foo\n",
	    ":1: invalid value \"foo\" for key listen-peer-urls: URL scheme must be http, https, unix, or unixs: foo");
	yaml_expect_err("ipc-ring-bytes: 1000\n",
	    ":1: invalid value \"1000\" for key ipc-ring-bytes: must be a power of two from 65536 to 268435456");
	yaml_expect_err("max-concurrent-streams: 4294967296\n", ":1: invalid value \"4294967296\" for key "
	    "max-concurrent-streams: strconv.ParseUint: parsing \"4294967296\": value out of range");
	yaml_expect_err("raftd-user: nonexistent_cairn_user\n", ":1: invalid value \"nonexistent_cairn_user\" "
	    "for key raftd-user: unknown user \"nonexistent_cairn_user\"");
}

static void
test_yaml_syntax_error(void)
{
	yaml_expect_err("name: a\n  b: : c\n", ":2: mapping values are not allowed in this context");
	yaml_expect_err("name: a\nlog-outputs: [stderr\n",
	    ":3: did not find expected ',' or ']' (while parsing a flow sequence that starts on line 2)");
}

static void
test_yaml_file_errors(void)
{
	const char *path = tmp_path("missing.yaml");
	char want[TEST_PATH_BYTES + 64];
	FILE *fp;

	snprintf(want, sizeof(want), "open %s: No such file or directory", path);
	ASSERT_ERR(PARSE("--config-file", path), want);
	snprintf(want, sizeof(want), "read %s: Is a directory", tmpdir);
	ASSERT_ERR(PARSE("--config-file", tmpdir), want);
	/* One byte over the bound. */
	path = tmp_path("big.yaml");
	fp = fopen(path, "w");
	CU_ASSERT_FATAL(fp != NULL);
	for (size_t i = 0; i <= CONFIG_FILE_BYTES_MAX; i++)
		fputc(i % 64 == 63 ? '\n' : '#', fp);
	fclose(fp);
	snprintf(want, sizeof(want), "%s: larger than 1048576 bytes", path);
	ASSERT_ERR(PARSE("--config-file", path), want);
}

static void
test_yaml_lenient_forms(void)
{
	/* Empty file, nulls, any case of a key: as etcd through JSON. */
	CU_ASSERT_EQUAL_FATAL(PARSE("--config-file", write_file("empty.yaml", "")), 0);
	CU_ASSERT_STRING_EQUAL(cfg.name, "default");
	CU_ASSERT_EQUAL_FATAL(PARSE("--config-file", write_file("case.yaml",
	    "NAME: upper\nClient-Transport-Security:\n  Cert-File: /c\nlog-outputs: []\n")), 0);
	CU_ASSERT_STRING_EQUAL(cfg.name, "upper");
	CU_ASSERT_STRING_EQUAL(get("cert-file"), "/c");
	CU_ASSERT_STRING_EQUAL(get("log-outputs"), "");
	CU_ASSERT_EQUAL_FATAL(PARSE("--config-file", write_file("null2.yaml",
	    "name: ~\ndata-dir: null\npeer-transport-security:\n")), 0);
	CU_ASSERT_STRING_EQUAL(cfg.name, "default");
	CU_ASSERT_EQUAL(src_of("name"), CONFIG_SRC_DEFAULT);
	CU_ASSERT_EQUAL_FATAL(PARSE("--config-file", write_file("ints.yaml",
	    "snapshot-count: 1_000\nquota-backend-bytes: -0x10\nbackend-batch-interval: -5\n")), 0);
	CU_ASSERT_STRING_EQUAL(get("snapshot-count"), "1000");
	CU_ASSERT_STRING_EQUAL(get("quota-backend-bytes"), "-16");
	CU_ASSERT_STRING_EQUAL(get("backend-batch-interval"), "-5ns");
}

/* ---- cairn's own flags ---------------------------------------------- */

static void
test_user_specs(void)
{
	struct passwd *pw = getpwnam("nobody");
	uid_t nobody_uid;
	gid_t nobody_gid;

	CU_ASSERT_FATAL(pw != NULL);
	nobody_uid = pw->pw_uid;
	nobody_gid = pw->pw_gid;
	CU_ASSERT_FATAL(getpwuid(TEST_FREE_ID) == NULL);
	CU_ASSERT_EQUAL_FATAL(PARSE("--netd-user=root", "--raftd-user", "nobody",
	    "--stored-user=0:0"), 0);
	CU_ASSERT_TRUE(cfg.netd_user.set);
	CU_ASSERT_EQUAL(cfg.netd_user.uid, 0);
	CU_ASSERT_EQUAL(cfg.netd_user.gid, 0);
	CU_ASSERT_STRING_EQUAL(cfg.netd_user.spec, "root");
	CU_ASSERT_EQUAL(cfg.raftd_user.uid, nobody_uid);
	CU_ASSERT_EQUAL(cfg.raftd_user.gid, nobody_gid);
	CU_ASSERT_STRING_EQUAL(cfg.stored_user.spec, "0:0");
	CU_ASSERT_TRUE(cfg.stored_user.set);
	CU_ASSERT_EQUAL_FATAL(PARSE("--netd-user=3987654321:3987654321", "--raftd-user=nobody:root"), 0);
	CU_ASSERT_EQUAL(cfg.netd_user.uid, TEST_FREE_ID);
	CU_ASSERT_EQUAL(cfg.netd_user.gid, TEST_FREE_ID);
	CU_ASSERT_EQUAL(cfg.raftd_user.uid, nobody_uid);
	CU_ASSERT_EQUAL(cfg.raftd_user.gid, 0);
	CU_ASSERT_FALSE(cfg.stored_user.set);
	/* A numeric id with a passwd entry takes that entry's group. */
	CU_ASSERT_EQUAL_FATAL(PARSE("--stored-user=0"), 0);
	CU_ASSERT_EQUAL(cfg.stored_user.gid, 0);
	CU_ASSERT_EQUAL_FATAL(PARSE("--stored-user="), 0);
	CU_ASSERT_FALSE(cfg.stored_user.set);
}

static void
test_user_spec_errors(void)
{
	ASSERT_ERR(PARSE("--netd-user=nonexistent_cairn_user"), "invalid value \"nonexistent_cairn_user\" "
	    "for flag -netd-user: unknown user \"nonexistent_cairn_user\"");
	ASSERT_ERR(PARSE("--raftd-user=root:nonexistent_cairn_group"), "invalid value "
	    "\"root:nonexistent_cairn_group\" for flag -raftd-user: unknown group \"nonexistent_cairn_group\"");
	ASSERT_ERR(PARSE("--stored-user=3987654321"), "invalid value \"3987654321\" for flag -stored-user: "
	    "user id 3987654321 has no passwd entry to take a group from; give USER:GROUP");
	ASSERT_ERR(PARSE("--netd-user=:0"), "invalid value \":0\" for flag -netd-user: missing user");
	ASSERT_ERR(PARSE("--netd-user=root:"), "invalid value \"root:\" for flag -netd-user: missing group after ':'");
	ASSERT_ERR(PARSE("--netd-user=4294967295"), "invalid value \"4294967295\" for flag -netd-user: "
	    "unknown user \"4294967295\"");
}

static void
test_ring_bytes(void)
{
	char arg[64];

	snprintf(arg, sizeof(arg), "--ipc-ring-bytes=%u", CONFIG_RING_BYTES_MIN);
	CU_ASSERT_EQUAL_FATAL(PARSE(arg, "--max-request-bytes", "32768"), 0);
	CU_ASSERT_EQUAL(cfg.ring_bytes, CONFIG_RING_BYTES_MIN);
	CU_ASSERT_EQUAL(cfg.max_request_bytes, 32768);
	/* One request of --max-request-bytes, in its Raft message, must fit
	 * a ring: etcd's default needs 2 MiB, the default ring. */
	ASSERT_ERR(PARSE(arg), "--ipc-ring-bytes 65536 is too small for --max-request-bytes "
	    "1572864: give at least 2097152");
	ASSERT_ERR(PARSE("--ipc-ring-bytes", "1048576"), "--ipc-ring-bytes 1048576 is too small "
	    "for --max-request-bytes 1572864: give at least 2097152");
	ASSERT_ERR(PARSE("--max-request-bytes", "2097152"), "--max-request-bytes 2097152 is out "
	    "of range: cairn takes 1 to 2093056");
	snprintf(arg, sizeof(arg), "--ipc-ring-bytes=%u", CONFIG_RING_BYTES_MAX);
	CU_ASSERT_EQUAL_FATAL(PARSE(arg), 0);
	CU_ASSERT_EQUAL(cfg.ring_bytes, CONFIG_RING_BYTES_MAX);
	CU_ASSERT_EQUAL_FATAL(PARSE("--ipc-ring-bytes=0x20000", "--max-request-bytes=65536"), 0);
	CU_ASSERT_EQUAL(cfg.ring_bytes, 0x20000);
	CU_ASSERT_EQUAL(cfg.notices_len, 0);
	snprintf(arg, sizeof(arg), "--ipc-ring-bytes=%u", CONFIG_RING_BYTES_MIN / 2);
	ASSERT_ERR(PARSE(arg), "invalid value \"32768\" for flag -ipc-ring-bytes: "
	    "must be a power of two from 65536 to 268435456");
	snprintf(arg, sizeof(arg), "--ipc-ring-bytes=%llu", 2ull * CONFIG_RING_BYTES_MAX);
	ASSERT_ERR(PARSE(arg), "invalid value \"536870912\" for flag -ipc-ring-bytes: "
	    "must be a power of two from 65536 to 268435456");
	ASSERT_ERR(PARSE("--ipc-ring-bytes=98304"), "invalid value \"98304\" for flag -ipc-ring-bytes: "
	    "must be a power of two from 65536 to 268435456");
	ASSERT_ERR(PARSE("--ipc-ring-bytes=0"), "invalid value \"0\" for flag -ipc-ring-bytes: "
	    "must be a power of two from 65536 to 268435456");
	ASSERT_ERR(PARSE("--ipc-ring-bytes=1M"), "invalid value \"1M\" for flag -ipc-ring-bytes: parse error");
}

static void
test_netd_chroot(void)
{
	CU_ASSERT_EQUAL_FATAL(PARSE("--netd-chroot", "/srv/netd"), 0);
	CU_ASSERT_STRING_EQUAL(cfg.netd_chroot, "/srv/netd");
	ASSERT_ERR(PARSE("--netd-chroot=var/empty"),
	    "invalid value \"var/empty\" for flag -netd-chroot: must be an absolute path");
	ASSERT_ERR(PARSE("--netd-chroot="), "invalid value \"\" for flag -netd-chroot: must be an absolute path");
}

static void
test_get_without_parse(void)
{
	struct config empty;
	enum config_source src = CONFIG_SRC_FILE;

	memset(&empty, 0, sizeof(empty));
	CU_ASSERT_STRING_EQUAL(config_get(&empty, "name", &src), "default");
	CU_ASSERT_EQUAL(src, CONFIG_SRC_DEFAULT);
	CU_ASSERT_PTR_NULL(config_get(&empty, "nope", &src));
	config_free(&empty);
	CU_ASSERT_PTR_NULL(empty.entries);
}

static CU_TestInfo config_tests[] = {
	{"the sample config in etc/ parses", test_yaml_shipped_sample},
	{"raft timings and etcd's checks of them", test_raft_timings},
	{"defaults", test_defaults},
	{"data-dir and initial-cluster follow --name", test_data_dir_follows_name},
	{"every table default is valid and findable", test_every_default_is_valid},
	{"flag syntax forms", test_flag_syntax_forms},
	{"-- and positional arguments", test_double_dash_and_positional},
	{"unknown flag, missing argument, bad syntax", test_bad_flags},
	{"bool forms", test_bool_forms},
	{"uint values", test_uint_values},
	{"int and uint32 values", test_int_and_uint32_values},
	{"duration values", test_duration_values},
	{"URL list values", test_url_values},
	{"enum values", test_enum_values},
	{"log level, --debug, log outputs", test_log_level},
	{"initial cluster", test_initial_cluster},
	{"value length bound and quoting", test_value_length_and_quoting},
	{"--help", test_help},
	{"--version", test_version},
	{"usage text", test_usage},
	{"environment used", test_env_used},
	{"environment unknown and ignored", test_env_unknown_and_ignored},
	{"environment shadowed by a flag", test_env_shadowed_by_flag},
	{"environment bad values", test_env_bad_values},
	{"not supported yet, once per flag", test_not_supported_notices},
	{"notices are bounded", test_notices_are_bounded},
	{"YAML good file", test_yaml_good_file},
	{"YAML ignores flags and variables", test_yaml_ignores_flags_and_env},
	{"YAML unknown and duplicate keys", test_yaml_unknown_keys},
	{"YAML wrong types", test_yaml_wrong_types},
	{"YAML bad values", test_yaml_bad_values},
	{"YAML syntax errors", test_yaml_syntax_error},
	{"YAML missing, unreadable, too large", test_yaml_file_errors},
	{"YAML empty, null, case, integers", test_yaml_lenient_forms},
	{"user specs", test_user_specs},
	{"user spec errors", test_user_spec_errors},
	{"ipc ring bytes", test_ring_bytes},
	{"netd chroot", test_netd_chroot},
	{"config_get before parse", test_get_without_parse},
	CU_TEST_INFO_NULL,
};

static CU_SuiteInfo suites[] = {
	{"config", NULL, NULL, set_up, tear_down, config_tests},
	CU_SUITE_INFO_NULL,
};

int
main(void)
{
	return runner_run(suites);
}
