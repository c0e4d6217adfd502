/*
 * netd: what the services share: nanopb decoding and encoding of the
 * messages netd reads or makes itself, the response header netd fills,
 * and wrapping a client's message as an InternalRaftRequest.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <pb_decode.h>
#include <pb_encode.h>

#include "netd/backend.h"
#include "netd/h2.h"
#include "netd/netd.h"
#include "netd/svc.h"
#include "netd/auth_tokens.h"
#include "shared/pbwire.h"
#include "shared/xmalloc.h"

int
svc_decode(struct gstream *s, const pb_msgdesc_t *fields, void *dst, const uint8_t *msg,
    size_t len)
{
	pb_istream_t is = pb_istream_from_buffer(msg, len);
	char text[GRPC_MESSAGE_BYTES_MAX];

	if (pb_decode(&is, fields, dst))
		return 0;
	snprintf(text, sizeof(text), "grpc: error unmarshalling request: %s", PB_GET_ERROR(&is));
	grpc_reply_status(s, GRPC_INTERNAL, text);
	return -1;
}

void
svc_reply_pb(struct gstream *s, const pb_msgdesc_t *fields, const void *src)
{
	size_t len;
	uint8_t *buf;
	pb_ostream_t os;

	if (!pb_get_encoded_size(&len, fields, src)) {
		grpc_reply_err(s, CAIRN_EIO);
		return;
	}
	buf = xmalloc(len > 0 ? len : 1);
	os = pb_ostream_from_buffer(buf, len);
	if (pb_encode(&os, fields, src))
		grpc_reply(s, buf, len);
	else
		grpc_reply_err(s, CAIRN_EIO);
	free(buf);
}

void
svc_header(const struct netd *n, etcdserverpb_ResponseHeader *h)
{
	h->cluster_id = n->raft.cluster_id;
	h->member_id = n->raft.member_id;
	h->revision = n->store.revision;
	h->raft_term = n->raft.term;
}

/* InternalRaftRequest.header (RequestHeader: username 2, auth_revision 3). */
#define IRR_HEADER 100
#define HDR_USERNAME 2
#define HDR_AUTH_REVISION 3

int
svc_user(struct gstream *s, const uint8_t **user, size_t *user_len)
{
	struct netd *n = s->n;

	*user = NULL;
	*user_len = 0;
	/*
	 * The user goes with every call that names one, whatever netd last
	 * heard of auth: stored, which decides, ignores it while auth is
	 * disabled (netd's view may lag an AuthEnable just applied). A call
	 * without a token is made by its verified client certificate's CN
	 * (etcd's AuthInfoFromTLS), or by nobody ("user name is empty").
	 */
	if (s->token[0] == '\0') {
		/* The gateway's calls carry no certificate, as etcd's gateway
		 * dials its own server without one. */
		if (s->conn != NULL && s->conn->cn[0] != '\0') {
			*user = (const uint8_t *)s->conn->cn;
			*user_len = strlen(s->conn->cn);
		}
		return 0;
	}
	if (n->jwt->on) {
		/* Stateless: any member with the keys takes it. */
		if (jwt_verify(n->jwt, s->token, time(NULL), s->jwt_user, sizeof(s->jwt_user)) == 0) {
			*user = (const uint8_t *)s->jwt_user;
			*user_len = strlen(s->jwt_user);
		}
	} else {
		*user = tokens_find(&n->tokens, s->token, netd_now_ms(), user_len);
	}
	/* etcd ignores a token while auth is disabled. */
	return *user == NULL && n->store.auth_enabled ? CAIRN_EAUTHTOKEN : 0;
}

/* The InternalRaftRequest: the header hdr[hl] (none when hl is 0), then
 * the message as 'field'. */
static uint8_t *
svc_irr(const uint8_t *hdr, size_t hl, enum req_type field, const uint8_t *msg, size_t len,
    size_t *out_len)
{
	uint64_t tag = ((uint64_t)field << 3) | PBW_LEN;
	size_t n = pbw_varint_len(tag) + pbw_varint_len(len) + len;
	uint8_t *buf, *p;

	if (hl > 0)
		n += pbw_varint_len(PBW_TAG(IRR_HEADER, PBW_LEN)) + pbw_varint_len(hl) + hl;
	buf = p = xmalloc(n);
	if (hl > 0) {
		p += pbw_put_varint(p, PBW_TAG(IRR_HEADER, PBW_LEN));
		p += pbw_put_varint(p, hl);
		memcpy(p, hdr, hl);
		p += hl;
	}
	p += pbw_put_varint(p, tag);
	p += pbw_put_varint(p, len);
	if (len > 0)
		memcpy(p, msg, len);
	*out_len = n;
	return buf;
}

uint8_t *
svc_wrap_plain(enum req_type field, const uint8_t *msg, size_t len, size_t *out_len)
{
	return svc_irr(NULL, 0, field, msg, len, out_len);
}

uint8_t *
svc_wrap(struct gstream *s, enum req_type field, const uint8_t *msg, size_t len,
    size_t *out_len, int *err)
{
	uint8_t hdr[2 + PBW_VARINT_BYTES_MAX + TOKEN_USER_BYTES_MAX + 1 + PBW_VARINT_BYTES_MAX];
	const uint8_t *user;
	size_t hl = 0, ul;

	if ((*err = svc_user(s, &user, &ul)) != 0)
		return NULL;
	if (user != NULL) {
		/* Who asks, and the auth revision the check is made at (etcd's
		 * simple tokens: the store's current one). */
		hl += pbw_put_varint(hdr + hl, PBW_TAG(HDR_USERNAME, PBW_LEN));
		hl += pbw_put_varint(hdr + hl, ul);
		memcpy(hdr + hl, user, ul);
		hl += ul;
		hl += pbw_put_varint(hdr + hl, PBW_TAG(HDR_AUTH_REVISION, PBW_VARINT));
		hl += pbw_put_varint(hdr + hl, s->n->store.auth_revision);
	}
	return svc_irr(hdr, hl, field, msg, len, out_len);
}

int
svc_propose(struct gstream *s, enum req_type field, const uint8_t *msg, size_t len)
{
	size_t irr_len;
	int err;
	uint8_t *irr = svc_wrap(s, field, msg, len, &irr_len, &err);

	return irr == NULL ? err : backend_propose(s, irr, irr_len);
}
