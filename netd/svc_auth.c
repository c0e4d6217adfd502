/*
 * netd: etcd's Auth service. Every call but Authenticate is proposed
 * through Raft as the client sent it (stored makes etcd's checks and
 * answers). Authenticate goes as etcd's server makes it: the password is
 * checked first (by stored, which keeps the hashes), then an
 * InternalAuthenticateRequest with a new simple-token prefix is proposed;
 * its applied answer carries the token ("prefix.index"), which netd keeps
 * for the user before passing the answer on.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <pb_encode.h>

#include "netd/auth_tokens.h"
#include "netd/backend.h"
#include "netd/h2.h"
#include "netd/netd.h"
#include "netd/svc.h"
#include "shared/chunks.h"
#include "shared/log.h"
#include "shared/proto/etcdserverpb/raft_internal.pb.h"
#include "shared/pbwire.h"
#include "shared/xmalloc.h"

/* AuthenticateResponse.token. */
#define AUTH_RESP_TOKEN 2

#define SVC_AUTH_PROPOSE(fn, field)                                              \
	int fn(struct gstream *s, const uint8_t *msg, size_t len)                 \
	{                                                                         \
		return svc_propose(s, field, msg, len);                           \
	}
SVC_AUTH_PROPOSE(svc_auth_enable, REQ_AUTH_ENABLE)
SVC_AUTH_PROPOSE(svc_auth_disable, REQ_AUTH_DISABLE)
SVC_AUTH_PROPOSE(svc_auth_user_add, REQ_USER_ADD)
SVC_AUTH_PROPOSE(svc_auth_user_get, REQ_USER_GET)
SVC_AUTH_PROPOSE(svc_auth_user_list, REQ_USER_LIST)
SVC_AUTH_PROPOSE(svc_auth_user_delete, REQ_USER_DELETE)
SVC_AUTH_PROPOSE(svc_auth_user_passwd, REQ_USER_PASSWD)
SVC_AUTH_PROPOSE(svc_auth_user_grant, REQ_USER_GRANT)
SVC_AUTH_PROPOSE(svc_auth_user_revoke, REQ_USER_REVOKE)
SVC_AUTH_PROPOSE(svc_auth_role_add, REQ_ROLE_ADD)
SVC_AUTH_PROPOSE(svc_auth_role_get, REQ_ROLE_GET)
SVC_AUTH_PROPOSE(svc_auth_role_list, REQ_ROLE_LIST)
SVC_AUTH_PROPOSE(svc_auth_role_delete, REQ_ROLE_DELETE)
SVC_AUTH_PROPOSE(svc_auth_role_grant, REQ_ROLE_GRANT)
SVC_AUTH_PROPOSE(svc_auth_role_revoke, REQ_ROLE_REVOKE)

int
svc_auth_authenticate(struct gstream *s, const uint8_t *msg, size_t len)
{
	etcdserverpb_AuthenticateRequest req = etcdserverpb_AuthenticateRequest_init_zero;
	cairn_ipc_AuthCheck c = cairn_ipc_AuthCheck_init_zero;
	int rc;

	if (svc_decode(s, etcdserverpb_AuthenticateRequest_fields, &req, msg, len) != 0)
		return 0;
	c.name.size = (pb_size_t)strlen(req.name);
	memcpy(c.name.bytes, req.name, c.name.size);
	c.password.size = (pb_size_t)strlen(req.password);
	memcpy(c.password.bytes, req.password, c.password.size);
	rc = backend_ask(s, PENDING_AUTH_CHECK, cairn_ipc_IPC_STORED_AUTH_CHECK, &c);
	if (rc == 0) {
		/* The name, for the proposal once the password is right. */
		free(s->held);
		s->held_len = c.name.size;
		s->held = xmalloc(s->held_len + 1);
		memcpy(s->held, c.name.bytes, s->held_len);
		s->held[s->held_len] = 0;
	}
	explicit_bzero(&req, sizeof(req));
	explicit_bzero(&c, sizeof(c));
	return rc;
}

void
svc_auth_checked(struct gstream *s, int code)
{
	etcdserverpb_InternalAuthenticateRequest in =
	    etcdserverpb_InternalAuthenticateRequest_init_zero;
	uint8_t buf[etcdserverpb_InternalAuthenticateRequest_size];
	pb_ostream_t os = pb_ostream_from_buffer(buf, sizeof(buf));
	char prefix[TOKEN_PREFIX_LETTERS + 1];
	size_t irr_len;
	uint8_t *irr;

	if (code != 0) {
		grpc_reply_err(s, code);
		return;
	}
	CAIRN_ASSERT(s->held != NULL && s->held_len < sizeof(in.name));
	memcpy(in.name, s->held, s->held_len + 1);
	tokens_prefix(prefix);
	memcpy(in.simple_token, prefix, sizeof(prefix));
	if (!pb_encode(&os, etcdserverpb_InternalAuthenticateRequest_fields, &in))
		fatalx("cannot encode an InternalAuthenticateRequest");
	/* No header: an authentication is nobody's request. */
	irr = svc_wrap_plain(REQ_AUTHENTICATE, buf, os.bytes_written, &irr_len);
	if ((code = backend_propose_as(s, irr, irr_len, PENDING_AUTH_TOKEN)) != 0)
		grpc_reply_err(s, code);
}

/* --auth-token jwt: the AuthenticateResponse resp[len] (stored's, with a
 * simple token) answered with a JWT for the user instead; nothing kept. */
static void
svc_auth_jwt(struct gstream *s, const uint8_t *resp, size_t len)
{
	struct pbw_reader r = {.buf = resp, .len = len};
	char jwt[JWT_BYTES_MAX + 1];
	uint8_t *out = xmalloc(len + JWT_BYTES_MAX + 16);
	size_t o = 0, start, jl;
	uint32_t field;
	enum pbw_type type;
	int rc = 0;

	/* The header and any other field as they are; the token replaced. */
	while (rc == 0 && r.off < r.len) {
		start = r.off;
		if ((rc = pbw_get_tag(&r, &field, &type)) == 0 && (rc = pbw_skip(&r, type)) == 0 &&
		    field != AUTH_RESP_TOKEN) {
			memcpy(out + o, resp + start, r.off - start);
			o += r.off - start;
		}
	}
	if (rc != 0 || jwt_sign(s->n->jwt, (const char *)s->held, s->n->store.auth_revision,
	    time(NULL), jwt, sizeof(jwt)) != 0) {
		log_warnx("cannot sign a JWT for an authentication (no priv-key?)");
		grpc_reply_err(s, CAIRN_EIO);
		free(out);
		return;
	}
	jl = strlen(jwt);
	o += pbw_put_varint(out + o, PBW_TAG(AUTH_RESP_TOKEN, PBW_LEN));
	o += pbw_put_varint(out + o, jl);
	memcpy(out + o, jwt, jl);
	grpc_reply(s, out, o + jl);
	free(out);
}

void
svc_auth_token(struct gstream *s, pb_bytes_array_t *const *parts, size_t n, size_t len)
{
	uint8_t *buf = xmalloc(len > 0 ? len : 1);
	struct pbw_reader r = {.buf = buf, .len = len};
	const uint8_t *tok = NULL;
	size_t tok_len = 0;
	uint32_t field;
	enum pbw_type type;
	int rc = 0;

	chunks_join(parts, (pb_size_t)n, buf);
	while (rc == 0 && r.off < r.len && (rc = pbw_get_tag(&r, &field, &type)) == 0) {
		if (field == AUTH_RESP_TOKEN && type == PBW_LEN)
			rc = pbw_get_bytes(&r, &tok, &tok_len);
		else
			rc = pbw_skip(&r, type);
	}
	if (rc == 0 && tok != NULL && s->n->jwt->on) {
		svc_auth_jwt(s, buf, len);
		free(buf);
		return;
	}
	if (rc != 0 || tok == NULL ||
	    tokens_add(&s->n->tokens, (const char *)tok, tok_len, s->held, s->held_len,
	    netd_now_ms()) != 0) {
		log_warnx("cannot keep the token of an authentication");
		grpc_reply_err(s, rc != 0 || tok == NULL ? CAIRN_EIO : CAIRN_ETOOMANYREQ);
	} else {
		grpc_reply(s, buf, len);
	}
	free(buf);
}
