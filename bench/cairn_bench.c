/*
 * cairn-bench: main. A load generator for any etcd v3 server, after
 * etcd's tools/benchmark: its commands and flags (parsed with cairnctl's
 * pflag rules, ctl/flag.c), one gRPC client (shared/gclient.h) with
 * --conns connections, then the command's workload and its report.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <event2/event.h>

#include "bench/cairn_bench.h"
#include "shared/pbwire.h"
#include "shared/xmalloc.h"

/* The wait for a connection when --dial-timeout is not given. */
#define MAIN_DIAL_MS_DEFAULT 5000
/* The first call, which waits for the connections. */
#define MAIN_FIRST_CALL_MS 10000
#define MAIN_USER_BYTES_MAX 256

static struct bench bench;

static struct ctl_flag main_global_flags[] = {
	{ "endpoints", 0, CTL_FLAG_STRINGS, "[127.0.0.1:2379]", "gRPC endpoints",
	  &bench.f.endpoints, false },
	{ "conns", 0, CTL_FLAG_UINT64, "1", "Total number of gRPC connections", &bench.f.conns,
	  false },
	{ "clients", 0, CTL_FLAG_UINT64, "1", "Total number of gRPC clients (calls in flight)",
	  &bench.f.clients, false },
	{ "total", 0, CTL_FLAG_UINT64, "10000", "Total number of requests", &bench.f.total, false },
	{ "duration", 0, CTL_FLAG_DURATION, "0s",
	  "Run for this long instead of --total requests (--total still caps it if given)",
	  &bench.f.duration_ns, false },
	{ "rate", 0, CTL_FLAG_UINT64, "0", "Maximum requests per second (0 is no limit)",
	  &bench.f.rate, false },
	{ "key-size", 0, CTL_FLAG_UINT64, "8", "Key size of requests", &bench.f.key_size, false },
	{ "val-size", 0, CTL_FLAG_UINT64, "8", "Value size of requests", &bench.f.val_size, false },
	{ "key-space-size", 0, CTL_FLAG_UINT64, "1", "Maximum possible keys",
	  &bench.f.key_space_size, false },
	{ "sequential-keys", 0, CTL_FLAG_BOOL, "false", "Use sequential keys",
	  &bench.f.sequential_keys, false },
	{ "precise", 0, CTL_FLAG_BOOL, "false", "use full floating point precision",
	  &bench.f.precise, false },
	{ "cert", 0, CTL_FLAG_STRING, "", "identify HTTPS client using this SSL certificate file",
	  &bench.f.cert, false },
	{ "key", 0, CTL_FLAG_STRING, "", "identify HTTPS client using this SSL key file",
	  &bench.f.key, false },
	{ "cacert", 0, CTL_FLAG_STRING, "",
	  "verify certificates of HTTPS-enabled servers using this CA bundle", &bench.f.cacert,
	  false },
	{ "insecure-skip-tls-verify", 0, CTL_FLAG_BOOL, "false",
	  "skip server certificate verification", &bench.f.insecure_skip_verify, false },
	{ "user", 0, CTL_FLAG_STRING, "", "provide username:password for authentication",
	  &bench.f.user, false },
	{ "dial-timeout", 0, CTL_FLAG_DURATION, "0s", "dial timeout for client connections",
	  &bench.f.dial_timeout_ns, false },
	{ "target-leader", 0, CTL_FLAG_BOOL, "false", "connect only to the leader node",
	  &bench.f.target_leader, false },
	{ "json", 0, CTL_FLAG_BOOL, "false", "print the report as one JSON object",
	  &bench.f.json, false },
	{ NULL, 0, 0, NULL, NULL, NULL, false },
};

static struct ctl_flag main_no_flags[] = {
	{ NULL, 0, 0, NULL, NULL, NULL, false },
};

struct main_cmd {
	const char *name, *args, *summary;
	struct ctl_flag *flags;
	int (*run)(struct bench *, int, char **);
};

static const struct main_cmd main_cmds[] = {
	{ "put", "", "Benchmark put", main_no_flags, kv_put_run },
	{ "range", " key [end-range]", "Benchmark range", kv_range_flags, kv_range_run },
	{ "txn-put", "", "Benchmark txn-put", kv_txn_put_flags, kv_txn_put_run },
	{ "txn-mixed", "", "Benchmark a mixed load of txn-put & txn-range",
	  kv_txn_mixed_flags, kv_txn_mixed_run },
	{ "watch", "", "Benchmark watch", stream_watch_flags, stream_watch_run },
	{ "watch-latency", "", "Benchmark watch latency", stream_watch_latency_flags,
	  stream_watch_latency_run },
	{ "lease-keepalive", "", "Benchmark lease keepalive", main_no_flags, stream_lease_run },
	{ "k8s", "", "Benchmark a Kubernetes API server's load (see bench/cairn_bench_k8s.c)",
	  k8s_flags, k8s_run },
};
#define MAIN_NCMDS (sizeof(main_cmds) / sizeof(main_cmds[0]))

static const char *
main_type(const struct ctl_flag *f)
{
	switch (f->kind) {
	case CTL_FLAG_BOOL:
		return "";
	case CTL_FLAG_STRING:
		return " string";
	case CTL_FLAG_INT64:
		return " int";
	case CTL_FLAG_UINT64:
		return " uint";
	case CTL_FLAG_DURATION:
		return " duration";
	case CTL_FLAG_STRINGS:
		return " strings";
	}
	return "";
}

static void
main_flags_usage(FILE *out, const struct ctl_flag *tab)
{
	for (const struct ctl_flag *f = tab; f->name != NULL; f++) {
		char left[64];
		bool show = f->kind != CTL_FLAG_BOOL && f->def[0] != '\0' &&
		    strcmp(f->def, "0s") != 0;

		snprintf(left, sizeof(left), "--%s%s", f->name, main_type(f));
		fprintf(out, "      %-34s %s", left, f->usage);
		if (show)
			fprintf(out, f->kind == CTL_FLAG_STRING ? " (default \"%s\")" :
			    " (default %s)", f->def);
		fputc('\n', out);
	}
}

static void
main_usage(FILE *out, const struct main_cmd *cmd)
{
	if (cmd == NULL) {
		fprintf(out, "cairn-bench is a low-level benchmark tool for etcd3 servers (cairn "
		    "or etcd),\nafter etcd's tools/benchmark.\n\nUsage:\n  cairn-bench [command]"
		    "\n\nAvailable Commands:\n");
		for (size_t i = 0; i < MAIN_NCMDS; i++)
			fprintf(out, "  %-16s %s\n", main_cmds[i].name, main_cmds[i].summary);
		fprintf(out, "\nFlags:\n");
	} else {
		fprintf(out, "%s\n\nUsage:\n  cairn-bench %s%s [flags]\n", cmd->summary, cmd->name,
		    cmd->args);
		if (cmd->flags[0].name != NULL) {
			fprintf(out, "\nFlags:\n");
			main_flags_usage(out, cmd->flags);
		}
		fprintf(out, "\nGlobal Flags:\n");
	}
	main_flags_usage(out, main_global_flags);
	if (cmd == NULL)
		fprintf(out, "\nUse \"cairn-bench [command] --help\" for more information about a "
		    "command.\n");
}

/* cobra's stripFlags: does the flag at arg take the next argument? */
static bool
main_takes_value(const char *arg)
{
	if (arg[1] != '-' || strchr(arg, '=') != NULL)
		return false;
	for (const struct ctl_flag *f = main_global_flags; f->name != NULL; f++)
		if (strcmp(arg + 2, f->name) == 0)
			return f->kind != CTL_FLAG_BOOL;
	return false;
}

/* The command's index in argv (flags may come first), or -1. */
static int
main_find_cmd(int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--") == 0)
			return i + 1 < argc ? i + 1 : -1;
		if (argv[i][0] != '-' || argv[i][1] == '\0')
			return i;
		if (main_takes_value(argv[i]))
			i++;
	}
	return -1;
}

/* Checks the global flags' values. 0, or -1 with the reason printed. */
static int
main_check(struct bench *b)
{
	uint64_t maxnum = b->f.key_space_size > 0 ? b->f.key_space_size - 1 : 0;

	if (b->f.key_space_size == 0) {
		fprintf(stderr, "expected positive --key-space-size, got (0)\n");
		return -1;
	}
	if (b->f.conns == 0 || b->f.conns > GC_CONNS_MAX || b->f.clients == 0 ||
	    b->f.clients > BENCH_CLIENTS_MAX) {
		fprintf(stderr, "cairn-bench: --conns must be 1 to %d and --clients 1 to %d\n",
		    GC_CONNS_MAX, BENCH_CLIENTS_MAX);
		return -1;
	}
	if (b->f.endpoints.n == 0 || b->f.endpoints.n > GC_ENDPOINTS_MAX) {
		fprintf(stderr, "cairn-bench: 1 to %d --endpoints\n", GC_ENDPOINTS_MAX);
		return -1;
	}
	if (b->f.key_size > BENCH_KEY_BYTES_MAX || b->f.val_size > BENCH_VAL_BYTES_MAX ||
	    (maxnum >> 62) != 0 || pbw_varint_len(maxnum << 1) > b->f.key_size) {
		fprintf(stderr, "cairn-bench: --key-size must hold the key space's numbers (as Go "
		    "varints), at most %d, and --val-size at most %u\n", BENCH_KEY_BYTES_MAX,
		    BENCH_VAL_BYTES_MAX);
		return -1;
	}
	if (b->f.total == 0 && b->f.duration_ns <= 0) {
		fprintf(stderr, "cairn-bench: want a positive --total or --duration\n");
		return -1;
	}
	return 0;
}

/* Parses the command line: the command and its flags, global flags
 * anywhere. Exits on errors and help. */
static const struct main_cmd *
main_parse(struct bench *b, int argc, char **argv, int *nargs, char ***args)
{
	const struct main_cmd *cmd = NULL;
	struct ctl_flagsets fs;
	char err[CTL_FLAG_ERR_BYTES_MAX];
	bool help;
	int at = main_find_cmd(argc, argv), n = 0;
	char **rest = xcalloc((size_t)argc + 1, sizeof(*rest));

	if (at > 0) {
		for (size_t i = 0; i < MAIN_NCMDS && cmd == NULL; i++)
			if (strcmp(argv[at], main_cmds[i].name) == 0)
				cmd = &main_cmds[i];
		if (cmd == NULL) {
			fprintf(stderr, "Error: unknown command \"%s\" for \"cairn-bench\"\n"
			    "Run 'cairn-bench --help' for usage.\n", argv[at]);
			exit(1);
		}
	}
	for (int i = 1; i < argc; i++)
		if (i != at)
			rest[n++] = argv[i];
	flag_defaults(main_global_flags);
	fs.sets[0] = cmd != NULL ? cmd->flags : main_no_flags;
	fs.sets[1] = main_global_flags;
	fs.n = 2;
	flag_defaults(fs.sets[0]);
	if (flag_parse(&fs, n, rest, nargs, &help, err, sizeof(err)) != 0) {
		fprintf(stderr, "Error: %s\n", err);
		main_usage(stderr, cmd);
		exit(1);
	}
	if (help || cmd == NULL) {
		main_usage(stdout, cmd);
		exit(0);
	}
	*args = rest;
	b->command = cmd->name;
	return cmd;
}

/* --target-leader: the endpoint whose member leads (Maintenance.Status:
 * header.member_id equal to leader, field 4). */
static void
main_target_leader(struct bench *b, const char **eps, size_t *neps)
{
	for (size_t i = 0; i < *neps; i++) {
		struct gc_options o = { .endpoints = &eps[i], .nendpoints = 1, .conns = 1,
		    .cert_file = b->f.cert, .key_file = b->f.key, .ca_file = b->f.cacert,
		    .insecure_skip_verify = b->f.insecure_skip_verify,
		    .dial_timeout_ms = MAIN_DIAL_MS_DEFAULT };
		char err[256];
		struct gc_client *c = gc_client_new(b->base, &o, err, sizeof(err));
		struct gc_result r;
		uint64_t leader;

		if (c == NULL)
			drive_fatalx("%s", err);
		if (gc_call(c, BENCH_PATH_STATUS, NULL, 0, MAIN_FIRST_CALL_MS, &r) == 0 &&
		    r.status == GC_OK && msg_varint(r.msg, r.len, 4, &leader) == 0 &&
		    leader != 0 && leader == msg_header_member(r.msg, r.len)) {
			eps[0] = eps[i];
			*neps = 1;
			gc_client_free(c);
			return;
		}
		gc_client_free(c);
	}
	drive_fatalx("--target-leader: no endpoint is the leader");
}

/* --user name:password: Auth.Authenticate's token on every later call. */
static void
main_authenticate(struct bench *b)
{
	char name[MAIN_USER_BYTES_MAX];
	const char *colon = strchr(b->f.user, ':');
	struct pbout req = {0};
	struct gc_result r;
	const uint8_t *tok;
	size_t toklen;
	char token[GC_TOKEN_BYTES_MAX];

	if (colon == NULL || (size_t)(colon - b->f.user) >= sizeof(name))
		drive_fatalx("--user wants name:password");
	snprintf(name, sizeof(name), "%.*s", (int)(colon - b->f.user), b->f.user);
	pbout_bytes(&req, 1, name, strlen(name));
	pbout_bytes(&req, 2, colon + 1, strlen(colon + 1));
	if (gc_call(b->gc, BENCH_PATH_AUTH, req.buf, req.len, MAIN_FIRST_CALL_MS, &r) != 0 ||
	    r.status != GC_OK)
		drive_fatalx("authentication failed: %s", r.message);
	pbout_close(&req);
	if (msg_bytes(r.msg, r.len, 2, &tok, &toklen) != 0 || tok == NULL ||
	    toklen >= sizeof(token))
		drive_fatalx("authentication failed: no token");
	memcpy(token, tok, toklen);
	token[toklen] = '\0';
	gc_client_set_token(b->gc, token);
}

static void
main_connect(struct bench *b)
{
	const char *eps[GC_ENDPOINTS_MAX];
	size_t neps = b->f.endpoints.n;
	struct gc_options o = {0};
	struct gc_result r;
	char err[256];
	struct event_config *cfg = event_config_new();

	for (size_t i = 0; i < neps; i++)
		eps[i] = b->f.endpoints.v[i];
	/* --rate's pacing wants timers finer than epoll's milliseconds. */
	if (cfg == NULL || event_config_set_flag(cfg, EVENT_BASE_FLAG_PRECISE_TIMER) != 0 ||
	    (b->base = event_base_new_with_config(cfg)) == NULL)
		drive_fatalx("cannot make an event loop");
	event_config_free(cfg);
	if (b->f.target_leader)
		main_target_leader(b, eps, &neps);
	o.endpoints = eps;
	o.nendpoints = neps;
	o.conns = (unsigned)b->f.conns;
	o.dial_timeout_ms = b->f.dial_timeout_ns > 0 ? (unsigned)(b->f.dial_timeout_ns / 1000000) :
	    MAIN_DIAL_MS_DEFAULT;
	o.cert_file = b->f.cert;
	o.key_file = b->f.key;
	o.ca_file = b->f.cacert;
	o.insecure_skip_verify = b->f.insecure_skip_verify;
	if ((b->gc = gc_client_new(b->base, &o, err, sizeof(err))) == NULL)
		drive_fatalx("%s", err);
	if (b->f.user[0] != '\0')
		main_authenticate(b);
	/* A first call waits for the connections: not timed. */
	if (gc_call(b->gc, BENCH_PATH_STATUS, NULL, 0, MAIN_FIRST_CALL_MS, &r) != 0 ||
	    r.status != GC_OK)
		drive_fatalx("the server does not answer: %s", r.message);
}

int
main(int argc, char **argv)
{
	struct bench *b = &bench;
	const struct main_cmd *cmd;
	char **args;
	int nargs, rc;

	cmd = main_parse(b, argc, argv, &nargs, &args);
	if (main_check(b) != 0)
		return 1;
	b->ops_limit = b->f.duration_ns > 0 && !flag_find(main_global_flags, "total")->changed ?
	    0 : b->f.total;
	b->rng = (uint64_t)time(NULL) * 0x9e3779b97f4a7c15ull ^ (uint64_t)getpid() ^
	    drive_now_ns();
	if (b->rng == 0)
		b->rng = 1;
	b->val = xmalloc(b->f.val_size > 0 ? b->f.val_size : 1);
	for (uint64_t i = 0; i < b->f.val_size; i++)
		b->val[i] = (char)('a' + drive_rand(&b->rng) % 26);
	report_init(&b->rep, cmd->name, b->f.precise);
	main_connect(b);
	rc = cmd->run(b, nargs, args);
	if (rc == 0) {
		if (b->f.json)
			report_print_json(&b->rep, stdout);
		else
			report_print_text(&b->rep, stdout);
	}
	gc_client_free(b->gc);
	event_base_free(b->base);
	report_free(&b->rep);
	free(b->val);
	free(args);
	flag_free(cmd->flags);
	flag_free(main_global_flags);
	return rc == 0 ? 0 : 1;
}
