/*
 * cairnctl: the connection to the cluster as clientv3 makes it for
 * etcdctl (endpoints, TLS, keepalive, the auth token), and its unary
 * calls with clientv3's retries, warnings and error texts.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/time.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include <event2/event.h>

#include "ctl/ctl.h"
#include "ctl/zaplog.h"
#include "shared/assert.h"
#include "shared/pbwire.h"
#include "shared/xmalloc.h"

/* clientv3's retries: at most 100 attempts, 25 ms apart, +-10%. */
#define CLIENT_ATTEMPTS_MAX 100
#define CLIENT_BACKOFF_MS 25
/* The longest user name or password read. */
#define CLIENT_SECRET_BYTES_MAX 1024

static struct {
	struct event_base *base;
	struct gc_client *gc;
	char target[GC_ENDPOINT_BYTES_MAX + 64]; /* grpc's dial target, for logs */
	char user[CLIENT_SECRET_BYTES_MAX];
	char password[CLIENT_SECRET_BYTES_MAX];
} client;

/* Known etcd error texts (rpctypes): clientv3 shows these bare; others
 * as grpc's "rpc error: code = ... desc = ...". */
static const char *const client_etcd_errors[] = {
	"etcdserver: key is not provided",
	"etcdserver: key not found",
	"etcdserver: value is provided",
	"etcdserver: lease is provided",
	"etcdserver: too many operations in txn request",
	"etcdserver: duplicate key given in txn request",
	"etcdserver: mvcc: required revision has been compacted",
	"etcdserver: mvcc: required revision is a future revision",
	"etcdserver: mvcc: database space exceeded",
	"etcdserver: requested lease not found",
	"etcdserver: lease already exists",
	"etcdserver: too large lease TTL",
	"etcdserver: watch canceled",
	"etcdserver: member ID already exist",
	"etcdserver: Peer URLs already exists",
	"etcdserver: re-configuration failed due to not enough started members",
	"etcdserver: given member URLs are invalid",
	"etcdserver: member not found",
	"etcdserver: can only promote a learner member",
	"etcdserver: can only promote a learner member which is in sync with leader",
	"etcdserver: too many learner members in cluster",
	"etcdserver: request is too large",
	"etcdserver: too many requests",
	"etcdserver: root user does not exist",
	"etcdserver: root user does not have root role",
	"etcdserver: user name already exists",
	"etcdserver: user name is empty",
	"etcdserver: user name not found",
	"etcdserver: role name already exists",
	"etcdserver: role name not found",
	"etcdserver: role name is empty",
	"etcdserver: authentication failed, invalid user ID or password",
	"etcdserver: permission denied",
	"etcdserver: role is not granted to the user",
	"etcdserver: permission is not granted to the role",
	"etcdserver: authentication is not enabled",
	"etcdserver: invalid auth token",
	"etcdserver: invalid auth management",
	"etcdserver: revision of auth store is old",
	"etcdserver: no leader",
	"etcdserver: not leader",
	"etcdserver: leader changed",
	"etcdserver: not capable",
	"etcdserver: server stopped",
	"etcdserver: request timed out",
	"etcdserver: request timed out, possibly due to previous leader failure",
	"etcdserver: request timed out, possibly due to connection lost",
	"etcdserver: request timed out, waiting for the applied index took too long",
	"etcdserver: unhealthy cluster",
	"etcdserver: corrupt cluster",
	"etcdserver: rpc not supported for learner",
	"etcdserver: bad leader transferee",
	NULL,
};

/* grpc-go's names of status codes. */
static const char *
client_code_name(int code)
{
	static const char *const names[] = {
		"OK", "Canceled", "Unknown", "InvalidArgument", "DeadlineExceeded", "NotFound",
		"AlreadyExists", "PermissionDenied", "ResourceExhausted", "FailedPrecondition",
		"Aborted", "OutOfRange", "Unimplemented", "Internal", "Unavailable", "DataLoss",
		"Unauthenticated",
	};

	if (code >= 0 && (size_t)code < sizeof(names) / sizeof(names[0]))
		return names[code];
	return "Unknown";
}

static bool
client_is_etcd_error(const char *msg)
{
	for (const char *const *e = client_etcd_errors; *e != NULL; e++)
		if (strcmp(*e, msg) == 0)
			return true;
	return false;
}

static uint64_t
client_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* The line clientv3's retry interceptor writes for a failed attempt. */
static void
client_log_retry(unsigned attempt, const char *error)
{
	zaplog_begin("warn", false, "clientv3/retry_interceptor.go:62",
	    "retrying of unary invoker failed");
	zaplog_str("target", client.target);
	zaplog_uint("attempt", attempt);
	zaplog_str("error", error);
	zaplog_end();
}

/* An RFC 4122 version 4 id, as grpc's resolver names its client. */
static void
client_uuid(char *dst, size_t cap)
{
	uint8_t b[16];

	if (getrandom(b, sizeof(b), 0) != (ssize_t)sizeof(b))
		memset(b, 0x5a, sizeof(b));
	b[6] = (uint8_t)((b[6] & 0x0f) | 0x40);
	b[8] = (uint8_t)((b[8] & 0x3f) | 0x80);
	snprintf(dst, cap, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
	    b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12],
	    b[13], b[14], b[15]);
}

/* Reads a password from the terminal without echo, as speakeasy does. */
static int
client_ask_password(char *dst, size_t cap)
{
	struct termios old, quiet;
	bool tty = tcgetattr(STDIN_FILENO, &old) == 0;
	size_t n = 0;
	int c;

	fputs("Password: ", stdout);
	fflush(stdout);
	if (tty) {
		quiet = old;
		quiet.c_lflag &= ~(tcflag_t)ECHO;
		tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet);
	}
	while ((c = getchar()) != EOF && c != '\n')
		if (n + 1 < cap)
			dst[n++] = (char)c;
	dst[n] = '\0';
	if (tty)
		tcsetattr(STDIN_FILENO, TCSAFLUSH, &old);
	fputc('\n', stdout);
	return c == EOF && n == 0 ? -1 : 0;
}

static int64_t
client_remaining_ms(uint64_t deadline_ms)
{
	uint64_t now = client_now_ms();

	return now >= deadline_ms ? 0 : (int64_t)(deadline_ms - now);
}

/* Waits ms on the client's loop (the connection keeps working). */
static void
client_sleep(int64_t ms)
{
	struct timeval tv = { ms / 1000, (ms % 1000) * 1000 };

	event_base_loopexit(client.base, &tv);
	event_base_dispatch(client.base);
}

/* One call with clientv3's retry loop; see client_try. */
static int
client_attempts(const char *path, const struct pbout *req, enum ctl_retry retry,
    uint64_t deadline_ms, struct gc_result *r, char *err, size_t errlen)
{
	char text[GC_MESSAGE_BYTES_MAX + 128];

	for (unsigned attempt = 0; attempt < CLIENT_ATTEMPTS_MAX; attempt++) {
		int64_t left;

		if (attempt > 0) {
			uint32_t jitter;

			if (getrandom(&jitter, sizeof(jitter), 0) != (ssize_t)sizeof(jitter))
				jitter = 0;
			left = client_remaining_ms(deadline_ms);
			int64_t wait = CLIENT_BACKOFF_MS * 9 / 10 + (int64_t)(jitter % 6);
			if (wait >= left) {
				snprintf(err, errlen, "context deadline exceeded");
				return GC_DEADLINE_EXCEEDED;
			}
			client_sleep(wait);
		}
		left = client_remaining_ms(deadline_ms);
		if (left <= 0) {
			snprintf(err, errlen, "context deadline exceeded");
			return GC_DEADLINE_EXCEEDED;
		}
		if (gc_call(client.gc, path, req->buf, req->len, (unsigned)left, r) != 0) {
			snprintf(err, errlen, "etcdserver: request is too large");
			return GC_RESOURCE_EXHAUSTED;
		}
		if (r->status == GC_OK)
			return 0;
		snprintf(text, sizeof(text), "rpc error: code = %s desc = %s",
		    client_code_name(r->status), r->message);
		client_log_retry(attempt, text);
		if (client_is_etcd_error(r->message))
			snprintf(err, errlen, "%s", r->message);
		else
			snprintf(err, errlen, "%s", text);
		if (r->status == GC_DEADLINE_EXCEEDED || r->status == GC_CANCELLED) {
			if (client_remaining_ms(deadline_ms) <= 0) {
				snprintf(err, errlen, "context deadline exceeded");
				return r->status;
			}
			continue;
		}
		if (strcmp(r->message, "etcdserver: invalid auth token") == 0 ||
		    strcmp(r->message, "etcdserver: revision of auth store is old") == 0) {
			if (client.user[0] != '\0') {
				char why[GC_MESSAGE_BYTES_MAX + 128];

				if (client_try("/etcdserverpb.Auth/Authenticate", NULL, CTL_RETRY_NEVER,
				    r, why, sizeof(why)) != 0) {
					snprintf(err, errlen, "%s", why);
					return r->status;
				}
			}
			continue;
		}
		if (retry == CTL_RETRY_UNAVAILABLE && r->status == GC_UNAVAILABLE)
			continue;
		return r->status;
	}
	return r->status;
}

/* Auth.Authenticate with the user's name and password; sets the token. */
static int
client_authenticate(uint64_t deadline_ms, struct gc_result *r, char *err, size_t errlen)
{
	struct pbout req = { 0 };
	struct pbw_reader rd;
	struct pbw_field f;
	int rc, more;

	pbout_bytes(&req, 1, client.user, strlen(client.user));
	pbout_bytes(&req, 2, client.password, strlen(client.password));
	gc_client_set_token(client.gc, NULL);
	rc = client_attempts("/etcdserverpb.Auth/Authenticate", &req, CTL_RETRY_UNAVAILABLE,
	    deadline_ms, r, err, errlen);
	explicit_bzero(req.buf, req.len);
	pbout_close(&req);
	if (rc != 0)
		return rc;
	rd = (struct pbw_reader){ r->msg, r->len, 0 };
	while ((more = pbw_next(&rd, &f)) == 1) {
		if (f.number == 2 && f.type == PBW_LEN) {
			char token[GC_TOKEN_BYTES_MAX];

			snprintf(token, sizeof(token), "%.*s", (int)f.n, (const char *)f.p);
			gc_client_set_token(client.gc, token);
		}
	}
	return 0;
}

int
client_try(const char *path, const struct pbout *req, enum ctl_retry retry,
    struct gc_result *r, char *err, size_t errlen)
{
	uint64_t deadline_ms = client_now_ms() + (uint64_t)(ctl_g.command_timeout_ns / 1000000);

	CAIRN_ASSERT(client.gc != NULL);
	if (req == NULL)
		return client_authenticate(deadline_ms, r, err, errlen);
	return client_attempts(path, req, retry, deadline_ms, r, err, errlen);
}

void
client_call(const char *path, const struct pbout *req, enum ctl_retry retry,
    struct gc_result *r)
{
	char err[GC_MESSAGE_BYTES_MAX + 128];

	if (client_try(path, req, retry, r, err, sizeof(err)) != 0)
		ctl_fail(CTL_EXIT_ERROR, "%s", err);
}

/* etcdctl's --user and --password: "name:password", or a prompt. */
static void
client_credentials(void)
{
	const char *colon;

	if (ctl_g.user[0] == '\0')
		return;
	if (ctl_g.password[0] != '\0') {
		snprintf(client.user, sizeof(client.user), "%s", ctl_g.user);
		snprintf(client.password, sizeof(client.password), "%s", ctl_g.password);
		return;
	}
	if ((colon = strchr(ctl_g.user, ':')) != NULL) {
		snprintf(client.user, sizeof(client.user), "%.*s", (int)(colon - ctl_g.user),
		    ctl_g.user);
		snprintf(client.password, sizeof(client.password), "%s", colon + 1);
		return;
	}
	snprintf(client.user, sizeof(client.user), "%s", ctl_g.user);
	if (client_ask_password(client.password, sizeof(client.password)) != 0)
		ctl_fail(CTL_EXIT_ERROR, "EOF");
}

void
client_open(void)
{
	const char *eps[GC_ENDPOINTS_MAX];
	char errbuf[GC_MESSAGE_BYTES_MAX + 128], id[40];
	struct gc_options o = { 0 };
	struct gc_result r;
	size_t n = ctl_g.endpoints.n;
	const char *first;

	global_from_env();
	if (ctl_g.cert[0] == '\0' && flag_find(ctl_global_flags, "cert")->changed)
		ctl_fail(CTL_EXIT_BAD_ARGS, "empty string is passed to --cert option");
	if (ctl_g.key[0] == '\0' && flag_find(ctl_global_flags, "key")->changed)
		ctl_fail(CTL_EXIT_BAD_ARGS, "empty string is passed to --key option");
	if (ctl_g.cacert[0] == '\0' && flag_find(ctl_global_flags, "cacert")->changed)
		ctl_fail(CTL_EXIT_BAD_ARGS, "empty string is passed to --cacert option");
	if (ctl_g.discovery_srv[0] != '\0' && !ctl_g.insecure_discovery)
		ctl_fail(CTL_EXIT_ERROR, "--discovery-srv is not supported by cairnctl");
	client_credentials();
	(void)global_format();
	if (n == 0 || n > GC_ENDPOINTS_MAX)
		ctl_fail(CTL_EXIT_BAD_ARGS, "at most %d endpoints", GC_ENDPOINTS_MAX);
	for (size_t i = 0; i < n; i++) {
		char *e = ctl_g.endpoints.v[i];
		size_t len = strlen(e);

		/* etcdctl trims blanks around each endpoint. */
		while (*e == ' ' || *e == '\t')
			e++;
		while (len > 0 && (e[len - 1] == ' ' || e[len - 1] == '\t'))
			e[--len] = '\0';
		eps[i] = e;
	}
	o.endpoints = eps;
	o.nendpoints = n;
	o.conns = 1;
	o.dial_timeout_ms = (unsigned)(ctl_g.command_timeout_ns / 1000000);
	o.cert_file = ctl_g.cert;
	o.key_file = ctl_g.key;
	o.ca_file = ctl_g.cacert;
	o.insecure_skip_verify = ctl_g.insecure_skip_verify;
	o.keepalive_time_ms = (unsigned)(ctl_g.keepalive_time_ns / 1000000);
	o.keepalive_timeout_ms = (unsigned)(ctl_g.keepalive_timeout_ns / 1000000);
	if ((client.base = event_base_new()) == NULL)
		ctl_fail(CTL_EXIT_BAD_CONNECTION, "cannot make an event loop");
	client.gc = gc_client_new(client.base, &o, errbuf, sizeof(errbuf));
	if (client.gc == NULL)
		ctl_fail(CTL_EXIT_BAD_ARGS, "%s", errbuf);
	first = eps[0];
	if (strncmp(first, "http://", 7) == 0)
		first += 7;
	else if (strncmp(first, "https://", 8) == 0)
		first += 8;
	client_uuid(id, sizeof(id));
	snprintf(client.target, sizeof(client.target), "endpoint://client-%s/%s", id, first);
	if (client.user[0] != '\0') {
		uint64_t deadline = client_now_ms() + (uint64_t)(ctl_g.dial_timeout_ns / 1000000);

		if (client_authenticate(deadline, &r, errbuf, sizeof(errbuf)) != 0)
			ctl_fail(CTL_EXIT_BAD_CONNECTION, "%s", errbuf);
	}
}

struct gc_client *
client_gc(void)
{
	CAIRN_ASSERT(client.gc != NULL);
	return client.gc;
}

struct event_base *
client_base(void)
{
	CAIRN_ASSERT(client.base != NULL);
	return client.base;
}

void
client_close(void)
{
	if (client.gc != NULL)
		gc_client_free(client.gc);
	if (client.base != NULL)
		event_base_free(client.base);
	client.gc = NULL;
	client.base = NULL;
	explicit_bzero(client.password, sizeof(client.password));
}
