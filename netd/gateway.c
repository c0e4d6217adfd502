/*
 * netd: etcd's JSON gateway (see gateway.h). Each call is a gstream of
 * its own with no HTTP/2 under it: the request's JSON becomes the
 * method's protobuf message, and what the service answers into the
 * gstream is turned back into JSON from the loop (never from inside the
 * service's call, which may still use the gstream). Statuses become HTTP
 * statuses and error bodies as grpc-gateway v1 makes them.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>
#include <event2/event.h>

#include "netd/gateway.h"
#include "netd/grpc.h"
#include "netd/gw_json.h"
#include "netd/gw_schema.h"
#include "netd/http_routes.h"
#include "netd/netd.h"
#include "shared/assert.h"
#include "shared/be.h"
#include "shared/err.h"
#include "shared/log.h"
#include "shared/xmalloc.h"

#define JSON "application/json"

struct gateway_route {
	const char *url;            /* after "/v3" */
	const char *method;         /* gRPC path */
	const char *in, *out;       /* message types */
	bool stream;                /* the answer is a stream */
	bool client_stream;         /* ... and so is the request */
};

#define PB(x) "etcdserverpb." x
#define KV(m) "/etcdserverpb.KV/" m
#define LEASE(m) "/etcdserverpb.Lease/" m
#define CLUSTER(m) "/etcdserverpb.Cluster/" m
#define MAINT(m) "/etcdserverpb.Maintenance/" m
#define AUTH(m) "/etcdserverpb.Auth/" m

/* etcd's google.api.http annotations (the paths of its rpc.proto,
 * v3election.proto and v3lock.proto). */
static const struct gateway_route gateway_routes[] = {
	{"/kv/range", KV("Range"), PB("RangeRequest"), PB("RangeResponse"), false, false},
	{"/kv/put", KV("Put"), PB("PutRequest"), PB("PutResponse"), false, false},
	{"/kv/deleterange", KV("DeleteRange"), PB("DeleteRangeRequest"),
	    PB("DeleteRangeResponse"), false, false},
	{"/kv/txn", KV("Txn"), PB("TxnRequest"), PB("TxnResponse"), false, false},
	{"/kv/compaction", KV("Compact"), PB("CompactionRequest"), PB("CompactionResponse"),
	    false, false},
	{"/watch", "/etcdserverpb.Watch/Watch", PB("WatchRequest"), PB("WatchResponse"), true,
	    true},
	{"/lease/grant", LEASE("LeaseGrant"), PB("LeaseGrantRequest"), PB("LeaseGrantResponse"),
	    false, false},
	{"/lease/revoke", LEASE("LeaseRevoke"), PB("LeaseRevokeRequest"),
	    PB("LeaseRevokeResponse"), false, false},
	{"/kv/lease/revoke", LEASE("LeaseRevoke"), PB("LeaseRevokeRequest"),
	    PB("LeaseRevokeResponse"), false, false},
	{"/lease/keepalive", LEASE("LeaseKeepAlive"), PB("LeaseKeepAliveRequest"),
	    PB("LeaseKeepAliveResponse"), true, true},
	{"/lease/timetolive", LEASE("LeaseTimeToLive"), PB("LeaseTimeToLiveRequest"),
	    PB("LeaseTimeToLiveResponse"), false, false},
	{"/kv/lease/timetolive", LEASE("LeaseTimeToLive"), PB("LeaseTimeToLiveRequest"),
	    PB("LeaseTimeToLiveResponse"), false, false},
	{"/lease/leases", LEASE("LeaseLeases"), PB("LeaseLeasesRequest"),
	    PB("LeaseLeasesResponse"), false, false},
	{"/kv/lease/leases", LEASE("LeaseLeases"), PB("LeaseLeasesRequest"),
	    PB("LeaseLeasesResponse"), false, false},
	{"/cluster/member/add", CLUSTER("MemberAdd"), PB("MemberAddRequest"),
	    PB("MemberAddResponse"), false, false},
	{"/cluster/member/remove", CLUSTER("MemberRemove"), PB("MemberRemoveRequest"),
	    PB("MemberRemoveResponse"), false, false},
	{"/cluster/member/update", CLUSTER("MemberUpdate"), PB("MemberUpdateRequest"),
	    PB("MemberUpdateResponse"), false, false},
	{"/cluster/member/list", CLUSTER("MemberList"), PB("MemberListRequest"),
	    PB("MemberListResponse"), false, false},
	{"/cluster/member/promote", CLUSTER("MemberPromote"), PB("MemberPromoteRequest"),
	    PB("MemberPromoteResponse"), false, false},
	{"/maintenance/alarm", MAINT("Alarm"), PB("AlarmRequest"), PB("AlarmResponse"), false,
	    false},
	{"/maintenance/status", MAINT("Status"), PB("StatusRequest"), PB("StatusResponse"),
	    false, false},
	{"/maintenance/defragment", MAINT("Defragment"), PB("DefragmentRequest"),
	    PB("DefragmentResponse"), false, false},
	/* etcd annotates HashKV with Hash's path too; Hash's handler wins. */
	{"/maintenance/hash", MAINT("Hash"), PB("HashRequest"), PB("HashResponse"), false,
	    false},
	{"/maintenance/snapshot", MAINT("Snapshot"), PB("SnapshotRequest"),
	    PB("SnapshotResponse"), true, false},
	{"/maintenance/transfer-leadership", MAINT("MoveLeader"), PB("MoveLeaderRequest"),
	    PB("MoveLeaderResponse"), false, false},
	{"/auth/enable", AUTH("AuthEnable"), PB("AuthEnableRequest"), PB("AuthEnableResponse"),
	    false, false},
	{"/auth/disable", AUTH("AuthDisable"), PB("AuthDisableRequest"),
	    PB("AuthDisableResponse"), false, false},
	{"/auth/authenticate", AUTH("Authenticate"), PB("AuthenticateRequest"),
	    PB("AuthenticateResponse"), false, false},
	{"/auth/user/add", AUTH("UserAdd"), PB("AuthUserAddRequest"), PB("AuthUserAddResponse"),
	    false, false},
	{"/auth/user/get", AUTH("UserGet"), PB("AuthUserGetRequest"), PB("AuthUserGetResponse"),
	    false, false},
	{"/auth/user/list", AUTH("UserList"), PB("AuthUserListRequest"),
	    PB("AuthUserListResponse"), false, false},
	{"/auth/user/delete", AUTH("UserDelete"), PB("AuthUserDeleteRequest"),
	    PB("AuthUserDeleteResponse"), false, false},
	{"/auth/user/changepw", AUTH("UserChangePassword"), PB("AuthUserChangePasswordRequest"),
	    PB("AuthUserChangePasswordResponse"), false, false},
	{"/auth/user/grant", AUTH("UserGrantRole"), PB("AuthUserGrantRoleRequest"),
	    PB("AuthUserGrantRoleResponse"), false, false},
	{"/auth/user/revoke", AUTH("UserRevokeRole"), PB("AuthUserRevokeRoleRequest"),
	    PB("AuthUserRevokeRoleResponse"), false, false},
	{"/auth/role/add", AUTH("RoleAdd"), PB("AuthRoleAddRequest"), PB("AuthRoleAddResponse"),
	    false, false},
	{"/auth/role/get", AUTH("RoleGet"), PB("AuthRoleGetRequest"), PB("AuthRoleGetResponse"),
	    false, false},
	{"/auth/role/list", AUTH("RoleList"), PB("AuthRoleListRequest"),
	    PB("AuthRoleListResponse"), false, false},
	{"/auth/role/delete", AUTH("RoleDelete"), PB("AuthRoleDeleteRequest"),
	    PB("AuthRoleDeleteResponse"), false, false},
	{"/auth/role/grant", AUTH("RoleGrantPermission"), PB("AuthRoleGrantPermissionRequest"),
	    PB("AuthRoleGrantPermissionResponse"), false, false},
	{"/auth/role/revoke", AUTH("RoleRevokePermission"), PB("AuthRoleRevokePermissionRequest"),
	    PB("AuthRoleRevokePermissionResponse"), false, false},
	{"/election/campaign", "/v3electionpb.Election/Campaign", "v3electionpb.CampaignRequest",
	    "v3electionpb.CampaignResponse", false, false},
	{"/election/proclaim", "/v3electionpb.Election/Proclaim", "v3electionpb.ProclaimRequest",
	    "v3electionpb.ProclaimResponse", false, false},
	{"/election/leader", "/v3electionpb.Election/Leader", "v3electionpb.LeaderRequest",
	    "v3electionpb.LeaderResponse", false, false},
	{"/election/observe", "/v3electionpb.Election/Observe", "v3electionpb.LeaderRequest",
	    "v3electionpb.LeaderResponse", true, false},
	{"/election/resign", "/v3electionpb.Election/Resign", "v3electionpb.ResignRequest",
	    "v3electionpb.ResignResponse", false, false},
	{"/lock/lock", "/v3lockpb.Lock/Lock", "v3lockpb.LockRequest", "v3lockpb.LockResponse",
	    false, false},
	{"/lock/unlock", "/v3lockpb.Lock/Unlock", "v3lockpb.UnlockRequest",
	    "v3lockpb.UnlockResponse", false, false},
};

#define GATEWAY_ROUTES_LEN (sizeof(gateway_routes) / sizeof(gateway_routes[0]))

struct gateway {
	struct http_call *call;     /* NULL once answered (or the client left) */
	const struct gateway_route *route;
	const struct pbs_message *out;
	struct gstream *s;          /* owned */
	struct event *wake;         /* turns the gstream's answer into JSON, owned */
	bool started;               /* a stream's head was sent */
};

/* grpc-gateway's HTTPStatusFromCode. */
static unsigned
gateway_http_status(unsigned code)
{
	static const unsigned status[] = {200, 408, 500, 400, 504, 404, 409, 403, 429, 412, 409,
	    400, 501, 500, 503, 500, 401};

	return code < sizeof(status) / sizeof(status[0]) ? status[code] : 500;
}

/* The fields of every gateway answer after the CORS ones. */
static void
gateway_headers(struct http_header *hs)
{
	memcpy(hs, http_cors, sizeof(http_cors));
	hs[HTTP_CORS_HEADERS] = (struct http_header){"Grpc-Metadata-Content-Type",
	    "application/grpc"};
}

/* A unary call's error: {"error": text, "message": text, "code": code}. */
static void
gateway_error_body(struct evbuffer *b, unsigned code, const char *text)
{
	evbuffer_add_printf(b, "{\"error\":");
	gwj_string(b, text, strlen(text));
	evbuffer_add_printf(b, ",\"message\":");
	gwj_string(b, text, strlen(text));
	evbuffer_add_printf(b, ",\"code\":%u}", code);
}

/* A stream's error: {"error": {grpc_code, http_code, message,
 * http_status}}. */
static void
gateway_stream_error_body(struct evbuffer *b, unsigned code, const char *text)
{
	unsigned status = gateway_http_status(code);

	evbuffer_add_printf(b, "{\"error\":{\"grpc_code\":%u,\"http_code\":%u,\"message\":",
	    code, status);
	gwj_string(b, text, strlen(text));
	evbuffer_add_printf(b, ",\"http_status\":\"%s\"}}", http_status_text(status));
}

/* Answers c at once with a gRPC status and text, in the route's form. */
static void
gateway_refuse(struct http_call *c, const struct gateway_route *r, unsigned code,
    const char *text)
{
	struct http_header hs[HTTP_CORS_HEADERS + 1];
	struct evbuffer *b = evbuffer_new();
	size_t len;

	if (b == NULL)
		fatalx("evbuffer_new");
	if (r->stream && !r->client_stream)
		gateway_stream_error_body(b, code, text);
	else
		gateway_error_body(b, code, text);
	memcpy(hs, http_cors, sizeof(http_cors));
	len = evbuffer_get_length(b);
	c->respond(c, gateway_http_status(code), JSON, hs, HTTP_CORS_HEADERS,
	    evbuffer_pullup(b, (ssize_t)len), len);
	evbuffer_free(b);
}

void
gateway_free(struct gateway *gw)
{
	if (gw->call != NULL)
		gw->call->gw = NULL;
	grpc_stream_free(gw->s);
	event_free(gw->wake);
	free(gw);
}

/* Takes the first whole message of s's answer into *msg (malloc'd):
 * true, or false when none is whole yet. */
static bool
gateway_message(struct gstream *s, uint8_t **msg, size_t *len)
{
	uint8_t prefix[GRPC_PREFIX_BYTES];
	size_t have = evbuffer_get_length(s->out);

	if (have < GRPC_PREFIX_BYTES)
		return false;
	if (evbuffer_copyout(s->out, prefix, sizeof(prefix)) != (ssize_t)sizeof(prefix))
		fatalx("evbuffer_copyout");
	*len = be_get32(prefix + 1);
	if (have - GRPC_PREFIX_BYTES < *len)
		return false;
	*msg = xmalloc(*len > 0 ? *len : 1);
	evbuffer_drain(s->out, GRPC_PREFIX_BYTES);
	if (*len > 0 && evbuffer_remove(s->out, *msg, *len) != (int)*len)
		fatalx("evbuffer_remove");
	return true;
}

/* A unary call's answer, once its status is known. */
static void
gateway_unary(struct gateway *gw)
{
	struct http_call *c = gw->call;
	struct gstream *s = gw->s;
	struct http_header hs[HTTP_CORS_HEADERS + 1];
	struct evbuffer *b = evbuffer_new();
	unsigned status = 200;
	uint8_t *msg = NULL;
	size_t len;

	if (b == NULL)
		fatalx("evbuffer_new");
	if (s->status == GRPC_OK && gateway_message(s, &msg, &len) &&
	    gwj_to_json(&pbs_etcd, gw->out, msg, len, b) == 0) {
		gateway_headers(hs);
	} else {
		/* A message of the service's own making that does not convert
		 * is a bug, answered as grpc-gateway answers a failed
		 * marshal. */
		unsigned code = s->status != GRPC_OK ? s->status : GRPC_INTERNAL;

		evbuffer_drain(b, evbuffer_get_length(b));
		gateway_error_body(b, code, s->status != GRPC_OK ? s->message :
		    "cannot convert the answer to JSON");
		memcpy(hs, http_cors, sizeof(http_cors));
		status = gateway_http_status(code);
	}
	free(msg);
	gateway_free(gw);
	len = evbuffer_get_length(b);
	c->respond(c, status, JSON, hs, status == 200 ? HTTP_CORS_HEADERS + 1 : HTTP_CORS_HEADERS,
	    evbuffer_pullup(b, (ssize_t)len), len);
	evbuffer_free(b);
}

static void
gateway_stream_start(struct gateway *gw, unsigned status)
{
	struct http_header hs[HTTP_CORS_HEADERS + 1];

	gateway_headers(hs);
	gw->call->stream_start(gw->call, status, JSON, hs, HTTP_CORS_HEADERS + 1);
	gw->started = true;
}

/* A stream's messages as {"result": ...} lines while the client takes
 * them; then its end. */
static void
gateway_stream(struct gateway *gw)
{
	struct http_call *c = gw->call;
	struct gstream *s = gw->s;
	struct evbuffer *b = evbuffer_new();
	bool took = false;
	uint8_t *msg;
	size_t len;

	if (b == NULL)
		fatalx("evbuffer_new");
	while (c->unsent(c) < GATEWAY_UNSENT_BYTES_MAX && gateway_message(s, &msg, &len)) {
		evbuffer_add_printf(b, "{\"result\":");
		if (gwj_to_json(&pbs_etcd, gw->out, msg, len, b) != 0)
			fatalx("gateway: an answer of netd's own does not convert to JSON");
		evbuffer_add(b, "}\n", 2);
		free(msg);
		if (!gw->started)
			gateway_stream_start(gw, 200);
		len = evbuffer_get_length(b);
		c->stream_part(c, evbuffer_pullup(b, (ssize_t)len), len);
		evbuffer_drain(b, len);
		took = true;
	}
	if (took && (s->paused || s->want_drain))
		grpc_stream_drained(s);
	if (!s->answered || evbuffer_get_length(s->out) > 0) {
		evbuffer_free(b);
		return;
	}
	if (s->status != GRPC_OK) {
		gateway_stream_error_body(b, s->status, s->message);
		if (!gw->started)
			gateway_stream_start(gw, gateway_http_status(s->status));
		len = evbuffer_get_length(b);
		c->stream_part(c, evbuffer_pullup(b, (ssize_t)len), len);
	} else if (!gw->started) {
		gateway_stream_start(gw, 200);
	}
	evbuffer_free(b);
	gateway_free(gw);
	c->stream_end(c);
}

static void
gateway_wake(evutil_socket_t fd, short what, void *arg)
{
	struct gateway *gw = arg;

	(void)fd;
	(void)what;
	if (gw->call == NULL)
		return;
	if (gw->route->stream)
		gateway_stream(gw);
	else if (gw->s->answered)
		gateway_unary(gw);
}

void
gateway_answer(struct gateway *gw)
{
	event_active(gw->wake, EV_TIMEOUT, 0);
}

void
gateway_drained(struct gateway *gw)
{
	gateway_answer(gw);
}

/* The route of path[len] (after any "/v3beta" rewritten to "/v3"), or
 * NULL; *ours says whether the path is the gateway's at all. */
static const struct gateway_route *
gateway_find(const char *path, size_t len, bool *ours)
{
	size_t skip;

	if (len >= 4 && memcmp(path, "/v3/", 4) == 0)
		skip = 3;
	else if (len >= 8 && memcmp(path, "/v3beta/", 8) == 0)
		skip = 7; /* etcd's access controller: /v3beta/ is /v3/ */
	else
		return *ours = false, NULL;
	*ours = true;
	for (size_t i = 0; i < GATEWAY_ROUTES_LEN; i++)
		if (strlen(gateway_routes[i].url) == len - skip &&
		    memcmp(gateway_routes[i].url, path + skip, len - skip) == 0)
			return &gateway_routes[i];
	return NULL;
}

/* The request's messages for a method whose client streams: JSON values
 * one after another, as grpc-gateway's decoder reads them. The first that
 * does not decode fails the call (grpc-gateway: UNKNOWN); one after the
 * first ends the client's side, as grpc-gateway's sending loop ends. */
static int
gateway_feed(struct gateway *gw, const char *body, size_t len, char *err, size_t cap)
{
	size_t off = 0;

	for (int i = 0; i < GATEWAY_STREAM_MESSAGES_MAX && gw->call != NULL; i++) {
		uint8_t *pb;
		size_t pb_len, used;
		int rc;

		while (off < len && strchr(" \t\r\n", body[off]) != NULL)
			off++;
		if (off == len)
			break;
		rc = gwj_from_json(&pbs_etcd, pbs_message_find(&pbs_etcd, gw->route->in), body + off,
		    len - off, &pb, &pb_len, &used, err, cap);
		if (rc != 0)
			return i == 0 ? rc : 0;
		off += used;
		grpc_stream_input(gw->s, pb, pb_len);
		free(pb);
	}
	return 0;
}

bool
gateway_route(struct http_call *c, const char *path, size_t len)
{
	const struct gateway_route *r;
	struct gateway *gw;
	char err[256];
	bool ours;
	int rc = 0;

	if (c->metrics_only || (r = gateway_find(path, len, &ours), !ours))
		return false;
	if (r == NULL) {
		http_route_error(c, 404, "Not Found");
		return true;
	}
	if (!c->post) {
		http_route_error(c, 405, "Method Not Allowed");
		return true;
	}
	if (r->stream && c->stream_start == NULL) {
		gateway_refuse(c, r, GRPC_UNIMPLEMENTED, "streaming is not served here");
		return true;
	}
	gw = xcalloc(1, sizeof(*gw));
	gw->call = c;
	gw->route = r;
	gw->out = pbs_message_find(&pbs_etcd, r->out);
	CAIRN_ASSERT(gw->out != NULL);
	gw->wake = event_new(c->n->c->base, -1, 0, gateway_wake, gw);
	if (gw->wake == NULL)
		fatalx("event_new");
	gw->s = grpc_stream_gateway(c->n, gw, grpc_method_of(r->method), r->method);
	/* grpc-gateway passes Authorization on as metadata, which etcd
	 * reads when there is no "token". One too long for netd cannot be a
	 * token netd made. */
	snprintf(gw->s->token, sizeof(gw->s->token), "%s",
	    strlen(c->authorization) < sizeof(gw->s->token) ? c->authorization : "?");
	c->gw = gw;
	if (r->client_stream) {
		grpc_stream_headers_done(gw->s);
		rc = gateway_feed(gw, c->body, c->body_len, err, sizeof(err));
	} else {
		uint8_t *pb;
		size_t pb_len, used;

		rc = gwj_from_json(&pbs_etcd, pbs_message_find(&pbs_etcd, r->in), c->body,
		    c->body_len, &pb, &pb_len, &used, err, sizeof(err));
		if (rc == 0) {
			grpc_stream_input(gw->s, pb, pb_len);
			free(pb);
		}
	}
	if (rc != 0) {
		/* A request that does not decode: grpc-gateway's
		 * InvalidArgument, or UNKNOWN for a streaming client's. */
		gateway_free(gw);
		gateway_refuse(c, r, r->client_stream ? GRPC_UNKNOWN : GRPC_INVALID_ARGUMENT, err);
		return true;
	}
	grpc_stream_end(gw->s);
	return true;
}
