/*
 * netd: what the services share: nanopb decoding and encoding of the
 * messages netd reads or makes itself, the response header netd fills,
 * and wrapping a client's message as an InternalRaftRequest.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <pb_decode.h>
#include <pb_encode.h>

#include "netd/backend.h"
#include "netd/h2.h"
#include "netd/netd.h"
#include "netd/svc.h"
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

uint8_t *
svc_wrap(enum req_type field, const uint8_t *msg, size_t len, size_t *out_len)
{
	uint64_t tag = ((uint64_t)field << 3) | PBW_LEN;
	size_t n = pbw_varint_len(tag) + pbw_varint_len(len) + len;
	uint8_t *buf = xmalloc(n), *p = buf;

	p += pbw_put_varint(p, tag);
	p += pbw_put_varint(p, len);
	if (len > 0)
		memcpy(p, msg, len);
	*out_len = n;
	return buf;
}

int
svc_propose(struct gstream *s, enum req_type field, const uint8_t *msg, size_t len)
{
	size_t irr_len;
	uint8_t *irr = svc_wrap(field, msg, len, &irr_len);

	return backend_propose(s, irr, irr_len);
}
