/*
 * netd: gRPC on one HTTP/2 stream (the wire format of gRPC's
 * PROTOCOL-HTTP2.md): request headers, length-prefixed messages, the
 * method table, and the answer: messages, then grpc-status and
 * grpc-message trailers (or the trailers alone). Unary and streaming
 * calls share it. Texts of our own statuses are grpc-go's, as etcd's
 * server sends them.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>
#include <event2/event.h>

#include "netd/gateway.h"
#include "netd/grpc.h"
#include "netd/h2.h"
#include "netd/http_routes.h"
#include "netd/inner.h"
#include "netd/metrics.h"
#include "netd/netd.h"
#include "netd/svc.h"
#include "shared/assert.h"
#include "shared/be.h"
#include "shared/log.h"
#include "shared/xmalloc.h"

static const struct grpc_method grpc_methods[] = {
	{"/etcdserverpb.KV/Range", svc_kv_range, NULL},
	{"/etcdserverpb.KV/Put", svc_kv_put, NULL},
	{"/etcdserverpb.KV/DeleteRange", svc_kv_delete_range, NULL},
	{"/etcdserverpb.KV/Txn", svc_kv_txn, NULL},
	{"/etcdserverpb.KV/Compact", svc_kv_compact, NULL},
	{"/etcdserverpb.Watch/Watch", NULL, &svc_watch_ops},
	{"/etcdserverpb.Lease/LeaseGrant", svc_lease_grant, NULL},
	{"/etcdserverpb.Lease/LeaseRevoke", svc_lease_revoke, NULL},
	{"/etcdserverpb.Lease/LeaseKeepAlive", NULL, &svc_lease_keepalive_ops},
	{"/etcdserverpb.Lease/LeaseTimeToLive", svc_lease_time_to_live, NULL},
	{"/etcdserverpb.Lease/LeaseLeases", svc_lease_leases, NULL},
	{"/etcdserverpb.Cluster/MemberAdd", svc_cluster_member_add, NULL},
	{"/etcdserverpb.Cluster/MemberRemove", svc_cluster_member_remove, NULL},
	{"/etcdserverpb.Cluster/MemberUpdate", svc_cluster_member_update, NULL},
	{"/etcdserverpb.Cluster/MemberList", svc_cluster_member_list, NULL},
	{"/etcdserverpb.Cluster/MemberPromote", svc_cluster_member_promote, NULL},
	{"/etcdserverpb.Maintenance/Alarm", svc_maint_alarm, NULL},
	{"/etcdserverpb.Maintenance/Status", svc_maint_status, NULL},
	{"/etcdserverpb.Maintenance/Defragment", svc_maint_defragment, NULL},
	{"/etcdserverpb.Maintenance/Hash", svc_maint_hash, NULL},
	{"/etcdserverpb.Maintenance/HashKV", svc_maint_hash_kv, NULL},
	{"/etcdserverpb.Maintenance/Snapshot", NULL, &svc_maint_snapshot_ops},
	{"/etcdserverpb.Maintenance/MoveLeader", svc_maint_move_leader, NULL},
	{"/etcdserverpb.Auth/AuthEnable", svc_auth_enable, NULL},
	{"/etcdserverpb.Auth/AuthDisable", svc_auth_disable, NULL},
	{"/etcdserverpb.Auth/Authenticate", svc_auth_authenticate, NULL},
	{"/etcdserverpb.Auth/UserAdd", svc_auth_user_add, NULL},
	{"/etcdserverpb.Auth/UserGet", svc_auth_user_get, NULL},
	{"/etcdserverpb.Auth/UserList", svc_auth_user_list, NULL},
	{"/etcdserverpb.Auth/UserDelete", svc_auth_user_delete, NULL},
	{"/etcdserverpb.Auth/UserChangePassword", svc_auth_user_passwd, NULL},
	{"/etcdserverpb.Auth/UserGrantRole", svc_auth_user_grant, NULL},
	{"/etcdserverpb.Auth/UserRevokeRole", svc_auth_user_revoke, NULL},
	{"/etcdserverpb.Auth/RoleAdd", svc_auth_role_add, NULL},
	{"/etcdserverpb.Auth/RoleGet", svc_auth_role_get, NULL},
	{"/etcdserverpb.Auth/RoleList", svc_auth_role_list, NULL},
	{"/etcdserverpb.Auth/RoleDelete", svc_auth_role_delete, NULL},
	{"/etcdserverpb.Auth/RoleGrantPermission", svc_auth_role_grant, NULL},
	{"/etcdserverpb.Auth/RoleRevokePermission", svc_auth_role_revoke, NULL},
	{"/v3lockpb.Lock/Lock", svc_lock_lock, NULL},
	{"/v3lockpb.Lock/Unlock", svc_lock_unlock, NULL},
	{"/v3electionpb.Election/Campaign", svc_election_campaign, NULL},
	{"/v3electionpb.Election/Proclaim", svc_election_proclaim, NULL},
	{"/v3electionpb.Election/Leader", svc_election_leader, NULL},
	{"/v3electionpb.Election/Observe", NULL, &svc_election_observe_ops},
	{"/v3electionpb.Election/Resign", svc_election_resign, NULL},
};

#define GRPC_METHODS_LEN (sizeof(grpc_methods) / sizeof(grpc_methods[0]))

/* HTTP/2's default and netd's SETTINGS_MAX_FRAME_SIZE: the most bytes
 * one DATA frame adds to a request at once. */
#define GRPC_FRAME_BYTES_MAX 16384

#define NV(n, v) {(uint8_t *)(n), (uint8_t *)(v), sizeof(n) - 1, strlen(v), \
	NGHTTP2_NV_FLAG_NO_COPY_NAME}

static const struct grpc_method *
grpc_method_find(const uint8_t *path, size_t len)
{
	for (size_t i = 0; i < GRPC_METHODS_LEN; i++)
		if (strlen(grpc_methods[i].path) == len &&
		    memcmp(grpc_methods[i].path, path, len) == 0)
			return &grpc_methods[i];
	return NULL;
}

const struct grpc_method *
grpc_method_of(const char *path)
{
	return grpc_method_find((const uint8_t *)path, strlen(path));
}

const struct grpc_method *
grpc_methods_all(size_t *n)
{
	CAIRN_STATIC_ASSERT(GRPC_METHODS_LEN <= METRICS_METHODS_MAX, "a counter for each method");
	*n = GRPC_METHODS_LEN;
	return grpc_methods;
}

static struct gstream *
grpc_stream_alloc(struct netd *n)
{
	struct gstream *s = xcalloc(1, sizeof(*s));

	s->n = n;
	s->out = evbuffer_new();
	if (s->out == NULL)
		fatalx("evbuffer_new");
	return s;
}

struct gstream *
grpc_stream_new(struct conn *c, int32_t id)
{
	struct gstream *s = grpc_stream_alloc(c->n);

	s->conn = c;
	s->id = id;
	return s;
}

struct gstream *
grpc_stream_gateway(struct netd *n, struct gateway *gw, const struct grpc_method *method,
    const char *path)
{
	struct gstream *s = grpc_stream_alloc(n);

	s->gw = gw;
	s->method = method;
	s->grpc = true;
	snprintf(s->path, sizeof(s->path), "%s", path);
	return s;
}

static bool
header_is(const uint8_t *name, size_t len, const char *want)
{
	return strlen(want) == len && memcmp(name, want, len) == 0;
}

/* Copies a header's value into dst[cap] as a C string; CAIRN_EINVAL when
 * it does not fit. */
static int
header_copy(char *dst, size_t cap, const uint8_t *value, size_t len)
{
	if (len >= cap)
		return CAIRN_EINVAL;
	if (len > 0)
		memcpy(dst, value, len);
	dst[len] = '\0';
	return 0;
}

/* gRPC's "TimeoutValue TimeoutUnit": up to 8 digits, then one of H M S
 * m u n. A malformed one is refused as grpc-go refuses it (the stream is
 * reset). */
static int
grpc_timeout_parse(struct gstream *s, const uint8_t *v, size_t len)
{
	static const struct {
		char unit;
		int64_t num, den;       /* milliseconds = value * num / den */
	} units[] = {{'H', 3600000, 1}, {'M', 60000, 1}, {'S', 1000, 1}, {'m', 1, 1},
	    {'u', 1, 1000}, {'n', 1, 1000000}};
	int64_t x = 0;

	if (len < 2 || len > 9)
		return CAIRN_EINVAL;
	for (size_t i = 0; i + 1 < len; i++) {
		if (v[i] < '0' || v[i] > '9')
			return CAIRN_EINVAL;
		x = x * 10 + (v[i] - '0');
	}
	for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
		if (units[i].unit != (char)v[len - 1])
			continue;
		/* A deadline under a millisecond is one; none is taken as 0. */
		if (x > GRPC_TIMEOUT_MS_MAX / units[i].num)
			x = GRPC_TIMEOUT_MS_MAX;
		else
			x = (x * units[i].num + units[i].den - 1) / units[i].den;
		s->timeout_ms = x > 0 ? x : 1;
		return 0;
	}
	return CAIRN_EINVAL;
}

int
grpc_stream_header(struct gstream *s, const uint8_t *name, size_t name_len,
    const uint8_t *value, size_t value_len)
{
	if (header_is(name, name_len, ":path")) {
		s->method = grpc_method_find(value, value_len);
		return header_copy(s->path, sizeof(s->path), value, value_len);
	}
	if (header_is(name, name_len, "content-type")) {
		/* "application/grpc", "application/grpc+proto", ... */
		s->grpc = value_len >= 16 && memcmp(value, "application/grpc", 16) == 0 &&
		    (value_len == 16 || value[16] == '+' || value[16] == ';');
		return 0;
	}
	if (header_is(name, name_len, ":method")) {
		s->get = value_len == 3 && memcmp(value, "GET", 3) == 0;
		s->post = value_len == 4 && memcmp(value, "POST", 4) == 0;
		s->options = value_len == 7 && memcmp(value, "OPTIONS", 7) == 0;
		return 0;
	}
	if (header_is(name, name_len, "grpc-encoding"))
		return header_copy(s->encoding, sizeof(s->encoding), value, value_len);
	if (header_is(name, name_len, "token"))
		return header_copy(s->token, sizeof(s->token), value, value_len);
	if (header_is(name, name_len, "authorization") && s->token[0] == '\0') {
		/* etcd reads it when there is no "token" (its gateway passes
		 * HTTP's Authorization so). One too long is no token of ours. */
		if (header_copy(s->token, sizeof(s->token), value, value_len) != 0)
			snprintf(s->token, sizeof(s->token), "?");
		return 0;
	}
	if (header_is(name, name_len, "hasleader")) {
		s->require_leader = value_len == 4 && memcmp(value, "true", 4) == 0;
		return 0;
	}
	if (header_is(name, name_len, "grpc-timeout"))
		return grpc_timeout_parse(s, value, value_len);
	return 0;
}

/* The method's name for "unknown ..." statuses: "/svc/m" -> svc, m. */
static void
grpc_unknown(struct gstream *s)
{
	char msg[GRPC_MESSAGE_BYTES_MAX + GRPC_PATH_BYTES_MAX];
	const char *svc = s->path[0] == '/' ? s->path + 1 : s->path;
	const char *slash = strchr(svc, '/');
	size_t svc_len = slash != NULL ? (size_t)(slash - svc) : strlen(svc);
	bool known = false;

	for (size_t i = 0; i < GRPC_METHODS_LEN && slash != NULL; i++)
		known |= strncmp(grpc_methods[i].path + 1, svc, svc_len + 1) == 0;
	if (known)
		snprintf(msg, sizeof(msg), "unknown method %s for service %.*s", slash + 1,
		    (int)svc_len, svc);
	else
		snprintf(msg, sizeof(msg), "unknown service %.*s", (int)svc_len, svc);
	grpc_reply_status(s, GRPC_UNIMPLEMENTED, msg);
}

/* Refuses a call netd will not serve (etcd's answers); true when the call
 * may go on. */
static bool
grpc_call_ok(struct gstream *s)
{
	char text[GRPC_MESSAGE_BYTES_MAX];

	if (!s->grpc) {
		/* Not gRPC: etcd's server resets such a stream. */
		s->answered = true;
		h2_reset(s, NGHTTP2_PROTOCOL_ERROR);
	} else if (s->encoding[0] != '\0' && strcmp(s->encoding, "identity") != 0) {
		snprintf(text, sizeof(text), "grpc: Decompressor is not installed for "
		    "grpc-encoding \"%s\"", s->encoding);
		grpc_reply_status(s, GRPC_UNIMPLEMENTED, text);
	} else if (s->method == NULL) {
		grpc_unknown(s);
	} else if (s->require_leader && s->n->raft.leader == 0) {
		/* etcd's interceptors, for a client that asked for a leader. */
		grpc_reply_err(s, CAIRN_ENOLEADER);
	}
	/* go-grpc-prometheus counts the calls etcd's interceptors let by. */
	if (!s->answered && !s->counted) {
		s->counted = true;
		s->started_ms = netd_now_ms();
		metrics_call_started(s->n, s->method);
	}
	return !s->answered;
}

/* The client's deadline passed before the answer: the call ends as
 * etcd's handlers end when their context expires (its error, which grpc-go
 * sends as UNKNOWN). A request still with raftd or stored is answered
 * into the void. */
static void
grpc_deadline_passed(evutil_socket_t fd, short what, void *arg)
{
	struct gstream *s = arg;

	(void)fd;
	(void)what;
	if (!s->answered)
		grpc_finish(s, GRPC_UNKNOWN, "context deadline exceeded");
}

/* grpc-go counts the deadline from the request's headers. */
static void
grpc_deadline_start(struct gstream *s)
{
	struct timeval tv;

	if (s->timeout_ms == 0 || s->deadline != NULL)
		return;
	tv.tv_sec = (time_t)(s->timeout_ms / 1000);
	tv.tv_usec = (suseconds_t)(s->timeout_ms % 1000 * 1000);
	s->deadline = evtimer_new(s->n->c->base, grpc_deadline_passed, s);
	if (s->deadline == NULL || evtimer_add(s->deadline, &tv) != 0)
		fatalx("cannot set a call's deadline");
}

void
grpc_stream_headers_done(struct gstream *s)
{
	/* A unary call is judged once its request ends: answering before
	 * the client has sent its message trips clients (curl waits for
	 * ever). A streaming call is judged now: its answer may start
	 * before the client's side ends. */
	if (!s->answered && s->method != NULL && s->method->stream != NULL)
		(void)grpc_call_ok(s);
	if (!s->answered)
		grpc_deadline_start(s);
}

/* The request's bound: one message of at most msg_bytes_max, and the
 * start of the next within the frame that ended it. */
static size_t
grpc_req_max(const struct gstream *s)
{
	size_t one = GRPC_PREFIX_BYTES + s->n->msg_bytes_max + GRPC_FRAME_BYTES_MAX;

	/* A paused stream holds what the client sent since, up to the
	 * stream's window, however small its messages are. */
	return one > H2_STREAM_WINDOW_BYTES + GRPC_FRAME_BYTES_MAX ? one :
	    H2_STREAM_WINDOW_BYTES + GRPC_FRAME_BYTES_MAX;
}

/* Drops the first n request bytes (a message served). */
static void
grpc_req_drop(struct gstream *s, size_t n)
{
	CAIRN_ASSERT(n <= s->req_len);
	if (n == 0)
		return;
	memmove(s->req, s->req + n, s->req_len - n);
	s->req_len -= n;
	if (s->gw == NULL)
		h2_released(s, n);
}

static void
grpc_req_free(struct gstream *s)
{
	grpc_req_drop(s, s->req_len);
	free(s->req);
	s->req = NULL;
	s->req_cap = 0;
}

/* Checks the message at the start of the request: 1 when one is whole
 * (*len set), 0 when more must come, -1 when the stream was answered
 * with grpc-go's status. */
static int
grpc_req_message(struct gstream *s, size_t *len)
{
	char text[GRPC_MESSAGE_BYTES_MAX];
	uint32_t n;

	if (s->req_len < GRPC_PREFIX_BYTES)
		return 0;
	n = be_get32(s->req + 1);
	if (n > s->n->msg_bytes_max) {
		/* grpc-go refuses on the length prefix, before the message comes. */
		snprintf(text, sizeof(text), "grpc: received message larger than max "
		    "(%u vs. %u)", n, s->n->msg_bytes_max);
		grpc_reply_status(s, GRPC_RESOURCE_EXHAUSTED, text);
		return -1;
	}
	if (s->req[0] > 1) {
		snprintf(text, sizeof(text), "grpc: received unexpected payload format %u",
		    s->req[0]);
		grpc_reply_status(s, GRPC_INTERNAL, text);
		return -1;
	}
	if (s->req[0] == 1) {
		grpc_reply_status(s, GRPC_INTERNAL, "grpc: compressed flag set with identity "
		    "or empty encoding");
		return -1;
	}
	if (s->req_len - GRPC_PREFIX_BYTES < n)
		return 0;
	*len = n;
	return 1;
}

/* A streaming call: serves every whole message received. */
static void
grpc_stream_messages(struct gstream *s)
{
	size_t len;
	int rc;

	while (!s->answered && !s->paused && (rc = grpc_req_message(s, &len)) == 1) {
		rc = s->method->stream->message(s, s->req + GRPC_PREFIX_BYTES, len);
		if (rc == CAIRN_EAGAIN) {
			s->paused = true;
			break;
		}
		grpc_req_drop(s, GRPC_PREFIX_BYTES + len);
		if (rc != 0 && !s->answered)
			grpc_reply_err(s, rc);
	}
}

void
grpc_stream_data(struct gstream *s, const uint8_t *data, size_t len)
{
	size_t want;

	if (s->answered || s->ended) {
		h2_received(s, len, false);
		return;
	}
	if (s->req_len + len > s->req_cap) {
		want = s->req_cap == 0 ? 4096 : s->req_cap;
		while (want < s->req_len + len)
			want *= 2;
		if (want > grpc_req_max(s))
			want = grpc_req_max(s);
		if (s->req_len + len > want) {
			/* Only a prefix this function did not check gets here. */
			h2_received(s, len, false);
			grpc_reply_status(s, GRPC_RESOURCE_EXHAUSTED, "grpc: received message "
			    "larger than max");
			grpc_req_free(s);
			return;
		}
		s->req = xrealloc(s->req, want);
		s->req_cap = want;
	}
	memcpy(s->req + s->req_len, data, len);
	s->req_len += len;
	s->n->metrics.received_bytes += len; /* with the 5-byte prefixes */
	h2_received(s, len, true);
	if (!s->grpc)
		return; /* an HTTP request's body, whole at its end */
	if (s->method != NULL && s->method->stream != NULL)
		grpc_stream_messages(s);
	else if (grpc_req_message(s, &want) < 0)
		grpc_req_free(s);
	if (s->answered)
		grpc_req_free(s); /* the rest is dropped as it comes */
}

void
grpc_stream_input(struct gstream *s, const uint8_t *msg, size_t len)
{
	size_t want;

	CAIRN_ASSERT(s->gw != NULL);
	if (s->answered || s->ended || s->method == NULL)
		return; /* an unknown method is answered at the end */
	want = s->req_len + GRPC_PREFIX_BYTES + len;
	if (want > s->req_cap) {
		s->req = xrealloc(s->req, want);
		s->req_cap = want;
	}
	s->req[s->req_len] = 0;
	s->n->metrics.received_bytes += len;
	be_put32(s->req + s->req_len + 1, (uint32_t)len);
	if (len > 0)
		memcpy(s->req + s->req_len + GRPC_PREFIX_BYTES, msg, len);
	s->req_len = want;
	if (s->method->stream != NULL)
		grpc_stream_messages(s);
	else if (grpc_req_message(s, &want) < 0)
		grpc_req_free(s);
	if (s->answered)
		grpc_req_free(s);
}

/* A streaming call whose client ended: once the messages it holds are
 * served, the service hears of the end. */
static void
grpc_stream_ended(struct gstream *s)
{
	if (s->paused)
		return;
	/* A message cut short ends the call as grpc-go ends it. */
	if (!s->answered && s->req_len > 0)
		grpc_reply_status(s, GRPC_UNKNOWN, "unexpected EOF");
	else if (!s->answered && s->method->stream->end != NULL)
		s->method->stream->end(s);
	grpc_req_free(s);
}

void
grpc_stream_resume(struct gstream *s)
{
	if (!s->paused)
		return;
	s->paused = false;
	grpc_stream_messages(s);
	if (s->answered)
		grpc_req_free(s);
	else if (s->ended)
		grpc_stream_ended(s);
	if (s->gw == NULL)
		h2_wake(s->conn);
}

void
grpc_stream_drained(struct gstream *s)
{
	bool drained = s->want_drain;

	s->want_drain = false;
	grpc_stream_resume(s);
	if (drained && !s->answered && s->method->stream->drained != NULL)
		s->method->stream->drained(s);
}

void
grpc_resume_listed(struct conn *c)
{
	struct gstream *s;

	while ((s = TAILQ_FIRST(&c->resumes)) != NULL) {
		TAILQ_REMOVE(&c->resumes, s, resume_entry);
		s->resume_listed = false;
		if (s->hcall != NULL && s->hcall->gw != NULL)
			gateway_drained(s->hcall->gw);
		else if (s->method != NULL && s->method->stream != NULL)
			grpc_stream_drained(s);
	}
}

/* An HTTP answer's head over HTTP/2: the fields' names in lower case,
 * as HTTP/2 has them; 'length' (NULL: none, a streamed answer). */
static void
grpc_http_head(struct gstream *s, unsigned status, const char *content_type,
    const struct http_header *headers, size_t n, const char *length, bool data)
{
	nghttp2_nv nv[3 + HTTP_CORS_HEADERS + GRPC_HTTP_HEADERS_MAX];
	char code[12], names[HTTP_CORS_HEADERS + GRPC_HTTP_HEADERS_MAX][GRPC_HTTP_NAME_BYTES_MAX];
	size_t k = 0;

	CAIRN_ASSERT(!s->answered && !s->headers_sent);
	CAIRN_ASSERT(n <= HTTP_CORS_HEADERS + GRPC_HTTP_HEADERS_MAX);
	snprintf(code, sizeof(code), "%u", status);
	nv[k++] = (nghttp2_nv)NV(":status", code);
	if (content_type != NULL)
		nv[k++] = (nghttp2_nv){(uint8_t *)"content-type", (uint8_t *)(uintptr_t)content_type,
		    sizeof("content-type") - 1, strlen(content_type), NGHTTP2_NV_FLAG_NO_COPY_NAME};
	if (length != NULL)
		nv[k++] = (nghttp2_nv){(uint8_t *)"content-length", (uint8_t *)(uintptr_t)length,
		    sizeof("content-length") - 1, strlen(length), NGHTTP2_NV_FLAG_NO_COPY_NAME};
	for (size_t i = 0; i < n; i++) {
		size_t j;

		for (j = 0; headers[i].name[j] != '\0' && j + 1 < sizeof(names[i]); j++)
			names[i][j] = (char)tolower((unsigned char)headers[i].name[j]);
		names[i][j] = '\0';
		nv[k++] = (nghttp2_nv){(uint8_t *)names[i], (uint8_t *)(uintptr_t)headers[i].value,
		    j, strlen(headers[i].value), NGHTTP2_NV_FLAG_NONE};
	}
	s->headers_sent = true;
	s->http = true;
	(void)h2_submit_headers(s, nv, k, data);
}

/* http_routes.h's respond over HTTP/2. */
static void
grpc_http_respond(struct http_call *c, unsigned status, const char *content_type,
    const struct http_header *headers, size_t n, const void *body, size_t len)
{
	struct gstream *s = c->ctx;
	char length[24];

	snprintf(length, sizeof(length), "%zu", len);
	if (len > 0 && evbuffer_add(s->out, body, len) != 0)
		fatalx("evbuffer_add");
	grpc_http_head(s, status, content_type, headers, n, length, len > 0);
	s->answered = true;
}

static void
grpc_http_stream_start(struct http_call *c, unsigned status, const char *content_type,
    const struct http_header *headers, size_t n)
{
	grpc_http_head(c->ctx, status, content_type, headers, n, NULL, true);
}

static void
grpc_http_stream_part(struct http_call *c, const void *data, size_t len)
{
	struct gstream *s = c->ctx;

	if (len > 0 && evbuffer_add(s->out, data, len) != 0)
		fatalx("evbuffer_add");
	h2_resume(s);
}

static void
grpc_http_stream_end(struct http_call *c)
{
	struct gstream *s = c->ctx;

	s->answered = true;
	h2_resume(s);
}

static size_t
grpc_http_unsent(const struct http_call *c)
{
	const struct gstream *s = c->ctx;

	return evbuffer_get_length(s->out);
}

static void
grpc_http_call(struct gstream *s)
{
	s->hcall = xcalloc(1, sizeof(*s->hcall));
	*s->hcall = (struct http_call){.n = s->n, .get = s->get, .post = s->post,
	    .options = s->options, .url = s->path, .url_len = strlen(s->path),
	    .authorization = s->token, .body = s->req, .body_len = s->req_len,
	    .respond = grpc_http_respond, .stream_start = grpc_http_stream_start,
	    .stream_part = grpc_http_stream_part, .stream_end = grpc_http_stream_end,
	    .unsent = grpc_http_unsent, .ctx = s};
	http_route(s->hcall);
}

void
grpc_stream_end(struct gstream *s)
{
	size_t len;
	int rc;

	s->ended = true;
	if (!s->answered && !s->grpc && s->conn->tls) {
		/* etcd's TLS listener gives what is not gRPC to its HTTP
		 * handlers: /health, /version, /metrics. */
		grpc_http_call(s);
		grpc_req_free(s);
		return;
	}
	if (s->answered || !grpc_call_ok(s)) {
		grpc_req_free(s);
		return;
	}
	if (s->method->stream != NULL) {
		grpc_stream_ended(s);
		return;
	}
	if ((rc = grpc_req_message(s, &len)) == 0) {
		grpc_reply_status(s, GRPC_UNKNOWN, s->req_len == 0 ? "EOF" : "unexpected EOF");
	} else if (rc == 1) {
		/* grpc-go reads one message and ignores anything after it. */
		rc = s->method->unary(s, s->req + GRPC_PREFIX_BYTES, len);
		if (rc != 0)
			grpc_reply_err(s, rc);
	}
	grpc_req_free(s);
}

void
grpc_stream_free(struct gstream *s)
{
	/* A call that ends without a status: its client went away. */
	if (s->counted)
		metrics_call_handled(s->n, s->method, s->answered ? s->status : GRPC_CANCELLED,
		    (double)(netd_now_ms() - s->started_ms) / 1000.0);
	if (s->hcall != NULL && s->hcall->gw != NULL)
		gateway_free(s->hcall->gw);
	free(s->hcall);
	if (s->method != NULL && s->method->stream != NULL && s->method->stream->free != NULL)
		s->method->stream->free(s);
	inner_free(s);
	if (s->pending != NULL)
		s->pending->stream = NULL;
	if (s->resume_listed)
		TAILQ_REMOVE(&s->conn->resumes, s, resume_entry);
	if (s->deadline != NULL)
		event_free(s->deadline);
	grpc_req_free(s);
	evbuffer_free(s->out);
	free(s->held);
	free(s);
}

/* ---- the answer --------------------------------------------------------- */

/* The 5-byte prefix of an answer's message of len bytes. */
static void
grpc_out_prefix(struct gstream *s, size_t len)
{
	uint8_t prefix[GRPC_PREFIX_BYTES];

	CAIRN_ASSERT(!s->answered);
	CAIRN_ASSERT(len <= UINT32_MAX);
	s->n->metrics.sent_bytes += len;
	prefix[0] = 0;
	be_put32(prefix + 1, (uint32_t)len);
	if (evbuffer_add(s->out, prefix, sizeof(prefix)) != 0)
		fatalx("evbuffer_add");
}

static void
grpc_out_add(struct gstream *s, const uint8_t *p, size_t len)
{
	if (len > 0 && evbuffer_add(s->out, p, len) != 0)
		fatalx("evbuffer_add");
}

/* Has nghttp2 send what was queued: the headers first, then the DATA as
 * the client's window allows. */
static void
grpc_out_start(struct gstream *s)
{
	const nghttp2_nv nv[] = {NV(":status", "200"), NV("content-type", "application/grpc")};

	if (s->gw != NULL) {
		s->headers_sent = true;
		gateway_answer(s->gw);
	} else if (!s->headers_sent) {
		s->headers_sent = true;
		(void)h2_submit_headers(s, nv, sizeof(nv) / sizeof(nv[0]), true);
	} else {
		h2_resume(s);
	}
}

static void
grpc_queue(struct gstream *s, const uint8_t *msg, size_t len)
{
	grpc_out_prefix(s, len);
	grpc_out_add(s, msg, len);
	grpc_out_start(s);
}

int
grpc_send_upto(struct gstream *s, const uint8_t *msg, size_t len, size_t max)
{
	if (evbuffer_get_length(s->out) > max)
		return CAIRN_EAGAIN;
	grpc_queue(s, msg, len);
	return 0;
}

int
grpc_send(struct gstream *s, const uint8_t *msg, size_t len)
{
	return grpc_send_upto(s, msg, len, GRPC_OUT_BYTES_MAX);
}

void
grpc_finish(struct gstream *s, unsigned status, const char *message)
{
	if (!s->headers_sent) {
		grpc_reply_status(s, status, message);
		return;
	}
	CAIRN_ASSERT(!s->answered);
	s->answered = true;
	s->status = status;
	snprintf(s->message, sizeof(s->message), "%s", message);
	if (s->gw != NULL)
		gateway_answer(s->gw);
	else
		h2_resume(s);
}

void
grpc_reply(struct gstream *s, const uint8_t *msg, size_t len)
{
	/* A unary answer is one message, whatever its size. */
	grpc_queue(s, msg, len);
	grpc_finish(s, GRPC_OK, "");
}

void
grpc_reply_parts(struct gstream *s, pb_bytes_array_t *const *parts, size_t n, size_t len)
{
	grpc_out_prefix(s, len);
	for (size_t i = 0; i < n; i++)
		grpc_out_add(s, parts[i]->bytes, parts[i]->size);
	grpc_out_start(s);
	grpc_finish(s, GRPC_OK, "");
}

size_t
grpc_stream_read(struct gstream *s, uint8_t *buf, size_t cap, enum grpc_read *state)
{
	int n = evbuffer_remove(s->out, buf, cap);

	/* The client read: a service that paused or waits for its answer's
	 * sake may go on (from the loop, not from nghttp2's callback). */
	if (n > 0 && (s->paused || s->want_drain || (s->hcall != NULL && s->hcall->gw != NULL)) &&
	    !s->resume_listed) {
		TAILQ_INSERT_TAIL(&s->conn->resumes, s, resume_entry);
		s->resume_listed = true;
		h2_wake(s->conn);
	}
	if (n > 0) {
		*state = GRPC_READ_DATA;
		return (size_t)n;
	}
	*state = s->answered ? GRPC_READ_EOF : GRPC_READ_WAIT;
	return 0;
}

/* grpc-message is percent-encoded: bytes outside printable ASCII, and
 * '%' itself (gRPC's PROTOCOL-HTTP2.md). */
static void
grpc_percent_encode(const char *in, char *out, size_t cap)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t o = 0;

	CAIRN_ASSERT(cap > 0);
	for (; *in != '\0' && o + 4 <= cap; in++) {
		unsigned char ch = (unsigned char)*in;

		if (ch >= 0x20 && ch <= 0x7e && ch != '%') {
			out[o++] = (char)ch;
			continue;
		}
		out[o++] = '%';
		out[o++] = hex[ch >> 4];
		out[o++] = hex[ch & 15];
	}
	out[o] = '\0';
}

void
grpc_stream_trailers(struct gstream *s)
{
	char code[12], text[3 * GRPC_MESSAGE_BYTES_MAX + 1];

	snprintf(code, sizeof(code), "%u", s->status);
	grpc_percent_encode(s->message, text, sizeof(text));
	{
		const nghttp2_nv nv[] = {NV("grpc-status", code), NV("grpc-message", text)};

		(void)h2_submit_trailers(s, nv, text[0] != '\0' ? 2 : 1);
	}
}

void
grpc_reply_status(struct gstream *s, unsigned status, const char *message)
{
	char code[12], text[3 * GRPC_MESSAGE_BYTES_MAX + 1];

	CAIRN_ASSERT(!s->answered);
	CAIRN_ASSERT(!s->headers_sent);
	s->answered = true;
	s->headers_sent = true;
	s->status = status;
	if (s->gw != NULL) {
		/* The gateway writes the status its own way. */
		snprintf(s->message, sizeof(s->message), "%s", message);
		gateway_answer(s->gw);
		return;
	}
	snprintf(code, sizeof(code), "%u", status);
	grpc_percent_encode(message, text, sizeof(text));
	{
		const nghttp2_nv nv[] = {NV(":status", "200"),
		    NV("content-type", "application/grpc"), NV("grpc-status", code),
		    NV("grpc-message", text)};

		/* Trailers-Only: one HEADERS frame that ends the stream. */
		(void)h2_submit_headers(s, nv, sizeof(nv) / sizeof(nv[0]), false);
	}
}

void
grpc_reply_err(struct gstream *s, int err)
{
	grpc_finish(s, err_grpc_status(err), err_str(err));
}
