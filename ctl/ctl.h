/*
 * cairnctl: declarations shared by its files: the command table, the
 * global flags, exit codes, output formats and the client's calls, all
 * as etcdctl 3.4 has them.
 */
#ifndef CAIRN_CTL_H
#define CAIRN_CTL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ctl/flag.h"
#include "shared/gclient.h"
#include "shared/pbout.h"

/* etcdctl's exit codes (ctlv3/command/error.go). */
enum ctl_exit {
	CTL_EXIT_SUCCESS = 0,
	CTL_EXIT_ERROR = 1,
	CTL_EXIT_BAD_CONNECTION = 2,
	CTL_EXIT_INVALID_INPUT = 3,
	CTL_EXIT_BAD_FEATURE = 4,
	CTL_EXIT_INTERRUPTED = 5,
	CTL_EXIT_IO = 6,
	CTL_EXIT_BAD_ARGS = 128,
};

/* The version etcdctl reports, and its API version. */
#define CTL_VERSION "3.4.23"
#define CTL_API_VERSION "3.4"

/* A command: cobra's Use, Short and Long, its own flags (a table ending
 * with a zero entry, or NULL), and run (NULL for a group of subcommands,
 * listed in subs by name order, NULL-terminated). run gets the arguments
 * left once flags are parsed and returns the exit status. */
struct ctl_cmd {
	const char *name;
	const char *use;
	const char *short_desc;
	const char *long_desc;
	struct ctl_flag *flags;
	int (*run)(int argc, char **argv);
	const struct ctl_cmd *const *subs;
};

/* The command line as given (Go's os.Args, which watch reads again),
 * set by main (ctl/cairnctl.c). */
extern int cairnctl_os_argc;
extern char **cairnctl_os_argv;

/* The root command and its subcommands (ctl/commands.c), and the
 * top-level names in etcdctl's order of registration (its suggestions
 * for a mistyped command come in that order). */
extern const struct ctl_cmd ctl_root;
extern const char *const ctl_command_order[];

/* Global flags (ctl/global.c), parsed into ctl_g. */
struct ctl_global {
	struct ctl_strings endpoints;
	bool debug;
	char *write_out;
	bool hex;
	int64_t dial_timeout_ns, command_timeout_ns;
	int64_t keepalive_time_ns, keepalive_timeout_ns;
	bool insecure_transport, insecure_discovery, insecure_skip_verify;
	char *cert, *key, *cacert;
	char *user, *password;
	char *discovery_srv, *discovery_srv_name;
};
extern struct ctl_global ctl_g;
extern struct ctl_flag ctl_global_flags[];

/* Applies ETCDCTL_* variables to the global flags not given, as etcd's
 * pkg/flags does (warnings and the fatal conflict included). */
void global_from_env(void);
/* ETCDCTL_* variables the running command reads itself, which
 * global_from_env takes as used when set (etcdctl's watch adds flags for
 * ETCDCTL_WATCH_KEY and ETCDCTL_WATCH_RANGE_END to silence the warning):
 * NULL-terminated, or NULL. */
extern const char *const *global_env_extra;
/* With --debug (or ETCDCTL_DEBUG), every global flag as ETCDCTL_NAME=value
 * on stderr, as etcdctl prints them before it makes a client (grpc's own
 * debug log is not reproduced). */
void global_debug_dump(void);

enum ctl_format {
	CTL_OUT_SIMPLE,
	CTL_OUT_FIELDS,
	CTL_OUT_JSON,
	CTL_OUT_PROTOBUF,
	CTL_OUT_TABLE,
};
/* The output format of -w; exits "unsupported output format" on others. */
enum ctl_format global_format(void);

/* Prints "Error: <text>" to stderr, as etcdctl's ExitWithError, and
 * exits with code. */
__attribute__((noreturn, format(printf, 2, 3))) void ctl_fail(int code, const char *fmt, ...);

/* The monotonic clock in nanoseconds (Go's durations are whole
 * nanoseconds) and in milliseconds. */
int64_t ctl_now_ns(void);
uint64_t ctl_now_ms(void);

/* An errno's text as Go's syscall package words it ("no such file or
 * directory"): strerror's, first letter in lower case. Static storage. */
const char *ctl_strerror(int err);

/* Prints cmd's usage (etcdctl's template) to stdout. */
void usage_print(const struct ctl_cmd *const *path, size_t depth);
/* The same, with the help flag left out of OPTIONS unless help_flag (a
 * cobra command whose help flag was never made, as the root's when the
 * help command shows it after an unknown topic). */
void usage_print_flags(const struct ctl_cmd *const *path, size_t depth, bool help_flag);
/* The subcommand of cmd named 'name' or by a unique prefix of it, as
 * cobra's findNext with prefix matching (ctl/cairnctl.c); NULL if none. */
const struct ctl_cmd *cairnctl_find_sub(const struct ctl_cmd *cmd, const char *name);

/* ---- the client (ctl/client.c) ---------------------------------------- */

/* Whether clientv3 calls a method again after an UNAVAILABLE answer
 * (reads) or not (writes). */
enum ctl_retry {
	CTL_RETRY_NEVER,
	CTL_RETRY_UNAVAILABLE,
};

/* Connects as etcdctl's mustClientFromCmd does (authenticating when
 * --user is given); exits as etcdctl does on failure. */
void client_open(void);
/* Closes the connection (at exit). */
void client_close(void);
/* client_open in steps, for commands that connect to endpoints one by
 * one (etcdctl's endpoint and move-leader commands). client_prepare makes
 * client_open's checks and settings (ETCDCTL_* variables, TLS flags,
 * credentials, -w; exits as etcdctl on failure; once). client_connect
 * then connects to eps[n] (borrowed until client_disconnect), as a
 * clientv3.New of their own, authenticated when 'auth' and credentials
 * were given: 0, or etcdctl's exit code for the failure with err filled
 * and nothing left open. client_disconnect closes it, keeping the
 * credentials for the next. */
void client_prepare(void);
int client_connect(const char *const *eps, size_t n, bool auth, char *err, size_t errlen);
void client_disconnect(void);
/* clientv3's Client.Dial(ep) for the Maintenance calls that name their
 * member (Status, HashKV, Defragment): until client_undial, calls go to
 * ep alone on a connection of its own (authenticated anew, as clientv3
 * does), logged as "passthrough:///ep". 0, or -1 with clientv3's error
 * text in err (nothing changed). */
int client_dial(const char *ep, char *err, size_t errlen);
void client_undial(void);
/* The open client's gRPC client and its event loop, for streams
 * (gc_stream_open); borrowed, valid until client_close. */
struct gc_client *client_gc(void);
struct event_base *client_base(void);
/* grpc-go's name of a status code ("Unavailable"). */
const char *client_code_name(int code);
/* clientv3's toErr text for a call (a stream's) that ended with gRPC
 * status and message: etcd's own errors bare, others as grpc's "rpc
 * error: code = ... desc = ...". */
void client_error_text(int status, const char *message, char *err, size_t errlen);
/*
 * clientv3's stream interceptor: before a stream opens, a client given a
 * name and a password asks for its token again (each try logged as the
 * unary ones; "authentication is not enabled" is no error). 0, or the
 * status with err filled (clientv3 logs it at error level with a Go
 * stack trace, which cairnctl does not write).
 */
int client_stream_auth(char *err, size_t errlen);
/*
 * Calls 'path' with req, within --command-timeout, retried as clientv3
 * retries (each failure logged as its retry interceptor logs it). On
 * success r holds the answer (valid until the next call). On failure
 * prints clientv3's error text and exits CTL_EXIT_ERROR.
 */
void client_call(const char *path, const struct pbout *req, enum ctl_retry retry,
    struct gc_result *r);
/* The same, but returns the gRPC status (0: OK) and leaves the error to
 * the caller (err filled with clientv3's text). */
int client_try(const char *path, const struct pbout *req, enum ctl_retry retry,
    struct gc_result *r, char *err, size_t errlen);
/* client_try without --command-timeout: clientv3's calls under
 * context.TODO() (its concurrency recipes: lock, elect), which wait for a
 * connection as long as it takes. */
int client_try_untimed(const char *path, const struct pbout *req, enum ctl_retry retry,
    struct gc_result *r, char *err, size_t errlen);

/* client_try within timeout_ms (0: untimed, as context.TODO()) instead
 * of --command-timeout: etcdctl's calls under contexts of their own. */
int client_try_ms(const char *path, const struct pbout *req, enum ctl_retry retry,
    uint64_t timeout_ms, struct gc_result *r, char *err, size_t errlen);

/*
 * Other clientv3 clients of etcdctl's, on the client's event loop:
 * make-mirror's destination (its own endpoint and TLS files, no
 * credentials) and check's load clients (conns connections to the
 * global endpoints, authenticated as the open client when auth is set,
 * which needs client_open first). Dial and keepalive times are the
 * global flags'.
 */
struct client_peer_opts {
	const char *const *endpoints;  /* borrowed for the call */
	size_t n;
	unsigned conns;                /* 0: 1 */
	const char *cert, *key, *cacert;
	bool insecure_skip_verify;
	bool auth;
};
struct client_peer;
/* 0 with *out set (owned by the caller, client_peer_free), or etcdctl's
 * exit code for the failure (CTL_EXIT_BAD_ARGS for bad options or TLS
 * files, CTL_EXIT_BAD_CONNECTION for authentication) with err filled. */
int client_peer_new(const struct client_peer_opts *o, struct client_peer **out, char *err,
    size_t errlen);
/* client_try_ms on p's connections (logged under p's own target). */
int client_peer_try(struct client_peer *p, const char *path, const struct pbout *req,
    enum ctl_retry retry, uint64_t timeout_ms, struct gc_result *r, char *err,
    size_t errlen);
/* p's gRPC client for calls of one's own (gc_unary); borrowed. */
struct gc_client *client_peer_gc(struct client_peer *p);
/* Logs a failed call of p's as clientv3's retry interceptor does. */
void client_peer_log_failure(const struct client_peer *p, int status, const char *message);
void client_peer_free(struct client_peer *p);

#endif
