/*
 * netd: gRPC on one HTTP/2 stream (the wire format of gRPC's
 * PROTOCOL-HTTP2.md): request headers, the one length-prefixed message
 * of a unary call, the method table, and the answer with its grpc-status
 * and grpc-message trailers. Texts of our own statuses are grpc-go's, as
 * etcd's server sends them.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "netd/grpc.h"
#include "netd/h2.h"
#include "netd/netd.h"
#include "netd/svc.h"
#include "shared/assert.h"
#include "shared/be.h"
#include "shared/xmalloc.h"

static const struct grpc_method grpc_methods[] = {
	{"/etcdserverpb.KV/Range", svc_kv_range},
	{"/etcdserverpb.KV/Put", svc_kv_put},
	{"/etcdserverpb.KV/DeleteRange", svc_kv_delete_range},
	{"/etcdserverpb.KV/Txn", svc_kv_txn},
	{"/etcdserverpb.KV/Compact", svc_kv_compact},
	{"/etcdserverpb.Lease/LeaseGrant", svc_lease_grant},
	{"/etcdserverpb.Lease/LeaseRevoke", svc_lease_revoke},
	{"/etcdserverpb.Maintenance/Alarm", svc_maint_alarm},
	{"/etcdserverpb.Maintenance/Status", svc_maint_status},
	{"/etcdserverpb.Maintenance/Defragment", svc_maint_defragment},
	{"/etcdserverpb.Maintenance/Hash", svc_maint_hash},
	{"/etcdserverpb.Maintenance/HashKV", svc_maint_hash_kv},
};

#define GRPC_METHODS_LEN (sizeof(grpc_methods) / sizeof(grpc_methods[0]))

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

struct gstream *
grpc_stream_new(struct conn *c, int32_t id)
{
	struct gstream *s = xcalloc(1, sizeof(*s));

	s->conn = c;
	s->id = id;
	return s;
}

static bool
header_is(const uint8_t *name, size_t len, const char *want)
{
	return strlen(want) == len && memcmp(name, want, len) == 0;
}

int
grpc_stream_header(struct gstream *s, const uint8_t *name, size_t name_len,
    const uint8_t *value, size_t value_len)
{
	if (header_is(name, name_len, ":path")) {
		if (value_len >= GRPC_PATH_BYTES_MAX)
			return CAIRN_EINVAL;
		memcpy(s->path, value, value_len);
		s->path[value_len] = '\0';
		s->method = grpc_method_find(value, value_len);
	} else if (header_is(name, name_len, "content-type")) {
		/* "application/grpc", "application/grpc+proto", ... */
		s->grpc = value_len >= 16 && memcmp(value, "application/grpc", 16) == 0 &&
		    (value_len == 16 || value[16] == '+' || value[16] == ';');
	} else if (header_is(name, name_len, "grpc-encoding")) {
		if (value_len >= sizeof(s->encoding))
			return CAIRN_EINVAL;
		memcpy(s->encoding, value, value_len);
		s->encoding[value_len] = '\0';
	} else if (header_is(name, name_len, "token")) {
		if (value_len >= sizeof(s->token))
			return CAIRN_EINVAL;
		memcpy(s->token, value, value_len);
		s->token[value_len] = '\0';
	}
	return 0;
}

/* The request's bound: one message of at most msg_bytes_max. */
static size_t
grpc_req_max(const struct gstream *s)
{
	return GRPC_PREFIX_BYTES + s->conn->n->msg_bytes_max;
}

static void
grpc_req_free(struct gstream *s)
{
	if (s->req_len > 0)
		h2_released(s, s->req_len);
	free(s->req);
	s->req = NULL;
	s->req_len = s->req_cap = 0;
}

/* Answered before the request ended: the rest is dropped as it comes. */
static void
grpc_answered_early(struct gstream *s)
{
	grpc_req_free(s);
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
			h2_received(s, len, false);
			grpc_reply_status(s, GRPC_RESOURCE_EXHAUSTED, "grpc: received message "
			    "larger than max");
			grpc_answered_early(s);
			return;
		}
		s->req = xrealloc(s->req, want);
		s->req_cap = want;
	}
	memcpy(s->req + s->req_len, data, len);
	s->req_len += len;
	h2_received(s, len, true);
	/* grpc-go refuses on the length prefix, before the message comes. */
	if (s->req_len >= GRPC_PREFIX_BYTES && s->req_len - len < GRPC_PREFIX_BYTES) {
		uint32_t n = be_get32(s->req + 1);
		char msg[GRPC_MESSAGE_BYTES_MAX];

		if (n > s->conn->n->msg_bytes_max) {
			snprintf(msg, sizeof(msg), "grpc: received message larger than max "
			    "(%u vs. %u)", n, s->conn->n->msg_bytes_max);
			grpc_reply_status(s, GRPC_RESOURCE_EXHAUSTED, msg);
			grpc_answered_early(s);
		}
	}
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

/* The first message of a unary request (grpc-go reads one and ignores
 * anything after it): 0 with *msg and *len set, or the stream was
 * answered, with grpc-go's statuses. */
static int
grpc_unary_message(struct gstream *s, const uint8_t **msg, size_t *len)
{
	char text[GRPC_MESSAGE_BYTES_MAX];
	uint32_t n;

	if (s->req_len < GRPC_PREFIX_BYTES) {
		grpc_reply_status(s, GRPC_UNKNOWN, s->req_len == 0 ? "EOF" : "unexpected EOF");
		return -1;
	}
	n = be_get32(s->req + 1);
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
	if (s->req_len - GRPC_PREFIX_BYTES < n) {
		grpc_reply_status(s, GRPC_UNKNOWN, "unexpected EOF");
		return -1;
	}
	*msg = s->req + GRPC_PREFIX_BYTES;
	*len = n;
	return 0;
}

void
grpc_stream_end(struct gstream *s)
{
	const uint8_t *msg;
	size_t len;
	int rc;

	s->ended = true;
	if (s->answered)
		return;
	if (!s->grpc) {
		/* Not gRPC: etcd's server resets such a stream. */
		s->answered = true;
		h2_reset(s, NGHTTP2_PROTOCOL_ERROR);
	} else if (s->encoding[0] != '\0' && strcmp(s->encoding, "identity") != 0) {
		char text[GRPC_MESSAGE_BYTES_MAX];

		snprintf(text, sizeof(text), "grpc: Decompressor is not installed for "
		    "grpc-encoding \"%s\"", s->encoding);
		grpc_reply_status(s, GRPC_UNIMPLEMENTED, text);
	} else if (s->method == NULL) {
		grpc_unknown(s);
	} else if (grpc_unary_message(s, &msg, &len) == 0) {
		rc = s->method->unary(s, msg, len);
		if (rc != 0)
			grpc_reply_err(s, rc);
	}
	grpc_req_free(s);
}

void
grpc_stream_free(struct gstream *s)
{
	if (s->pending != NULL)
		s->pending->stream = NULL;
	grpc_req_free(s);
	free(s->resp);
	free(s->held);
	free(s);
}

void
grpc_reply(struct gstream *s, const uint8_t *msg, size_t len)
{
	const nghttp2_nv nv[] = {NV(":status", "200"), NV("content-type", "application/grpc")};

	CAIRN_ASSERT(!s->answered);
	CAIRN_ASSERT(len <= UINT32_MAX);
	s->answered = true;
	s->resp = xmalloc(GRPC_PREFIX_BYTES + len);
	s->resp[0] = 0;
	be_put32(s->resp + 1, (uint32_t)len);
	if (len > 0)
		memcpy(s->resp + GRPC_PREFIX_BYTES, msg, len);
	s->resp_len = GRPC_PREFIX_BYTES + len;
	s->resp_off = 0;
	(void)h2_submit_headers(s, nv, sizeof(nv) / sizeof(nv[0]), true);
}

size_t
grpc_stream_read(struct gstream *s, uint8_t *buf, size_t cap, bool *eof)
{
	size_t n = s->resp_len - s->resp_off;

	if (n > cap)
		n = cap;
	memcpy(buf, s->resp + s->resp_off, n);
	s->resp_off += n;
	*eof = s->resp_off == s->resp_len;
	return n;
}

void
grpc_stream_trailers(struct gstream *s)
{
	const nghttp2_nv nv[] = {NV("grpc-status", "0")};

	free(s->resp);
	s->resp = NULL;
	(void)h2_submit_trailers(s, nv, 1);
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
grpc_reply_status(struct gstream *s, unsigned status, const char *message)
{
	char code[12], text[3 * GRPC_MESSAGE_BYTES_MAX + 1];

	CAIRN_ASSERT(!s->answered);
	s->answered = true;
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
	grpc_reply_status(s, err_grpc_status(err), err_str(err));
}
