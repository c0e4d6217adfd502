/*
 * cairnctl: the connection to the cluster as clientv3 makes it for
 * etcdctl (endpoints, TLS, keepalive, the auth token), and its unary
 * calls with clientv3's retries, warnings and error texts.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include <event2/event.h>

#include "ctl/askpass.h"
#include "ctl/ctl.h"
#include "ctl/pbview.h"
#include "ctl/zaplog.h"
#include "shared/assert.h"
#include "shared/xmalloc.h"

/* clientv3's retries: at most 100 attempts, 25 ms apart, +-10%. */
#define CLIENT_ATTEMPTS_MAX 100
#define CLIENT_BACKOFF_MS 25
/* The deadline of an untimed call (context.TODO()): a century. */
#define CLIENT_UNTIMED_MS (100ull * 365 * 24 * 3600 * 1000)
/* The longest user name or password read. */
#define CLIENT_SECRET_BYTES_MAX 1024

/* A grpc dial target, "endpoint://client-<id>/<host>", for logs. */
#define CLIENT_TARGET_BYTES_MAX (GC_ENDPOINT_BYTES_MAX + 64)

static struct {
	struct event_base *base;
	struct gc_client *gc;
	char target[CLIENT_TARGET_BYTES_MAX]; /* grpc's dial target, for logs */
	char id[40];                          /* grpc's client id, in targets */
	struct gc_options opts;               /* as dialled, for Authenticate */
	const char *eps[GC_ENDPOINTS_MAX];
	char user[CLIENT_SECRET_BYTES_MAX];
	char password[CLIENT_SECRET_BYTES_MAX];
	/* clientv3 authenticates only with a name and a password both set
	 * (its authTokenBundle), and its calls carry the token only when
	 * auth was on as it connected. */
	bool creds, token_sent;
	bool prepared;                        /* client_prepare done */
	size_t npeers;                        /* client_peer_new's, open */
	/* While client_dial's connection is in use: the client's own. */
	struct gc_client *cluster_gc;
	char cluster_target[CLIENT_TARGET_BYTES_MAX];
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

const char *
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

/* The line clientv3's retry interceptor writes for a failed attempt on
 * the connection to 'target'. */
static void
client_log_retry(const char *target, unsigned attempt, const char *error)
{
	zaplog_begin("warn", false, "clientv3/retry_interceptor.go:62",
	    "retrying of unary invoker failed");
	zaplog_str("target", target);
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

static int64_t
client_remaining_ms(uint64_t deadline_ms)
{
	uint64_t now = ctl_now_ms();

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

static int client_get_token(uint64_t deadline_ms, char *token, size_t cap, char *err,
    size_t errlen);

/* The target grpc names in logs for endpoint ep. */
static void
client_target(char *dst, size_t cap, const char *ep)
{
	if (strncmp(ep, "http://", 7) == 0)
		ep += 7;
	else if (strncmp(ep, "https://", 8) == 0)
		ep += 8;
	snprintf(dst, cap, "endpoint://client-%s/%s", client.id, ep);
}

/*
 * clientv3's refreshToken, after an answer that asks for a new token
 * ("invalid auth token", "revision of auth store is old", or "user name
 * is empty" while credentials were given): without credentials nothing
 * is done (the call is tried again); with them the token is asked anew
 * (and set on the calls if they carry one). 0, or the status with err
 * filled and clientv3's warning logged.
 */
static int
client_refresh(uint64_t deadline_ms, char *err, size_t errlen)
{
	char token[GC_TOKEN_BYTES_MAX];
	int rc;

	if (!client.creds)
		return 0;
	if (client.token_sent)
		gc_client_set_token(client.gc, NULL);
	if ((rc = client_get_token(deadline_ms, token, sizeof(token), err, errlen)) != 0) {
		zaplog_begin("warn", false, "clientv3/retry_interceptor.go:79",
		    "retrying of unary invoker failed to fetch new auth token");
		zaplog_str("target", client.target);
		zaplog_str("error", err);
		zaplog_end();
		return rc;
	}
	if (client.token_sent)
		gc_client_set_token(client.gc, token);
	explicit_bzero(token, sizeof(token));
	return 0;
}

/* One call on gc (the client's, or an Authenticate connection to
 * 'target') with clientv3's retry loop; see client_try. */
static int
client_attempts(struct gc_client *gc, const char *target, const char *path,
    const struct pbout *req, enum ctl_retry retry, uint64_t deadline_ms, struct gc_result *r,
    char *err, size_t errlen)
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
		/* An untimed call's deadline is beyond grpc-timeout's ms: none. */
		if (gc_call(gc, path, req->buf, req->len, left > (int64_t)UINT_MAX ? 0 :
		    (unsigned)left, r) != 0) {
			snprintf(err, errlen, "etcdserver: request is too large");
			return GC_RESOURCE_EXHAUSTED;
		}
		if (r->status == GC_OK)
			return 0;
		/* An untimed call waits for a connection as long as it takes,
		 * and silently: grpc's WaitForReady under context.TODO(). */
		if (left > (int64_t)UINT_MAX && r->status == GC_DEADLINE_EXCEEDED &&
		    strcmp(r->message, "context deadline exceeded: no connection") == 0) {
			attempt--;
			continue;
		}
		snprintf(text, sizeof(text), "rpc error: code = %s desc = %s",
		    client_code_name(r->status), r->message);
		client_log_retry(target, attempt, text);
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
		/* Authenticate's own connections ask for no token. */
		if (gc == client.gc && (strcmp(r->message, "etcdserver: invalid auth token") == 0 ||
		    strcmp(r->message, "etcdserver: revision of auth store is old") == 0 ||
		    (client.creds && strcmp(r->message, "etcdserver: user name is empty") == 0))) {
			int rc = client_refresh(deadline_ms, err, errlen);

			if (rc != 0)
				return rc;
			continue;
		}
		if (retry == CTL_RETRY_UNAVAILABLE && r->status == GC_UNAVAILABLE)
			continue;
		return r->status;
	}
	return r->status;
}

/*
 * clientv3's getToken: Auth.Authenticate with the user's name and
 * password once for each endpoint in turn, until one answers;
 * "authentication is not enabled" ends the search at once. Each goes over
 * a connection of its own to all the endpoints (clientv3's authenticator
 * dials the client's resolver group: the endpoint only names the try in
 * its log lines, any endpoint that answers serves it). 0 with token
 * filled, or the last failure's status with err filled.
 */
static int
client_get_token(uint64_t deadline_ms, char *token, size_t cap, char *err, size_t errlen)
{
	struct pbout req = { 0 };
	struct gc_client *gc;
	int rc = GC_UNAVAILABLE;

	if ((gc = gc_client_new(client.base, &client.opts, err, errlen)) == NULL)
		return rc;
	pbout_bytes(&req, 1, client.user, strlen(client.user));
	pbout_bytes(&req, 2, client.password, strlen(client.password));
	for (size_t i = 0; i < client.opts.nendpoints; i++) {
		char target[CLIENT_TARGET_BYTES_MAX];
		struct gc_result r;
		struct pbv tok;

		client_target(target, sizeof(target), client.opts.endpoints[i]);
		rc = client_attempts(gc, target, "/etcdserverpb.Auth/Authenticate", &req,
		    CTL_RETRY_UNAVAILABLE, deadline_ms, &r, err, errlen);
		if (rc == 0) {
			tok = pbv_bytes(pbv_of(r.msg, r.len), 2);
			snprintf(token, cap, "%.*s", (int)tok.n,
			    tok.n > 0 ? (const char *)tok.p : "");
		}
		if (rc == 0 || strcmp(err, "etcdserver: authentication is not enabled") == 0)
			break;
	}
	gc_client_free(gc);
	explicit_bzero(req.buf, req.len);
	pbout_close(&req);
	return rc;
}

int
client_try(const char *path, const struct pbout *req, enum ctl_retry retry,
    struct gc_result *r, char *err, size_t errlen)
{
	uint64_t deadline_ms = ctl_now_ms() + (uint64_t)(ctl_g.command_timeout_ns / 1000000);

	CAIRN_ASSERT(client.gc != NULL);
	CAIRN_ASSERT(req != NULL);
	return client_attempts(client.gc, client.target, path, req, retry, deadline_ms, r, err,
	    errlen);
}

int
client_try_untimed(const char *path, const struct pbout *req, enum ctl_retry retry,
    struct gc_result *r, char *err, size_t errlen)
{
	CAIRN_ASSERT(client.gc != NULL);
	CAIRN_ASSERT(req != NULL);
	return client_attempts(client.gc, client.target, path, req, retry,
	    ctl_now_ms() + CLIENT_UNTIMED_MS, r, err, errlen);
}

int
client_try_ms(const char *path, const struct pbout *req, enum ctl_retry retry,
    uint64_t timeout_ms, struct gc_result *r, char *err, size_t errlen)
{
	CAIRN_ASSERT(client.gc != NULL);
	CAIRN_ASSERT(req != NULL);
	return client_attempts(client.gc, client.target, path, req, retry,
	    ctl_now_ms() + (timeout_ms > 0 ? timeout_ms : CLIENT_UNTIMED_MS), r, err, errlen);
}

void
client_call(const char *path, const struct pbout *req, enum ctl_retry retry,
    struct gc_result *r)
{
	char err[GC_MESSAGE_BYTES_MAX + 128];

	if (client_try(path, req, retry, r, err, sizeof(err)) != 0)
		ctl_fail(CTL_EXIT_ERROR, "%s", err);
}

/* etcdctl's --user and --password: "name:password", or speakeasy's
 * prompt (EOF gives an empty password, no error). */
static void
client_credentials(void)
{
	char err[GC_MESSAGE_BYTES_MAX];
	const char *colon;

	if (ctl_g.user[0] == '\0')
		return;
	if (ctl_g.password[0] != '\0') {
		snprintf(client.user, sizeof(client.user), "%s", ctl_g.user);
		snprintf(client.password, sizeof(client.password), "%s", ctl_g.password);
		client.creds = client.user[0] != '\0';
		return;
	}
	if ((colon = strchr(ctl_g.user, ':')) != NULL) {
		snprintf(client.user, sizeof(client.user), "%.*s", (int)(colon - ctl_g.user),
		    ctl_g.user);
		snprintf(client.password, sizeof(client.password), "%s", colon + 1);
		client.creds = client.user[0] != '\0' && client.password[0] != '\0';
		return;
	}
	snprintf(client.user, sizeof(client.user), "%s", ctl_g.user);
	if (askpass_ask("Password: ", client.password, sizeof(client.password), err,
	    sizeof(err)) != 0)
		ctl_fail(CTL_EXIT_ERROR, "%s", err);
	client.creds = client.password[0] != '\0';
}

void
client_prepare(void)
{
	size_t n = ctl_g.endpoints.n;

	if (client.prepared)
		return;
	client.prepared = true;
	global_from_env();
	global_debug_dump();
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
		size_t len = strlen(e), skip = strspn(e, " \t");

		/* etcdctl trims blanks around each endpoint. */
		while (len > skip && (e[len - 1] == ' ' || e[len - 1] == '\t'))
			e[--len] = '\0';
		memmove(e, e + skip, len - skip + 1);
	}
}

/* The options of every connection (etcdctl's flags) to eps[n]. */
static void
client_options(struct gc_options *o, const char **eps, size_t n)
{
	*o = (struct gc_options){ 0 };
	o->endpoints = eps;
	o->nendpoints = n;
	o->conns = 1;
	o->dial_timeout_ms = (unsigned)(ctl_g.command_timeout_ns / 1000000);
	o->cert_file = ctl_g.cert;
	o->key_file = ctl_g.key;
	o->ca_file = ctl_g.cacert;
	o->insecure_skip_verify = ctl_g.insecure_skip_verify;
	o->keepalive_time_ms = (unsigned)(ctl_g.keepalive_time_ns / 1000000);
	o->keepalive_timeout_ms = (unsigned)(ctl_g.keepalive_timeout_ns / 1000000);
}

int
client_connect(const char *const *eps, size_t n, bool auth, char *err, size_t errlen)
{
	char token[GC_TOKEN_BYTES_MAX];
	struct gc_options o;

	CAIRN_ASSERT(client.prepared);
	CAIRN_ASSERT(client.gc == NULL);
	CAIRN_ASSERT(n >= 1 && n <= GC_ENDPOINTS_MAX);
	for (size_t i = 0; i < n; i++)
		client.eps[i] = eps[i];
	client_options(&o, client.eps, n);
	if (client.base == NULL && (client.base = event_base_new()) == NULL) {
		snprintf(err, errlen, "cannot make an event loop");
		return CTL_EXIT_BAD_CONNECTION;
	}
	client.gc = gc_client_new(client.base, &o, err, errlen);
	if (client.gc == NULL) {
		client_disconnect();
		return CTL_EXIT_BAD_ARGS;
	}
	client.opts = o;
	client.token_sent = false;
	client_uuid(client.id, sizeof(client.id));
	client_target(client.target, sizeof(client.target), client.eps[0]);
	/* clientv3's dial: a token within the dial timeout; with auth off,
	 * calls go without one. */
	if (auth && client.creds) {
		uint64_t deadline = ctl_now_ms() + (uint64_t)(ctl_g.dial_timeout_ns / 1000000);

		if (client_get_token(deadline, token, sizeof(token), err, errlen) == 0) {
			gc_client_set_token(client.gc, token);
			client.token_sent = true;
		} else if (strcmp(err, "etcdserver: authentication is not enabled") != 0) {
			explicit_bzero(token, sizeof(token));
			client_disconnect();
			return CTL_EXIT_BAD_CONNECTION;
		}
		explicit_bzero(token, sizeof(token));
	}
	return 0;
}

void
client_open(void)
{
	char err[GC_MESSAGE_BYTES_MAX + 128];
	int code;

	client_prepare();
	code = client_connect((const char *const *)ctl_g.endpoints.v, ctl_g.endpoints.n, true,
	    err, sizeof(err));
	if (code != 0)
		ctl_fail(code, "%s", err);
}

int
client_dial(const char *ep, char *err, size_t errlen)
{
	char token[GC_TOKEN_BYTES_MAX], why[GC_MESSAGE_BYTES_MAX + 128];
	const char *eps[1] = { ep };
	struct gc_options o;
	struct gc_client *gc;
	bool token_ok = false;

	CAIRN_ASSERT(client.gc != NULL);
	CAIRN_ASSERT(client.cluster_gc == NULL);
	/* clientv3's dial authenticates again, over the client's endpoints. */
	if (client.creds) {
		uint64_t deadline = ctl_now_ms() + (uint64_t)(ctl_g.dial_timeout_ns / 1000000);

		if (client_get_token(deadline, token, sizeof(token), why, sizeof(why)) == 0) {
			token_ok = true;
		} else if (strcmp(why, "etcdserver: authentication is not enabled") != 0) {
			snprintf(err, errlen, "failed to dial endpoint %s with maintenance client: %s",
			    ep, why);
			return -1;
		}
	}
	client_options(&o, eps, 1);
	if ((gc = gc_client_new(client.base, &o, why, sizeof(why))) == NULL) {
		snprintf(err, errlen, "failed to dial endpoint %s with maintenance client: %s", ep,
		    why);
		explicit_bzero(token, sizeof(token));
		return -1;
	}
	if (token_ok)
		gc_client_set_token(gc, token);
	explicit_bzero(token, sizeof(token));
	client.cluster_gc = client.gc;
	memcpy(client.cluster_target, client.target, sizeof(client.target));
	client.gc = gc;
	snprintf(client.target, sizeof(client.target), "passthrough:///%s", ep);
	return 0;
}

void
client_undial(void)
{
	CAIRN_ASSERT(client.cluster_gc != NULL);
	gc_client_free(client.gc);
	client.gc = client.cluster_gc;
	client.cluster_gc = NULL;
	memcpy(client.target, client.cluster_target, sizeof(client.target));
}

int
client_stream_auth(char *err, size_t errlen)
{
	uint64_t deadline = ctl_now_ms() + (uint64_t)(ctl_g.command_timeout_ns / 1000000);
	char token[GC_TOKEN_BYTES_MAX];
	int rc;

	CAIRN_ASSERT(client.gc != NULL);
	if (!client.creds)
		return 0;
	rc = client_get_token(deadline, token, sizeof(token), err, errlen);
	if (rc == 0 && client.token_sent)
		gc_client_set_token(client.gc, token);
	explicit_bzero(token, sizeof(token));
	if (rc != 0 && strcmp(err, "etcdserver: authentication is not enabled") == 0)
		return 0;
	return rc;
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
client_error_text(int status, const char *message, char *err, size_t errlen)
{
	if (client_is_etcd_error(message))
		snprintf(err, errlen, "%s", message);
	else
		snprintf(err, errlen, "rpc error: code = %s desc = %s", client_code_name(status),
		    message);
}

void
client_disconnect(void)
{
	if (client.cluster_gc != NULL)
		client_undial();
	if (client.gc != NULL)
		gc_client_free(client.gc);
	client.gc = NULL;
	/* Other clients live on the loop until they are freed. */
	if (client.base != NULL && client.npeers == 0) {
		event_base_free(client.base);
		client.base = NULL;
	}
}

void
client_close(void)
{
	client_disconnect();
	explicit_bzero(client.password, sizeof(client.password));
}

/* ---- other clients: make-mirror's destination, check's load ------------- */

struct client_peer {
	struct gc_client *gc;
	char target[CLIENT_TARGET_BYTES_MAX];
	char id[40];
};

int
client_peer_new(const struct client_peer_opts *po, struct client_peer **out, char *err,
    size_t errlen)
{
	char token[GC_TOKEN_BYTES_MAX];
	struct client_peer *p;
	struct gc_options o;
	const char *ep;

	CAIRN_ASSERT(po->n >= 1 && po->n <= GC_ENDPOINTS_MAX);
	CAIRN_ASSERT(!po->auth || client.gc != NULL);
	if (client.base == NULL && (client.base = event_base_new()) == NULL) {
		snprintf(err, errlen, "cannot make an event loop");
		return CTL_EXIT_BAD_CONNECTION;
	}
	o = (struct gc_options){ 0 };
	o.endpoints = po->endpoints;
	o.nendpoints = po->n;
	o.conns = po->conns;
	o.dial_timeout_ms = (unsigned)(ctl_g.command_timeout_ns / 1000000);
	o.cert_file = po->cert;
	o.key_file = po->key;
	o.ca_file = po->cacert;
	o.insecure_skip_verify = po->insecure_skip_verify;
	o.keepalive_time_ms = (unsigned)(ctl_g.keepalive_time_ns / 1000000);
	o.keepalive_timeout_ms = (unsigned)(ctl_g.keepalive_timeout_ns / 1000000);
	p = xcalloc(1, sizeof(*p));
	if ((p->gc = gc_client_new(client.base, &o, err, errlen)) == NULL) {
		free(p);
		return CTL_EXIT_BAD_ARGS;
	}
	client.npeers++;
	client_uuid(p->id, sizeof(p->id));
	ep = po->endpoints[0];
	if (strncmp(ep, "http://", 7) == 0)
		ep += 7;
	else if (strncmp(ep, "https://", 8) == 0)
		ep += 8;
	snprintf(p->target, sizeof(p->target), "endpoint://client-%s/%s", p->id, ep);
	/* clientv3.New's token, within the dial timeout. */
	if (po->auth && client.creds) {
		uint64_t deadline = ctl_now_ms() + (uint64_t)(ctl_g.dial_timeout_ns / 1000000);

		if (client_get_token(deadline, token, sizeof(token), err, errlen) == 0) {
			gc_client_set_token(p->gc, token);
		} else if (strcmp(err, "etcdserver: authentication is not enabled") != 0) {
			explicit_bzero(token, sizeof(token));
			client_peer_free(p);
			return CTL_EXIT_BAD_CONNECTION;
		}
		explicit_bzero(token, sizeof(token));
	}
	*out = p;
	return 0;
}

int
client_peer_try(struct client_peer *p, const char *path, const struct pbout *req,
    enum ctl_retry retry, uint64_t timeout_ms, struct gc_result *r, char *err, size_t errlen)
{
	CAIRN_ASSERT(p != NULL);
	CAIRN_ASSERT(req != NULL);
	return client_attempts(p->gc, p->target, path, req, retry,
	    ctl_now_ms() + (timeout_ms > 0 ? timeout_ms : CLIENT_UNTIMED_MS), r, err, errlen);
}

struct gc_client *
client_peer_gc(struct client_peer *p)
{
	CAIRN_ASSERT(p != NULL);
	return p->gc;
}

void
client_peer_log_failure(const struct client_peer *p, int status, const char *message)
{
	char text[GC_MESSAGE_BYTES_MAX + 128];

	snprintf(text, sizeof(text), "rpc error: code = %s desc = %s", client_code_name(status),
	    message);
	client_log_retry(p->target, 0, text);
}

void
client_peer_free(struct client_peer *p)
{
	if (p == NULL)
		return;
	gc_client_free(p->gc);
	free(p);
	CAIRN_ASSERT(client.npeers > 0);
	if (--client.npeers == 0 && client.gc == NULL && client.base != NULL) {
		event_base_free(client.base);
		client.base = NULL;
	}
}
